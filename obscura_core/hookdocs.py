"""Generate ``docs/plugins/hooks.md`` from the hook specs: ``python -m obscura_core.hookdocs``."""

from __future__ import annotations

import inspect

from obscura_core import hookspecs

HEADER = """# Hook reference

Generated from `obscura_core/hookspecs.py` by `python -m obscura_core.hookdocs`; do not edit by
hand. Implement a hook with a function of the same name decorated with `plugin_sdk.hookimpl`;
it may take any subset of the listed arguments.

**How hooks are called.** Every call goes through one helper (`obscura_core.hookcall.Hooks`)
that calls each plugin's implementation in turn, times it (`OBSCURA_TRACE_PLUGINS=1` logs every
call) and checks what it returned. An implementation that raises, or answers with the wrong type,
is logged with the plugin's name and left out; the other plugins' answers are used as if it had
answered nothing, so one plugin's fault never fails another plugin's job, page or route. Such
faults are listed in `/api/plugins` (`faults`), `/api/system/status` (`pluginFaults`) and
Settings → System. Two exceptions: errors from `plugin_sdk.errors` (`ValidationError`,
`NotFoundError`, …) are meant for the user and reach them as a 4xx; and a failing
`obscura_sfw_clause` hides every row of its kind in SFW mode rather than showing NSFW ones. Hooks
that write in the caller's transaction (`obscura_job_finished`, `obscura_entity_patch`,
`obscura_entities_deleted`, …) run each plugin inside a SAVEPOINT, so a plugin that fails halfway
leaves nothing half-written.

Collect hooks (blueprints, queues, nav items, panels, stylesheets…) are called once per process
(`obscura_panels` once per entity type); return the same answer every time.
"""

GROUPS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("Start-up, routes and commands", "What a plugin adds when the app starts.",
     ("obscura_startup", "obscura_blueprints", "obscura_cli_commands", "obscura_models")),
    ("Jobs", "Background work: queues, their processors, and chaining.",
     ("obscura_queues", "obscura_processors", "obscura_run_job", "obscura_job_finished", "obscura_scan_roots")),
    ("Pages, settings and the browser UI",
     "Navigation, panels on other plugins' pages, the shell, CSS, settings and library-root switches.",
     ("obscura_nav_items", "obscura_panels", "obscura_shell_parts", "obscura_stylesheets",
      "obscura_settings_sections", "obscura_settings_groups", "obscura_root_options")),
    ("Media rows shared between plugins",
     "Links, filters, changes and deletions of rows another plugin owns; SFW rules; collections and assets.",
     ("obscura_link_kinds", "obscura_entity_patch", "obscura_entity_links", "obscura_entity_filter",
      "obscura_entity_changed", "obscura_entities_deleted", "obscura_entity_deleted", "obscura_sfw_clause",
      "obscura_collection_sources",
      "obscura_generated_assets")),
    ("Search and metadata", "Global search, metadata sources and the rows they describe.",
     ("obscura_search", "obscura_metadata_sources", "obscura_metadata_targets",
      "obscura_metadata_store")),
    ("Imports", "Records another application's library brings, taken by the plugins that own them.",
     ("obscura_importers",)),
    ("Status", "What the system status and Settings → System show.", ("obscura_system_status",)),
    ("Database", "Acting before migrations change the database (backups).", ("obscura_before_migrate",)),
)  # fmt: skip


def specs() -> dict[str, object]:
    return {
        name: fn
        for name, fn in inspect.getmembers(hookspecs, inspect.isfunction)
        if name.startswith("obscura_") and getattr(fn, "obscura_spec", None) is not None
    }


def render() -> str:
    found = specs()
    grouped = {name for _, _, names in GROUPS for name in names}
    missing = sorted(set(found) - grouped)
    if missing:
        raise SystemExit(f"hooks without a group in hookdocs.GROUPS: {', '.join(missing)}")
    parts = [HEADER, "\n## Contents\n"]
    for title, _, names in GROUPS:
        links = ", ".join(f"[`{n}`](#{n})" for n in names if n in found)
        parts.append(f"\n- **{title}**: {links}")
    parts.append("\n")
    for title, blurb, names in GROUPS:
        parts.append(f"\n## {title}\n\n{blurb}\n")
        for name in names:
            fn = found.get(name)
            if fn is None:
                continue
            opts = getattr(fn, "obscura_spec", {}) or {}
            sig = str(inspect.signature(fn)).replace("'", "")
            first = " (firstresult)" if opts.get("firstresult") else ""
            parts.append(f"\n### `{name}`{first}\n\n```python\ndef {name}{sig}\n```\n\n{inspect.getdoc(fn)}\n")
    return "".join(parts)


if __name__ == "__main__":
    print(render(), end="")
