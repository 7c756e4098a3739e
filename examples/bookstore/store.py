"""Seed data and a tiny in-memory store for the bookstore example apps.

Every app module creates its *own* `Store()`, so the legacy, modern and regressed apps never share
state: a request that creates a book in one app does not change the others. `Store.reset()` puts
the seed data back, which is what each app's module-level `reset()` calls.

Nothing here depends on a web framework; the apps turn these plain dicts into pydantic models.
Time is deterministic on purpose: orders get their `created_at` from a fixed clock that advances one
hour per order, never from `datetime.now()`, so two fresh runs answer byte-for-byte the same.
"""

import copy
from datetime import date, datetime, timedelta, timezone

# The shop's fixed clock: seed order n was created at CLOCK_START + n hours, and every new order
# advances the clock by one more hour.
CLOCK_START = datetime(2024, 3, 1, 9, 0, tzinfo=timezone.utc)

SEED_AUTHORS = [
    {"id": 1, "name": "Ursula K. Le Guin", "country": "US", "born": date(1929, 10, 21)},
    {"id": 2, "name": "Italo Calvino", "country": "IT", "born": date(1923, 10, 15)},
    {"id": 3, "name": "Octavia E. Butler", "country": "US", "born": date(1947, 6, 22)},
    {"id": 4, "name": "Stanisław Lem", "country": "PL", "born": date(1921, 9, 12)},
    {"id": 5, "name": "Anonymous", "country": None, "born": None},
]


def _book(id, title, author_id, published, price, tags, isbn=None, subtitle=None):
    return {
        "id": id,
        "title": title,
        "subtitle": subtitle,
        "isbn": isbn,
        "price": price,
        "published": published,
        "author_id": author_id,
        "tags": tags,
    }


SEED_BOOKS = [
    _book(1, "A Wizard of Earthsea", 1, date(1968, 11, 1), 8.99, ["fantasy", "classic"], "978-0-547-72202-3"),
    _book(2, "The Left Hand of Darkness", 1, date(1969, 3, 1), 9.99, ["sci-fi", "classic"], "978-0-441-47812-5"),
    _book(3, "The Dispossessed", 1, date(1974, 5, 1), 11.5, ["sci-fi", "utopia"], "978-0-06-051275-3",
          subtitle="An Ambiguous Utopia"),
    _book(4, "Invisible Cities", 2, date(1972, 11, 1), 12.0, ["fiction", "classic"]),
    _book(5, "If on a Winter's Night a Traveler", 2, date(1979, 6, 1), 13.25, ["fiction"], "978-0-15-643961-1"),
    _book(6, "The Baron in the Trees", 2, date(1957, 1, 1), 10.0, ["fiction", "classic"]),
    _book(7, "Kindred", 3, date(1979, 6, 1), 9.5, ["sci-fi", "history"], "978-0-8070-8305-4"),
    _book(8, "Parable of the Sower", 3, date(1993, 10, 1), 12.99, ["sci-fi", "dystopia"], "978-1-53-871385-1"),
    _book(9, "Dawn", 3, date(1987, 5, 1), 8.5, ["sci-fi"], subtitle="Xenogenesis, Book One"),
    _book(10, "Solaris", 4, date(1961, 6, 1), 14.0, ["sci-fi", "classic"], "978-0-15-602760-1"),
    _book(11, "The Cyberiad", 4, date(1965, 1, 1), 15.5, ["sci-fi", "humor"], subtitle="Fables for the Cybernetic Age"),
    _book(12, "His Master's Voice", 4, date(1968, 1, 1), 13.0, ["sci-fi"]),
]

# (id, customer, status, note, [(book_id, quantity), ...])
_SEED_ORDERS = [
    (1, "alice@example.com", "paid", None, [(1, 1), (4, 2)]),
    (2, "bob@example.com", "shipped", "gift wrap, please", [(10, 1)]),
    (3, "carol@example.com", "pending", None, [(7, 1), (8, 1), (9, 3)]),
    (4, "dave@example.com", "cancelled", "changed my mind", [(11, 2)]),
]


class Store:
    """Authors, books and orders keyed by id, plus id counters and the fixed clock."""

    def __init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        self.authors = {a["id"]: copy.deepcopy(a) for a in SEED_AUTHORS}
        self.books = {b["id"]: copy.deepcopy(b) for b in SEED_BOOKS}
        self.orders = {}
        self._next_id = {"author": len(SEED_AUTHORS) + 1, "book": len(SEED_BOOKS) + 1, "order": 1}
        self._ticks = 0
        for order_id, customer, status, note, lines in _SEED_ORDERS:
            order = {"id": self.new_id("order"), "customer": customer, "status": status, "note": note}
            order["lines"] = self.order_lines([{"book_id": b, "quantity": q} for b, q in lines])
            order["total"] = order_total(order["lines"])
            order["created_at"] = self.now()
            assert order["id"] == order_id
            self.orders[order_id] = order

    def new_id(self, kind: str) -> int:
        value = self._next_id[kind]
        self._next_id[kind] += 1
        return value

    def now(self) -> datetime:
        """The shop clock: one hour later on every call."""
        self._ticks += 1
        return CLOCK_START + timedelta(hours=self._ticks)

    def order_lines(self, lines: list[dict]) -> list[dict]:
        """Snapshot title and unit price of each ordered book (callers check the books exist)."""
        return [
            {
                "book_id": line["book_id"],
                "title": self.books[line["book_id"]]["title"],
                "quantity": line["quantity"],
                "unit_price": self.books[line["book_id"]]["price"],
            }
            for line in lines
        ]


def order_total(lines: list[dict]) -> float:
    return round(sum(line["quantity"] * line["unit_price"] for line in lines), 2)
