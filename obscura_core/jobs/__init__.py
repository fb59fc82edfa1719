"""The job runtime on RQ: ``job_runs`` in PostgreSQL is the record, RQ moves the work."""
