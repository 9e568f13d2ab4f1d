"""Per-example text metrics: normalised exact match and ROUGE-L (CJK characters as tokens).

Scales: exact_match and rouge_l are fractions in [0, 1]; BLEU and chrF (corpus_metrics.py) use sacrebleu's
0-100 scale.
"""

from __future__ import annotations

import re
import unicodedata

# Han ideographs (with extensions and compatibility forms), kana and Hangul syllables.
_CJK_RANGES = (
    "\u3040-\u30ff"  # Hiragana, Katakana
    "\u3400-\u4dbf"  # CJK Extension A
    "\u4e00-\u9fff"  # CJK Unified Ideographs
    "\uac00-\ud7af"  # Hangul syllables
    "\uf900-\ufaff"  # CJK Compatibility Ideographs
    "\U00020000-\U0003134f"  # CJK Extensions B-G
)
_CJK_CHAR = re.compile(f"[{_CJK_RANGES}]")
# One CJK character, or a run of letters/digits that are not CJK (underscore counts as punctuation).
_TOKEN = re.compile(f"[{_CJK_RANGES}]|(?:(?![{_CJK_RANGES}])[^\\W_])+")
_SPACE_NEXT_TO_CJK = re.compile(f"(?<=[{_CJK_RANGES}]) | (?=[{_CJK_RANGES}])")


def contains_cjk(text: str) -> bool:
    return _CJK_CHAR.search(text) is not None


def normalize_answer(text: str) -> str:
    """For exact match: NFKC (full-width forms to ASCII), case folded, every Unicode punctuation character
    removed (ASCII and CJK: `,.!?'"` and `，。、！？「」《》…`), whitespace runs collapsed to one space, trimmed,
    and a space next to a CJK character dropped (`你 好` equals `你好`)."""
    text = unicodedata.normalize("NFKC", text).casefold()
    text = "".join(ch for ch in text if not unicodedata.category(ch).startswith("P"))
    text = " ".join(text.split())
    return _SPACE_NEXT_TO_CJK.sub("", text)


def exact_match(prediction: str, reference: str) -> float:
    return 1.0 if normalize_answer(prediction) == normalize_answer(reference) else 0.0


def rouge_tokens(text: str) -> list[str]:
    """NFKC, case folded; each CJK character is a token, other tokens are runs of letters and digits."""
    return _TOKEN.findall(unicodedata.normalize("NFKC", text).casefold())


def lcs_length(a: list[str], b: list[str]) -> int:
    """Length of the longest common subsequence, bit-parallel (Hyyrö 2004): O(len(a) * len(b) / word size)."""
    if not a or not b:
        return 0
    if len(a) < len(b):
        a, b = b, a
    masks: dict[str, int] = {}
    for i, token in enumerate(a):
        masks[token] = masks.get(token, 0) | (1 << i)
    full = (1 << len(a)) - 1
    v = full
    for token in b:
        u = v & masks.get(token, 0)
        v = ((v + u) | (v - u)) & full
    return len(a) - v.bit_count()


def rouge_l(prediction: str, reference: str) -> float:
    """ROUGE-L F1 (beta = 1) over rouge_tokens; 0 when either side has no token (rouge_score's convention)."""
    pred, ref = rouge_tokens(prediction), rouge_tokens(reference)
    lcs = lcs_length(pred, ref)
    if lcs == 0:
        return 0.0
    precision, recall = lcs / len(pred), lcs / len(ref)
    return 2 * precision * recall / (precision + recall)
