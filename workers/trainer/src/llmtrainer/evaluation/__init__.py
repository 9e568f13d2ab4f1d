"""The evaluator: scores base models and fine-tunes on an evaluation set and reports JSON-lines events.

`python -m llmtrainer.evaluation --spec spec.json` (README.md, "Evaluation": the spec, the suites, the events).
Shares the trainer's model loading, chat templates and masking, event writer, errors, lifeline and signals.
"""

# Part of the result cache key on the platform: bump when a change can alter any reported number.
EVALUATOR_VERSION = "1"
