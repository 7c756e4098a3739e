"""The legacy bookstore API: Flask + flask-openapi3.

This is the service being migrated. `modern_app.py` is its faithful FastAPI port and
`regressed_app.py` a port with deliberate mistakes (see REGRESSIONS.md).

Run it:  cd examples/bookstore && flask --app legacy_app run
Spec:    GET /openapi/openapi.json (or `app.api_doc` in-process)

Wire contract, chosen so that a FastAPI port can match it exactly:
- every error is JSON `{"detail": "..."}`: unknown ids (404), conflicts (409), a wrong or missing
  API key (401), unknown routes (404), wrong methods (405) and crashes (500);
- request validation fails with 422 and FastAPI's shape
  `{"detail": [{"loc": ["query", "per_page"], "msg": "...", "type": "..."}]}`: the location prefix
  ("header", "path", "query" or "body") comes from the name of the model that failed;
- dates and datetimes are ISO 8601 strings (`model_dump(mode="json")`), never Flask's RFC 1123;
- DELETE answers 204 with an empty body;
- routes have no trailing slash, and `/books/` is a 404 (Flask only redirects rules that end in "/").
"""

from datetime import date, datetime
from typing import Literal, Optional

from flask import make_response
from flask_openapi3 import Info, OpenAPI, Tag
from pydantic import BaseModel, Field, RootModel, ValidationError
from werkzeug.exceptions import HTTPException

from store import Store, order_total

API_KEY = "secret-key"

store = Store()


def reset() -> None:
    """Restore the seed data (tests call this between requests)."""
    store.reset()


# --------------------------------------------------------------------------------------------------
# Models
# --------------------------------------------------------------------------------------------------

OrderStatus = Literal["pending", "paid", "shipped", "cancelled"]


class ErrorModel(BaseModel):
    detail: str = Field(..., description="What went wrong", examples=["Book 7 not found"])


class ValidationErrorItem(BaseModel):
    loc: list[str | int]
    msg: str
    type: str


class HTTPValidationError(BaseModel):
    detail: list[ValidationErrorItem]


class Author(BaseModel):
    id: int
    name: str
    country: Optional[str] = Field(None, description="ISO 3166 alpha-2 code")
    born: Optional[date] = None


class AuthorList(RootModel[list[Author]]):
    pass


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


class BookList(RootModel[list[Book]]):
    pass


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


class OrderList(RootModel[list[Order]]):
    pass


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


# Query, path and header models: the suffix tells the validation error handler where the value came
# from ("BookSearchQuery" -> "query"), mirroring FastAPI's loc prefix.


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


class BookPath(BaseModel):
    book_id: int


class AuthorPath(BaseModel):
    author_id: int


class OrderPath(BaseModel):
    order_id: int


class ApiKeyHeader(BaseModel):
    api_key: Optional[str] = Field(None, alias="X-API-Key")


# --------------------------------------------------------------------------------------------------
# The app and its error handling
# --------------------------------------------------------------------------------------------------

_LOCATIONS = (("Header", "header"), ("Path", "path"), ("Query", "query"))
NOT_AN_OBJECT = "Input should be a valid dictionary or object"


def validation_error_response(error: ValidationError):
    """flask-openapi3 validation failures, reshaped like FastAPI's 422 body.

    flask-openapi3 validates the header, path, query and body models in that order and stops at the
    first one that fails, so all errors of one response come from one location.
    """
    model = error.title
    location = next((where for suffix, where in _LOCATIONS if model.endswith(suffix)), "body")
    detail = []
    for err in error.errors(include_url=False):
        if location == "body" and (not err["loc"] or err["type"] == "json_invalid"):
            # No body, a body that is not JSON, or JSON that is not an object.
            detail.append({"loc": ["body"], "msg": "Request body must be a JSON object", "type": "model_type"})
        elif err["type"] == "model_type":
            # A nested object that is not an object. pydantic's message names the model class here
            # ("... or instance of OrderLineIn") but not under FastAPI, so both apps use this wording.
            detail.append({"loc": [location, *err["loc"]], "msg": NOT_AN_OBJECT, "type": "model_type"})
        else:
            detail.append({"loc": [location, *err["loc"]], "msg": err["msg"], "type": err["type"]})
    return make_response({"detail": detail}, 422)


app = OpenAPI(
    __name__,
    info=Info(title="Bookstore API", version="1.4.0", description="The legacy bookstore service."),
    security_schemes={"api_key": {"type": "apiKey", "in": "header", "name": "X-API-Key"}},
    responses={422: HTTPValidationError},
    validation_error_status=422,
    validation_error_model=ValidationErrorItem,
    validation_error_callback=validation_error_response,
)
app.json.ensure_ascii = False


@app.errorhandler(HTTPException)
def http_error_as_json(error: HTTPException):
    """404 for unknown routes (and for `/books/abc`: the int converter does not match), 405, 500..."""
    response = error.get_response()  # keeps headers such as Allow on a 405
    response.set_data(app.json.dumps({"detail": error.name}))
    response.content_type = "application/json"
    return response


def not_found(kind: str, id: int):
    return {"detail": f"{kind} {id} not found"}, 404


def conflict(message: str):
    return {"detail": message}, 409


books_tag = Tag(name="books", description="The catalogue")
authors_tag = Tag(name="authors")
orders_tag = Tag(name="orders")
admin_tag = Tag(name="admin", description="Needs the X-API-Key header")


# --------------------------------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------------------------------


def book_json(row: dict) -> dict:
    return Book.model_validate(row).model_dump(mode="json")


def book_detail_json(row: dict) -> dict:
    author = store.authors[row["author_id"]]
    return BookDetail.model_validate({**row, "author": author}).model_dump(mode="json")


def author_json(row: dict) -> dict:
    return Author.model_validate(row).model_dump(mode="json")


def order_json(row: dict) -> dict:
    return Order.model_validate(row).model_dump(mode="json")


def paginate(rows: list[dict], page: int, per_page: int) -> dict:
    start = (page - 1) * per_page
    return {
        "items": [book_json(row) for row in rows[start : start + per_page]],
        "total": len(rows),
        "page": page,
        "per_page": per_page,
    }


def check_book_refs(data: dict, book_id: Optional[int] = None):
    """Conflict message for an unknown author or an ISBN used by another book, else None."""
    if "author_id" in data and data["author_id"] not in store.authors:
        return f"Author {data['author_id']} does not exist"
    isbn = data.get("isbn")
    if isbn is not None and any(b["isbn"] == isbn and b["id"] != book_id for b in store.books.values()):
        return f"ISBN {isbn} is already used by another book"
    return None


def missing_book(lines: list[dict]) -> Optional[int]:
    return next((line["book_id"] for line in lines if line["book_id"] not in store.books), None)


def stats() -> dict:
    by_status: dict[str, int] = {}
    for order in store.orders.values():
        by_status[order["status"]] = by_status.get(order["status"], 0) + 1
    revenue = sum(o["total"] for o in store.orders.values() if o["status"] != "cancelled")
    return {
        "authors": len(store.authors),
        "books": len(store.books),
        "orders": len(store.orders),
        "revenue": round(revenue, 2),
        "orders_by_status": by_status,
    }


# --------------------------------------------------------------------------------------------------
# Books
# --------------------------------------------------------------------------------------------------


@app.get("/books", tags=[books_tag], responses={200: BookPage})
def list_books(query: PageQuery):
    """List books by id, one page at a time"""
    rows = sorted(store.books.values(), key=lambda b: b["id"])
    return paginate(rows, query.page, query.per_page)


@app.get("/books/search", tags=[books_tag], responses={200: BookPage})
def search_books(query: BookSearchQuery):
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


@app.post("/books", tags=[books_tag], responses={201: BookDetail, 409: ErrorModel})
def create_book(body: BookCreate):
    """Add a book to the catalogue"""
    data = body.model_dump()
    problem = check_book_refs(data)
    if problem:
        return conflict(problem)
    row = {"id": store.new_id("book"), **data}
    store.books[row["id"]] = row
    return book_detail_json(row), 201


@app.get("/books/<int:book_id>", tags=[books_tag], responses={200: BookDetail, 404: ErrorModel})
def get_book(path: BookPath):
    """Get one book with its author"""
    row = store.books.get(path.book_id)
    if row is None:
        return not_found("Book", path.book_id)
    return book_detail_json(row)


@app.put("/books/<int:book_id>", tags=[books_tag], responses={200: BookDetail, 404: ErrorModel, 409: ErrorModel})
def replace_book(path: BookPath, body: BookCreate):
    """Replace a book"""
    if path.book_id not in store.books:
        return not_found("Book", path.book_id)
    data = body.model_dump()
    problem = check_book_refs(data, path.book_id)
    if problem:
        return conflict(problem)
    row = {"id": path.book_id, **data}
    store.books[path.book_id] = row
    return book_detail_json(row)


@app.patch("/books/<int:book_id>", tags=[books_tag], responses={200: BookDetail, 404: ErrorModel, 409: ErrorModel})
def update_book(path: BookPath, body: BookPatch):
    """Change some fields of a book"""
    row = store.books.get(path.book_id)
    if row is None:
        return not_found("Book", path.book_id)
    changes = body.model_dump(exclude_none=True)
    problem = check_book_refs(changes, path.book_id)
    if problem:
        return conflict(problem)
    row.update(changes)
    return book_detail_json(row)


@app.delete("/books/<int:book_id>", tags=[books_tag], responses={204: None, 404: ErrorModel})
def delete_book(path: BookPath):
    """Remove a book (orders keep their copy of its title and price)"""
    if store.books.pop(path.book_id, None) is None:
        return not_found("Book", path.book_id)
    return "", 204


# --------------------------------------------------------------------------------------------------
# Authors
# --------------------------------------------------------------------------------------------------


@app.get("/authors", tags=[authors_tag], responses={200: AuthorList})
def list_authors():
    """List all authors by id"""
    return [author_json(a) for a in sorted(store.authors.values(), key=lambda a: a["id"])]


@app.post("/authors", tags=[authors_tag], responses={201: Author})
def create_author(body: AuthorCreate):
    """Add an author"""
    row = {"id": store.new_id("author"), **body.model_dump()}
    store.authors[row["id"]] = row
    return author_json(row), 201


@app.get("/authors/<int:author_id>", tags=[authors_tag], responses={200: Author, 404: ErrorModel})
def get_author(path: AuthorPath):
    """Get one author"""
    row = store.authors.get(path.author_id)
    if row is None:
        return not_found("Author", path.author_id)
    return author_json(row)


@app.get("/authors/<int:author_id>/books", tags=[authors_tag], responses={200: BookList, 404: ErrorModel})
def list_author_books(path: AuthorPath):
    """List the books of one author by id"""
    if path.author_id not in store.authors:
        return not_found("Author", path.author_id)
    rows = sorted((b for b in store.books.values() if b["author_id"] == path.author_id), key=lambda b: b["id"])
    return [book_json(b) for b in rows]


@app.put("/authors/<int:author_id>", tags=[authors_tag], responses={200: Author, 404: ErrorModel})
def replace_author(path: AuthorPath, body: AuthorCreate):
    """Replace an author"""
    if path.author_id not in store.authors:
        return not_found("Author", path.author_id)
    row = {"id": path.author_id, **body.model_dump()}
    store.authors[path.author_id] = row
    return author_json(row)


@app.patch("/authors/<int:author_id>", tags=[authors_tag], responses={200: Author, 404: ErrorModel})
def update_author(path: AuthorPath, body: AuthorPatch):
    """Change some fields of an author"""
    row = store.authors.get(path.author_id)
    if row is None:
        return not_found("Author", path.author_id)
    row.update(body.model_dump(exclude_none=True))
    return author_json(row)


@app.delete("/authors/<int:author_id>", tags=[authors_tag], responses={204: None, 404: ErrorModel, 409: ErrorModel})
def delete_author(path: AuthorPath):
    """Remove an author who has no books left"""
    if path.author_id not in store.authors:
        return not_found("Author", path.author_id)
    count = sum(1 for b in store.books.values() if b["author_id"] == path.author_id)
    if count:
        return conflict(f"Author {path.author_id} still has {count} books")
    del store.authors[path.author_id]
    return "", 204


# --------------------------------------------------------------------------------------------------
# Orders
# --------------------------------------------------------------------------------------------------


@app.get("/orders", tags=[orders_tag], responses={200: OrderList})
def list_orders(query: OrderListQuery):
    """List orders by id, optionally only those with one status"""
    rows = sorted(store.orders.values(), key=lambda o: o["id"])
    if query.status is not None:
        rows = [o for o in rows if o["status"] == query.status]
    return [order_json(o) for o in rows]


@app.post("/orders", tags=[orders_tag], responses={201: Order, 409: ErrorModel})
def create_order(body: OrderCreate):
    """Place an order; prices are taken from the catalogue"""
    lines = [line.model_dump() for line in body.lines]
    unknown = missing_book(lines)
    if unknown is not None:
        return conflict(f"Book {unknown} does not exist")
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
    return order_json(row), 201


@app.get("/orders/<int:order_id>", tags=[orders_tag], responses={200: Order, 404: ErrorModel})
def get_order(path: OrderPath):
    """Get one order"""
    row = store.orders.get(path.order_id)
    if row is None:
        return not_found("Order", path.order_id)
    return order_json(row)


@app.put("/orders/<int:order_id>", tags=[orders_tag], responses={200: Order, 404: ErrorModel, 409: ErrorModel})
def replace_order(path: OrderPath, body: OrderReplace):
    """Replace an order (it keeps its creation time)"""
    row = store.orders.get(path.order_id)
    if row is None:
        return not_found("Order", path.order_id)
    if row["status"] == "cancelled":
        return conflict(f"Order {path.order_id} is cancelled")
    lines = [line.model_dump() for line in body.lines]
    unknown = missing_book(lines)
    if unknown is not None:
        return conflict(f"Book {unknown} does not exist")
    order_lines = store.order_lines(lines)
    row.update(
        customer=body.customer, status=body.status, note=body.note, lines=order_lines, total=order_total(order_lines)
    )
    return order_json(row)


@app.patch("/orders/<int:order_id>", tags=[orders_tag], responses={200: Order, 404: ErrorModel, 409: ErrorModel})
def update_order(path: OrderPath, body: OrderPatch):
    """Change the status or the note of an order"""
    row = store.orders.get(path.order_id)
    if row is None:
        return not_found("Order", path.order_id)
    if row["status"] == "cancelled":
        return conflict(f"Order {path.order_id} is cancelled")
    row.update(body.model_dump(exclude_none=True))
    return order_json(row)


@app.delete("/orders/<int:order_id>", tags=[orders_tag], responses={204: None, 404: ErrorModel})
def delete_order(path: OrderPath):
    """Delete an order"""
    if store.orders.pop(path.order_id, None) is None:
        return not_found("Order", path.order_id)
    return "", 204


# --------------------------------------------------------------------------------------------------
# Admin (X-API-Key) and health
# --------------------------------------------------------------------------------------------------

_unauthorized = ({"detail": "Invalid or missing API key"}, 401)


@app.get("/admin/stats", tags=[admin_tag], security=[{"api_key": []}], responses={200: AdminStats, 401: ErrorModel})
def admin_stats(header: ApiKeyHeader):
    """Counts and revenue"""
    if header.api_key != API_KEY:
        return _unauthorized
    return stats()


@app.post("/admin/reset", tags=[admin_tag], security=[{"api_key": []}], responses={200: AdminStats, 401: ErrorModel})
def admin_reset(header: ApiKeyHeader):
    """Restore the seed data"""
    if header.api_key != API_KEY:
        return _unauthorized
    store.reset()
    return stats()


@app.get("/health", responses={200: Health})
def health():
    """Liveness probe"""
    return {"status": "ok"}
