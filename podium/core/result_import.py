"""Results from a CSV file: every row checked, every problem reported by line and column.

Columns (header names are case-insensitive; unknown ones are reported and ignored):
who — ``entry_id``, ``bib``, ``registration_id``, ``chip``, ``person_id`` or ``team_id``;
what — ``status`` (OK, DQ, DNS, DNF, DNQ), ``time`` (any form ``ranking.times`` reads,
or a status token), ``elapsed_ms``, ``laps``, ``lap_times`` (``;``-separated times),
``points``, ``place``, ``challenge_id`` or ``challenge`` (a challenge code),
``result_set_id``, ``heat_id``, ``recorded_at`` (ISO 8601).
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from podium.core import resources, results
from podium.core.competitions import COMPETITIONS
from podium.core.errors import DomainError, Invalid
from podium.core.principal import Principal
from podium.core.results import ResultCreate
from podium.ranking.times import parse_ms, parse_time
from podium.store.tables import Challenge, Entry

WHO = ("entry_id", "bib", "registration_id", "chip", "person_id", "team_id")
KNOWN = frozenset(
    (
        *WHO,
        "status",
        "time",
        "elapsed_ms",
        "laps",
        "lap_times",
        "points",
        "place",
        "challenge_id",
        "challenge",
        "result_set_id",
        "heat_id",
        "recorded_at",
    )
)
INT_COLUMNS = (
    "entry_id",
    "person_id",
    "team_id",
    "elapsed_ms",
    "laps",
    "place",
    "challenge_id",
    "result_set_id",
    "heat_id",
)


@dataclass(frozen=True)
class RowError:
    line: int
    column: str
    reason: str


@dataclass
class ImportReport:
    rows: int = 0
    stored: int = 0
    errors: list[RowError] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


class ImportRejected(Invalid):
    """Raised so the caller's transaction rolls back; ``report`` lists every problem."""

    def __init__(self, report: ImportReport) -> None:
        super().__init__(f"{len(report.errors)} problem(s) in the file; nothing was stored.")
        self.report = report


@dataclass
class _Lookups:
    by_bib: dict[str, tuple[int, int | None]]
    by_registration: dict[str, tuple[int, int | None]]
    by_chip: dict[str, tuple[int, int | None]]
    challenges: dict[str, int]


async def _lookups(session: AsyncSession, competition_id: int, organization_id: int) -> _Lookups:
    entries = (
        await session.execute(
            select(Entry.id, Entry.person_id, Entry.bib, Entry.registration_id, Entry.chip).where(
                Entry.competition_id == competition_id
            )
        )
    ).all()
    codes = (
        await session.execute(
            select(Challenge.code, Challenge.id).where(
                Challenge.organization_id == organization_id, Challenge.code.is_not(None)
            )
        )
    ).all()
    return _Lookups(
        by_bib={bib: (i, p) for i, p, bib, _r, _c in entries if bib},
        by_registration={reg: (i, p) for i, p, _b, reg, _c in entries if reg},
        by_chip={chip: (i, p) for i, p, _b, _r, chip in entries if chip},
        challenges={code: cid for code, cid in codes if code},
    )


def _row_command(
    line: int, row: dict[str, str], look: _Lookups
) -> tuple[ResultCreate | None, list[RowError]]:
    errors: list[RowError] = []
    values: dict[str, Any] = {}

    def fail(column: str, reason: str) -> None:
        errors.append(RowError(line, column, reason))

    for column in INT_COLUMNS:
        text = row.get(column, "").strip()
        if text:
            try:
                values[column] = int(text)
            except ValueError:
                fail(column, f"{text!r} is not a whole number")
    for column, table in (
        ("bib", look.by_bib),
        ("registration_id", look.by_registration),
        ("chip", look.by_chip),
    ):
        text = row.get(column, "").strip()
        if text and "entry_id" not in values:
            found = table.get(text)
            if found is None:
                fail(column, f"no entry of this competition has {column} {text!r}")
            else:
                values["entry_id"] = found[0]
    if not any(row.get(c, "").strip() for c in WHO):
        fail("entry_id", f"the row names nobody: give one of {', '.join(WHO)}")
    _read_time(row, values, fail)
    laps = [t.strip() for t in row.get("lap_times", "").split(";") if t.strip()]
    if laps:
        try:
            values["lap_times_ms"] = [parse_ms(t) for t in laps]
        except DomainError as exc:
            fail("lap_times", exc.message)
    points = row.get("points", "").strip()
    if points:
        try:
            values["points"] = float(points)
        except ValueError:
            fail("points", f"{points!r} is not a number")
    code = row.get("challenge", "").strip()
    if code:
        if code in look.challenges:
            values["challenge_id"] = look.challenges[code]
        else:
            fail("challenge", f"no challenge has the code {code!r}")
    if row.get("recorded_at", "").strip():
        values["recorded_at"] = row["recorded_at"].strip()
    if errors:
        return None, errors
    try:
        return ResultCreate.model_validate(values), []
    except ValidationError as exc:
        for problem in exc.errors():
            column = str(problem["loc"][0]) if problem["loc"] else "row"
            fail(column, problem["msg"])
        return None, errors


def _read_time(
    row: dict[str, str], values: dict[str, Any], fail: Callable[[str, str], None]
) -> None:
    status = row.get("status", "").strip().upper()
    if status:
        values["status"] = status
    text = row.get("time", "").strip()
    if not text:
        return
    try:
        parsed = parse_time(text)
    except DomainError as exc:
        fail("time", exc.message)
        return
    if parsed.status is not None:
        if status and status != parsed.status:
            fail("time", f"says {parsed.status} but status says {status}")
        values["status"] = parsed.status
    elif "elapsed_ms" in values and values["elapsed_ms"] != parsed.ms:
        fail("time", "disagrees with elapsed_ms")
    else:
        values["elapsed_ms"] = parsed.ms


def read_csv(lines: Iterable[str]) -> tuple[list[tuple[int, dict[str, str]]], list[str]]:
    reader = csv.DictReader(lines)
    if reader.fieldnames is None:
        raise Invalid("The file is empty: it needs a header line.")
    header = [name.strip().lower() for name in reader.fieldnames]
    unknown = [name for name in header if name not in KNOWN]
    warnings = [f"ignored unknown column {name!r}" for name in unknown]
    rows = []
    for raw in reader:
        # line_num is the physical line, so blank lines do not shift what we report.
        rows.append(
            (reader.line_num, {h: (v or "") for h, v in zip(header, raw.values(), strict=False)})
        )
    return rows, warnings


async def import_results(
    session: AsyncSession,
    principal: Principal,
    competition_id: int,
    lines: Iterable[str],
    *,
    skip_invalid: bool = False,
    progress: Callable[[int], None] | None = None,
    chunk: int = 2000,
) -> ImportReport:
    """Check every row, then store all of them in the caller's transaction, or none.

    Any problem raises ``ImportRejected`` (roll the transaction back); with
    ``skip_invalid`` the valid rows are stored and the bad ones reported.
    """
    competition = await resources.get(session, principal, COMPETITIONS, competition_id)
    principal.require("results", competition.organization_id)
    rows, warnings = read_csv(lines)
    report = ImportReport(rows=len(rows), warnings=warnings)
    look = await _lookups(session, competition_id, competition.organization_id)
    good: list[tuple[int, ResultCreate]] = []
    for line, row in rows:
        command, errors = _row_command(line, row, look)
        report.errors.extend(errors)
        if command is not None:
            good.append((line, command))
    if report.errors and not skip_invalid:
        raise ImportRejected(report)
    for start in range(0, len(good), chunk):
        batch = good[start : start + chunk]
        report.stored += await _store(
            session, principal, competition_id, batch, report, skip_invalid
        )
        if report.errors and not skip_invalid:
            raise ImportRejected(report)
        if progress is not None:
            progress(len(batch))
    return report


async def _store(
    session: AsyncSession,
    principal: Principal,
    competition_id: int,
    batch: list[tuple[int, ResultCreate]],
    report: ImportReport,
    skip_invalid: bool,
) -> int:
    try:
        return len(
            await results.create_many(session, principal, competition_id, [c for _l, c in batch])
        )
    except Invalid as exc:
        bad = {problem["row"]: problem for problem in exc.details.get("errors", [])}
        for index, problem in bad.items():
            report.errors.append(RowError(batch[index][0], problem["field"], problem["message"]))
        if not skip_invalid:
            return 0
        kept = [item for index, item in enumerate(batch) if index not in bad]
        return len(
            await results.create_many(session, principal, competition_id, [c for _l, c in kept])
        )
