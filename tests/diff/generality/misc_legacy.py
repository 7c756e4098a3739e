from __future__ import annotations

from flask_openapi3 import OpenAPI
from pydantic import RootModel

from misc_models import Cookies, Counts, Filters

app = OpenAPI(__name__, security_schemes={})


class CountMap(RootModel[dict[str, int]]):
    pass


@app.get("/counts", responses={200: CountMap})
def get_counts(query: Filters, cookie: Cookies):
    return {}


@app.post("/counts", responses={200: Counts})
def post_counts(body: Counts):
    return {}
