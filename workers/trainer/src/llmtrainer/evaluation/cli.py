"""Run one evaluation job: `python -m llmtrainer.evaluation --spec /path/spec.json`.

Exit codes as the trainer's: 0 completed, 1 failed (oom, error), 2 invalid_spec, 3 cancelled. Heavy
libraries are imported only once the spec is valid, so a bad spec is answered in well under a second.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import traceback
from typing import Any

from ..errors import SpecError, TrainingCancelled, is_oom
from ..events import EXIT_CANCELLED, EXIT_FAILED, EXIT_INVALID_SPEC, EventWriter, claim_stdout
from ..lifeline import guard_from_env
from ..signals import StopSignal
from .reporter import ExampleFailed, Overall
from .spec import parse_spec

OOM_HINT = (
    "out of memory: lower suites.perplexity.max_seq_length, suites.generation.max_new_tokens or "
    "suites.multiple_choice.batch_size, or use a larger GPU"
)


def read_spec(path: str) -> Any:
    try:
        with open(path, encoding="utf-8") as f:
            return json.load(f)
    except OSError as e:
        raise SpecError("spec", f"cannot read {path}: {e.strerror}") from None
    except json.JSONDecodeError as e:
        raise SpecError("spec", f"{path} is not valid JSON ({e.msg} at line {e.lineno})") from None


def _failure(e: BaseException) -> tuple[str, str]:
    if is_oom(e):
        return "oom", f"{OOM_HINT} ({str(e).splitlines()[0] if str(e) else type(e).__name__})"
    message = f"{type(e).__name__}: {e}"
    return "error", message if len(message) <= 2000 else message[:2000] + " …"


def run(spec_path: str, writer: EventWriter) -> int:
    """Execute the evaluation spec at `spec_path`, reporting through `writer`; returns the exit code."""
    writer.emit("status", status="starting", message=f"evaluator pid {os.getpid()}", target=None, suite=None)
    stop = StopSignal()
    overall = Overall(done=0, total=0)
    try:
        spec = parse_spec(read_spec(spec_path))
        stop.install()
        from .runner import evaluate

        return evaluate(spec, writer, stop, overall)
    except SpecError as e:
        writer.emit("failed", reason="invalid_spec", message=str(e), example=None)
        return EXIT_INVALID_SPEC
    except TrainingCancelled:
        stop.phase = "saving"  # a further signal must not interrupt the report
        writer.emit("cancelled", done=overall.done, total=overall.total)
        return EXIT_CANCELLED
    except ExampleFailed as e:
        cause = e.__cause__ or e
        traceback.print_exception(cause, file=sys.stderr)
        reason, message = _failure(cause)
        example = {"index": e.index, "target": e.target, "suite": e.suite}
        writer.emit("failed", reason=reason, message=f"{e}: {message}", example=example)
        return EXIT_FAILED
    except BaseException as e:  # noqa: BLE001 - every failure must become a `failed` event
        traceback.print_exc(file=sys.stderr)
        reason, message = _failure(e)
        writer.emit("failed", reason=reason, message=message, example=None)
        return EXIT_FAILED
    finally:
        stop.uninstall()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m llmtrainer.evaluation", description="Run one evaluation job.")
    parser.add_argument("--spec", required=True, help="path to the evaluation spec JSON")
    args = parser.parse_args(argv)
    guard_from_env()
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    return run(args.spec, EventWriter(claim_stdout()))
