"""A FastAPI app that prints to stdout and stderr while it is imported (banner, debug prints)."""

import sys

from fastapi import FastAPI

print("*** starting up the payments service ***")
print("debug: connecting to db", file=sys.stderr)

app = FastAPI()


@app.get("/ping")
def ping() -> dict[str, str]:
    print("ping handler called")
    return {"pong": "yes"}
