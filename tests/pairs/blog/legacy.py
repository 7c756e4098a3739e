"""Legacy blog service: plain Flask, articles named by slug, comments under their article.

Written the way RealWorld-style ("Conduit") Flask services are: every answer wrapped in an envelope
(`{"article": {...}}`, `{"articles": [...], "articlesCount": n}`, `{"comment": {...}}`), request
bodies checked by hand (422 `{"errors": {field: [message]}}`), a slug made once from the title at
creation and kept when the title changes, a delete that removes the article's comments with it,
`createdAt`/`updatedAt` set to now(), `<int:comment_id>`, Werkzeug's own HTML 404/405 pages for
unknown routes and methods, module-level reset().
"""

from __future__ import annotations

import copy
import re
from datetime import datetime, timezone
from typing import Any

from flask import Flask, jsonify, request

_PROFILES = {
    "ada": {"username": "ada", "bio": "Writes about engines", "following": False},
    "bob": {"username": "bob", "bio": None, "following": False},
    "jake": {"username": "jake", "bio": "I work at statefarm", "following": False},
}
_SEED = [
    {"id": 1, "slug": "analytical-engines-1", "title": "Analytical engines", "description": "Notes on the engine",
     "body": "It weaves algebraic patterns.", "tagList": ["engines", "history"], "createdAt": "2024-01-02T09:30:00.000000+00:00",
     "updatedAt": "2024-01-02T09:30:00.000000+00:00", "favorited": False, "favoritesCount": 0, "author": "ada"},
    {"id": 2, "slug": "bread-at-home-2", "title": "Bread at home", "description": "", "body": "Flour, water, salt.",
     "tagList": ["cooking"], "createdAt": "2024-02-03T10:00:00.000000+00:00", "updatedAt": "2024-02-05T08:00:00.000000+00:00",
     "favorited": True, "favoritesCount": 1, "author": "bob"},
]
AUTHOR = "jake"  # who writes what the API creates (no login in this service)

articles: dict[int, dict[str, Any]] = {}
comments: dict[int, dict[str, Any]] = {}
counters = {"article": 0, "comment": 0}


def reset() -> None:
    articles.clear()
    articles.update({a["id"]: copy.deepcopy(a) for a in _SEED})
    comments.clear()
    counters.update(article=len(_SEED), comment=0)


reset()
app = Flask("legacy_blog")


def now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="microseconds")


def slugify(title: str, number: int) -> str:
    words = re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")[:40].strip("-")
    return f"{words or 'article'}-{number}"


def errors(field: str, message: str, status: int = 422) -> tuple[Any, int]:
    return jsonify({"errors": {field: [message]}}), status


def find(slug: str) -> dict[str, Any] | None:
    return next((a for a in articles.values() if a["slug"] == slug), None)


def article_json(article: dict[str, Any]) -> dict[str, Any]:
    out = {k: v for k, v in article.items() if k not in ("id", "author")}
    out["commentsCount"] = sum(1 for c in comments.values() if c["article_id"] == article["id"])
    out["author"] = dict(_PROFILES[article["author"]])
    return out


def comment_json(comment: dict[str, Any]) -> dict[str, Any]:
    return {"id": comment["id"], "body": comment["body"], "createdAt": comment["createdAt"], "author": dict(_PROFILES[comment["author"]])}


def _text(data: dict[str, Any], field: str, low: int, high: int, required: bool) -> str | None:
    """None when valid; else the error message for `field`."""
    if field not in data:
        return "can't be blank" if required else None
    value = data[field]
    if not isinstance(value, str) or not low <= len(value) <= high:
        return f"must be a string of {low} to {high} characters"
    return None


def _envelope(name: str) -> tuple[dict[str, Any] | None, Any]:
    data = request.get_json(silent=True)
    if not isinstance(data, dict) or not isinstance(data.get(name), dict):
        return None, errors(name, "is missing")
    return data[name], None


def _paging(name: str, default: int, low: int, high: int) -> tuple[int | None, Any]:
    raw = request.args.get(name)
    if raw is None:
        return default, None
    if not raw.isdigit() or not low <= int(raw) <= high:
        return None, errors(name, f"must be an integer from {low} to {high}")
    return int(raw), None


@app.get("/articles")
def list_articles():
    limit, problem = _paging("limit", 20, 1, 50)
    if problem:
        return problem
    offset, problem = _paging("offset", 0, 0, 1000)
    if problem:
        return problem
    found = sorted(articles.values(), key=lambda a: a["id"], reverse=True)
    if request.args.get("tag") is not None:
        found = [a for a in found if request.args["tag"] in a["tagList"]]
    if request.args.get("author") is not None:
        found = [a for a in found if a["author"] == request.args["author"]]
    page = found[offset: offset + limit]
    return jsonify({"articles": [article_json(a) for a in page], "articlesCount": len(found)})


@app.post("/articles")
def create_article():
    data, problem = _envelope("article")
    if data is None:
        return problem
    for field, low, high, required in (("title", 1, 100, True), ("description", 0, 200, False), ("body", 1, 2000, True)):
        message = _text(data, field, low, high, required)
        if message:
            return errors(field, message)
    tags = data.get("tagList", [])
    if not isinstance(tags, list) or len(tags) > 5 or not all(isinstance(t, str) and re.fullmatch(r"[a-z]{1,20}", t) for t in tags):
        return errors("tagList", "must be up to 5 lower-case words")
    counters["article"] += 1
    number = counters["article"]
    stamp = now()
    article = {"id": number, "slug": slugify(data["title"], number), "title": data["title"], "description": data.get("description", ""),
               "body": data["body"], "tagList": list(dict.fromkeys(tags)), "createdAt": stamp, "updatedAt": stamp,
               "favorited": False, "favoritesCount": 0, "author": AUTHOR}
    articles[number] = article
    return jsonify({"article": article_json(article)}), 201


@app.get("/articles/<slug>")
def get_article(slug: str):
    article = find(slug)
    if article is None:
        return errors("article", "not found", 404)
    return jsonify({"article": article_json(article)})


@app.put("/articles/<slug>")
def update_article(slug: str):
    article = find(slug)
    if article is None:
        return errors("article", "not found", 404)
    data, problem = _envelope("article")
    if data is None:
        return problem
    for field, low, high in (("title", 1, 100), ("description", 0, 200), ("body", 1, 2000)):
        message = _text(data, field, low, high, False)
        if message:
            return errors(field, message)
    for field in ("title", "description", "body"):
        if field in data:
            article[field] = data[field]
    article["updatedAt"] = now()  # the slug stays: links to the article keep working
    return jsonify({"article": article_json(article)})


@app.delete("/articles/<slug>")
def delete_article(slug: str):
    article = find(slug)
    if article is None:
        return errors("article", "not found", 404)
    for number in [n for n, c in comments.items() if c["article_id"] == article["id"]]:
        del comments[number]  # the comments go with their article
    del articles[article["id"]]
    return "", 204


@app.post("/articles/<slug>/favorite")
def favorite(slug: str):
    return _favorite(slug, True)


@app.delete("/articles/<slug>/favorite")
def unfavorite(slug: str):
    return _favorite(slug, False)


def _favorite(slug: str, on: bool):
    article = find(slug)
    if article is None:
        return errors("article", "not found", 404)
    if article["favorited"] != on:
        article["favorited"] = on
        article["favoritesCount"] += 1 if on else -1
    return jsonify({"article": article_json(article)})


@app.get("/articles/<slug>/comments")
def list_comments(slug: str):
    article = find(slug)
    if article is None:
        return errors("article", "not found", 404)
    mine = sorted((c for c in comments.values() if c["article_id"] == article["id"]), key=lambda c: c["id"])
    return jsonify({"comments": [comment_json(c) for c in mine]})


@app.post("/articles/<slug>/comments")
def create_comment(slug: str):
    article = find(slug)
    if article is None:
        return errors("article", "not found", 404)
    data, problem = _envelope("comment")
    if data is None:
        return problem
    message = _text(data, "body", 1, 500, True)
    if message:
        return errors("body", message)
    counters["comment"] += 1
    comment = {"id": counters["comment"], "article_id": article["id"], "body": data["body"], "createdAt": now(), "author": AUTHOR}
    comments[comment["id"]] = comment
    return jsonify({"comment": comment_json(comment)}), 201


def _comment(slug: str, comment_id: int) -> dict[str, Any] | None:
    article = find(slug)
    comment = comments.get(comment_id)
    return comment if article is not None and comment is not None and comment["article_id"] == article["id"] else None


@app.get("/articles/<slug>/comments/<int:comment_id>")
def get_comment(slug: str, comment_id: int):
    comment = _comment(slug, comment_id)
    if comment is None:
        return errors("comment", "not found", 404)
    return jsonify({"comment": comment_json(comment)})


@app.delete("/articles/<slug>/comments/<int:comment_id>")
def delete_comment(slug: str, comment_id: int):
    comment = _comment(slug, comment_id)
    if comment is None:
        return errors("comment", "not found", 404)
    del comments[comment_id]
    return "", 204


@app.get("/profiles/<username>")
def get_profile(username: str):
    profile = _PROFILES.get(username)
    if profile is None:
        return errors("profile", "not found", 404)
    return jsonify({"profile": dict(profile)})


@app.get("/tags")
def list_tags():
    return jsonify({"tags": sorted({t for a in articles.values() for t in a["tagList"]})})
