"""Waivers: accept a known finding for a while, keyed by stable rule ID + method + path glob.

Read from a waivers file (`--waivers FILE`, TOML/YAML/JSON) or `[[tool.apiparity.waivers]]` /
`[[waivers]]` in the config. Each waiver needs a reason; `expires` (YYYY-MM-DD) is optional. An
expired waiver stops waiving and is reported; a waiver that matched nothing is reported as unused.

    [[tool.apiparity.waivers]]
    rule = "response-body-property-removed"   # rule ID or glob; for fuzz groups a kind/divergence id
    method = "GET"                             # optional, default "*"
    path = "/books/*"                          # glob over the path template, default "*"
    reason = "field dropped on purpose, clients updated in 2.3"
    expires = 2025-12-31
    owner = "team-books"                       # optional
"""

from __future__ import annotations

import fnmatch
import json
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from apiparity.errors import ConfigError

if TYPE_CHECKING:
    from apiparity.config import RawConfig
    from apiparity.model import Change, WaiverStatus


@dataclass(slots=True)
class Waiver:
    rule: str
    reason: str
    method: str = "*"
    path: str = "*"
    expires: date | None = None
    owner: str | None = None
    source: str = ""

    def matches(self, rule_id: str, method: str, path: str) -> bool:
        """Does this waiver cover a finding of `rule_id` on `method` `path`? (expiry not considered)."""
        return (
            fnmatch.fnmatchcase(rule_id, self.rule)
            and (self.method == "*" or fnmatch.fnmatchcase(method.upper(), self.method.upper()))
            and fnmatch.fnmatchcase(path, self.path)
        )

    def expired(self, today: date) -> bool:
        return self.expires is not None and self.expires < today


def _parse_date(value: Any, where: str) -> date | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise ConfigError(f"{where}: expires must be a date YYYY-MM-DD, got {value!r}") from None


def parse_waivers(entries: Any, source: str) -> list[Waiver]:
    """Validate raw waiver tables into Waivers; errors name the source and the entry."""
    if entries is None:
        return []
    if isinstance(entries, dict) and "waivers" in entries:
        entries = entries["waivers"]
    if not isinstance(entries, list):
        raise ConfigError(f"{source}: waivers must be a list of tables")
    waivers = []
    for index, entry in enumerate(entries):
        where = f"{source}: waiver #{index + 1}"
        if not isinstance(entry, dict):
            raise ConfigError(f"{where} must be a table")
        unknown = set(entry) - {"rule", "rule_id", "id", "method", "path", "reason", "expires", "owner"}
        if unknown:
            raise ConfigError(f"{where}: unknown key(s) {', '.join(sorted(unknown))}")
        rule = entry.get("rule") or entry.get("rule_id") or entry.get("id")
        if not rule or not isinstance(rule, str):
            raise ConfigError(f"{where}: `rule` (a rule ID) is required")
        reason = entry.get("reason")
        if not reason or not isinstance(reason, str) or not reason.strip():
            raise ConfigError(f"{where} ({rule}): `reason` is required")
        waivers.append(
            Waiver(
                rule=rule,
                reason=reason.strip(),
                method=str(entry.get("method") or "*").upper(),
                path=str(entry.get("path") or "*"),
                expires=_parse_date(entry.get("expires"), f"{where} ({rule})"),
                owner=entry.get("owner"),
                source=source,
            )
        )
    return waivers


def _read_file(path: str) -> Any:
    file = Path(path)
    try:
        text = file.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read waivers file: {exc.strerror}") from None
    if file.suffix.lower() == ".toml":
        if sys.version_info >= (3, 11):
            import tomllib
        else:  # Python 3.10: the backport (a dependency there)
            import tomli as tomllib

        try:
            return tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"{path}: invalid TOML: {exc}") from None
    if file.suffix.lower() == ".json":
        try:
            return json.loads(text)
        except json.JSONDecodeError as exc:
            raise ConfigError(f"{path}: invalid JSON: {exc}") from None
    import yaml

    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: invalid YAML: {exc}") from None


def load_waivers(raw_config: RawConfig | None, path: str | None) -> list[Waiver]:
    """Waivers from the config table (`waivers = [...]`) followed by those of the file at `path`."""
    waivers: list[Waiver] = []
    if raw_config is not None and raw_config.get("waivers") is not None:
        waivers += parse_waivers(raw_config.get("waivers"), str(raw_config.path or "config"))
    if path:
        waivers += parse_waivers(_read_file(path), path)
    return waivers


def apply_waivers(changes: Iterable[Change], waivers: list[Waiver], today: date) -> list[WaiverStatus]:
    """Mark the changes each live waiver covers (`Change.waived_by`), and report every waiver's use.

    The first live waiver that matches wins. Expired waivers waive nothing and come back with
    `expired=True`; unused ones with `used=0`.
    """
    from apiparity.model import WaiverStatus

    statuses = [
        WaiverStatus(
            rule_id=w.rule,
            method=w.method,
            path=w.path,
            reason=w.reason,
            expires=w.expires.isoformat() if w.expires else None,
            expired=w.expired(today),
        )
        for w in waivers
    ]
    for change in changes:
        for waiver, status in zip(waivers, statuses, strict=True):
            if status.expired or not waiver.matches(change.rule_id, change.method or "*", change.path):
                continue
            change.waived_by = waiver.reason
            status.used += 1
            break
    return statuses
