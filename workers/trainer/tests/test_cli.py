"""The command line as the worker agent drives it: noop runs, refused specs, a full SFT run, failures."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from conftest import (
    CHAT_ROWS,
    PREFERENCE_ROWS,
    assert_well_formed,
    make_spec,
    parse_events,
    run_cli,
    run_in_process,
    subprocess_env,
    write_jsonl,
)

REQUIRED_METRICS = {"loss", "learning_rate", "grad_norm", "tokens_per_second", "samples_per_second"}


def test_noop_reports_progress_and_completes_within_two_seconds(tmp_path: Path) -> None:
    spec = make_spec("/nowhere/model", "/nowhere/train.jsonl", tmp_path / "out", mode="noop")
    result = run_cli(spec, tmp_path)
    assert result.returncode == 0, result.stderr
    assert_well_formed(result)
    assert result.of("progress") and result.of("metric")
    assert result.last()["event"] == "completed"
    assert result.seconds < 2.0, f"noop took {result.seconds:.2f}s"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"method": "prefix_tuning"}, "method"),
        ({"hyperparameters": {"lora_r": 0}}, "hyperparameters.lora_r"),
        ({"hyperparameters": {"max_seq_length": 8}}, "hyperparameters.max_seq_length"),
        ({"dataset": {"train_path": "/nonexistent/train.jsonl"}}, "dataset.train_path"),
        ({"base_model": {"path": "/nonexistent/model"}}, "base_model.path"),
    ],
)
def test_invalid_spec_fails_fast_naming_the_field(
    tmp_path: Path, chat_data: Path, change: dict[str, Any], field: str
) -> None:
    spec = make_spec(tmp_path, chat_data, tmp_path / "out", **change)
    (tmp_path / "config.json").write_text("{}")  # the base-model check sees a model directory
    result = run_cli(spec, tmp_path)
    assert result.returncode == 2
    assert_well_formed(result)
    failed = result.last()
    assert failed["event"] == "failed" and failed["reason"] == "invalid_spec"
    assert failed["message"].startswith(f"{field}: "), failed["message"]


def test_a_spec_missing_a_hyperparameter_fails_as_invalid_spec(tmp_path: Path) -> None:
    spec = make_spec("/nowhere/model", "/nowhere/train.jsonl", tmp_path / "out", mode="noop")
    del spec["hyperparameters"]["max_seq_length"]
    result = run_cli(spec, tmp_path)
    assert result.returncode == 2
    assert_well_formed(result)
    failed = result.last()
    assert failed["event"] == "failed" and failed["reason"] == "invalid_spec"
    assert failed["message"] == "hyperparameters.max_seq_length: required"


def test_qlora_is_refused_without_cuda(tmp_path: Path, chat_data: Path) -> None:
    import torch

    if torch.cuda.is_available():
        pytest.skip("this machine has CUDA")
    (tmp_path / "config.json").write_text("{}")
    result = run_cli(make_spec(tmp_path, chat_data, tmp_path / "out", method="qlora"), tmp_path)
    assert result.returncode == 2
    assert result.last()["reason"] == "invalid_spec"
    assert result.last()["message"].startswith("method: qlora needs a CUDA GPU")


def test_dpo_on_chat_rows_is_refused(tmp_path: Path, chat_data: Path, tiny_model: Any) -> None:
    result = run_cli(make_spec(tiny_model("qwen3"), chat_data, tmp_path / "out", objective="dpo"), tmp_path)
    assert result.returncode == 2
    message = result.last()["message"]
    assert message.startswith("dataset.train_path: line 1: objective dpo needs preference rows"), message


def test_sft_on_preference_rows_is_refused(tmp_path: Path, tiny_model: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    data = write_jsonl(tmp_path / "pref.jsonl", PREFERENCE_ROWS)
    result = run_in_process(make_spec(tiny_model("qwen3"), data, tmp_path / "out"), tmp_path, monkeypatch)
    assert result.returncode == 2
    assert "use objective dpo" in result.last()["message"]


def test_unknown_lora_target_lists_the_available_layers(
    tmp_path: Path, chat_data: Path, tiny_model: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    spec = make_spec(tiny_model("qwen3"), chat_data, tmp_path / "out", hyperparameters={"lora_target_modules": ["x"]})
    result = run_in_process(spec, tmp_path, monkeypatch)
    assert result.returncode == 2
    assert result.last()["message"].startswith("hyperparameters.lora_target_modules: none of ['x']")
    assert "q_proj" in result.last()["message"]


@pytest.mark.slow
def test_sft_end_to_end_reports_metrics_checkpoints_and_saves_adapter(tmp_path: Path, tiny_model: Any) -> None:
    model_dir = tiny_model("qwen3")
    text_row = {"text": "Continued pre-training rows train on every token. 继续预训练的文本行。"}
    data = write_jsonl(tmp_path / "train.jsonl", [*CHAT_ROWS, text_row])
    out = tmp_path / "run"
    spec = make_spec(
        model_dir,
        data,
        out,
        dataset={"train_path": str(data), "eval_path": str(data)},
        hyperparameters={
            "max_steps": 4,
            "save_steps": 2,
            "save_total_limit": 1,
            "eval_steps": 2,
            "gradient_checkpointing": True,
            "thinking": "strip_empty",
            "lora_target_modules": ["q_proj", "v_proj"],
        },
        model_card={
            "base_model_id": "Qwen/Qwen3-0.6B",
            "base_model_licence": "Apache-2.0",
            "run_name": "客服问答 r8",
            "run_number": 3,
            "dataset_name": "chats",
            "dataset_version": 2,
            "dataset_content_hash": "ab" * 32,
            "dataset_rows": 5,
        },
    )
    result = run_cli(spec, tmp_path)
    assert result.returncode == 0, result.stderr[-3000:]
    assert_well_formed(result)  # also: every stdout line parsed as one JSON event

    statuses = [e["status"] for e in result.of("status")]
    assert statuses == ["starting", "loading_model", "training", "saving"]
    metrics = [e for e in result.of("metric") if "loss" in e["values"]]
    assert [m["step"] for m in metrics] == [1, 2, 3, 4]
    for m in metrics:
        assert set(m["values"]) >= REQUIRED_METRICS, m
        assert all(math.isfinite(v) for v in m["values"].values())
    assert [m["step"] for m in result.of("metric") if "eval_loss" in m["values"]] == [2, 4]
    assert [p["step"] for p in result.of("progress")][-1] == 4
    assert all(p["total_steps"] == 4 for p in result.of("progress"))

    checkpoints = result.of("checkpoint")
    assert [c["step"] for c in checkpoints] == [2, 4]
    assert checkpoints[-1]["path"] == str(out / "checkpoints" / "checkpoint-4")
    kept = sorted(p.name for p in (out / "checkpoints").glob("checkpoint-*"))
    assert kept == ["checkpoint-4"], "save_total_limit=1 keeps only the newest"
    for name in ("adapter_model.safetensors", "optimizer.pt", "scheduler.pt", "rng_state.pth"):
        assert (out / "checkpoints" / "checkpoint-4" / name).is_file(), name

    done = result.last()
    assert done["event"] == "completed"
    assert done["artifacts"] == {"model_dir": str(out / "final"), "kind": "lora_adapter"}
    final = Path(done["artifacts"]["model_dir"])
    for name in ("adapter_model.safetensors", "adapter_config.json", "tokenizer.json", "chat_template.jinja"):
        assert (final / name).is_file(), name
    assert done["chat_template"] == (model_dir / "chat_template.jinja").read_text()
    assert (final / "chat_template.jinja").read_text() == done["chat_template"]
    assert done["final_metrics"]["global_step"] == 4.0
    assert math.isfinite(done["final_metrics"]["train_loss"])

    # Portable and safe to publish: the base model by hub id, a real model card, no pickles.
    adapter_config = json.loads((final / "adapter_config.json").read_text())
    assert adapter_config["base_model_name_or_path"] == "Qwen/Qwen3-0.6B"
    assert not [p.name for p in final.iterdir() if p.suffix in (".bin", ".pt", ".pth", ".pkl")]
    card = (final / "README.md").read_text()
    for fact in ("base_model: Qwen/Qwen3-0.6B", "license: Apache-2.0", "客服问答 r8", "chats v2", "ab" * 32):
        assert fact in card, fact
    assert '"lora_target_modules"' not in card and '`lora_target_modules` | ["q_proj", "v_proj"]' in card
    assert "`train_loss`" in card and "PeftModel.from_pretrained" in card
    assert done["chat_template"].strip() in card


def test_nan_loss_fails_the_run_immediately(
    tmp_path: Path, chat_data: Path, tiny_model: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    spec = make_spec(tiny_model("qwen3"), chat_data, tmp_path / "out", hyperparameters={"max_steps": 5})
    result = run_in_process(spec, tmp_path, monkeypatch, hooks={"nan_at_step": 2})
    assert result.returncode == 1
    assert_well_formed(result)
    assert result.last()["event"] == "failed" and result.last()["reason"] == "nan_loss"
    assert "step 2" in result.last()["message"]
    assert max(p["step"] for p in result.of("progress")) == 1, "stops at the step where the loss went NaN"
    assert not result.of("checkpoint")


def test_out_of_memory_fails_with_a_hint(
    tmp_path: Path, chat_data: Path, tiny_model: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    spec = make_spec(tiny_model("qwen3"), chat_data, tmp_path / "out")
    result = run_in_process(spec, tmp_path, monkeypatch, hooks={"oom_at_step": 1})
    assert result.returncode == 1
    assert result.last()["reason"] == "oom"
    assert "per_device_train_batch_size" in result.last()["message"]
    assert "gradient_checkpointing" in result.last()["message"]


def test_unreadable_spec_file_is_invalid_spec(tmp_path: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "llmtrainer.train", "--spec", str(tmp_path / "missing.json")],
        capture_output=True,
        text=True,
        env=subprocess_env(),
        timeout=60,
    )
    assert proc.returncode == 2
    events = parse_events(proc.stdout)
    assert events[-1]["reason"] == "invalid_spec" and events[-1]["message"].startswith("spec: ")
    assert json.loads(proc.stdout.splitlines()[0])["seq"] == 0
