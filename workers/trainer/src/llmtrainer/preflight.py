"""Checks of a parsed spec against this machine: files, GPU features, optional packages, resume target."""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path

from .errors import SpecError
from .spec import BNB_OPTIMIZERS, RunSpec


def cuda_available() -> bool:
    import torch

    return torch.cuda.is_available()


def check_environment(spec: RunSpec) -> None:
    hp = spec.hyperparameters
    if spec.base_model.path is not None:
        base = Path(spec.base_model.path)
        if not base.is_dir():
            raise SpecError("base_model.path", f"directory not found: {base}")
        if not (base / "config.json").is_file():
            raise SpecError("base_model.path", f"no config.json in {base} (not a transformers model directory)")
    for field, path in (("dataset.train_path", spec.dataset.train_path), ("dataset.eval_path", spec.dataset.eval_path)):
        if path is not None and not Path(path).is_file():
            raise SpecError(field, f"file not found: {path}")
    needs_gpu_check = spec.method == "qlora" or hp.precision != "fp32" or hp.optim in BNB_OPTIMIZERS
    cuda = cuda_available() if needs_gpu_check else False  # importing torch costs seconds: only when it matters
    if spec.method == "qlora":
        if not cuda:
            raise SpecError("method", "qlora needs a CUDA GPU (4-bit bitsandbytes quantization); use lora or full here")
        if importlib.util.find_spec("bitsandbytes") is None:
            raise SpecError("method", "qlora needs the bitsandbytes package, which is not installed on this worker")
    if hp.optim in BNB_OPTIMIZERS and (not cuda or importlib.util.find_spec("bitsandbytes") is None):
        raise SpecError("hyperparameters.optim", f"{hp.optim} needs a CUDA GPU and bitsandbytes; use adamw_torch")
    if hp.precision == "fp16" and not cuda:
        raise SpecError("hyperparameters.precision", "fp16 mixed precision needs a CUDA GPU; use bf16 or fp32")
    if hp.precision == "bf16" and cuda:
        import torch

        if not torch.cuda.is_bf16_supported():
            raise SpecError("hyperparameters.precision", "this GPU does not support bf16; use fp16 or fp32")
    out = Path(spec.output_dir)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise SpecError("output_dir", f"cannot create {out}: {e.strerror}") from None
    if not os.access(out, os.W_OK):
        raise SpecError("output_dir", f"{out} is not writable")
    resume = spec.resume_from_checkpoint
    if resume is not None and resume != "latest" and not (Path(resume) / "trainer_state.json").is_file():
        raise SpecError("resume_from_checkpoint", f"{resume} is not a checkpoint directory (no trainer_state.json)")
