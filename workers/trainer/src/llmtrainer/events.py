"""The worker protocol: one JSON object per line on stdout, nothing else on stdout.

Every event carries:
  seq    int  0, 1, 2 … per process, strictly increasing (the agent de-duplicates on (run_id, attempt, seq))
  time   str  ISO 8601 UTC with milliseconds, e.g. "2026-05-01T12:00:00.123Z"
  event  str  one of: status, log, metric, progress, checkpoint, completed, cancelled, failed

Event shapes (the README documents each field):
  {"event":"status","status":"starting"|"loading_model"|"training"|"saving","message":str}
  {"event":"log","level":"info"|"warning"|"error","message":str}
  {"event":"metric","step":int,"epoch":float,"values":{str: float}}
  {"event":"progress","step":int,"total_steps":int,"epoch":float}
  {"event":"checkpoint","step":int,"path":str}
  {"event":"completed","output_dir":str,"final_metrics":{str: float},
   "artifacts":{"model_dir":str,"kind":"lora_adapter"|"full_model"},"chat_template":str}
  {"event":"cancelled","step":int,"checkpoint":str|null}
  {"event":"failed","reason":"invalid_spec"|"oom"|"nan_loss"|"error","message":str}

Only the process with RANK 0 (or no RANK) writes; other torchrun ranks are silent.
"""

from __future__ import annotations

import json
import math
import os
import signal
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import IO, Any, Literal

Status = Literal["starting", "loading_model", "training", "saving"]
LogLevel = Literal["info", "warning", "error"]
FailureReason = Literal["invalid_spec", "oom", "nan_loss", "error"]
ArtifactKind = Literal["lora_adapter", "full_model"]

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_INVALID_SPEC = 2
EXIT_CANCELLED = 3


@contextmanager
def _signals_deferred() -> Iterator[None]:
    """Hold SIGTERM/SIGINT while a line is written: a handler that raises must not split a line or reuse a seq."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    held = {signal.SIGTERM, signal.SIGINT}
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, held)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def finite_floats(values: dict[str, Any]) -> dict[str, float]:
    """Keep the numeric entries that are finite, as floats (JSON has no NaN/Infinity)."""
    out: dict[str, float] = {}
    for key, value in values.items():
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            continue
        if math.isfinite(value):
            out[key] = float(value)
    return out


class EventWriter:
    """Writes protocol events as JSON lines; thread-safe; a no-op on non-zero ranks."""

    def __init__(self, stream: IO[str] | None, enabled: bool = True) -> None:
        self._stream = stream
        self._enabled = enabled and stream is not None
        self._seq = 0
        self._lock = threading.Lock()

    @property
    def enabled(self) -> bool:
        return self._enabled

    def emit(self, event: str, **fields: Any) -> None:
        if not self._enabled:
            return
        with self._lock, _signals_deferred():
            record = {"seq": self._seq, "time": _now(), "event": event, **fields}
            line = json.dumps(record, ensure_ascii=False, allow_nan=False)
            assert self._stream is not None
            self._stream.write(line + "\n")
            self._stream.flush()
            self._seq += 1

    def status(self, status: Status, message: str) -> None:
        self.emit("status", status=status, message=message)

    def log(self, level: LogLevel, message: str) -> None:
        self.emit("log", level=level, message=message)

    def failed(self, reason: FailureReason, message: str) -> None:
        self.emit("failed", reason=reason, message=message)


def is_main_process() -> bool:
    return int(os.environ.get("RANK", "0")) == 0


def claim_stdout() -> IO[str]:
    """Reserve the real stdout for events and send everything else printed to fd 1 to stderr.

    Libraries print to stdout (progress bars, warnings, C extensions); the protocol allows nothing but
    events there, so fd 1 becomes a copy of fd 2 and events go to a private duplicate of the original.
    """
    sys.stdout.flush()
    events_fd = os.dup(1)
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    return os.fdopen(events_fd, "w", encoding="utf-8", buffering=1)
