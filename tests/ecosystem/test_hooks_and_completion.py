"""pre-commit hooks, the GitLab CI example and shell completion: declared right and working."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import yaml

from apiparity.cli import COMMANDS
from tests.conftest import run_cli

ROOT = Path(__file__).resolve().parents[2]


def test_pre_commit_hooks_are_declared_and_run(tmp_path: Path) -> None:
    hooks = {hook["id"]: hook for hook in yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())}
    assert set(hooks) == {"apiparity-spec-drift", "apiparity-diff", "apiparity-lint-async"}
    scripts = {"apiparity"}  # [project.scripts]
    for hook in hooks.values():
        for key in ("id", "name", "entry", "language"):
            assert hook.get(key), f"{hook['id']}: no {key}"
        program, subcommand = hook["entry"].split()
        assert program in scripts and subcommand in COMMANDS
        assert hook["pass_filenames"] is False  # args name what to compare, not the staged files

    # What pre-commit runs: entry + args from the user's config.
    app = tmp_path / "app.py"
    app.write_text(textwrap.dedent("""
        from fastapi import FastAPI
        app = FastAPI()
        @app.get("/ping")
        def ping() -> dict:
            return {}
    """))
    committed = tmp_path / "openapi.json"
    entry = hooks["apiparity-spec-drift"]["entry"].split()[1:]
    assert run_cli(*entry, f"{app}:app", "--check", str(committed), "--write").exit_code == 0
    assert run_cli(*entry, f"{app}:app", "--check", str(committed)).exit_code == 0
    diff_entry = hooks["apiparity-diff"]["entry"].split()[1:]
    result = run_cli(*diff_entry, str(committed), f"{app}:app", "--fail-on", "breaking")
    assert result.exit_code == 0, result.stdout + result.stderr
    lint_entry = hooks["apiparity-lint-async"]["entry"].split()[1:]
    assert run_cli(*lint_entry, f"{app}:app").exit_code == 0
    blocking = tmp_path / "blocking.py"
    blocking.write_text(textwrap.dedent("""
        import time
        from fastapi import FastAPI
        app = FastAPI()
        @app.get("/slow")
        async def slow() -> dict:
            time.sleep(1)
            return {}
    """))
    assert run_cli(*lint_entry, f"{blocking}:app").exit_code == 1


def test_gitlab_job_publishes_the_junit_report() -> None:
    pipeline = yaml.safe_load((ROOT / "examples" / "ci" / "gitlab-ci.yml").read_text())
    job = pipeline["apiparity-check"]
    junit = job["artifacts"]["reports"]["junit"]
    script = " ".join(job["script"])
    assert f"--junit {junit}" in script
    assert job["artifacts"]["when"] == "always"  # the report matters most when the job fails
    assert "apiparity check" in script and "--check examples/bookstore/legacy_openapi.json" in " ".join(
        pipeline["apiparity-spec-drift"]["script"]
    )


def completion(words: str, cword: int) -> list[str]:
    env = {**os.environ, "_APIPARITY_COMPLETE": "bash_complete", "COMP_WORDS": words, "COMP_CWORD": str(cword)}
    done = subprocess.run([sys.executable, "-m", "apiparity.cli"], env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return [line.split(",", 1)[1] for line in done.stdout.splitlines()]


def test_shell_completion_uses_clicks_mechanism() -> None:
    env = {**os.environ, "_APIPARITY_COMPLETE": "bash_source"}
    script = subprocess.run([sys.executable, "-m", "apiparity.cli"], env=env, capture_output=True, text=True, timeout=60).stdout
    assert "complete -o nosort -F _apiparity_completion apiparity" in script
    assert "spec" in completion("apiparity sp", 1)
    assert {"--check", "--write"} <= set(completion("apiparity spec app.py:app --", 3))


def test_version_and_help_follow_conventions() -> None:
    for flag in ("--version", "-V"):
        result = run_cli(flag)
        assert result.exit_code == 0 and result.stdout.startswith("apiparity, version ")
    for flag in ("--help", "-h"):  # the real program name, as the console script prints it
        done = subprocess.run([sys.executable, "-m", "apiparity.cli", flag], capture_output=True, text=True, timeout=60)
        assert done.returncode == 0 and done.stdout.startswith("Usage: apiparity [OPTIONS] COMMAND [ARGS]...")
    assert "--check FILE" in run_cli("spec", "--help").stdout
