"""One evaluation: preflight, then every target × suite, then the summary and the `completed` event."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from ..errors import SpecError
from ..events import EXIT_OK, EventWriter
from ..signals import StopSignal
from . import EVALUATOR_VERSION
from .corpus_metrics import CorpusScorer, bleu_tokenizer_for
from .dataset import ChatExample, ChoiceExample, Example, load_examples
from .hooks import EvaluationHooks
from .records import Row, RowLog, read_resume
from .reporter import Overall, SuiteReporter
from .spec import EvaluationSpec
from .summary import suite_summary
from .targets import LoadedTarget, load_target, release, target_kind, tokenizer_for


def _status(
    writer: EventWriter, status: str, message: str, target: str | None = None, suite: str | None = None
) -> None:
    writer.emit("status", status=status, message=message, target=target, suite=suite)


def _set_offline(spec: EvaluationSpec) -> None:
    """lm-eval's dataset is a local file; models are local unless a target names only a hub id. Read by the
    Hugging Face libraries when they are imported, which happens after this."""
    os.environ.setdefault("HF_DATASETS_OFFLINE", "1")
    if all(t.base_model.path is not None for t in spec.targets):
        os.environ.setdefault("HF_HUB_OFFLINE", "1")


def evaluate(spec: EvaluationSpec, writer: EventWriter, stop: StopSignal, overall: Overall) -> int:
    _set_offline(spec)
    suites = spec.suites.selected()
    kinds = [target_kind(t, i) for i, t in enumerate(spec.targets)]
    examples = load_examples(spec.dataset.path, spec.dataset.schema_kind, spec.max_examples)
    resumed: dict[tuple[str, str, int], Row] = {}
    if spec.resume_from is not None:
        resumed, ignored = read_resume(spec.resume_from, {t.key for t in spec.targets}, set(suites), len(examples))
        writer.log("info", f"resume_from: {len(resumed)} example row(s) already done are kept, not recomputed")
        if ignored:
            writer.log("warning", f"resume_from: {ignored} row(s) of other targets, suites or examples ignored")
    output_dir = Path(spec.output_dir)
    log = RowLog(
        output_dir / "examples.jsonl", sorted(resumed.values(), key=lambda r: (r["target"], r["suite"], r["index"]))
    )
    scorer = None
    if spec.suites.generation is not None:
        scorer = CorpusScorer(bleu_tokenizer_for([ex.reference for ex in examples]))
    overall.total = len(examples) * len(suites) * len(spec.targets)
    overall.done = len(resumed)
    hooks = EvaluationHooks.from_env()
    tokenizers: dict[str, Any] = {}
    _check_templates(spec, suites, kinds, tokenizers)
    rows: dict[tuple[str, str], list[Row]] = {
        (t.key, s): [r for (tk, sk, _), r in resumed.items() if tk == t.key and sk == s]
        for t in spec.targets
        for s in suites
    }
    try:
        for target, kind in zip(spec.targets, kinds, strict=True):
            if all(len(rows[(target.key, s)]) == len(examples) for s in suites):
                writer.log("info", f"target {target.key}: every example already done (resume_from)")
                continue
            stop.phase = "setup"  # a signal while loading stops at once: nothing to finish
            _status(writer, "loading_model", f"loading {target.key} ({kind})", target.key)
            loaded = load_target(target, kind, tokenizers)
            try:
                n_params = sum(p.numel() for p in loaded.model.parameters())
                writer.log("info", f"target {target.key}: {type(loaded.model).__name__}, {n_params:,} parameters")
                stop.phase = "training"  # from here a signal stops after the current example
                for suite in suites:
                    report = SuiteReporter(
                        writer,
                        log,
                        stop,
                        hooks,
                        overall,
                        target.key,
                        suite,
                        rows[(target.key, suite)],
                        len(examples),
                        scorer,
                    )
                    _status(writer, "evaluating", f"{suite} on {target.key}", target.key, suite)
                    report.progress()
                    _run_suite(spec, suite, loaded, examples, report, scorer, writer, stop)
                    report.metric()
            finally:
                release(loaded)
    finally:
        log.close()

    stop.phase = "saving"
    _status(writer, "summarizing", "computing metrics and confidence intervals")
    summary = _summary(spec, suites, rows, scorer, len(examples))
    (output_dir / "summary.json").write_text(json.dumps(summary, ensure_ascii=False, indent=2) + "\n", "utf-8")
    writer.emit(
        "completed",
        evaluation_id=spec.evaluation_id,
        output_dir=spec.output_dir,
        evaluator_version=EVALUATOR_VERSION,
        summary=summary,
    )
    return EXIT_OK


def _check_templates(spec: EvaluationSpec, suites: list[str], kinds: list[str], tokenizers: dict[str, Any]) -> None:
    """Before any model loads: every target's tokenizer has a chat template the suites can use."""
    mc = spec.suites.multiple_choice
    if suites == ["multiple_choice"] and not (mc and mc.apply_chat_template):
        return
    from ..chat_format import template_markers

    for i, (target, kind) in enumerate(zip(spec.targets, kinds, strict=True)):
        tokenizer = tokenizer_for(target, kind, tokenizers)
        try:
            if suites == ["multiple_choice"]:
                if not getattr(tokenizer, "chat_template", None):
                    raise SpecError("base_model", "the tokenizer has no chat template (apply_chat_template is on)")
            else:
                template_markers(tokenizer)
        except SpecError as e:
            raise SpecError(f"targets[{i}]", f"{target.key}: {e.message}") from None


def _run_suite(
    spec: EvaluationSpec,
    suite: str,
    loaded: LoadedTarget,
    examples: list[Example],
    report: SuiteReporter,
    scorer: CorpusScorer | None,
    writer: EventWriter,
    stop: StopSignal,
) -> None:
    done = {r["index"] for r in report.rows}
    if len(done) == len(examples):
        return
    if suite == "perplexity":
        from .perplexity import run_perplexity

        assert spec.suites.perplexity is not None
        chat = [ex for ex in examples if isinstance(ex, ChatExample)]
        run_perplexity(loaded, chat, done, spec.suites.perplexity, report)
    elif suite == "generation":
        from .generation import run_generation

        assert spec.suites.generation is not None and scorer is not None
        chat = [ex for ex in examples if isinstance(ex, ChatExample)]
        run_generation(loaded, chat, done, spec.suites.generation, scorer, report, writer)
    else:
        from .multiple_choice import run_multiple_choice

        assert spec.suites.multiple_choice is not None
        choice = [ex for ex in examples if isinstance(ex, ChoiceExample)]
        run_multiple_choice(loaded, choice, done, spec.suites.multiple_choice, Path(spec.output_dir), stop, report)


def _summary(
    spec: EvaluationSpec,
    suites: list[str],
    rows: dict[tuple[str, str], list[Row]],
    scorer: CorpusScorer | None,
    n_examples: int,
) -> dict[str, Any]:
    b = spec.bootstrap
    return {
        "examples": n_examples,
        "bleu_tokenize": scorer.tokenize if scorer else None,
        "bootstrap": {"samples": b.samples, "seed": b.seed, "confidence": 0.95},
        "targets": {
            t.key: {s: suite_summary(s, rows[(t.key, s)], scorer, b.samples, b.seed) for s in suites}
            for t in spec.targets
        },
    }
