"""Rendering chat rows with the tokenizer's own template and masking everything but assistant turns.

The mask is computed from character offsets in the rendered text, so it works for any template without
`{% generation %}` markers (Qwen3 and DeepSeek-V3 ship none). An assistant turn's span starts where the
template's generation prompt for that turn ends (render(messages[:i], add_generation_prompt=True) is a
prefix of the full rendering) and ends after the template's end-of-turn token (`<|im_end|>` for Qwen,
`<｜end▁of▁sentence｜>` for DeepSeek). So the span is exactly what the model must generate: any think
block, the content, tool calls, and the end-of-turn token — never the role header or the newline after.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from .errors import SpecError

_EMPTY_THINK = re.compile(r"<think>\s*</think>\s*")
_SENTINEL = "PONG-7f3a9c"


def strip_empty_think(text: str) -> str:
    """Drop empty `<think></think>` blocks (with their trailing whitespace) that Qwen3 templates add."""
    return _EMPTY_THINK.sub("", text)


def render(tokenizer: Any, messages: list[dict[str, Any]], *, generation_prompt: bool = False) -> str:
    return tokenizer.apply_chat_template(messages, tokenize=False, add_generation_prompt=generation_prompt)


@dataclass(frozen=True)
class TemplateMarkers:
    """What the template puts around an assistant turn."""

    header: str  # generation prompt, e.g. "<|im_start|>assistant\n"
    end_of_turn: str  # e.g. "<|im_end|>"


def template_markers(tokenizer: Any) -> TemplateMarkers:
    if not getattr(tokenizer, "chat_template", None):
        raise SpecError("base_model", "the tokenizer has no chat template: chat rows cannot be rendered")
    user = [{"role": "user", "content": "ping"}]
    bare, prompted = render(tokenizer, user), render(tokenizer, user, generation_prompt=True)
    header = prompted[len(bare) :] if prompted.startswith(bare) else ""
    full = render(tokenizer, [*user, {"role": "assistant", "content": _SENTINEL}])
    after = full[full.index(_SENTINEL) + len(_SENTINEL) :]
    specials = {str(t) for t in tokenizer.all_special_tokens} | {
        str(t.content) for t in tokenizer.added_tokens_decoder.values() if t.special
    }
    found = [(after.find(s), -len(s), s) for s in specials if s and after.find(s) >= 0]
    if not found:
        raise SpecError(
            "hyperparameters.assistant_only_loss",
            "the chat template ends assistant turns without a special end-of-turn token; set it to false",
        )
    return TemplateMarkers(header=header, end_of_turn=min(found)[2])


def render_with_spans(
    tokenizer: Any, messages: list[dict[str, Any]], markers: TemplateMarkers, *, strip_think: bool = False
) -> tuple[str, list[tuple[int, int]]]:
    """Render `messages`; return the text and the [start, end) character span of each assistant turn."""

    def fmt(text: str) -> str:
        return strip_empty_think(text) if strip_think else text

    full = fmt(render(tokenizer, messages))
    spans: list[tuple[int, int]] = []
    cursor = 0
    for i, message in enumerate(messages):
        if message["role"] != "assistant":
            continue
        start = -1
        if i > 0:
            prefix = fmt(render(tokenizer, messages[:i], generation_prompt=True))
            if full.startswith(prefix) and len(prefix) >= cursor:
                start = len(prefix)
        if start < 0 and markers.header:  # template is not prefix-preserving here: find the turn header
            at = full.find(markers.header, cursor)
            start = at + len(markers.header) if at >= 0 else -1
        if start < 0:
            raise ValueError(f"cannot locate assistant message {i} in the rendered chat template")
        end = full.find(markers.end_of_turn, start)
        if end < 0:
            raise ValueError(f"assistant message {i} has no end-of-turn token {markers.end_of_turn!r}")
        end += len(markers.end_of_turn)
        spans.append((start, end))
        cursor = end
    return full, spans


def tokenize_chat(
    tokenizer: Any,
    messages: list[dict[str, Any]],
    markers: TemplateMarkers,
    *,
    assistant_only_loss: bool,
    strip_think: bool,
) -> dict[str, list[int]]:
    """input_ids and labels (-100 outside assistant spans when assistant_only_loss) for one chat row."""
    text, spans = render_with_spans(tokenizer, messages, markers, strip_think=strip_think)
    enc = tokenizer(text, add_special_tokens=False, return_offsets_mapping=True)
    ids: list[int] = enc["input_ids"]
    if not assistant_only_loss:
        return {"input_ids": ids, "labels": list(ids)}
    labels = [-100] * len(ids)
    for k, (tok_start, _tok_end) in enumerate(enc["offset_mapping"]):
        if any(start <= tok_start < end for start, end in spans):
            labels[k] = ids[k]
    return {"input_ids": ids, "labels": labels}


def tokenize_text(tokenizer: Any, text: str) -> dict[str, list[int]]:
    """Plain text for continued pre-training: BOS (if the model has one) + text + EOS, all trained."""
    ids: list[int] = tokenizer(text, add_special_tokens=False)["input_ids"]
    if tokenizer.bos_token_id is not None and (not ids or ids[0] != tokenizer.bos_token_id):
        ids = [tokenizer.bos_token_id, *ids]
    if tokenizer.eos_token_id is not None:
        ids = [*ids, tokenizer.eos_token_id]
    return {"input_ids": ids, "labels": list(ids)}
