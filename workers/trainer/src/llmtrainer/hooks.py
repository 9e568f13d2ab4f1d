"""Fault injection for tests, read from the LLMTRAINER_TEST_HOOKS environment variable (JSON object).

  {"nan_at_step": N}     the loss of optimizer step N becomes NaN (before backward)
  {"oom_at_step": N}     step N raises torch.OutOfMemoryError
  {"step_delay_s": 0.3}  sleep after every step (makes signal tests deterministic)
  {"exit_at_step": N}    the process dies at the end of step N (exit 70, no terminal event), like a crash

Never set in production; an empty or absent variable disables every hook.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass


@dataclass(frozen=True)
class TestHooks:
    __test__ = False  # not a pytest test class

    nan_at_step: int | None = None
    oom_at_step: int | None = None
    step_delay_s: float = 0.0
    exit_at_step: int | None = None

    @classmethod
    def from_env(cls) -> TestHooks:
        raw = os.environ.get("LLMTRAINER_TEST_HOOKS", "").strip()
        if not raw:
            return cls()
        data = json.loads(raw)
        return cls(**{k: v for k, v in data.items() if k in cls.__dataclass_fields__})
