"""The results desk of a contest: its submissions, rejudging, a judge's verdicts, and
the scoreboard freeze.

Reading needs ``read``; every change needs ``judge`` and is a desk or freeze command
(``podium.dialects.mooshak2.desk``, ``podium.core.freeze``), so it is one transaction
with its event, carrying the judge and the reason. Rejudged submissions go to the
persistent judge queue, which any process's workers poll, so the console needs no
handle on them. Each form ends in a redirect to the page showing its effect.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Request
from sqlalchemy import select
from starlette.responses import Response

from podium.console import access
from podium.console.competitions import in_competition, local, zone_of
from podium.console.render import Ended, page, see_other, templates
from podium.core import freeze, limits
from podium.core.errors import Invalid
from podium.dialects.mooshak2 import desk, storage
from podium.dialects.mooshak2.wire import Verdict
from podium.judge import LANGUAGES
from podium.ranking.contest import load_contest
from podium.store.tables import Competition, Event
from podium.web.render import minutes_clock

router = APIRouter()

# The public scoreboard's table is shown to judges too; it needs the pages' clock.
templates.env.filters.setdefault("contest_clock", minutes_clock)
HISTORY = 50


async def _contest(
    request: Request, competition_id: int, permission: str = "read"
) -> tuple[access.InOrg, Competition]:
    here, competition = await in_competition(request, competition_id, permission)
    if competition.kind != storage.CONTEST_KIND:
        raise Ended(
            404, f"{competition.name} is a {competition.kind}, not a contest: it has no desk."
        )
    return here, competition


def _base(competition: Competition) -> str:
    return f"/console/competitions/{competition.id}/submissions"


def _id_filter(raw: str, what: str) -> int | None:
    if not raw.strip():
        return None
    found = limits.id_of(raw.strip())
    if found is None:
        raise Ended(400, f"The {what} filter must be chosen from the list.")
    return found


def _moment(raw: str, zone: str, what: str) -> datetime | None:
    """A datetime-local value read in the contest's zone, as UTC; blank is None."""
    if not raw.strip():
        return None
    try:
        given = datetime.fromisoformat(raw.strip())
        if given.tzinfo is None:
            given = given.replace(tzinfo=ZoneInfo(zone))
        return given.astimezone(UTC)
    except (ValueError, OverflowError):  # not a time, or one at the calendar's very edge
        raise Invalid(f"{what} must be a date and time such as 2026-06-01T14:30.") from None


def _freeze_context(competition: Competition) -> dict[str, Any]:
    zone = zone_of(competition)
    at = freeze.freeze_time(competition)
    return {
        "zone": zone,
        "freeze_at": at,
        "freeze_local": local(at, zone).replace("T", " ") if at else "",
        "frozen": freeze.is_frozen(competition),
    }


@router.get("/competitions/{competition_id}/submissions")
async def listing(request: Request, competition_id: access.ObjectId) -> Response:
    here, competition = await _contest(request, competition_id)
    query = request.query_params
    problem_id = _id_filter(query.get("problem", ""), "problem")
    entry_id = _id_filter(query.get("team", ""), "team")
    before = _id_filter(query.get("before", ""), "page")
    verdict = query.get("verdict", "").strip()
    if verdict and verdict not in (*desk.VERDICTS, Verdict.EVALUATING.value):
        raise Ended(400, "The verdict filter must be chosen from the list.")
    async with access.database(request).read() as session:
        rows = await desk.submissions(
            session,
            competition,
            problem_id=problem_id,
            entry_id=entry_id,
            verdict=verdict or None,
            before=before,
        )
        problems = await storage.problems_of(session, competition)
        teams = await desk.teams(session, competition)
    filters = {"problem": problem_id or "", "team": entry_id or "", "verdict": verdict}
    older = (
        f"{_base(competition)}?{urlencode({**filters, 'before': rows[-1].id})}"
        if len(rows) >= desk.PAGE
        else ""
    )
    context = {
        "title": f"Submissions of {competition.name}",
        "here": here,
        "tab": "competitions",
        "competition": competition,
        "rows": rows,
        "problems": problems,
        "teams": teams,
        "verdicts": (Verdict.EVALUATING.value, *desk.VERDICTS),
        "filters": filters,
        "older": older,
        "languages": LANGUAGES,
        **_freeze_context(competition),
    }
    return page(request, "contest_submissions.html", context, here.active)


@router.get("/competitions/{competition_id}/submissions/{result_id}")
async def show(
    request: Request, competition_id: access.ObjectId, result_id: access.ObjectId
) -> Response:
    here, competition = await _contest(request, competition_id)
    async with access.database(request).read() as session:
        row = await desk.submission(session, competition, result_id)
        history = list(
            (
                await session.scalars(
                    select(Event)
                    .where(Event.object_kind == "result", Event.object_id == result_id)
                    .order_by(Event.seq.desc())
                    .limit(HISTORY)
                )
            ).all()
        )
    context = {
        "title": f"Submission {row.id}",
        "here": here,
        "tab": "competitions",
        "competition": competition,
        "row": row,
        "history": history,
        "verdicts": desk.VERDICTS,
        "languages": LANGUAGES,
        "zone": zone_of(competition),
    }
    return page(request, "contest_submission.html", context, here.active)


@router.get("/competitions/{competition_id}/scoreboard")
async def scoreboard(request: Request, competition_id: access.ObjectId) -> Response:
    """The scoreboard as judges see it: every verdict, frozen or not."""
    here, competition = await _contest(request, competition_id)
    async with access.database(request).read() as session:
        loaded = await load_contest(session, competition.id)
    context = {
        "title": f"Scoreboard of {competition.name} (judges' view)",
        "here": here,
        "tab": "competitions",
        "competition": competition,
        "table": loaded[1] if loaded else None,
        **_freeze_context(competition),
    }
    return page(request, "contest_scoreboard.html", context, here.active)


@router.post("/competitions/{competition_id}/submissions/{result_id}/rejudge")
async def rejudge_one(
    request: Request, competition_id: access.ObjectId, result_id: access.ObjectId
) -> Response:
    here, competition = await _contest(request, competition_id, "judge")
    data = await access.form(request, here.active)
    async with access.database(request).write() as session:
        await desk.rejudge_submission(
            session, here.principal, competition.id, result_id, access.text(data, "reason")
        )
    return see_other(f"{_base(competition)}/{result_id}?note=rejudged")


@router.post("/competitions/{competition_id}/submissions/{result_id}/override")
async def override(
    request: Request, competition_id: access.ObjectId, result_id: access.ObjectId
) -> Response:
    here, competition = await _contest(request, competition_id, "judge")
    data = await access.form(request, here.active)
    async with access.database(request).write() as session:
        await desk.override(
            session,
            here.principal,
            competition.id,
            result_id,
            access.text(data, "verdict"),
            access.text(data, "reason"),
        )
    return see_other(f"{_base(competition)}/{result_id}?note=overridden")


@router.post("/competitions/{competition_id}/submissions/rejudge")
async def rejudge_many(request: Request, competition_id: access.ObjectId) -> Response:
    """A whole problem (``problem``) or everything since a time (``since``)."""
    here, competition = await _contest(request, competition_id, "judge")
    data = await access.form(request, here.active)
    reason = access.text(data, "reason")
    scope = access.text(data, "scope")
    async with access.database(request).write() as session:
        if scope == "problem":
            problem_id = limits.id_of(access.text(data, "problem"))
            if problem_id is None:
                raise Invalid("Choose the problem to rejudge.")
            count = await desk.rejudge_problem(
                session, here.principal, competition.id, problem_id, reason
            )
        elif scope == "since":
            since = _moment(access.text(data, "since"), zone_of(competition), "The time")
            if since is None:
                raise Invalid("Give the time from which to rejudge.")
            count = await desk.rejudge_since(session, here.principal, competition.id, since, reason)
        else:
            raise Invalid("Choose what to rejudge: a problem, or everything since a time.")
    return see_other(f"{_base(competition)}?note=rejudged&count={count}")


@router.post("/competitions/{competition_id}/submissions/freeze")
async def freeze_board(request: Request, competition_id: access.ObjectId) -> Response:
    here, competition = await _contest(request, competition_id, "judge")
    data = await access.form(request, here.active)
    at = _moment(access.text(data, "at"), zone_of(competition), "The freeze time")
    reason = access.text(data, "reason")
    async with access.database(request).write() as session:
        await freeze.freeze(session, here.principal, competition.id, at, reason)
    return see_other(f"{_base(competition)}?note=frozen")


@router.post("/competitions/{competition_id}/submissions/unfreeze")
async def unfreeze_board(request: Request, competition_id: access.ObjectId) -> Response:
    here, competition = await _contest(request, competition_id, "judge")
    data = await access.form(request, here.active)
    async with access.database(request).write() as session:
        await freeze.unfreeze(session, here.principal, competition.id, access.text(data, "reason"))
    return see_other(f"{_base(competition)}?note=unfrozen")
