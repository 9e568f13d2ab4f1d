"""Reasoning blocks in generated text: `<think>…</think>` is kept for display and never scored.

Families differ in where the block starts. Qwen3 with thinking on writes `<think>` itself; Qwen3 with
thinking off gets an empty, closed block in the prompt; DeepSeek-R1-Distill templates end the prompt with
`<think>\\n`, so the output holds only the reasoning's end and `</think>`. `prompt_opens_think` says whether
the rendered prompt left a block open; a `</think>` that comes before any `<think>` is read the same way.
An unterminated block (the model ran out of tokens while thinking) is flagged, not an error: what came
before it is the answer (usually empty) and the rest is thinking.
"""

from __future__ import annotations

from dataclasses import dataclass

OPEN, CLOSE = "<think>", "</think>"


@dataclass(frozen=True)
class SplitOutput:
    answer: str
    thinking: str | None
    unterminated: bool


def prompt_opens_think(prompt: str) -> bool:
    """True when the prompt ends inside a think block (its last `<think>` is not closed)."""
    return prompt.rfind(OPEN) > prompt.rfind(CLOSE)


def split_thinking(text: str, *, opened: bool = False) -> SplitOutput:
    """Separate the answer (scored) from reasoning blocks (displayed); see the module docstring."""
    thinking: list[str] = []
    answer: list[str] = []
    rest = text
    first_close, first_open = rest.find(CLOSE), rest.find(OPEN)
    if opened or (first_close >= 0 and (first_open < 0 or first_close < first_open)):
        if first_close < 0:
            return SplitOutput(answer="", thinking=rest.strip() or None, unterminated=True)
        thinking.append(rest[:first_close])
        rest = rest[first_close + len(CLOSE) :]
    unterminated = False
    while True:
        start = rest.find(OPEN)
        if start < 0:
            answer.append(rest)
            break
        answer.append(rest[:start])
        end = rest.find(CLOSE, start + len(OPEN))
        if end < 0:
            thinking.append(rest[start + len(OPEN) :])
            unterminated = True
            break
        thinking.append(rest[start + len(OPEN) : end])
        rest = rest[end + len(CLOSE) :]
    joined = "\n\n".join(part.strip() for part in thinking if part.strip())
    return SplitOutput(answer="".join(answer).strip(), thinking=joined or None, unterminated=unterminated)
