"""BLEU and chrF through sacrebleu, from per-example sufficient statistics.

Every example keeps sacrebleu's segment statistics (n-gram matches and totals); a corpus score is sacrebleu's
own score of the summed statistics — exactly what `corpus_score` computes — so a resumed evaluation and a
bootstrap resample score the same way as an uninterrupted run. Tokenisation rule for BLEU: `zh` when any
reference of the evaluation set contains a CJK character (Han, kana or Hangul), `13a` otherwise; chrF is
character-based and needs none. Scores are on sacrebleu's 0-100 scale.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from .text_metrics import contains_cjk


def bleu_tokenizer_for(references: Sequence[str]) -> str:
    return "zh" if any(contains_cjk(r) for r in references) else "13a"


@dataclass
class CorpusScorer:
    """BLEU (corpus: sacrebleu defaults; sentence: effective order) and chrF (sacrebleu defaults)."""

    tokenize: str

    def __post_init__(self) -> None:
        from sacrebleu.metrics import BLEU, CHRF

        self._bleu = BLEU(tokenize=self.tokenize)
        self._sentence_bleu = BLEU(tokenize=self.tokenize, effective_order=True)
        self._chrf = CHRF()

    def stats(self, prediction: str, reference: str) -> dict[str, list[int]]:
        """Segment statistics of one example: {"bleu": [...], "chrf": [...]} (ints)."""
        bleu = self._bleu._extract_corpus_statistics([prediction], [[reference]])[0]
        chrf = self._chrf._extract_corpus_statistics([prediction], [[reference]])[0]
        return {"bleu": [int(x) for x in bleu], "chrf": [int(x) for x in chrf]}

    def sentence_scores(self, stats: dict[str, list[int]]) -> dict[str, float]:
        return {
            "bleu": float(self._sentence_bleu._compute_score_from_stats(stats["bleu"]).score),
            "chrf": float(self._chrf._compute_score_from_stats(stats["chrf"]).score),
        }

    def corpus_bleu(self, summed: Sequence[Any]) -> float:
        return float(self._bleu._compute_score_from_stats([int(x) for x in summed]).score)

    def corpus_chrf(self, summed: Sequence[Any]) -> float:
        return float(self._chrf._compute_score_from_stats([int(x) for x in summed]).score)
