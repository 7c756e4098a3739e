"""`fuzz --record FILE` writes the generated requests as JSONL that `replay` reads: a CI run can
replay yesterday's corpus exactly (schemathesis' frozen-corpus ask)."""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import EXAMPLES, run_cli

LEGACY = f"{EXAMPLES / 'bookstore' / 'legacy_app.py'}:app"
REGRESSED = f"{EXAMPLES / 'bookstore' / 'regressed_app.py'}:app"


def test_recorded_fuzz_cases_replay_to_the_same_groups(tmp_path: Path) -> None:
    corpus = tmp_path / "cases.jsonl"
    fuzzed = tmp_path / "fuzz.json"
    # probes sent with another method than their operation's (head, options, undeclared-method) are
    # not recorded: replay would list them as undocumented traffic
    result = run_cli("fuzz", LEGACY, REGRESSED, "--seed", "1", "--max-examples", "5", "--phases", "examples,coverage,fuzzing",
                     "--probes", "trailing-slash,if-none-match,no-credentials,repeated-query,boolean-spelling,integer-path",
                     "--record", str(corpus), "--format", "json", "-o", str(fuzzed))
    assert result.exit_code == 1, result.stderr
    lines = [json.loads(line) for line in corpus.read_text(encoding="utf-8").split("\n") if line]  # not splitlines: U+2028 is data
    fuzz = json.loads(fuzzed.read_text())["fuzz"]
    assert len(lines) == fuzz["cases"]
    assert all(line["path"].startswith("/") and line["method"] for line in lines)

    replayed = tmp_path / "replay.json"
    result = run_cli("replay", str(corpus), LEGACY, REGRESSED, "--format", "json", "-o", str(replayed))
    assert result.exit_code == 1, result.stderr
    replay = json.loads(replayed.read_text())["fuzz"]
    assert replay["cases"] == fuzz["cases"]
    # the trailing-slash probes are not generated cases, so they are not in the corpus
    generated_groups = {g["key"] if "key" in g else f"{g['operation']} | {g['signature']}" for g in fuzz["groups"]
                        if not any(e["request"]["path"].endswith("/") for e in g["examples"])}
    replayed_groups = {g["key"] if "key" in g else f"{g['operation']} | {g['signature']}" for g in replay["groups"]}
    assert generated_groups <= replayed_groups


def test_record_to_an_unwritable_place_is_a_one_line_error(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("")
    result = run_cli("fuzz", LEGACY, REGRESSED, "--max-examples", "1", "--record", str(tmp_path / "file" / "cases.jsonl"))
    assert result.exit_code == 2
    assert result.stderr.strip().splitlines()[-1].startswith("error: --record")
