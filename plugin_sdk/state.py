"""State every process of the app shares: the runtime's Redis.

For what a plugin must hold across the web and worker processes (a rate limit, a lock, a
counter), not for its data (that belongs in its tables)::

    from plugin_sdk.state import redis_client

    waited = redis_client().incr("hello:greetings-today")
"""

from __future__ import annotations

from typing import Any


def redis_client() -> Any:
    """The runtime's Redis client (``REDIS_URL`` or the embedded Redis), shared by the process.

    :raises RuntimeError: no runtime is installed, or it has no Redis configured.
    """
    from obscura_core.runtime import get_runtime

    return get_runtime().redis
