from __future__ import annotations

from flask_openapi3 import OpenAPI

from scalars_models import Widget, WidgetOut

app = OpenAPI(__name__, security_schemes={})


@app.post("/widgets", responses={200: WidgetOut})
def create_widget(body: Widget):
    return {}
