"""FastAPI port of the blog service, matching what the Flask app's clients see.

The same envelopes, hand-checked bodies and 422 `{"errors": ...}` answers, the slug kept when the
title changes, comments deleted with their article, microsecond `isoformat()` timestamps, a 204
with no body; `redirect_slashes=False` and `FlaskDefaults` (tests/pairs/flask_parity.py) for
Flask's own HEAD/OPTIONS, first-value query parameters and Werkzeug's HTML 404/405 pages.

`build(regressions)` makes the port; regressed.py builds it with the seeded regressions of
blog/expected.json switched on (each is named where it acts).
"""

from __future__ import annotations

import copy
import re
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import yaml
from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from tests.pairs.flask_parity import WERKZEUG_404, WERKZEUG_405, FlaskDefaults

CONTRACT = yaml.safe_load((Path(__file__).resolve().parent / "contract.yaml").read_text())
PROFILES = {
    "ada": {"username": "ada", "bio": "Writes about engines", "following": False},
    "bob": {"username": "bob", "bio": None, "following": False},
    "jake": {"username": "jake", "bio": "I work at statefarm", "following": False},
}
SEED = [
    {"id": 1, "slug": "analytical-engines-1", "title": "Analytical engines", "description": "Notes on the engine",
     "body": "It weaves algebraic patterns.", "tagList": ["engines", "history"], "createdAt": "2024-01-02T09:30:00.000000+00:00",
     "updatedAt": "2024-01-02T09:30:00.000000+00:00", "favorited": False, "favoritesCount": 0, "author": "ada"},
    {"id": 2, "slug": "bread-at-home-2", "title": "Bread at home", "description": "", "body": "Flour, water, salt.",
     "tagList": ["cooking"], "createdAt": "2024-02-03T10:00:00.000000+00:00", "updatedAt": "2024-02-05T08:00:00.000000+00:00",
     "favorited": True, "favoritesCount": 1, "author": "bob"},
]
AUTHOR = "jake"
TAG = re.compile(r"[a-z]{1,20}")


def now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="microseconds")


def slugify(title: str, number: int) -> str:
    words = re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")[:40].strip("-")
    return f"{words or 'article'}-{number}"


def errors(field: str, message: str, status: int = 422) -> JSONResponse:
    return JSONResponse({"errors": {field: [message]}}, status_code=status)


def _text(data: dict[str, Any], field: str, low: int, high: int, required: bool) -> str | None:
    if field not in data:
        return "can't be blank" if required else None
    value = data[field]
    if not isinstance(value, str) or not low <= len(value) <= high:
        return f"must be a string of {low} to {high} characters"
    return None


async def _envelope(request: Request, name: str) -> dict[str, Any] | JSONResponse:
    """Flask's get_json(silent=True): only a JSON content type is read, a broken body is None."""
    data = None
    if request.headers.get("content-type", "").split(";")[0].strip().lower() == "application/json":
        try:
            data = await request.json()
        except ValueError:
            data = None
    if not isinstance(data, dict) or not isinstance(data.get(name), dict):
        return errors(name, "is missing")
    return data[name]


def _paging(request: Request, name: str, default: int, low: int, high: int) -> int | JSONResponse:
    raw = request.query_params.get(name)
    if raw is None:
        return default
    if not raw.isdigit() or not low <= int(raw) <= high:  # str.isdigit, as the legacy checks it
        return errors(name, f"must be an integer from {low} to {high}")
    return int(raw)


def build(regressions: frozenset[str] = frozenset()) -> tuple[FastAPI, Any]:
    """The port and its reset(); `regressions`: seeded ids of blog/expected.json (B1, B2, B3)."""
    articles: dict[int, dict[str, Any]] = {}
    comments: dict[int, dict[str, Any]] = {}
    counters = {"article": 0, "comment": 0}

    def reset() -> None:
        articles.clear()
        articles.update({a["id"]: copy.deepcopy(a) for a in SEED})
        comments.clear()
        counters.update(article=len(SEED), comment=0)

    reset()
    app = FastAPI(title="Blog service", version="2.1", redirect_slashes=False)

    def find(slug: str) -> dict[str, Any] | None:
        return next((a for a in articles.values() if a["slug"] == slug), None)

    def article_json(article: dict[str, Any]) -> dict[str, Any]:
        out = {k: v for k, v in article.items() if k not in ("id", "author")}
        out["commentsCount"] = sum(1 for c in comments.values() if c["article_id"] == article["id"])
        out["author"] = dict(PROFILES[article["author"]])
        return out

    def comment_json(comment: dict[str, Any], *, listing: bool = False) -> dict[str, Any]:
        author = dict(PROFILES[comment["author"]])
        if listing and "B3" in regressions:
            author["name"] = author.pop("username")  # B3: the listing's serializer renamed the nested field
        return {"id": comment["id"], "body": comment["body"], "createdAt": comment["createdAt"], "author": author}

    def comment_of(slug: str, comment_id: str) -> dict[str, Any] | None:
        article = find(slug)
        comment = comments.get(int(comment_id)) if comment_id.isdigit() else None
        return comment if article is not None and comment is not None and comment["article_id"] == article["id"] else None

    @app.get("/articles")
    async def list_articles(request: Request) -> Response:
        limit = _paging(request, "limit", 20, 1, 50)
        if isinstance(limit, JSONResponse):
            return limit
        offset = _paging(request, "offset", 0, 0, 1000)
        if isinstance(offset, JSONResponse):
            return offset
        found = sorted(articles.values(), key=lambda a: a["id"], reverse=True)
        tag, author = request.query_params.get("tag"), request.query_params.get("author")
        if tag is not None:
            found = [a for a in found if tag in a["tagList"]]
        if author is not None:
            found = [a for a in found if a["author"] == author]
        page = found[offset: offset + limit]
        return JSONResponse({"articles": [article_json(a) for a in page], "articlesCount": len(found)})

    @app.post("/articles")
    async def create_article(request: Request) -> Response:
        data = await _envelope(request, "article")
        if isinstance(data, JSONResponse):
            return data
        for field, low, high, required in (("title", 1, 100, True), ("description", 0, 200, False), ("body", 1, 2000, True)):
            message = _text(data, field, low, high, required)
            if message:
                return errors(field, message)
        tags = data.get("tagList", [])
        if not isinstance(tags, list) or len(tags) > 5 or not all(isinstance(t, str) and TAG.fullmatch(t) for t in tags):
            return errors("tagList", "must be up to 5 lower-case words")
        counters["article"] += 1
        number = counters["article"]
        stamp = now()
        article = {"id": number, "slug": slugify(data["title"], number), "title": data["title"],
                   "description": data.get("description", ""), "body": data["body"], "tagList": list(dict.fromkeys(tags)),
                   "createdAt": stamp, "updatedAt": stamp, "favorited": False, "favoritesCount": 0, "author": AUTHOR}
        articles[number] = article
        return JSONResponse({"article": article_json(article)}, status_code=201)

    @app.get("/articles/{slug}")
    async def get_article(slug: str) -> Response:
        article = find(slug)
        if article is None:
            return errors("article", "not found", 404)
        return JSONResponse({"article": article_json(article)})

    @app.put("/articles/{slug}")
    async def update_article(slug: str, request: Request) -> Response:
        article = find(slug)
        if article is None:
            return errors("article", "not found", 404)
        data = await _envelope(request, "article")
        if isinstance(data, JSONResponse):
            return data
        for field, low, high in (("title", 1, 100), ("description", 0, 200), ("body", 1, 2000)):
            message = _text(data, field, low, high, False)
            if message:
                return errors(field, message)
        for field in ("title", "description", "body"):
            if field in data:
                article[field] = data[field]
        if "B2" in regressions and "title" in data:
            article["slug"] = slugify(data["title"], article["id"])  # B2: the slug follows the new title
        article["updatedAt"] = now()
        return JSONResponse({"article": article_json(article)})

    @app.delete("/articles/{slug}")
    async def delete_article(slug: str) -> Response:
        article = find(slug)
        if article is None:
            return errors("article", "not found", 404)
        children = [n for n, c in comments.items() if c["article_id"] == article["id"]]
        if children and "B1" in regressions:
            return errors("article", "has comments", 409)  # B1: a foreign key without ON DELETE CASCADE
        for number in children:
            del comments[number]
        del articles[article["id"]]
        return Response(status_code=204, media_type="text/html; charset=utf-8")

    async def _favorite(slug: str, on: bool) -> Response:
        article = find(slug)
        if article is None:
            return errors("article", "not found", 404)
        if article["favorited"] != on:
            article["favorited"] = on
            article["favoritesCount"] += 1 if on else -1
        return JSONResponse({"article": article_json(article)})

    @app.post("/articles/{slug}/favorite")
    async def favorite(slug: str) -> Response:
        return await _favorite(slug, True)

    @app.delete("/articles/{slug}/favorite")
    async def unfavorite(slug: str) -> Response:
        return await _favorite(slug, False)

    @app.get("/articles/{slug}/comments")
    async def list_comments(slug: str) -> Response:
        article = find(slug)
        if article is None:
            return errors("article", "not found", 404)
        mine = sorted((c for c in comments.values() if c["article_id"] == article["id"]), key=lambda c: c["id"])
        return JSONResponse({"comments": [comment_json(c, listing=True) for c in mine]})

    @app.post("/articles/{slug}/comments")
    async def create_comment(slug: str, request: Request) -> Response:
        article = find(slug)
        if article is None:
            return errors("article", "not found", 404)
        data = await _envelope(request, "comment")
        if isinstance(data, JSONResponse):
            return data
        message = _text(data, "body", 1, 500, True)
        if message:
            return errors("body", message)
        counters["comment"] += 1
        comment = {"id": counters["comment"], "article_id": article["id"], "body": data["body"], "createdAt": now(), "author": AUTHOR}
        comments[comment["id"]] = comment
        return JSONResponse({"comment": comment_json(comment)}, status_code=201)

    @app.get("/articles/{slug}/comments/{comment_id}")
    async def get_comment(slug: str, comment_id: str) -> Response:
        comment = comment_of(slug, comment_id)
        if comment is None:
            return errors("comment", "not found", 404)
        return JSONResponse({"comment": comment_json(comment)})

    @app.delete("/articles/{slug}/comments/{comment_id}")
    async def delete_comment(slug: str, comment_id: str) -> Response:
        comment = comment_of(slug, comment_id)
        if comment is None:
            return errors("comment", "not found", 404)
        del comments[comment["id"]]
        return Response(status_code=204, media_type="text/html; charset=utf-8")

    @app.get("/profiles/{username}")
    async def get_profile(username: str) -> Response:
        profile = PROFILES.get(username)
        if profile is None:
            return errors("profile", "not found", 404)
        return JSONResponse({"profile": dict(profile)})

    @app.get("/tags")
    async def list_tags() -> Response:
        return JSONResponse({"tags": sorted({t for a in articles.values() for t in a["tagList"]})})

    @app.exception_handler(StarletteHTTPException)
    async def werkzeug_pages(_request: Request, exc: StarletteHTTPException) -> Response:
        if exc.status_code == 405:
            return HTMLResponse(WERKZEUG_405, status_code=405, headers=exc.headers)
        return HTMLResponse(WERKZEUG_404, status_code=exc.status_code)

    app.add_middleware(FlaskDefaults, document=CONTRACT, werkzeug_errors=True)
    return app, reset


app, reset = build()
