"""Generate ``docs/plugins/sdk.md`` from ``plugin_sdk`` itself: ``python -m obscura_core.sdkdocs``.

Every public name of every ``plugin_sdk`` module is listed with its signature and the first line
of its docstring, so the reference cannot fall behind the code (a unit test compares the file
with :func:`render`).
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from types import ModuleType
from typing import Any

import plugin_sdk

HEADER = """# SDK reference

Generated from `plugin_sdk` by `python -m obscura_core.sdkdocs`; do not edit by hand. The hooks
are in [hooks.md](hooks.md), the walk-through in [tutorial.md](tutorial.md).

## What is stable

`plugin_sdk` is the whole API a plugin codes against; never import `obscura_core` or
`plugins_builtin` (an import-linter contract keeps the built-ins to that rule too). It is versioned
as `plugin_sdk.SDK_VERSION` (semantic versioning, apart from the application): every name listed
below keeps its meaning within a major version; a name starting with `_`, and anything not listed
here, may change at any time. The changes of each version are under "Plugin API" in CHANGELOG.md.

## Names and rules

- **Your plugin's name** is its `obscura` entry-point name: lowercase `[a-z][a-z0-9_-]*`. Its
  tables start with the name (a `-` becomes `_`: plugin `my-clips` → table `my_clips_items`),
  its migration lineage and version table are named after it (`alembic_version_my-clips`), and
  its queues should start with it (`my-clips-scan`). `OBSCURA_DISABLE_PLUGINS=my-clips` turns it
  off; `OBSCURA_LOAD_PLUGINS` names the distributions or plugins to load.
- **Entity types** (`video`, `gallery`, `image`, `audio-track`, `audio-library`, `series`, and
  yours, e.g. `clip`) name kinds of rows in hooks, links, collections and SFW rules.
- **JSON** is camelCase on the wire and snake_case in Python (`ApiModel` converts); routes live
  under `/api/`, yours under `/api/plugins/<name>/` unless it is a kind of media.
- **Settings and root switches** (`SettingsGroup`, `RootOption`) share one flat namespace with the
  core's and every other plugin's: prefix yours (`hello_welcome`); a clash stops start-up.
- **Faults**: a hook implementation that raises, or answers with the wrong type, is logged with
  your plugin's name and left out (see hooks.md); `plugin_sdk.errors` are for the user (4xx).

## Icons

`NavItem.icon` and `SettingsAction.icon` name one of the shell's icons (`/static/icons.svg`; in a
template: `<svg class="i"><use href="/static/icons.svg#NAME"/></svg>`). Another name is reported
as a fault of your plugin and the default icon is shown. The icons:

{icons}

## Jinja filters

Every template (yours too) may use the formatters of `plugin_sdk.formatting` as filters:
`{{ video.size|filesize }}` (1.4 GB), `{{ track.duration|clock }}` (3:07, 1:02:03),
`{{ row.created_at|day }}`, `{{ n|count("image") }}` (1 image, 2 images), `{{ rating|stars }}`
(1–100 → 0–5), and the shell's `{{ when|ago }}`, `{{ when|abstime }}`, `{{ seconds|duration }}`.

## The page API (JavaScript)

Pages are server-rendered; a page's module (named in the `module_attr` block, see the tutorial)
exports `mount({root, signal, url})` and may import these ES modules of the shell:

| module | exports |
|---|---|
| `/static/js/api.js` | `api(method, path, body)` → the envelope's `data` (throws `ApiError` with the envelope's message, `.status`, `.code`); `get`, `post`, `patch`, `put`, `del`; `upload(path, formData, onProgress)` |
| `/static/js/ui.js` | `toast(message, kind)`, `confirmDialog({title, message, confirmLabel, danger})` → Promise<bool>, `icon(name)` (an icon's `<svg>`), `escapeHtml(text)`, `typingIn(event)` (true in a text field) |
| `/static/js/format.js` | `formatDuration`, `formatTime`, `formatBytes`, `formatCount`, `plural(n, word, words)`, `formatDay`, `formatDateTime`, `starsHtml(rating)` |
| `/static/js/listpage.js` | `listPage({...})`: a list page whose filters live in the query string and whose results come from `PATH/fragments/results` (read the module's header); `autoload`, `scanLibrary`, `setParam`, `pause`, `modifiedClick` |
| `/static/js/navigate.js` | `navigate(url, {push})`: move to another page without reloading the shell |

Listen on `document`/`window` only with `{signal}`, stop timers and media on its `abort` event,
and return `{handlesHistory: true}` from `mount` if the page keeps its own state in the URL.
"""


def _modules() -> list[ModuleType]:
    found = [plugin_sdk]
    for info in sorted(pkgutil.iter_modules(plugin_sdk.__path__), key=lambda i: i.name):
        if not info.name.startswith("_"):
            found.append(importlib.import_module(f"plugin_sdk.{info.name}"))
    return found


def public_names(module: ModuleType) -> list[str]:
    """``__all__``, else the functions, classes and UPPER_CASE constants the module defines."""
    names = getattr(module, "__all__", None)
    if names is not None:
        return sorted(names)
    out = []
    for name, obj in vars(module).items():
        if name.startswith("_") or name.startswith("pytest_"):
            continue
        if inspect.isfunction(obj) or inspect.isclass(obj):
            if getattr(obj, "__module__", None) == module.__name__:
                out.append(name)
        elif name.isupper() and name != "TYPE_CHECKING" and isinstance(obj, int | str | float | tuple | frozenset):
            out.append(name)
    return sorted(out)


def _first_line(obj: Any) -> str:
    doc = inspect.getdoc(obj) or ""
    return doc.strip().split("\n\n")[0].replace("\n", " ")


def _signature(obj: Any) -> str:
    try:
        sig = str(inspect.signature(obj)).replace("'", "")
    except (TypeError, ValueError):
        return ""
    return sig if len(sig) <= 110 else sig[:107] + "…"


def _entry(module: ModuleType, name: str) -> str:
    obj = getattr(module, name)
    if inspect.isfunction(obj):
        return f"- `{name}{_signature(obj)}`: {_first_line(obj)}"
    if inspect.isclass(obj):
        return f"- class `{name}`: {_first_line(obj)}"
    if module is plugin_sdk and name == "hookimpl":
        return "- `hookimpl`: the marker of every hook implementation (`@hookimpl`)."
    return f"- `{name}` = `{obj!r}`"[:200]


def render() -> str:
    from obscura_core.web.icons import icon_names

    parts = [HEADER.replace("{icons}", " ".join(f"`{n}`" for n in sorted(icon_names())))]
    parts.append("\n## Modules\n")
    for module in _modules():
        doc = (inspect.getdoc(module) or "").split("\n\n")[0].replace("\n", " ")
        parts.append(f"\n### `{module.__name__}`\n\n{doc}\n\n")
        for name in public_names(module):
            if module is plugin_sdk and name not in ("SDK_VERSION", "hookimpl"):
                continue  # the records and errors are listed under their own modules
            parts.append(_entry(module, name) + "\n")
    return "".join(parts)


if __name__ == "__main__":
    print(render(), end="")
