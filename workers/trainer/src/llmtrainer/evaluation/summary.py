"""Suite metrics with bootstrap 95% confidence intervals, computed from the per-example rows.

A statistic is a function of per-example weights (how many times each example is drawn): all ones gives the
reported value; a bootstrap sample draws n examples with replacement (numpy PCG64 seeded with
`bootstrap.seed`, the same draws for every target and suite of equal size, so differences are paired) and
the interval is the 2.5th-97.5th percentile of the resampled statistic. Corpus metrics (BLEU, chrF, loss
over tokens) resample examples and recompute the corpus score from the resampled sums.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np

from .corpus_metrics import CorpusScorer
from .records import Row

Statistic = Callable[[np.ndarray], dict[str, float]]
CONFIDENCE = 0.95
_MAX_LOSS_FOR_EXP = 700.0  # exp() of more overflows a float


def bootstrap_weights(n: int, samples: int, seed: int) -> Iterator[np.ndarray]:
    rng = np.random.default_rng(seed)
    for _ in range(samples):
        yield np.bincount(rng.integers(0, n, size=n), minlength=n)


def with_intervals(statistic: Statistic, n: int, samples: int, seed: int) -> dict[str, dict[str, float | int]]:
    """{metric: {"value", "low", "high", "n"}} for every metric the statistic reports on all examples."""
    values = statistic(np.ones(n, dtype=np.int64))
    draws: dict[str, list[float]] = {k: [] for k in values}
    for w in bootstrap_weights(n, samples, seed):
        for k, v in statistic(w).items():
            if k in draws and math.isfinite(v):
                draws[k].append(v)
    tail = (1 - CONFIDENCE) / 2 * 100
    out: dict[str, dict[str, float | int]] = {}
    for k, value in values.items():
        if not math.isfinite(value):
            continue
        low, high = np.percentile(draws[k], [tail, 100 - tail]) if draws[k] else (value, value)
        out[k] = {"value": float(value), "low": float(low), "high": float(high), "n": n}
    return out


def _scores(rows: list[Row], name: str) -> np.ndarray:
    return np.array([float(r["scores"].get(name, 0.0)) for r in rows], dtype=np.float64)


def perplexity_statistic(rows: list[Row]) -> Statistic:
    nll, tokens = _scores(rows, "nll"), _scores(rows, "tokens")

    def stat(w: np.ndarray) -> dict[str, float]:
        total = float(w @ tokens)
        if total <= 0:
            return {}
        loss = float(w @ nll) / total
        return {"loss": loss, "perplexity": math.exp(min(loss, _MAX_LOSS_FOR_EXP))}

    return stat


def generation_statistic(rows: list[Row], scorer: CorpusScorer) -> Statistic:
    em, rl = _scores(rows, "exact_match"), _scores(rows, "rouge_l")
    bleu = np.array([r["stats"]["bleu"] for r in rows], dtype=np.int64)
    chrf = np.array([r["stats"]["chrf"] for r in rows], dtype=np.int64)
    n = len(rows)

    def stat(w: np.ndarray) -> dict[str, float]:
        return {
            "exact_match": float(w @ em) / n,
            "rouge_l": float(w @ rl) / n,
            "bleu": scorer.corpus_bleu((w @ bleu).tolist()),
            "chrf": scorer.corpus_chrf((w @ chrf).tolist()),
        }

    return stat


def accuracy_statistic(rows: list[Row]) -> Statistic:
    correct = _scores(rows, "accuracy")
    n = len(rows)
    return lambda w: {"accuracy": float(w @ correct) / n}


def statistic_for(suite: str, rows: list[Row], scorer: CorpusScorer | None) -> Statistic:
    if suite == "perplexity":
        return perplexity_statistic(rows)
    if suite == "generation":
        assert scorer is not None
        return generation_statistic(rows, scorer)
    return accuracy_statistic(rows)


def running_values(suite: str, rows: list[Row], scorer: CorpusScorer | None) -> dict[str, float]:
    """The suite's metrics on the rows so far (no interval): for `metric` events."""
    ordered = sorted(rows, key=lambda r: r["index"])
    values = statistic_for(suite, ordered, scorer)(np.ones(len(ordered), dtype=np.int64))
    return {k: v for k, v in values.items() if math.isfinite(v)}


def suite_summary(suite: str, rows: list[Row], scorer: CorpusScorer | None, samples: int, seed: int) -> dict[str, Any]:
    ordered = sorted(rows, key=lambda r: r["index"])
    n = len(ordered)
    summary: dict[str, Any] = {
        "n": n,
        "metrics": with_intervals(statistic_for(suite, ordered, scorer), n, samples, seed),
        "flags": dict(sorted(Counter(f for r in ordered for f in r["flags"]).items())),
    }
    if suite == "perplexity":
        summary["tokens"] = int(_scores(ordered, "tokens").sum())
    if suite == "multiple_choice":
        subjects: dict[str, list[Row]] = {}
        for r in ordered:
            if r.get("subject"):
                subjects.setdefault(r["subject"], []).append(r)
        summary["subjects"] = {
            name: {"n": len(group), "metrics": with_intervals(accuracy_statistic(group), len(group), samples, seed)}
            for name, group in sorted(subjects.items())
        }
    return summary
