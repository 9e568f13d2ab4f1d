"""The trainer's error vocabulary; each maps to one `failed` reason (see events.FailureReason)."""

from __future__ import annotations


class SpecError(Exception):
    """The run spec (or its dataset / model) is invalid.

    `field` is the dotted spec path, e.g. `hyperparameters.lora_r`; str(error) is "field: message".
    """

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


class NanLossError(Exception):
    """The training loss (or gradient norm) became NaN or infinite."""


class TrainingCancelled(BaseException):
    """SIGTERM arrived before training started (or twice): stop now, nothing new to checkpoint.

    A BaseException, like KeyboardInterrupt, so that a library's `except Exception` cannot swallow it.
    """


OOM_HINT = (
    "out of memory: lower hyperparameters.per_device_train_batch_size or hyperparameters.max_seq_length, "
    "raise gradient_accumulation_steps to keep the effective batch, or enable hyperparameters.gradient_checkpointing"
)


def is_oom(exc: BaseException) -> bool:
    """True for CUDA/CPU allocation failures, whichever way torch reports them."""
    try:
        import torch

        if isinstance(exc, torch.OutOfMemoryError):
            return True
    except ImportError:  # pragma: no cover - torch is a hard dependency
        pass
    text = str(exc).lower()
    return isinstance(exc, (MemoryError, RuntimeError)) and (
        "out of memory" in text or "can't allocate memory" in text or isinstance(exc, MemoryError)
    )
