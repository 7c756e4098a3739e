"""The FastAPI port of the legacy library API, as a careful team ships it (checked by hand
against the flask-restx app's answers, valid and invalid requests):

- same URLs (restx's `/books/` with its trailing slash; `/books` answers Werkzeug's 308, not
  Starlette's 307), JSON, status codes;
- errors are restx's `{"message": ...}` (an HTTPException handler); unknown or non-integer ids in
  the path get Werkzeug's HTML 404 page, as Flask's `int` converter does;
- request bodies are validated like `@ns.expect(model, validate=True)`: a dependency runs the
  legacy model's JSON schema (copied from the legacy `/swagger.json`, validated with the latest draft
  as restx does) over the raw body
  before pydantic sees it, so the 400 `{"errors": {...}, "message": "Input payload validation
  failed"}` carries jsonschema's own messages; 415 for a non-JSON body;
- query errors are re-parsed the way reqparse does (first failing argument only, its messages);
- responses are marshalled the restx way: every field of the model present, `null` when missing,
  datetimes as Python's `isoformat()` (`+00:00`, not pydantic's `Z`);
- restx's `X-Fields` response mask is not supported (the full object is answered).
"""

from __future__ import annotations

import copy
import json
from datetime import date, datetime, timedelta, timezone
from typing import Annotated, Any, Literal

from fastapi import Depends, FastAPI, HTTPException, Query, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse
from jsonschema.validators import validator_for
from pydantic import BaseModel, ConfigDict, Field, PlainSerializer, WithJsonSchema
from starlette.exceptions import HTTPException as StarletteHTTPException

GENRES = ["fiction", "science", "history", "kids"]
LOAN_STATES = ["active", "returned"]
ISBN_PATTERN = r"^97[89][0-9]{10}$"
EPOCH = datetime(2024, 3, 1, 9, 30, tzinfo=timezone.utc)

Genre = Literal["fiction", "science", "history", "kids"]
LoanState = Literal["active", "returned"]
IsoDateTime = Annotated[
    datetime,
    PlainSerializer(lambda value: value.isoformat(), return_type=str, when_used="json"),
    WithJsonSchema({"type": "string", "format": "date-time"}),
]

app = FastAPI(title="Library API", version="2.3", description="Books and loans")
app.router.redirect_slashes = False  # Werkzeug's 308 below, not Starlette's 307
COLLECTIONS = ("/books", "/loans")


@app.middleware("http")
async def werkzeug_slash_redirect(request: Request, call_next):
    """Flask's strict slashes: `/books` answers 308 to `/books/` (any method), as Werkzeug does."""
    if request.url.path in COLLECTIONS:
        query = f"?{request.url.query}" if request.url.query else ""
        location = f"{request.url.scheme}://{request.url.netloc}{request.url.path}/{query}"
        return HTMLResponse(
            "<!doctype html>\n<html lang=en>\n<title>Redirecting...</title>\n<h1>Redirecting...</h1>\n"
            f'<p>You should be redirected automatically to the target URL: <a href="{location}">{location}</a>. '
            "If not, click the link.\n",
            status_code=308, headers={"Location": location},
        )
    return await call_next(request)

# --------------------------------------------------------------------------------------------------
# Models (documented schema) and the legacy JSON schemas (validation, messages byte for byte)
# --------------------------------------------------------------------------------------------------

_PY_RE = ConfigDict(regex_engine="python-re")


class Author(BaseModel):
    model_config = _PY_RE
    name: str = Field(..., min_length=1, max_length=80)
    born: int | None = Field(None, ge=1000, le=2100)


class BookInput(BaseModel):
    model_config = _PY_RE
    isbn: str = Field(..., pattern=ISBN_PATTERN)
    title: str = Field(..., min_length=1, max_length=120)
    genre: Genre
    authors: list[Author] = Field(..., min_length=1, max_length=5)
    tags: list[Annotated[str, Field(max_length=20)]] | None = Field(None, max_length=5)
    summary: str | None = Field(None, max_length=300)


class Book(BaseModel):
    id: int
    isbn: str
    title: str
    genre: Genre
    authors: list[Author]
    tags: list[str] | None = None  # restx marshals a missing field as null
    summary: str | None = None
    added_at: IsoDateTime
    available: bool


class BookPage(BaseModel):
    items: list[Book]
    total: int


class LoanInput(BaseModel):
    book_id: int = Field(..., ge=1)
    member: str = Field(..., min_length=1, max_length=40)
    days: int = Field(14, ge=1, le=60)


class Loan(BaseModel):
    id: int
    book_id: int
    member: str
    status: LoanState
    lent_at: IsoDateTime
    due: date
    returned_at: IsoDateTime | None = None  # null until the book is back


_AUTHOR_SCHEMA = {
    "required": ["name"], "type": "object",
    "properties": {"name": {"type": "string", "minLength": 1, "maxLength": 80},
                   "born": {"type": "integer", "minimum": 1000, "maximum": 2100}},
}
BOOK_INPUT_SCHEMA = {
    "required": ["authors", "genre", "isbn", "title"], "type": "object",
    "properties": {
        "isbn": {"type": "string", "pattern": ISBN_PATTERN},
        "title": {"type": "string", "minLength": 1, "maxLength": 120},
        "genre": {"type": "string", "example": "fiction", "enum": GENRES},
        "authors": {"type": "array", "minItems": 1, "maxItems": 5, "items": _AUTHOR_SCHEMA},
        "tags": {"type": "array", "maxItems": 5, "items": {"type": "string", "maxLength": 20}},
        "summary": {"type": "string", "maxLength": 300},
    },
}
LOAN_INPUT_SCHEMA = {
    "required": ["book_id", "member"], "type": "object",
    "properties": {
        "book_id": {"type": "integer", "minimum": 1},
        "member": {"type": "string", "minLength": 1, "maxLength": 40},
        "days": {"type": "integer", "default": 14, "minimum": 1, "maximum": 60},
    },
}

# --------------------------------------------------------------------------------------------------
# restx-compatible errors
# --------------------------------------------------------------------------------------------------

WERKZEUG_404 = (
    "<!doctype html>\n<html lang=en>\n<title>404 Not Found</title>\n<h1>Not Found</h1>\n"
    "<p>The requested URL was not found on the server. If you entered the URL manually please check your "
    "spelling and try again.</p>\n"
)
VALIDATION_FAILED = "Input payload validation failed"
BAD_JSON = "The browser (or proxy) sent a request that this server could not understand."
NOT_JSON = "Did not attempt to load JSON data because the request Content-Type was not 'application/json'."


class RestxError(Exception):
    def __init__(self, status: int, body: dict[str, Any]) -> None:
        self.status, self.body = status, body


@app.exception_handler(RestxError)
async def restx_error(request: Request, exc: RestxError) -> JSONResponse:
    return JSONResponse(exc.body, status_code=exc.status)


@app.exception_handler(StarletteHTTPException)
async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
    if exc.status_code == 404 and exc.detail == "Not Found":  # no route: Flask's own HTML page
        return HTMLResponse(WERKZEUG_404, status_code=404)
    if exc.status_code == 405:
        return JSONResponse({"message": "The method is not allowed for the requested URL."}, status_code=405)
    return JSONResponse({"message": exc.detail}, status_code=exc.status_code)


def _is_json(request: Request) -> bool:
    mimetype = request.headers.get("content-type", "").split(";", 1)[0].strip().lower()
    return mimetype == "application/json" or (mimetype.startswith("application/") and mimetype.endswith("+json"))


def _restx_int(value: str) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise ValueError(f"{value} is not a valid integer") from None


def _reqparse_errors(request: Request, route: str) -> dict[str, str] | None:
    """What reqparse says about the query string: the first failing argument, in declaration order."""
    args = request.query_params
    if route == "/books/":
        if "genre" in args and args["genre"] not in GENRES:
            return {"genre": f"The value '{args['genre']}' is not a valid choice for 'genre'."}
        if "limit" in args:
            try:
                limit = _restx_int(args["limit"])
            except ValueError as exc:
                return {"limit": str(exc)}
            if not 1 <= limit <= 50:
                return {"limit": f"Invalid argument: {limit}. argument must be within the range 1 - 50"}
        if "offset" in args:
            try:
                offset = _restx_int(args["offset"])
            except ValueError as exc:
                return {"offset": str(exc)}
            if offset < 0:
                return {"offset": f"Invalid offset: {offset}. offset must be a non-negative integer"}
    if route == "/loans/" and "status" in args and args["status"] not in LOAN_STATES:
        return {"status": f"The value '{args['status']}' is not a valid choice for 'status'."}
    return None


@app.exception_handler(RequestValidationError)
async def validation_error(request: Request, exc: RequestValidationError) -> Response:
    errors = exc.errors()
    if any(e["loc"][0] == "path" for e in errors):
        return HTMLResponse(WERKZEUG_404, status_code=404)  # Flask's <int:...> converter did not match
    if any(e.get("type") == "json_invalid" for e in errors):
        return JSONResponse({"message": BAD_JSON}, status_code=400)
    route = request.scope.get("route")
    found = _reqparse_errors(request, getattr(route, "path", ""))
    if found:
        return JSONResponse({"errors": found, "message": VALIDATION_FAILED}, status_code=400)
    return JSONResponse({"errors": {".".join(map(str, e["loc"][1:])): e["msg"] for e in errors},
                         "message": VALIDATION_FAILED}, status_code=400)


def restx_body(schema: dict[str, Any]):
    """`@ns.expect(model, validate=True)`: the legacy schema over the raw body, restx's messages."""
    validator = validator_for(schema)(schema)  # as restx does: no $schema, the latest draft

    async def validate(request: Request) -> None:
        if not _is_json(request):
            raise RestxError(415, {"message": NOT_JSON})
        try:
            data = json.loads(await request.body())
        except ValueError:
            raise RestxError(400, {"message": BAD_JSON}) from None
        errors = {}
        for error in validator.iter_errors(data):
            path = [str(p) for p in error.path]
            if error.validator == "required":
                path.append(error.message.split("'")[1])
            errors[".".join(path)] = error.message
        if errors:
            raise RestxError(400, {"errors": errors, "message": VALIDATION_FAILED})

    return Depends(validate)


def restx_query(request: Request) -> None:
    """reqparse's messages also for values pydantic would accept differently (` 5`, `1_0`...)."""
    found = _reqparse_errors(request, request.scope["route"].path)
    if found:
        raise RestxError(400, {"errors": found, "message": VALIDATION_FAILED})


def not_found(what: str, ident: int) -> HTTPException:
    return HTTPException(404, f"{what} {ident} not found")


def _id_path(value: int) -> int:
    if value < 0:  # Flask's int converter matches digits only: a negative id is no route at all
        raise HTTPException(404, "Not Found")
    return value


# --------------------------------------------------------------------------------------------------
# State
# --------------------------------------------------------------------------------------------------

SEED_BOOKS = [
    {"isbn": "9780441013593", "title": "Dune", "genre": "fiction",
     "authors": [{"name": "Frank Herbert", "born": 1920}], "tags": ["classic", "space"],
     "summary": "Spice, sand and politics."},
    {"isbn": "9780553380163", "title": "A Brief History of Time", "genre": "science",
     "authors": [{"name": "Stephen Hawking", "born": 1942}], "tags": ["cosmology"]},
    {"isbn": "9780140449136", "title": "The Histories", "genre": "history",
     "authors": [{"name": "Herodotus"}, {"name": "Aubrey de Selincourt", "born": 1894}], "tags": []},
    {"isbn": "9780064400558", "title": "Charlotte's Web", "genre": "kids",
     "authors": [{"name": "E. B. White", "born": 1899}], "tags": ["animals"],
     "summary": "A pig and a spider."},
]
BOOKS: dict[int, dict] = {}
LOANS: dict[int, dict] = {}
COUNTERS = {"book": 0, "loan": 0, "clock": 0}


def _now() -> datetime:
    COUNTERS["clock"] += 1
    return EPOCH + timedelta(minutes=COUNTERS["clock"])


def reset() -> None:
    BOOKS.clear()
    LOANS.clear()
    COUNTERS.update(book=0, loan=0, clock=0)
    for data in SEED_BOOKS:
        _add_book(copy.deepcopy(data))
    _lend(BOOKS[1], "ada", 14)


def _add_book(data: dict) -> dict:
    COUNTERS["book"] += 1
    record = {**data, "id": COUNTERS["book"], "added_at": _now(), "available": True}
    BOOKS[record["id"]] = record
    return record


def _lend(record: dict, member: str, days: int) -> dict:
    COUNTERS["loan"] += 1
    lent_at = _now()
    entry = {"id": COUNTERS["loan"], "book_id": record["id"], "member": member, "status": "active",
             "lent_at": lent_at, "due": (lent_at + timedelta(days=days)).date()}
    LOANS[entry["id"]] = entry
    record["available"] = False
    return entry


def _book_or_404(book_id: int) -> dict:
    if book_id not in BOOKS:
        raise not_found("Book", book_id)
    return BOOKS[book_id]


# --------------------------------------------------------------------------------------------------
# Routes
# --------------------------------------------------------------------------------------------------


@app.get("/books/", response_model=BookPage, tags=["books"], dependencies=[Depends(restx_query)])
def list_books(
    genre: Genre | None = Query(None),
    limit: int = Query(20, ge=1, le=50),
    offset: int = Query(0, ge=0),
) -> dict:
    """List books, optionally by genre"""
    found = [b for b in BOOKS.values() if genre is None or b["genre"] == genre]
    return {"items": found[offset: offset + limit], "total": len(found)}


@app.post("/books/", response_model=Book, status_code=201, tags=["books"],
          responses={409: {"description": "ISBN already in the catalogue"}},
          dependencies=[restx_body(BOOK_INPUT_SCHEMA)])
def add_book(payload: BookInput) -> dict:
    """Add a book"""
    if any(b["isbn"] == payload.isbn for b in BOOKS.values()):
        raise HTTPException(409, f"ISBN {payload.isbn} is already in the catalogue")
    return _add_book(payload.model_dump(exclude_unset=True))


@app.get("/books/{book_id}", response_model=Book, tags=["books"], responses={404: {"description": "Book not found"}})
def get_book(book_id: int) -> dict:
    """One book"""
    return _book_or_404(_id_path(book_id))


@app.delete("/books/{book_id}", status_code=204, tags=["books"],
            responses={404: {"description": "Book not found"}, 409: {"description": "Book is lent out"}})
def delete_book(book_id: int) -> Response:
    """Remove a book"""
    record = _book_or_404(_id_path(book_id))
    if not record["available"]:
        raise HTTPException(409, f"Book {book_id} is lent out")
    del BOOKS[book_id]
    return Response(status_code=204)


@app.get("/loans/", response_model=list[Loan], tags=["loans"], dependencies=[Depends(restx_query)])
def list_loans(member: str | None = Query(None), status: LoanState | None = Query(None)) -> list[dict]:
    """List loans"""
    return [entry for entry in LOANS.values()
            if (member is None or entry["member"] == member) and (status is None or entry["status"] == status)]


@app.post("/loans/", response_model=Loan, status_code=201, tags=["loans"],
          responses={404: {"description": "Book not found"}, 409: {"description": "Book is lent out"}},
          dependencies=[restx_body(LOAN_INPUT_SCHEMA)])
def lend_book(payload: LoanInput) -> dict:
    """Lend a book"""
    record = _book_or_404(payload.book_id)
    if not record["available"]:
        raise HTTPException(409, f"Book {record['id']} is lent out")
    return _lend(record, payload.member, payload.days)


@app.post("/loans/{loan_id}/return", response_model=Loan, tags=["loans"],
          responses={404: {"description": "Loan not found"}, 409: {"description": "Loan already returned"}})
def return_book(loan_id: int) -> dict:
    """Return a lent book"""
    loan_id = _id_path(loan_id)
    if loan_id not in LOANS:
        raise not_found("Loan", loan_id)
    entry = LOANS[loan_id]
    if entry["status"] == "returned":
        raise HTTPException(409, f"Loan {loan_id} was already returned")
    entry.update(status="returned", returned_at=_now())
    if entry["book_id"] in BOOKS:
        BOOKS[entry["book_id"]]["available"] = True
    return entry


reset()


from tests.pairs.flask_parity import FlaskDefaults  # noqa: E402 - Flask's own HEAD/OPTIONS and first query value

app.add_middleware(FlaskDefaults, document=app.openapi())
