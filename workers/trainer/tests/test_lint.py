"""ruff keeps the trainer clean (run here so one pytest command checks everything)."""

from __future__ import annotations

import shutil
import subprocess
import sys

import pytest

from conftest import TRAINER_ROOT


def test_ruff_check_is_clean() -> None:
    try:
        import ruff  # noqa: F401
    except ImportError:
        if shutil.which("ruff") is None:
            pytest.skip("ruff is not installed in this environment")
    proc = subprocess.run(
        [sys.executable, "-m", "ruff", "check", str(TRAINER_ROOT)], capture_output=True, text=True, cwd=TRAINER_ROOT
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
