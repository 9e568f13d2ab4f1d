"""Where checkpoints and final artifacts live, and which checkpoint a resume starts from.

Layout under output_dir:
  checkpoints/checkpoint-<step>/   adapter or full weights (safetensors), optimizer.pt, scheduler.pt,
                                   rng_state*.pth, trainer_state.json — everything an exact resume needs
  final/                           adapter_model.safetensors (+ adapter_config.json) or model.safetensors
                                   (+ config.json), tokenizer files and chat_template.jinja
"""

from __future__ import annotations

import re
from pathlib import Path

_CHECKPOINT = re.compile(r"^checkpoint-(\d+)$")


def checkpoints_dir(output_dir: str) -> Path:
    return Path(output_dir) / "checkpoints"


def final_dir(output_dir: str) -> Path:
    return Path(output_dir) / "final"


def checkpoint_path(output_dir: str, step: int) -> Path:
    return checkpoints_dir(output_dir) / f"checkpoint-{step}"


def latest_checkpoint(output_dir: str) -> Path | None:
    """The highest-step complete checkpoint (one whose trainer_state.json was written), if any."""
    root = checkpoints_dir(output_dir)
    if not root.is_dir():
        return None
    found = []
    for child in root.iterdir():
        m = _CHECKPOINT.match(child.name)
        if m and (child / "trainer_state.json").is_file():
            found.append((int(m.group(1)), child))
    return max(found)[1] if found else None


def resolve_resume(output_dir: str, resume: str | None) -> Path | None:
    if resume is None:
        return None
    if resume == "latest":
        return latest_checkpoint(output_dir)
    return Path(resume)
