"""Nothing to set up: installing Obscura gives pytest the fixtures of ``plugin_sdk.testing``
(runtime, app, client, run_jobs on real PostgreSQL and Redis) through its ``pytest11`` entry point."""
