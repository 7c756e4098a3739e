"""NEW of the added-route pair: OLD's route ported faithfully, a health check and a receipt route
OLD never had (the receipt route crashes), and DELETE on OLD's path, which OLD never served."""

from fastapi import FastAPI

app = FastAPI()


@app.get("/orders/{order_id}")
def order(order_id: int) -> dict:
    return {"id": order_id, "state": "open"}


@app.delete("/orders/{order_id}", status_code=204)
def cancel(order_id: int) -> None:
    return None


@app.get("/healthz")
def healthz() -> dict:
    return {"ok": True}


@app.get("/orders/{order_id}/receipt")
def receipt(order_id: int) -> dict:
    raise RuntimeError("no receipts yet")
