"""The ``metadata-import`` queue (the seed's 15th): accepting results and bulk scrapes."""

from __future__ import annotations

from plugin_sdk import QueueDefinition

QUEUE = "metadata-import"
ACCEPT_TARGET = "scrape_result"

QUEUES = (
    QueueDefinition(
        QUEUE,
        "Metadata import",
        concurrency=2,
        timeout_s=15 * 60,
        max_attempts=3,
        description="Applies accepted scrape results and runs bulk scrapes from metadata sources.",
    ),
)
