"""Essential plugin: the Operations page (queues and job runs, live) and the dashboard's Activity panel.

Server-rendered with Jinja; the live parts are HTML fragments the browser polls with htmx. Every
fragment carries a digest of its own markup (a hidden ``since`` input or ``hx-vals``): when nothing
changed the server answers ``204 No Content`` and htmx leaves the DOM alone, so an idle page costs
one tiny request per region and keeps focus, open ``<details>`` and screen-reader calm.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from flask import Blueprint, Response, current_app, render_template, request
from markupsafe import Markup
from sqlalchemy import func, select

from obscura_core.api.jobs import QueueOut, queue_summaries
from obscura_core.runtime import Runtime
from plugin_sdk import NavItem, Panel, Stylesheet, hookimpl
from plugin_sdk.db import get_db
from plugin_sdk.models import JOB_STATUSES, JobRunRow

HERE = Path(__file__).parent
RUNS_PER_PAGE = 50
STATUS_LABELS = {
    "waiting": "Waiting",
    "active": "Running",
    "completed": "Completed",
    "failed": "Failed",
    "cancelled": "Cancelled",
    "dismissed": "Dismissed",
}
STATUS_BADGES = {
    "waiting": "badge",
    "active": "badge badge-accent",
    "completed": "badge badge-ok",
    "failed": "badge badge-danger",
    "cancelled": "badge badge-warn",
    "dismissed": "badge",
}
STATE_BADGES = {
    "idle": ("badge", "Idle"),
    "active": ("badge badge-accent", "Active"),
    "warning": ("badge badge-warn", "Failures"),
}


# ---------------------------------------------------------------------------------------- helpers


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def time_ago(value: datetime | None, now: datetime | None = None) -> str:
    """``just now``, ``5 min ago``, ``3 h ago``, ``2 d ago`` (minute granularity, so digests stay stable)."""
    if value is None:
        return ""
    now = now or datetime.now(UTC)
    seconds = (now - _aware(value)).total_seconds()
    if seconds < 60:
        return "just now"
    minutes = int(seconds // 60)
    if minutes < 90:
        return f"{minutes} min ago"
    hours = int(minutes // 60)
    if hours < 48:
        return f"{hours} h ago"
    return f"{hours // 24} d ago"


def human_duration(seconds: float | None) -> str:
    """``0.4 s``, ``12 s``, ``3 min 05 s``, ``1 h 02 min``."""
    if seconds is None or seconds < 0:
        return ""
    if seconds < 0.1:
        return "< 0.1 s"
    if seconds < 10:
        return f"{seconds:.1f} s"
    whole = round(seconds)
    if whole < 60:
        return f"{whole} s"
    minutes, secs = divmod(whole, 60)
    if minutes < 60:
        return f"{minutes} min {secs:02d} s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min"


def absolute_time(value: datetime | None) -> str:
    return _aware(value).astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC") if value else ""


def register_filters(bp: Blueprint) -> None:
    """Jinja filters shared by the core pages (registered app-wide by each page blueprint)."""
    bp.add_app_template_filter(time_ago, "ago")
    bp.add_app_template_filter(absolute_time, "abstime")
    bp.add_app_template_filter(human_duration, "duration")


_PRE = re.compile(r"(<pre[\s\S]*?</pre>)")
_INDENT = re.compile(r"\n\s+")


def compact(html: str) -> str:
    """Drop template indentation (not inside ``<pre>``): polled fragments shrink by a fifth or so."""
    parts = _PRE.split(html)
    return "".join(part if i % 2 else _INDENT.sub("\n", part) for i, part in enumerate(parts))


def digest_of(html: str) -> str:
    return hashlib.blake2s(html.encode(), digest_size=8).hexdigest()


def live_fragment(html: str, input_id: str) -> Response:
    """``html`` plus a hidden ``since`` input holding its digest; ``204`` when the client has it already."""
    html = compact(html)
    digest = digest_of(html)
    if request.args.get("since") == digest:
        return Response(status=204)
    marker = Markup('<input type="hidden" name="since" id="{}" value="{}">').format(input_id, digest)
    return Response(str(Markup(html) + marker), mimetype="text/html")


def _rt() -> Runtime:
    return current_app.extensions["obscura"]


# ---------------------------------------------------------------------------------------- data


@dataclass(frozen=True)
class RunFilter:
    queue: str | None
    status: str | None
    page: int

    @classmethod
    def from_args(cls, args: Mapping[str, str], queues: Mapping[str, Any]) -> RunFilter:
        """Unknown queues/statuses and bad page numbers are ignored (a fragment never answers 4xx)."""
        queue = args.get("queue") or None
        status = args.get("status") or None
        try:
            page = max(1, int(args.get("page") or 1))
        except ValueError:
            page = 1
        return cls(queue if queue in queues else None, status if status in JOB_STATUSES else None, page)

    def query(self, **changes: Any) -> str:
        values = {"queue": self.queue, "status": self.status, "page": self.page, **changes}
        clean = {k: v for k, v in values.items() if v and not (k == "page" and v == 1)}
        return "?" + urlencode(clean) if clean else ""


@dataclass(frozen=True)
class RunView:
    row: JobRunRow
    queue_label: str
    duration: str
    running: bool

    @property
    def can_cancel(self) -> bool:
        return self.row.status in ("waiting", "active")

    @property
    def can_retry(self) -> bool:
        return self.row.status in ("failed", "cancelled", "dismissed")


def load_queues(rt: Runtime, db: Any) -> list[QueueOut]:
    queues = queue_summaries(rt, db)
    db.commit()  # LibrarySettings.get may have created the settings row
    return queues


def totals(queues: list[QueueOut]) -> dict[str, int]:
    out = dict.fromkeys(JOB_STATUSES, 0)
    for q in queues:
        for status, n in q.counts.items():
            out[status] = out.get(status, 0) + n
    return out


def load_runs(rt: Runtime, db: Any, flt: RunFilter) -> dict[str, Any]:
    stmt = select(JobRunRow)
    if flt.queue:
        stmt = stmt.where(JobRunRow.queue_name == flt.queue)
    if flt.status:
        stmt = stmt.where(JobRunRow.status == flt.status)
    total = db.execute(select(func.count()).select_from(stmt.subquery())).scalar_one()
    pages = max(1, -(-total // RUNS_PER_PAGE))
    page = min(flt.page, pages)
    rows = (
        db.execute(
            stmt.order_by(JobRunRow.created_at.desc(), JobRunRow.id)
            .offset((page - 1) * RUNS_PER_PAGE)
            .limit(RUNS_PER_PAGE)
        )
        .scalars()
        .all()
    )
    now = datetime.now(UTC)
    views = []
    for row in rows:
        qd = rt.registry.queues.get(row.queue_name)
        if row.started_at and row.finished_at:
            seconds: float | None = (_aware(row.finished_at) - _aware(row.started_at)).total_seconds()
        elif row.started_at and row.status == "active":
            seconds = (now - _aware(row.started_at)).total_seconds()
        else:
            seconds = None
        views.append(
            RunView(
                row=row,
                queue_label=qd.label if qd else row.queue_name,
                duration=human_duration(seconds),
                running=row.status == "active",
            )
        )
    db.commit()
    return {
        "runs": views,
        "total": total,
        "page": page,
        "pages": pages,
        "first": (page - 1) * RUNS_PER_PAGE + 1 if total else 0,
        "last": min(page * RUNS_PER_PAGE, total),
        "filter": RunFilter(flt.queue, flt.status, page),
        "filtered": bool(flt.queue or flt.status),
    }


def _queue_context(queues: list[QueueOut]) -> dict[str, Any]:
    t = totals(queues)
    return {
        "queues": queues,
        "totals": t,
        "state_badges": STATE_BADGES,
        "summary": status_summary(t),
    }


def status_summary(t: Mapping[str, int]) -> str:
    """What the screen-reader status line says (only when it changes)."""
    parts = [f"{t.get('active', 0)} running", f"{t.get('waiting', 0)} waiting"]
    if t.get("failed"):
        parts.append(f"{t['failed']} failed")
    return ", ".join(parts)


def _runs_context(data: dict[str, Any], queues: Mapping[str, Any]) -> dict[str, Any]:
    return {**data, "status_labels": STATUS_LABELS, "status_badges": STATUS_BADGES, "queue_defs": queues}


# ---------------------------------------------------------------------------------------- routes


def make_blueprint() -> Blueprint:
    bp = Blueprint("core_operations", __name__)
    register_filters(bp)

    @bp.get("/operations")
    def operations_page() -> str:
        rt, db = _rt(), get_db()
        flt = RunFilter.from_args(request.args, rt.registry.queues)
        queues = load_queues(rt, db)
        queues_html = compact(render_template("operations/_queues.html", **_queue_context(queues)))
        runs_html = compact(
            render_template("operations/_runs.html", **_runs_context(load_runs(rt, db, flt), rt.registry.queues))
        )
        return render_template(
            "operations/page.html",
            queues_html=Markup(queues_html),
            queues_digest=digest_of(queues_html),
            runs_html=Markup(runs_html),
            runs_digest=digest_of(runs_html),
            queue_choices=sorted(rt.registry.queues.values(), key=lambda q: q.label.lower()),
            status_labels=STATUS_LABELS,
            filter=flt,
            summary=status_summary(totals(queues)),
        )

    @bp.get("/fragments/operations/queues")
    def queues_fragment() -> Response:
        rt, db = _rt(), get_db()
        html = render_template("operations/_queues.html", **_queue_context(load_queues(rt, db)))
        return live_fragment(html, "queues-since")

    @bp.get("/fragments/operations/runs")
    def runs_fragment() -> Response:
        rt, db = _rt(), get_db()
        flt = RunFilter.from_args(request.args, rt.registry.queues)
        html = render_template("operations/_runs.html", **_runs_context(load_runs(rt, db, flt), rt.registry.queues))
        return live_fragment(html, "runs-since")

    @bp.get("/fragments/panels/activity")
    def activity_panel() -> Response:
        rt, db = _rt(), get_db()
        queues = load_queues(rt, db)
        ctx = _queue_context(queues)
        busy = [q for q in queues if q.counts["active"] or q.counts["waiting"] or q.counts["failed"]]
        body = compact(render_template("panels/_activity_body.html", busy=busy, **ctx))
        digest = digest_of(body)
        if request.args.get("since") == digest:
            return Response(status=204)
        first = "since" not in request.args
        html = render_template(
            "panels/activity.html",
            body=Markup(body),
            digest=digest,
            summary=ctx["summary"],
            first=first,
            # a persistent status line outside the polled element, told only when the summary changed
            announce=not first and request.args.get("said") != ctx["summary"],
        )
        return Response(html, mimetype="text/html")

    return bp


# ---------------------------------------------------------------------------------------- hooks


@hookimpl
def obscura_blueprints() -> list[Blueprint]:
    return [make_blueprint()]


@hookimpl
def obscura_nav_items() -> list[NavItem]:
    return [NavItem("Operations", "/operations", icon="activity", order=90, section="system")]


@hookimpl
def obscura_panels(entity_type: str) -> list[Panel]:
    if entity_type != "dashboard":
        return []
    return [Panel("Activity", order=30, url="/fragments/panels/activity")]


@hookimpl
def obscura_stylesheets() -> list[Stylesheet]:
    return [Stylesheet(HERE / "static" / "pages" / "core-pages.css", order=20)]
