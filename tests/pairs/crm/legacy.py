"""Legacy CRM API (contacts and companies): flask-openapi3, pydantic models with camelCase aliases.

- every body is serialized by alias (`firstName`, `companyId`, `pageSize`, `legalName`);
- `GET /contacts` answers the paginated envelope `{"data": [...], "meta": {"page", "pageSize", "total"}}`,
  filters on a boolean `archived` (absent = `false` = only active contacts, `true` = only archived)
  and keeps only the comma-separated `fields` of each contact (`id` always kept, unknown names ignored);
- a contact embeds its company as a nested object (`company: {id, name, legalName}` or `null`);
- `PUT` replaces a contact (fields left out take their defaults), `PATCH` changes the fields sent;
- every error is JSON `{"error": ..., "message": ...}`; validation errors are 422
  `{"error": "validation_error", "fields": [...]}` naming the offending fields of the first part
  flask-openapi3 validates (path, query, body).
"""

from __future__ import annotations

import copy

from flask import jsonify, make_response
from flask_openapi3 import Info, OpenAPI
from pydantic import BaseModel, ConfigDict, Field, RootModel, ValidationError
from werkzeug.exceptions import HTTPException, NotFound

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


class ContactQuery(BaseModel):
    archived: bool = Field(False, description="false (default): active contacts only; true: archived only")
    page: int = Field(1, ge=1, le=1000)
    page_size: int = Field(2, alias="pageSize", ge=1, le=50)
    fields: str | None = Field(None, max_length=100, description="comma-separated contact keys, e.g. firstName,email")


class ContactPath(BaseModel):
    contact_id: int


class CompanyPath(BaseModel):
    company_id: int


class Companies(RootModel[list[Company]]):
    pass


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


def validation_failed(e: ValidationError):
    fields = [".".join(str(p) for p in err["loc"]) for err in e.errors()]
    return make_response(jsonify({"error": "validation_error", "fields": sorted(set(fields))}), 422)


app = OpenAPI(__name__, info=Info(title="CRM", version="2.0"), security_schemes={},
              validation_error_model=ValidationFailed, validation_error_callback=validation_failed)


@app.errorhandler(HTTPException)
def http_error(exc: HTTPException):
    return {"error": (exc.name or "error").lower().replace(" ", "_"), "message": exc.description}, exc.code


def _get(contact_id: int) -> Contact:
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


@app.get("/contacts", responses={200: ContactPage})
def list_contacts(query: ContactQuery):
    """List contacts, one page at a time."""
    found = [c for _, c in sorted(contacts.items()) if c.archived == query.archived]
    start = (query.page - 1) * query.page_size
    page = [_out(c) for c in found[start:start + query.page_size]]
    if query.fields:
        keep = {f.strip() for f in query.fields.split(",")} | {"id"}
        page = [{k: v for k, v in c.items() if k in keep} for c in page]
    return {"data": page, "meta": {"page": query.page, "pageSize": query.page_size, "total": len(found)}}


@app.post("/contacts", responses={201: Contact, 404: Error})
def create_contact(body: ContactCreate):
    """Add a contact."""
    contact = _build(counter["next"], body.model_dump())
    counter["next"] += 1
    contacts[contact.id] = contact
    return _out(contact), 201


@app.get("/contacts/<int:contact_id>", responses={200: Contact, 404: Error})
def get_contact(path: ContactPath):
    """One contact with its company."""
    return _out(_get(path.contact_id))


@app.put("/contacts/<int:contact_id>", responses={200: Contact, 404: Error})
def replace_contact(path: ContactPath, body: ContactReplace):
    """Replace a contact (fields left out take their defaults)."""
    _get(path.contact_id)
    contact = _build(path.contact_id, body.model_dump())
    contacts[contact.id] = contact
    return _out(contact)


@app.patch("/contacts/<int:contact_id>", responses={200: Contact, 404: Error})
def update_contact(path: ContactPath, body: ContactPatch):
    """Change the fields sent, keep the others (`phone: null` and `companyId: null` clear them)."""
    contact = _get(path.contact_id)
    sent = body.model_dump(exclude_unset=True)
    data = contact.model_dump(exclude={"id", "company"})
    data["company_id"] = contact.company.id if contact.company else None
    for key, value in sent.items():
        if value is not None or key in ("phone", "company_id"):
            data[key] = value
    updated = _build(contact.id, data)
    contacts[updated.id] = updated
    return _out(updated)


@app.delete("/contacts/<int:contact_id>", responses={204: None, 404: Error})
def delete_contact(path: ContactPath):
    """Remove a contact."""
    _get(path.contact_id)
    del contacts[path.contact_id]
    return "", 204


@app.get("/companies", responses={200: Companies})
def list_companies():
    """Every company, by id."""
    return [c.model_dump(mode="json", by_alias=True) for _, c in sorted(companies.items())]


@app.get("/companies/<int:company_id>/contacts", responses={200: ContactPage, 404: Error})
def company_contacts(path: CompanyPath):
    """The active contacts of one company (a single page)."""
    company = _company(path.company_id)
    found = [_out(c) for _, c in sorted(contacts.items()) if c.company and c.company.id == company.id and not c.archived]
    return {"data": found, "meta": {"page": 1, "pageSize": len(found), "total": len(found)}}
