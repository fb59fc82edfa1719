"""The ``hello-greet`` queue's processor: writes a greeting row."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from obscura_hello.models import HelloGreeting
from plugin_sdk import JobContext, PermanentJobError
from plugin_sdk.settings import read_settings


def greet(payload: Mapping[str, Any], ctx: JobContext) -> dict[str, Any]:
    name = str(payload.get("name", "")).strip()
    if not name:
        raise PermanentJobError("a greeting needs a name")
    ctx.progress(50, f"greeting {name}")
    from obscura_hello.plugin import SETTINGS

    word = read_settings(ctx.db, SETTINGS).greeting
    greeting = HelloGreeting(name=name, message=f"{word}, {name}!", job_run_id=ctx.run.id)
    ctx.db.add(greeting)
    ctx.db.flush()
    return {"greetingId": greeting.id, "message": greeting.message}
