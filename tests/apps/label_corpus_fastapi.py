"""Replacement side of the label corpus: `label_corpus_flask.py` ported route by route to FastAPI,
keeping each framework difference (and each near miss) the corpus labels or must not label."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import FastAPI, Header, HTTPException, Path, Query
from fastapi.responses import JSONResponse, RedirectResponse, Response
from pydantic import BaseModel

app = FastAPI()


@app.get("/ping")
def ping() -> dict:
    return {"ok": True}


@app.get("/json/ping")
def json_ping() -> dict:
    return {"ok": True}


@app.post("/gone")
def gone() -> dict:  # GET no longer routed: 405 for a GET (not a HEAD/OPTIONS divergence)
    return {"ok": True}


@app.get("/rows/")
def rows() -> dict:
    return {"rows": []}


@app.get("/legacy-path")
def legacy_path() -> RedirectResponse:
    return RedirectResponse("/new-path", status_code=307)


@app.get("/users/{user_id}")
def get_user(user_id: int) -> dict:
    return {"id": user_id}


@app.get("/articles/{slug}")
def get_article(slug: Annotated[str, Path(pattern="^[a-z]+$")]) -> JSONResponse:
    return JSONResponse({"error": "not found"}, status_code=404)


@app.get("/me")
def who_am_i(x_token: Annotated[str, Header()]) -> dict:
    return {"user": "alice"}


@app.get("/admin")
def admin(x_token: Annotated[str | None, Header()] = None) -> dict:
    if not x_token:
        raise HTTPException(401, "unauthorized")
    return {"admin": True}


class Note(BaseModel):
    text: str


@app.post("/notes", status_code=201)
def create_note(note: Note) -> dict:
    return {"text": note.text}


@app.get("/search")
def search(q: str = "") -> dict:
    return {"q": q}


@app.get("/tags")
def tags(tag: Annotated[list[str], Query()] = []) -> dict:  # noqa: B006 - FastAPI's way to declare a list default
    return {"tag": tag[-1] if tag else ""}


@app.get("/items")
def list_items(limit: int) -> dict:
    return {"limit": limit}


@app.get("/strict")
def strict(limit: str = "") -> JSONResponse:
    if not limit.isdigit():
        return JSONResponse({"error": "limit must be a number"}, status_code=400)
    return JSONResponse({"limit": int(limit)})


@app.get("/checked")
def checked(limit: int) -> dict:
    return {"limit": limit}


@app.get("/checked-page")
def checked_page(limit: int) -> dict:
    return {"limit": limit}


@app.delete("/items/{item_id}", status_code=204)
def delete_item(item_id: int) -> Response:
    return Response(status_code=204)


@app.delete("/files/{item_id}", status_code=204)
def delete_file(item_id: int) -> Response:
    return Response(status_code=204, media_type="application/json")


@app.get("/things/{thing_id}")
def get_thing(thing_id: int) -> dict:
    if thing_id > 10:
        raise HTTPException(404)
    return {"id": thing_id}


@app.get("/crash/{thing_id}")
def crash(thing_id: int) -> dict:
    raise HTTPException(404)  # the port answers what the legacy handler crashed on


@app.delete("/bookings/{booking_id}", status_code=204)
def delete_booking(booking_id: int) -> None:
    raise HTTPException(404)


@app.delete("/orders/{booking_id}", status_code=204)
def delete_order(booking_id: int) -> None:
    raise HTTPException(404, f"order {booking_id} not found")


class Event(BaseModel):
    id: int
    starts_at: dt.datetime


@app.get("/events/{event_id}", response_model=Event)
def get_event(event_id: int) -> Event:
    return Event(id=event_id, starts_at=dt.datetime(2024, 1, 1, 12, 30, tzinfo=dt.timezone.utc))


@app.get("/days/{event_id}", response_model=Event)
def get_day(event_id: int) -> Event:
    return Event(id=event_id, starts_at=dt.datetime(2024, 1, 1, tzinfo=dt.timezone.utc))


@app.get("/slots/{event_id}", response_model=Event)
def get_slot(event_id: int) -> Event:
    return Event(id=event_id, starts_at=dt.datetime(2024, 1, 1, 12, 30, tzinfo=dt.timezone.utc))


@app.get("/naive-slots/{event_id}", response_model=Event)
def get_naive_slot(event_id: int) -> Event:
    return Event(id=event_id, starts_at=dt.datetime(2024, 1, 1, 12, 30, tzinfo=dt.timezone.utc))


class Profile(BaseModel):
    id: int
    name: str
    bio: str | None = None


class ProfileWithoutBio(BaseModel):
    id: int
    name: str


@app.get("/profiles/{profile_id}", response_model=Profile, response_model_exclude_none=True)
def get_profile(profile_id: int) -> Profile:
    return Profile(id=profile_id, name="ada")


@app.get("/old-profiles/{profile_id}", response_model=ProfileWithoutBio)
def get_old_profile(profile_id: int) -> ProfileWithoutBio:
    return ProfileWithoutBio(id=profile_id, name="ada")  # `bio` no longer part of NEW's model


class Account(BaseModel):
    id: int


class Ledger(BaseModel):
    id: int
    secret_score: int | None = None


@app.get("/accounts/{profile_id}", response_model=Account)
def get_account(profile_id: int) -> dict:
    return {"id": profile_id, "secret_score": 7}  # the response model filters the key out


@app.get("/ledgers/{profile_id}", response_model=Ledger)
def get_ledger(profile_id: int) -> JSONResponse:
    return JSONResponse({"id": profile_id})  # the handler itself leaves the declared key out


class Contact(BaseModel):
    id: int
    email_address: str


@app.get("/contacts/{profile_id}", response_model=Contact)
def get_contact(profile_id: int) -> Contact:
    return Contact(id=profile_id, email_address="ada@example.com")  # a rename, no filter


@app.get("/ratio")
def ratio() -> dict:
    return {"ratio": None}


@app.get("/ratio-text")
def ratio_text() -> dict:
    return {"ratio": None, "note": "inf"}
