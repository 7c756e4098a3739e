"""Shared by every pair test."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def no_step_summary(monkeypatch: pytest.MonkeyPatch) -> None:
    """A check run inside GitHub Actions would append its Markdown to the job summary."""
    monkeypatch.delenv("GITHUB_STEP_SUMMARY", raising=False)
