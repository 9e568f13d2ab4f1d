"""Helpers for the evaluator's tests: spec builder, in-process runner, stream checks, a LoRA adapter."""

from __future__ import annotations

import io
import json
import time
from pathlib import Path
from typing import Any

from conftest import RunResult, parse_events, write_jsonl

EVENT_KINDS = {"status", "log", "metric", "progress", "example", "completed", "cancelled", "failed"}

EVAL_CHAT_ROWS: list[dict[str, Any]] = [
    {
        "messages": [
            {"role": "system", "content": "你是一个有帮助的助手。"},
            {"role": "user", "content": "你好，请介绍一下你自己。"},
            {"role": "assistant", "content": "你好！我是一个语言模型助手。"},
        ]
    },
    {"messages": [{"role": "user", "content": "What is 2+2?"}, {"role": "assistant", "content": "2+2 equals 4."}]},
    {"messages": [{"role": "user", "content": "把 cat 翻译成中文。"}, {"role": "assistant", "content": "猫"}]},
    {
        "messages": [
            {"role": "user", "content": "Name a colour."},
            {"role": "assistant", "content": "Blue."},
            {"role": "user", "content": "另一个？"},
            {"role": "assistant", "content": "红色。"},
        ]
    },
]

MC_ROWS: list[dict[str, Any]] = [
    {"question": "1+1=?", "A": "1", "B": "2", "C": "3", "D": "4", "answer": "B", "subject": "math"},
    {"question": "2×3=?", "A": "5", "B": "6", "C": "8", "D": "9", "answer": 1, "subject": "math"},
    {"question": "猫是什么？", "choices": ["动物", "植物", "矿物"], "answer": "动物", "subject": "生物"},
    {"question": "水的化学式是？", "A": "H2O", "B": "CO2", "C": "NaCl", "D": "O2", "answer": "a", "subject": "化学"},
    {"question": "Capital of France?", "A": "Paris", "B": "Rome", "answer": "A", "subject": "geography"},
    {"question": "最大的行星是？", "choices": ["地球", "木星", "火星", "金星"], "answer": 1, "subject": "geography"},
]


def target(key: str, model_dir: Path | str, adapter: Path | str | None = None, family: str = "qwen3") -> dict:
    return {
        "key": key,
        "base_model": {"catalog_id": f"tiny-{family}", "hf_id": None, "tiny_family": family, "path": str(model_dir)},
        "adapter_path": str(adapter) if adapter else None,
    }


def generation_suite(**overrides: Any) -> dict[str, Any]:
    suite = {"max_new_tokens": 5, "do_sample": True, "temperature": 1.0, "top_p": 1.0, "seed": 11, "thinking": "on"}
    suite.update(overrides)
    return suite


def make_eval_spec(
    targets: list[dict[str, Any]], data: Path, output_dir: Path, *, schema_kind: str = "conversations", **overrides: Any
) -> dict[str, Any]:
    spec: dict[str, Any] = {
        "evaluation_id": "eval-0001",
        "attempt": 1,
        "targets": targets,
        "dataset": {"path": str(data), "schema_kind": schema_kind},
        "suites": {
            "perplexity": {"max_seq_length": 256} if schema_kind != "multiple_choice" else None,
            "generation": generation_suite() if schema_kind != "multiple_choice" else None,
            "multiple_choice": (
                {"batch_size": 1, "apply_chat_template": False} if schema_kind == "multiple_choice" else None
            ),
        },
        "bootstrap": {"samples": 200, "seed": 3},
        "output_dir": str(output_dir),
        "max_examples": None,
        "resume_from": None,
    }
    spec.update(overrides)
    return spec


def run_evaluation(spec: dict[str, Any], tmp_path: Path) -> RunResult:
    """`llmtrainer.evaluation.cli.run` inside the test process (the CLI's own code path, minus the imports)."""
    from llmtrainer.evaluation.cli import run
    from llmtrainer.events import EventWriter

    specs = tmp_path / "specs"
    specs.mkdir(parents=True, exist_ok=True)
    path = specs / f"spec-{time.monotonic_ns()}.json"
    path.write_text(json.dumps(spec, ensure_ascii=False), encoding="utf-8")
    stream = io.StringIO()
    start = time.perf_counter()
    code = run(str(path), EventWriter(stream))
    return RunResult(code, parse_events(stream.getvalue()), "", time.perf_counter() - start, stream.getvalue())


def assert_evaluation_stream(result: RunResult) -> None:
    """Protocol invariants: seq 0,1,2…, known kinds, monotonic progress, unique rows, one terminal event last."""
    assert result.events, "no events"
    assert [e["seq"] for e in result.events] == list(range(len(result.events)))
    last_done: dict[tuple[str, str], int] = {}
    rows: set[tuple[str, str, int]] = set()
    for e in result.events:
        assert e["event"] in EVENT_KINDS, e
        assert isinstance(e["time"], str) and e["time"].endswith("Z")
        if e["event"] == "progress":
            key = (e["target"], e["suite"])
            assert e["done"] >= last_done.get(key, 0), f"progress went back: {e}"
            assert 0 <= e["done"] <= e["total"] and e["overall_done"] <= e["overall_total"]
            last_done[key] = e["done"]
        if e["event"] == "example":
            key3 = (e["target"], e["suite"], e["index"])
            assert key3 not in rows, f"example row emitted twice: {key3}"
            rows.add(key3)
            line = json.dumps({k: v for k, v in e.items() if k not in ("seq", "time", "event")}, ensure_ascii=False)
            assert len(line.encode()) < 64 * 1024
        if e["event"] == "metric":
            assert isinstance(e["step"], int) and all(isinstance(v, float) for v in e["values"].values())
    terminal = [e for e in result.events if e["event"] in {"completed", "cancelled", "failed"}]
    assert len(terminal) == 1 and terminal[0] is result.events[-1], "exactly one terminal event, last"


def example_rows(result: RunResult) -> list[dict[str, Any]]:
    return [{k: v for k, v in e.items() if k not in ("seq", "time", "event")} for e in result.of("example")]


def write_rows(path: Path, rows: list[dict[str, Any]]) -> Path:
    return write_jsonl(path, rows)


def build_lora_adapter(model_dir: Path, out: Path) -> Path:
    """A LoRA adapter with random (non-zero) weights on all linear layers, so the fine-tune differs from its base."""
    import torch
    from peft import LoraConfig, get_peft_model
    from transformers import AutoModelForCausalLM

    if (out / "adapter_config.json").is_file():
        return out
    torch.manual_seed(5)
    model = AutoModelForCausalLM.from_pretrained(model_dir, dtype=torch.float32)
    config = LoraConfig(r=4, lora_alpha=8, target_modules="all-linear", init_lora_weights=False, task_type="CAUSAL_LM")
    get_peft_model(model, config).save_pretrained(out)
    return out
