"""``obscura migrate``: upgrade every migration lineage, core first, under an advisory lock.

One lineage per plugin, each with its own version table (``alembic_version`` for core,
``alembic_version_<plugin>`` otherwise), so adding or removing a plugin never breaks another's
upgrade. Running it twice is a no-op.

**Breaking migrations** (a revision file with a module-level ``breaking = "what it does to the
data"``) reshape or drop user data, so they wait for the operator's consent: without it, a run
applies everything up to them but not them, nor any later revision of their lineage, nor the
pending revisions of lineages that ``require`` theirs. A lineage with no revision applied yet is
new (it creates empty tables) and never waits. Consent is ``obscura migrate --accept-breaking`` or
``POST /api/system/breaking-gate/accept``; each breaking revision applied with it is recorded in
``breaking_consents`` with what the ``obscura_before_migrate`` plugins answered (the backup).

Before anything is applied to lineages that already hold data, the ``obscura_before_migrate``
plugins run (the backups plugin takes a backup); one that fails stops the migration.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from alembic import command
from alembic.config import Config
from alembic.script import Script, ScriptDirectory
from sqlalchemy import Connection, insert, text

from plugin_sdk.database import MigrationPlan, PendingMigration, libpq_url
from plugin_sdk.errors import ObscuraError
from plugin_sdk.types import ModelSet

if TYPE_CHECKING:
    from obscura_core.runtime import Runtime

log = logging.getLogger("obscura.migrate")

MIGRATE_LOCK_KEY = 7_351_001


class MigrationAborted(ObscuraError):
    """A plugin's ``obscura_before_migrate`` failed (a backup could not be written): nothing was applied."""

    status = 503
    code = "migration_aborted"


def migrations_root() -> Path:
    """The Alembic folder: packaged as ``obscura_core/_migrations`` in a wheel, else the repo's."""
    packaged = Path(__file__).parent / "_migrations"
    if (packaged / "env.py").exists():
        return packaged
    return Path(__file__).resolve().parent.parent / "migrations"


def version_table(lineage: str) -> str:
    return "alembic_version" if lineage == "core" else f"alembic_version_{lineage.replace('-', '_')}"


def versions_dir(ms: ModelSet) -> Path:
    return ms.versions_dir or migrations_root() / "versions" / ms.plugin


def ordered_model_sets(rt: Runtime) -> list[ModelSet]:
    """Lineages in dependency order (``requires`` first, core first of all)."""
    sets = {ms.plugin: ms for _, ms in rt.registry.model_sets}
    done: list[ModelSet] = []
    seen: set[str] = set()

    def visit(name: str, stack: tuple[str, ...]) -> None:
        if name in seen:
            return
        if name in stack:
            raise RuntimeError(f"migration lineages depend on each other in a cycle: {(*stack, name)}")
        ms = sets.get(name)
        if ms is None:
            raise RuntimeError(f"lineage '{stack[-1]}' requires '{name}', which no loaded plugin provides")
        for dep in ms.requires:
            visit(dep, (*stack, name))
        seen.add(name)
        done.append(ms)

    for name in sorted(sets, key=lambda n: (n != "core", n)):
        visit(name, ())
    return done


def lineage_attributes(rt: Runtime, lineage: str, connection: Connection) -> dict[str, Any]:
    ms = next((m for _, m in rt.registry.model_sets if m.plugin == lineage), None)
    if ms is None:
        raise RuntimeError(f"no loaded plugin declares the migration lineage '{lineage}'")
    return {
        "connection": connection,
        "version_table": version_table(lineage),
        "tables": {m.__tablename__ for m in ms.models},
    }


def alembic_config(rt: Runtime, ms: ModelSet, connection: Connection | None = None) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(migrations_root()))
    cfg.set_main_option("version_locations", str(versions_dir(ms)))
    cfg.set_main_option("path_separator", "os")
    if connection is not None:
        cfg.attributes.update(lineage_attributes(rt, ms.plugin, connection))
    return cfg


# ------------------------------------------------------------------------------------ planning

_scripts_lock = threading.Lock()
_scripts: dict[Path, tuple[tuple[tuple[str, int], ...], ScriptDirectory]] = {}


def script_directory(rt: Runtime, ms: ModelSet) -> ScriptDirectory:
    """The lineage's revisions, parsed once per process while its folder's files stay the same."""
    vdir = versions_dir(ms)
    if not vdir.is_dir():
        raise RuntimeError(f"migrations folder of lineage '{ms.plugin}' not found: {vdir}")
    signature = tuple(sorted((p.name, p.stat().st_mtime_ns) for p in vdir.glob("*.py")))
    with _scripts_lock:
        cached = _scripts.get(vdir)
        if cached is not None and cached[0] == signature:
            return cached[1]
    scripts = ScriptDirectory.from_config(alembic_config(rt, ms))
    with _scripts_lock:
        _scripts[vdir] = (signature, scripts)
    return scripts


def breaking_text(script: Script) -> str | None:
    """What a revision marked ``breaking`` does to the data (``None`` when it is not breaking)."""
    value = getattr(script.module, "breaking", None)
    if not value:
        return None
    if isinstance(value, str):
        return value.strip()
    return (script.doc or f"revision {script.revision}").strip()


def _parents(script: Script) -> tuple[str, ...]:
    def as_tuple(value: str | Sequence[str] | None) -> tuple[str, ...]:
        if value is None:
            return ()
        return (value,) if isinstance(value, str) else tuple(value)

    return as_tuple(script.down_revision) + as_tuple(script.dependencies)


@dataclass
class LineagePlan:
    """One lineage's part of a migration run."""

    model_set: ModelSet
    current: tuple[str, ...]
    """Revisions the database is at (empty: a new lineage)."""
    pending: list[PendingMigration] = field(default_factory=list)
    """Not yet applied, in order of application."""
    allowed: list[PendingMigration] = field(default_factory=list)
    """What this run applies."""
    targets: list[str] = field(default_factory=list)
    """Upgrade targets (``head`` when nothing is held back)."""
    waiting: list[PendingMigration] = field(default_factory=list)
    """Breaking revisions held back for consent."""
    held: list[PendingMigration] = field(default_factory=list)
    """Everything held back (the breaking revisions and what comes after or depends on them)."""

    @property
    def lineage(self) -> str:
        return self.model_set.plugin

    @property
    def is_new(self) -> bool:
        return not self.current


def _pending(scripts: ScriptDirectory, current: tuple[str, ...]) -> list[Script]:
    """The lineage's revisions not applied yet, parents before children."""
    every = {s.revision: s for s in scripts.walk_revisions()}
    applied: set[str] = set()
    stack = [rev for rev in current if rev in every]
    while stack:
        rev = stack.pop()
        if rev in applied:
            continue
        applied.add(rev)
        stack.extend(p for p in _parents(every[rev]) if p in every)
    return [s for s in reversed(list(scripts.walk_revisions())) if s.revision not in applied]


def plan_lineage(
    rt: Runtime, ms: ModelSet, current: tuple[str, ...], accept_breaking: bool, held_lineages: set[str]
) -> LineagePlan:
    scripts = script_directory(rt, ms)
    plan = LineagePlan(ms, current)
    blocked: set[str] = set()
    upstream_held = any(dep in held_lineages for dep in ms.requires)
    for script in _pending(scripts, current):
        record = PendingMigration(ms.plugin, script.revision, (script.doc or "").strip(), breaking_text(script))
        plan.pending.append(record)
        gated = record.breaking is not None and not accept_breaking and not plan.is_new
        if gated or upstream_held or any(p in blocked for p in _parents(script)):
            blocked.add(script.revision)
            plan.held.append(record)
            if gated:
                plan.waiting.append(record)
        else:
            plan.allowed.append(record)
    if plan.allowed:
        if not plan.held:
            plan.targets = ["head"]
        else:
            allowed = {m.revision for m in plan.allowed}
            parents = {p for m in plan.allowed for p in _parents(scripts.get_revision(m.revision))}
            plan.targets = [m.revision for m in plan.allowed if m.revision not in parents & allowed]
    return plan


def current_heads(conn: Connection, lineages: Sequence[str]) -> dict[str, tuple[str, ...]]:
    """Each lineage's applied revisions (empty for a lineage never migrated), in two queries."""
    tables = {version_table(name): name for name in lineages}
    present = set(
        conn.execute(
            text("SELECT tablename FROM pg_tables WHERE schemaname = current_schema() AND tablename = ANY(:names)"),
            {"names": list(tables)},
        ).scalars()
    )
    heads: dict[str, list[str]] = {name: [] for name in lineages}
    if present:
        union = " UNION ALL ".join(f"SELECT '{t}' AS t, version_num FROM \"{t}\"" for t in sorted(present))
        for table, revision in conn.execute(text(union)):
            heads[tables[table]].append(revision)
    return {name: tuple(sorted(revs)) for name, revs in heads.items()}


def plan_all(rt: Runtime, conn: Connection, accept_breaking: bool = False) -> list[LineagePlan]:
    """Every lineage's plan, in dependency order (nothing is applied)."""
    model_sets = ordered_model_sets(rt)
    heads = current_heads(conn, [ms.plugin for ms in model_sets])
    plans: list[LineagePlan] = []
    held: set[str] = set()
    for ms in model_sets:
        plan = plan_lineage(rt, ms, heads[ms.plugin], accept_breaking, held)
        if plan.held:
            held.add(ms.plugin)
        plans.append(plan)
    return plans


def pending_breaking(rt: Runtime) -> list[PendingMigration]:
    """The breaking migrations waiting for the operator's consent (read only, no lock)."""
    with rt.engine.connect() as conn:
        plans = plan_all(rt, conn)
        conn.rollback()
    return [m for p in plans for m in p.waiting]


# ------------------------------------------------------------------------------------- running


@dataclass
class MigrationResult:
    """What a migration run did."""

    lineages: list[str]
    """Every lineage, in the order handled."""
    applied: list[PendingMigration]
    waiting: list[PendingMigration]
    """Breaking migrations left for consent."""
    held: list[PendingMigration]
    """Everything left unapplied (``waiting`` and what depends on them)."""
    before_migrate: list[tuple[str, str]]
    """``(plugin, answer)`` of the ``obscura_before_migrate`` plugins (e.g. the backup written)."""


def before_migrate(rt: Runtime, plan: MigrationPlan) -> list[tuple[str, str]]:
    """Run every ``obscura_before_migrate`` plugin; any failure aborts the migration."""
    answers: list[tuple[str, str]] = []
    for impl in rt.hooks.impls("obscura_before_migrate"):
        try:
            called, answer = rt.hooks.call(impl, "obscura_before_migrate", returns=str, plan=plan)
        except ObscuraError as exc:  # meant for the operator: say it
            raise MigrationAborted(f"{exc.message} Nothing was migrated.") from exc
        if not called:
            raise MigrationAborted(
                f"The plugin '{impl.plugin_name}' failed before the migration (see the log); nothing was migrated."
            )
        if answer:
            answers.append((impl.plugin_name, answer))
    return answers


def migrate(rt: Runtime, *, accept_breaking: bool = False, reason: str = "migrate") -> MigrationResult:
    """Upgrade every lineage as far as it may go (see the module docstring).

    :param accept_breaking: apply breaking migrations too, recording the consent.
    :param reason: passed to ``obscura_before_migrate`` and recorded with a consent
        (``migrate`` or ``breaking-gate``).
    :raises MigrationAborted: an ``obscura_before_migrate`` plugin failed; nothing was applied.
    """
    result = MigrationResult([], [], [], [], [])
    with rt.engine.connect() as conn:
        conn.execute(text("SELECT pg_advisory_lock(:k)"), {"k": MIGRATE_LOCK_KEY})
        conn.commit()
        try:
            plans = plan_all(rt, conn, accept_breaking)
            conn.commit()
            announced = tuple(m for p in plans if not p.is_new for m in p.allowed)
            if announced:
                result.before_migrate = before_migrate(
                    rt,
                    MigrationPlan(announced, reason, libpq_url(rt.settings.sqlalchemy_url), rt.settings.data_dir),
                )
            consented: list[PendingMigration] = []
            for plan in plans:
                for target in plan.targets:
                    command.upgrade(alembic_config(rt, plan.model_set, conn), target)
                    conn.commit()
                if plan.allowed:
                    log.info("migrated lineage %s (%d revision(s))", plan.lineage, len(plan.allowed))
                result.lineages.append(plan.lineage)
                result.applied.extend(plan.allowed)
                if accept_breaking and not plan.is_new:
                    consented.extend(m for m in plan.allowed if m.breaking)
                result.waiting.extend(plan.waiting)
                result.held.extend(plan.held)
            if consented:
                record_consents(conn, consented, reason, result.before_migrate)
                conn.commit()
        finally:
            conn.rollback()
            conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": MIGRATE_LOCK_KEY})
            conn.commit()
    if result.waiting:
        log.warning(
            "%d breaking migration(s) wait for consent (%s); %d revision(s) held back",
            len(result.waiting),
            ", ".join(f"{m.lineage}:{m.revision}" for m in result.waiting),
            len(result.held),
        )
    forget_gate_state(rt)
    return result


def record_consents(
    conn: Connection, migrations: Iterable[PendingMigration], via: str, answers: Sequence[tuple[str, str]]
) -> None:
    from obscura_core.db.consents import BreakingConsent

    backup = "; ".join(answer for _, answer in answers) or None
    for m in migrations:
        conn.execute(
            insert(BreakingConsent).values(
                lineage=m.lineage,
                revision=m.revision,
                description=m.breaking or "",
                accepted_via=via,
                backup_file=backup,
            )
        )


def upgrade_all(rt: Runtime) -> list[str]:
    """Upgrade every lineage to head, stopping before breaking migrations that wait for consent;
    returns the lineage names in the order handled."""
    return migrate(rt).lineages


# ----------------------------------------------------------------------------- the gate's state

GATE_RECHECK_WAITING_S = 3.0
"""While breaking migrations wait, how often a process reads again whether they still do."""
GATE_RECHECK_CLEAR_S = 300.0
"""When none wait, how often it looks again (only a restore of an older database brings one back)."""


@dataclass
class _GateState:
    checked_at: float
    waiting: list[PendingMigration]
    unknown: bool = False
    """The database could not be read: look again soon."""


_gate_lock = threading.Lock()
_GATE_ATTR = "_obscura_breaking_gate"


def gate_state(rt: Runtime, max_age: float | None = None) -> list[PendingMigration]:
    """The breaking migrations waiting for consent, as this process last saw them: read again
    after ``max_age`` seconds (by default :data:`GATE_RECHECK_WAITING_S` while some wait, as
    another process may apply them, else :data:`GATE_RECHECK_CLEAR_S`). When the database cannot
    be read, nothing is reported as waiting (the status route reports the database instead)."""
    now = time.monotonic()
    with _gate_lock:
        state: _GateState | None = vars(rt).get(_GATE_ATTR)
        if state is not None:
            soon = state.waiting or state.unknown
            age = max_age if max_age is not None else GATE_RECHECK_WAITING_S if soon else GATE_RECHECK_CLEAR_S
            if now - state.checked_at < age:
                return state.waiting
    unknown = False
    try:
        waiting = pending_breaking(rt)
    except Exception:
        log.debug("could not read the migration state", exc_info=True)
        waiting, unknown = [], True
    with _gate_lock:
        setattr(rt, _GATE_ATTR, _GateState(now, waiting, unknown))
    return waiting


def forget_gate_state(rt: Runtime) -> None:
    """Make the next :func:`gate_state` read the database again (after a migration)."""
    with _gate_lock:
        vars(rt).pop(_GATE_ATTR, None)


# ---------------------------------------------------------------------------------- authoring


def revision(rt: Runtime, lineage: str, message: str, autogenerate: bool = True) -> None:
    """Write a new revision for ``lineage`` (autogenerated against the current database)."""
    ms = next(m for _, m in rt.registry.model_sets if m.plugin == lineage)
    vdir = versions_dir(ms)
    vdir.mkdir(parents=True, exist_ok=True)
    number = len(list(vdir.glob("*.py"))) + 1
    with rt.engine.connect() as conn:
        cfg = alembic_config(rt, ms, conn)
        cfg.attributes["autogenerate"] = autogenerate
        command.revision(
            cfg,
            message=message,
            autogenerate=autogenerate,
            rev_id=f"{lineage.replace('-', '_')}_{number:04d}",
        )


def check(rt: Runtime, lineage: str) -> None:
    """Raise if the models of ``lineage`` differ from its migrations (the drift gate)."""
    ms = next(m for _, m in rt.registry.model_sets if m.plugin == lineage)
    with rt.engine.connect() as conn:
        command.check(alembic_config(rt, ms, conn))
