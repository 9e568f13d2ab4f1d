"""Evaluator metrics on hand-computed cases, Chinese and English; parity with sacrebleu; thinking blocks."""

from __future__ import annotations

import json
import random

import numpy as np
import pytest
import sacrebleu

from llmtrainer.evaluation.corpus_metrics import CorpusScorer, bleu_tokenizer_for
from llmtrainer.evaluation.generation import score_output
from llmtrainer.evaluation.records import make_row
from llmtrainer.evaluation.summary import generation_statistic, with_intervals
from llmtrainer.evaluation.text_metrics import (
    exact_match,
    lcs_length,
    normalize_answer,
    rouge_l,
    rouge_tokens,
)
from llmtrainer.evaluation.thinking import prompt_opens_think, split_thinking


@pytest.mark.parametrize(
    ("prediction", "reference", "expected"),
    [
        ("Hello, World!", "hello world", 1.0),
        ("你好，世界！", "你好世界", 1.0),  # CJK punctuation
        ("你 好", "你好", 1.0),  # a space next to CJK is not significant
        ("「猫」。", "猫", 1.0),
        ("２＋２＝４。", "2+2=4", 1.0),  # full-width forms (NFKC); + and = are symbols, kept
        ("  Paris.\n", "PARIS", 1.0),
        ("don't", "dont", 1.0),
        ("hello  world", "helloworld", 0.0),  # between Latin words a space is significant
        ("Paris", "Rome", 0.0),
        ("猫", "狗", 0.0),
    ],
)
def test_exact_match_normalises_case_punctuation_and_whitespace(prediction: str, reference: str, expected: float):
    assert exact_match(prediction, reference) == expected, (normalize_answer(prediction), normalize_answer(reference))


def test_rouge_tokens_split_cjk_per_character():
    assert rouge_tokens("GPT-4 很好，The Cat!") == ["gpt", "4", "很", "好", "the", "cat"]
    assert rouge_tokens("我喜欢猫") == ["我", "喜", "欢", "猫"]


@pytest.mark.parametrize(
    ("prediction", "reference", "expected"),
    [
        ("我喜欢猫", "我喜欢狗", 0.75),  # LCS 我喜欢 = 3 of 4 and 4
        ("猫很可爱", "这只猫非常可爱", 18 / 33),  # LCS 猫可爱 = 3; P 3/4, R 3/7 → 2PR/(P+R) = 18/33
        ("the cat sat on the mat", "the cat is on the mat", 5 / 6),  # LCS the cat on the mat
        ("The cat.", "the CAT", 1.0),
        ("", "猫", 0.0),
        ("dog", "猫", 0.0),
    ],
)
def test_rouge_l_hand_computed(prediction: str, reference: str, expected: float):
    assert rouge_l(prediction, reference) == pytest.approx(expected, abs=1e-12)


def test_bit_parallel_lcs_equals_dynamic_programming():
    def dp(a: list[str], b: list[str]) -> int:
        row = [0] * (len(b) + 1)
        for x in a:
            prev = 0
            for j, y in enumerate(b, start=1):
                prev, row[j] = row[j], prev + 1 if x == y else max(row[j], row[j - 1])
        return row[-1]

    rng = random.Random(0)
    for _ in range(300):
        a = [rng.choice("abcde猫狗") for _ in range(rng.randint(0, 90))]
        b = [rng.choice("abcde猫狗") for _ in range(rng.randint(0, 90))]
        assert lcs_length(a, b) == dp(a, b)


def test_bleu_uses_the_zh_tokenizer_for_chinese_references():
    assert bleu_tokenizer_for(["The cat.", "猫"]) == "zh"
    assert bleu_tokenizer_for(["The cat.", "A dog."]) == "13a"
    hyp, ref = "我喜欢吃苹果", "我喜欢吃香蕉"
    # Per character: 1-grams 4/6, 2-grams 3/5, 3-grams 2/4, 4-grams 1/3, equal lengths (no brevity penalty).
    expected = 100 * (4 / 6 * 3 / 5 * 2 / 4 * 1 / 3) ** 0.25
    zh = CorpusScorer("zh")
    assert zh.corpus_bleu(zh.stats(hyp, ref)["bleu"]) == pytest.approx(expected, rel=1e-9)
    assert sacrebleu.corpus_bleu([hyp], [[ref]]).score == 0.0  # 13a sees one "word" per sentence


HYPOTHESES = ["2+2 equals 4.", "The cat sat on the mat.", "我喜欢吃苹果。", "你好！我是语言模型。", "", "Blue"]
REFERENCES = [
    "2+2 equals 4.",
    "The cat is on the mat.",
    "我喜欢吃香蕉。",
    "你好！我是一个语言模型助手。",
    "红色。",
    "Blue.",
]


def _rows(scorer: CorpusScorer) -> list[dict]:
    rows = []
    for i, (h, r) in enumerate(zip(HYPOTHESES, REFERENCES, strict=True)):
        scored = score_output(h, r, scorer, opened=False)
        rows.append(
            make_row(
                index=i,
                target="t",
                suite="generation",
                prompt="p",
                reference=r,
                output=h,
                thinking=None,
                flags=[],
                scores=scored["scores"],
                stats=scored["stats"],
            )
        )
    return json.loads(json.dumps(rows))  # as a resumed row would come back


def test_corpus_bleu_and_chrf_equal_sacrebleu_called_directly():
    tokenize = bleu_tokenizer_for(REFERENCES)
    scorer = CorpusScorer(tokenize)
    values = with_intervals(generation_statistic(_rows(scorer), scorer), len(HYPOTHESES), 100, 0)
    assert tokenize == "zh"
    assert values["bleu"]["value"] == sacrebleu.corpus_bleu(HYPOTHESES, [REFERENCES], tokenize="zh").score
    assert values["chrf"]["value"] == sacrebleu.corpus_chrf(HYPOTHESES, [REFERENCES]).score
    assert (
        0 < values["bleu"]["value"] < 100 and values["bleu"]["low"] <= values["bleu"]["value"] <= values["bleu"]["high"]
    )
    # Per-example scores are sacrebleu's sentence scores (BLEU with effective order, as sacrebleu recommends).
    sentence_bleu = sacrebleu.metrics.BLEU(tokenize="zh", effective_order=True)
    for row, h, r in zip(_rows(scorer), HYPOTHESES, REFERENCES, strict=True):
        assert row["scores"]["bleu"] == pytest.approx(sentence_bleu.sentence_score(h, [r]).score, abs=1e-9)
        assert row["scores"]["chrf"] == pytest.approx(sacrebleu.sentence_chrf(h, [r]).score, abs=1e-9)


def test_bootstrap_interval_is_reproducible_with_a_seed():
    scorer = CorpusScorer("zh")
    stat = generation_statistic(_rows(scorer), scorer)
    first = with_intervals(stat, len(HYPOTHESES), 300, seed=42)
    assert with_intervals(stat, len(HYPOTHESES), 300, seed=42) == first
    assert with_intervals(stat, len(HYPOTHESES), 300, seed=43) != first
    # Exact match: 2 of 6 right ("2+2 equals 4.", "Blue" = "Blue."); the interval brackets it within [0, 1].
    em = first["exact_match"]
    assert em["value"] == pytest.approx(2 / 6) and em["n"] == 6
    assert 0.0 <= em["low"] <= em["value"] <= em["high"] <= 1.0


def test_bootstrap_of_a_constant_is_that_constant():
    values = with_intervals(lambda w: {"accuracy": float(w @ np.ones(5)) / 5}, 5, 50, seed=1)
    assert values["accuracy"] == {"value": 1.0, "low": 1.0, "high": 1.0, "n": 5}


def test_r1_style_thinking_is_stripped_before_scoring_and_kept_for_display():
    scorer = CorpusScorer("zh")
    scored = score_output("<think>\n用户问猫的中文。\n</think>\n\n猫", "猫", scorer, opened=False)
    assert scored["answer"] == "猫" and scored["thinking"] == "用户问猫的中文。"
    assert scored["flags"] == [] and scored["scores"]["exact_match"] == 1.0
    # DeepSeek-R1-Distill templates open the block in the prompt: the output holds only its end.
    prompt = "<｜begin▁of▁sentence｜><｜User｜>Capital of France?<｜Assistant｜><think>\n"
    assert prompt_opens_think(prompt)
    scored = score_output("The user asks…\n</think>\n\nParis.", "Paris", scorer, opened=prompt_opens_think(prompt))
    assert scored["answer"] == "Paris." and scored["thinking"] == "The user asks…"
    assert scored["scores"]["exact_match"] == 1.0 and scored["scores"]["rouge_l"] == 1.0
    # A closing tag before any opening one is read the same way, even when the prompt was not inspected.
    assert split_thinking("reasoning</think>answer").answer == "answer"
    # Qwen3 with thinking off: the prompt carries an empty, closed block.
    assert not prompt_opens_think("<|im_start|>assistant\n<think>\n\n</think>\n\n")


def test_unterminated_think_is_flagged_not_crashed_on():
    scorer = CorpusScorer("13a")
    scored = score_output("<think>Let me count: 1, 2, 3", "4", scorer, opened=False)
    assert scored["flags"] == ["unterminated_think"]
    assert scored["answer"] == "" and scored["thinking"] == "Let me count: 1, 2, 3"
    assert scored["scores"]["exact_match"] == 0.0 and scored["scores"]["bleu"] == 0.0
    opened = split_thinking("still thinking about it", opened=True)
    assert opened.unterminated and opened.answer == "" and opened.thinking == "still thinking about it"
    two = split_thinking("<think>a</think>Answer <think>b</think>here")
    assert (two.answer, two.thinking, two.unterminated) == ("Answer here", "a\n\nb", False)


def test_an_oversized_row_is_capped_under_64_kb_and_flagged():
    row = make_row(
        index=0,
        target="t",
        suite="generation",
        prompt="问" * 30_000,
        reference="答" * 30_000,
        output="猫" * 100_000,
        thinking="想" * 100_000,
        flags=[],
        scores={"bleu": 1.0},
        stats={"bleu": [0] * 10, "chrf": [0] * 18},
    )
    line = json.dumps(row, ensure_ascii=False)
    assert len(line.encode()) < 64 * 1024
    assert set(row["flags"]) == {"prompt_truncated", "reference_truncated", "output_truncated", "thinking_truncated"}
    assert row["output"].endswith("…") and row["output"].startswith("猫猫")
