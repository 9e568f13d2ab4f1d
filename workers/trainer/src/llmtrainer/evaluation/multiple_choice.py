"""Multiple-choice suite through lm-evaluation-harness: log-likelihood of each choice letter, highest wins.

Per target, the examples still to do are written to `<output_dir>/lm_eval/<target>/data.jsonl` with a task
YAML beside it (`dataset_path: json`, the data file's ABSOLUTE path — lm-eval resolves relative ones against
the working directory) and run with `lm_eval.simple_evaluate` on the already loaded model and tokenizer
(a LoRA target is the PeftModel, unmerged — the same as lm-eval's `peft=` model argument; passing the
tokenizer keeps the trainer's DeepSeek tokenizer fix). The prompt follows lm-eval's C-Eval/CMMLU tasks:
question, `A. …` lines, then `Answer:` (`答案：` when the question has CJK text); choices are the letters.
Accuracy is lm-eval's `acc` per document. Offline: HF_DATASETS_OFFLINE / HF_HUB_OFFLINE are set at start-up.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ..errors import TrainingCancelled
from ..signals import StopSignal
from .dataset import LETTERS, ChoiceExample
from .records import make_row
from .reporter import ExampleFailed, SuiteReporter
from .spec import MultipleChoiceSuite
from .targets import LoadedTarget
from .text_metrics import contains_cjk

TASK_NAME = "llmtrainer_multiple_choice"
_CHUNK_REQUESTS = 64  # log-likelihood requests between progress events / stop checks


def doc_prompt(ex: ChoiceExample) -> str:
    cue = "答案：" if contains_cjk(ex.question) else "Answer:"
    return f"{ex.prompt_text}\n{cue}"


def write_task(directory: Path, examples: list[ChoiceExample]) -> Path:
    """The data file and task YAML for `examples`; returns the directory to pass as include_path."""
    directory.mkdir(parents=True, exist_ok=True)
    data = (directory / "data.jsonl").resolve()
    with data.open("w", encoding="utf-8") as f:
        for ex in examples:
            doc = {
                "index": ex.index,
                "prompt": doc_prompt(ex),
                "letters": list(LETTERS[: len(ex.choices)]),
                "label": ex.label,
            }
            f.write(json.dumps(doc, ensure_ascii=False) + "\n")
    task = {
        "task": TASK_NAME,
        "dataset_path": "json",
        "dataset_kwargs": {"data_files": {"test": str(data)}},
        "test_split": "test",
        "output_type": "multiple_choice",
        "doc_to_text": "prompt",
        "doc_to_choice": "letters",
        "doc_to_target": "label",
        "metric_list": [{"metric": "acc", "aggregation": "mean", "higher_is_better": True}],
        "metadata": {"version": 1},
    }
    # JSON is YAML: no quoting rules to get wrong.
    (directory / f"{TASK_NAME}.yaml").write_text(json.dumps(task, ensure_ascii=False, indent=2) + "\n", "utf-8")
    return directory


def evaluate_task(lm: Any, include_path: Path, apply_chat_template: bool) -> list[dict[str, Any]]:
    """simple_evaluate on our task; returns lm-eval's per-document samples."""
    import lm_eval
    from lm_eval.tasks import TaskManager

    results = lm_eval.simple_evaluate(
        model=lm,
        tasks=[TASK_NAME],
        task_manager=TaskManager(include_path=str(include_path), include_defaults=False),
        log_samples=True,
        bootstrap_iters=0,
        apply_chat_template=apply_chat_template,
    )
    assert results is not None
    return list(results["samples"][TASK_NAME])


def progress_lm(loaded: LoadedTarget, batch_size: int, stop: StopSignal, on_progress: Any) -> Any:
    """lm-eval's HFLM around our model, answering log-likelihood requests in chunks between which it reports
    progress and honours a stop request. With batch_size 1 the values equal one unchunked call's."""
    from lm_eval.models.huggingface import HFLM

    class ProgressHFLM(HFLM):
        def loglikelihood(self, requests: list[Any], disable_tqdm: bool = False) -> list[tuple[float, bool]]:
            out: list[tuple[float, bool]] = []
            for start in range(0, len(requests), _CHUNK_REQUESTS):
                if stop.requested:
                    raise TrainingCancelled("SIGTERM")
                out += super().loglikelihood(requests[start : start + _CHUNK_REQUESTS], disable_tqdm=True)
                on_progress(len(out), len(requests))
            return out

    return ProgressHFLM(pretrained=loaded.model, tokenizer=loaded.tokenizer, batch_size=batch_size)


def run_multiple_choice(
    loaded: LoadedTarget,
    examples: list[ChoiceExample],
    done: set[int],
    config: MultipleChoiceSuite,
    output_dir: Path,
    stop: StopSignal,
    report: SuiteReporter,
) -> None:
    todo = [ex for ex in examples if ex.index not in done]
    if not todo:
        return
    already = len(report.rows)

    def on_progress(requests_done: int, requests_total: int) -> None:
        # lm-eval answers requests (one per choice) and hands back rows only at the end: until then `done`
        # is estimated from the requests answered.
        estimate = len(todo) * requests_done // max(requests_total, 1)
        report.writer.emit(
            "progress",
            target=loaded.key,
            suite="multiple_choice",
            done=already + estimate,
            total=report.total,
            overall_done=report.overall.done + estimate,
            overall_total=report.overall.total,
        )

    include = write_task(output_dir / "lm_eval" / loaded.key, todo)
    report.check_stop()
    try:
        lm = progress_lm(loaded, config.batch_size, stop, on_progress)
        samples = evaluate_task(lm, include, config.apply_chat_template)
    except TrainingCancelled:
        raise
    except Exception as e:
        raise ExampleFailed(None, loaded.key, "multiple_choice") from e
    by_index = {ex.index: ex for ex in todo}
    for sample in sorted(samples, key=lambda s: s["doc"]["index"]):
        ex = by_index[sample["doc"]["index"]]
        logprobs = [float(r[0]) for r in sample["filtered_resps"]]
        predicted = max(range(len(logprobs)), key=lambda k: logprobs[k])
        report.add(
            make_row(
                index=ex.index,
                target=loaded.key,
                suite="multiple_choice",
                subject=ex.subject,
                prompt=ex.prompt_text,
                reference=ex.reference,
                output=f"{LETTERS[predicted]}. {ex.choices[predicted]}",
                thinking=None,
                flags=[],
                scores={"accuracy": float(sample["acc"])},
                stats={"logprobs": logprobs},
            ),
            quiet=True,  # progress was estimated while lm-eval ran; one final event keeps `done` monotonic
        )
    report.progress()
