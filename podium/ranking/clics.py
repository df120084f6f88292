"""A contest table as the CLICS (2023-06) scoreboard, the shape DOMjudge clients read.

CLICS counts whole minutes where Mooshak counts seconds, so the rows are re-ranked
here: a solve at 14:59 is minute 14, and the total time is the sum over solved
problems of that minute plus the penalty for each rejected try. Rows go by more
solved, then less total time, then the earlier minute of the last solve (the
ICPC tie-break), then team name; teams equal on all three minute-precision keys
share a rank. Problems carry DOMjudge's non-strict ``label`` and ``first_to_solve``
(the earliest Accepted, to the second). There is no scoreboard freeze, so
``frozen`` and ``thawed`` stay null.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from podium.ranking.contest import Row, Table, contest_options
from podium.store.tables import Competition


@dataclass(frozen=True)
class _Minutes:
    row: Row
    solved: int
    total: int
    last: int

    @property
    def key(self) -> tuple[int, int, int]:
        return (self.solved, self.total, self.last)


def reltime(milliseconds: int) -> str:
    """CLICS RELTIME, ``(-)h:mm:ss.uuu``; hours are not padded and do not wrap."""
    sign = "-" if milliseconds < 0 else ""
    seconds, ms = divmod(abs(milliseconds), 1000)
    hours, rest = divmod(seconds, 3600)
    return f"{sign}{hours}:{rest // 60:02d}:{rest % 60:02d}.{ms:03d}"


def _aware(at: datetime | None) -> datetime | None:
    if at is not None and at.tzinfo is None:
        return at.replace(tzinfo=UTC)
    return at


def _stamp(at: datetime | None) -> str | None:
    return at.astimezone(UTC).isoformat(timespec="milliseconds") if at else None


def contest_state(competition: Competition, now: datetime) -> dict[str, str | None]:
    """The CLICS state: started and ended once their times pass; finalized when finished."""
    starts, ends = _aware(competition.starts_at), _aware(competition.ends_at)
    started = starts if starts is not None and starts <= now else None
    ended = ends if started and ends is not None and ends <= now else None
    final = ended if ended and competition.status == "finished" else None
    return {
        "started": _stamp(started),
        "frozen": None,
        "ended": _stamp(ended),
        "thawed": None,
        "finalized": _stamp(final),
        "end_of_updates": _stamp(final),
    }


def _minutes(row: Row, penalty_minutes: int) -> _Minutes:
    total = last = 0
    for cell in row.cells:
        if cell.solved and cell.solved_seconds is not None:
            minute = cell.solved_seconds // 60
            total += minute + cell.tries * penalty_minutes
            last = max(last, minute)
    return _Minutes(row, row.solved, total, last)


def _problem(table: Table, row: Row, index: int) -> dict[str, Any]:
    problem, cell = table.problems[index], row.cells[index]
    out: dict[str, Any] = {
        "problem_id": str(problem.id),
        "label": problem.label,
        "num_judged": cell.tries + (1 if cell.solved else 0),
        "num_pending": cell.pending,
        "solved": cell.solved,
    }
    if cell.solved and cell.solved_seconds is not None:
        out["time"] = cell.solved_seconds // 60
        out["first_to_solve"] = cell.first_to_solve
    else:
        out["first_to_solve"] = False
    return out


def clics_scoreboard(competition: Competition, table: Table, now: datetime) -> dict[str, Any]:
    """The scoreboard JSON at ``now``; penalties follow the contest's scoring options."""
    now = _aware(now) or now
    penalty = contest_options(competition).penalty_minutes
    ranked = sorted(
        (_minutes(row, penalty) for row in table.rows),
        key=lambda m: (-m.solved, m.total, m.last, m.row.team.name),
    )
    rows: list[dict[str, Any]] = []
    rank, previous = 0, None
    for n, m in enumerate(ranked, 1):
        if m.key != previous:
            rank, previous = n, m.key
        rows.append(
            {
                "rank": rank,
                "team_id": str(m.row.team.id),
                "score": {"num_solved": m.solved, "total_time": m.total, "time": m.last},
                "problems": [_problem(table, m.row, i) for i in range(len(table.problems))],
            }
        )
    starts = _aware(competition.starts_at)
    elapsed = (now - starts) // timedelta(milliseconds=1) if starts else 0
    return {
        "time": _stamp(now),
        "contest_time": reltime(elapsed),
        "state": contest_state(competition, now),
        "rows": rows,
    }
