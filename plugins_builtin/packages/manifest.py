"""A plugin package's ``manifest.yml``: reading and validating it (the original Obscura's format).

Required: ``id``, ``name``, ``version``, ``runtime`` (``python``, ``typescript`` or
``stash-compat``). Optional: ``capabilities`` (capability → boolean), ``author``, ``description``,
``homepage``, ``isNsfw``, ``tags``, ``entry`` (the compiled JavaScript of a ``typescript`` package),
``script`` (the command of a ``python`` package, e.g. ``[python3, main.py]``), ``stashDefinition``
(the Stash scraper YAML of a ``stash-compat`` package), ``requires`` and ``auth``
(``[{key, label, required, url}]``). Every file a manifest names must lie inside the package
folder, symlinks resolved.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from plugin_sdk.errors import ValidationError

MANIFEST_FILE = "manifest.yml"
MANIFEST_MAX_BYTES = 256 * 1024
PLUGIN_ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$")
RUNTIMES = ("python", "typescript", "stash-compat")
CAPABILITIES: tuple[str, ...] = (
    "videoByURL",
    "videoByFragment",
    "videoByName",
    "folderByName",
    "folderByFragment",
    "folderCascade",
    "galleryByURL",
    "galleryByFragment",
    "imageByURL",
    "audioByURL",
    "audioByFragment",
    "audioLibraryByName",
    "performerByURL",
    "performerByFragment",
    "performerByName",
    "movieByName",
    "movieByURL",
    "movieByFragment",
    "seriesByName",
    "seriesByURL",
    "seriesByFragment",
    "seriesCascade",
    "episodeByName",
    "episodeByFragment",
    "supportsBatch",
)
"""The capability keys Obscura knows; a manifest may declare others, which are kept but unused."""


class TextScalarsLoader(yaml.SafeLoader):
    """YAML with numbers and dates read as written (``version: 1.10`` is ``"1.10"``, not ``1.1``);
    booleans, lists and mappings as usual."""


_TEXT_TAGS = {"tag:yaml.org,2002:float", "tag:yaml.org,2002:int", "tag:yaml.org,2002:timestamp"}
TextScalarsLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag not in _TEXT_TAGS]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def load_yaml(text: str | bytes) -> Any:
    """Parse a manifest or index document (numbers and dates kept as text).

    :raises yaml.YAMLError: not YAML.
    """
    return yaml.load(text, Loader=TextScalarsLoader)


class ManifestError(ValidationError):
    """400: the package's manifest is missing or not valid."""

    code = "invalid_manifest"


@dataclass(frozen=True, slots=True)
class AuthField:
    """One credential a package asks for (``TMDB_API_KEY``) and where the user gets it."""

    key: str
    label: str
    required: bool = True
    url: str | None = None


@dataclass(frozen=True, slots=True)
class Manifest:
    """A validated manifest; ``raw`` is the document as written."""

    id: str
    name: str
    version: str
    runtime: str
    capabilities: dict[str, bool] = field(default_factory=dict)
    author: str | None = None
    description: str | None = None
    homepage: str | None = None
    is_nsfw: bool = False
    tags: tuple[str, ...] = ()
    entry: str | None = None
    script: tuple[str, ...] = ()
    stash_definition: str | None = None
    requires: tuple[str, ...] = ()
    auth: tuple[AuthField, ...] = ()
    raw: dict[str, Any] = field(default_factory=dict, compare=False)

    def supports(self, capability: str) -> bool:
        """Whether the manifest declares ``capability`` true."""
        return self.capabilities.get(capability) is True


def valid_plugin_id(plugin_id: Any) -> bool:
    """Whether ``plugin_id`` can name a package and its folder: ``[A-Za-z0-9._-]``, starting with a
    letter or digit, at most 128 characters, no ``..``."""
    return isinstance(plugin_id, str) and bool(PLUGIN_ID_RE.match(plugin_id)) and ".." not in plugin_id


def check_plugin_id(plugin_id: str, what: str = "plugin id") -> str:
    """``plugin_id`` when :func:`valid_plugin_id`.

    :raises ValidationError: (``invalid_plugin_id``) otherwise.
    """
    if not valid_plugin_id(plugin_id):
        raise ValidationError(
            f"{str(plugin_id)[:80]!r} is not a valid {what}: use letters, digits, '.', '_' and '-' "
            "(starting with a letter or digit), no '/', '\\' or '..'.",
            code="invalid_plugin_id",
        )
    return plugin_id


def load_manifest(folder: Path) -> Manifest:
    """Read and validate ``<folder>/manifest.yml``.

    :raises ManifestError: missing, unreadable, not YAML or not valid.
    """
    path = folder / MANIFEST_FILE
    try:
        if not path.is_file():
            raise ManifestError(f"The package has no {MANIFEST_FILE}.")
        if path.stat().st_size > MANIFEST_MAX_BYTES:
            raise ManifestError(f"The package's {MANIFEST_FILE} is larger than {MANIFEST_MAX_BYTES // 1024} KiB.")
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ManifestError(f"The package's {MANIFEST_FILE} could not be read ({exc}).") from None
    try:
        data = load_yaml(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        at = f" (line {mark.line + 1})" if mark is not None else ""
        raise ManifestError(f"The package's {MANIFEST_FILE} is not valid YAML{at}.") from None
    return parse_manifest(data, folder)


def _text(data: dict[str, Any], key: str) -> str | None:
    value = data.get(key)
    if value is None or isinstance(value, dict | list | bool):
        return None
    return str(value).strip() or None


def _required(data: dict[str, Any], key: str) -> str:
    value = _text(data, key)
    if value is None:
        raise ManifestError(f"The manifest has no {key!r} (required: id, name, version, runtime).")
    return value


def _strings(value: Any, key: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or any(isinstance(v, dict | list) or v is None for v in value):
        raise ManifestError(f"The manifest's {key!r} must be a list of strings.")
    return tuple(str(v) for v in value)


def _capabilities(value: Any) -> dict[str, bool]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise ManifestError("The manifest's 'capabilities' must be a mapping of capability to true/false.")
    out: dict[str, bool] = {}
    for key, flag in value.items():
        if not isinstance(flag, bool):
            raise ManifestError(f"The manifest's capability {str(key)!r} must be true or false.")
        out[str(key)] = flag
    return out


def _auth(value: Any) -> tuple[AuthField, ...]:
    if value is None:
        return ()
    if not isinstance(value, list):
        raise ManifestError("The manifest's 'auth' must be a list of {key, label, required, url}.")
    fields: list[AuthField] = []
    for item in value:
        key = _text(item, "key") if isinstance(item, dict) else None
        if key is None:
            raise ManifestError("Every entry of the manifest's 'auth' needs a 'key'.")
        if any(f.key == key for f in fields):
            raise ManifestError(f"The manifest's 'auth' lists {key!r} twice.")
        fields.append(
            AuthField(
                key=key,
                label=_text(item, "label") or key,
                required=item.get("required") is not False,
                url=_text(item, "url"),
            )
        )
    return tuple(fields)


def inside(folder: Path, relative: str, key: str) -> Path:
    """``relative`` resolved inside ``folder`` (symlinks followed).

    :raises ManifestError: absolute, or leaving the folder.
    """
    if not relative or Path(relative).is_absolute() or relative.startswith(("/", "\\")) or "\x00" in relative:
        raise ManifestError(f"The manifest's {key!r} must be a path inside the package ({relative!r}).")
    root = folder.resolve()
    target = (root / relative).resolve()
    if target != root and root not in target.parents:
        raise ManifestError(f"The manifest's {key!r} ({relative}) points outside the package.")
    return target


def _runtime_files(runtime: str, entry: str | None, script: tuple[str, ...], stash: str | None, folder: Path) -> None:
    """Check what each runtime needs, and that the files named stay inside ``folder``."""
    if runtime == "python" and not script:
        raise ManifestError("A python plugin's manifest needs 'script' (the command, e.g. [python3, main.py]).")
    if runtime == "typescript" and entry is None:
        raise ManifestError("A typescript plugin's manifest needs 'entry' (its compiled JavaScript file).")
    if runtime == "stash-compat" and stash is None:
        raise ManifestError("A stash-compat plugin's manifest needs 'stashDefinition' (its Stash scraper YAML).")
    if entry is not None:
        inside(folder, entry, "entry")
    if stash is not None:
        inside(folder, stash, "stashDefinition")
    for part in _script_files(script, folder):
        inside(folder, part, "script")


def _script_files(script: tuple[str, ...], folder: Path) -> list[str]:
    """The parts of a ``script`` command that name files of the package: a relative command
    (``./run.sh``), and arguments that are paths (hold a slash or exist in the folder); not the
    interpreter (``python3``, ``/usr/bin/python3``) nor options (``-u``)."""
    files: list[str] = []
    for i, part in enumerate(script):
        if i == 0:
            if part.startswith("."):
                files.append(part)
            continue
        if part.startswith("-"):
            continue
        if "/" in part or "\\" in part or (folder / part).exists() or (folder / part).is_symlink():
            files.append(part)
    return files


def parse_manifest(data: Any, folder: Path) -> Manifest:
    """Validate a manifest document (what ``manifest.yml`` held) of the package in ``folder``.

    :raises ManifestError: with a message saying what is wrong.
    """
    if not isinstance(data, dict):
        raise ManifestError(f"The package's {MANIFEST_FILE} is not a mapping of fields.")
    plugin_id = _required(data, "id")
    if not valid_plugin_id(plugin_id):
        raise ManifestError(
            f"The manifest's id {plugin_id[:80]!r} is not valid: use letters, digits, '.', '_' and '-' "
            "(starting with a letter or digit), no '/', '\\' or '..'."
        )
    name, version, runtime = _required(data, "name"), _required(data, "version"), _required(data, "runtime")
    if runtime not in RUNTIMES:
        raise ManifestError(f"The manifest's runtime {runtime[:40]!r} is unknown: use {', '.join(RUNTIMES)}.")
    entry, stash = _text(data, "entry"), _text(data, "stashDefinition")
    script = _strings(data.get("script"), "script")
    _runtime_files(runtime, entry, script, stash, folder)
    return Manifest(
        id=plugin_id,
        name=name,
        version=version,
        runtime=runtime,
        capabilities=_capabilities(data.get("capabilities")),
        author=_text(data, "author"),
        description=_text(data, "description"),
        homepage=_text(data, "homepage"),
        is_nsfw=data.get("isNsfw") is True,
        tags=_strings(data.get("tags"), "tags"),
        entry=entry,
        script=script,
        stash_definition=stash,
        requires=_strings(data.get("requires"), "requires"),
        auth=_auth(data.get("auth")),
        raw=data,
    )
