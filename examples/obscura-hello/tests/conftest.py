"""The SDK's testing fixtures (runtime, app, client, run_jobs) on real PostgreSQL and Redis.

In a project of its own, ``pytest_plugins = ["plugin_sdk.testing"]`` does the same; a star import
also works when this folder is collected together with Obscura's own suite.
"""

from plugin_sdk.testing import *  # noqa: F403
