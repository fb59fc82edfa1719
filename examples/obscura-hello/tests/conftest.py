"""The SDK's testing fixtures (runtime, app, client, run_jobs) on real PostgreSQL and Redis.

In a project of its own, ``pytest_plugins = ["plugin_sdk.testing"]`` in the top-level
``conftest.py`` is all it takes. Here the folder is also collected together with Obscura's own
suite, whose top-level conftest already loads that plugin (pytest allows ``pytest_plugins`` only
at the top), so the fixtures are imported only when this example runs on its own.
"""

import sys

if "plugin_sdk.testing" not in sys.modules:  # run on its own: `pytest examples/obscura-hello/tests`
    from plugin_sdk.testing import *  # noqa: F403
