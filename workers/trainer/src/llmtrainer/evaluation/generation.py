"""Generation suite: each prompt through the target's chat template, one example at a time, then scored.

Greedy, or sampled with `torch.manual_seed(seed + index)` before each example, so an example's output does
not depend on which examples ran before it (a resumed attempt reproduces the uninterrupted run). The
generation settings are exactly the spec's (the model's own generation_config — top_k, repetition penalty
— is not inherited); generation stops at the tokenizer's EOS or the template's end-of-turn token.

Thinking: `on` / `off` set the template's `enable_thinking` (Qwen3); `model_default` passes nothing. A
template without that switch (DeepSeek-R1-Distill always thinks) renders as is, with a warning when on/off
was asked. Reasoning is split from the answer (thinking.py) before scoring.
"""

from __future__ import annotations

from typing import Any

from ..chat_format import template_markers
from ..events import EventWriter
from .corpus_metrics import CorpusScorer
from .dataset import ChatExample
from .records import Row, make_row
from .reporter import SuiteReporter
from .spec import GenerationSuite
from .targets import LoadedTarget
from .text_metrics import exact_match, rouge_l
from .thinking import CLOSE, OPEN, prompt_opens_think, split_thinking

# generate() fills every setting left unset from the model's generation_config (Qwen ships top_k, some
# checkpoints a repetition penalty): set them, so that the spec alone decides.
_NEUTRAL: dict[str, Any] = {
    "num_beams": 1,
    "repetition_penalty": 1.0,
    "no_repeat_ngram_size": 0,
    "min_new_tokens": 0,
}
_NO_TRUNCATION: dict[str, Any] = {"top_k": 0, "min_p": 0.0, "typical_p": 1.0, "epsilon_cutoff": 0.0, "eta_cutoff": 0.0}


def template_kwargs(tokenizer: Any, thinking: str) -> dict[str, Any] | None:
    """The apply_chat_template arguments for `thinking`, or None when the template cannot honour it."""
    if thinking == "model_default":
        return {}
    if "enable_thinking" not in (tokenizer.chat_template or ""):
        return None
    return {"enable_thinking": thinking == "on"}


def score_output(raw: str, reference: str, scorer: CorpusScorer, *, opened: bool) -> dict[str, Any]:
    """Split reasoning from `raw` and score the answer: {answer, thinking, flags, scores, stats}."""
    split = split_thinking(raw, opened=opened)
    stats = scorer.stats(split.answer, reference)
    scores = {
        "exact_match": exact_match(split.answer, reference),
        "rouge_l": rouge_l(split.answer, reference),
        **scorer.sentence_scores(stats),
    }
    flags = ["unterminated_think"] if split.unterminated else []
    return {"answer": split.answer, "thinking": split.thinking, "flags": flags, "scores": scores, "stats": stats}


def _stop_ids(tokenizer: Any, end_of_turn: str) -> list[int]:
    ids = {tokenizer.eos_token_id, tokenizer.convert_tokens_to_ids(end_of_turn)}
    return sorted(i for i in ids if isinstance(i, int) and i >= 0 and i != tokenizer.unk_token_id)


def _decode(tokenizer: Any, ids: list[int]) -> str:
    """Generated text with special tokens removed, except think tags (special in some tokenizers)."""
    text = tokenizer.decode(ids, skip_special_tokens=False)
    for token in tokenizer.all_special_tokens:
        if token and token not in (OPEN, CLOSE):
            text = text.replace(token, "")
    return text


def run_generation(
    loaded: LoadedTarget,
    examples: list[ChatExample],
    done: set[int],
    config: GenerationSuite,
    scorer: CorpusScorer,
    report: SuiteReporter,
    writer: EventWriter,
) -> None:
    import torch
    from transformers import GenerationConfig

    tokenizer, model = loaded.tokenizer, loaded.model
    kwargs = template_kwargs(tokenizer, config.thinking)
    if kwargs is None:
        writer.log(
            "warning",
            f"suites.generation.thinking: the chat template of target {loaded.key} has no enable_thinking switch; "
            f"rendering its default instead of thinking {config.thinking}",
        )
        kwargs = {}
    stop_ids = _stop_ids(tokenizer, template_markers(tokenizer).end_of_turn)
    gen_config = GenerationConfig(
        max_new_tokens=config.max_new_tokens,
        do_sample=config.do_sample,
        eos_token_id=stop_ids,
        pad_token_id=tokenizer.pad_token_id if tokenizer.pad_token_id is not None else stop_ids[0],
        **_NEUTRAL,
        **({"temperature": config.temperature, "top_p": config.top_p, **_NO_TRUNCATION} if config.do_sample else {}),
    )
    for ex in examples:
        if ex.index in done:
            continue

        def compute(ex: ChatExample = ex) -> Row:
            prompt = tokenizer.apply_chat_template(
                ex.prompt_messages, tokenize=False, add_generation_prompt=True, **kwargs
            )
            ids = tokenizer(prompt, add_special_tokens=False, return_tensors="pt")["input_ids"].to(loaded.device)
            if config.do_sample:
                torch.manual_seed(config.seed + ex.index)
            with torch.inference_mode():
                out = model.generate(input_ids=ids, attention_mask=torch.ones_like(ids), generation_config=gen_config)
            new = out[0, ids.shape[1] :].tolist()
            flags: list[str] = []
            cut = next((k for k, t in enumerate(new) if t in stop_ids), None)
            if cut is None:
                flags.append("max_new_tokens_reached")
            else:
                new = new[:cut]
            scored = score_output(_decode(tokenizer, new), ex.reference, scorer, opened=prompt_opens_think(prompt))
            return make_row(
                index=ex.index,
                target=loaded.key,
                suite="generation",
                prompt=ex.prompt_text,
                reference=ex.reference,
                output=scored["answer"],
                thinking=scored["thinking"],
                flags=scored["flags"] + flags,
                scores=scored["scores"],
                stats=scored["stats"],
            )

        report.evaluate(ex.index, compute)
