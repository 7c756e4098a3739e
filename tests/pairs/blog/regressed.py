"""The blog port with three seeded regressions (blog/expected.json), each visible only once the
steps before it happened: B1 a delete refused while the article has comments, B2 the slug
regenerated when the title changes (the article's old address answers 404), B3 `author.username`
renamed in the nested envelope of the comment listing. Everything else is modern.py."""

from __future__ import annotations

from tests.pairs.blog.modern import build

app, reset = build(frozenset({"B1", "B2", "B3"}))
