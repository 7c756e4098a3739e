"""The modern bookstore API: a faithful FastAPI port of `legacy_app.py`.

Same URLs, methods, status codes, JSON bodies, error shapes, defaults and ordering as the legacy
Flask service. The handlers are a one-to-one port; the interesting part is what a port needs *besides*
the handlers, because FastAPI's defaults differ from Flask's (each fix is marked "PARITY"):

1. `redirect_slashes=False`: Flask answers 404 to `/books/` (its rules have no trailing slash),
   FastAPI would answer 307 and redirect.
2. Path parameters use Starlette's `{book_id:int}` converter, like Flask's `<int:book_id>`: only
   unsigned digits match, so `/books/abc` and `/books/-1` are a plain 404 "Not Found" on both sides
   (with a bare `{book_id}` FastAPI would answer 422, or run the handler for -1), and
   `PATCH /books/search` is a 405 on both (with a bare `{book_id}` it would match that route).
   The document still says `/books/{book_id}` with an integer parameter.
3. `/books/search` is declared before `/books/{book_id}` (FastAPI matches in declaration order).
4. The 422 handler reshapes FastAPI's errors into the legacy shape `{"detail": [{loc, msg, type}]}`:
   only the first failing location (header, path, query, body - flask-openapi3's order), and a
   missing/non-JSON/non-object body reported as one `["body"]` error like the legacy app.
5. A handler for `Exception` answers 500 with `{"detail": "Internal Server Error"}` (FastAPI's
   default is a plain-text body). 404 and 405 already match: Starlette answers
   `{"detail": "Not Found"}` / `{"detail": "Method Not Allowed"}` and the legacy app was written to
   answer the same. The `HTTPException` handler only changes FastAPI's 400 for a body that is not
   UTF-8 into the legacy 422.
6. A small middleware answers HEAD like GET without a body and OPTIONS with 200 plus an Allow
   header, as Flask does automatically for every route (FastAPI answers 405 to both).
7. The API key is read with `APIKeyHeader(name="X-API-Key", auto_error=False)` so a missing key
   reaches the handler and gets the legacy 401 body (`auto_error=True` would answer 403).
8. Query parameters come from the same pydantic models as in the legacy app
   (`Annotated[BookSearchQuery, Query()]`), so defaults, bounds, enum values and error messages are
   identical; response models are the legacy response models, so no field is dropped or added.
9. DELETE returns `Response(status_code=204)`: an empty body, like the legacy `"", 204`.
10. A repeated scalar query parameter (`?page=2&page=3`) means its *first* value in Flask and its
    last in Starlette; a middleware drops the repeats (list parameters such as `tags` keep them all).

Known differences that remain (not fixable without fighting the framework, and never produced by
requests generated from the legacy document):
- a body that is a JSON *string* holding a JSON object (`"{\"name\": \"x\"}"`): flask-openapi3
  parses the inner document, FastAPI rejects it as "not an object" (422);
- the `Allow` header of a 405 lists `GET, HEAD, OPTIONS` in Flask and only `GET` in FastAPI;
- 204 responses carry `Content-Type: text/html` in Flask and none in FastAPI.

Run it:  cd examples/bookstore && uvicorn modern_app:app
"""

from datetime import date, datetime
from typing import Annotated, Literal, Optional
from urllib.parse import unquote_plus

from fastapi import FastAPI, HTTPException, Query, Request, Response, Security
from fastapi.exception_handlers import http_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.security import APIKeyHeader
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match

from store import Store, order_total

API_KEY = "secret-key"

store = Store()


def reset() -> None:
    """Restore the seed data (tests call this between requests)."""
    store.reset()


# --------------------------------------------------------------------------------------------------
# Models (copied from the legacy app; the RootModel list wrappers became `list[...]`)
# --------------------------------------------------------------------------------------------------

OrderStatus = Literal["pending", "paid", "shipped", "cancelled"]


class ErrorModel(BaseModel):
    detail: str = Field(..., description="What went wrong", examples=["Book 7 not found"])


class Author(BaseModel):
    id: int
    name: str
    country: Optional[str] = Field(None, description="ISO 3166 alpha-2 code")
    born: Optional[date] = None


class AuthorCreate(BaseModel):
    name: str = Field(..., min_length=1, max_length=100)
    country: Optional[str] = Field(None, pattern=r"^[A-Z]{2}$", description="ISO 3166 alpha-2 code")
    born: Optional[date] = None


class AuthorPatch(BaseModel):
    """Fields that are missing or null are left unchanged (use PUT to clear a field)."""

    name: Optional[str] = Field(None, min_length=1, max_length=100)
    country: Optional[str] = Field(None, pattern=r"^[A-Z]{2}$")
    born: Optional[date] = None


class Book(BaseModel):
    id: int
    title: str
    subtitle: str | None = None
    isbn: Optional[str] = None
    price: float
    published: date
    author_id: int
    tags: list[str] = []


class BookDetail(Book):
    """A book with its author embedded."""

    author: Author


class BookPage(BaseModel):
    items: list[Book]
    total: int = Field(..., description="Number of matching books on all pages")
    page: int
    per_page: int


class BookCreate(BaseModel):
    title: str = Field(..., min_length=1, max_length=200)
    subtitle: str | None = Field(None, max_length=200)
    isbn: Optional[str] = Field(None, pattern=r"^[0-9][0-9-]{8,15}[0-9Xx]$")
    price: float = Field(..., ge=0, le=10000, allow_inf_nan=False)
    published: date
    author_id: int
    tags: list[str] = Field([], max_length=10)


class BookPatch(BaseModel):
    """Fields that are missing or null are left unchanged (use PUT to clear a field)."""

    title: Optional[str] = Field(None, min_length=1, max_length=200)
    subtitle: Optional[str] = Field(None, max_length=200)
    isbn: Optional[str] = Field(None, pattern=r"^[0-9][0-9-]{8,15}[0-9Xx]$")
    price: Optional[float] = Field(None, ge=0, le=10000, allow_inf_nan=False)
    published: Optional[date] = None
    author_id: Optional[int] = None
    tags: Optional[list[str]] = Field(None, max_length=10)


class OrderLineIn(BaseModel):
    book_id: int
    quantity: int = Field(1, ge=1, le=100)


class OrderLine(BaseModel):
    book_id: int
    title: str = Field(..., description="Title when the order was placed")
    quantity: int
    unit_price: float


class Order(BaseModel):
    id: int
    customer: str
    status: OrderStatus
    note: Optional[str] = None
    lines: list[OrderLine]
    total: float
    created_at: datetime


class OrderCreate(BaseModel):
    customer: str = Field(..., min_length=1, max_length=100)
    lines: list[OrderLineIn] = Field(..., min_length=1, max_length=20)
    note: Optional[str] = Field(None, max_length=500)


class OrderReplace(OrderCreate):
    status: OrderStatus = "pending"


class OrderPatch(BaseModel):
    """Fields that are missing or null are left unchanged."""

    status: Optional[OrderStatus] = None
    note: Optional[str] = Field(None, max_length=500)


class AdminStats(BaseModel):
    authors: int
    books: int
    orders: int
    revenue: float = Field(..., description="Total of all orders that are not cancelled")
    orders_by_status: dict[str, int]


class Health(BaseModel):
    status: str


class PageQuery(BaseModel):
    page: int = Field(1, ge=1, description="1-based page number")
    per_page: int = Field(20, ge=1, le=100, description="Items per page")


class BookSearchQuery(PageQuery):
    q: Optional[str] = Field(None, max_length=100, description="Case-insensitive part of the title")
    tags: list[str] = Field([], description="Only books carrying every one of these tags")
    author_id: Optional[int] = None
    min_price: Optional[float] = Field(None, ge=0, allow_inf_nan=False)
    max_price: Optional[float] = Field(None, ge=0, allow_inf_nan=False)
    year_from: Optional[int] = Field(None, ge=1000, le=3000, description="Published in or after this year")
    sort: Literal["title", "year", "price"] = "title"
    order: Literal["asc", "desc"] = "asc"


class OrderListQuery(BaseModel):
    status: Optional[OrderStatus] = None


# --------------------------------------------------------------------------------------------------
# The app and its error handling
# --------------------------------------------------------------------------------------------------

app = FastAPI(
    title="Bookstore API",
    version="1.4.0",
    description="The bookstore service, ported to FastAPI.",
    openapi_tags=[
        {"name": "books", "description": "The catalogue"},
        {"name": "authors"},
        {"name": "orders"},
        {"name": "admin", "description": "Needs the X-API-Key header"},
    ],
    redirect_slashes=False,  # PARITY 1
)

# PARITY 4: the order in which flask-openapi3 validates the parts of a request.
_LOCATION_ORDER = ("header", "cookie", "path", "query", "body")
# What the legacy app says about a missing body, a body that is not JSON, or JSON that is not an object.
BODY_NOT_AN_OBJECT = {"loc": ["body"], "msg": "Request body must be a JSON object", "type": "model_type"}
NOT_AN_OBJECT = "Input should be a valid dictionary or object"


@app.exception_handler(RequestValidationError)
async def validation_error_response(request: Request, exc: RequestValidationError) -> JSONResponse:
    """422 with the legacy body: errors of the first failing location only, body-level errors merged."""
    errors = list(exc.errors())
    first = next((where for where in _LOCATION_ORDER if any(e["loc"][0] == where for e in errors)), None)
    detail = []
    for err in errors:
        if err["loc"][0] != first:
            continue
        if first == "body" and (len(err["loc"]) == 1 or err["type"] == "json_invalid"):
            if BODY_NOT_AN_OBJECT not in detail:
                detail.append(BODY_NOT_AN_OBJECT)
        elif err["type"] in ("model_type", "model_attributes_type"):
            # A nested object that is not an object. FastAPI validates with from_attributes=True, so
            # pydantic calls it "model_attributes_type"; both apps use one wording for it.
            detail.append({"loc": list(err["loc"]), "msg": NOT_AN_OBJECT, "type": "model_type"})
        else:
            detail.append({"loc": list(err["loc"]), "msg": err["msg"], "type": err["type"]})
    return JSONResponse({"detail": detail}, status_code=422)


@app.exception_handler(StarletteHTTPException)
async def http_error_response(request: Request, exc: StarletteHTTPException):
    """Starlette's JSON `{"detail": ...}` for 404/405/401..., except for an undecodable body.

    FastAPI answers 400 "There was an error parsing the body" to a JSON body that is not UTF-8; the
    legacy app (flask-openapi3 reads the body with `get_json(silent=True)`) calls it a 422.
    """
    if exc.status_code == 400 and exc.detail == "There was an error parsing the body":
        return JSONResponse({"detail": [BODY_NOT_AN_OBJECT]}, status_code=422)
    return await http_exception_handler(request, exc)


@app.exception_handler(Exception)
async def internal_error_response(request: Request, exc: Exception) -> JSONResponse:
    """PARITY 5: JSON 500 instead of Starlette's plain-text one."""
    return JSONResponse({"detail": "Internal Server Error"}, status_code=500)


class FlaskStyleHeadAndOptions:
    """PARITY 6: answer HEAD and OPTIONS on every route the way Flask does.

    HEAD runs the GET handler and drops the body; OPTIONS answers 200 with an empty body and an Allow
    header listing the route's methods. Paths that match no route fall through (404).
    """

    def __init__(self, app, router):
        self.app = app
        self.router = router

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or scope["method"] not in ("HEAD", "OPTIONS"):
            await self.app(scope, receive, send)
            return
        if scope["method"] == "HEAD":

            async def send_without_body(message):
                if message["type"] == "http.response.body":
                    message = {**message, "body": b""}
                await send(message)

            await self.app({**scope, "method": "GET"}, receive, send_without_body)
            return
        methods: set[str] = set()
        for route in self.router.routes:
            match, _ = route.matches(scope)
            if match != Match.NONE:
                methods |= set(getattr(route, "methods", None) or ())
        if not methods:
            await self.app(scope, receive, send)
            return
        methods |= {"OPTIONS"} | ({"HEAD"} if "GET" in methods else set())
        response = Response(status_code=200, headers={"Allow": ", ".join(sorted(methods))})
        await response(scope, receive, send)


app.add_middleware(FlaskStyleHeadAndOptions, router=app.router)


class FirstQueryValueWins:
    """PARITY 10: keep only the first occurrence of a repeated query parameter, as Flask reads it.

    Parameters declared as lists (`?tags=a&tags=b`) keep every occurrence.
    """

    def __init__(self, app, list_params: set[str]):
        self.app = app
        self.list_params = list_params

    async def __call__(self, scope, receive, send):
        if scope["type"] == "http" and scope.get("query_string"):
            seen, kept = set(), []
            for pair in scope["query_string"].split(b"&"):
                name = unquote_plus(pair.split(b"=", 1)[0].decode("latin-1"))
                if name in seen and name not in self.list_params:
                    continue
                seen.add(name)
                kept.append(pair)
            scope = {**scope, "query_string": b"&".join(kept)}
        await self.app(scope, receive, send)


app.add_middleware(FirstQueryValueWins, list_params={"tags"})

api_key_header = APIKeyHeader(name="X-API-Key", scheme_name="api_key", auto_error=False)  # PARITY 7


def not_found(kind: str, id: int) -> HTTPException:
    return HTTPException(status_code=404, detail=f"{kind} {id} not found")


def conflict(message: str) -> HTTPException:
    return HTTPException(status_code=409, detail=message)


NOT_FOUND = {404: {"model": ErrorModel, "description": "Not Found"}}
CONFLICT = {409: {"model": ErrorModel, "description": "Conflict"}}
UNAUTHORIZED = {401: {"model": ErrorModel, "description": "Unauthorized"}}


# --------------------------------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------------------------------


def book_detail(row: dict) -> BookDetail:
    return BookDetail.model_validate({**row, "author": store.authors[row["author_id"]]})


def paginate(rows: list[dict], page: int, per_page: int) -> BookPage:
    start = (page - 1) * per_page
    return BookPage(
        items=[Book.model_validate(row) for row in rows[start : start + per_page]],
        total=len(rows),
        page=page,
        per_page=per_page,
    )


def check_book_refs(data: dict, book_id: Optional[int] = None) -> None:
    """409 for an unknown author or an ISBN used by another book."""
    if "author_id" in data and data["author_id"] not in store.authors:
        raise conflict(f"Author {data['author_id']} does not exist")
    isbn = data.get("isbn")
    if isbn is not None and any(b["isbn"] == isbn and b["id"] != book_id for b in store.books.values()):
        raise conflict(f"ISBN {isbn} is already used by another book")


def check_books_exist(lines: list[dict]) -> None:
    unknown = next((line["book_id"] for line in lines if line["book_id"] not in store.books), None)
    if unknown is not None:
        raise conflict(f"Book {unknown} does not exist")


def stats() -> AdminStats:
    by_status: dict[str, int] = {}
    for order in store.orders.values():
        by_status[order["status"]] = by_status.get(order["status"], 0) + 1
    revenue = sum(o["total"] for o in store.orders.values() if o["status"] != "cancelled")
    return AdminStats(
        authors=len(store.authors),
        books=len(store.books),
        orders=len(store.orders),
        revenue=round(revenue, 2),
        orders_by_status=by_status,
    )


# --------------------------------------------------------------------------------------------------
# Books
# --------------------------------------------------------------------------------------------------


@app.get("/books", tags=["books"], response_model=BookPage)
def list_books(query: Annotated[PageQuery, Query()]):
    """List books by id, one page at a time"""
    rows = sorted(store.books.values(), key=lambda b: b["id"])
    return paginate(rows, query.page, query.per_page)


@app.get("/books/search", tags=["books"], response_model=BookPage)  # PARITY 3
def search_books(query: Annotated[BookSearchQuery, Query()]):
    """Search books by title, tags, author, price and year"""
    rows = list(store.books.values())
    if query.q:
        rows = [b for b in rows if query.q.casefold() in b["title"].casefold()]
    if query.tags:
        rows = [b for b in rows if all(tag in b["tags"] for tag in query.tags)]
    if query.author_id is not None:
        rows = [b for b in rows if b["author_id"] == query.author_id]
    if query.min_price is not None:
        rows = [b for b in rows if b["price"] >= query.min_price]
    if query.max_price is not None:
        rows = [b for b in rows if b["price"] <= query.max_price]
    if query.year_from is not None:
        rows = [b for b in rows if b["published"].year >= query.year_from]
    sort_keys = {
        "title": lambda b: (b["title"].casefold(), b["id"]),
        "year": lambda b: (b["published"], b["id"]),
        "price": lambda b: (b["price"], b["id"]),
    }
    rows.sort(key=sort_keys[query.sort], reverse=query.order == "desc")
    return paginate(rows, query.page, query.per_page)


@app.post("/books", tags=["books"], status_code=201, response_model=BookDetail, responses=CONFLICT)
def create_book(body: BookCreate):
    """Add a book to the catalogue"""
    data = body.model_dump()
    check_book_refs(data)
    row = {"id": store.new_id("book"), **data}
    store.books[row["id"]] = row
    return book_detail(row)


@app.get("/books/{book_id:int}", tags=["books"], response_model=BookDetail, responses=NOT_FOUND)  # PARITY 2
def get_book(book_id: int):
    """Get one book with its author"""
    row = store.books.get(book_id)
    if row is None:
        raise not_found("Book", book_id)
    return book_detail(row)


@app.put("/books/{book_id:int}", tags=["books"], response_model=BookDetail, responses={**NOT_FOUND, **CONFLICT})
def replace_book(book_id: int, body: BookCreate):
    """Replace a book"""
    if book_id not in store.books:
        raise not_found("Book", book_id)
    data = body.model_dump()
    check_book_refs(data, book_id)
    row = {"id": book_id, **data}
    store.books[book_id] = row
    return book_detail(row)


@app.patch("/books/{book_id:int}", tags=["books"], response_model=BookDetail, responses={**NOT_FOUND, **CONFLICT})
def update_book(book_id: int, body: BookPatch):
    """Change some fields of a book"""
    row = store.books.get(book_id)
    if row is None:
        raise not_found("Book", book_id)
    changes = body.model_dump(exclude_none=True)
    check_book_refs(changes, book_id)
    row.update(changes)
    return book_detail(row)


@app.delete("/books/{book_id:int}", tags=["books"], status_code=204, response_class=Response, responses=NOT_FOUND)
def delete_book(book_id: int):
    """Remove a book (orders keep their copy of its title and price)"""
    if store.books.pop(book_id, None) is None:
        raise not_found("Book", book_id)
    return Response(status_code=204)  # PARITY 9


# --------------------------------------------------------------------------------------------------
# Authors
# --------------------------------------------------------------------------------------------------


@app.get("/authors", tags=["authors"], response_model=list[Author])
def list_authors():
    """List all authors by id"""
    return [Author.model_validate(a) for a in sorted(store.authors.values(), key=lambda a: a["id"])]


@app.post("/authors", tags=["authors"], status_code=201, response_model=Author)
def create_author(body: AuthorCreate):
    """Add an author"""
    row = {"id": store.new_id("author"), **body.model_dump()}
    store.authors[row["id"]] = row
    return Author.model_validate(row)


@app.get("/authors/{author_id:int}", tags=["authors"], response_model=Author, responses=NOT_FOUND)
def get_author(author_id: int):
    """Get one author"""
    row = store.authors.get(author_id)
    if row is None:
        raise not_found("Author", author_id)
    return Author.model_validate(row)


@app.get("/authors/{author_id:int}/books", tags=["authors"], response_model=list[Book], responses=NOT_FOUND)
def list_author_books(author_id: int):
    """List the books of one author by id"""
    if author_id not in store.authors:
        raise not_found("Author", author_id)
    rows = sorted((b for b in store.books.values() if b["author_id"] == author_id), key=lambda b: b["id"])
    return [Book.model_validate(b) for b in rows]


@app.put("/authors/{author_id:int}", tags=["authors"], response_model=Author, responses=NOT_FOUND)
def replace_author(author_id: int, body: AuthorCreate):
    """Replace an author"""
    if author_id not in store.authors:
        raise not_found("Author", author_id)
    row = {"id": author_id, **body.model_dump()}
    store.authors[author_id] = row
    return Author.model_validate(row)


@app.patch("/authors/{author_id:int}", tags=["authors"], response_model=Author, responses=NOT_FOUND)
def update_author(author_id: int, body: AuthorPatch):
    """Change some fields of an author"""
    row = store.authors.get(author_id)
    if row is None:
        raise not_found("Author", author_id)
    row.update(body.model_dump(exclude_none=True))
    return Author.model_validate(row)


@app.delete(
    "/authors/{author_id:int}",
    tags=["authors"],
    status_code=204,
    response_class=Response,
    responses={**NOT_FOUND, **CONFLICT},
)
def delete_author(author_id: int):
    """Remove an author who has no books left"""
    if author_id not in store.authors:
        raise not_found("Author", author_id)
    count = sum(1 for b in store.books.values() if b["author_id"] == author_id)
    if count:
        raise conflict(f"Author {author_id} still has {count} books")
    del store.authors[author_id]
    return Response(status_code=204)


# --------------------------------------------------------------------------------------------------
# Orders
# --------------------------------------------------------------------------------------------------


@app.get("/orders", tags=["orders"], response_model=list[Order])
def list_orders(query: Annotated[OrderListQuery, Query()]):
    """List orders by id, optionally only those with one status"""
    rows = sorted(store.orders.values(), key=lambda o: o["id"])
    if query.status is not None:
        rows = [o for o in rows if o["status"] == query.status]
    return [Order.model_validate(o) for o in rows]


@app.post("/orders", tags=["orders"], status_code=201, response_model=Order, responses=CONFLICT)
def create_order(body: OrderCreate):
    """Place an order; prices are taken from the catalogue"""
    lines = [line.model_dump() for line in body.lines]
    check_books_exist(lines)
    order_lines = store.order_lines(lines)
    row = {
        "id": store.new_id("order"),
        "customer": body.customer,
        "status": "pending",
        "note": body.note,
        "lines": order_lines,
        "total": order_total(order_lines),
        "created_at": store.now(),
    }
    store.orders[row["id"]] = row
    return Order.model_validate(row)


@app.get("/orders/{order_id:int}", tags=["orders"], response_model=Order, responses=NOT_FOUND)
def get_order(order_id: int):
    """Get one order"""
    row = store.orders.get(order_id)
    if row is None:
        raise not_found("Order", order_id)
    return Order.model_validate(row)


@app.put("/orders/{order_id:int}", tags=["orders"], response_model=Order, responses={**NOT_FOUND, **CONFLICT})
def replace_order(order_id: int, body: OrderReplace):
    """Replace an order (it keeps its creation time)"""
    row = store.orders.get(order_id)
    if row is None:
        raise not_found("Order", order_id)
    if row["status"] == "cancelled":
        raise conflict(f"Order {order_id} is cancelled")
    lines = [line.model_dump() for line in body.lines]
    check_books_exist(lines)
    order_lines = store.order_lines(lines)
    row.update(
        customer=body.customer, status=body.status, note=body.note, lines=order_lines, total=order_total(order_lines)
    )
    return Order.model_validate(row)


@app.patch("/orders/{order_id:int}", tags=["orders"], response_model=Order, responses={**NOT_FOUND, **CONFLICT})
def update_order(order_id: int, body: OrderPatch):
    """Change the status or the note of an order"""
    row = store.orders.get(order_id)
    if row is None:
        raise not_found("Order", order_id)
    if row["status"] == "cancelled":
        raise conflict(f"Order {order_id} is cancelled")
    row.update(body.model_dump(exclude_none=True))
    return Order.model_validate(row)


@app.delete("/orders/{order_id:int}", tags=["orders"], status_code=204, response_class=Response, responses=NOT_FOUND)
def delete_order(order_id: int):
    """Delete an order"""
    if store.orders.pop(order_id, None) is None:
        raise not_found("Order", order_id)
    return Response(status_code=204)


# --------------------------------------------------------------------------------------------------
# Admin (X-API-Key) and health
# --------------------------------------------------------------------------------------------------


def require_api_key(api_key: Optional[str]) -> None:
    if api_key != API_KEY:
        raise HTTPException(status_code=401, detail="Invalid or missing API key")


@app.get("/admin/stats", tags=["admin"], response_model=AdminStats, responses=UNAUTHORIZED)
def admin_stats(api_key: Annotated[Optional[str], Security(api_key_header)]):
    """Counts and revenue"""
    require_api_key(api_key)
    return stats()


@app.post("/admin/reset", tags=["admin"], response_model=AdminStats, responses=UNAUTHORIZED)
def admin_reset(api_key: Annotated[Optional[str], Security(api_key_header)]):
    """Restore the seed data"""
    require_api_key(api_key)
    store.reset()
    return stats()


@app.get("/health", response_model=Health)
def health():
    """Liveness probe"""
    return {"status": "ok"}
