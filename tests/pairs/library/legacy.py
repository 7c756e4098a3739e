"""Legacy library API (books + loans): flask-restx, an in-memory store, what clients rely on.

- `GET /books/` pages and filters with reqparse query args (`genre` choices, `limit` 1..50 with a
  default, `offset`), answers `{items, total}`;
- books carry nested authors (`fields.List(fields.Nested(Author))`), a list of tags, an enum
  `genre`, a datetime `added_at` (restx ISO 8601, `+00:00`) and an optional `summary` (restx
  marshalling writes `null` when it is missing);
- `POST /books/` validates its body against the model (`@ns.expect(model, validate=True)`: 400
  `{"errors": {...}, "message": "Input payload validation failed"}`), answers 201, 409 on a
  duplicate ISBN;
- `GET/DELETE /books/<int:book_id>`: 404 `{"message": ...}` via `api.abort`, DELETE answers 204;
- `GET /loans/` filters by `member` and `status`; `POST /loans/` lends a book (404 unknown book,
  409 already lent); `POST /loans/<int:loan_id>/return` sets `returned_at`.
"""

from __future__ import annotations

import copy
from datetime import datetime, timedelta, timezone

from flask import Flask
from flask_restx import Api, Namespace, Resource, fields, inputs, reqparse

GENRES = ["fiction", "science", "history", "kids"]
LOAN_STATES = ["active", "returned"]
ISBN_PATTERN = r"^97[89][0-9]{10}$"
EPOCH = datetime(2024, 3, 1, 9, 30, tzinfo=timezone.utc)

app = Flask(__name__)
app.config["ERROR_404_HELP"] = False  # plain `{"message": ...}` 404s, no "did you mean" hint
api = Api(app, version="2.3", title="Library API", description="Books and loans")
books_ns = Namespace("books", description="The catalogue")
loans_ns = Namespace("loans", description="Who has which book")
api.add_namespace(books_ns)
api.add_namespace(loans_ns)

author = api.model("Author", {
    "name": fields.String(required=True, min_length=1, max_length=80),
    "born": fields.Integer(min=1000, max=2100),
})
book_input = api.model("BookInput", {
    "isbn": fields.String(required=True, pattern=ISBN_PATTERN),
    "title": fields.String(required=True, min_length=1, max_length=120),
    "genre": fields.String(required=True, enum=GENRES),
    "authors": fields.List(fields.Nested(author), required=True, min_items=1, max_items=5),
    "tags": fields.List(fields.String(max_length=20), max_items=5),
    "summary": fields.String(max_length=300),
})
book = api.inherit("Book", book_input, {
    "id": fields.Integer(readonly=True),
    "added_at": fields.DateTime(readonly=True),
    "available": fields.Boolean(readonly=True),
})
book_page = api.model("BookPage", {
    "items": fields.List(fields.Nested(book)),
    "total": fields.Integer,
})
loan_input = api.model("LoanInput", {
    "book_id": fields.Integer(required=True, min=1),
    "member": fields.String(required=True, min_length=1, max_length=40),
    "days": fields.Integer(min=1, max=60, default=14),
})
loan = api.model("Loan", {
    "id": fields.Integer(readonly=True),
    "book_id": fields.Integer,
    "member": fields.String,
    "status": fields.String(enum=LOAN_STATES),
    "lent_at": fields.DateTime,
    "due": fields.Date,
    "returned_at": fields.DateTime,
})

book_args = reqparse.RequestParser()
book_args.add_argument("genre", type=str, choices=GENRES, location="args")
book_args.add_argument("limit", type=inputs.int_range(1, 50), default=20, location="args")
book_args.add_argument("offset", type=inputs.natural, default=0, location="args")

loan_args = reqparse.RequestParser()
loan_args.add_argument("member", type=str, location="args")
loan_args.add_argument("status", type=str, choices=LOAN_STATES, location="args")

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
        api.abort(404, f"Book {book_id} not found")
    return BOOKS[book_id]


@books_ns.route("/")
class BookList(Resource):
    @books_ns.expect(book_args)
    @books_ns.marshal_with(book_page)
    def get(self):
        """List books, optionally by genre"""
        args = book_args.parse_args()
        found = [b for b in BOOKS.values() if args["genre"] is None or b["genre"] == args["genre"]]
        return {"items": found[args["offset"]: args["offset"] + args["limit"]], "total": len(found)}

    @books_ns.expect(book_input, validate=True)
    @books_ns.response(409, "ISBN already in the catalogue")
    @books_ns.marshal_with(book, code=201)
    def post(self):
        """Add a book"""
        data = api.payload
        if any(b["isbn"] == data["isbn"] for b in BOOKS.values()):
            api.abort(409, f"ISBN {data['isbn']} is already in the catalogue")
        fields_sent = {k: data[k] for k in ("isbn", "title", "genre", "authors", "tags", "summary") if k in data}
        return _add_book(fields_sent), 201


@books_ns.route("/<int:book_id>")
@books_ns.response(404, "Book not found")
class BookItem(Resource):
    @books_ns.marshal_with(book)
    def get(self, book_id):
        """One book"""
        return _book_or_404(book_id)

    @books_ns.response(204, "Book removed")
    @books_ns.response(409, "Book is lent out")
    def delete(self, book_id):
        """Remove a book"""
        record = _book_or_404(book_id)
        if not record["available"]:
            api.abort(409, f"Book {book_id} is lent out")
        del BOOKS[book_id]
        return "", 204


@loans_ns.route("/")
class LoanList(Resource):
    @loans_ns.expect(loan_args)
    @loans_ns.marshal_list_with(loan)
    def get(self):
        """List loans"""
        args = loan_args.parse_args()
        return [entry for entry in LOANS.values()
                if (args["member"] is None or entry["member"] == args["member"])
                and (args["status"] is None or entry["status"] == args["status"])]

    @loans_ns.expect(loan_input, validate=True)
    @loans_ns.response(404, "Book not found")
    @loans_ns.response(409, "Book is lent out")
    @loans_ns.marshal_with(loan, code=201)
    def post(self):
        """Lend a book"""
        data = api.payload
        record = _book_or_404(data["book_id"])
        if not record["available"]:
            api.abort(409, f"Book {record['id']} is lent out")
        return _lend(record, data["member"], data.get("days", 14)), 201


@loans_ns.route("/<int:loan_id>/return")
@loans_ns.response(404, "Loan not found")
@loans_ns.response(409, "Loan already returned")
class LoanReturn(Resource):
    @loans_ns.marshal_with(loan)
    def post(self, loan_id):
        """Return a lent book"""
        if loan_id not in LOANS:
            api.abort(404, f"Loan {loan_id} not found")
        entry = LOANS[loan_id]
        if entry["status"] == "returned":
            api.abort(409, f"Loan {loan_id} was already returned")
        entry.update(status="returned", returned_at=_now())
        if entry["book_id"] in BOOKS:
            BOOKS[entry["book_id"]]["available"] = True
        return entry


reset()
