from __future__ import annotations

from fastapi import FastAPI

from formats_models import Record

app = FastAPI()


@app.post("/records", response_model=Record)
def create_record(body: Record):
    return {}


@app.get("/records/{record_id}", response_model=Record)
def get_record(record_id: str):
    return {}
