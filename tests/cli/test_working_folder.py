"""A run leaves nothing in the folder it was started from: Hypothesis' tables go to the user's cache."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

REQUEST_BODY = """openapi: 3.0.3
info: {{title: t, version: '1'}}
paths:
  /p:
    post:
      requestBody:
        content:
          application/json:
            schema: {{type: object, properties: {{size: {{type: string{extra}}}}}}}
      responses:
        '200': {{description: ok}}
"""


def test_diff_with_a_witness_search_leaves_no_hypothesis_folder(tmp_path):
    work, cache = tmp_path / "work", tmp_path / "cache"
    work.mkdir()
    (work / "old.yaml").write_text(REQUEST_BODY.format(extra=""))
    (work / "new.yaml").write_text(REQUEST_BODY.format(extra=", maxLength: 3"))
    env = {key: value for key, value in os.environ.items() if key != "HYPOTHESIS_STORAGE_DIRECTORY"}
    env["XDG_CACHE_HOME"] = str(cache)
    tables = Path(os.environ.get("HYPOTHESIS_STORAGE_DIRECTORY", "")) / "unicode_data"
    if tables.is_dir():  # the suite's own tables: not built again (seconds of CPU)
        shutil.copytree(tables, cache / "apiparity" / "hypothesis" / "unicode_data")
    done = subprocess.run([sys.executable, "-c", "from apiparity.cli import main; main()", "diff", "old.yaml", "new.yaml"],
                          cwd=work, env=env, capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 1, done.stderr
    assert "OLD accepted" in done.stdout  # the witness search ran (it is what touches Hypothesis' storage)
    assert sorted(p.name for p in work.iterdir()) == ["new.yaml", "old.yaml"]
    assert (cache / "apiparity" / "hypothesis" / "unicode_data").is_dir()
