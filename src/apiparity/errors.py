"""Errors that end a command with exit code 2 and a one-line message (no traceback unless --debug)."""

from __future__ import annotations


class ApiparityError(Exception):
    """Bad input: a target that cannot be loaded, a broken document, a bad option. Exit code 2."""

    exit_code = 2


class TargetError(ApiparityError):
    """A target (spec file, URL, app object) could not be loaded."""


class SpecError(ApiparityError):
    """A document could not be parsed or is not an OpenAPI document."""


class ConfigError(ApiparityError):
    """The configuration ([tool.apiparity] / apiparity.toml / command-line options) is invalid."""
