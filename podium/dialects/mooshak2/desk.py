"""The results desk of a contest: its submissions, rejudging, and a judge's verdicts.

Every change here is a core result update (one transaction, one ``result.updated``
event carrying who and why), so the feed, the pages and every dialect see it.

- A rejudge sets the submission back to "Evaluating", bumps its ``judge_round`` and
  re-queues its one judge job (``judge_jobs.result_id`` is unique, so there is
  never a second job). A job a worker is running keeps its lease: no second worker
  takes it, and the running one, finding the round moved on, drops its now stale
  verdict and queues the job again (``judging``).
- An override sets the verdict a judge decided, with the reason, and closes the job
  so no pending or running judgement can overwrite the decision.

Both are the ``judge`` permission's work: the result update is asked for ``judge``
instead of the ``results`` a result's other changes need, so a judge who records no
results may still decide verdicts, and the event names the judge.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from podium.core import resources
from podium.core.competitions import COMPETITIONS
from podium.core.errors import Invalid, NotFound
from podium.core.principal import Principal
from podium.core.results import RESULTS, ResultUpdate
from podium.dialects.mooshak2 import storage
from podium.dialects.mooshak2.judging import ROUND, round_of
from podium.dialects.mooshak2.wire import Verdict
from podium.store.tables import Challenge, Competition, Entry, JudgeJob, Person, Result, Team
from podium.store.types import utcnow

MAX_REASON = 500
PAGE = 200
# Verdicts a judge may give: every final one ("Evaluating" is the judge's to say).
VERDICTS = tuple(v.value for v in Verdict if v is not Verdict.EVALUATING)


@dataclass(frozen=True)
class Submission:
    """One submission as the desk lists it."""

    result: Result
    problem_label: str
    problem_name: str
    team: str

    @property
    def id(self) -> int:
        return self.result.id

    @property
    def attributes(self) -> dict[str, Any]:
        return self.result.attributes or {}

    @property
    def verdict(self) -> str:
        return str(self.attributes.get("verdict") or Verdict.EVALUATING.value)

    @property
    def language(self) -> str:
        return str(self.attributes.get("language") or "")

    @property
    def contest_seconds(self) -> int:
        return (self.result.elapsed_ms or 0) // 1000

    @property
    def counts(self) -> bool:
        """False for a validation run, which never counts on the scoreboard."""
        return self.attributes.get("consider", True) not in (False, "no")

    @property
    def override(self) -> dict[str, Any] | None:
        found = self.attributes.get("override")
        return found if isinstance(found, dict) else None

    @property
    def program(self) -> str | None:
        """The source as text (undecodable bytes replaced), or None when none is kept."""
        raw = self.attributes.get("program")
        if not isinstance(raw, str) or not raw:
            return None
        try:
            return base64.b64decode(raw, validate=True).decode("utf-8", errors="replace")
        except (binascii.Error, ValueError):
            return None


async def contest(session: AsyncSession, principal: Principal, competition_id: int) -> Competition:
    """The contest, when ``principal`` may read it; any other competition is refused."""
    found = await resources.get(session, principal, COMPETITIONS, competition_id)
    if found.kind != storage.CONTEST_KIND:
        raise Invalid(
            f"{found.name} is a {found.kind}, not a contest: it has no submissions to judge."
        )
    return found


def _query(contest_row: Competition) -> Select[Any]:
    return (
        select(Result, Challenge.code, Challenge.name, Entry.attributes, Team.name, Person.name)
        .join(Challenge, Challenge.id == Result.challenge_id)
        .outerjoin(Entry, Entry.id == Result.entry_id)
        .outerjoin(Team, Team.id == Result.team_id)
        .outerjoin(Person, Person.id == Result.person_id)
        .where(Result.competition_id == contest_row.id)
    )


def _rows(found: Sequence[Any]) -> list[Submission]:
    out = []
    for result, code, name, entry_attrs, team_name, person_name in found:
        username = (entry_attrs or {}).get("mooshak_username")
        team = team_name or person_name or (str(username) if username else f"#{result.entry_id}")
        out.append(Submission(result, code or str(result.challenge_id), name or "", team))
    return out


async def submissions(
    session: AsyncSession,
    contest_row: Competition,
    *,
    problem_id: int | None = None,
    entry_id: int | None = None,
    verdict: str | None = None,
    before: int | None = None,
    limit: int = PAGE,
) -> list[Submission]:
    """The newest submissions first, narrowed by problem, team (entry) and verdict."""
    query = _query(contest_row)
    if problem_id is not None:
        query = query.where(Result.challenge_id == problem_id)
    if entry_id is not None:
        query = query.where(Result.entry_id == entry_id)
    if verdict:
        said = Result.attributes["verdict"].as_string()
        if verdict == Verdict.EVALUATING.value:
            query = query.where(or_(said == verdict, said.is_(None)))
        else:
            query = query.where(said == verdict)
    if before is not None:
        query = query.where(Result.id < before)
    found = (await session.execute(query.order_by(Result.id.desc()).limit(limit))).all()
    return _rows(found)


async def submission(session: AsyncSession, contest_row: Competition, result_id: int) -> Submission:
    found = (await session.execute(_query(contest_row).where(Result.id == result_id))).all()
    if not found:
        raise NotFound(f"No submission {result_id} in {contest_row.name}.")
    return _rows(found)[0]


async def teams(session: AsyncSession, contest_row: Competition) -> list[tuple[int, str]]:
    """(entry id, name) of every team of the contest, for the filter."""
    rows = await session.execute(
        select(Entry.id, Entry.attributes, Team.name, Person.name)
        .outerjoin(Team, Team.id == Entry.team_id)
        .outerjoin(Person, Person.id == Entry.person_id)
        .where(Entry.competition_id == contest_row.id)
        .order_by(Entry.id)
    )
    return [
        (eid, team or person or str((attrs or {}).get("mooshak_username") or f"#{eid}"))
        for eid, attrs, team, person in rows
    ]


def _reason(reason: str | None, *, required: bool = False) -> str | None:
    cleaned = (reason or "").strip()
    if required and not cleaned:
        raise Invalid("Say why: a judge's decision needs a reason.", field="reason")
    if len(cleaned) > MAX_REASON:
        raise Invalid(f"The reason is longer than {MAX_REASON} characters.", field="reason")
    return cleaned or None


def require_judge(principal: Principal, contest_row: Competition) -> None:
    principal.require("judge", contest_row.organization_id)


_CHUNK = 500


async def _locked(
    session: AsyncSession, contest_row: Competition, *where: Any
) -> list[tuple[Result, JudgeJob | None]]:
    """The contest's submissions matching ``where``, each with its judge job, the jobs
    locked first and the submissions read after: a worker's verdict waits for this
    change, and this change starts from what the worker wrote (PostgreSQL)."""
    ids = list(
        (
            await session.scalars(
                select(Result.id)
                .where(
                    Result.competition_id == contest_row.id,
                    Result.challenge_id.is_not(None),
                    *where,
                )
                .order_by(Result.id)
            )
        ).all()
    )
    out: list[tuple[Result, JudgeJob | None]] = []
    for start in range(0, len(ids), _CHUNK):
        chunk = ids[start : start + _CHUNK]
        jobs = {
            job.result_id: job
            for job in await session.scalars(
                select(JudgeJob)
                .where(JudgeJob.result_id.in_(chunk))
                .order_by(JudgeJob.id)
                .with_for_update()
            )
        }
        rows = await session.scalars(
            select(Result)
            .where(Result.id.in_(chunk))
            .order_by(Result.id)
            .execution_options(populate_existing=True)
        )
        out.extend((row, jobs.get(row.id)) for row in rows)
    return out


def _requeue(session: AsyncSession, job: JudgeJob | None, result_id: int, now: datetime) -> None:
    """Queue the one job of the submission again, never cutting a running one's lease."""
    if job is None:
        session.add(JudgeJob(result_id=result_id, run_after=now))
        return
    if job.state == "queued":
        if job.run_after <= now:  # waiting, not running: start afresh
            job.attempts, job.last_error = 0, None
        return
    # Finished by a worker: its lease was given back. Closed by an override while
    # running (no finish time): the lease stands until that run ends.
    job.run_after = now if job.finished_at is not None else max(job.run_after, now)
    job.state, job.attempts, job.last_error, job.finished_at = "queued", 0, None, None


async def _rejudge(
    session: AsyncSession,
    principal: Principal,
    contest_row: Competition,
    found: Sequence[tuple[Result, JudgeJob | None]],
    reason: str | None,
) -> int:
    require_judge(principal, contest_row)
    why = _reason(reason) or "Rejudge requested."
    now = utcnow()
    done = 0
    for row, job in found:
        if not row.attributes.get("program"):
            continue  # refused before judging (too large): nothing to run
        attrs = dict(row.attributes)
        attrs.pop("override", None)
        attrs.update(
            {ROUND: round_of(attrs) + 1, "verdict": Verdict.EVALUATING.value, "state": "pending"}
        )
        command = ResultUpdate(points=0.0, attributes=attrs)
        await resources.update(
            session, principal, RESULTS, row.id, command, reason=why, permission="judge"
        )
        _requeue(session, job, row.id, now)
        done += 1
    return done


async def rejudge_submission(
    session: AsyncSession,
    principal: Principal,
    competition_id: int,
    result_id: int,
    reason: str | None = None,
) -> int:
    contest_row = await contest(session, principal, competition_id)
    require_judge(principal, contest_row)
    found = await _locked(session, contest_row, Result.id == result_id)
    if not found:
        raise NotFound(f"No submission {result_id} in {contest_row.name}.")
    if not found[0][0].attributes.get("program"):
        raise Invalid(f"Submission {result_id} kept no program (it was refused): nothing to run.")
    return await _rejudge(session, principal, contest_row, found, reason)


async def rejudge_problem(
    session: AsyncSession,
    principal: Principal,
    competition_id: int,
    problem_id: int,
    reason: str | None = None,
) -> int:
    """Every submission to one problem of the contest; how many were queued."""
    contest_row = await contest(session, principal, competition_id)
    require_judge(principal, contest_row)
    problems = {p.id for p in await storage.problems_of(session, contest_row)}
    if problem_id not in problems:
        raise Invalid(f"Problem {problem_id} is not a problem of {contest_row.name}.")
    found = await _locked(session, contest_row, Result.challenge_id == problem_id)
    return await _rejudge(session, principal, contest_row, found, reason)


async def rejudge_since(
    session: AsyncSession,
    principal: Principal,
    competition_id: int,
    since: datetime,
    reason: str | None = None,
) -> int:
    """Every submission of the contest made at or after ``since``; how many were queued."""
    contest_row = await contest(session, principal, competition_id)
    require_judge(principal, contest_row)
    found = await _locked(session, contest_row, Result.recorded_at >= since)
    return await _rejudge(session, principal, contest_row, found, reason)


async def override(
    session: AsyncSession,
    principal: Principal,
    competition_id: int,
    result_id: int,
    verdict: str,
    reason: str,
) -> Result:
    """Set the verdict a judge decided; the reason is required and goes in the event."""
    contest_row = await contest(session, principal, competition_id)
    require_judge(principal, contest_row)
    if verdict not in VERDICTS:
        raise Invalid(f"{verdict!r} is not a verdict: choose one of {', '.join(VERDICTS)}.")
    why = _reason(reason, required=True)
    found = await _locked(session, contest_row, Result.id == result_id)
    if not found:
        raise NotFound(f"No submission {result_id} in {contest_row.name}.")
    row, job = found[0]
    before = str(row.attributes.get("verdict") or Verdict.EVALUATING.value)
    attrs = {
        **row.attributes,
        ROUND: round_of(row.attributes) + 1,
        "verdict": verdict,
        "state": "final",
        "override": {"by": principal.label, "reason": why, "was": before},
    }
    points = 1.0 if verdict == Verdict.ACCEPTED.value else 0.0
    command = ResultUpdate(points=points, attributes=attrs)
    updated = await resources.update(
        session, principal, RESULTS, row.id, command, reason=why, permission="judge"
    )
    if job is not None and job.state == "queued":
        # Closed, not finished: a running judgement keeps its lease and drops its verdict.
        job.state, job.last_error = "done", "Closed: a judge set the verdict."
    return updated
