"""Where a run came from: commit and branch (CI variables first, else git), CI provider, CI run id."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Mapping
from pathlib import Path

# provider -> (commit, branch variables in order of preference, batch: the run id shards share)
CI_VARIABLES: dict[str, tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]] = {
    "github-actions": (("GITHUB_SHA",), ("GITHUB_HEAD_REF", "GITHUB_REF_NAME"), ("GITHUB_RUN_ID",)),
    "gitlab-ci": (("CI_COMMIT_SHA",), ("CI_COMMIT_REF_NAME",), ("CI_PIPELINE_ID",)),
    "buildkite": (("BUILDKITE_COMMIT",), ("BUILDKITE_BRANCH",), ("BUILDKITE_BUILD_ID",)),
    "circleci": (("CIRCLE_SHA1",), ("CIRCLE_BRANCH",), ("CIRCLE_WORKFLOW_ID",)),
    "jenkins": (("GIT_COMMIT",), ("GIT_BRANCH", "BRANCH_NAME"), ("BUILD_TAG",)),
}
DETECT = {"github-actions": "GITHUB_ACTIONS", "gitlab-ci": "GITLAB_CI", "buildkite": "BUILDKITE",
          "circleci": "CIRCLECI", "jenkins": "JENKINS_URL"}


def provenance(env: Mapping[str, str] | None = None, cwd: Path | None = None) -> dict[str, str | None]:
    """{"commit", "branch", "ci", "batch"}: from the CI provider's variables when one is detected,
    else from `git` in `cwd` (None where neither says). `APIPARITY_RUN_BATCH` names the batch by hand."""
    env = os.environ if env is None else env
    out: dict[str, str | None] = {"commit": None, "branch": None, "ci": None, "batch": None}
    for provider, marker in DETECT.items():
        if env.get(marker):
            commits, branches, batches = CI_VARIABLES[provider]
            out["ci"] = provider
            out["commit"] = _first(env, commits)
            out["branch"] = _first(env, branches)
            batch = _first(env, batches)
            if batch and provider == "github-actions" and env.get("GITHUB_RUN_ATTEMPT"):
                batch = f"{batch}.{env['GITHUB_RUN_ATTEMPT']}"
            out["batch"] = f"{provider}:{batch}" if batch else None
            break
    if out["commit"] is None:
        out["commit"] = _git(cwd, "rev-parse", "HEAD")
    if out["branch"] is None:
        branch = _git(cwd, "rev-parse", "--abbrev-ref", "HEAD")
        out["branch"] = branch if branch and branch != "HEAD" else None
    if env.get("APIPARITY_RUN_BATCH"):
        out["batch"] = env["APIPARITY_RUN_BATCH"]
    return out


def _first(env: Mapping[str, str], names: tuple[str, ...]) -> str | None:
    for name in names:
        if env.get(name):
            return env[name]
    return None


def _git(cwd: Path | None, *args: str) -> str | None:
    try:
        done = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, timeout=5, check=False)
    except (OSError, subprocess.SubprocessError):
        return None
    value = done.stdout.strip()
    return value if done.returncode == 0 and value else None
