"""action.yml: a well-formed composite action whose steps, run locally as the runner would run
them, gate on the verdict, fill the job summary and outputs, and emit annotations."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
APPS = Path(__file__).parent / "apps"
ACTION = yaml.safe_load((ROOT / "action.yml").read_text(encoding="utf-8"))
EXPRESSION = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")
FAST_ARGS = "--max-examples 2 --phases examples,coverage --seed 3 --probes trailing-slash,if-none-match,no-credentials"


def test_action_is_a_valid_composite_action() -> None:
    for key in ("name", "description", "inputs", "outputs", "runs"):
        assert ACTION.get(key), f"action.yml has no {key}"
    assert ACTION["runs"]["using"] == "composite"
    for name, spec in ACTION["inputs"].items():
        assert spec.get("description"), f"input {name} has no description"
        assert spec.get("required") or "default" in spec, f"optional input {name} has no default"
    assert {"old", "new", "contract", "config", "shards"} <= set(ACTION["inputs"])
    steps = ACTION["runs"]["steps"]
    step_ids = {step["id"] for step in steps if "id" in step}
    for step in steps:
        assert ("run" in step) != ("uses" in step), step.get("name")
        if "run" in step:
            assert step.get("shell") in ("bash", "sh", "python", "pwsh"), f"run step {step.get('name')!r} needs a shell"
        else:
            assert re.fullmatch(r"[\w.-]+/[\w./-]+@v\d+", step["uses"]), step["uses"]  # pinned to a major version (owner/repo[/path])
    # every expression names a declared input or an existing step
    text = (ROOT / "action.yml").read_text(encoding="utf-8")
    for expression in EXPRESSION.findall(text):
        for name in re.findall(r"inputs\.([\w-]+)", expression):
            assert name in ACTION["inputs"], f"${{{{ {expression} }}}}: no input {name}"
        for step_id in re.findall(r"steps\.([\w-]+)\.", expression):
            assert step_id in step_ids, f"${{{{ {expression} }}}}: no step {step_id}"
    for name, spec in ACTION["outputs"].items():
        assert EXPRESSION.fullmatch(spec["value"]), name
    # inputs reach scripts through env only: a target name must not be pasted into shell code
    for step in steps:
        if "run" in step:
            assert not EXPRESSION.search(step["run"]), f"step {step.get('name')!r} pastes an expression into its script"


@dataclass
class LocalRun:
    outputs: dict[str, dict[str, str]] = field(default_factory=dict)
    logs: dict[str, str] = field(default_factory=dict)
    summary: str = ""
    failed_step: str | None = None
    exit_code: int = 0


def run_action_locally(inputs: dict[str, str], workdir: Path, tmp: Path) -> LocalRun:
    """Run the composite steps the way the runner does: defaults filled in, expressions substituted
    in `env`/`working-directory`/`if`, each `run` as `bash -e {0}`, GITHUB_OUTPUT collected per
    step. `uses:` steps (artifact upload) need GitHub and are skipped."""
    values = {name: str(spec.get("default", "")) for name, spec in ACTION["inputs"].items()}
    values.update(inputs)
    run = LocalRun()
    summary = tmp / "summary.md"
    summary.touch()
    failed = False

    github = {"server_url": "https://github.com", "action_repository": "", "repository": "acme/shop",
              "action_ref": "", "sha": "0123abc"}

    def evaluate(expression: str) -> str:
        if "||" in expression:  # the first non-empty operand, as in GitHub's expressions
            return next((value for value in (evaluate(part.strip()) for part in expression.split("||")) if value), "")
        if expression.startswith("github.") and expression.removeprefix("github.") in github:
            return github[expression.removeprefix("github.")]
        if expression.startswith("inputs."):
            return values[expression.removeprefix("inputs.")]
        if expression == "github.action_path":
            return str(ROOT)
        match = re.fullmatch(r"steps\.([\w-]+)\.outputs\.([\w-]+)", expression)
        if match:
            return run.outputs.get(match[1], {}).get(match[2], "")
        raise AssertionError(f"the local runner does not know ${{{{ {expression} }}}}")

    def substitute(text: str) -> str:
        return EXPRESSION.sub(lambda m: evaluate(m[1]), text)

    for index, step in enumerate(ACTION["runs"]["steps"]):
        name = step.get("name", f"step {index}")
        condition = step.get("if", "")
        if "uses" in step:
            continue
        if failed and condition != "always()":
            continue
        assert condition in ("", "always()"), f"the local runner does not know if: {condition}"
        output_file = tmp / f"output-{index}"
        output_file.touch()
        env = {
            **os.environ,
            "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
            "GITHUB_OUTPUT": str(output_file),
            "GITHUB_STEP_SUMMARY": str(summary),
            **{key: substitute(str(value)) for key, value in (step.get("env") or {}).items()},
        }
        cwd = workdir / substitute(step.get("working-directory", "."))
        script = tmp / f"step-{index}.sh"
        script.write_text(step["run"], encoding="utf-8")
        done = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script)],
                              cwd=cwd, env=env, capture_output=True, text=True, timeout=300)
        run.logs[name] = done.stdout + done.stderr
        if "id" in step:
            run.outputs[step["id"]] = dict(
                line.split("=", 1) for line in output_file.read_text().splitlines() if "=" in line
            )
        if done.returncode != 0 and not failed:
            failed, run.failed_step, run.exit_code = True, name, done.returncode
    run.summary = summary.read_text(encoding="utf-8")
    return run


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    folder = tmp_path / "repo"
    folder.mkdir()
    for name in ("parity_legacy.py", "parity_modern.py", "parity_regressed.py"):
        shutil.copy(APPS / name, folder / name)
    return folder


def base_inputs(new: str) -> dict[str, str]:
    return {"old": "parity_legacy.py:app", "new": f"{new}:app", "install": "skip", "args": FAST_ARGS}


def test_ready_pair_passes_the_job(workdir: Path, tmp_path: Path) -> None:
    run = run_action_locally(base_inputs("parity_modern.py"), workdir, tmp_path)
    assert run.failed_step is None, run.logs
    assert run.outputs["check"]["verdict"] == "READY"
    assert run.outputs["check"]["exit-code"] == "0"
    report_dir = Path(run.outputs["check"]["report-dir"])
    assert report_dir == workdir / "apiparity-report"
    assert {p.name for p in report_dir.iterdir()} >= {"report.html", "report.md", "report.json", "junit.xml"}
    assert run.summary == (report_dir / "report.md").read_text(encoding="utf-8")
    assert "READY" in run.summary


def test_not_ready_pair_fails_the_job_with_annotations(workdir: Path, tmp_path: Path) -> None:
    run = run_action_locally(base_inputs("parity_regressed.py"), workdir, tmp_path)
    assert run.outputs["check"]["verdict"] == "NOT READY"
    assert run.failed_step == "Fail the job by the verdict"
    assert run.exit_code == 1
    annotations = run.logs["Job summary and annotations"]
    # each group placed at NEW's handler, relative to the repository root (here: the job's folder)
    assert re.search(r"::error title=mismatch GET /health,file=parity_regressed\.py,line=\d+::", annotations), annotations
    assert re.search(r"::error title=mismatch GET /items,file=parity_regressed\.py,line=\d+::", annotations), annotations
    assert "NOT READY" in run.summary
    # the verdict and failing gates come first: GitHub shows 10 annotations per level and step
    lines = [line for line in annotations.splitlines() if line.startswith("::")]
    assert lines[0].startswith("::error title=apiparity verdict::NOT READY") and lines[1].startswith("::error title=gate ")
    # the SARIF report is written for the optional code-scanning upload, with links into this action's repository
    sarif = json.loads((Path(run.outputs["check"]["report-dir"]) / "report.sarif").read_text())
    driver = sarif["runs"][0]["tool"]["driver"]
    assert driver["informationUri"] == "https://github.com/acme/shop"
    assert all(rule["helpUri"].startswith("https://github.com/acme/shop/blob/0123abc/") for rule in driver["rules"])


def test_no_step_imports_apiparity_internals_and_sarif_upload_is_optional() -> None:
    """A pipx-installed apiparity is not importable by the runner's python: steps call the CLI only."""
    steps = ACTION["runs"]["steps"]
    for step in steps:
        assert "import apiparity" not in step.get("run", "") and "from apiparity" not in step.get("run", ""), step["name"]
        assert "python -\n" not in step.get("run", "") and "python - " not in step.get("run", ""), step["name"]
    upload = next(step for step in steps if step.get("uses", "").startswith("github/codeql-action/upload-sarif@"))
    assert "inputs.upload-sarif == 'true'" in upload["if"] and ACTION["inputs"]["upload-sarif"]["default"] == "false"
    assert upload["with"]["sarif_file"].endswith("/report.sarif")
    cache = next(step for step in steps if step.get("uses", "").startswith("actions/cache@"))
    assert cache["with"]["path"] == "~/.cache/pip" and "inputs.cache == 'true'" in cache["if"]


@pytest.mark.parametrize(
    ("code", "fail_on_not_ready", "exit_code", "says"),
    [
        ("0", "true", 0, "apiparity: READY"),
        ("1", "true", 1, "::error title=apiparity::NOT READY"),
        ("1", "false", 0, "::warning title=apiparity::NOT READY"),
        ("2", "false", 2, "::error title=apiparity::apiparity could not run (exit 2)"),
        ("", "true", 2, "could not run (exit none)"),  # the check step never ran: never a pass
    ],
)
def test_the_last_step_gates_on_the_exit_code(code: str, fail_on_not_ready: str, exit_code: int, says: str) -> None:
    step = ACTION["runs"]["steps"][-1]
    env = {**os.environ, "CODE": code, "VERDICT": "", "FAIL_ON_NOT_READY": fail_on_not_ready}
    done = subprocess.run(["bash", "-eo", "pipefail", "-c", step["run"]], env=env, capture_output=True, text=True, timeout=30)
    assert done.returncode == exit_code
    assert says in done.stdout


def test_bad_input_is_an_error_not_a_pass(workdir: Path, tmp_path: Path) -> None:
    run = run_action_locally({**base_inputs("parity_modern.py"), "old": "missing.py:app"}, workdir, tmp_path)
    assert run.outputs["check"]["verdict"] == "ERROR"
    assert run.exit_code == 2
    assert "no report (exit 2)" in run.summary


def test_shards_and_contract(workdir: Path, tmp_path: Path) -> None:
    contract = workdir / "openapi.json"
    from tests.conftest import run_cli

    assert run_cli("spec", f"{workdir / 'parity_legacy.py'}:app", "-o", str(contract)).exit_code == 0
    inputs = {**base_inputs("parity_modern.py"), "shards": "2", "contract": "openapi.json"}
    run = run_action_locally(inputs, workdir, tmp_path)
    assert run.failed_step is None, run.logs
    report_dir = Path(run.outputs["check"]["report-dir"])
    assert {"shard-1.json", "shard-2.json", "report.json", "contract.md"} <= {p.name for p in report_dir.iterdir()}
    assert "## NEW against the committed contract" in run.summary
