"""The plugin module the ``obscura`` entry point names: hook implementations only."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Blueprint

from obscura_hello import processors, routes
from obscura_hello.models import HelloGreeting
from plugin_sdk import JobRun, ModelSet, NavItem, Processor, QueueDefinition, hookimpl

HERE = Path(__file__).parent

greeted: list[str] = []
"""Names greeted in this process (what ``obscura_job_finished`` saw), for the tests."""


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
    return [NavItem("Greetings", "/hello", icon="👋", order=90)]


@hookimpl
def obscura_job_finished(run: JobRun, result: Any) -> None:
    if run.queue == "hello-greet" and result:
        greeted.append(result["message"])
