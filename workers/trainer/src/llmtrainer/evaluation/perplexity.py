"""Perplexity suite: loss on the assistant tokens, masked exactly as training masks them.

Each conversation is rendered and masked by the trainer's own code (chat_format.tokenize_chat with
assistant-only loss, the template's rendering kept as is) and truncated to max_seq_length like a training
row. One forward pass per example; logits are computed only where a label is scored (`logits_to_keep`), so a
150k-token vocabulary does not need a full logits tensor. Per example: `nll` (summed, nats), `tokens`
(scored tokens) and `loss` = nll / tokens; the suite's loss is Σnll / Σtokens and perplexity = exp(loss).
"""

from __future__ import annotations

import math
from typing import Any

from ..chat_format import template_markers, tokenize_chat
from .dataset import ChatExample
from .records import Row, make_row
from .reporter import SuiteReporter
from .spec import PerplexitySuite
from .targets import LoadedTarget


def example_nll(model: Any, input_ids: list[int], labels: list[int], device: Any) -> tuple[float, int]:
    """(summed negative log-likelihood of the scored tokens, their count) for one example."""
    import torch

    # The label at position k is predicted by the logits at position k - 1.
    positions = [k - 1 for k in range(1, len(labels)) if labels[k] != -100]
    if not positions:
        return 0.0, 0
    ids = torch.tensor([input_ids], device=device)
    keep = torch.tensor(positions, device=device)
    with torch.inference_mode():
        logits = model(input_ids=ids, logits_to_keep=keep).logits[0].float()
    targets = torch.tensor([labels[k + 1] for k in positions], device=device)
    nll = torch.nn.functional.cross_entropy(logits, targets, reduction="sum")
    return float(nll.item()), len(positions)


def run_perplexity(
    loaded: LoadedTarget, examples: list[ChatExample], done: set[int], config: PerplexitySuite, report: SuiteReporter
) -> None:
    tokenizer = loaded.tokenizer
    markers = template_markers(tokenizer)
    for ex in examples:
        if ex.index in done:
            continue

        def compute(ex: ChatExample = ex) -> Row:
            enc = tokenize_chat(tokenizer, ex.messages, markers, assistant_only_loss=True, strip_think=False)
            flags: list[str] = []
            ids, labels = enc["input_ids"], enc["labels"]
            if len(ids) > config.max_seq_length:
                ids, labels = ids[: config.max_seq_length], labels[: config.max_seq_length]
                flags.append("sequence_truncated")
            nll, tokens = example_nll(loaded.model, ids, labels, loaded.device)
            scores = {"nll": nll, "tokens": float(tokens)}
            if tokens:
                scores["loss"] = nll / tokens
                scores["perplexity"] = math.exp(min(nll / tokens, 700.0))
            else:
                flags.append("no_scored_tokens")
            return make_row(
                index=ex.index,
                target=loaded.key,
                suite="perplexity",
                prompt=ex.prompt_text,
                reference=ex.reference,
                output=None,
                thinking=None,
                flags=flags,
                scores=scores,
            )

        report.evaluate(ex.index, compute)
