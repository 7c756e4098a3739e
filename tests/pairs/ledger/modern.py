"""FastAPI port of the ledger, matching what the Flask app's clients see.

`redirect_slashes=False` plus an explicit `/accounts` route answering 308 (Starlette's own
redirect would be a 307), absolute `Link` URLs built from the request, HEAD declared next to GET,
Decimal money serialized as strings by the response models, 204 without a body, Flask's HTML 404
for ids its `<int:>` converter never matches (negative numbers), and the two legacy redirects.
"""

from __future__ import annotations

import copy
from datetime import datetime, timezone
from decimal import Decimal
from typing import Annotated, Literal

import pydantic
from fastapi import FastAPI, Query, Request, Response
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse
from pydantic import BaseModel, Field

Currency = Literal["EUR", "USD"]

# What Flask answers for a URL no rule matches (here: a negative id, refused by `<int:...>`).
FLASK_404_PAGE = (
    "<!doctype html>\n<html lang=en>\n<title>404 Not Found</title>\n<h1>Not Found</h1>\n"
    "<p>The requested URL was not found on the server. If you entered the URL manually please check "
    "your spelling and try again.</p>\n"
)


class Account(BaseModel):
    id: int
    name: str
    currency: Currency
    balance: Decimal
    nickname: str | None
    closed_at: datetime | None


class TransferIn(BaseModel):
    from_id: int = Field(..., ge=1, le=6)
    to_id: int = Field(..., ge=1, le=6)
    amount: Decimal = Field(..., gt=0, le=1000, decimal_places=2)
    memo: str | None = Field(None, max_length=40)


class Transfer(BaseModel):
    id: int
    from_id: int
    to_id: int
    amount: Decimal
    memo: str | None


class Problem(BaseModel):
    detail: str


_SEED = [
    Account(id=1, name="Checking", currency="EUR", balance=Decimal("120.50"), nickname="daily", closed_at=None),
    Account(id=2, name="Savings", currency="EUR", balance=Decimal("5000.00"), nickname=None, closed_at=None),
    Account(id=3, name="Travel", currency="USD", balance=Decimal("0.10"), nickname="trips", closed_at=None),
    Account(id=4, name="Old card", currency="USD", balance=Decimal("0.00"), nickname=None,
            closed_at=datetime(2023, 12, 31, 23, 59, 59, tzinfo=timezone.utc)),
    Account(id=5, name="Kids", currency="EUR", balance=Decimal("42.00"), nickname="pocket money", closed_at=None),
]

accounts: dict[int, Account] = {}
transfers: list[Transfer] = []


def reset() -> None:
    accounts.clear()
    accounts.update({a.id: copy.deepcopy(a) for a in _SEED})
    transfers.clear()


reset()

app = FastAPI(title="Ledger", version="1.3", redirect_slashes=False)
NOT_FOUND = {404: {"model": Problem}}


def _not_found(account_id: int) -> JSONResponse:
    return JSONResponse({"detail": f"account {account_id} not found"}, status_code=404)


def _page_url(request: Request, page: int, per_page: int) -> str:
    return str(request.url.replace(path="/accounts/", query=f"page={page}&per_page={per_page}"))


@app.get("/accounts", include_in_schema=False)
def accounts_without_slash(request: Request) -> RedirectResponse:
    # Flask's strict_slashes answer: 308 to the absolute URL with the slash, query kept.
    return RedirectResponse(str(request.url.replace(path="/accounts/")), status_code=308)


# HEAD is answered by the GET handler, as Flask does, and left out of the document (as
# flask-openapi3 does); api_route(methods=["GET", "HEAD"]) would emit a duplicate operationId.
@app.head("/accounts/", include_in_schema=False)
@app.get("/accounts/", response_model=list[Account])
def list_accounts(
    request: Request,
    response: Response,
    page: Annotated[int, Query(ge=1, le=20)] = 1,
    per_page: Annotated[int, Query(ge=1, le=5)] = 2,
) -> list[Account]:
    """Accounts by id, one page at a time."""
    ordered = [accounts[key] for key in sorted(accounts)]
    start = (page - 1) * per_page
    links = []
    if start + per_page < len(ordered):
        links.append(f'<{_page_url(request, page + 1, per_page)}>; rel="next"')
    if page > 1:
        links.append(f'<{_page_url(request, page - 1, per_page)}>; rel="prev"')
    response.headers["X-Total-Count"] = str(len(ordered))
    if links:
        response.headers["Link"] = ", ".join(links)
    return ordered[start:start + per_page]


@app.head("/accounts/{account_id}", include_in_schema=False)
@app.get("/accounts/{account_id}", response_model=Account, responses=NOT_FOUND)
def get_account(account_id: int):
    """One account."""
    if account_id < 0:
        return HTMLResponse(FLASK_404_PAGE, status_code=404)
    account = accounts.get(account_id)
    if account is None:
        return _not_found(account_id)
    return account


@app.delete("/accounts/{account_id}", status_code=204, responses=NOT_FOUND)
def close_account(account_id: int) -> Response:
    """Forget an account."""
    if account_id < 0:
        return HTMLResponse(FLASK_404_PAGE, status_code=404)
    if accounts.pop(account_id, None) is None:
        return _not_found(account_id)
    return Response(status_code=204)


@app.get("/balances/{account_id}", status_code=301, response_class=RedirectResponse)
def old_balance(account_id: int):
    """Moved: the balance is part of the account now."""
    if account_id < 0:
        return HTMLResponse(FLASK_404_PAGE, status_code=404)
    return RedirectResponse(f"/accounts/{account_id}", status_code=301)


@app.post("/transfers", status_code=201, response_model=Transfer, responses={**NOT_FOUND, 409: {"model": Problem}})
def create_transfer(body: TransferIn):
    """Move money between two accounts of the same currency."""
    source, target = accounts.get(body.from_id), accounts.get(body.to_id)
    if source is None or target is None:
        return _not_found(body.from_id if source is None else body.to_id)
    if source.currency != target.currency or source.balance < body.amount or source.id == target.id:
        return JSONResponse({"detail": "transfer refused"}, status_code=409)
    source.balance -= body.amount
    target.balance += body.amount
    transfer = Transfer(id=len(transfers) + 1, **body.model_dump())
    transfers.append(transfer)
    return transfer


@app.post("/transfer", status_code=308, response_class=RedirectResponse)
def old_transfer() -> RedirectResponse:
    """Moved to /transfers (308 keeps the method and the body)."""
    return RedirectResponse("/transfers", status_code=308)


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
