"""The platform's per-step losses match a plain PyTorch/PEFT loop on the same data, seed and schedule."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from conftest import make_spec, run_in_process

# The platform computes cross-entropy in chunks (TRL's chunked_nll) and the baseline in one piece: the same
# math, summed in a different order, so they agree to float32 rounding (~1e-6), well inside this bound.
MAX_LOSS_DIFFERENCE = 1e-4


def test_platform_losses_match_plain_loop(
    tmp_path: Path, chat_data: Path, tiny_model: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from llmtrainer.baseline import run_baseline
    from llmtrainer.spec import parse_spec

    hp = {
        "max_steps": 3,
        "learning_rate": 5e-3,
        "gradient_accumulation_steps": 2,
        "per_device_train_batch_size": 1,
        "warmup_ratio": 0.25,
        "lr_scheduler_type": "cosine",
        "weight_decay": 0.01,
    }
    spec = make_spec(tiny_model("qwen3"), chat_data, tmp_path / "out", hyperparameters=hp)
    platform = run_in_process(spec, tmp_path, monkeypatch)
    assert platform.returncode == 0, platform.last()
    baseline = {r["step"]: r for r in run_baseline(parse_spec(spec))}

    platform_losses = platform.losses()
    assert sorted(platform_losses) == sorted(baseline) == [1, 2, 3]
    differences = {step: abs(platform_losses[step] - baseline[step]["loss"]) for step in baseline}
    print("per-step |platform - baseline| loss:", json.dumps(differences))
    assert max(differences.values()) <= MAX_LOSS_DIFFERENCE, differences
    learning_rates = {m["step"]: m["values"]["learning_rate"] for m in platform.of("metric")}
    for step, record in baseline.items():
        assert learning_rates[step] == pytest.approx(record["learning_rate"], rel=1e-9)
