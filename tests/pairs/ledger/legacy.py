"""Legacy ledger: small flask-openapi3 app full of HTTP details clients rely on.

- `GET /accounts/` is declared with a trailing slash, so Flask answers `/accounts` with a 308 to it;
- pages carry `Link: <...>; rel="next"` headers with absolute URLs and `X-Total-Count`;
- money is `Decimal`, written as a JSON string ("12.50"); `nickname` and `closed_at` are nullable
  and always present;
- `DELETE` answers 204 with no body; HEAD on every GET route comes from Flask itself;
- old paths stay alive as redirects: `GET /balances/<id>` 301 -> `/accounts/<id>`,
  `POST /transfer` 308 -> `/transfers` (a 308 keeps the method and body).
"""

from __future__ import annotations

import copy
from datetime import datetime, timezone
from decimal import Decimal
from typing import Literal

from flask import redirect, url_for
from flask_openapi3 import Info, OpenAPI
from pydantic import BaseModel, Field, RootModel

Currency = Literal["EUR", "USD"]


class Account(BaseModel):
    id: int
    name: str
    currency: Currency
    balance: Decimal
    nickname: str | None
    closed_at: datetime | None


class AccountList(RootModel[list[Account]]):
    pass


class PageQuery(BaseModel):
    page: int = Field(1, ge=1, le=20)
    per_page: int = Field(2, ge=1, le=5)


class AccountPath(BaseModel):
    account_id: int


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

app = OpenAPI(__name__, info=Info(title="Ledger", version="1.3"), security_schemes={})


def _not_found(account_id: int):
    return {"detail": f"account {account_id} not found"}, 404


@app.get("/accounts/", responses={200: AccountList})
def list_accounts(query: PageQuery):
    """Accounts by id, one page at a time."""
    ordered = [accounts[key] for key in sorted(accounts)]
    start = (query.page - 1) * query.per_page
    page = ordered[start:start + query.per_page]
    links = []
    if start + query.per_page < len(ordered):
        links.append(f'<{url_for("list_accounts", page=query.page + 1, per_page=query.per_page, _external=True)}>; rel="next"')
    if query.page > 1:
        links.append(f'<{url_for("list_accounts", page=query.page - 1, per_page=query.per_page, _external=True)}>; rel="prev"')
    headers = {"X-Total-Count": str(len(ordered))}
    if links:
        headers["Link"] = ", ".join(links)
    return [a.model_dump(mode="json") for a in page], 200, headers


@app.get("/accounts/<int:account_id>", responses={200: Account, 404: Problem})
def get_account(path: AccountPath):
    """One account."""
    account = accounts.get(path.account_id)
    if account is None:
        return _not_found(path.account_id)
    return account.model_dump(mode="json")


@app.delete("/accounts/<int:account_id>", responses={204: None, 404: Problem})
def close_account(path: AccountPath):
    """Forget an account."""
    if accounts.pop(path.account_id, None) is None:
        return _not_found(path.account_id)
    return "", 204


@app.get("/balances/<int:account_id>", responses={301: None})
def old_balance(path: AccountPath):
    """Moved: the balance is part of the account now."""
    return redirect(url_for("get_account", account_id=path.account_id), code=301)


@app.post("/transfers", responses={201: Transfer, 404: Problem, 409: Problem})
def create_transfer(body: TransferIn):
    """Move money between two accounts of the same currency."""
    source, target = accounts.get(body.from_id), accounts.get(body.to_id)
    if source is None or target is None:
        return _not_found(body.from_id if source is None else body.to_id)
    if source.currency != target.currency or source.balance < body.amount or source.id == target.id:
        return {"detail": "transfer refused"}, 409
    source.balance -= body.amount
    target.balance += body.amount
    transfer = Transfer(id=len(transfers) + 1, **body.model_dump())
    transfers.append(transfer)
    return transfer.model_dump(mode="json"), 201


@app.post("/transfer", responses={308: None})
def old_transfer():
    """Moved to /transfers (308 keeps the method and the body)."""
    return redirect(url_for("create_transfer"), code=308)
