"""Whole evaluations on tiny random Qwen3 / DeepSeek-V3 models (real tokenizers), against reference tools:
perplexity = plain transformers, BLEU/chrF = sacrebleu, multiple choice = a direct lm_eval.simple_evaluate;
SIGTERM between examples, resuming without duplicate rows, failures naming the example."""

from __future__ import annotations

import json
import os
import signal
from pathlib import Path
from typing import Any

import pytest
import sacrebleu

from conftest import RunResult, write_jsonl
from evaluation_support import (
    EVAL_CHAT_ROWS,
    MC_ROWS,
    assert_evaluation_stream,
    build_lora_adapter,
    example_rows,
    make_eval_spec,
    run_evaluation,
    target,
    write_rows,
)


@pytest.fixture(scope="module")
def models(tiny_model: Any, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    qwen3 = tiny_model("qwen3")
    return {
        "qwen3": qwen3,
        "deepseek_v3": tiny_model("deepseek_v3"),
        "adapter": build_lora_adapter(qwen3, tmp_path_factory.mktemp("adapter") / "lora"),
    }


def _targets(models: dict[str, Path]) -> list[dict[str, Any]]:
    return [
        target("base", models["qwen3"]),
        target("tuned", models["qwen3"], models["adapter"]),
        target("ds", models["deepseek_v3"], family="deepseek_v3"),
    ]


@pytest.fixture(scope="module")
def chat_spec(models: dict[str, Path], tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    root = tmp_path_factory.mktemp("chat-eval")
    data = write_jsonl(root / "set.jsonl", EVAL_CHAT_ROWS)
    return make_eval_spec(_targets(models), data, root / "out")


@pytest.fixture(scope="module")
def full_run(chat_spec: dict[str, Any], tmp_path_factory: pytest.TempPathFactory) -> RunResult:
    return run_evaluation(chat_spec, tmp_path_factory.mktemp("full-run"))


def _summary(result: RunResult) -> dict[str, Any]:
    assert result.returncode == 0, result.last()
    return result.last()["summary"]


def test_an_evaluation_reports_every_row_once_and_a_summary_with_intervals(full_run: RunResult, chat_spec: dict):
    assert_evaluation_stream(full_run)
    summary = _summary(full_run)
    rows = example_rows(full_run)
    assert len(rows) == 3 * 2 * len(EVAL_CHAT_ROWS)  # targets × suites × examples
    assert summary["examples"] == len(EVAL_CHAT_ROWS) and summary["bleu_tokenize"] == "zh"
    for key in ("base", "tuned", "ds"):
        ppl, gen = summary["targets"][key]["perplexity"], summary["targets"][key]["generation"]
        assert set(ppl["metrics"]) == {"loss", "perplexity"} and ppl["tokens"] > 0
        assert set(gen["metrics"]) == {"exact_match", "rouge_l", "bleu", "chrf"}
        for m in (*ppl["metrics"].values(), *gen["metrics"].values()):
            assert m["low"] <= m["value"] <= m["high"] and m["n"] == len(EVAL_CHAT_ROWS)
    out = Path(chat_spec["output_dir"])
    assert [json.loads(x) for x in (out / "examples.jsonl").read_text().splitlines()] == rows
    assert json.loads((out / "summary.json").read_text()) == summary
    # DeepSeek-V3's template has no enable_thinking switch: said, not failed.
    assert any("target ds has no enable_thinking switch" in e["message"] for e in full_run.of("log"))
    metric = full_run.of("metric")[-1]
    assert metric["step"] == len(EVAL_CHAT_ROWS) and set(metric["values"]) == {
        f"ds/generation/{k}" for k in ("exact_match", "rouge_l", "bleu", "chrf")
    }


def _plain_loss(model_dir: Path, adapter: Path | None, rows: list[dict[str, Any]]) -> float:
    """Σ(HF loss × scored tokens) / Σ scored tokens, with the trainer's mask and model(labels=…).loss."""
    import torch
    from transformers import AutoModelForCausalLM

    from llmtrainer.chat_format import template_markers, tokenize_chat
    from llmtrainer.modeling import load_tokenizer

    tokenizer = load_tokenizer(str(model_dir))
    model = AutoModelForCausalLM.from_pretrained(model_dir, dtype=torch.float32)
    if adapter is not None:
        from peft import PeftModel

        model = PeftModel.from_pretrained(model, str(adapter))
    model.eval()
    markers = template_markers(tokenizer)
    nll = tokens = 0.0
    with torch.no_grad():
        for row in rows:
            enc = tokenize_chat(tokenizer, row["messages"], markers, assistant_only_loss=True, strip_think=False)
            labels = torch.tensor([enc["labels"]])
            n = int((labels[0, 1:] != -100).sum())
            nll += float(model(input_ids=torch.tensor([enc["input_ids"]]), labels=labels).loss) * n
            tokens += n
    return nll / tokens


def test_perplexity_equals_a_plain_transformers_computation(full_run: RunResult, models: dict[str, Path]):
    summary = _summary(full_run)["targets"]
    for key, model_dir, adapter in (
        ("base", models["qwen3"], None),
        ("tuned", models["qwen3"], models["adapter"]),
        ("ds", models["deepseek_v3"], None),
    ):
        expected = _plain_loss(model_dir, adapter, EVAL_CHAT_ROWS)
        assert summary[key]["perplexity"]["metrics"]["loss"]["value"] == pytest.approx(expected, rel=1e-4), key
    # The adapter changes the model: its loss differs from the base's.
    assert summary["tuned"]["perplexity"]["metrics"]["loss"]["value"] != pytest.approx(
        summary["base"]["perplexity"]["metrics"]["loss"]["value"], rel=1e-4
    )


def test_generation_bleu_and_chrf_equal_sacrebleu_on_the_same_outputs(full_run: RunResult):
    summary = _summary(full_run)["targets"]
    rows = example_rows(full_run)
    for key in ("base", "tuned", "ds"):
        gen = sorted((r for r in rows if r["target"] == key and r["suite"] == "generation"), key=lambda r: r["index"])
        outputs, refs = [r["output"] for r in gen], [r["reference"] for r in gen]
        metrics = summary[key]["generation"]["metrics"]
        assert metrics["bleu"]["value"] == sacrebleu.corpus_bleu(outputs, [refs], tokenize="zh").score
        assert metrics["chrf"]["value"] == sacrebleu.corpus_chrf(outputs, [refs]).score


def test_sigterm_stops_after_the_current_example_and_a_resumed_attempt_equals_the_full_run(
    full_run: RunResult, chat_spec: dict[str, Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    from llmtrainer.evaluation.hooks import EvaluationHooks

    def signal_after_fifth(self: EvaluationHooks) -> None:
        if self.count == 5:  # inside the second suite of the first target
            os.kill(os.getpid(), signal.SIGTERM)

    # Two of the three targets: each target's numbers are independent of the others'.
    spec = {**chat_spec, "targets": chat_spec["targets"][:2]}
    monkeypatch.setattr(EvaluationHooks, "after_example", signal_after_fifth)
    first_out = tmp_path / "attempt-1"
    interrupted = run_evaluation({**spec, "output_dir": str(first_out)}, tmp_path)
    assert_evaluation_stream(interrupted)
    assert interrupted.returncode == 3
    assert interrupted.last()["event"] == "cancelled" and interrupted.last()["done"] == 5
    assert len(interrupted.of("example")) == 5
    monkeypatch.undo()

    resume_from = str(first_out / "examples.jsonl")
    resumed = run_evaluation(
        {**spec, "attempt": 2, "output_dir": str(tmp_path / "attempt-2"), "resume_from": resume_from}, tmp_path
    )
    assert_evaluation_stream(resumed)
    done_before = {(r["target"], r["suite"], r["index"]) for r in example_rows(interrupted)}
    emitted = {(r["target"], r["suite"], r["index"]) for r in example_rows(resumed)}
    assert not done_before & emitted, "a resumed example was emitted again"
    assert len(done_before | emitted) == 2 * 2 * len(EVAL_CHAT_ROWS)
    expected = _summary(full_run)
    expected = {**expected, "targets": {k: expected["targets"][k] for k in ("base", "tuned")}}
    assert _summary(resumed) == expected


def test_a_target_whose_rows_are_all_given_back_is_not_loaded(full_run: RunResult, chat_spec: dict, tmp_path: Path):
    rows = write_rows(tmp_path / "done.jsonl", [r for r in example_rows(full_run) if r["target"] != "tuned"])
    result = run_evaluation({**chat_spec, "output_dir": str(tmp_path / "out"), "resume_from": str(rows)}, tmp_path)
    assert_evaluation_stream(result)
    assert [e["target"] for e in result.of("status") if e["status"] == "loading_model"] == ["tuned"]
    assert {e["target"] for e in result.of("example")} == {"tuned"}
    assert _summary(result) == _summary(full_run)


@pytest.mark.parametrize(("hook", "reason"), [("fail_at_example", "error"), ("oom_at_example", "oom")])
def test_a_failing_example_is_named_in_the_failed_event(
    models: dict[str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch, hook: str, reason: str
):
    monkeypatch.setenv("LLMTRAINER_TEST_HOOKS", json.dumps({hook: 2}))
    data = write_jsonl(tmp_path / "set.jsonl", EVAL_CHAT_ROWS)
    spec = make_eval_spec([target("base", models["qwen3"])], data, tmp_path / "out", max_examples=3)
    spec["suites"]["generation"] = None
    result = run_evaluation(spec, tmp_path)
    assert_evaluation_stream(result)
    failed = result.last()
    assert result.returncode == 1 and failed["event"] == "failed" and failed["reason"] == reason
    assert failed["example"] == {"index": 1, "target": "base", "suite": "perplexity"}
    assert failed["message"].startswith("example 1 (target base, suite perplexity): ")


def test_multiple_choice_accuracy_equals_a_direct_lm_eval_run(models: dict[str, Path], tmp_path: Path):
    import lm_eval
    from lm_eval.tasks import TaskManager

    from llmtrainer.evaluation.multiple_choice import TASK_NAME

    data = write_jsonl(tmp_path / "mc.jsonl", MC_ROWS)
    spec = make_eval_spec(_targets(models)[:2], data, tmp_path / "out", schema_kind="multiple_choice")
    result = run_evaluation(spec, tmp_path)
    assert_evaluation_stream(result)
    summary = _summary(result)["targets"]
    for key, adapter in (("base", None), ("tuned", models["adapter"])):
        model_args = f"pretrained={models['qwen3']},device=cpu,dtype=float32,batch_size=1"
        if adapter is not None:
            model_args += f",peft={adapter}"
        direct = lm_eval.simple_evaluate(
            model="hf",
            model_args=model_args,
            tasks=[TASK_NAME],
            task_manager=TaskManager(include_path=str(tmp_path / "out" / "lm_eval" / key), include_defaults=False),
            log_samples=True,
            bootstrap_iters=0,
        )
        assert direct is not None
        mc = summary[key]["multiple_choice"]
        assert mc["metrics"]["accuracy"]["value"] == direct["results"][TASK_NAME]["acc,none"]
        assert mc["metrics"]["accuracy"]["n"] == len(MC_ROWS)
        by_subject: dict[str, list[float]] = {}
        for sample in direct["samples"][TASK_NAME]:
            by_subject.setdefault(MC_ROWS[sample["doc"]["index"]]["subject"], []).append(sample["acc"])
        assert {s: v["metrics"]["accuracy"]["value"] for s, v in mc["subjects"].items()} == {
            s: sum(v) / len(v) for s, v in by_subject.items()
        }
    rows = example_rows(result)
    assert {r["reference"] for r in rows if r["index"] == 2} == {"A. 动物"}
    assert all(r["output"][0] in "ABCD" for r in rows)


def test_a_target_without_a_chat_template_is_refused_before_any_model_loads(models: dict[str, Path], tmp_path: Path):
    import shutil

    bare = tmp_path / "no-template"
    shutil.copytree(models["qwen3"], bare, ignore=shutil.ignore_patterns("chat_template.jinja"))
    data = write_jsonl(tmp_path / "set.jsonl", EVAL_CHAT_ROWS)
    spec = make_eval_spec([target("base", models["qwen3"]), target("bare", bare)], data, tmp_path / "out")
    spec["suites"]["generation"] = None
    result = run_evaluation(spec, tmp_path)
    assert_evaluation_stream(result)
    assert result.returncode == 2 and result.last()["reason"] == "invalid_spec"
    assert result.last()["message"].startswith("targets[1]: bare: the tokenizer has no chat template")
    assert not result.of("example") and not [e for e in result.of("status") if e["status"] == "loading_model"]
