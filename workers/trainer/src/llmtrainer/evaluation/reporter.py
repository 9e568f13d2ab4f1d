"""Events of one (target, suite): example rows, progress and running metrics; the stop check between examples."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from ..errors import TrainingCancelled
from ..events import EventWriter
from ..signals import StopSignal
from .corpus_metrics import CorpusScorer
from .hooks import EvaluationHooks
from .records import Row, RowLog
from .summary import running_values


class ExampleFailed(Exception):
    """Evaluating one example raised; the `failed` event names it (the cause is chained)."""

    def __init__(self, index: int | None, target: str, suite: str) -> None:
        where = f"example {index}" if index is not None else "an example"
        super().__init__(f"{where} (target {target}, suite {suite})")
        self.index, self.target, self.suite = index, target, suite


@dataclass
class Overall:
    done: int
    total: int


class SuiteReporter:
    def __init__(
        self,
        writer: EventWriter,
        log: RowLog,
        stop: StopSignal,
        hooks: EvaluationHooks,
        overall: Overall,
        target: str,
        suite: str,
        rows: list[Row],
        total: int,
        scorer: CorpusScorer | None,
    ) -> None:
        self.writer, self.log, self.stop, self.hooks, self.overall = writer, log, stop, hooks, overall
        self.target, self.suite, self.rows, self.total, self.scorer = target, suite, rows, total, scorer
        self._every = max(1, total // 20)
        self._last_metric_at = -1

    def progress(self) -> None:
        self.writer.emit(
            "progress",
            target=self.target,
            suite=self.suite,
            done=len(self.rows),
            total=self.total,
            overall_done=self.overall.done,
            overall_total=self.overall.total,
        )

    def check_stop(self) -> None:
        if self.stop.requested:
            raise TrainingCancelled("SIGTERM")

    def evaluate(self, index: int, compute: Callable[[], Row]) -> None:
        """Run one example (stop check, hooks, failure attribution) and report its row."""
        self.check_stop()
        try:
            self.hooks.before_example()
            row = compute()
        except Exception as e:
            raise ExampleFailed(index, self.target, self.suite) from e
        self.add(row)
        self.hooks.after_example()

    def add(self, row: Row, *, quiet: bool = False) -> None:
        """Record and emit a row; `quiet` leaves progress and metric events to the caller."""
        self.rows.append(row)
        self.log.write(row)
        self.writer.emit("example", **row)
        self.overall.done += 1
        if quiet:
            return
        self.progress()
        if len(self.rows) % self._every == 0 or len(self.rows) == self.total:
            self.metric()

    def metric(self) -> None:
        done = len(self.rows)
        if not done or done == self._last_metric_at:
            return
        self._last_metric_at = done
        values = running_values(self.suite, self.rows, self.scorer)
        prefix = f"{self.target}/{self.suite}/"
        self.writer.emit(
            "metric",
            step=done,
            target=self.target,
            suite=self.suite,
            values={prefix + k: v for k, v in values.items()},
        )
