"""Run spec parsing and static validation (no torch import: noop runs and bad specs answer fast).

Checks that need the machine (files, CUDA, dataset rows) live in preflight.py.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, fields
from typing import Any, Literal

from .errors import SpecError
from .model_card import ModelCard, parse_model_card

Mode = Literal["train", "noop"]
Method = Literal["lora", "qlora", "full"]
Objective = Literal["sft", "dpo"]
Precision = Literal["fp32", "bf16", "fp16"]
Thinking = Literal["keep", "strip_empty"]

SCHEDULERS = (
    "linear",
    "cosine",
    "cosine_with_restarts",
    "polynomial",
    "constant",
    "constant_with_warmup",
    "inverse_sqrt",
)
OPTIMIZERS = ("adamw_torch", "adamw_torch_fused", "adafactor", "sgd", "adamw_8bit", "paged_adamw_8bit")
BNB_OPTIMIZERS = ("adamw_8bit", "paged_adamw_8bit")


@dataclass(frozen=True)
class Hyperparameters:
    """Every field is required in the spec (null where the type allows it): the API owns the
    defaults and sends each value explicitly, so nothing here can silently differ from the planner."""

    learning_rate: float
    num_train_epochs: float
    max_steps: int
    per_device_train_batch_size: int
    gradient_accumulation_steps: int
    max_seq_length: int
    packing: bool
    warmup_ratio: float
    lr_scheduler_type: str
    weight_decay: float
    optim: str
    seed: int
    lora_r: int
    lora_alpha: float
    lora_dropout: float
    lora_target_modules: list[str] | str
    precision: Precision
    gradient_checkpointing: bool
    logging_steps: int
    eval_steps: int | None
    save_steps: int
    save_total_limit: int | None
    assistant_only_loss: bool
    thinking: Thinking
    dpo_beta: float


@dataclass(frozen=True)
class BaseModel:
    path: str | None = None
    hf_id: str | None = None

    @property
    def ref(self) -> str:
        """What from_pretrained gets: the local directory or the hub id."""
        return self.path or self.hf_id or ""


@dataclass(frozen=True)
class DatasetSpec:
    train_path: str
    eval_path: str | None = None


@dataclass(frozen=True)
class RunSpec:
    run_id: str
    attempt: int
    mode: Mode
    base_model: BaseModel
    method: Method
    objective: Objective
    dataset: DatasetSpec
    hyperparameters: Hyperparameters
    output_dir: str
    resume_from_checkpoint: str | None
    model_card: ModelCard | None = None
    unknown_fields: tuple[str, ...] = ()


# --- small typed readers; each names the field it rejects -------------------------------------------


def _is_int(v: Any) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def _is_number(v: Any) -> bool:
    return (isinstance(v, (int, float)) and not isinstance(v, bool)) and math.isfinite(v)


def _str(obj: dict[str, Any], key: str, path: str, *, required: bool = True) -> str | None:
    v = obj.get(key)
    if v is None:
        if required:
            raise SpecError(path, "is required")
        return None
    if not isinstance(v, str) or not v.strip():
        raise SpecError(path, "must be a non-empty string")
    return v


def _abs_path(obj: dict[str, Any], key: str, path: str, *, required: bool = True) -> str | None:
    v = _str(obj, key, path, required=required)
    if v is not None and not v.startswith("/"):
        raise SpecError(path, f"must be an absolute path, got {v!r}")
    return v


def _enum(obj: dict[str, Any], key: str, path: str, choices: tuple[str, ...]) -> str:
    if key not in obj:
        raise SpecError(path, "is required")
    v = obj[key]
    if v not in choices:
        raise SpecError(path, f"must be one of {', '.join(choices)}, got {v!r}")
    return v


def _object(obj: dict[str, Any], key: str, path: str) -> dict[str, Any]:
    v = obj.get(key)
    if not isinstance(v, dict):
        raise SpecError(path, "must be an object" if v is not None else "is required")
    return v


def _hyperparameters(raw: dict[str, Any]) -> tuple[Hyperparameters, list[str]]:
    h: dict[str, Any] = {}
    p = "hyperparameters."
    missing = [p + f.name for f in fields(Hyperparameters) if f.name not in raw]
    if missing:
        raise SpecError(missing[0], "; ".join(["required", *(f"{m}: required" for m in missing[1:])]))

    def get(key: str) -> Any:
        return raw[key]

    def positive_int(key: str) -> int:
        v = get(key)
        if not _is_int(v) or v < 1:
            raise SpecError(p + key, f"must be a positive integer, got {v!r}")
        return v

    def number(key: str, lo: float, hi: float | None = None, *, lo_open: bool = False, hi_open: bool = True) -> float:
        v = get(key)
        ok = _is_number(v) and (v > lo if lo_open else v >= lo) and (hi is None or (v < hi if hi_open else v <= hi))
        if not ok:
            bound = f"{'>' if lo_open else '>='} {lo}" + (
                f" and {'<' if hi_open else '<='} {hi}" if hi is not None else ""
            )
            raise SpecError(p + key, f"must be a number {bound}, got {v!r}")
        return float(v)

    def boolean(key: str) -> bool:
        v = get(key)
        if not isinstance(v, bool):
            raise SpecError(p + key, f"must be true or false, got {v!r}")
        return v

    h["learning_rate"] = number("learning_rate", 0, lo_open=True)
    h["num_train_epochs"] = number("num_train_epochs", 0, lo_open=True)
    max_steps = get("max_steps")
    if not _is_int(max_steps) or (max_steps < 1 and max_steps != -1):
        raise SpecError(p + "max_steps", f"must be -1 (use num_train_epochs) or a positive integer, got {max_steps!r}")
    h["max_steps"] = max_steps
    for key in ("per_device_train_batch_size", "gradient_accumulation_steps", "lora_r", "logging_steps", "save_steps"):
        h[key] = positive_int(key)
    msl = get("max_seq_length")
    if not _is_int(msl) or msl < 16:
        raise SpecError(p + "max_seq_length", f"must be an integer >= 16, got {msl!r}")
    h["max_seq_length"] = msl
    h["packing"] = boolean("packing")
    h["warmup_ratio"] = number("warmup_ratio", 0, 1)
    h["lr_scheduler_type"] = _enum(raw, "lr_scheduler_type", p + "lr_scheduler_type", SCHEDULERS)
    h["weight_decay"] = number("weight_decay", 0)
    h["optim"] = _enum(raw, "optim", p + "optim", OPTIMIZERS)
    seed = get("seed")
    if not _is_int(seed) or seed < 0:
        raise SpecError(p + "seed", f"must be a non-negative integer, got {seed!r}")
    h["seed"] = seed
    h["lora_alpha"] = number("lora_alpha", 0, lo_open=True)
    h["lora_dropout"] = number("lora_dropout", 0, 1)
    targets = get("lora_target_modules")
    if targets != "all-linear" and (
        not isinstance(targets, list) or not targets or not all(isinstance(t, str) and t for t in targets)
    ):
        raise SpecError(p + "lora_target_modules", 'must be "all-linear" or a non-empty list of module names')
    h["lora_target_modules"] = targets if targets == "all-linear" else list(targets)
    h["precision"] = _enum(raw, "precision", p + "precision", ("fp32", "bf16", "fp16"))
    h["gradient_checkpointing"] = boolean("gradient_checkpointing")
    eval_steps = get("eval_steps")
    if eval_steps is not None and (not _is_int(eval_steps) or eval_steps < 1):
        raise SpecError(p + "eval_steps", f"must be null or a positive integer, got {eval_steps!r}")
    h["eval_steps"] = eval_steps
    limit = get("save_total_limit")
    if limit is not None and (not _is_int(limit) or limit < 1):
        raise SpecError(p + "save_total_limit", f"must be null or a positive integer, got {limit!r}")
    h["save_total_limit"] = limit
    h["assistant_only_loss"] = boolean("assistant_only_loss")
    h["thinking"] = _enum(raw, "thinking", p + "thinking", ("keep", "strip_empty"))
    h["dpo_beta"] = number("dpo_beta", 0, lo_open=True)
    unknown = [p + k for k in raw if k not in Hyperparameters.__dataclass_fields__]
    return Hyperparameters(**h), unknown


_TOP_LEVEL = {
    "run_id",
    "attempt",
    "mode",
    "base_model",
    "method",
    "objective",
    "dataset",
    "hyperparameters",
    "output_dir",
    "resume_from_checkpoint",
    "model_card",
}


def parse_spec(raw: Any) -> RunSpec:
    """Validate the JSON-decoded spec; raises SpecError naming the first bad field."""
    if not isinstance(raw, dict):
        raise SpecError("spec", "must be a JSON object")
    run_id = _str(raw, "run_id", "run_id")
    if "attempt" not in raw:
        raise SpecError("attempt", "is required")
    attempt = raw["attempt"]
    if not _is_int(attempt) or attempt < 1:
        raise SpecError("attempt", f"must be a positive integer, got {attempt!r}")
    mode = _enum(raw, "mode", "mode", ("train", "noop"))

    bm = _object(raw, "base_model", "base_model")
    if ("path" in bm) == ("hf_id" in bm):
        raise SpecError("base_model", 'must have exactly one of "path" or "hf_id"')
    if "path" in bm:
        base = BaseModel(path=_abs_path(bm, "path", "base_model.path"))
    else:
        hf_id = _str(bm, "hf_id", "base_model.hf_id")
        assert hf_id is not None
        if hf_id.count("/") != 1 or any(not part.strip() for part in hf_id.split("/")):
            raise SpecError("base_model.hf_id", f'must look like "organisation/model", got {hf_id!r}')
        base = BaseModel(hf_id=hf_id)

    method = _enum(raw, "method", "method", ("lora", "qlora", "full"))
    objective = _enum(raw, "objective", "objective", ("sft", "dpo"))
    ds = _object(raw, "dataset", "dataset")
    train_path = _abs_path(ds, "train_path", "dataset.train_path")
    assert train_path is not None
    dataset = DatasetSpec(
        train_path=train_path, eval_path=_abs_path(ds, "eval_path", "dataset.eval_path", required=False)
    )
    hp, unknown = _hyperparameters(_object(raw, "hyperparameters", "hyperparameters"))
    if hp.eval_steps is not None and dataset.eval_path is None:
        raise SpecError("hyperparameters.eval_steps", "needs dataset.eval_path (nothing to evaluate on)")
    output_dir = _abs_path(raw, "output_dir", "output_dir")
    resume = raw.get("resume_from_checkpoint")
    if resume is not None and resume != "latest":
        resume = _abs_path(raw, "resume_from_checkpoint", "resume_from_checkpoint")
    unknown += [k for k in raw if k not in _TOP_LEVEL]
    assert run_id is not None and output_dir is not None
    return RunSpec(
        run_id=run_id,
        attempt=attempt,
        mode=mode,  # type: ignore[arg-type]
        base_model=base,
        method=method,  # type: ignore[arg-type]
        objective=objective,  # type: ignore[arg-type]
        dataset=dataset,
        hyperparameters=hp,
        output_dir=output_dir,
        resume_from_checkpoint=resume,
        model_card=parse_model_card(raw.get("model_card")),
        unknown_fields=tuple(unknown),
    )
