"""Spec validation: every rejection names the offending field."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from conftest import HYPERPARAMETERS
from llmtrainer.errors import SpecError
from llmtrainer.spec import Hyperparameters, parse_spec

VALID: dict[str, Any] = {
    "run_id": "r-1",
    "attempt": 1,
    "mode": "train",
    "base_model": {"hf_id": "Qwen/Qwen3-0.6B"},
    "method": "lora",
    "objective": "sft",
    "dataset": {"train_path": "/data/train.jsonl", "eval_path": None},
    "hyperparameters": HYPERPARAMETERS,
    "output_dir": "/runs/r-1",
    "resume_from_checkpoint": None,
}


def with_change(path: str, value: Any) -> dict[str, Any]:
    spec = copy.deepcopy(VALID)
    *parents, last = path.split(".")
    target = spec
    for key in parents:
        target = target[key]
    if value is ...:
        del target[last]
    else:
        target[last] = value
    return spec


def test_a_complete_spec_parses_as_given() -> None:
    spec = parse_spec(VALID)
    hp = spec.hyperparameters
    assert (hp.learning_rate, hp.max_seq_length, hp.lora_r, hp.precision) == (1e-3, 128, 8, "fp32")
    assert hp.eval_steps is None and hp.save_total_limit == 2
    assert spec.base_model.ref == "Qwen/Qwen3-0.6B"


def test_missing_hyperparameters_are_refused_each_named() -> None:
    spec = copy.deepcopy(VALID)
    del spec["hyperparameters"]["max_seq_length"]
    del spec["hyperparameters"]["lora_r"]
    with pytest.raises(SpecError) as info:
        parse_spec(spec)
    assert info.value.field == "hyperparameters.max_seq_length"
    assert str(info.value) == "hyperparameters.max_seq_length: required; hyperparameters.lora_r: required"


@pytest.mark.parametrize("name", list(HYPERPARAMETERS))
def test_every_hyperparameter_is_required(name: str) -> None:
    """No default can silently apply: leaving out any one field (even a nullable one) is refused."""
    with pytest.raises(SpecError) as info:
        parse_spec(with_change(f"hyperparameters.{name}", ...))
    assert str(info.value) == f"hyperparameters.{name}: required"


def test_the_test_spec_covers_every_trainer_field() -> None:
    assert set(HYPERPARAMETERS) == set(Hyperparameters.__dataclass_fields__)


@pytest.mark.parametrize(
    ("path", "value", "field", "fragment"),
    [
        ("method", "prefix_tuning", "method", "must be one of lora, qlora, full"),
        ("objective", "ppo", "objective", "must be one of"),
        ("run_id", ..., "run_id", "is required"),
        ("hyperparameters.lora_r", 0, "hyperparameters.lora_r", "must be a positive integer"),
        ("hyperparameters.lora_r", 2.5, "hyperparameters.lora_r", "must be a positive integer"),
        ("hyperparameters.max_seq_length", 8, "hyperparameters.max_seq_length", ">= 16"),
        ("hyperparameters.learning_rate", -1, "hyperparameters.learning_rate", "must be a number"),
        ("hyperparameters.max_steps", 0, "hyperparameters.max_steps", "-1"),
        ("hyperparameters.precision", "int8", "hyperparameters.precision", "fp32, bf16, fp16"),
        ("hyperparameters.lora_target_modules", [], "hyperparameters.lora_target_modules", "all-linear"),
        ("hyperparameters.thinking", "drop", "hyperparameters.thinking", "keep, strip_empty"),
        ("hyperparameters.packing", "yes", "hyperparameters.packing", "true or false"),
        ("hyperparameters.eval_steps", 10, "hyperparameters.eval_steps", "needs dataset.eval_path"),
        ("dataset.train_path", "relative.jsonl", "dataset.train_path", "absolute path"),
        ("base_model", {"path": "/m", "hf_id": "a/b"}, "base_model", "exactly one"),
        ("base_model", {"hf_id": "no-slash"}, "base_model.hf_id", "organisation/model"),
        ("output_dir", ..., "output_dir", "is required"),
        ("hyperparameters", ..., "hyperparameters", "is required"),
        ("objective", ..., "objective", "is required"),
        ("mode", ..., "mode", "is required"),
        ("attempt", ..., "attempt", "is required"),
        ("resume_from_checkpoint", "ckpt-3", "resume_from_checkpoint", "absolute path"),
    ],
)
def test_invalid_field_is_named(path: str, value: Any, field: str, fragment: str) -> None:
    with pytest.raises(SpecError) as info:
        parse_spec(with_change(path, value))
    assert info.value.field == field
    assert str(info.value).startswith(f"{field}: ")
    assert fragment in info.value.message


def test_unknown_fields_are_reported_not_fatal() -> None:
    spec = parse_spec(with_change("hyperparameters.learning_rat", 1e-4))
    assert spec.unknown_fields == ("hyperparameters.learning_rat",)


def test_the_readme_example_is_a_complete_spec() -> None:
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    example = readme.split("## Run spec", 1)[1].split("```json", 1)[1].split("```", 1)[0]
    assert parse_spec(json.loads(example)).hyperparameters.max_seq_length == 2048
