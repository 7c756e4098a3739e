"""Links from reports into apiparity's own documentation (SARIF `helpUri`, `informationUri`).

A link is only written when it points somewhere real: the repository apiparity's docs live in is
`$APIPARITY_REPOSITORY_URL` (the GitHub Action sets it to the action's own repository), else the
package's `Source`/`Repository`/`Homepage` project URL; with neither, reports carry no links.
Anchors are GitHub's heading slugs, and a test checks each one against the heading it names.
"""

from __future__ import annotations

import os
import re

RULES_DOC = "docs/rules.md"
README = "README.md"
# where each kind of finding is documented: (file, heading slug)
FUZZ_ANCHOR = (README, "apiparity-fuzz-old-new")
EVENT_LOOP_ANCHOR = (README, "apiparity-lint-async-target-and-event-loop-blocking")


def repository_url() -> str | None:
    """The apiparity repository's web URL (no trailing slash), or None when unknown."""
    url = os.environ.get("APIPARITY_REPOSITORY_URL", "").strip()
    if not url:
        url = _metadata_url() or ""
    url = url.rstrip("/")
    return url if url.startswith(("https://", "http://")) else None


def docs_url(file: str, anchor: str | None = None) -> str | None:
    """`https://github.com/o/apiparity/blob/<ref>/<file>#<anchor>`, or None when the repository is unknown."""
    base = repository_url()
    if base is None:
        return None
    ref = os.environ.get("APIPARITY_DOCS_REF", "").strip() or "main"
    return f"{base}/blob/{ref}/{file}" + (f"#{anchor}" if anchor else "")


def slug(heading: str) -> str:
    """GitHub's anchor for a Markdown heading: lower case, punctuation dropped, spaces to hyphens."""
    text = heading.strip().lstrip("#").strip().lower()
    text = re.sub(r"[^\w\- ]", "", text)
    return text.replace(" ", "-")


def _metadata_url() -> str | None:
    from importlib import metadata

    try:
        urls = metadata.metadata("apiparity").get_all("Project-URL") or []
    except metadata.PackageNotFoundError:
        return None
    by_label = {}
    for entry in urls:
        label, _, url = entry.partition(",")
        by_label[label.strip().lower()] = url.strip()
    for label in ("source", "repository", "homepage"):
        if by_label.get(label):
            return by_label[label]
    return None
