"""Legacy ticket tracker: flask-openapi3 with an APIBlueprint, nested models, enums, datetimes.

Server-generated values differ on every call (uuid4 ids, `now()` timestamps), so two calls to this
very app never answer a POST identically: apiparity must cancel that noise, not report it.
Auth is an API key in `X-Token`, declared as a security scheme and checked before each request of
the blueprint. Validation errors keep flask-openapi3's default: 422 with pydantic's error list.
"""

from __future__ import annotations

import copy
from datetime import datetime, timezone
from enum import Enum
from uuid import UUID, uuid4

from flask_openapi3 import APIBlueprint, Info, OpenAPI, Tag
from flask import request
from pydantic import BaseModel, Field

TOKEN = "s3cret"


class Priority(str, Enum):
    low = "low"
    normal = "normal"
    high = "high"


class Status(str, Enum):
    open = "open"
    in_progress = "in_progress"
    closed = "closed"


class Person(BaseModel):
    name: str = Field(..., min_length=1, max_length=40)
    email: str = Field(..., pattern=r"^[a-z]{1,10}@[a-z]{1,10}\.[a-z]{2,3}$")


class TicketCreate(BaseModel):
    title: str = Field(..., min_length=1, max_length=100)
    priority: Priority = Priority.normal
    labels: list[str] = Field([], max_length=5)
    reporter: Person
    due: datetime | None = None


class TicketPatch(BaseModel):
    status: Status | None = None
    priority: Priority | None = None


class Ticket(BaseModel):
    id: UUID
    title: str
    priority: Priority
    status: Status
    labels: list[str]
    reporter: Person
    due: datetime | None = None
    created_at: datetime
    updated_at: datetime


class TicketList(BaseModel):
    items: list[Ticket]
    total: int


class TicketQuery(BaseModel):
    status: list[Status] = Field([], description="Any of these statuses")
    label: str | None = None
    limit: int = Field(20, ge=1, le=50)


class TicketPath(BaseModel):
    ticket_id: UUID


class Stats(BaseModel):
    by_status: dict[str, int]
    generated_at: datetime


class Message(BaseModel):
    message: str


_T0 = datetime(2024, 5, 1, 8, 0, tzinfo=timezone.utc)
_SEED = [
    Ticket(id=UUID("00000000-0000-4000-8000-000000000001"), title="Printer on fire", priority=Priority.high,
           status=Status.open, labels=["hardware"], reporter=Person(name="Ada", email="ada@corp.io"),
           due=None, created_at=_T0, updated_at=_T0),
    Ticket(id=UUID("00000000-0000-4000-8000-000000000002"), title="VPN slow", priority=Priority.normal,
           status=Status.in_progress, labels=["network", "remote"], reporter=Person(name="Bob", email="bob@corp.io"),
           due=datetime(2024, 6, 1, 17, 30, tzinfo=timezone.utc), created_at=_T0, updated_at=_T0),
    Ticket(id=UUID("00000000-0000-4000-8000-000000000003"), title="New laptop", priority=Priority.low,
           status=Status.closed, labels=[], reporter=Person(name="Cy", email="cy@corp.io"),
           due=None, created_at=_T0, updated_at=_T0),
]

tickets: dict[UUID, Ticket] = {}


def reset() -> None:
    tickets.clear()
    tickets.update({t.id: copy.deepcopy(t) for t in _SEED})


reset()

security_schemes = {"token": {"type": "apiKey", "in": "header", "name": "X-Token"}}
app = OpenAPI(__name__, info=Info(title="Tickets", version="2.0"), security_schemes=security_schemes)
bp = APIBlueprint("tickets", __name__, url_prefix="/v1/tickets", abp_tags=[Tag(name="tickets")],
                  abp_security=[{"token": []}])


@bp.before_request
def require_token():
    if request.headers.get("X-Token") != TOKEN:
        return {"message": "invalid or missing token"}, 401
    return None


@bp.get("", responses={200: TicketList})
def list_tickets(query: TicketQuery):
    """List tickets, newest first."""
    items = sorted(tickets.values(), key=lambda t: (t.created_at, str(t.id)), reverse=True)
    if query.status:
        items = [t for t in items if t.status in query.status]
    if query.label:
        items = [t for t in items if query.label in t.labels]
    return TicketList(items=items[: query.limit], total=len(items)).model_dump(mode="json")


@bp.post("", responses={201: Ticket})
def create_ticket(body: TicketCreate):
    """Open a ticket."""
    now = datetime.now(timezone.utc)
    ticket = Ticket(id=uuid4(), status=Status.open, created_at=now, updated_at=now, **body.model_dump())
    tickets[ticket.id] = ticket
    return ticket.model_dump(mode="json"), 201


@bp.get("/<uuid:ticket_id>", responses={200: Ticket, 404: Message})
def get_ticket(path: TicketPath):
    """One ticket."""
    ticket = tickets.get(path.ticket_id)
    if ticket is None:
        return {"message": f"ticket {path.ticket_id} not found"}, 404
    return ticket.model_dump(mode="json")


@bp.patch("/<uuid:ticket_id>", responses={200: Ticket, 404: Message})
def update_ticket(path: TicketPath, body: TicketPatch):
    """Change the status or priority of a ticket."""
    ticket = tickets.get(path.ticket_id)
    if ticket is None:
        return {"message": f"ticket {path.ticket_id} not found"}, 404
    changes = body.model_dump(exclude_none=True)
    updated = ticket.model_copy(update={**changes, "updated_at": datetime.now(timezone.utc)})
    tickets[updated.id] = updated
    return updated.model_dump(mode="json")


@bp.get("/stats", responses={200: Stats})
def ticket_stats():
    """Tickets per status."""
    counts = {status.value: 0 for status in Status}
    for ticket in tickets.values():
        counts[ticket.status.value] += 1
    return Stats(by_status=counts, generated_at=datetime.now(timezone.utc)).model_dump(mode="json")


app.register_api(bp)


@app.get("/health", responses={200: Message})
def health():
    """Liveness."""
    return {"message": "ok"}
