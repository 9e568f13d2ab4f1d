"""Fault injection for tests of the evaluator and of whoever runs it, from LLMTRAINER_TEST_HOOKS (JSON).

  {"example_delay_s": 0.3}       sleep after every example (makes signal and kill tests deterministic)
  {"fail_at_example": N}         the Nth example this process evaluates raises RuntimeError
  {"oom_at_example": N}          the Nth example raises torch.OutOfMemoryError
  {"exit_after_examples": N}     the process dies after its Nth example row (exit 70, no terminal event)

Counted over every target and suite, from 1. Generation and perplexity examples only (multiple choice runs
inside lm-eval). Never set in production; an empty or absent variable disables every hook.
"""

from __future__ import annotations

import json
import os
import time
from dataclasses import dataclass


@dataclass
class EvaluationHooks:
    __test__ = False  # not a pytest test class

    example_delay_s: float = 0.0
    fail_at_example: int | None = None
    oom_at_example: int | None = None
    exit_after_examples: int | None = None
    count: int = 0

    @classmethod
    def from_env(cls) -> EvaluationHooks:
        raw = os.environ.get("LLMTRAINER_TEST_HOOKS", "").strip()
        if not raw:
            return cls()
        data = json.loads(raw)
        return cls(**{k: v for k, v in data.items() if k in cls.__dataclass_fields__ and k != "count"})

    def before_example(self) -> None:
        self.count += 1
        if self.count == self.fail_at_example:
            raise RuntimeError(f"test hook: fail_at_example {self.count}")
        if self.count == self.oom_at_example:
            import torch

            raise torch.OutOfMemoryError(f"test hook: oom_at_example {self.count}")

    def after_example(self) -> None:
        if self.example_delay_s:
            time.sleep(self.example_delay_s)
        if self.count == self.exit_after_examples:
            os._exit(70)
