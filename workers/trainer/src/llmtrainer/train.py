"""Run one training job: `python -m llmtrainer.train --spec /path/spec.json`.

Also under `torchrun --nproc_per_node=N -m llmtrainer.train --spec ...`: every rank trains, only rank 0
writes events and artifacts. Exit codes: 0 completed, 1 failed (oom, nan_loss, error), 2 invalid_spec,
3 cancelled. Heavy libraries are imported only once the spec is valid, so bad specs and noop runs
answer in well under a second.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import traceback
from dataclasses import asdict
from typing import Any

from . import noop
from .checkpoints import checkpoint_path, final_dir, latest_checkpoint, resolve_resume
from .errors import OOM_HINT, NanLossError, SpecError, TrainingCancelled, is_oom
from .events import (
    EXIT_CANCELLED,
    EXIT_FAILED,
    EXIT_INVALID_SPEC,
    EXIT_OK,
    EventWriter,
    claim_stdout,
    finite_floats,
    is_main_process,
)
from .lifeline import guard_from_env
from .model_card import finalize
from .signals import StopSignal
from .spec import RunSpec, parse_spec


def read_spec(path: str) -> Any:
    try:
        with open(path, encoding="utf-8") as f:
            return json.load(f)
    except OSError as e:
        raise SpecError("spec", f"cannot read {path}: {e.strerror}") from None
    except json.JSONDecodeError as e:
        raise SpecError("spec", f"{path} is not valid JSON ({e.msg} at line {e.lineno})") from None


def _train(spec: RunSpec, writer: EventWriter, stop: StopSignal) -> int:
    from .data import load_rows
    from .preflight import check_environment

    check_environment(spec)
    hp = spec.hyperparameters
    train_rows = load_rows(spec.dataset.train_path, "dataset.train_path", spec.objective)
    eval_rows = None
    if spec.dataset.eval_path:
        eval_rows = load_rows(spec.dataset.eval_path, "dataset.eval_path", spec.objective)
    writer.status("loading_model", f"loading {spec.base_model.ref} for {spec.method} {spec.objective}")

    from transformers import set_seed

    from .callbacks import EventCallback, TrainingGuard
    from .distributed import world_size
    from .hooks import TestHooks
    from .modeling import load_model, load_tokenizer, prepare_for_training
    from .sft_data import build_examples
    from .trainers import build_dpo_trainer, build_sft_trainer

    tokenizer = load_tokenizer(spec.base_model.ref)
    train_examples = eval_examples = None
    if spec.objective == "sft":
        train_examples, warnings = build_examples(train_rows, tokenizer, hp, "dataset.train_path")
        if eval_rows is not None:
            eval_examples, more = build_examples(eval_rows, tokenizer, hp, "dataset.eval_path")
            warnings += more
        for w in warnings:
            writer.log("warning", w)

    set_seed(hp.seed)
    model = load_model(spec)
    writer.log(
        "info", f"architecture {type(model).__name__}, {sum(p.numel() for p in model.parameters()):,} parameters"
    )
    prepared = prepare_for_training(model, spec)
    for w in prepared.warnings:
        writer.log("warning", w)

    guard = TrainingGuard(TestHooks.from_env())
    samples_per_step = hp.per_device_train_batch_size * hp.gradient_accumulation_steps * world_size()
    callback = EventCallback(writer, stop, guard, spec.output_dir, samples_per_step)
    if spec.objective == "sft":
        assert train_examples is not None
        trainer: Any = build_sft_trainer(
            spec, prepared.model, tokenizer, train_examples, eval_examples, [callback], guard
        )
    else:
        trainer = build_dpo_trainer(spec, prepared.model, tokenizer, train_rows, eval_rows, [callback], guard)

    resume = resolve_resume(spec.output_dir, spec.resume_from_checkpoint)
    if spec.resume_from_checkpoint == "latest" and resume is None:
        writer.log("info", "resume_from_checkpoint: no checkpoint yet, starting from step 0")
    elif resume is not None:
        writer.log("info", f"resuming from {resume}")
    trainer.train(resume_from_checkpoint=str(resume) if resume else None)

    if callback.cancelled_at is not None:
        path = checkpoint_path(spec.output_dir, callback.cancelled_at)
        writer.emit("cancelled", step=callback.cancelled_at, checkpoint=str(path) if path.is_dir() else None)
        return EXIT_CANCELLED

    stop.phase = "saving"
    final = final_dir(spec.output_dir)
    writer.status("saving", f"saving {prepared.kind} to {final}")
    trainer.save_model(str(final))
    if trainer.is_world_process_zero():
        tokenizer.save_pretrained(str(final))
    metrics = dict(callback.summary)
    metrics["global_step"] = float(trainer.state.global_step)
    if callback.last_loss is not None:
        metrics["final_loss"] = callback.last_loss
    if callback.last_eval_loss is not None:
        metrics["eval_loss"] = callback.last_eval_loss
    if trainer.is_world_process_zero():
        finalize(
            final,
            spec.model_card,
            method=spec.method,
            objective=spec.objective,
            hyperparameters=asdict(hp),
            metrics=finite_floats(metrics),
            chat_template=tokenizer.chat_template or "",
        )
    writer.emit(
        "completed",
        output_dir=spec.output_dir,
        final_metrics=finite_floats(metrics),
        artifacts={"model_dir": str(final), "kind": prepared.kind},
        chat_template=tokenizer.chat_template or "",
    )
    return EXIT_OK


def run(spec_path: str, writer: EventWriter) -> int:
    """Execute the spec at `spec_path`, reporting through `writer`; returns the process exit code."""
    writer.status("starting", f"trainer pid {os.getpid()}")
    spec: RunSpec | None = None
    stop = StopSignal()
    try:
        spec = parse_spec(read_spec(spec_path))
        for name in spec.unknown_fields:
            writer.log("warning", f"{name}: unknown field, ignored")
        if spec.mode == "noop":
            return noop.run(spec, writer)
        stop.install()
        return _train(spec, writer, stop)
    except SpecError as e:
        writer.failed("invalid_spec", str(e))
        return EXIT_INVALID_SPEC
    except TrainingCancelled:
        stop.phase = "saving"  # a further signal must not interrupt the report
        latest = latest_checkpoint(spec.output_dir) if spec else None
        writer.emit("cancelled", step=_step_of(latest), checkpoint=str(latest) if latest else None)
        return EXIT_CANCELLED
    except NanLossError as e:
        writer.failed("nan_loss", f"{e}; lower hyperparameters.learning_rate or check the data")
        return EXIT_FAILED
    except BaseException as e:  # noqa: BLE001 - every failure must become a `failed` event
        traceback.print_exc(file=sys.stderr)
        if is_oom(e):
            writer.failed("oom", f"{OOM_HINT} ({str(e).splitlines()[0] if str(e) else type(e).__name__})")
        else:
            message = f"{type(e).__name__}: {e}"
            writer.failed("error", message if len(message) <= 2000 else message[:2000] + " …")
        return EXIT_FAILED
    finally:
        stop.uninstall()
        from .distributed import shutdown

        if "torch" in sys.modules:
            shutdown()


def _step_of(checkpoint: Any) -> int:
    if checkpoint is None:
        return 0
    try:
        return int(str(checkpoint).rsplit("-", 1)[1])
    except (IndexError, ValueError):
        return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m llmtrainer.train", description="Run one LLM Trainer job.")
    parser.add_argument("--spec", required=True, help="path to the run spec JSON")
    args = parser.parse_args(argv)
    guard_from_env()
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    main_process = is_main_process()
    if main_process:
        writer = EventWriter(claim_stdout())
    else:  # other ranks stay silent on stdout (torchrun merges every rank's stdout into one stream)
        sys.stdout.flush()
        os.dup2(2, 1)
        sys.stdout = sys.stderr
        writer = EventWriter(None, enabled=False)
    return run(args.spec, writer)


if __name__ == "__main__":
    sys.exit(main())
