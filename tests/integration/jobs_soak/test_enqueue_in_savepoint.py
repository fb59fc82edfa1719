"""Runs enqueued inside a SAVEPOINT (every hook call with ``savepoint=db``: a library scan asks the
media plugins so) reach RQ when the transaction commits, not at the scheduler's next tick.

SQLAlchemy reports a released SAVEPOINT as a commit too; feeding then, before the rows are
committed, found nothing and cleared the queue's "unpushed" flag."""

from __future__ import annotations

import pytest

from obscura_core.jobs.rq_queue import rq_queue
from plugin_sdk.jobs import enqueue_job
from plugin_sdk.models import JobRunRow

pytestmark = pytest.mark.integration


def test_runs_enqueued_in_a_savepoint_are_pushed_when_the_transaction_commits(runtime) -> None:
    with runtime.session() as db:
        with db.begin_nested():
            run_id = enqueue_job(db, "soak-quick", {"value": 1}, target_type="soak", target_id="sp")
        with db.begin_nested():
            enqueue_job(db, "soak-slow", {"seconds": 1}, target_type="soak", target_id="sp")
        db.commit()
    assert rq_queue(runtime.redis, "soak-quick").count == 1
    assert rq_queue(runtime.redis, "soak-slow").count == 1
    with runtime.session() as db:
        assert db.get(JobRunRow, run_id).rq_job_id is not None


def test_a_rolled_back_savepoint_pushes_nothing_of_its_own(runtime) -> None:
    with runtime.session() as db:
        nested = db.begin_nested()
        enqueue_job(db, "soak-quick", {"value": 1}, target_type="soak", target_id="gone")
        nested.rollback()
        kept = enqueue_job(db, "soak-slow", {"seconds": 1}, target_type="soak", target_id="kept")
        db.commit()
    assert rq_queue(runtime.redis, "soak-quick").count == 0
    assert rq_queue(runtime.redis, "soak-slow").job_ids == [_rq_id(runtime, kept)]


def _rq_id(runtime, run_id: str) -> str:
    with runtime.session() as db:
        return db.get(JobRunRow, run_id).rq_job_id
