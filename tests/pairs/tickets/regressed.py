"""FastAPI port of the ticket tracker with four seeded differences (see expected.json).

R1 POST /v1/tickets: the create model's priority enum lost "low" (spec: request narrowed).
R2 GET /v1/tickets: only the first `status` value filters (behaviour).
R3 POST /v1/tickets: the new id is written as 32 hex digits, no dashes; a field whose value is
   random on every call, so noise cancellation must not hide a change of its format (behaviour).
R4 PATCH /v1/tickets/{ticket_id}: an unknown id answers FastAPI's default 404 body (behaviour).

The rest is the faithful port (modern.py):

Faithful to what clients of the Flask app see: 401 `{"message": ...}` when X-Token is wrong,
404 `{"message": ...}`, and validation errors as flask-openapi3 sends them (422, a bare list of
pydantic errors whose `loc` has no "body"/"query"/"path" prefix, with the pydantic `url`).
"""

from __future__ import annotations

import copy
from datetime import datetime, timezone
from enum import Enum
from typing import Annotated
from uuid import UUID, uuid4

import pydantic
from fastapi import APIRouter, Depends, FastAPI, HTTPException, Query, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.security import APIKeyHeader
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


class CreatePriority(str, Enum):
    normal = "normal"
    high = "high"


class TicketCreate(BaseModel):
    title: str = Field(..., min_length=1, max_length=100)
    priority: CreatePriority = CreatePriority.normal  # R1
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


class Unauthorized(Exception):
    pass


class TicketNotFound(Exception):
    def __init__(self, ticket_id: UUID) -> None:
        self.ticket_id = ticket_id


token_header = APIKeyHeader(name="X-Token", scheme_name="token", auto_error=False)


def require_token(token: Annotated[str | None, Depends(token_header)]) -> None:
    if token != TOKEN:
        raise Unauthorized()


def existing_ticket(ticket_id: UUID) -> Ticket:
    ticket = tickets.get(ticket_id)
    if ticket is None:
        raise TicketNotFound(ticket_id)
    return ticket


def existing_ticket_r4(ticket_id: UUID) -> Ticket:
    ticket = tickets.get(ticket_id)
    if ticket is None:
        raise HTTPException(404)  # R4: FastAPI's default {"detail": "Not Found"}
    return ticket


router = APIRouter(prefix="/v1/tickets", tags=["tickets"], dependencies=[Depends(require_token)])
NOT_FOUND = {404: {"model": Message}}


@router.get("", response_model=TicketList)
def list_tickets(
    status: Annotated[list[Status], Query(description="Any of these statuses")] = [],  # noqa: B006
    label: str | None = None,
    limit: Annotated[int, Query(ge=1, le=50)] = 20,
) -> TicketList:
    """List tickets, newest first."""
    items = sorted(tickets.values(), key=lambda t: (t.created_at, str(t.id)), reverse=True)
    if status:
        items = [t for t in items if t.status == status[0]]  # R2
    if label:
        items = [t for t in items if label in t.labels]
    return TicketList(items=items[:limit], total=len(items))


@router.post("", response_model=Ticket, status_code=201)
def create_ticket(body: TicketCreate):
    """Open a ticket."""
    now = datetime.now(timezone.utc)
    ticket = Ticket(id=uuid4(), status=Status.open, created_at=now, updated_at=now, **body.model_dump())
    tickets[ticket.id] = ticket
    return JSONResponse({**jsonable_encoder(ticket), "id": ticket.id.hex}, status_code=201)  # R3


@router.get("/stats", response_model=Stats)
def ticket_stats() -> Stats:
    """Tickets per status."""
    counts = {status.value: 0 for status in Status}
    for ticket in tickets.values():
        counts[ticket.status.value] += 1
    return Stats(by_status=counts, generated_at=datetime.now(timezone.utc))


@router.get("/{ticket_id}", response_model=Ticket, responses=NOT_FOUND)
def get_ticket(ticket: Annotated[Ticket, Depends(existing_ticket)]) -> Ticket:
    """One ticket."""
    return ticket


@router.patch("/{ticket_id}", response_model=Ticket, responses=NOT_FOUND)
def update_ticket(ticket: Annotated[Ticket, Depends(existing_ticket_r4)], body: TicketPatch) -> Ticket:
    """Change the status or priority of a ticket."""
    changes = body.model_dump(exclude_none=True)
    updated = ticket.model_copy(update={**changes, "updated_at": datetime.now(timezone.utc)})
    tickets[updated.id] = updated
    return updated


app = FastAPI(title="Tickets", version="2.0")
app.include_router(router)


@app.get("/health", response_model=Message)
def health() -> Message:
    """Liveness."""
    return Message(message="ok")


@app.exception_handler(Unauthorized)
async def unauthorized(_request: Request, _exc: Unauthorized) -> JSONResponse:
    return JSONResponse({"message": "invalid or missing token"}, status_code=401)


@app.exception_handler(TicketNotFound)
async def not_found(_request: Request, exc: TicketNotFound) -> JSONResponse:
    return JSONResponse({"message": f"ticket {exc.ticket_id} not found"}, status_code=404)


_PYDANTIC_DOCS = f"https://errors.pydantic.dev/{pydantic.version.version_short()}/v/"


@app.exception_handler(RequestValidationError)
async def validation_error(_request: Request, exc: RequestValidationError) -> JSONResponse:
    # flask-openapi3 answers pydantic's own `ValidationError.json()`: no location prefix in loc.
    errors = []
    for error in exc.errors():
        shaped = {"type": error["type"], "loc": list(error["loc"][1:]), "msg": error["msg"], "input": error.get("input")}
        if "ctx" in error:
            shaped["ctx"] = error["ctx"]
        shaped["url"] = _PYDANTIC_DOCS + error["type"]
        errors.append(shaped)
    return JSONResponse(jsonable_encoder(errors), status_code=422)


from tests.pairs.flask_parity import FlaskDefaults  # noqa: E402 - Flask's own HEAD/OPTIONS and first query value

app.add_middleware(FlaskDefaults, document=app.openapi(), werkzeug_errors=True)
