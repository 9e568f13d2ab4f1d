"""SIGTERM/SIGINT handling: stop at a step boundary with a checkpoint, or at once before training starts."""

from __future__ import annotations

import signal
from types import FrameType
from typing import Any, Literal

from .errors import TrainingCancelled

Phase = Literal["setup", "training", "saving"]


class StopSignal:
    """Before training a signal aborts at once (nothing to save); during training it asks the loop to
    checkpoint and stop after the current step (a second signal aborts at once); while saving the final
    artifacts it is noted and the save completes."""

    def __init__(self) -> None:
        self.requested = False
        self.phase: Phase = "setup"
        self._previous: dict[int, Any] = {}

    def install(self) -> None:
        for sig in (signal.SIGTERM, signal.SIGINT):
            self._previous[sig] = signal.signal(sig, self._handle)

    def uninstall(self) -> None:
        """Restore the previous handlers (matters when the trainer runs inside another program, e.g. tests)."""
        for sig, handler in self._previous.items():
            signal.signal(sig, handler)
        self._previous.clear()

    def _handle(self, signum: int, frame: FrameType | None) -> None:
        already = self.requested
        self.requested = True
        if self.phase == "setup" or (self.phase == "training" and already):
            raise TrainingCancelled(signal.Signals(signum).name)
