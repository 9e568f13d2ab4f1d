"""Loading the tokenizer and base model (local directory or hub id); preparing it for LoRA, QLoRA or full training."""

from __future__ import annotations

import functools
import os
from dataclasses import dataclass
from typing import Any

import torch

from .errors import SpecError
from .spec import RunSpec

_TOKENIZER_PROBE = "Hello world, 你好！\n\n  x = f(1)  # ok"


def _tokenizer_json(ref: str) -> str | None:
    local = os.path.join(ref, "tokenizer.json")
    if os.path.isdir(ref):
        return local if os.path.isfile(local) else None
    from transformers.utils import cached_file

    try:
        return cached_file(ref, "tokenizer.json", _raise_exceptions_for_missing_entries=False)
    except OSError:
        return None


@functools.lru_cache(maxsize=16)
def _reference_ids(path: str, mtime_ns: int) -> list[int]:
    from tokenizers import Tokenizer

    return Tokenizer.from_file(path).encode(_TOKENIZER_PROBE, add_special_tokens=False).ids


def load_tokenizer(ref: str) -> Any:
    """AutoTokenizer, except where it does not reproduce the model's own tokenizer.json.

    transformers 5 loads tokenizers declaring `LlamaTokenizerFast` (DeepSeek-V3/R1, deepseek-coder) with a
    SentencePiece pipeline that overrides their byte-level pre-tokenizer, silently dropping spaces and CJK
    text (huggingface/transformers#45488). When the loaded tokenizer disagrees with tokenizer.json on a
    probe, load tokenizer.json as is.
    """
    from transformers import AutoTokenizer, PreTrainedTokenizerFast

    tokenizer = AutoTokenizer.from_pretrained(ref)
    path = _tokenizer_json(ref)
    if path is not None:
        expected = _reference_ids(path, os.stat(path).st_mtime_ns)
        actual = tokenizer(_TOKENIZER_PROBE, add_special_tokens=False)["input_ids"]
        if actual != expected:
            tokenizer = PreTrainedTokenizerFast.from_pretrained(ref)
    if tokenizer.pad_token is None:
        tokenizer.pad_token = tokenizer.eos_token
    return tokenizer


def compute_dtype(precision: str) -> torch.dtype:
    return {"fp32": torch.float32, "bf16": torch.bfloat16, "fp16": torch.float16}[precision]


def load_model(spec: RunSpec) -> Any:
    """The base causal LM; architecture comes from its config (Qwen2/3, Qwen3-MoE, Llama, DeepSeek-V2/V3 …)."""
    from transformers import AutoConfig, AutoModelForCausalLM

    ref = spec.base_model.ref
    hp = spec.hyperparameters
    config = AutoConfig.from_pretrained(ref)
    kwargs: dict[str, Any] = {}
    if spec.method == "full":
        # Full training keeps fp32 master weights; bf16/fp16 run as autocast mixed precision.
        kwargs["dtype"] = torch.float32
    else:
        kwargs["dtype"] = compute_dtype(hp.precision)
    if spec.method == "qlora":
        from transformers import BitsAndBytesConfig  # bitsandbytes itself is imported lazily by transformers

        kwargs["quantization_config"] = BitsAndBytesConfig(
            load_in_4bit=True,
            bnb_4bit_quant_type="nf4",
            bnb_4bit_use_double_quant=True,
            bnb_4bit_compute_dtype=compute_dtype(hp.precision if hp.precision != "fp32" else "bf16"),
        )
        kwargs["device_map"] = {"": int(os.environ.get("LOCAL_RANK", "0"))}
    try:
        model = AutoModelForCausalLM.from_pretrained(ref, **kwargs)
    except ValueError as e:
        if "Unrecognized configuration class" in str(e):
            arch = ", ".join(getattr(config, "architectures", None) or [config.model_type])
            raise SpecError("base_model", f"{arch} is not a causal language model this trainer can load") from None
        raise
    model.config.use_cache = False
    return model


def linear_module_names(model: Any) -> set[str]:
    return {name.rsplit(".", 1)[-1] for name, m in model.named_modules() if isinstance(m, torch.nn.Linear)}


@dataclass(frozen=True)
class PreparedModel:
    model: Any
    kind: str  # "lora_adapter" | "full_model"
    warnings: list[str]


def prepare_for_training(model: Any, spec: RunSpec) -> PreparedModel:
    hp = spec.hyperparameters
    warnings: list[str] = []
    if spec.method == "full":
        if hp.gradient_checkpointing:
            model.gradient_checkpointing_enable(gradient_checkpointing_kwargs={"use_reentrant": False})
        return PreparedModel(model, "full_model", warnings)

    from peft import LoraConfig, get_peft_model

    targets: list[str] | str = hp.lora_target_modules
    if isinstance(targets, list):
        available = linear_module_names(model) - {"lm_head"}
        present = [t for t in targets if t in available]
        missing = [t for t in targets if t not in available]
        if not present:
            raise SpecError(
                "hyperparameters.lora_target_modules",
                f"none of {targets} exist in {type(model).__name__}; its linear layers are "
                f'{sorted(available)} (or use "all-linear")',
            )
        if missing:
            warnings.append(f"hyperparameters.lora_target_modules: {missing} not in {type(model).__name__}, ignored")
        targets = present
    if spec.method == "qlora":
        from peft import prepare_model_for_kbit_training

        model = prepare_model_for_kbit_training(model, use_gradient_checkpointing=hp.gradient_checkpointing)
    elif hp.gradient_checkpointing:
        model.enable_input_require_grads()
    config = LoraConfig(
        r=hp.lora_r,
        lora_alpha=hp.lora_alpha,
        lora_dropout=hp.lora_dropout,
        target_modules=targets,
        bias="none",
        task_type="CAUSAL_LM",
    )
    model = get_peft_model(model, config)
    return PreparedModel(model, "lora_adapter", warnings)
