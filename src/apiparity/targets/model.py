"""The loaded target, shared by every command."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

TargetKind = Literal["file", "url", "app"]
Framework = Literal["spec", "url", "flask-openapi3", "flask", "fastapi", "asgi", "wsgi"]


@dataclass(slots=True)
class Target:
    """One side of the comparison.

    `document` is the OpenAPI document as a plain dict (always OpenAPI 3.x). `app` is set for app
    targets (a WSGI or ASGI callable), `base_url` for URL targets (the URL with the document's path
    removed, e.g. ``http://127.0.0.1:8000``). `inferred` marks a skeleton derived from a plain Flask
    url_map rather than a document the app published.
    """

    ref: str
    kind: TargetKind
    framework: Framework
    document: dict[str, Any]
    app: Any = None
    base_url: str | None = None
    source_path: Path | None = None
    inferred: bool = False
    notes: list[str] = field(default_factory=list)
    process: Any = None  # apiparity.sides.SideProcess: the server apiparity started for this side (base_url is its)

    @property
    def interface(self) -> Literal["asgi", "wsgi", "http", "none"]:
        """How requests reach this target: in-process ASGI/WSGI, live HTTP, or not at all (spec file)."""
        if self.app is not None:
            return "asgi" if self.framework in ("fastapi", "asgi") else "wsgi"
        if self.base_url:
            return "http"
        return "none"

    @property
    def label(self) -> str:
        return f"{self.ref} ({self.framework}{', inferred' if self.inferred else ''})"
