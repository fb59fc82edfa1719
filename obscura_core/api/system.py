"""Essential plugin: system status, plugins, changelog, client info and the OpenAPI document."""

from __future__ import annotations

import functools
import ipaddress
import shutil
import subprocess
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from flask import Blueprint, current_app, jsonify, render_template, request
from pydantic import Field
from rq import Worker
from sqlalchemy import text

from obscura_core import __version__
from obscura_core.runtime import Runtime
from plugin_sdk import hookimpl
from plugin_sdk.database import PendingMigration
from plugin_sdk.db import get_db
from plugin_sdk.errors import ConflictError, ObscuraError
from plugin_sdk.http import ApiModel, api_route, ok

HEARTBEAT_STALE_S = 90


class ToolInfo(ApiModel):
    found: bool
    path: str | None = None
    version: str | None = None


class ServiceInfo(ApiModel):
    reachable: bool
    error: str | None = None


class WorkerInfo(ApiModel):
    name: str
    state: str
    queues: list[str]
    last_heartbeat: datetime | None
    alive: bool
    current_job: str | None = None


class BreakingMigrationOut(ApiModel):
    """A migration that reshapes or drops data, waiting for the operator's consent."""

    plugin: str
    revision: str
    message: str
    description: str = Field(description="what it does to the data, in the migration's own words")


class SystemStatus(ApiModel):
    ok: bool
    version: str
    awaiting_breaking_consent: bool = Field(
        False,
        description="breaking migrations wait for consent (POST /api/system/breaking-gate/accept); until then "
        "pages show the notice and the other API routes answer 503",
    )
    breaking_migrations: list[BreakingMigrationOut] = Field(default_factory=list)
    database: ServiceInfo
    redis: ServiceInfo
    ffmpeg: ToolInfo
    ffprobe: ToolInfo
    workers: list[WorkerInfo]
    workers_alive: int
    plugin_failures: list[dict[str, Any]]
    plugin_faults: list[dict[str, Any]] = Field(
        default_factory=list, description="the latest hook calls that raised or answered wrongly, newest first"
    )
    plugins: dict[str, Any]


@functools.lru_cache(maxsize=8)
def tool_info(binary: str) -> ToolInfo:
    """Where ``ffmpeg``/``ffprobe`` is and the version it reports (first line of ``-version``)."""
    path = shutil.which(binary)
    if path is None:
        return ToolInfo(found=False)
    try:
        out = subprocess.run([path, "-version"], capture_output=True, text=True, timeout=10).stdout
        first = out.splitlines()[0] if out else ""
        parts = first.split()
        version = parts[2] if len(parts) > 2 and parts[1] == "version" else first
    except (OSError, subprocess.SubprocessError):
        version = None
    return ToolInfo(found=True, path=path, version=version)


def _workers(rt: Runtime) -> list[WorkerInfo]:
    now = datetime.now(UTC)
    out = []
    for w in Worker.all(connection=rt.redis):
        beat = w.last_heartbeat
        if beat is not None and beat.tzinfo is None:
            beat = beat.replace(tzinfo=UTC)
        alive = beat is not None and (now - beat).total_seconds() < HEARTBEAT_STALE_S
        out.append(
            WorkerInfo(
                name=w.name,
                state=str(w.get_state()),
                queues=w.queue_names(),
                last_heartbeat=beat,
                alive=alive,
                current_job=w.get_current_job_id(),
            )
        )
    return out


def breaking_out(waiting: list[PendingMigration]) -> list[BreakingMigrationOut]:
    return [
        BreakingMigrationOut(plugin=m.lineage, revision=m.revision, message=m.message, description=m.breaking or "")
        for m in waiting
    ]


def system_status(rt: Runtime) -> SystemStatus:
    from obscura_core.migrate import gate_state

    db_info = ServiceInfo(reachable=False)
    plugins: dict[str, Any] = {}
    try:
        db = get_db()
        db.execute(text("SELECT 1"))
        db_info = ServiceInfo(reachable=True)
    except Exception as exc:
        db_info = ServiceInfo(reachable=False, error=str(exc).splitlines()[0])
    if db_info.reachable:  # a plugin's fault is its own: logged, recorded, never "database unreachable"
        for plugin, extra in rt.hooks.mappings("obscura_system_status", savepoint=db, db=db):
            plugins[plugin] = extra
    workers: list[WorkerInfo] = []
    try:
        rt.redis.ping()
        redis_info = ServiceInfo(reachable=True)
        workers = _workers(rt)
    except Exception as exc:
        redis_info = ServiceInfo(reachable=False, error=str(exc).splitlines()[0])
    waiting = gate_state(rt) if db_info.reachable else []
    return SystemStatus(
        ok=db_info.reachable and redis_info.reachable,
        version=__version__,
        awaiting_breaking_consent=bool(waiting),
        breaking_migrations=breaking_out(waiting),
        database=db_info,
        redis=redis_info,
        ffmpeg=tool_info(rt.settings.ffmpeg_bin),
        ffprobe=tool_info(rt.settings.ffprobe_bin),
        workers=workers,
        workers_alive=sum(1 for w in workers if w.alive),
        plugin_failures=[
            {"name": f.name, "dist": f.dist, "stage": f.stage, "error": f.error} for f in rt.report.failed
        ],
        plugin_faults=[f.to_json() for f in rt.hooks.recent_faults()[:20]],
        plugins=plugins,
    )


class ClientInfo(ApiModel):
    ip: str | None
    is_lan: bool


def client_is_lan(remote: str | None, forwarded: str | None) -> tuple[str | None, bool]:
    """Private IPv4, IPv6 ULA/link-local and loopback are LAN. ``X-Forwarded-For`` is trusted
    only from a loopback proxy."""
    ip = remote
    try:
        if forwarded and remote and ipaddress.ip_address(remote).is_loopback:
            ip = forwarded.split(",")[0].strip()
        addr = ipaddress.ip_address(ip or "")
    except ValueError:
        return ip, False
    return ip, addr.is_private or addr.is_loopback or addr.is_link_local


def changelog_path(rt: Runtime) -> Path:
    if rt.settings.changelog_path:
        return rt.settings.changelog_path
    here = Path(__file__).resolve().parents[2] / "CHANGELOG.md"
    packaged = Path(__file__).resolve().parents[1] / "CHANGELOG.md"
    return here if here.exists() else packaged


class AcceptBreakingIn(ApiModel):
    revisions: list[str] | None = Field(
        None, max_length=1000, description="the revisions the operator saw; refused (409) when others wait now"
    )


class AcceptedOut(ApiModel):
    applied: list[BreakingMigrationOut]
    migrated: int = Field(description="revisions applied in all, breaking or not")
    backup: str | None = Field(description="what the obscura_before_migrate plugins answered (the backup file)")


class AwaitingConsentError(ObscuraError):
    """503 while breaking migrations wait for consent: the schema is not the one the code expects."""

    status = 503
    code = "awaiting_breaking_consent"


GATE_OPEN_PREFIXES = ("/static/", "/assets/", "/api/system/")
GATE_OPEN_PATHS = frozenset({"/api/health", "/api/openapi.json", "/api/changelog", "/api/client-info"})
"""What still answers while breaking migrations wait: the notice, its assets and the system routes."""


def gate_open(path: str) -> bool:
    return path in GATE_OPEN_PATHS or path.startswith(GATE_OPEN_PREFIXES)


def accept_breaking(rt: Runtime, revisions: list[str] | None) -> AcceptedOut:
    """Back up, apply the waiting breaking migrations (and what they held back), record the consent."""
    from obscura_core.migrate import migrate, pending_breaking

    waiting = pending_breaking(rt)
    if not waiting:
        raise ConflictError("No breaking migration is waiting for consent.", code="nothing_to_accept")
    if revisions is not None and sorted(revisions) != sorted(m.revision for m in waiting):
        raise ConflictError(
            "The migrations waiting are not the ones shown; reload the page to see them.", code="gate_changed"
        )
    result = migrate(rt, accept_breaking=True, reason="breaking-gate")
    return AcceptedOut(
        applied=breaking_out([m for m in result.applied if m.breaking]),
        migrated=len(result.applied),
        backup="; ".join(answer for _, answer in result.before_migrate) or None,
    )


def make_blueprint() -> Blueprint:
    bp = Blueprint("core_system", __name__)

    @bp.before_app_request
    def _breaking_gate():
        """While breaking migrations wait, pages show the notice and the API answers 503."""
        if gate_open(request.path):
            return None
        from obscura_core.migrate import gate_state

        waiting = gate_state(current_app.extensions["obscura"])
        if not waiting:
            return None
        if request.path.startswith("/api/"):
            raise AwaitingConsentError(
                "An upgrade waits for your consent before Obscura can run: open Obscura in a browser, or "
                "POST /api/system/breaking-gate/accept.",
            )
        return render_template("system/breaking_gate_page.html"), 503

    @bp.app_context_processor
    def _gate_context() -> dict[str, Any]:
        from obscura_core.migrate import gate_state

        waiting = gate_state(current_app.extensions["obscura"])
        return {"breaking_gate": breaking_out(waiting) if waiting else None}

    @api_route(bp, "/api/system/breaking-gate/accept", methods=["POST"], body=AcceptBreakingIn, response=AcceptedOut)
    def accept_gate(body: AcceptBreakingIn):
        """Consent to the waiting breaking migrations: a backup is taken, they are applied, the consent recorded."""
        return ok(accept_breaking(current_app.extensions["obscura"], body.revisions))

    @api_route(bp, "/api/system/status", response=SystemStatus)
    def status():
        """Health of the database, Redis, ffmpeg and the workers."""
        return ok(system_status(current_app.extensions["obscura"]))

    @api_route(bp, "/api/health")
    def health():
        """Liveness probe."""
        return ok({"status": "ok", "version": __version__})

    @api_route(bp, "/api/client-info", response=ClientInfo)
    def client_info():
        """Whether the browser is on the LAN (drives NSFW auto-enable)."""
        ip, lan = client_is_lan(request.remote_addr, request.headers.get("X-Forwarded-For"))
        return ok(ClientInfo(ip=ip, is_lan=lan))

    @api_route(bp, "/api/changelog")
    def changelog():
        """The CHANGELOG.md of this version, as Markdown."""
        path = changelog_path(current_app.extensions["obscura"])
        body = path.read_text(encoding="utf-8") if path.exists() else ""
        return ok({"version": __version__, "markdown": body})

    @api_route(bp, "/api/plugins")
    def plugins():
        """Every loaded plugin with its hooks, queues and routes; plugins that failed to load; and
        ``restartNeeded``/``pending``: ``obscura`` entry points installed, removed or upgraded
        (``obscura install``, pip) since this server started, which a restart loads."""
        from obscura_core.cli.plugins_cmd import describe_plugins

        return ok(describe_plugins(current_app))

    @bp.get("/api/openapi.json")
    def openapi():
        from obscura_core.openapi import build_openapi

        return jsonify(build_openapi(current_app))

    return bp


@hookimpl
def obscura_blueprints() -> list[Blueprint]:
    return [make_blueprint()]
