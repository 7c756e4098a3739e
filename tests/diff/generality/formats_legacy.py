from __future__ import annotations

from flask_openapi3 import OpenAPI
from pydantic import BaseModel

from formats_models import Record

app = OpenAPI(__name__, security_schemes={})


class RecordPath(BaseModel):
    record_id: str


@app.post("/records", responses={200: Record})
def create_record(body: Record):
    return {}


@app.get("/records/<record_id>", responses={200: Record})
def get_record(path: RecordPath):
    return {}
