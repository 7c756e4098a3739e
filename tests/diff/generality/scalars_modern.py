from __future__ import annotations

from fastapi import FastAPI

from scalars_models import Widget, WidgetOut

app = FastAPI()


@app.post("/widgets", response_model=WidgetOut)
def create_widget(body: Widget):
    return {}
