"""DPO on preference rows and full fine-tuning complete and save what they promise."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import pytest
import torch

from conftest import assert_well_formed, make_spec, run_in_process


def test_dpo_lora_on_preference_rows_completes(
    tmp_path: Path, preference_data: Path, tiny_model: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    spec = make_spec(tiny_model("qwen3"), preference_data, tmp_path / "out", objective="dpo")
    spec["hyperparameters"].update(dpo_beta=0.2, max_steps=2)
    result = run_in_process(spec, tmp_path, monkeypatch)
    assert result.returncode == 0, result.last()
    assert_well_formed(result)
    losses = result.losses()
    assert sorted(losses) == [1, 2] and all(math.isfinite(v) for v in losses.values())
    assert losses[1] == pytest.approx(math.log(2), abs=1e-3), "DPO starts at -log σ(0) with the reference = policy"
    final = Path(result.last()["artifacts"]["model_dir"])
    assert (final / "adapter_model.safetensors").is_file()


def test_full_fine_tune_saves_complete_model(
    tmp_path: Path, chat_data: Path, tiny_model: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from safetensors.torch import load_file

    base = tiny_model("qwen2")
    spec = make_spec(
        base, chat_data, tmp_path / "out", method="full", hyperparameters={"learning_rate": 1e-4, "max_steps": 2}
    )
    result = run_in_process(spec, tmp_path, monkeypatch)
    assert result.returncode == 0, result.last()
    done = result.last()
    assert done["artifacts"]["kind"] == "full_model"
    final = Path(done["artifacts"]["model_dir"])
    for name in ("model.safetensors", "config.json", "tokenizer.json", "chat_template.jinja"):
        assert (final / name).is_file(), name
    trained, original = load_file(str(final / "model.safetensors")), load_file(str(base / "model.safetensors"))
    key = "model.layers.0.self_attn.q_proj.weight"
    assert not torch.equal(trained[key], original[key]), "full fine-tuning changed the base weights"
