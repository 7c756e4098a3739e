"""FastAPI port of the CRM API, matching what the Flask app's clients see.

What a migration guide makes a careful team do on top of the one-to-one port:
- the same pydantic models (camelCase aliases, `populate_by_name`), `response_model_by_alias=True`;
- `response_model_exclude_unset=True` on the list routes, so a `fields=` projection is not refilled
  with `null`s by the response model;
- `redirect_slashes=False` (Flask answers `/contacts/` with a 404, not a redirect);
- one handler for Starlette's HTTP errors writing Flask's JSON error body (werkzeug's texts for
  unknown routes and methods); a path id that Flask's `<int:>` converter never matches (`abc`, `-1`)
  is werkzeug's 404, not a 422 or the handler's own 404;
- validation errors as the legacy's 422 `{"error": "validation_error", "fields": [...]}`, keeping only
  the errors of the first part flask-openapi3 validates (path, query, body);
- the 422 responses documented as the legacy documents them.
"""

from __future__ import annotations

import copy
from typing import Annotated

from fastapi import FastAPI, Query, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

EMAIL = r"^[a-z0-9.]+@[a-z0-9]+\.[a-z]{2,4}$"


class Camel(BaseModel):
    model_config = ConfigDict(populate_by_name=True)


class Company(Camel):
    id: int
    name: str
    legal_name: str | None = Field(None, alias="legalName")


class Contact(Camel):
    id: int
    first_name: str = Field(alias="firstName")
    last_name: str = Field(alias="lastName")
    email: str
    phone: str | None = None
    archived: bool = False
    company: Company | None = None


class ContactView(Camel):
    """A contact as listed: only the requested `fields`, `id` always."""
    id: int
    first_name: str | None = Field(None, alias="firstName")
    last_name: str | None = Field(None, alias="lastName")
    email: str | None = None
    phone: str | None = None
    archived: bool | None = None
    company: Company | None = None


class Meta(Camel):
    page: int
    page_size: int = Field(alias="pageSize")
    total: int


class ContactPage(Camel):
    data: list[ContactView]
    meta: Meta


class ContactCreate(Camel):
    first_name: str = Field(alias="firstName", min_length=1, max_length=40)
    last_name: str = Field(alias="lastName", min_length=1, max_length=40)
    email: str = Field(pattern=EMAIL, max_length=80)
    phone: str | None = Field(None, pattern=r"^\+[0-9]{6,14}$")
    archived: bool = False
    company_id: int | None = Field(None, alias="companyId", ge=1)


class ContactReplace(ContactCreate):
    pass


class ContactPatch(Camel):
    first_name: str | None = Field(None, alias="firstName", min_length=1, max_length=40)
    last_name: str | None = Field(None, alias="lastName", min_length=1, max_length=40)
    email: str | None = Field(None, pattern=EMAIL, max_length=80)
    phone: str | None = Field(None, pattern=r"^\+[0-9]{6,14}$")
    archived: bool | None = None
    company_id: int | None = Field(None, alias="companyId", ge=1)


class Error(BaseModel):
    error: str
    message: str


class ValidationFailed(BaseModel):
    error: str
    fields: list[str]


_COMPANIES = [
    Company(id=1, name="Acme", legal_name="Acme Corporation Ltd"),
    Company(id=2, name="Globex", legal_name=None),
    Company(id=3, name="Initech", legal_name="Initech GmbH"),
]
_CONTACTS = [
    (1, "Ada", "Lovelace", "ada@acme.com", "+4420700001", False, 1),
    (2, "Grace", "Hopper", "grace@globex.com", None, False, 2),
    (3, "Alan", "Turing", "alan@acme.com", None, True, 1),
    (4, "Edsger", "Dijkstra", "edsger@initech.de", "+31200000", False, None),
    (5, "Barbara", "Liskov", "barbara@globex.com", None, True, 2),
    (6, "Donald", "Knuth", "don@initech.de", None, False, 3),
]

companies: dict[int, Company] = {}
contacts: dict[int, Contact] = {}
counter = {"next": 7}


def reset() -> None:
    companies.clear()
    companies.update({c.id: copy.deepcopy(c) for c in _COMPANIES})
    contacts.clear()
    for cid, first, last, email, phone, archived, company in _CONTACTS:
        contacts[cid] = Contact(id=cid, first_name=first, last_name=last, email=email, phone=phone,
                                archived=archived, company=companies.get(company) if company else None)
    counter["next"] = 7


reset()

# werkzeug's texts, which the Flask app sends for errors its own routing raises
WERKZEUG = {
    404: ("not_found", "The requested URL was not found on the server. If you entered the URL manually please "
                       "check your spelling and try again."),
    405: ("method_not_allowed", "The method is not allowed for the requested URL."),
}


class NotFound(Exception):
    def __init__(self, message: str) -> None:
        self.message = message


class NotRouted(Exception):
    """What Flask's <int:> converter never matches."""


VALIDATION = {422: {"description": "Unprocessable Content", "model": ValidationFailed}}
NOT_FOUND = {404: {"model": Error}}
app = FastAPI(title="CRM", version="2.0", redirect_slashes=False, responses=VALIDATION)


def _get(contact_id: int) -> Contact:
    if contact_id < 0:
        raise NotRouted()
    contact = contacts.get(contact_id)
    if contact is None:
        raise NotFound(f"contact {contact_id} not found")
    return contact


def _company(company_id: int | None) -> Company | None:
    if company_id is None:
        return None
    if company_id not in companies:
        raise NotFound(f"company {company_id} not found")
    return companies[company_id]


def _out(contact: Contact) -> dict:
    return contact.model_dump(mode="json", by_alias=True)


def _build(contact_id: int, data: dict) -> Contact:
    company = _company(data.pop("company_id", None))
    return Contact(id=contact_id, company=company, **data)


@app.get("/contacts", response_model=ContactPage, response_model_by_alias=True, response_model_exclude_unset=True)
def list_contacts(
    archived: Annotated[bool, Query(description="false (default): active contacts only; true: archived only")] = False,
    page: Annotated[int, Query(ge=1, le=1000)] = 1,
    page_size: Annotated[int, Query(alias="pageSize", ge=1, le=50)] = 2,
    fields: Annotated[str | None, Query(max_length=100, description="comma-separated contact keys, e.g. firstName,email")] = None,
):
    """List contacts, one page at a time."""
    found = [c for _, c in sorted(contacts.items()) if c.archived == archived]
    start = (page - 1) * page_size
    data = [_out(c) for c in found[start:start + page_size]]
    if fields:
        keep = {f.strip() for f in fields.split(",")} | {"id"}
        data = [{k: v for k, v in c.items() if k in keep} for c in data]
    return {"data": data, "meta": {"page": page, "pageSize": page_size, "total": len(found)}}


@app.post("/contacts", response_model=Contact, response_model_by_alias=True, status_code=201, responses=NOT_FOUND)
def create_contact(body: ContactCreate):
    """Add a contact."""
    contact = _build(counter["next"], body.model_dump())
    counter["next"] += 1
    contacts[contact.id] = contact
    return contact


@app.get("/contacts/{contact_id}", response_model=Contact, response_model_by_alias=True, responses=NOT_FOUND)
def get_contact(contact_id: int):
    """One contact with its company."""
    return _get(contact_id)


@app.put("/contacts/{contact_id}", response_model=Contact, response_model_by_alias=True, responses=NOT_FOUND)
def replace_contact(contact_id: int, body: ContactReplace):
    """Replace a contact (fields left out take their defaults)."""
    _get(contact_id)
    contact = _build(contact_id, body.model_dump())
    contacts[contact.id] = contact
    return contact


@app.patch("/contacts/{contact_id}", response_model=Contact, response_model_by_alias=True, responses=NOT_FOUND)
def update_contact(contact_id: int, body: ContactPatch):
    """Change the fields sent, keep the others (`phone: null` and `companyId: null` clear them)."""
    contact = _get(contact_id)
    sent = body.model_dump(exclude_unset=True)
    data = contact.model_dump(exclude={"id", "company"})
    data["company_id"] = contact.company.id if contact.company else None
    for key, value in sent.items():
        if value is not None or key in ("phone", "company_id"):
            data[key] = value
    updated = _build(contact.id, data)
    contacts[updated.id] = updated
    return updated


@app.delete("/contacts/{contact_id}", status_code=204, responses=NOT_FOUND)
def delete_contact(contact_id: int) -> Response:
    """Remove a contact."""
    _get(contact_id)
    del contacts[contact_id]
    return Response(status_code=204)


@app.get("/companies", response_model=list[Company], response_model_by_alias=True)
def list_companies():
    """Every company, by id."""
    return [c for _, c in sorted(companies.items())]


@app.get("/companies/{company_id}/contacts", response_model=ContactPage, response_model_by_alias=True,
         response_model_exclude_unset=True, responses=NOT_FOUND)
def company_contacts(company_id: int):
    """The active contacts of one company (a single page)."""
    if company_id < 0:
        raise NotRouted()
    company = _company(company_id)
    found = [_out(c) for _, c in sorted(contacts.items()) if c.company and c.company.id == company.id and not c.archived]
    return {"data": found, "meta": {"page": 1, "pageSize": len(found), "total": len(found)}}


def _error(status: int, error: str, message: str) -> JSONResponse:
    return JSONResponse({"error": error, "message": message}, status_code=status)


@app.exception_handler(NotFound)
async def not_found(_request: Request, exc: NotFound) -> JSONResponse:
    return _error(404, "not_found", exc.message)


@app.exception_handler(NotRouted)
async def not_routed(_request: Request, _exc: NotRouted) -> JSONResponse:
    return _error(404, *WERKZEUG[404])


@app.exception_handler(StarletteHTTPException)
async def http_error(_request: Request, exc: StarletteHTTPException) -> JSONResponse:
    error, message = WERKZEUG.get(exc.status_code, (str(exc.detail).lower().replace(" ", "_"), str(exc.detail)))
    return _error(exc.status_code, error, message)


FLASK_ORDER = ("path", "query", "body")


@app.exception_handler(RequestValidationError)
async def validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
    errors = exc.errors()
    if any(e["loc"][0] == "path" for e in errors):
        return _error(404, *WERKZEUG[404])  # Flask's <int:> converter never routed it
    first = next((part for part in FLASK_ORDER if any(e["loc"][0] == part for e in errors)), None)
    fields = []
    for e in errors:
        if e["loc"][0] != first:
            continue
        if first == "body" and (e["type"] == "json_invalid" or tuple(e["loc"]) == ("body",)):
            fields.append("")  # flask-openapi3 validates what get_json(silent=True) gave: None, or a non-dict
        else:
            fields.append(".".join(str(p) for p in e["loc"][1:]))
    return JSONResponse({"error": "validation_error", "fields": sorted(set(fields))}, status_code=422)


from tests.pairs.flask_parity import FlaskDefaults  # noqa: E402 - Flask's own HEAD/OPTIONS and first query value

app.add_middleware(FlaskDefaults, document=app.openapi())
