"""A submission's evaluation: what ``evaluate`` answers, then its evaluation summary.

Mooshak judges asynchronously: the status is "Evaluating" until the verdict lands,
so ``wait`` polls ``refresh`` until it changes. ``notify_type`` answers "info" for
"Evaluating" where mooshak2api raised.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Self

from podium.dialects.mooshak2.client import Client
from podium.dialects.mooshak2.errors import EvaluationTimeout
from podium.dialects.mooshak2.models import Model, epoch_time
from podium.dialects.mooshak2.wire import NOTIFY_TYPES, Verdict

__all__ = ["Evaluation", "Metrics"]

NOT_FETCHED = "not_fetched"
VALIDATED = "VALIDATED"


def _number(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) else None


def _count(value: Any) -> int | None:
    return int(value) if isinstance(value, int | float) else None


@dataclass(frozen=True)
class Metrics:
    """The summary's ``metrics``; indexing by Mooshak's key still works (``m["cpuUsage"]``)."""

    execution_time: float | None
    cpu_usage: float | None
    memory_usage: float | None
    program_size: int | None
    lines_of_code: int | None
    raw: dict[str, Any] = field(repr=False)

    @classmethod
    def from_json(cls, raw: dict[str, Any]) -> Metrics:
        return cls(
            execution_time=_number(raw.get("executionTime")),
            cpu_usage=_number(raw.get("cpuUsage")),
            memory_usage=_number(raw.get("memoryUsage")),
            program_size=_count(raw.get("programSize")),
            lines_of_code=_count(raw.get("linesOfCode")),
            raw=dict(raw),
        )

    def __getitem__(self, key: str) -> Any:
        return self.raw[key]

    def as_json(self) -> dict[str, Any]:
        return dict(self.raw)


class Evaluation(Model):
    """A submission (``id``) of ``problem_id`` in ``contest_id`` and its latest summary."""

    kind = "evaluation_summary"

    status: str = NOT_FETCHED
    classify: str | None = None
    state: str | None = None
    mark: int | None = None
    feedback: str | None = None
    observations: str | None = None
    language: str | None = None
    evaluatedAt: int | None = None
    metrics: Metrics | None = None

    contest_id: str
    problem_id: str | None

    def __init__(self, contest_id: str, problem_id: str | None = None, **fields: Any) -> None:
        # Where the submission lives is not part of its JSON, so kept out of as_json.
        object.__setattr__(self, "contest_id", contest_id)
        object.__setattr__(self, "problem_id", problem_id)
        super().__init__(**fields)

    def _convert(self, key: str, value: Any) -> Any:
        if key == "metrics" and isinstance(value, dict):
            return Metrics.from_json(value)
        return value

    def refresh(self, connection: Client) -> Self:
        """Load the evaluation summary (status, mark, feedback, metrics ...)."""
        path = f"data/contests/{self.contest_id}/submissions/{self.id}/evaluation-summary"
        return self.load_from_dict(connection.get_json(path))

    def wait(self, connection: Client, timeout: float = 30, interval: float = 0.25) -> Self:
        """Refresh until the status is a verdict other than "Evaluating"."""
        deadline = time.monotonic() + timeout
        self.refresh(connection)
        while not self.finished:
            if time.monotonic() >= deadline:
                raise EvaluationTimeout(
                    f"submission {self.id} still {self.status} after {timeout}s"
                )
            time.sleep(interval)
            self.refresh(connection)
        return self

    @property
    def verdict(self) -> Verdict | None:
        """The status as a Verdict (None before a fetch, or for a validation's VALIDATED)."""
        try:
            return Verdict(self.status)
        except ValueError:
            return None

    @property
    def finished(self) -> bool:
        return self.status not in (NOT_FETCHED, Verdict.EVALUATING)

    @property
    def accepted(self) -> bool:
        return self.status in (Verdict.ACCEPTED, VALIDATED)

    @property
    def evaluated_at(self) -> datetime | None:
        return epoch_time(self.evaluatedAt, millis=True)

    @property
    def notify_type(self) -> str | None:
        """ "success", "warning", "error" or "info" (still evaluating); None before a fetch."""
        if self.status == VALIDATED:
            return "success"
        return NOTIFY_TYPES.get(self.status)
