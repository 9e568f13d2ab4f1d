"""Shared fixtures: tiny models (built once, cached across sessions), datasets, spec builder, runners."""

from __future__ import annotations

import hashlib
import io
import json
import os
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

TRAINER_ROOT = Path(__file__).resolve().parents[1]
SRC = TRAINER_ROOT / "src"

CHAT_ROWS: list[dict[str, Any]] = [
    {
        "messages": [
            {"role": "system", "content": "你是一个有帮助的助手。"},
            {"role": "user", "content": "你好，请介绍一下你自己。"},
            {"role": "assistant", "content": "你好！我是一个语言模型助手。"},
        ]
    },
    {"messages": [{"role": "user", "content": "What is 2+2?"}, {"role": "assistant", "content": "2+2 equals 4."}]},
    {
        "messages": [
            {"role": "user", "content": "把 cat 翻译成中文。"},
            {"role": "assistant", "content": "猫", "reasoning_content": "The Chinese word for cat is 猫."},
        ]
    },
    {
        "messages": [
            {"role": "user", "content": "Name a colour."},
            {"role": "assistant", "content": "Blue."},
            {"role": "user", "content": "另一个？"},
            {"role": "assistant", "content": "红色。"},
        ]
    },
]

PREFERENCE_ROWS: list[dict[str, Any]] = [
    {
        "prompt": [{"role": "user", "content": "Say hello politely."}],
        "chosen": [{"role": "assistant", "content": "Hello, nice to meet you!"}],
        "rejected": [{"role": "assistant", "content": "What do you want?"}],
    },
    {
        "prompt": [{"role": "user", "content": "用中文问好。"}],
        "chosen": [{"role": "assistant", "content": "你好！很高兴见到你。"}],
        "rejected": [{"role": "assistant", "content": "走开。"}],
    },
]


def _cache_root() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "llm-trainer"


def write_jsonl(path: Path, rows: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    return path


@pytest.fixture(scope="session")
def tiny_model() -> Callable[[str], Path]:
    """tiny_model("qwen3") -> directory of a deterministic tiny model, built on first use and cached on disk."""
    import transformers

    from llmtrainer import tiny_models

    source = Path(tiny_models.__file__).read_bytes() + transformers.__version__.encode()
    root = _cache_root() / f"tiny-models-{hashlib.sha256(source).hexdigest()[:12]}"

    def get(family: str) -> Path:
        return tiny_models.build(family, root / family)

    return get


@pytest.fixture
def chat_data(tmp_path: Path) -> Path:
    return write_jsonl(tmp_path / "chat.jsonl", CHAT_ROWS)


@pytest.fixture
def preference_data(tmp_path: Path) -> Path:
    return write_jsonl(tmp_path / "pref.jsonl", PREFERENCE_ROWS)


# Every hyperparameter the trainer requires (it defaults none): a tiny, fast CPU run. The one place
# tests get a complete set from; the API emits its own (api/src/modules/run/run-spec.ts).
HYPERPARAMETERS: dict[str, Any] = {
    "learning_rate": 1e-3,
    "num_train_epochs": 1.0,
    "max_steps": 3,
    "per_device_train_batch_size": 2,
    "gradient_accumulation_steps": 1,
    "max_seq_length": 128,
    "packing": False,
    "warmup_ratio": 0.0,
    "lr_scheduler_type": "linear",
    "weight_decay": 0.0,
    "optim": "adamw_torch",
    "seed": 7,
    "lora_r": 8,
    "lora_alpha": 16,
    "lora_dropout": 0.0,
    "lora_target_modules": "all-linear",
    "precision": "fp32",
    "gradient_checkpointing": False,
    "logging_steps": 1,
    "eval_steps": None,
    "save_steps": 100,
    "save_total_limit": 2,
    "assistant_only_loss": True,
    "thinking": "keep",
    "dpo_beta": 0.1,
}


def make_spec(
    model_dir: Path | str, train_path: Path | str, output_dir: Path | str, **overrides: Any
) -> dict[str, Any]:
    """A complete small LoRA SFT spec; `hyperparameters` in overrides are merged, other keys replace."""
    hp = {**HYPERPARAMETERS, **overrides.pop("hyperparameters", {})}
    spec: dict[str, Any] = {
        "run_id": "00000000-0000-4000-8000-000000000001",
        "attempt": 1,
        "mode": "train",
        "base_model": {"path": str(model_dir)},
        "method": "lora",
        "objective": "sft",
        "dataset": {"train_path": str(train_path), "eval_path": None},
        "hyperparameters": hp,
        "output_dir": str(output_dir),
        "resume_from_checkpoint": None,
    }
    spec.update(overrides)
    return spec


@dataclass
class RunResult:
    returncode: int
    events: list[dict[str, Any]]
    stderr: str = ""
    seconds: float = 0.0
    raw_stdout: str = field(default="", repr=False)

    def of(self, kind: str) -> list[dict[str, Any]]:
        return [e for e in self.events if e["event"] == kind]

    def last(self) -> dict[str, Any]:
        return self.events[-1]

    def losses(self) -> dict[int, float]:
        return {e["step"]: e["values"]["loss"] for e in self.of("metric") if "loss" in e["values"]}


def _write_spec(spec: dict[str, Any], directory: Path) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"spec-{time.monotonic_ns()}.json"
    path.write_text(json.dumps(spec), encoding="utf-8")
    return path


def subprocess_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(SRC) + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    env.pop("LLMTRAINER_TEST_HOOKS", None)
    env.update(extra or {})
    return env


def parse_events(stdout: str) -> list[dict[str, Any]]:
    """Every stdout line must be one JSON event (the protocol allows nothing else)."""
    return [json.loads(line) for line in stdout.splitlines() if line.strip()]


def run_cli(
    spec: dict[str, Any], tmp_path: Path, *, hooks: dict[str, Any] | None = None, timeout: float = 300
) -> RunResult:
    """`python -m llmtrainer.train --spec …` in a subprocess."""
    path = _write_spec(spec, tmp_path / "specs")
    extra = {"LLMTRAINER_TEST_HOOKS": json.dumps(hooks)} if hooks else {}
    start = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-m", "llmtrainer.train", "--spec", str(path)],
        capture_output=True,
        text=True,
        env=subprocess_env(extra),
        timeout=timeout,
    )
    return RunResult(proc.returncode, parse_events(proc.stdout), proc.stderr, time.perf_counter() - start, proc.stdout)


def run_in_process(
    spec: dict[str, Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch, *, hooks: dict[str, Any] | None = None
) -> RunResult:
    """The same entry point (`llmtrainer.train.run`) inside the test process: saves ~10 s of imports per run."""
    from llmtrainer.events import EventWriter
    from llmtrainer.train import run

    if hooks:
        monkeypatch.setenv("LLMTRAINER_TEST_HOOKS", json.dumps(hooks))
    else:
        monkeypatch.delenv("LLMTRAINER_TEST_HOOKS", raising=False)
    path = _write_spec(spec, tmp_path / "specs")
    stream = io.StringIO()
    start = time.perf_counter()
    code = run(str(path), EventWriter(stream))
    return RunResult(code, parse_events(stream.getvalue()), "", time.perf_counter() - start, stream.getvalue())


def assert_well_formed(result: RunResult) -> None:
    """Protocol invariants every event stream must satisfy."""
    assert result.events, "no events"
    seqs = [e["seq"] for e in result.events]
    assert seqs == list(range(len(seqs))), f"seq must be 0,1,2…: {seqs}"
    for e in result.events:
        assert isinstance(e["time"], str) and e["time"].endswith("Z") and "T" in e["time"]
        assert e["event"] in {"status", "log", "metric", "progress", "checkpoint", "completed", "cancelled", "failed"}
        if e["event"] == "metric":
            assert isinstance(e["step"], int) and isinstance(e["epoch"], float)
            assert all(isinstance(v, float) for v in e["values"].values())
        if e["event"] == "progress":
            assert isinstance(e["step"], int) and isinstance(e["total_steps"], int)
    terminal = [e for e in result.events if e["event"] in {"completed", "cancelled", "failed"}]
    assert len(terminal) == 1 and terminal[0] is result.events[-1], "exactly one terminal event, last"
