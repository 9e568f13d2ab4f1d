"""The same SFT run as `llmtrainer.train`, as a plain PyTorch/transformers/PEFT loop (no Trainer machinery).

    python -m llmtrainer.baseline --spec spec.json   # one {"step","loss","learning_rate","grad_norm"} line per step

A reference for benchmarks: it shares the spec, tokenization, assistant mask and model preparation with the
platform and reproduces the Trainer's data order (a RandomSampler whose generator is seeded with
seed + epoch, as accelerate's seedable sampler does), right-padding collation, loss normalisation (summed
token losses over the optimizer step's token count), gradient clipping at 1.0, AdamW parameter groups and
the learning-rate schedule. Supports objective sft, methods lora and full, precision fp32 on one process.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from collections.abc import Iterator
from typing import Any

import torch
from torch.utils.data import RandomSampler
from transformers import get_scheduler, set_seed

from .data import load_rows
from .modeling import load_model, load_tokenizer, prepare_for_training
from .sft_data import build_examples
from .spec import RunSpec, parse_spec

MAX_GRAD_NORM = 1.0  # TrainingArguments.max_grad_norm default, which the platform keeps
_NO_DECAY = ("bias", "layernorm", "rmsnorm", "norm.", "_norm")


def _collate(examples: list[dict[str, list[int]]], pad_id: int) -> dict[str, torch.Tensor]:
    width = max(len(e["input_ids"]) for e in examples)
    ids = torch.full((len(examples), width), pad_id, dtype=torch.long)
    labels = torch.full((len(examples), width), -100, dtype=torch.long)
    mask = torch.zeros((len(examples), width), dtype=torch.long)
    for row, e in enumerate(examples):
        n = len(e["input_ids"])
        ids[row, :n] = torch.tensor(e["input_ids"])
        labels[row, :n] = torch.tensor(e["labels"])
        mask[row, :n] = 1
    return {"input_ids": ids, "attention_mask": mask, "labels": labels}


def _decays(name: str) -> bool:
    lowered = name.lower()
    return not any(p in lowered or lowered.endswith(p.rstrip(".")) for p in _NO_DECAY)


def _optimizer(model: Any, spec: RunSpec) -> torch.optim.Optimizer:
    hp = spec.hyperparameters
    params = [(n, p) for n, p in model.named_parameters() if p.requires_grad]
    groups = [
        {"params": [p for n, p in params if _decays(n)], "weight_decay": hp.weight_decay},
        {"params": [p for n, p in params if not _decays(n)], "weight_decay": 0.0},
    ]
    return torch.optim.AdamW(groups, lr=hp.learning_rate, betas=(0.9, 0.999), eps=1e-8)


def _updates(n: int, spec: RunSpec) -> Iterator[tuple[int, list[list[int]]]]:
    """(epoch, micro-batches of example indices) for each optimizer step, in the Trainer's order."""
    hp = spec.hyperparameters
    bs, ga = hp.per_device_train_batch_size, hp.gradient_accumulation_steps
    epoch = 0
    while True:
        generator = torch.Generator()
        generator.manual_seed(hp.seed + epoch)
        order = list(RandomSampler(range(n), generator=generator))
        batches = [order[i : i + bs] for i in range(0, n, bs)]
        for i in range(0, len(batches), ga):
            yield epoch, batches[i : i + ga]
        epoch += 1


def total_steps(n: int, spec: RunSpec) -> int:
    hp = spec.hyperparameters
    if hp.max_steps > 0:
        return hp.max_steps
    per_epoch = math.ceil(math.ceil(n / hp.per_device_train_batch_size) / hp.gradient_accumulation_steps)
    return math.ceil(hp.num_train_epochs * per_epoch)


def run_baseline(spec: RunSpec) -> Iterator[dict[str, float]]:
    """Train as specified, yielding one record per optimizer step."""
    if spec.objective != "sft" or spec.method == "qlora" or spec.hyperparameters.precision != "fp32":
        raise ValueError("the baseline covers objective sft, methods lora/full, precision fp32")
    hp = spec.hyperparameters
    tokenizer = load_tokenizer(spec.base_model.ref)
    rows = load_rows(spec.dataset.train_path, "dataset.train_path", "sft")
    examples, _ = build_examples(rows, tokenizer, hp, "dataset.train_path")
    set_seed(hp.seed)
    model = prepare_for_training(load_model(spec), spec).model
    set_seed(hp.seed)  # the Trainer reseeds when it is constructed
    model.train()
    optimizer = _optimizer(model, spec)
    steps = total_steps(len(examples), spec)
    scheduler = get_scheduler(
        hp.lr_scheduler_type, optimizer, num_warmup_steps=math.ceil(steps * hp.warmup_ratio), num_training_steps=steps
    )
    trainable = [p for p in model.parameters() if p.requires_grad]
    for step, (epoch, micro_batches) in enumerate(_updates(len(examples), spec), start=1):
        batches = [_collate([examples[i] for i in idx], tokenizer.pad_token_id) for idx in micro_batches]
        n_items = sum(int((b["labels"][..., 1:] != -100).sum()) for b in batches)
        step_loss = 0.0
        for batch in batches:
            out = model(**batch, use_cache=False, num_items_in_batch=torch.tensor(n_items))
            out.loss.backward()
            step_loss += float(out.loss.detach())
        grad_norm = float(torch.nn.utils.clip_grad_norm_(trainable, MAX_GRAD_NORM))
        optimizer.step()
        learning_rate = scheduler.get_last_lr()[0]
        scheduler.step()
        model.zero_grad()
        yield {"step": step, "epoch": epoch, "loss": step_loss, "learning_rate": learning_rate, "grad_norm": grad_norm}
        if step >= steps:
            return


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m llmtrainer.baseline", description=__doc__.splitlines()[0])
    parser.add_argument("--spec", required=True)
    args = parser.parse_args(argv)
    with open(args.spec, encoding="utf-8") as f:
        spec = parse_spec(json.load(f))
    out = sys.stdout
    sys.stdout = sys.stderr  # library noise away from the JSON lines
    for record in run_baseline(spec):
        out.write(json.dumps(record) + "\n")
        out.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
