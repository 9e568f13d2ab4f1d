"""Reading and validating the platform's normalised JSONL rows.

Row forms (one JSON object per line):
  chat        {"messages": [{"role": "system"|"user"|"assistant"|"tool", "content": str,
                             "reasoning_content"?: str, "tool_calls"?: [...], "name"?: str}, ...]}
  text        {"text": str}                                  (continued pre-training)
  preference  {"prompt": [messages], "chosen": [assistant message(s)], "rejected": [assistant message(s)]}

SFT accepts chat and text rows; DPO accepts preference rows only. Errors name the spec field and line.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Literal

from .errors import SpecError

RowKind = Literal["chat", "text", "preference"]
ROLES = ("system", "user", "assistant", "tool")
_MESSAGE_KEYS = {"role", "content", "reasoning_content", "tool_calls", "name", "tool_call_id"}


def read_jsonl(path: str, field: str) -> list[dict[str, Any]]:
    p = Path(path)
    if not p.is_file():
        raise SpecError(field, f"file not found: {path}")
    rows: list[dict[str, Any]] = []
    with p.open(encoding="utf-8") as f:
        for line_no, line in enumerate(f, start=1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError as e:
                raise SpecError(field, f"line {line_no}: not valid JSON ({e.msg})") from None
            if not isinstance(row, dict):
                raise SpecError(field, f"line {line_no}: each line must be a JSON object")
            row["__line__"] = line_no
            rows.append(row)
    if not rows:
        raise SpecError(field, f"no rows in {path}")
    return rows


def row_kind(row: dict[str, Any]) -> RowKind | None:
    if "messages" in row:
        return "chat"
    if "prompt" in row and "chosen" in row and "rejected" in row:
        return "preference"
    if "text" in row:
        return "text"
    return None


def _check_messages(messages: Any, where: str, *, assistant_only: bool = False) -> list[dict[str, Any]]:
    if not isinstance(messages, list) or not messages:
        raise SpecError(where.split(" ")[0], f"{where}: must be a non-empty list of messages")
    clean: list[dict[str, Any]] = []
    for i, m in enumerate(messages):
        at = f"{where}[{i}]"
        if not isinstance(m, dict):
            raise SpecError(where.split(" ")[0], f"{at}: must be an object")
        role = m.get("role")
        if role not in ROLES or (assistant_only and role != "assistant"):
            allowed = "assistant" if assistant_only else ", ".join(ROLES)
            raise SpecError(where.split(" ")[0], f"{at}.role: must be {allowed}, got {role!r}")
        content = m.get("content")
        if not isinstance(content, str) and not (content is None and m.get("tool_calls")):
            raise SpecError(where.split(" ")[0], f"{at}.content: must be a string")
        rc = m.get("reasoning_content")
        if rc is not None and not isinstance(rc, str):
            raise SpecError(where.split(" ")[0], f"{at}.reasoning_content: must be a string")
        clean.append({k: v for k, v in m.items() if k in _MESSAGE_KEYS and v is not None})
    return clean


def load_rows(path: str, field: str, objective: str) -> list[dict[str, Any]]:
    """Read and validate `path` for `objective`; returns rows with messages cleaned, `__line__` kept."""
    rows = read_jsonl(path, field)
    out: list[dict[str, Any]] = []
    for row in rows:
        line = row["__line__"]
        kind = row_kind(row)
        where = f"{field} line {line}"
        if objective == "dpo":
            if kind != "preference":
                got = kind or "unrecognised"
                raise SpecError(
                    field,
                    f"line {line}: objective dpo needs preference rows "
                    f'{{"prompt": [...], "chosen": [...], "rejected": [...]}}, got a {got} row',
                )
            out.append(
                {
                    "prompt": _check_messages(row["prompt"], f"{where} prompt"),
                    "chosen": _check_messages(row["chosen"], f"{where} chosen", assistant_only=True),
                    "rejected": _check_messages(row["rejected"], f"{where} rejected", assistant_only=True),
                    "__line__": line,
                }
            )
            continue
        if kind == "chat":
            out.append({"messages": _check_messages(row["messages"], f"{where} messages"), "__line__": line})
        elif kind == "text":
            if not isinstance(row["text"], str) or not row["text"]:
                raise SpecError(field, f"line {line}: text must be a non-empty string")
            out.append({"text": row["text"], "__line__": line})
        else:
            raise SpecError(
                field,
                f'line {line}: objective sft needs {{"messages": [...]}} or {{"text": "..."}} rows'
                + (" (this is a preference row: use objective dpo)" if kind == "preference" else ""),
            )
    return out
