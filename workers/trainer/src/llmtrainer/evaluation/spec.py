"""Evaluation spec parsing and static validation (no torch import: a bad spec is refused in well under a second).

Every field is required (null where the README says so) and every name is checked: a missing field, an
unknown field or a bad value raises SpecError naming the dotted field, e.g. `suites.generation.max_new_tokens`.
Checks that read files (the dataset, model directories, resume_from) live in preflight.py.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any, Literal

from ..errors import SpecError
from ..tiny_models import FAMILIES

SchemaKind = Literal["conversations", "prompt_completion", "multiple_choice"]
Thinking = Literal["on", "off", "model_default"]
SUITES = ("perplexity", "generation", "multiple_choice")
SCHEMA_KINDS = ("conversations", "prompt_completion", "multiple_choice")
MAX_NEW_TOKENS = 4096
TARGET_KEY = re.compile(r"^[A-Za-z0-9_.-]{1,64}$")


@dataclass(frozen=True)
class BaseModelRef:
    catalog_id: str | None
    hf_id: str | None
    tiny_family: str | None
    path: str | None

    @property
    def ref(self) -> str:
        """What from_pretrained gets: the local directory, else the hub id."""
        return self.path or self.hf_id or ""


@dataclass(frozen=True)
class Target:
    key: str
    base_model: BaseModelRef
    adapter_path: str | None


@dataclass(frozen=True)
class DatasetRef:
    path: str
    schema_kind: SchemaKind


@dataclass(frozen=True)
class PerplexitySuite:
    max_seq_length: int


@dataclass(frozen=True)
class GenerationSuite:
    max_new_tokens: int
    do_sample: bool
    temperature: float
    top_p: float
    seed: int
    thinking: Thinking


@dataclass(frozen=True)
class MultipleChoiceSuite:
    batch_size: int
    apply_chat_template: bool


@dataclass(frozen=True)
class Suites:
    perplexity: PerplexitySuite | None
    generation: GenerationSuite | None
    multiple_choice: MultipleChoiceSuite | None

    def selected(self) -> list[str]:
        return [name for name in SUITES if getattr(self, name) is not None]


@dataclass(frozen=True)
class Bootstrap:
    samples: int
    seed: int


@dataclass(frozen=True)
class EvaluationSpec:
    evaluation_id: str
    attempt: int
    targets: tuple[Target, ...]
    dataset: DatasetRef
    suites: Suites
    bootstrap: Bootstrap
    output_dir: str
    max_examples: int | None
    resume_from: str | None


class _Obj:
    """A JSON object at `path` whose keys must be exactly `keys` (all required, no others)."""

    def __init__(self, raw: Any, path: str, keys: tuple[str, ...]) -> None:
        label = path or "spec"
        if not isinstance(raw, dict):
            raise SpecError(label, f"must be an object, got {_show(raw)}")
        for key in keys:
            if key not in raw:
                raise SpecError(self._at(path, key), "is required")
        for key in raw:
            if key not in keys:
                raise SpecError(self._at(path, key), f"unknown field (expected {', '.join(keys)})")
        self.raw = raw
        self.path = path

    @staticmethod
    def _at(path: str, key: str) -> str:
        return f"{path}.{key}" if path else key

    def field(self, key: str) -> str:
        return self._at(self.path, key)

    def string(self, key: str, *, nullable: bool = False) -> str | None:
        v = self.raw[key]
        if v is None and nullable:
            return None
        if not isinstance(v, str) or not v.strip():
            raise SpecError(
                self.field(key), f"must be a non-empty string{' or null' if nullable else ''}, got {_show(v)}"
            )
        return v

    def abs_path(self, key: str, *, nullable: bool = False) -> str | None:
        v = self.string(key, nullable=nullable)
        if v is not None and not v.startswith("/"):
            raise SpecError(self.field(key), f"must be an absolute path, got {v!r}")
        return v

    def integer(self, key: str, lo: int, hi: int | None = None, *, nullable: bool = False) -> int | None:
        v = self.raw[key]
        if v is None and nullable:
            return None
        if not (isinstance(v, int) and not isinstance(v, bool)) or v < lo or (hi is not None and v > hi):
            bound = f"between {lo} and {hi}" if hi is not None else f">= {lo}"
            raise SpecError(
                self.field(key), f"must be an integer {bound}{' or null' if nullable else ''}, got {_show(v)}"
            )
        return v

    def number(self, key: str, *, lo: float, hi: float, lo_open: bool) -> float:
        v = self.raw[key]
        ok = isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)
        ok = ok and (v > lo if lo_open else v >= lo) and v <= hi
        if not ok:
            raise SpecError(
                self.field(key), f"must be a number {'>' if lo_open else '>='} {lo} and <= {hi}, got {_show(v)}"
            )
        return float(v)

    def boolean(self, key: str) -> bool:
        v = self.raw[key]
        if not isinstance(v, bool):
            raise SpecError(self.field(key), f"must be true or false, got {_show(v)}")
        return v

    def choice(self, key: str, choices: tuple[str, ...], *, nullable: bool = False) -> str | None:
        v = self.raw[key]
        if v is None and nullable:
            return None
        if v not in choices:
            raise SpecError(self.field(key), f"must be one of {', '.join(choices)}, got {_show(v)}")
        return v

    def obj(self, key: str, keys: tuple[str, ...], *, nullable: bool = False) -> _Obj | None:
        v = self.raw[key]
        if v is None and nullable:
            return None
        return _Obj(v, self.field(key), keys)


def _show(v: Any) -> str:
    text = repr(v)
    return text if len(text) <= 60 else text[:57] + "..."


def _target(raw: Any, path: str) -> Target:
    t = _Obj(raw, path, ("key", "base_model", "adapter_path"))
    key = t.string("key")
    assert key is not None
    if not TARGET_KEY.match(key):
        raise SpecError(t.field("key"), f"must be 1-64 letters, digits, _ . or -, got {key!r}")
    bm = t.obj("base_model", ("catalog_id", "hf_id", "tiny_family", "path"))
    assert bm is not None
    base = BaseModelRef(
        catalog_id=bm.string("catalog_id", nullable=True),
        hf_id=bm.string("hf_id", nullable=True),
        tiny_family=bm.choice("tiny_family", FAMILIES, nullable=True),
        path=bm.abs_path("path", nullable=True),
    )
    if base.path is None:
        if base.tiny_family is not None:
            raise SpecError(bm.field("path"), "is required for a tiny model (the agent builds it and passes its path)")
        if base.hf_id is None:
            raise SpecError(bm.field("path"), "is required when hf_id is null (nothing to load the model from)")
        if base.hf_id.count("/") != 1 or any(not part.strip() for part in base.hf_id.split("/")):
            raise SpecError(bm.field("hf_id"), f'must look like "organisation/model", got {base.hf_id!r}')
    return Target(key=key, base_model=base, adapter_path=t.abs_path("adapter_path", nullable=True))


def _suites(s: _Obj, schema_kind: str) -> Suites:
    ppl = s.obj("perplexity", ("max_seq_length",), nullable=True)
    gen = s.obj(
        "generation", ("max_new_tokens", "do_sample", "temperature", "top_p", "seed", "thinking"), nullable=True
    )
    mc = s.obj("multiple_choice", ("batch_size", "apply_chat_template"), nullable=True)
    suites = Suites(
        perplexity=PerplexitySuite(max_seq_length=s_int(ppl, "max_seq_length", 16, 131072)) if ppl else None,
        generation=(
            GenerationSuite(
                max_new_tokens=s_int(gen, "max_new_tokens", 1, MAX_NEW_TOKENS),
                do_sample=gen.boolean("do_sample"),
                temperature=gen.number("temperature", lo=0, hi=10, lo_open=True),
                top_p=gen.number("top_p", lo=0, hi=1, lo_open=True),
                seed=s_int(gen, "seed", 0, 2**32 - 1),
                thinking=gen.choice("thinking", ("on", "off", "model_default")),  # type: ignore[arg-type]
            )
            if gen
            else None
        ),
        multiple_choice=(
            MultipleChoiceSuite(
                batch_size=s_int(mc, "batch_size", 1, 1024), apply_chat_template=mc.boolean("apply_chat_template")
            )
            if mc
            else None
        ),
    )
    if not suites.selected():
        raise SpecError("suites", f"choose at least one suite ({', '.join(SUITES)}); all are null")
    for name in suites.selected():
        wants_mc = name == "multiple_choice"
        if wants_mc != (schema_kind == "multiple_choice"):
            needs = "multiple_choice" if wants_mc else "conversations or prompt_completion"
            raise SpecError(s.field(name), f"needs dataset.schema_kind {needs}, got {schema_kind}")
    return suites


def s_int(o: _Obj, key: str, lo: int, hi: int) -> int:
    v = o.integer(key, lo, hi)
    assert v is not None
    return v


_TOP_LEVEL = (
    "evaluation_id",
    "attempt",
    "targets",
    "dataset",
    "suites",
    "bootstrap",
    "output_dir",
    "max_examples",
    "resume_from",
)


def parse_spec(raw: Any) -> EvaluationSpec:
    """Validate the JSON-decoded spec; raises SpecError naming the first bad field."""
    top = _Obj(raw, "", _TOP_LEVEL)
    evaluation_id = top.string("evaluation_id")
    attempt = s_int(top, "attempt", 1, 1_000_000)

    raw_targets = top.raw["targets"]
    if not isinstance(raw_targets, list) or not raw_targets:
        raise SpecError("targets", f"must be a non-empty list, got {_show(raw_targets)}")
    if len(raw_targets) > 32:
        raise SpecError("targets", f"at most 32 targets, got {len(raw_targets)}")
    targets = tuple(_target(t, f"targets[{i}]") for i, t in enumerate(raw_targets))
    seen: set[str] = set()
    for i, target in enumerate(targets):
        if target.key in seen:
            raise SpecError(f"targets[{i}].key", f"duplicate key {target.key!r}")
        seen.add(target.key)

    ds = top.obj("dataset", ("path", "schema_kind"))
    assert ds is not None
    schema_kind = ds.choice("schema_kind", SCHEMA_KINDS)
    dataset_path = ds.abs_path("path")
    assert schema_kind is not None and dataset_path is not None
    dataset = DatasetRef(path=dataset_path, schema_kind=schema_kind)  # type: ignore[arg-type]

    raw_suites = top.raw["suites"]
    if isinstance(raw_suites, dict):
        for key in raw_suites:
            if key not in SUITES:
                raise SpecError(f"suites.{key}", f"unknown suite (expected {', '.join(SUITES)})")
    suites = _suites(_Obj(raw_suites, "suites", SUITES), schema_kind)

    bs = top.obj("bootstrap", ("samples", "seed"))
    assert bs is not None
    bootstrap = Bootstrap(samples=s_int(bs, "samples", 1, 100_000), seed=s_int(bs, "seed", 0, 2**32 - 1))
    output_dir = top.abs_path("output_dir")
    assert evaluation_id is not None and output_dir is not None
    return EvaluationSpec(
        evaluation_id=evaluation_id,
        attempt=attempt,
        targets=targets,
        dataset=dataset,
        suites=suites,
        bootstrap=bootstrap,
        output_dir=output_dir,
        max_examples=top.integer("max_examples", 1, nullable=True),
        resume_from=top.abs_path("resume_from", nullable=True),
    )
