"""The results desk: every result of a competition with filters, corrections in place,
statuses with reasons, protests, manual entries, deletes, undo, and the audit trail.

Each form is one core command (``podium.core.corrections``) in one transaction with
its event, so the public pages, the feed, webhooks and every dialect see the change
and the audit trail shows who made it and why. Viewing needs ``read``; changing
results needs ``results`` (timer and up).
"""

from __future__ import annotations

import re
from typing import Any

from fastapi import APIRouter, Request
from sqlalchemy import func, select
from starlette.datastructures import FormData
from starlette.responses import Response

from podium.console import access
from podium.console.competitions import in_competition
from podium.console.render import Ended, page, see_other
from podium.core import audit, corrections, limits
from podium.core import results as core_results
from podium.core.corrections import STATUS_REASONS, ResultCorrection
from podium.core.errors import DomainError, Invalid
from podium.core.fields import RESULT_STATUSES
from podium.core.results import ResultCreate
from podium.ranking.times import format_time, parse_ms
from podium.store.tables import Competition, Entry, Event, Heat, Person, Result, ResultSet, Round

router = APIRouter()

PAGE = 200
SORTS = {
    "recent": "Latest first",
    "time": "Time",
    "bib": "Bib",
    "name": "Name",
    "place": "Place",
}
_SECONDS = re.compile(r"^\d+(\.\d{1,3})?$")


def shown_time(ms: int | None) -> str:
    return "" if ms is None else format_time(ms, precision=3, style="compact")


def shown_value(field: str, value: Any) -> str:
    """A logged value as the desk shows it: times as times, nothing as a dash."""
    if value is None or value == "":
        return "—"
    if field == "elapsed_ms" and isinstance(value, int) and not isinstance(value, bool):
        return shown_time(value)
    return str(value)


# Columns the history leaves out: the result's own ids say nothing about a change.
QUIET = ("id", "competition_id")


def _ms(raw: str, label: str) -> int | None:
    """A time typed at the desk: h:mm:ss.fff, m:ss.f or seconds ("62.5")."""
    text = raw.strip()
    if not text:
        return None
    if _SECONDS.match(text) and "." not in text:
        text += ".0"  # a bare number is seconds here, not milliseconds
    try:
        return parse_ms(text)
    except Invalid as exc:
        raise Invalid(f"{label}: {exc.message}") from None


def _number(raw: str, label: str, kind: type[int] | type[float]) -> Any:
    text = raw.strip()
    if not text:
        return None
    try:
        value = kind(text)
    except ValueError:
        raise Invalid(f"{label} must be a number, not {text!r}.") from None
    return value


def _why(data: FormData) -> str:
    """The status reason: one from the list, free text, or both joined."""
    picked = access.text(data, "status_reason_pick").strip()
    written = access.text(data, "status_reason").strip()
    return " — ".join(part for part in (picked, written) if part)


async def _rows(
    request: Request, competition: Competition, filters: dict[str, str]
) -> tuple[list[tuple[Result, Entry | None, Person | None, Heat | None, Round | None]], int]:
    query = (
        select(Result, Entry, Person, Heat, Round)
        .outerjoin(Entry, Entry.id == Result.entry_id)
        .outerjoin(Person, Person.id == Result.person_id)
        .outerjoin(Heat, Heat.id == Result.heat_id)
        .outerjoin(Round, Round.id == Heat.round_id)
        .where(Result.competition_id == competition.id)
    )
    if filters["status"] in RESULT_STATUSES:
        query = query.where(Result.status == filters["status"])
    if filters["review"] == "open":
        query = query.where(Result.review.is_not(None))
    if (heat := limits.id_of(filters["heat"])) is not None:
        query = query.where(Result.heat_id == heat)
    if (result_set := limits.id_of(filters["set"])) is not None:
        query = query.where(Result.result_set_id == result_set)
    if filters["source"]:
        query = query.where(Result.source == filters["source"])
    if wanted := filters["q"].strip():
        query = query.where(
            Person.name.icontains(wanted, autoescape=True)
            | (Entry.bib == wanted)
            | (Entry.registration_id == wanted)
        )
    order: Any = {
        "time": (Result.elapsed_ms.is_(None), Result.elapsed_ms, Result.id),
        "bib": (Entry.bib.is_(None), func.length(Entry.bib), Entry.bib, Result.id),
        "name": (Person.name.is_(None), Person.name, Result.id),
        "place": (Result.place.is_(None), Result.place, Result.id),
    }.get(filters["sort"], (Result.id.desc(),))
    async with access.database(request).read() as session:
        total = await session.scalar(select(func.count()).select_from(query.subquery()))
        rows = await session.execute(query.order_by(*order).limit(PAGE))
        return [tuple(row) for row in rows], total or 0  # type: ignore[misc]


async def _choices(request: Request, competition: Competition) -> dict[str, Any]:
    async with access.database(request).read() as session:
        heats = (
            await session.execute(
                select(Heat.id, Round.number, Heat.number)
                .join(Round, Round.id == Heat.round_id)
                .where(Round.competition_id == competition.id)
                .order_by(Round.number, Heat.number)
            )
        ).all()
        sets = (
            await session.execute(
                select(ResultSet.id, ResultSet.name)
                .where(ResultSet.competition_id == competition.id)
                .order_by(ResultSet.id)
            )
        ).all()
        sources = await session.scalars(
            select(Result.source)
            .where(Result.competition_id == competition.id, Result.source.is_not(None))
            .distinct()
        )
        return {
            "heats": [(h, f"Round {r} · heat {n}") for h, r, n in heats],
            "sets": [(i, name) for i, name in sets],
            "sources": sorted(s for s in sources.all() if s),
        }


async def _desk(
    request: Request,
    here: access.InOrg,
    competition: Competition,
    status_code: int = 200,
    **extra: Any,
) -> Response:
    query = request.query_params
    filters = {
        name: query.get(name, "")
        for name in ("status", "review", "heat", "set", "source", "q", "sort")
    }
    rows, total = await _rows(request, competition, filters)
    context = {
        "title": f"Results desk · {competition.name}",
        "here": here,
        "tab": "competitions",
        "competition": competition,
        "rows": rows,
        "total": total,
        "page_size": PAGE,
        "filters": filters,
        "sorts": SORTS,
        "statuses": RESULT_STATUSES,
        "reasons": STATUS_REASONS,
        "time": shown_time,
        **await _choices(request, competition),
        **extra,
    }
    return page(request, "results.html", context, here.active, status_code)


@router.get("/competitions/{competition_id}/results")
async def desk(request: Request, competition_id: access.ObjectId) -> Response:
    here, competition = await in_competition(request, competition_id)
    return await _desk(request, here, competition)


@router.post("/competitions/{competition_id}/results/new")
async def enter(request: Request, competition_id: access.ObjectId) -> Response:
    """A result typed at the desk (a lost chip): found by bib, stored as any other."""
    here, competition = await in_competition(request, competition_id, "results")
    data = await access.form(request, here.active)
    bib = access.text(data, "bib").strip()
    try:
        async with access.database(request).write() as session:
            entry = await session.scalar(
                select(Entry).where(Entry.competition_id == competition.id, Entry.bib == bib)
            )
            if entry is None:
                raise Invalid(f"No participant with bib {bib!r} in {competition.name}.")
            status = access.text(data, "status") or "OK"
            command = ResultCreate(
                entry_id=entry.id,
                status=status,
                elapsed_ms=_ms(access.text(data, "time"), "Time"),
                laps=_number(access.text(data, "laps"), "Laps", int),
                points=_number(access.text(data, "points"), "Points", float),
                status_reason=(_why(data) or None) if status != "OK" else None,
                attributes={"entered_at_desk": True},
            )
            stored = await core_results.create_one(session, here.principal, competition.id, command)
    except DomainError as exc:
        return await _desk(request, here, competition, 400, error=exc.message, entered=data)
    return see_other(f"/console/competitions/{competition.id}/results?note=entered&id={stored.id}")


@router.post("/competitions/{competition_id}/official")
async def official(request: Request, competition_id: access.ObjectId) -> Response:
    """Publish the results as official, or back to provisional."""
    here, competition = await in_competition(request, competition_id, "results")
    data = await access.form(request, here.active)
    wanted = access.text(data, "official") == "yes"
    async with access.database(request).write() as session:
        await corrections.declare_official(session, here.principal, competition.id, wanted)
    note = "official" if wanted else "provisional"
    return see_other(f"/console/competitions/{competition.id}/results?note={note}")


async def _result(
    request: Request, result_id: int, permission: str = "read"
) -> tuple[access.InOrg, Competition, Result]:
    await access.visitor(request)
    async with access.database(request).read() as session:
        result = await session.get(Result, result_id)
    if result is None:
        raise Ended(404, f"No result {result_id} in your organizations.")
    here, competition = await in_competition(request, result.competition_id, permission)
    return here, competition, result


async def _one(
    request: Request,
    here: access.InOrg,
    competition: Competition,
    result: Result,
    status_code: int = 200,
    **extra: Any,
) -> Response:
    async with access.database(request).read() as session:
        entry = await session.get(Entry, result.entry_id) if result.entry_id else None
        person = await session.get(Person, result.person_id) if result.person_id else None
        history = await audit.history(session, here.principal, result.id)
    context = {
        "title": f"Result {result.id} · {competition.name}",
        "here": here,
        "tab": "competitions",
        "competition": competition,
        "result": result,
        "entry": entry,
        "person": person,
        "history": history,
        "latest_of": lambda _entry: history[-1].seq if history else None,
        "value": shown_value,
        "quiet": QUIET,
        "statuses": RESULT_STATUSES,
        "reasons": STATUS_REASONS,
        "time": shown_time,
        **extra,
    }
    return page(request, "result.html", context, here.active, status_code)


@router.get("/results/{result_id}")
async def show(request: Request, result_id: access.ObjectId) -> Response:
    here, competition, result = await _result(request, result_id)
    return await _one(request, here, competition, result)


async def _apply(
    request: Request, result_id: int, action: str, data: FormData, here: access.InOrg
) -> None:
    async with access.database(request).write() as session:
        if action == "correct":
            changes: dict[str, Any] = {
                "elapsed_ms": _ms(access.text(data, "time"), "Time"),
                "laps": _number(access.text(data, "laps"), "Laps", int),
                "points": _number(access.text(data, "points"), "Points", float),
                "place": _number(access.text(data, "place"), "Place", int),
            }
            reason = access.text(data, "reason").strip()
            if not reason:
                raise Invalid("Say why the result is corrected (kept in the audit trail).")
            await corrections.correct(
                session, here.principal, result_id, ResultCorrection(**changes), reason=reason
            )
        elif action == "status":
            status = access.text(data, "status")
            if status not in RESULT_STATUSES:
                raise Invalid("Choose a status.")
            await corrections.set_status(session, here.principal, result_id, status, _why(data))
        elif action == "review":
            note = access.text(data, "note").strip()
            await corrections.review(session, here.principal, result_id, note or "Protest")
        elif action == "resolve":
            await corrections.review(session, here.principal, result_id, None)
        elif action == "delete":
            reason = access.text(data, "reason").strip()
            if not reason:
                raise Invalid("Say why the result is deleted (kept in the audit trail).")
            await corrections.delete(session, here.principal, result_id, reason)


@router.post("/results/{result_id}/{action}")
async def change(request: Request, result_id: access.ObjectId, action: str) -> Response:
    if action not in ("correct", "status", "review", "resolve", "delete"):
        raise Ended(404, "There is no such page in the console.")
    here, competition, result = await _result(request, result_id, "results")
    data = await access.form(request, here.active)
    try:
        await _apply(request, result.id, action, data, here)
    except DomainError as exc:
        return await _one(request, here, competition, result, 400, error=exc.message)
    if action == "delete":
        return see_other(f"/console/competitions/{competition.id}/results?note=deleted")
    return see_other(f"/console/results/{result.id}?note={action}")


@router.post("/changes/{seq}/undo")
async def undo(request: Request, seq: access.ObjectId) -> Response:
    """Undo one change of a result, from its page or the audit trail."""
    await access.visitor(request)
    async with access.database(request).read() as session:
        event = await session.get(Event, seq)
    if event is None or event.competition_id is None:
        raise Ended(404, f"No change {seq} in your organizations.")
    here, competition = await in_competition(request, event.competition_id, "results")
    data = await access.form(request, here.active)
    async with access.database(request).write() as session:
        await corrections.undo(session, here.principal, seq, access.text(data, "reason") or None)
    back = access.text(data, "back")
    if back == "audit":
        return see_other(f"/console/competitions/{competition.id}/audit?note=undone")
    async with access.database(request).read() as session:
        still = await session.get(Result, event.object_id) if event.object_id else None
    if still is None:
        return see_other(f"/console/competitions/{competition.id}/results?note=undone")
    return see_other(f"/console/results/{still.id}?note=undone")


@router.get("/competitions/{competition_id}/audit")
async def trail(request: Request, competition_id: access.ObjectId) -> Response:
    here, competition = await in_competition(request, competition_id)
    before = limits.id_of(request.query_params.get("before", "")) or 0
    async with access.database(request).read() as session:
        entries = await audit.trail(
            session, here.principal, competition.id, after=before, limit=PAGE, newest_first=True
        )
        latest = dict(
            (
                await session.execute(
                    select(Event.object_id, func.max(Event.seq))
                    .where(Event.competition_id == competition.id, Event.object_kind == "result")
                    .group_by(Event.object_id)
                )
            ).all()
        )
    context = {
        "title": f"Audit trail · {competition.name}",
        "here": here,
        "tab": "competitions",
        "competition": competition,
        "entries": entries,
        "latest_of": lambda entry: latest.get(entry.object_id) if entry.kind == "result" else None,
        "value": shown_value,
        "quiet": QUIET,
        "page_size": PAGE,
    }
    return page(request, "audit.html", context, here.active)


@router.get("/competitions/{competition_id}/audit.csv")
async def trail_csv(request: Request, competition_id: access.ObjectId) -> Response:
    here, competition = await in_competition(request, competition_id)
    async with access.database(request).read() as session:
        entries = await audit.whole_trail(session, here.principal, competition.id)
    return Response(
        audit.to_csv(entries),
        media_type="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": f'attachment; filename="audit-{competition.id}.csv"',
            "Cache-Control": "no-store",
        },
    )
