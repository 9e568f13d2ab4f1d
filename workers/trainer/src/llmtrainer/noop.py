"""Mode "noop": a validated spec, a few fake progress/metric events in about a second, then `completed`.

For queue and agent tests: no torch import, no files read or written (paths in the spec need not exist).
"""

from __future__ import annotations

import time
from pathlib import Path

from .events import EXIT_OK, EventWriter
from .spec import RunSpec

_STEP_PAUSE_S = 0.05


def run(spec: RunSpec, writer: EventWriter) -> int:
    total = spec.hyperparameters.max_steps if 0 < spec.hyperparameters.max_steps <= 5 else 3
    writer.status("loading_model", "noop: no model is loaded")
    writer.status("training", f"noop: {total} fake steps")
    lr = spec.hyperparameters.learning_rate
    for step in range(1, total + 1):
        time.sleep(_STEP_PAUSE_S)
        epoch = step / total
        loss = 2.0 / step
        values = {
            "loss": loss,
            "learning_rate": lr * (1 - (step - 1) / total),
            "grad_norm": 1.0,
            "tokens_per_second": 1000.0,
            "samples_per_second": 10.0,
        }
        writer.emit("metric", step=step, epoch=epoch, values=values)
        writer.emit("progress", step=step, total_steps=total, epoch=epoch)
    writer.status("saving", "noop: nothing to save")
    writer.emit(
        "completed",
        output_dir=spec.output_dir,
        final_metrics={"train_loss": 2.0 / total, "global_step": float(total)},
        artifacts={
            "model_dir": str(Path(spec.output_dir) / "final"),
            "kind": "full_model" if spec.method == "full" else "lora_adapter",
        },
        chat_template="",
    )
    return EXIT_OK
