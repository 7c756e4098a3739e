"""Differential fuzzing: the same schemathesis-generated requests sent to OLD (twice) and NEW, the
answers compared, noise cancelled, differences grouped and explained.

Entry point: `apiparity.fuzz.runner.run_fuzz(old, new, settings)`; options in `settings.FuzzSettings`.
"""
