"""SFT examples: validated rows -> token ids + labels, truncated, ready for TRL's SFTTrainer or the baseline.

Tokenization happens here rather than inside TRL so that the assistant mask works for templates without
`{% generation %}` markers, `thinking: strip_empty` can edit the rendered text, and the baseline loop
trains on byte-identical examples.
"""

from __future__ import annotations

from typing import Any

from .chat_format import template_markers, tokenize_chat, tokenize_text
from .errors import SpecError
from .spec import Hyperparameters


def build_examples(
    rows: list[dict[str, Any]], tokenizer: Any, hp: Hyperparameters, field: str
) -> tuple[list[dict[str, list[int]]], list[str]]:
    """Returns (examples, warnings). Examples left without any trained token are dropped with a warning."""
    markers = None
    examples: list[dict[str, list[int]]] = []
    dropped: list[int] = []
    truncated = 0
    for row in rows:
        line = row["__line__"]
        if "text" in row:
            ex = tokenize_text(tokenizer, row["text"])
        else:
            if markers is None:
                markers = template_markers(tokenizer)
            try:
                ex = tokenize_chat(
                    tokenizer,
                    row["messages"],
                    markers,
                    assistant_only_loss=hp.assistant_only_loss,
                    strip_think=hp.thinking == "strip_empty",
                )
            except ValueError as e:
                raise SpecError(field, f"line {line}: {e}") from None
        if len(ex["input_ids"]) > hp.max_seq_length:
            truncated += 1
            ex = {k: v[: hp.max_seq_length] for k, v in ex.items()}
        # A label at position 0 is never predicted (labels shift by one), so it does not count.
        if all(label == -100 for label in ex["labels"][1:]):
            dropped.append(line)
            continue
        examples.append(ex)
    warnings: list[str] = []
    if truncated:
        warnings.append(f"{field}: {truncated} row(s) longer than max_seq_length were truncated")
    if dropped:
        shown = ", ".join(str(n) for n in dropped[:10]) + (" …" if len(dropped) > 10 else "")
        warnings.append(
            f"{field}: {len(dropped)} row(s) with no assistant tokens to train on were skipped (lines {shown})"
        )
    if not examples:
        raise SpecError(field, "no row has any token to train on (no assistant turns within max_seq_length)")
    return examples, warnings
