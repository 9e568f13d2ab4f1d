"""The evaluation set: JSONL rows → examples, validated, each named by its 0-based `index` (row order).

- conversations / prompt_completion: the platform's normalised chat rows `{"messages": [...]}` (the API turns
  prompt/completion rows into a user + assistant pair). The last assistant turn is the reference; the
  messages before it are the prompt. Perplexity scores every assistant turn, as training does.
- multiple_choice: `{"question": str, "A": str, "B": str, … | "choices": [str, …], "answer": letter | 0-based
  index | choice text, "subject"?: str}`. A single letter within the choices is read as a letter first.
"""

from __future__ import annotations

import string
from dataclasses import dataclass
from typing import Any

from ..data import load_rows, read_jsonl
from ..errors import SpecError

FIELD = "dataset.path"
LETTERS = string.ascii_uppercase


@dataclass(frozen=True)
class ChatExample:
    index: int
    line: int
    messages: list[dict[str, Any]]  # the whole conversation (perplexity)
    prompt_messages: list[dict[str, Any]]  # before the reference (generation)
    reference: str
    prompt_text: str  # for display


@dataclass(frozen=True)
class ChoiceExample:
    index: int
    line: int
    question: str
    choices: list[str]
    label: int
    subject: str | None
    prompt_text: str

    @property
    def reference(self) -> str:
        return f"{LETTERS[self.label]}. {self.choices[self.label]}"


Example = ChatExample | ChoiceExample


def display_prompt(messages: list[dict[str, Any]]) -> str:
    """A lone user turn shows as its text; anything longer as `[role] content` blocks."""
    if len(messages) == 1 and messages[0]["role"] == "user":
        return str(messages[0].get("content") or "")
    return "\n\n".join(f"[{m['role']}] {m.get('content') or ''}" for m in messages)


def load_examples(path: str, schema_kind: str, max_examples: int | None) -> list[Example]:
    if schema_kind == "multiple_choice":
        rows = read_jsonl(path, FIELD)[:max_examples]
        return [_choice_example(i, row) for i, row in enumerate(rows)]
    rows = load_rows(path, FIELD, "sft")[:max_examples]
    return [_chat_example(i, row) for i, row in enumerate(rows)]


def _chat_example(index: int, row: dict[str, Any]) -> ChatExample:
    line = row["__line__"]
    messages = row.get("messages")
    if messages is None:
        raise SpecError(FIELD, f'line {line}: needs {{"messages": [...]}} (a plain text row has no reference)')
    last = max((i for i, m in enumerate(messages) if m["role"] == "assistant"), default=-1)
    if last < 0:
        raise SpecError(FIELD, f"line {line}: no assistant turn to use as the reference")
    if last != len(messages) - 1:
        raise SpecError(FIELD, f"line {line}: the conversation must end with the assistant turn used as the reference")
    if last == 0:
        raise SpecError(FIELD, f"line {line}: no prompt before the assistant turn")
    reference = messages[last].get("content")
    if not isinstance(reference, str) or not reference.strip():
        raise SpecError(FIELD, f"line {line}: the reference (last assistant turn) has no text content")
    prompt = messages[:last]
    return ChatExample(index, line, messages, prompt, reference, display_prompt(prompt))


def _choice_example(index: int, row: dict[str, Any]) -> ChoiceExample:
    line = row["__line__"]

    def bad(message: str) -> SpecError:
        return SpecError(FIELD, f"line {line}: {message}")

    question = row.get("question")
    if not isinstance(question, str) or not question.strip():
        raise bad("question: is required (a non-empty string)")
    if "choices" in row:
        choices = row["choices"]
        if not isinstance(choices, list) or not all(isinstance(c, str) for c in choices):
            raise bad("choices: must be a list of strings")
    else:
        choices = []
        for letter in LETTERS:
            if letter not in row:
                break
            choices.append(row[letter])
        if not all(isinstance(c, str) for c in choices):
            raise bad("choices A, B, …: must be strings")
    if len(choices) < 2:
        raise bad('needs at least two choices ("A", "B", … or "choices")')
    if len(choices) > len(LETTERS):
        raise bad(f"at most {len(LETTERS)} choices, got {len(choices)}")
    if any(not c.strip() for c in choices):
        raise bad("choices: a choice is empty")
    stripped = [c.strip() for c in choices]
    if len(set(stripped)) != len(stripped):
        dup = next(c for c in stripped if stripped.count(c) > 1)
        raise bad(f"choices: duplicate choice {dup!r}")
    label = _label(row.get("answer"), stripped, bad)
    subject = row.get("subject")
    if subject is not None and (not isinstance(subject, str) or not subject.strip()):
        raise bad("subject: must be a non-empty string when present")
    letters = "\n".join(f"{LETTERS[i]}. {c}" for i, c in enumerate(choices))
    return ChoiceExample(index, line, question, list(choices), label, subject, f"{question.strip()}\n{letters}")


def _label(answer: Any, choices: list[str], bad: Any) -> int:
    if isinstance(answer, bool) or answer is None:
        raise bad("answer: is required (a letter, a 0-based index or the text of a choice)")
    if isinstance(answer, int):
        if 0 <= answer < len(choices):
            return answer
        raise bad(f"answer: index {answer} is not among the {len(choices)} choices")
    if isinstance(answer, str):
        a = answer.strip()
        if len(a) == 1 and a.upper() in LETTERS[: len(choices)]:
            return LETTERS.index(a.upper())
        if a in choices:
            return choices.index(a)
        raise bad(f"answer: {answer!r} is not among the choices")
    raise bad(f"answer: must be a letter, a 0-based index or the text of a choice, got {answer!r}")
