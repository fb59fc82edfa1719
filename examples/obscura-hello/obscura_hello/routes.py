"""``/api/plugins/hello/greetings`` (JSON, validated) and the ``/hello`` page."""

from __future__ import annotations

from datetime import datetime

from flask import Blueprint, render_template
from pydantic import Field
from sqlalchemy import func, select

from obscura_hello.models import HelloGreeting
from plugin_sdk.blueprint import plugin_blueprint
from plugin_sdk.db import get_db
from plugin_sdk.http import ApiModel, Page, Pagination, api_route, ok, page
from plugin_sdk.jobs import enqueue_job


class GreetingIn(ApiModel):
    name: str = Field(min_length=1, max_length=100)


class GreetingOut(ApiModel):
    id: int
    name: str
    message: str
    created_at: datetime


def _greetings(pagination: Pagination) -> tuple[list[GreetingOut], int]:
    db = get_db()
    total = db.execute(select(func.count()).select_from(HelloGreeting)).scalar_one()
    rows = db.execute(
        select(HelloGreeting).order_by(HelloGreeting.id.desc()).offset(pagination.offset).limit(pagination.per_page)
    ).scalars()
    return [GreetingOut.model_validate(r) for r in rows], total


def make_blueprint() -> Blueprint:
    # templates/ of the package (templates/hello/page.html); the static files sit right in static/
    # (not static/hello/) and are served under /hello/static/, so those two are given
    bp = plugin_blueprint(
        "hello", __file__, blueprint_name="hello", static_folder="static", static_url_path="/hello/static"
    )

    @api_route(bp, "/api/plugins/hello/greetings", query=Pagination, response=Page[GreetingOut])
    def list_greetings(query: Pagination):
        """Greetings written so far, newest first."""
        items, total = _greetings(query)
        return page(items, total, query)

    @api_route(bp, "/api/plugins/hello/greetings", methods=["POST"], body=GreetingIn, status=202)
    def request_greeting(body: GreetingIn):
        """Ask a worker to write a greeting; answers with the job run id."""
        db = get_db()
        run_id = enqueue_job(
            db,
            "hello-greet",
            {"name": body.name},
            target_type="hello-name",
            target_id=body.name.lower(),
            target_label=f"Greet {body.name}",
        )
        db.commit()
        return ok({"jobRunId": run_id}, status=202)

    @bp.get("/hello")
    def hello_page():
        items, total = _greetings(Pagination())
        return render_template("hello/page.html", greetings=items, total=total)

    return bp
