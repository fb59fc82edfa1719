"""A plugin's queues declared where their work is found: each ``QueueDefinition`` written above the
function that enqueues the queue's missing work (the Operations page's "Run" button)::

    from plugin_sdk.queues import QueueTable

    QUEUES = QueueTable()


    @QUEUES.add("clips-probe", "Read clips", "Duration and size of each clip.", concurrency=2)
    def missing_probes(db):
        return enqueue_where(db, "clips-probe", Clip, Clip.probed_at.is_(None), target_type="clip", ...)


    obscura_queues = hookimpls.returning(QUEUES)
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from plugin_sdk.types import QueueDefinition

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

__all__ = ["QueueTable"]

EnqueueMissing = Callable[["Session"], int]


class QueueTable(list[QueueDefinition]):
    """A plugin's ``QueueDefinition`` records, in the order they are added (the order the
    Operations page lists them): the answer of its ``obscura_queues``."""

    def add(
        self, name: str, label: str, description: str, **options: Any
    ) -> Callable[[EnqueueMissing], EnqueueMissing]:
        """A decorator adding the queue ``name`` with the function it decorates as its
        ``enqueue_missing``; ``options`` are the other fields (``concurrency``, ``max_attempts``…).
        The function is returned unchanged."""

        def declare(enqueue_missing: EnqueueMissing) -> EnqueueMissing:
            self.append(
                QueueDefinition(name, label, enqueue_missing=enqueue_missing, description=description, **options)
            )
            return enqueue_missing

        return declare
