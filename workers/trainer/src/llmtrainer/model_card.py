"""What a published model version holds besides its weights: a portable config and a real model card.

A downloaded adapter must load anywhere, so `adapter_config.json` names the base model by its hub id,
not the worker's local directory. Published artifacts are safetensors and JSON only: the pickles HF
Trainer leaves beside the weights (`training_args.bin`) are removed, since loading a pickle runs code.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from .errors import SpecError

#: Pickle-based files that must not ship (torch.save/pickle formats).
PICKLE_SUFFIXES = (".bin", ".pt", ".pth", ".pkl", ".pickle")


@dataclass(frozen=True)
class ModelCard:
    """Facts the API knows about a run, for the model card (spec field `model_card`)."""

    base_model_id: str
    base_model_licence: str | None = None
    run_name: str | None = None
    run_number: int | None = None
    dataset_name: str | None = None
    dataset_version: int | None = None
    dataset_content_hash: str | None = None
    dataset_rows: int | None = None


def parse_model_card(raw: Any) -> ModelCard | None:
    if raw is None:
        return None
    if not isinstance(raw, dict):
        raise SpecError("model_card", "must be an object")
    fields = ModelCard.__dataclass_fields__
    unknown = [k for k in raw if k not in fields]
    if unknown:
        raise SpecError(f"model_card.{unknown[0]}", f"unknown field; allowed: {', '.join(fields)}")
    if not isinstance(raw.get("base_model_id"), str) or not raw["base_model_id"].strip():
        raise SpecError("model_card.base_model_id", "must be a non-empty string")
    for key in ("run_number", "dataset_version", "dataset_rows"):
        if raw.get(key) is not None and (not isinstance(raw[key], int) or isinstance(raw[key], bool)):
            raise SpecError(f"model_card.{key}", "must be an integer")
    return ModelCard(**raw)


def finalize(
    final: Path,
    card: ModelCard | None,
    *,
    method: str,
    objective: str,
    hyperparameters: dict[str, Any],
    metrics: dict[str, float],
    chat_template: str,
) -> None:
    """Make `final` publishable: no pickles, a hub-id base model, and README.md describing the run."""
    for path in final.iterdir():
        if path.is_file() and path.suffix in PICKLE_SUFFIXES:
            path.unlink()
    if card is None:
        return
    config_path = final / "adapter_config.json"
    if config_path.is_file():
        config = json.loads(config_path.read_text(encoding="utf-8"))
        config["base_model_name_or_path"] = card.base_model_id
        config_path.write_text(json.dumps(config, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    (final / "README.md").write_text(
        render_card(
            card,
            method=method,
            objective=objective,
            hyperparameters=hyperparameters,
            metrics=metrics,
            chat_template=chat_template,
            adapter=config_path.is_file(),
        ),
        encoding="utf-8",
    )


def _table(rows: dict[str, Any]) -> str:
    lines = ["| name | value |", "| --- | --- |"]
    lines += [f"| `{k}` | {json.dumps(v, ensure_ascii=False)} |" for k, v in sorted(rows.items())]
    return "\n".join(lines)


def render_card(
    card: ModelCard,
    *,
    method: str,
    objective: str,
    hyperparameters: dict[str, Any],
    metrics: dict[str, float],
    chat_template: str,
    adapter: bool,
) -> str:
    facts = asdict(card)
    licence = card.base_model_licence or "see the base model's card"
    dataset = (
        f"{card.dataset_name} v{card.dataset_version}" if card.dataset_name and card.dataset_version else "not recorded"
    )
    if adapter:
        load = (
            "```python\n"
            "from peft import PeftModel\n"
            "from transformers import AutoModelForCausalLM, AutoTokenizer\n\n"
            f'base = AutoModelForCausalLM.from_pretrained("{card.base_model_id}")\n'
            'model = PeftModel.from_pretrained(base, "path/to/this/folder")\n'
            'tokenizer = AutoTokenizer.from_pretrained("path/to/this/folder")\n'
            "```"
        )
    else:
        load = (
            "```python\n"
            "from transformers import AutoModelForCausalLM, AutoTokenizer\n\n"
            'model = AutoModelForCausalLM.from_pretrained("path/to/this/folder")\n'
            'tokenizer = AutoTokenizer.from_pretrained("path/to/this/folder")\n'
            "```"
        )
    title = card.run_name or "fine-tuned model"
    return "\n".join(
        [
            "---",
            f"base_model: {card.base_model_id}",
            f"license: {licence}",
            f"library_name: {'peft' if adapter else 'transformers'}",
            "tags: [llm-trainer, " + objective + ", " + method + "]",
            "---",
            "",
            f"# {title}",
            "",
            f"{'A LoRA adapter' if adapter else 'Full weights'} trained with LLM Trainer "
            f"({objective.upper()}, {method}) on top of `{card.base_model_id}`.",
            "",
            "## Training data",
            "",
            f"- Dataset: {dataset}",
            f"- Rows: {card.dataset_rows if card.dataset_rows is not None else 'not recorded'}",
            f"- Content hash (SHA-256 of the normalised rows): `{card.dataset_content_hash or 'not recorded'}`",
            "",
            "## Hyperparameters",
            "",
            _table(hyperparameters),
            "",
            "## Final metrics",
            "",
            _table(metrics) if metrics else "None recorded.",
            "",
            "## Chat template",
            "",
            "Prompts must be rendered with the chat template below (also in `chat_template.jinja`).",
            "",
            "```jinja",
            chat_template.strip(),
            "```",
            "",
            "## How to load",
            "",
            load,
            "",
            "## Licence",
            "",
            f"The base model `{card.base_model_id}` is published under {licence}; this derivative is subject to it.",
            "",
            "## Provenance",
            "",
            _table({k: v for k, v in facts.items() if v is not None}),
            "",
        ]
    )
