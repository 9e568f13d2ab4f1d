"""torchrun with two CPU processes (gloo): one DDP LoRA run, one event stream."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from conftest import RunResult, assert_well_formed, make_spec, parse_events, subprocess_env


@pytest.mark.slow
def test_torchrun_two_processes_emit_one_event_stream(tmp_path: Path, chat_data: Path, tiny_model: Any) -> None:
    out = tmp_path / "out"
    spec = make_spec(tiny_model("qwen3"), chat_data, out, hyperparameters={"max_steps": 2, "save_steps": 2})
    spec_path = tmp_path / "spec.json"
    spec_path.write_text(json.dumps(spec))
    cmd = [sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc_per_node=2"]
    cmd += ["-m", "llmtrainer.train", "--spec", str(spec_path)]
    env = subprocess_env({"OMP_NUM_THREADS": "1"})
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=400)
    result = RunResult(proc.returncode, parse_events(proc.stdout), proc.stderr)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert_well_formed(result)  # one seq 0,1,2… sequence: a second rank would repeat numbers
    assert len(result.of("completed")) == 1
    assert len(result.of("status")) == 4
    assert [m["step"] for m in result.of("metric")] == [1, 2]
    assert (out / "final" / "adapter_model.safetensors").is_file()
    assert [c["step"] for c in result.of("checkpoint")] == [2]
