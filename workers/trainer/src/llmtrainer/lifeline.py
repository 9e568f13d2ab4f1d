"""A job process never outlives the agent that started it.

The agent starts every job process (the trainer, or torchrun and its ranks) with LLMTRAINER_PARENT_PID
set to its own pid. `die_with_parent()` asks Linux to SIGKILL this process when its parent dies
(PR_SET_PDEATHSIG) and exits at once if the parent is already gone. A trainer whose agent was killed
has nobody to report to and may hold GPUs the restarted agent needs; its checkpoints are local, so
there is nothing to save either.

`python -m llmtrainer.lifeline PROGRAM ARGS…` sets the same and execs PROGRAM (the setting survives
exec): used for torchrun, whose ranks call `die_with_parent()` themselves against torchrun.
"""

from __future__ import annotations

import ctypes
import os
import signal
import sys

PR_SET_PDEATHSIG = 1


def die_with_parent(expected_parent: int | None = None) -> bool:
    """Arrange SIGKILL on the parent's death; returns False where the platform cannot (not Linux)."""
    if not sys.platform.startswith("linux"):
        return False
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) != 0:
        return False
    # The parent may have died before the setting took effect: then we are already an orphan.
    if expected_parent is not None and os.getppid() != expected_parent:
        os._exit(137)
    return True


def guard_from_env() -> None:
    """For job entry points: tie this process to the agent (or torchrun) that started it."""
    raw = os.environ.get("LLMTRAINER_PARENT_PID")
    if raw is None:
        return  # started by hand: nobody to follow
    # A rank's parent is torchrun, not the agent: follow whoever our parent is at start.
    expected = int(raw) if os.environ.get("LOCAL_RANK") is None else os.getppid()
    die_with_parent(expected)


def main(argv: list[str]) -> int:
    if not argv:
        print("usage: python -m llmtrainer.lifeline PROGRAM [ARGS…]", file=sys.stderr)
        return 2
    guard_from_env()
    os.execvp(argv[0], argv)
    return 1  # not reached


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
