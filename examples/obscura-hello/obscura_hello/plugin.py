"""The plugin module the ``obscura`` entry point names: hook implementations only."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from flask import Blueprint
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from obscura_hello import processors, routes
from obscura_hello.models import HelloGreeting
from plugin_sdk import (
    JobRun,
    ModelSet,
    NavItem,
    Processor,
    QueueDefinition,
    RootOption,
    SettingsGroup,
    hookimpl,
)
from plugin_sdk.collections import collection_sources
from plugin_sdk.jobs import enqueue_job
from plugin_sdk.library import root_option
from plugin_sdk.models import LibraryRoot

HERE = Path(__file__).parent

greeted: list[str] = []
"""Names greeted in this process (what ``obscura_job_finished`` saw), for the tests."""


class HelloSettings(BaseModel):
    """What a greeting looks like (Settings → Greetings)."""

    greeting: str = Field("Hello", min_length=1, max_length=40, title="Greeting word",
                          description="The word every greeting starts with.")  # fmt: skip


SETTINGS = SettingsGroup("hello", "Greetings", HelloSettings, "How the hello plugin greets.", order=90)
WELCOME = "hello_welcome"


@hookimpl
def obscura_models() -> list[ModelSet]:
    return [ModelSet(plugin="hello", models=[HelloGreeting], versions_dir=HERE / "migrations" / "versions")]


@hookimpl
def obscura_queues() -> list[QueueDefinition]:
    return [QueueDefinition("hello-greet", "Write a greeting", concurrency=1, max_attempts=3)]


@hookimpl
def obscura_processors() -> dict[str, Processor]:
    return {"hello-greet": processors.greet}


@hookimpl
def obscura_blueprints() -> list[Blueprint]:
    return [routes.make_blueprint()]


@hookimpl
def obscura_nav_items() -> list[NavItem]:
    return [NavItem("Greetings", "/hello", icon="star", order=90)]


@hookimpl
def obscura_settings_groups() -> list[SettingsGroup]:
    return [SETTINGS]


@hookimpl
def obscura_root_options() -> list[RootOption]:
    return [RootOption(WELCOME, "Welcome", "Greet this folder each time it is scanned.", default=False, order=90)]


def greet(db: Session, name: str, target: str) -> str:
    """Queue a greeting of ``name`` (one waiting greeting per target)."""
    return enqueue_job(db, "hello-greet", {"name": name}, target_type="hello-name", target_id=target,
                       target_label=f"Greet {name}")  # fmt: skip


@hookimpl
def obscura_scan_roots(db: Session, roots: Sequence[LibraryRoot], trigger: str) -> int:
    """A scan greets every folder whose "Welcome" switch is on."""
    welcomed = [r for r in roots if root_option(r, WELCOME)]
    for root in welcomed:
        greet(db, root.label, f"root-{root.id}")
    return len(welcomed)


@hookimpl
def obscura_entity_changed(db: Session, entity_type: str, entity_ids: Sequence[str], fields: Sequence[str]) -> None:
    """Rating a video greets it by its title (read through the videos plugin's collection source,
    so this works without importing it, and does nothing when it is not loaded)."""
    source = collection_sources().get("video")
    if entity_type != "video" or "rating" not in fields or source is None:
        return
    for video_id, view in source.views(db, list(entity_ids)).items():
        greet(db, view.title, f"video-{video_id}")


@hookimpl
def obscura_job_finished(run: JobRun, result: Any) -> None:
    if run.queue == "hello-greet" and result:
        greeted.append(result["message"])
