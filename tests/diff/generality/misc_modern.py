from __future__ import annotations

from typing import Annotated

from fastapi import Cookie, FastAPI, Query

from misc_models import Cookies, Counts, Filters

app = FastAPI()


@app.get("/counts", response_model=dict[str, int])
def get_counts(query: Annotated[Filters, Query()], cookie: Annotated[Cookies, Cookie()]):
    return {}


@app.post("/counts", response_model=Counts)
def post_counts(body: Counts):
    return {}
