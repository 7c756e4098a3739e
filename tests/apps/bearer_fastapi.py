"""A FastAPI app behind `HTTPBearer`: schemathesis generates `Authorization: Bearer ` (an empty
token) for it, a header value an HTTP client refuses to send as is (trailing space)."""

from __future__ import annotations

from fastapi import Depends, FastAPI, HTTPException
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

app = FastAPI()
bearer = HTTPBearer(auto_error=False)


@app.get("/whoami")
def whoami(cred: HTTPAuthorizationCredentials | None = Depends(bearer)) -> dict[str, str]:  # noqa: B008 - FastAPI's idiom
    if cred is None or not cred.credentials.strip():
        raise HTTPException(401, "unauthorised")
    return {"user": "alice"}
