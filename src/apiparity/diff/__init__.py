"""Spec diff: describe the differences of two normalized documents, judge them by rule, count noise.

`engine.diff_documents(old, new, options=...)` is the entry point; `registry` holds every rule.
"""
