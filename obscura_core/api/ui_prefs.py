"""Essential plugin: ``/api/ui-prefs/<key>`` — opaque JSON UI preferences shared across devices."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from flask import Blueprint
from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert

from plugin_sdk import hookimpl
from plugin_sdk.db import get_db
from plugin_sdk.errors import NotFoundError, ValidationError
from plugin_sdk.http import ApiModel, api_route, ok
from plugin_sdk.models import UiPref

KEY_RE = re.compile(r"^[A-Za-z0-9_.:\-]{1,200}$")
MAX_VALUE_BYTES = 256 * 1024


class UiPrefIn(ApiModel):
    value: Any


class UiPrefOut(ApiModel):
    key: str
    value: Any
    updated_at: datetime


def _check_key(key: str) -> None:
    if not KEY_RE.match(key):
        raise ValidationError("A preference key is 1–200 characters of letters, digits and . _ : -", code="invalid_key")


def make_blueprint() -> Blueprint:
    bp = Blueprint("core_ui_prefs", __name__)

    @api_route(bp, "/api/ui-prefs", response=list[UiPrefOut])
    def list_prefs():
        """Every stored preference."""
        rows = get_db().execute(select(UiPref).order_by(UiPref.key)).scalars()
        return ok([UiPrefOut.model_validate(r) for r in rows])

    @api_route(bp, "/api/ui-prefs/<key>", response=UiPrefOut)
    def get_pref(key: str):
        """One preference (404 when never set)."""
        _check_key(key)
        row = get_db().get(UiPref, key)
        if row is None:
            raise NotFoundError(f"No preference '{key}'.")
        return ok(UiPrefOut.model_validate(row))

    @api_route(bp, "/api/ui-prefs/<key>", methods=["PUT"], body=UiPrefIn, response=UiPrefOut)
    def put_pref(key: str, body: UiPrefIn):
        """Store a preference (any JSON value up to 256 KiB)."""
        _check_key(key)
        import json

        if len(json.dumps(body.value)) > MAX_VALUE_BYTES:
            raise ValidationError("A preference value may be at most 256 KiB of JSON.")
        db = get_db()
        db.execute(
            insert(UiPref)
            .values(key=key, value=body.value)
            .on_conflict_do_update(index_elements=["key"], set_={"value": body.value, "updated_at": func.now()})
        )
        db.commit()
        return ok(UiPrefOut.model_validate(db.get(UiPref, key, populate_existing=True)))

    @api_route(bp, "/api/ui-prefs/<key>", methods=["DELETE"])
    def delete_pref(key: str):
        """Forget a preference."""
        _check_key(key)
        db = get_db()
        row = db.get(UiPref, key)
        if row is None:
            raise NotFoundError(f"No preference '{key}'.")
        db.delete(row)
        db.commit()
        return ok({"key": key, "deleted": True})

    return bp


@hookimpl
def obscura_blueprints() -> list[Blueprint]:
    return [make_blueprint()]
