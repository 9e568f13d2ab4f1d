"""TRL SFTTrainer / DPOTrainer configured from the run spec, with NaN detection and test fault hooks."""

from __future__ import annotations

from typing import Any

import torch
from datasets import Dataset
from trl import DPOConfig, DPOTrainer, SFTConfig, SFTTrainer

from .callbacks import TrainingGuard
from .checkpoints import checkpoints_dir
from .distributed import world_size
from .spec import RunSpec


class _GuardedMixin:
    """Checks every micro-batch loss; lets tests inject NaN or OOM at a given optimizer step."""

    guard: TrainingGuard
    state: Any

    def compute_loss(self, model: Any, inputs: Any, return_outputs: bool = False, num_items_in_batch: Any = None):
        result = super().compute_loss(  # type: ignore[misc]
            model, inputs, return_outputs=return_outputs, num_items_in_batch=num_items_in_batch
        )
        hooks = self.guard.hooks
        step = self.state.global_step + 1
        if model.training and hooks.oom_at_step == step:
            raise torch.OutOfMemoryError(f"out of memory (injected by a test hook at step {step})")
        if model.training and hooks.nan_at_step is not None and step >= hooks.nan_at_step:
            if isinstance(result, tuple):
                return (result[0] * float("nan"), *result[1:])
            return result * float("nan")
        return result

    def training_step(self, *args: Any, **kwargs: Any) -> torch.Tensor:
        loss = super().training_step(*args, **kwargs)  # type: ignore[misc]
        if not bool(torch.isfinite(loss).all()):
            self.guard.nonfinite = True
        return loss


class PlatformSFTTrainer(_GuardedMixin, SFTTrainer):
    pass


class PlatformDPOTrainer(_GuardedMixin, DPOTrainer):
    pass


def common_arguments(spec: RunSpec) -> dict[str, Any]:
    hp = spec.hyperparameters
    cuda = torch.cuda.is_available()
    args: dict[str, Any] = {
        "output_dir": str(checkpoints_dir(spec.output_dir)),
        "learning_rate": hp.learning_rate,
        "num_train_epochs": hp.num_train_epochs,
        "max_steps": hp.max_steps,
        "per_device_train_batch_size": hp.per_device_train_batch_size,
        "per_device_eval_batch_size": hp.per_device_train_batch_size,
        "gradient_accumulation_steps": hp.gradient_accumulation_steps,
        "warmup_steps": hp.warmup_ratio,  # a float < 1 is a ratio of the total steps
        "lr_scheduler_type": hp.lr_scheduler_type,
        "weight_decay": hp.weight_decay,
        "optim": hp.optim,
        "seed": hp.seed,
        "bf16": hp.precision == "bf16",
        "fp16": hp.precision == "fp16",
        # LoRA models get checkpointing through PEFT (modeling.py); the Trainer handles it for full models too.
        "gradient_checkpointing": hp.gradient_checkpointing,
        "gradient_checkpointing_kwargs": {"use_reentrant": False} if hp.gradient_checkpointing else None,
        "logging_strategy": "steps",
        "logging_steps": hp.logging_steps,
        "logging_first_step": False,
        "logging_nan_inf_filter": False,  # a NaN must fail the run, not be averaged away
        "eval_strategy": "steps" if hp.eval_steps else "no",
        "eval_steps": hp.eval_steps,
        "save_strategy": "steps",
        "save_steps": hp.save_steps,
        "save_total_limit": hp.save_total_limit,
        "include_num_input_tokens_seen": "non_padding",
        "report_to": "none",
        "disable_tqdm": True,
        "log_level": "warning",
        "dataloader_num_workers": 0,
        "use_cpu": not cuda,
    }
    if not cuda and world_size() > 1:
        args["ddp_backend"] = "gloo"
    if world_size() > 1:
        args["ddp_find_unused_parameters"] = False
    return args


def build_sft_trainer(
    spec: RunSpec,
    model: Any,
    tokenizer: Any,
    train_examples: list[dict[str, list[int]]],
    eval_examples: list[dict[str, list[int]]] | None,
    callbacks: list[Any],
    guard: TrainingGuard,
) -> PlatformSFTTrainer:
    hp = spec.hyperparameters
    attn = str(getattr(model.config, "_attn_implementation", "") or "")
    config = SFTConfig(
        **common_arguments(spec),
        max_length=hp.max_seq_length,
        packing=hp.packing,
        # bfd keeps sequences apart only with flash attention; elsewhere concatenate-and-chunk honestly
        packing_strategy="bfd" if attn.startswith("flash") else "wrapped",
        assistant_only_loss=False,  # labels already carry the assistant mask (sft_data.py)
    )
    trainer = PlatformSFTTrainer(
        model=model,
        args=config,
        train_dataset=Dataset.from_list(train_examples),
        eval_dataset=Dataset.from_list(eval_examples) if eval_examples else None,
        processing_class=tokenizer,
        callbacks=callbacks,
    )
    trainer.guard = guard
    return trainer


def _preference_dataset(rows: list[dict[str, Any]]) -> Dataset:
    return Dataset.from_list([{k: r[k] for k in ("prompt", "chosen", "rejected")} for r in rows])


def build_dpo_trainer(
    spec: RunSpec,
    model: Any,
    tokenizer: Any,
    train_rows: list[dict[str, Any]],
    eval_rows: list[dict[str, Any]] | None,
    callbacks: list[Any],
    guard: TrainingGuard,
) -> PlatformDPOTrainer:
    hp = spec.hyperparameters
    config = DPOConfig(**common_arguments(spec), max_length=hp.max_seq_length, beta=hp.dpo_beta)
    trainer = PlatformDPOTrainer(
        model=model,
        args=config,
        train_dataset=_preference_dataset(train_rows),
        eval_dataset=_preference_dataset(eval_rows) if eval_rows else None,
        processing_class=tokenizer,
        callbacks=callbacks,
    )
    trainer.guard = guard
    return trainer
