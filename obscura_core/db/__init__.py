"""Database plumbing: sessions per request and per job, and the core tables' plugin."""
