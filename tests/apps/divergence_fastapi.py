"""Replacement side of the divergence pair: `divergence_flask.py` ported one-to-one to FastAPI,
keeping every framework default that differs from Flask's."""

from __future__ import annotations

import datetime as dt

from fastapi import FastAPI, Header, HTTPException, Response
from pydantic import BaseModel

app = FastAPI()


class Event(BaseModel):
    id: int
    starts_at: dt.datetime


@app.get("/events/{event_id}", response_model=Event)
def get_event(event_id: int):
    return {"id": event_id, "starts_at": dt.datetime(2024, 1, 1, 12, 30, tzinfo=dt.timezone.utc)}


@app.get("/items")
def list_items(limit: int):
    return {"limit": limit, "items": []}


@app.delete("/items/{item_id}", status_code=204)
def delete_item(item_id: int):
    return Response(status_code=204)


@app.get("/me")
def who_am_i(x_token: str = Header()):
    return {"user": "alice"}


@app.get("/users/{user_id}")
def get_user(user_id: int):
    return {"id": user_id}


@app.get("/things/{thing_id}")
def get_thing(thing_id: int):
    if thing_id > 10:
        raise HTTPException(status_code=404, detail="Not Found")
    return {"id": thing_id}


class Profile(BaseModel):
    name: str


@app.get("/profile", response_model=Profile)
def get_profile():
    return {"name": "alice", "internal_score": 7}


def reset() -> None:
    """Nothing to reset: the pair is stateless."""
