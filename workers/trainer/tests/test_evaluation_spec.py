"""The evaluation spec: every field required and named when missing, unknown or out of range; bad sets refused."""

from __future__ import annotations

import copy
import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from conftest import parse_events, subprocess_env, write_jsonl
from evaluation_support import (
    EVAL_CHAT_ROWS,
    MC_ROWS,
    assert_evaluation_stream,
    make_eval_spec,
    run_evaluation,
    target,
)


def _spec(tmp_path: Path, schema_kind: str = "conversations") -> dict[str, Any]:
    model = tmp_path / "model"
    model.mkdir(exist_ok=True)
    (model / "config.json").write_text("{}")
    rows = MC_ROWS if schema_kind == "multiple_choice" else EVAL_CHAT_ROWS
    data = write_jsonl(tmp_path / "set.jsonl", rows)
    return make_eval_spec([target("base", model)], data, tmp_path / "out", schema_kind=schema_kind)


def _without(spec: dict[str, Any], dotted: str) -> dict[str, Any]:
    spec = copy.deepcopy(spec)
    *parents, last = dotted.split(".")
    node = spec
    for p in parents:
        node = node[int(p)] if p.isdigit() else node[p]
    del node[last]
    return spec


def _with(spec: dict[str, Any], dotted: str, value: Any) -> dict[str, Any]:
    spec = copy.deepcopy(spec)
    *parents, last = dotted.split(".")
    node = spec
    for p in parents:
        node = node[int(p)] if p.isdigit() else node[p]
    node[last] = value
    return spec


def _refused(spec: dict[str, Any], tmp_path: Path) -> str:
    result = run_evaluation(spec, tmp_path)
    assert_evaluation_stream(result)
    failed = result.last()
    assert result.returncode == 2, failed
    assert failed["event"] == "failed" and failed["reason"] == "invalid_spec" and failed["example"] is None
    return failed["message"]


@pytest.mark.parametrize(
    ("missing", "field"),
    [
        ("evaluation_id", "evaluation_id"),
        ("resume_from", "resume_from"),
        ("max_examples", "max_examples"),
        ("targets.0.adapter_path", "targets[0].adapter_path"),
        ("targets.0.base_model.tiny_family", "targets[0].base_model.tiny_family"),
        ("suites.multiple_choice", "suites.multiple_choice"),
        ("suites.generation.thinking", "suites.generation.thinking"),
        ("bootstrap.seed", "bootstrap.seed"),
    ],
)
def test_a_missing_field_is_refused_by_name(tmp_path: Path, missing: str, field: str) -> None:
    assert _refused(_without(_spec(tmp_path), missing), tmp_path) == f"{field}: is required"


@pytest.mark.parametrize(
    ("path", "value", "field", "says"),
    [
        ("suites.bleurt", {}, "suites.bleurt", "unknown suite"),
        ("dataset.split", "test", "dataset.split", "unknown field"),
        ("suites.generation.max_new_tokens", 0, "suites.generation.max_new_tokens", "between 1 and 4096"),
        ("suites.generation.max_new_tokens", 4097, "suites.generation.max_new_tokens", "between 1 and 4096"),
        ("suites.generation.thinking", "maybe", "suites.generation.thinking", "on, off, model_default"),
        ("suites.generation.top_p", 0, "suites.generation.top_p", "> 0"),
        (
            "suites.multiple_choice",
            {"batch_size": 1, "apply_chat_template": False},
            "suites.multiple_choice",
            "needs dataset.schema_kind multiple_choice",
        ),
        ("targets.0.key", "a b", "targets[0].key", "letters, digits"),
        ("targets.0.base_model.path", None, "targets[0].base_model.path", "tiny model"),
        ("targets.0.adapter_path", "relative/dir", "targets[0].adapter_path", "absolute path"),
        ("dataset.schema_kind", "alpaca", "dataset.schema_kind", "conversations, prompt_completion"),
        ("bootstrap.samples", 0, "bootstrap.samples", "between 1"),
        ("suites", {"perplexity": None, "generation": None, "multiple_choice": None}, "suites", "at least one"),
    ],
)
def test_a_bad_value_is_refused_by_name(tmp_path: Path, path: str, value: Any, field: str, says: str) -> None:
    message = _refused(_with(_spec(tmp_path), path, value), tmp_path)
    assert message.startswith(f"{field}: ") and says in message, message


def test_duplicate_target_keys_are_refused(tmp_path: Path) -> None:
    spec = _spec(tmp_path)
    spec["targets"].append(copy.deepcopy(spec["targets"][0]))
    assert _refused(spec, tmp_path).startswith("targets[1].key: duplicate key 'base'")


@pytest.mark.parametrize(
    ("row", "says"),
    [
        ({"question": "q", "A": "x", "B": "y", "answer": "E"}, "line 7: answer: 'E' is not among the choices"),
        ({"question": "q", "choices": ["x", "x "], "answer": 0}, "line 7: choices: duplicate choice 'x'"),
        ({"A": "x", "B": "y", "answer": "A"}, "line 7: question: is required"),
        ({"question": "q", "A": "x", "answer": "A"}, "line 7: needs at least two choices"),
    ],
)
def test_a_bad_multiple_choice_row_is_refused_naming_its_line(tmp_path: Path, row: dict, says: str) -> None:
    spec = _spec(tmp_path, "multiple_choice")
    write_jsonl(Path(spec["dataset"]["path"]), [*MC_ROWS, row])
    message = _refused(spec, tmp_path)
    assert message.startswith("dataset.path: ") and says in message, message


def test_a_conversation_without_a_reference_is_refused(tmp_path: Path) -> None:
    spec = _spec(tmp_path)
    write_jsonl(Path(spec["dataset"]["path"]), [{"messages": [{"role": "user", "content": "hi"}]}])
    assert _refused(spec, tmp_path) == "dataset.path: line 1: no assistant turn to use as the reference"


def test_missing_files_are_refused_by_field(tmp_path: Path) -> None:
    spec = _spec(tmp_path)
    assert _refused(_with(spec, "targets.0.adapter_path", "/nonexistent/adapter"), tmp_path).startswith(
        "targets[0].adapter_path: directory not found"
    )
    assert _refused(_with(spec, "dataset.path", "/nonexistent/set.jsonl"), tmp_path).startswith(
        "dataset.path: file not found"
    )
    assert _refused(_with(spec, "resume_from", "/nonexistent/rows.jsonl"), tmp_path).startswith(
        "resume_from: file not found"
    )


def test_the_cli_refuses_a_bad_spec_fast_with_exit_code_2(tmp_path: Path) -> None:
    spec = _with(_spec(tmp_path), "suites.generation.max_new_tokens", 5000)
    path = tmp_path / "spec.json"
    path.write_text(json.dumps(spec))
    start = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-m", "llmtrainer.evaluation", "--spec", str(path)],
        capture_output=True,
        text=True,
        env=subprocess_env(),
        timeout=60,
    )
    seconds = time.perf_counter() - start
    events = parse_events(proc.stdout)  # stdout holds JSON events only
    assert proc.returncode == 2, proc.stderr
    assert [e["event"] for e in events] == ["status", "failed"]
    assert events[-1]["message"].startswith("suites.generation.max_new_tokens: must be an integer between 1 and 4096")
    assert seconds < 3.0, f"refusing a bad spec took {seconds:.2f}s (heavy imports before validation?)"
