"""Dispatch a target reference to the loader for its kind."""

from __future__ import annotations

import re
from pathlib import Path

from apiparity.errors import TargetError
from apiparity.targets.documents import SPEC_SUFFIXES, as_openapi3, conversion_notes, read_document_file
from apiparity.targets.model import Target

_APP_REF = re.compile(r"^(?P<module>[^:]+):(?P<attr>[A-Za-z_][\w.]*)(?P<call>\(\))?$")


def load_target(
    ref: str,
    *,
    app_dir: str | Path | None = None,
    spec_path: str | None = None,
    timeout: float = 10.0,
    wait_for: float = 0.0,
    require_document: bool = True,
    share_equal: bool = False,
) -> Target:
    """Load a target named the way a user types it.

    - ``openapi.yaml`` / ``spec.json``: a document file;
    - ``http://host:port/openapi.json``: a document served by a live service (the base URL is kept);
    - ``pkg.module:app``, ``path/to/file.py:app``, ``pkg.module:create_app()``: an app object.

    `spec_path` names where an ASGI/WSGI app (or a URL target's service) serves its document.
    `wait_for` seconds: how long a URL target may refuse connections while its server starts.
    `require_document=False` (the document comes from elsewhere, e.g. `--contract`): a URL is taken
    as the service root and nothing is fetched; its Target has an empty document.
    `share_equal`: a spec file's equal objects of scalars are one object (`parse_document`); for
    callers that only read the document (the diff). A Swagger 2.0 file is read without it (the
    conversion rewrites nodes in place).
    Raises `TargetError`/`SpecError` with a one-line message on failure.
    """
    ref = ref.strip()
    if not ref:
        raise TargetError("empty target: give a spec file, a URL or module:app")
    if ref.startswith(("http://", "https://")):
        from apiparity.targets.url import load_url_target

        if not require_document:
            return Target(ref=ref, kind="url", framework="url", document={}, base_url=ref.rstrip("/"),
                          notes=["service URL: no document fetched"])

        return load_url_target(ref, spec_path=spec_path, timeout=timeout, wait_for=wait_for)
    path = Path(ref)
    if path.suffix.lower() in SPEC_SUFFIXES or (path.is_file() and ":" not in ref):
        document = read_document_file(path, share_equal=share_equal)
        if share_equal and "swagger" in document and "openapi" not in document:
            document = read_document_file(path)
        document = as_openapi3(document, str(path))
        return Target(ref=ref, kind="file", framework="spec", document=document, source_path=path.resolve(),
                      notes=conversion_notes(document))
    match = _APP_REF.match(ref)
    if match is None:
        raise TargetError(
            f"{ref}: not a target; give a spec file (.json/.yaml/.yml), an http(s) URL, "
            "or an app as module:attribute (pkg.module:app, path/to/file.py:app, pkg.module:create_app())"
        )
    from apiparity.targets.apps import load_app_target

    return load_app_target(
        ref,
        module=match["module"],
        attribute=match["attr"],
        call=bool(match["call"]),
        app_dir=Path(app_dir) if app_dir else None,
        spec_path=spec_path,
    )
