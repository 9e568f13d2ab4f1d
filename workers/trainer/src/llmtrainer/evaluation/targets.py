"""Loading an evaluation target: a base model, a LoRA adapter on its base, or a full fine-tuned model.

The tokenizer (and so the chat template) comes from the adapter / fine-tune directory when it has one (the
trainer saves it there), else from the base. Weights load in the checkpoint's own dtype on CUDA and in
float32 on CPU (bf16 matmuls on CPU are slow and less exact).
"""

from __future__ import annotations

import gc
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import SpecError
from .spec import Target

Kind = str  # "base" | "lora_adapter" | "full_model"


@dataclass
class LoadedTarget:
    key: str
    kind: Kind
    model: Any
    tokenizer: Any
    device: Any


def target_kind(target: Target, index: int) -> Kind:
    """Checks the target's directories; raises SpecError naming the field when one is unusable."""
    field = f"targets[{index}]"
    if target.base_model.path is not None:
        base = Path(target.base_model.path)
        if not base.is_dir():
            raise SpecError(f"{field}.base_model.path", f"directory not found: {base}")
        if not (base / "config.json").is_file():
            raise SpecError(
                f"{field}.base_model.path", f"no config.json in {base} (not a transformers model directory)"
            )
    if target.adapter_path is None:
        return "base"
    adapter = Path(target.adapter_path)
    if not adapter.is_dir():
        raise SpecError(f"{field}.adapter_path", f"directory not found: {adapter}")
    if (adapter / "adapter_config.json").is_file():
        return "lora_adapter"
    if (adapter / "config.json").is_file():
        return "full_model"
    raise SpecError(
        f"{field}.adapter_path", f"{adapter} has neither adapter_config.json (LoRA) nor config.json (full model)"
    )


def _has_tokenizer(directory: str) -> bool:
    return (Path(directory) / "tokenizer_config.json").is_file() and (Path(directory) / "tokenizer.json").is_file()


def tokenizer_for(target: Target, kind: Kind, tokenizers: dict[str, Any]) -> Any:
    """The target's tokenizer; `tokenizers` caches them by directory for the evaluation (a base and its
    adapters share one)."""
    from ..modeling import load_tokenizer

    own_dir = target.adapter_path if kind != "base" else None
    ref = own_dir if own_dir and _has_tokenizer(own_dir) else target.base_model.ref
    if ref not in tokenizers:
        tokenizers[ref] = load_tokenizer(ref)
    return tokenizers[ref]


def load_target(target: Target, kind: Kind, tokenizers: dict[str, Any]) -> LoadedTarget:
    import torch
    from transformers import AutoModelForCausalLM

    tokenizer = tokenizer_for(target, kind, tokenizers)
    base_ref = target.base_model.ref
    own_dir = target.adapter_path if kind != "base" else None
    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    dtype: Any = "auto" if device.type == "cuda" else torch.float32
    model = AutoModelForCausalLM.from_pretrained(own_dir if kind == "full_model" else base_ref, dtype=dtype)
    if kind == "lora_adapter":
        from peft import PeftModel

        model = PeftModel.from_pretrained(model, target.adapter_path)
    model.to(device)
    model.eval()
    return LoadedTarget(key=target.key, kind=kind, model=model, tokenizer=tokenizer, device=device)


def release(loaded: LoadedTarget | None) -> None:
    """Free a target's memory before the next one loads."""
    if loaded is None:
        return
    loaded.model = None
    gc.collect()
    import torch

    if torch.cuda.is_available():
        torch.cuda.empty_cache()
