"""Essential plugin: the Settings page (library folders, library settings, plugin sections, plugins,
maintenance) and the dashboard's System panel.

The page is server-rendered; ``pages/settings.js`` talks to the JSON API (``/api/libraries``,
``/api/settings/library``...) and reloads the folder list from ``/fragments/settings/libraries``.
Input ranges come from the API's own validation model, so the form and the server never disagree.
"""

from __future__ import annotations

import logging
import types
import typing
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import annotated_types
from flask import Blueprint, Response, current_app, render_template
from markupsafe import Markup
from pydantic.alias_generators import to_camel
from pydantic.fields import FieldInfo
from sqlalchemy import select

from obscura_core.api.libraries import root_out
from obscura_core.api.settings import LibrarySettingsPatch, current_settings
from obscura_core.runtime import Runtime
from obscura_core.web.operations import register_filters
from plugin_sdk import NavItem, Panel, SettingsAction, hookimpl
from plugin_sdk.db import get_db
from plugin_sdk.models import LibraryRoot

log = logging.getLogger("obscura.web")

HERE = Path(__file__).parent

CORE_ROOT_SWITCHES: tuple[tuple[str, str, str], ...] = (
    ("enabled", "Enabled", "Scan this folder and show what it holds."),
    ("recursive", "Sub-folders", "Look inside sub-folders too."),
)
NSFW_SWITCH = ("is_nsfw", "NSFW", "Hide this folder's media unless NSFW content is shown.")


def root_toggles(registry: Any) -> list[tuple[str, str, str]]:
    """A library root's switches: ``(field, label, description)``: the core's, then every
    plugin's ``RootOption``, then NSFW."""
    options = [(o.key, o.label, o.description) for o in registry.root_options.values()]
    return [*CORE_ROOT_SWITCHES, *options, NSFW_SWITCH]


# ---------------------------------------------------------------------------------------- settings form


@dataclass(frozen=True)
class SettingField:
    name: str
    key: str
    label: str
    hint: str
    kind: str  # "bool" | "int" | "float" | "choice" | "text"
    value: Any
    min: float | None = None
    max: float | None = None
    step: float | None = None
    unit: str = ""
    choices: tuple[tuple[str, str], ...] = ()
    max_length: int | None = None


@dataclass(frozen=True)
class SettingGroup:
    key: str
    title: str
    intro: str
    fields: tuple[SettingField, ...]
    plugin: str | None = None
    actions: tuple[SettingsAction, ...] = ()


# The core's own groups: (group key, title, intro, order, [(field, label, hint, unit, step)]).
# Plugins add theirs (``SettingsGroup``), described by their models' fields.
GROUPS: tuple[tuple[str, str, str, int, tuple[tuple[str, str, str, str, float | None], ...]], ...] = (
    (
        "scanning",
        "Scanning",
        "When Obscura looks for new, changed and removed files.",
        10,
        (
            ("auto_scan_enabled", "Scan automatically", "Scan every enabled folder on a schedule.", "", None),
            ("scan_interval_minutes", "Scan interval", "How often the automatic scan runs.", "minutes", 1),
        ),
    ),
    (
        "generation",
        "Generation",
        "What a scan queues for each new or changed file. A switch that is off queues nothing; Run missing "
        "(Jobs) still does the work when you ask. Where the files live: see Dedicated metadata storage (Content).",
        20,
        (
            (
                "auto_generate_metadata",
                "Read media details",
                "Duration, resolution, codecs and tags of new and changed media files. What follows this "
                "step (fingerprints, previews, subtitles) waits too while it is off.",
                "",
                None,
            ),
            (
                "auto_generate_fingerprints",
                "Fingerprints",
                "MD5 and oshash of every media file, to find duplicates and moved files.",
                "",
                None,
            ),
            (
                "auto_generate_preview",
                "Previews",
                "Thumbnails and what else each kind of media shows while you browse (preview clips, "
                "seek-bar sprites, waveforms).",
                "",
                None,
            ),
        ),
    ),
    (
        "workers",
        "Workers",
        "How much background work runs at once.",
        60,
        (
            (
                "background_worker_concurrency",
                "Parallel jobs per queue",
                "Multiplies every queue's own concurrency. Higher is faster on a strong machine.",
                "",
                1,
            ),
        ),
    ),
    (
        "content",
        "Content",
        "What is shown, and where metadata is kept.",
        70,
        (
            (
                "nsfw_lan_auto_enable",
                "Show NSFW on the local network",
                "Browsers on your LAN see NSFW media without asking.",
                "",
                None,
            ),
            (
                "metadata_storage_dedicated",
                "Dedicated metadata storage",
                "Keep generated metadata in Obscura's data folder rather than beside the media.",
                "",
                None,
            ),
        ),
    ),
)


def _field_kind(annotation: Any) -> tuple[str, tuple[str, ...]]:
    base = annotation
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):  # ``X | None``
        base = next(a for a in typing.get_args(annotation) if a is not type(None))
    if typing.get_origin(base) is typing.Literal:
        return "choice", tuple(typing.get_args(base))
    if base is bool:
        return "bool", ()
    if base is int:
        return "int", ()
    if base is float:
        return "float", ()
    return "text", ()


def _field(
    name: str, info: FieldInfo, value: Any, label: str, hint: str, unit: str, step: float | None
) -> SettingField:
    """One input of the form: its kind, range and choices read from the validating model's field."""
    kind, choices = _field_kind(info.annotation)
    lo = hi = max_len = None
    for meta in info.metadata:
        if isinstance(meta, annotated_types.Ge):
            lo = meta.ge
        elif isinstance(meta, annotated_types.Le):
            hi = meta.le
        elif isinstance(meta, annotated_types.MaxLen):
            max_len = meta.max_length
    extra = info.json_schema_extra if isinstance(info.json_schema_extra, Mapping) else {}
    labels = extra.get("choices") or {}
    return SettingField(
        name=name,
        key=to_camel(name),
        label=label,
        hint=hint,
        kind=kind,
        value=value,
        min=lo,
        max=hi,
        step=step,
        unit=unit,
        choices=tuple((c, labels.get(c, str(c).capitalize())) for c in choices),
        max_length=max_len,
    )


def setting_groups(registry: Any, values: Mapping[str, Any]) -> list[SettingGroup]:
    """The form's groups, the core's and every plugin's, in order; ``values`` holds every setting."""
    ordered: list[tuple[int, str, SettingGroup]] = []
    core_fields = LibrarySettingsPatch.model_fields
    for key, title, intro, order, specs in GROUPS:
        fields = tuple(
            _field(name, core_fields[name], values[name], label, hint, unit, step)
            for name, label, hint, unit, step in specs
        )
        ordered.append((order, title, SettingGroup(key, title, intro, fields)))
    for plugin, group in registry.settings_groups:
        fields = []
        for name, info in group.model.model_fields.items():
            extra = info.json_schema_extra if isinstance(info.json_schema_extra, Mapping) else {}
            label = info.title or name.replace("_", " ").capitalize()
            hint, unit, step = info.description or "", extra.get("unit", ""), extra.get("step")
            fields.append(_field(name, info, values[name], label, hint, unit, step))
        setting_group = SettingGroup(group.key, group.title, group.intro, tuple(fields), plugin, group.actions)
        ordered.append((group.order, group.title, setting_group))
    return [g for _, _, g in sorted(ordered, key=lambda e: (e[0], e[1]))]


# ---------------------------------------------------------------------------------------- helpers


def _rt() -> Runtime:
    return current_app.extensions["obscura"]


def problems_by_root(extras: list[tuple[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    """``{root id: [{"plugin", "problem", "at"}]}`` from plugins' ``obscura_system_status`` answers."""
    out: dict[str, list[dict[str, Any]]] = {}
    for plugin, extra in extras:
        problems = extra.get("rootProblems") if isinstance(extra, Mapping) else None
        for p in problems or []:
            if isinstance(p, Mapping) and p.get("rootId"):
                out.setdefault(str(p["rootId"]), []).append(
                    {"plugin": plugin, "problem": str(p.get("problem") or "unknown problem"), "at": p.get("at")}
                )
    return out


def root_problems(rt: Runtime, db: Any) -> dict[str, list[dict[str, Any]]]:
    """Every plugin's ``rootProblems`` (see :func:`problems_by_root`); a failing plugin hides none of the page."""
    return problems_by_root(rt.hooks.mappings("obscura_system_status", savepoint=db, db=db))


def load_roots(db: Any) -> list[LibraryRoot]:
    return list(db.execute(select(LibraryRoot).order_by(LibraryRoot.path)).scalars())


def render_sections(rt: Runtime) -> list[dict[str, Any]]:
    """Every plugin's settings section, rendered; one that fails shows a notice instead of breaking the page."""
    out = []
    for plugin, section in rt.registry.settings_sections:
        try:
            html: Markup | None = Markup(render_template(section.template, section=section))
            error = None
        except Exception as exc:
            log.exception("settings section %s of plugin %s failed to render", section.key, plugin)
            html, error = None, f"{type(exc).__name__}: {exc}"
        out.append({"plugin": plugin, "section": section, "html": html, "error": error})
    return out


def _libraries_context(rt: Runtime, db: Any) -> dict[str, Any]:
    roots = [root_out(r, rt.registry) for r in load_roots(db)]
    return {
        "roots": roots,
        "problems": root_problems(rt, db) if roots else {},
        "root_toggles": root_toggles(rt.registry),
    }


# ---------------------------------------------------------------------------------------- routes


def make_blueprint() -> Blueprint:
    bp = Blueprint("core_settings_page", __name__)
    register_filters(bp)

    @bp.get("/settings")
    def settings_page() -> str:
        from obscura_core.cli.plugins_cmd import describe_plugins

        rt, db = _rt(), get_db()
        groups = setting_groups(rt.registry, current_settings(db))
        libraries = _libraries_context(rt, db)
        db.commit()
        plugins = describe_plugins(current_app)
        return render_template(
            "settings/page.html",
            groups=groups,
            sections=render_sections(rt),
            plugins=[p for p in plugins["plugins"] if p["kind"] != "essential"],
            core_plugins=[p for p in plugins["plugins"] if p["kind"] == "essential"],
            plugin_failures=plugins["failed"],
            **libraries,
        )

    @bp.get("/fragments/settings/libraries")
    def libraries_fragment() -> str:
        rt, db = _rt(), get_db()
        html = render_template("settings/_libraries.html", **_libraries_context(rt, db))
        db.commit()
        return html

    @bp.get("/fragments/panels/system")
    def system_panel() -> Response:
        from obscura_core.api.system import system_status

        rt = _rt()
        status = system_status(rt)  # database, Redis, ffmpeg, workers and every plugin's extra status
        problems: list[dict[str, Any]] = []
        by_root = problems_by_root(list(status.plugins.items()))
        if by_root:
            db = get_db()
            try:
                roots = {r.id: r for r in load_roots(db)}
                db.commit()
            except Exception:
                log.exception("system panel: reading library roots failed")
                db.rollback()
                roots = {}
            for root_id, items in by_root.items():
                root = roots.get(root_id)
                for item in items:
                    problems.append(
                        {"label": root.label if root else root_id, "path": root.path if root else None, **item}
                    )
        html = render_template(
            "panels/system.html",
            status=status,
            stale_workers=len(status.workers) - status.workers_alive,
            root_problems=problems,
            plugin_count=len(rt.report.loaded),
        )
        return Response(html, mimetype="text/html")

    return bp


# ---------------------------------------------------------------------------------------- hooks


@hookimpl
def obscura_blueprints() -> list[Blueprint]:
    return [make_blueprint()]


@hookimpl
def obscura_nav_items() -> list[NavItem]:
    return [NavItem("Settings", "/settings", icon="gear", order=95, section="system")]


@hookimpl
def obscura_panels(entity_type: str) -> list[Panel]:
    if entity_type != "dashboard":
        return []
    return [Panel("System", order=90, url="/fragments/panels/system")]
