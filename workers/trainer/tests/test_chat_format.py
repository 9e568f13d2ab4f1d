"""Assistant-only masks and thinking handling on the real Qwen3 and DeepSeek-V3 chat templates."""

from __future__ import annotations

from typing import Any

import pytest

from llmtrainer.chat_format import render, template_markers, tokenize_chat
from llmtrainer.modeling import load_tokenizer
from llmtrainer.tiny_models import tokenizer_dir

CONVERSATION = [
    {"role": "system", "content": "你是一个助手。"},
    {"role": "user", "content": "Say OK."},
    {"role": "assistant", "content": "OK"},
    {"role": "user", "content": "再说一遍，用中文。"},
    {"role": "assistant", "content": "好的。"},
]


@pytest.fixture(scope="module")
def qwen3() -> Any:
    return load_tokenizer(str(tokenizer_dir("qwen3")))


@pytest.fixture(scope="module")
def deepseek_v3() -> Any:
    return load_tokenizer(str(tokenizer_dir("deepseek_v3")))


def trained_segments(tokenizer: Any, example: dict[str, list[int]]) -> list[str]:
    """Decoded runs of consecutive tokens that carry a label."""
    runs: list[list[int]] = []
    current: list[int] = []
    for token, label in zip(example["input_ids"], example["labels"], strict=True):
        if label != -100:
            assert label == token
            current.append(token)
        elif current:
            runs.append(current)
            current = []
    if current:
        runs.append(current)
    return [tokenizer.decode(r) for r in runs]


def test_qwen3_mask_covers_assistant_content_and_im_end_only(qwen3: Any) -> None:
    markers = template_markers(qwen3)
    assert markers.end_of_turn == "<|im_end|>"
    example = tokenize_chat(qwen3, CONVERSATION, markers, assistant_only_loss=True, strip_think=False)
    # the template adds an empty think block to the last assistant turn: it is part of what the model generates
    assert trained_segments(qwen3, example) == ["OK<|im_end|>", "<think>\n\n</think>\n\n好的。<|im_end|>"]


def test_qwen3_strip_empty_removes_empty_think_blocks(qwen3: Any) -> None:
    markers = template_markers(qwen3)
    assert "<think>\n\n</think>" in render(qwen3, CONVERSATION)
    example = tokenize_chat(qwen3, CONVERSATION, markers, assistant_only_loss=True, strip_think=True)
    text = qwen3.decode(example["input_ids"])
    assert "<think>" not in text
    assert trained_segments(qwen3, example) == ["OK<|im_end|>", "好的。<|im_end|>"]


def test_qwen3_strip_empty_keeps_real_reasoning(qwen3: Any) -> None:
    messages = [*CONVERSATION[:-1], {"role": "assistant", "content": "好的。", "reasoning_content": "用户要中文。"}]
    example = tokenize_chat(qwen3, messages, template_markers(qwen3), assistant_only_loss=True, strip_think=True)
    assert trained_segments(qwen3, example)[-1] == "<think>\n用户要中文。\n</think>\n\n好的。<|im_end|>"


def test_deepseek_v3_mask_covers_assistant_content_and_eos_only(deepseek_v3: Any) -> None:
    markers = template_markers(deepseek_v3)
    assert markers.end_of_turn == "<｜end▁of▁sentence｜>"
    example = tokenize_chat(deepseek_v3, CONVERSATION, markers, assistant_only_loss=True, strip_think=False)
    assert trained_segments(deepseek_v3, example) == ["OK<｜end▁of▁sentence｜>", "好的。<｜end▁of▁sentence｜>"]
    # the user turn "Say OK." contains the assistant's text; it must stay masked
    assert example["input_ids"][0] == deepseek_v3.bos_token_id and example["labels"][0] == -100


def test_full_sequence_loss_when_assistant_only_is_off(qwen3: Any) -> None:
    example = tokenize_chat(qwen3, CONVERSATION, template_markers(qwen3), assistant_only_loss=False, strip_think=False)
    assert example["labels"] == example["input_ids"]


def test_deepseek_tokenizer_keeps_spaces_and_chinese(deepseek_v3: Any) -> None:
    # transformers 5 loads this tokenizer with a SentencePiece pipeline that drops both; load_tokenizer must not
    text = "hello world 你好，世界"
    ids = deepseek_v3(text, add_special_tokens=False)["input_ids"]
    assert deepseek_v3.decode(ids) == text
