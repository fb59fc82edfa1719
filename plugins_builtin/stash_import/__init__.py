"""Stash import: bring a Stash library over by reading Stash's own SQLite database.

Groundwork only for now: :mod:`plugins_builtin.stash_import.reader` opens a
``stash-go.sqlite`` read-only (via a private copy when it is in WAL mode) and yields its
rows in one shape whatever the schema version (60–75). The importer, its CLI, route, job
and settings section come next; this package registers no hooks yet.
"""
