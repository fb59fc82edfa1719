"""``obscura plugin new NAME``: write a plugin package to start from (hooks, a route, a queue, tests)."""

from __future__ import annotations

import re
from pathlib import Path

import click

NAME_RE = re.compile(r"^[a-z][a-z0-9_-]*$")

PYPROJECT = """\
[build-system]
requires = ["hatchling>=1.25"]
build-backend = "hatchling.build"

[project]
name = "obscura-{name}"
version = "0.1.0"
description = "An Obscura plugin."
requires-python = ">=3.11"
dependencies = ["obscura"]

[project.entry-points.obscura]
{name} = "{package}.plugin"

[tool.hatch.build.targets.wheel]
packages = ["{package}"]

[tool.pytest.ini_options]
addopts = "-ra"
pythonpath = ["."]
"""

README = """\
# obscura-{name}

An Obscura plugin. Install it next to Obscura and restart the web server and the workers:

```sh
pip install -e .
pytest            # the tests run against a real PostgreSQL and Redis (see the plugin tutorial)
```

Start from `{package}/plugin.py`; the plugin tutorial and the hook and SDK references are in
Obscura's `docs/plugins/`.
"""

PLUGIN = '''\
"""The {name} plugin: hook implementations (the entry point `{name}` names this module)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Blueprint
from pydantic import Field

from plugin_sdk import JobContext, NavItem, Processor, QueueDefinition, hookimpl
from plugin_sdk.blueprint import plugin_blueprint
from plugin_sdk.db import get_db
from plugin_sdk.http import ApiModel, api_route, ok
from plugin_sdk.jobs import enqueue_job

QUEUE = "{name}-echo"


class EchoIn(ApiModel):
    text: str = Field(min_length=1, max_length=200)


def echo(payload: Mapping[str, Any], ctx: JobContext) -> dict[str, Any]:
    """The queue's processor: runs in a worker; its result is stored with the job run."""
    ctx.progress(50, "echoing")
    return {{"echo": payload["text"]}}


def make_blueprint() -> Blueprint:
    # pages go in templates/{name}/, their JS and CSS in static/{name}/ (served under /static/{name}/)
    bp = plugin_blueprint("{name}", __file__, blueprint_name="{package}")

    @api_route(bp, "/api/plugins/{name}/echo", methods=["POST"], body=EchoIn, status=202)
    def request_echo(body: EchoIn):
        """Ask a worker to echo some text; answers with the job run's id."""
        db = get_db()
        run_id = enqueue_job(db, QUEUE, {{"text": body.text}}, target_type="{name}-text", target_id=body.text)
        db.commit()
        return ok({{"jobRunId": run_id}}, status=202)

    return bp


@hookimpl
def obscura_blueprints() -> list[Blueprint]:
    return [make_blueprint()]


@hookimpl
def obscura_queues() -> list[QueueDefinition]:
    return [QueueDefinition(QUEUE, "Echo some text", concurrency=1, max_attempts=3)]


@hookimpl
def obscura_processors() -> dict[str, Processor]:
    return {{QUEUE: echo}}


@hookimpl
def obscura_nav_items() -> list[NavItem]:
    return [NavItem("{title}", "/api/plugins/{name}/echo", icon="puzzle", order=100)]
'''

TEST = '''\
"""The {name} plugin through the real app, a real worker, PostgreSQL and Redis (plugin_sdk.testing)."""

from __future__ import annotations

import pytest

from {package} import plugin


@pytest.fixture
def obscura_plugins():
    # this plugin as a module (no need to pip install it first); Obscura's built-ins stay off
    return {{"plugins": [("{name}", plugin)], "builtins": (), "load_entrypoints": False}}


def test_an_echo_runs_in_a_worker(client, run_jobs):
    resp = client.post("/api/plugins/{name}/echo", json={{"text": "hi"}})
    assert resp.status_code == 202
    run_id = resp.get_json()["data"]["jobRunId"]
    run_jobs()
    run = client.get(f"/api/jobs/{{run_id}}").get_json()["data"]
    assert run["status"] == "completed" and run["result"] == {{"echo": "hi"}}


def test_bad_input_is_a_400_with_a_message(client):
    resp = client.post("/api/plugins/{name}/echo", json={{"text": ""}})
    assert resp.status_code == 400 and "text" in resp.get_json()["error"]["message"]
'''


def write_plugin(name: str, target: Path) -> list[Path]:
    """Write the package ``obscura-<name>`` into ``target``; returns the files written."""
    if not NAME_RE.match(name):
        raise click.BadParameter(f"'{name}' is not a plugin name: lowercase letters, digits, '-' and '_'")
    if target.exists() and any(target.iterdir()):
        raise click.ClickException(f"{target} exists and is not empty")
    package = name.replace("-", "_")
    values = {"name": name, "package": package, "title": name.replace("-", " ").replace("_", " ").title()}
    files = {
        target / "pyproject.toml": PYPROJECT,
        target / "README.md": README,
        target / package / "__init__.py": f'"""obscura-{name}: an Obscura plugin."""\n',
        target / package / "plugin.py": PLUGIN,
        target / "tests" / f"test_{package}.py": TEST,
    }
    for path, template in files.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(template.format(**values), encoding="utf-8")
    return list(files)


@click.group()
def plugin() -> None:
    """Write plugins."""


@plugin.command("new")
@click.argument("name")
@click.option("--dir", "directory", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Where to write it (default: ./obscura-NAME).")  # fmt: skip
def new(name: str, directory: Path | None) -> None:
    """Write a new plugin package NAME: a route, a queue and its processor, a nav entry, tests."""
    target = directory or Path(f"obscura-{name}")
    for path in write_plugin(name, target):
        click.echo(f"wrote {path}")
    click.echo(f"next: cd {target} && pip install -e . && pytest")
