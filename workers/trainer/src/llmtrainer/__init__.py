"""LLM Trainer's Python trainer: runs one fine-tuning job from a JSON spec and reports JSON-lines events.

Entry points: `python -m llmtrainer.train --spec spec.json` (see README.md for the spec and the event
protocol), `python -m llmtrainer.tiny_models`, `python -m llmtrainer.baseline`.
"""

__version__ = "0.1.0"
