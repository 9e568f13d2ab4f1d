"""Per-example result rows: built, size-capped, written to `<output_dir>/examples.jsonl`, read back to resume.

A row is the `example` event without seq/time/event (README: "Evaluation" → events). Rows are identified by
(target, suite, index); a retried attempt passes the rows it already has as `resume_from` (JSONL, one row
per line, as emitted — extra keys such as seq/time/event are ignored) and those are neither recomputed nor
emitted again. `stats` carries what a corpus metric needs (BLEU/chrF segment statistics), so a resumed row
scores exactly like a fresh one even when its displayed output was truncated.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any, TextIO

from ..errors import SpecError
from .spec import SUITES

# UTF-8 bytes kept per text field; the four together stay under ~56 KB, so a row stays under 64 KB.
TEXT_LIMITS = {"prompt": 12_000, "reference": 12_000, "output": 16_000, "thinking": 16_000}
_ELLIPSIS = "…"

Row = dict[str, Any]
RowKey = tuple[str, str, int]


def cap_text(text: str | None, limit: int) -> tuple[str | None, bool]:
    """`text` cut to at most `limit` UTF-8 bytes (at a character boundary, with an ellipsis); truncated?"""
    if text is None:
        return None, False
    data = text.encode("utf-8")
    if len(data) <= limit:
        return text, False
    keep = data[: limit - len(_ELLIPSIS.encode("utf-8"))].decode("utf-8", errors="ignore")
    return keep + _ELLIPSIS, True


def make_row(
    *,
    index: int,
    target: str,
    suite: str,
    prompt: str,
    reference: str | None,
    output: str | None,
    thinking: str | None,
    flags: list[str],
    scores: dict[str, float],
    stats: dict[str, Any] | None = None,
    subject: str | None = None,
) -> Row:
    flags = list(flags)
    texts: dict[str, str | None] = {}
    for name, value in (("prompt", prompt), ("reference", reference), ("output", output), ("thinking", thinking)):
        texts[name], cut = cap_text(value, TEXT_LIMITS[name])
        if cut:
            flags.append(f"{name}_truncated")
    return {
        "index": index,
        "target": target,
        "suite": suite,
        "subject": subject,
        **texts,
        "flags": flags,
        "scores": {k: float(v) for k, v in scores.items() if math.isfinite(v)},
        "stats": stats,
    }


def row_key(row: Row) -> RowKey:
    return (row["target"], row["suite"], row["index"])


def read_resume(path: str, targets: set[str], suites: set[str], n_examples: int) -> tuple[dict[RowKey, Row], int]:
    """Rows of `path` that belong to this evaluation, keyed; and how many lines were ignored (other targets or
    suites, indexes beyond the set). A malformed line is an invalid spec."""
    p = Path(path)
    if not p.is_file():
        raise SpecError("resume_from", f"file not found: {path}")
    rows: dict[RowKey, Row] = {}
    ignored = 0
    with p.open(encoding="utf-8") as f:
        for line_no, line in enumerate(f, start=1):
            if not line.strip():
                continue
            try:
                raw = json.loads(line)
            except json.JSONDecodeError as e:
                raise SpecError("resume_from", f"line {line_no}: not valid JSON ({e.msg})") from None
            row = _check_row(raw, line_no)
            if row["target"] not in targets or row["suite"] not in suites or row["index"] >= n_examples:
                ignored += 1
                continue
            rows[row_key(row)] = row  # a repeated row (delivered twice) counts once
    return rows, ignored


def _check_row(raw: Any, line_no: int) -> Row:
    def bad(message: str) -> SpecError:
        return SpecError("resume_from", f"line {line_no}: {message}")

    if not isinstance(raw, dict):
        raise bad("each line must be an example row (a JSON object)")
    for key in ("index", "target", "suite", "scores", "flags"):
        if key not in raw:
            raise bad(f"{key}: is required")
    if not isinstance(raw["index"], int) or isinstance(raw["index"], bool) or raw["index"] < 0:
        raise bad(f"index: must be a non-negative integer, got {raw['index']!r}")
    if raw["suite"] not in SUITES:
        raise bad(f"suite: must be one of {', '.join(SUITES)}, got {raw['suite']!r}")
    if not isinstance(raw["scores"], dict) or not all(
        isinstance(v, (int, float)) and not isinstance(v, bool) for v in raw["scores"].values()
    ):
        raise bad("scores: must be an object of numbers")
    if raw["suite"] == "generation" and not (
        isinstance(raw.get("stats"), dict) and {"bleu", "chrf"} <= set(raw["stats"])
    ):
        raise bad("stats: a generation row needs its bleu and chrf statistics (give the row back as emitted)")
    keys = ("index", "target", "suite", "subject", "prompt", "reference", "output", "thinking")
    row = {k: raw.get(k) for k in keys}
    row.update(flags=list(raw["flags"]), scores=dict(raw["scores"]), stats=raw.get("stats"))
    return row


class RowLog:
    """`<output_dir>/examples.jsonl`: every row of this attempt, resumed ones first; rewritten at start."""

    def __init__(self, path: Path, resumed: list[Row]) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._file: TextIO = path.open("w", encoding="utf-8")
        for row in resumed:
            self.write(row)

    def write(self, row: Row) -> None:
        self._file.write(json.dumps(row, ensure_ascii=False, allow_nan=False) + "\n")
        self._file.flush()

    def close(self) -> None:
        self._file.close()
