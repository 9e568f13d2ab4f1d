"""SIGTERM checkpoints and exits 3; resuming from that checkpoint reproduces the uninterrupted run exactly."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from conftest import (
    CHAT_ROWS,
    RunResult,
    assert_well_formed,
    make_spec,
    parse_events,
    run_in_process,
    subprocess_env,
    write_jsonl,
)

STEPS = 5
SIGNAL_AFTER_STEP = 2
HP = {"max_steps": STEPS, "per_device_train_batch_size": 1, "warmup_ratio": 0.2, "lr_scheduler_type": "cosine"}


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    d = tmp_path_factory.mktemp("resume")
    write_jsonl(d / "train.jsonl", CHAT_ROWS)
    return d


@pytest.fixture(scope="module")
def interrupted(workdir: Path, tiny_model: Any) -> RunResult:
    """A CLI run that receives SIGTERM once step SIGNAL_AFTER_STEP has been reported."""
    spec = make_spec(tiny_model("qwen3"), workdir / "train.jsonl", workdir / "interrupted", hyperparameters=HP)
    spec_path = workdir / "interrupted.json"
    spec_path.write_text(json.dumps(spec))
    hooks = json.dumps({"step_delay_s": 0.5})  # keeps the run from finishing before the signal lands
    proc = subprocess.Popen(
        [sys.executable, "-m", "llmtrainer.train", "--spec", str(spec_path)],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env=subprocess_env({"LLMTRAINER_TEST_HOOKS": hooks}),
    )
    assert proc.stdout is not None
    lines: list[str] = []
    try:
        for line in proc.stdout:
            lines.append(line)
            event = json.loads(line)
            if event["event"] == "progress" and event["step"] >= SIGNAL_AFTER_STEP:
                proc.send_signal(signal.SIGTERM)
                break
        lines.extend(proc.stdout)
        code = proc.wait(timeout=120)
    finally:
        if proc.poll() is None:
            proc.kill()
    return RunResult(code, parse_events("".join(lines)))


def test_sigterm_checkpoints_and_reports_cancelled(interrupted: RunResult) -> None:
    assert interrupted.returncode == 3
    assert_well_formed(interrupted)
    cancelled = interrupted.last()
    assert cancelled["event"] == "cancelled"
    assert SIGNAL_AFTER_STEP <= cancelled["step"] < STEPS
    checkpoint = Path(cancelled["checkpoint"])
    assert checkpoint.name == f"checkpoint-{cancelled['step']}"
    assert (checkpoint / "adapter_model.safetensors").is_file() and (checkpoint / "optimizer.pt").is_file()
    assert interrupted.of("checkpoint")[-1]["path"] == str(checkpoint)
    assert not interrupted.of("completed")


def test_resume_from_latest_matches_uninterrupted_run(
    interrupted: RunResult, workdir: Path, tiny_model: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    model = tiny_model("qwen3")
    data = workdir / "train.jsonl"
    reference = run_in_process(make_spec(model, data, workdir / "reference", hyperparameters=HP), workdir, monkeypatch)
    assert reference.returncode == 0
    resumed = run_in_process(
        make_spec(model, data, workdir / "interrupted", hyperparameters=HP, resume_from_checkpoint="latest"),
        workdir,
        monkeypatch,
    )
    assert resumed.returncode == 0, resumed.last()
    stopped_at = interrupted.last()["step"]
    assert resumed.of("progress")[0]["step"] == stopped_at, "training restarts where the checkpoint left off"

    before, after, full = interrupted.losses(), resumed.losses(), reference.losses()
    assert sorted(after) == list(range(stopped_at + 1, STEPS + 1))
    for step, loss in {**before, **after}.items():
        assert loss == pytest.approx(full[step], abs=1e-5), f"step {step}"
    final_resumed = resumed.last()["final_metrics"]["final_loss"]
    assert final_resumed == pytest.approx(reference.last()["final_metrics"]["final_loss"], abs=1e-5)


def test_sigterm_while_loading_cancels_without_checkpoint(tmp_path: Path, chat_data: Path, tiny_model: Any) -> None:
    spec_path = tmp_path / "spec.json"
    spec_path.write_text(json.dumps(make_spec(tiny_model("qwen3"), chat_data, tmp_path / "out")))
    proc = subprocess.Popen(
        [sys.executable, "-m", "llmtrainer.train", "--spec", str(spec_path)],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env=subprocess_env(),
    )
    assert proc.stdout is not None
    lines = []
    for line in proc.stdout:
        lines.append(line)
        if json.loads(line).get("status") == "loading_model":
            proc.send_signal(signal.SIGTERM)
            break
    lines.extend(proc.stdout)
    result = RunResult(proc.wait(timeout=60), parse_events("".join(lines)))
    assert result.returncode == 3
    assert_well_formed(result)
    assert result.last() == {**result.last(), "event": "cancelled", "step": 0, "checkpoint": None}
