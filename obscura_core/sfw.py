"""SFW mode in the ORM: every SELECT of a request session in SFW mode leaves hidden rows out.

``with_loader_criteria`` adds each NSFW-capable model's condition wherever the model appears in a
statement (lists, counts, ``Session.get``, joins, subqueries), and job runs whose target is a
hidden row are left out the same way. Only SELECTs are filtered: an UPDATE or DELETE never
silently skips rows. See :mod:`plugin_sdk.sfw` for the rules.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, and_, event, false
from sqlalchemy.orm import ORMExecuteState, Session, with_loader_criteria

from plugin_sdk.sfw import ENTITY_ATTR

_CORE_MODULE = "plugin_sdk.models"


def nsfw_models() -> list[type[Any]]:
    """Content models with an ``is_nsfw`` column among the tables the running plugins registered
    (core configuration tables such as library roots excluded; a model class merely imported in
    the process, from a plugin that is not loaded, has no table and is left alone)."""
    from obscura_core.runtime import get_runtime

    registry = get_runtime().registry

    def build() -> list[type[Any]]:
        found = {
            model
            for _, model_set in registry.model_sets
            for model in model_set.models
            if "is_nsfw" in model.__table__.columns and model.__module__ != _CORE_MODULE
        }
        return sorted(found, key=lambda c: c.__name__)

    return registry.derived("nsfw models", build)


def _extra_clauses(db: Session, model: type[Any]) -> list[ColumnElement[bool]]:
    entity_type = getattr(model, ENTITY_ATTR, None)
    if not entity_type:
        return []
    from obscura_core.runtime import get_runtime

    # a rule that fails hides every row of the kind (fail closed) rather than showing NSFW ones
    answers = get_runtime().hooks.answers(
        "obscura_sfw_clause", returns=ColumnElement, savepoint=db, on_fault=false(),
        db=db, entity_type=entity_type, id_column=model.id,
    )  # fmt: skip
    return [clause for _, clause in answers]


def criteria_for(db: Session, model: type[Any]) -> ColumnElement[bool]:
    """The condition a visible row of ``model`` meets, built once per session."""
    cache: dict[type[Any], ColumnElement[bool]] = db.info.setdefault("sfw_criteria", {})
    found = cache.get(model)
    if found is None:
        db.info["sfw_building"] = True  # the hooks' own queries must see NSFW rows to exclude them
        try:
            found = and_(model.is_nsfw.is_not(True), *_extra_clauses(db, model))
        finally:
            db.info.pop("sfw_building", None)
        cache[model] = found
    return found


def _job_runs_criteria(db: Session) -> ColumnElement[bool]:
    """Job runs whose target is a hidden row are hidden too (their labels name it)."""
    from plugin_sdk.models import JobRunRow
    from plugin_sdk.sfw import visible_links

    found = db.info.get("sfw_jobs")
    if found is None:
        found = visible_links(db, JobRunRow.target_type, JobRunRow.target_id)
        db.info["sfw_jobs"] = found
    return found


@event.listens_for(Session, "do_orm_execute")
def _hide_nsfw(state: ORMExecuteState) -> None:
    info = state.session.info
    if not state.is_select or not info.get("sfw") or info.get("sfw_building"):
        return
    from plugin_sdk.models import JobRunRow

    session = state.session
    state.statement = state.statement.options(
        *(with_loader_criteria(model, criteria_for(session, model)) for model in nsfw_models()),
        with_loader_criteria(JobRunRow, _job_runs_criteria(session)),
    )
