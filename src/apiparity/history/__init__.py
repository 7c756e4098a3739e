"""Run history: per-operation results of every `check`/`fuzz` run in SQLite, readiness over time."""
