"""Validation of every SARIF log the tests produce against the official SARIF 2.1.0 schema
(tests/report/sarif-schema-2.1.0.json, vendored unchanged from oasis-tcs/sarif-spec,
sarif-2.1/schema/sarif-schema-2.1.0.json: the OASIS errata01 schema)."""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

SCHEMA_PATH = Path(__file__).parent / "report" / "sarif-schema-2.1.0.json"


@lru_cache(maxsize=1)
def validator() -> Any:
    import jsonschema

    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    return jsonschema.Draft4Validator(schema)


def sarif_errors(document: dict[str, Any]) -> list[str]:
    """Schema errors, plus what the draft-04 validator does not check: each `*Uri`/`uri` property an
    RFC 3986 URI (absolute for helpUri/informationUri, relative with a declared uriBaseId)."""
    errors = [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator().iter_errors(document)]
    for run in document.get("runs", []):
        bases = set(run.get("originalUriBaseIds", {}))
        driver = run.get("tool", {}).get("driver", {})
        uris = [driver.get("informationUri")] + [rule.get("helpUri") for rule in driver.get("rules", [])]
        for uri in filter(None, uris):
            if not urlsplit(uri).scheme or " " in uri:
                errors.append(f"not an absolute URI: {uri!r}")
        for result in run.get("results", []):
            for location in result.get("locations", []):
                artifact = location.get("physicalLocation", {}).get("artifactLocation", {})
                if artifact and not urlsplit(artifact["uri"]).scheme and artifact.get("uriBaseId") not in bases:
                    errors.append(f"relative uri {artifact['uri']!r} without a declared uriBaseId")
    return errors


def assert_valid_sarif(text: str) -> None:
    errors = sarif_errors(json.loads(text))
    assert not errors, errors[:5]
