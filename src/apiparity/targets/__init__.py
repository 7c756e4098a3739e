"""Turn what the user names (spec file, URL, app object) into a `Target`: a document plus, when
there is one, the app object (for in-process calls) or the base URL (for live calls)."""

from __future__ import annotations

from apiparity.targets.model import Target
from apiparity.targets.load import load_target

__all__ = ["Target", "load_target"]
