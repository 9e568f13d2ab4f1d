"""Every supported architecture trains with LoRA, and its adapter loads back onto the base model and generates."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import pytest
import torch

from conftest import assert_well_formed, make_spec, run_in_process
from llmtrainer.tiny_models import FAMILIES


@pytest.mark.parametrize("family", FAMILIES)
def test_lora_sft_trains_and_adapter_generates(
    family: str, tmp_path: Path, chat_data: Path, tiny_model: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from peft import PeftModel
    from safetensors.torch import load_file
    from tokenizers import Tokenizer
    from transformers import AutoModelForCausalLM

    base_dir = tiny_model(family)
    result = run_in_process(make_spec(base_dir, chat_data, tmp_path / "out"), tmp_path, monkeypatch)
    assert result.returncode == 0, result.last()
    assert_well_formed(result)
    losses = result.losses()
    assert sorted(losses) == [1, 2, 3]
    assert all(math.isfinite(v) for v in losses.values())

    adapter_dir = Path(result.last()["artifacts"]["model_dir"])
    weights = load_file(str(adapter_dir / "adapter_model.safetensors"))
    assert any("lora_B" in k and v.abs().sum() > 0 for k, v in weights.items()), "training moved the adapter"

    model = PeftModel.from_pretrained(AutoModelForCausalLM.from_pretrained(base_dir), str(adapter_dir))
    model.eval()
    # the raw tokenizer is enough to build a prompt and loads in a fraction of AutoTokenizer's time
    prompt_ids = Tokenizer.from_file(str(adapter_dir / "tokenizer.json")).encode("你好, hello").ids
    inputs = torch.tensor([prompt_ids])
    with torch.no_grad():
        output = model.generate(inputs, attention_mask=torch.ones_like(inputs), max_new_tokens=4, do_sample=False)
    assert output.shape[1] > inputs.shape[1]
