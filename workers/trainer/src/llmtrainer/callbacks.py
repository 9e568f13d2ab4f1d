"""Trainer callback that turns the training loop into protocol events and enforces stop/NaN decisions."""

from __future__ import annotations

import math
import os
import sys
import time
from typing import Any

from transformers import TrainerCallback, TrainerControl, TrainerState, TrainingArguments

from .checkpoints import checkpoint_path
from .distributed import any_rank
from .errors import NanLossError
from .events import EventWriter, finite_floats
from .hooks import TestHooks
from .signals import StopSignal

_TRAIN_KEYS = ("loss", "learning_rate", "grad_norm")


class TrainingGuard:
    """Shared between the trainer (which sees each micro-batch loss) and the callback (which decides)."""

    def __init__(self, hooks: TestHooks) -> None:
        self.hooks = hooks
        self.nonfinite = False


class EventCallback(TrainerCallback):
    """Emits progress (every step), metric (every logging step, eval_loss merged in), checkpoint events.

    A metric event is held until the next event so that an evaluation at the same step joins it.
    """

    def __init__(
        self, writer: EventWriter, stop: StopSignal, guard: TrainingGuard, output_dir: str, samples_per_step: int
    ) -> None:
        self.writer = writer
        self.stop = stop
        self.guard = guard
        self.output_dir = output_dir
        self.samples_per_step = samples_per_step
        self.pending: dict[str, Any] | None = None
        self.summary: dict[str, float] = {}
        self.last_eval_loss: float | None = None
        self.last_loss: float | None = None
        self.cancelled_at: int | None = None
        self._window_start = time.perf_counter()
        self._window_step = 0
        self._window_tokens = 0

    # --- helpers ---------------------------------------------------------------------------------------
    def flush(self) -> None:
        if self.pending is not None:
            self.writer.emit("metric", **self.pending)
            self.pending = None

    def _window(self, state: TrainerState) -> dict[str, float]:
        now = time.perf_counter()
        elapsed = max(now - self._window_start, 1e-9)
        tokens = int(getattr(state, "num_input_tokens_seen", 0) or 0)
        steps = state.global_step - self._window_step
        out = {
            "tokens_per_second": (tokens - self._window_tokens) / elapsed,
            "samples_per_second": steps * self.samples_per_step / elapsed,
        }
        self._window_start, self._window_step, self._window_tokens = now, state.global_step, tokens
        return out

    # --- TrainerCallback -------------------------------------------------------------------------------
    def on_train_begin(self, args: TrainingArguments, state: TrainerState, control: TrainerControl, **kw: Any) -> None:
        self._window_start = time.perf_counter()
        self._window_step = state.global_step
        self._window_tokens = int(getattr(state, "num_input_tokens_seen", 0) or 0)
        self.stop.phase = "training"
        resumed = f" (resumed at step {state.global_step})" if state.global_step else ""
        self.writer.status("training", f"training for {state.max_steps} steps{resumed}")
        self.writer.emit("progress", step=state.global_step, total_steps=state.max_steps, epoch=float(state.epoch or 0))

    def on_step_begin(self, args: TrainingArguments, state: TrainerState, control: TrainerControl, **kw: Any) -> None:
        self.flush()  # the previous step's log and evaluation are complete

    def on_step_end(self, args: TrainingArguments, state: TrainerState, control: TrainerControl, **kw: Any) -> None:
        if self.guard.hooks.step_delay_s:
            time.sleep(self.guard.hooks.step_delay_s)
        if self.guard.hooks.exit_at_step == state.global_step:
            sys.stdout.flush()
            os._exit(70)
        nonfinite, stop = any_rank([self.guard.nonfinite, self.stop.requested])
        if nonfinite:
            self.guard.nonfinite = True
            raise NanLossError(f"loss became NaN or infinite at step {state.global_step}")
        self.flush()
        self.writer.emit("progress", step=state.global_step, total_steps=state.max_steps, epoch=float(state.epoch or 0))
        if stop and state.global_step < state.max_steps:
            self.stop.requested = True
            self.cancelled_at = state.global_step
            control.should_save = True
            control.should_training_stop = True

    def on_log(
        self, args: TrainingArguments, state: TrainerState, control: TrainerControl, logs: Any = None, **kw: Any
    ) -> None:
        logs = logs or {}
        step, epoch = state.global_step, float(state.epoch or 0)
        if "train_loss" in logs:  # the end-of-training summary
            self.summary.update(finite_floats(logs))
            return
        if "loss" in logs:
            for key in ("loss", "grad_norm"):
                value = logs.get(key)
                if isinstance(value, (int, float)) and not math.isfinite(value):
                    raise NanLossError(f"{key} became {value} at step {step}")
            self.flush()
            values = {k: logs[k] for k in _TRAIN_KEYS if k in logs}
            values.update(self._window(state))
            self.pending = {"step": step, "epoch": epoch, "values": finite_floats(values)}
            self.last_loss = float(logs["loss"])
        if "eval_loss" in logs:
            evals = finite_floats({k: v for k, v in logs.items() if k == "eval_loss"})
            if "eval_loss" in evals:
                self.last_eval_loss = evals["eval_loss"]
            if self.pending is not None and self.pending["step"] == step:
                self.pending["values"].update(evals)
            else:
                self.flush()
                self.pending = {"step": step, "epoch": epoch, "values": evals}

    def on_save(self, args: TrainingArguments, state: TrainerState, control: TrainerControl, **kw: Any) -> None:
        self.flush()
        path = checkpoint_path(self.output_dir, state.global_step)
        self.writer.emit("checkpoint", step=state.global_step, path=str(path))

    def on_train_end(self, args: TrainingArguments, state: TrainerState, control: TrainerControl, **kw: Any) -> None:
        self.flush()
