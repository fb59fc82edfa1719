"""Shared fixtures: the SDK's pytest plugin gives runtime/app/client/run_jobs on real services."""

pytest_plugins = ["plugin_sdk.testing"]
