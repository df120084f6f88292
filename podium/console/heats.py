"""A competition's heats at the results desk: rounds, heats and slots (pilot, channel,
frequency), and forms to move a pilot, retune a slot, add or remove a slot and add a
round.

Each form is one of the core's line-up commands (``podium.core.lineups``), so the
rules (one pilot a channel, a pilot once a heat and a round) and the event log are
the core's, and MultiGP's ``race/view`` serves the change at once. A refused change
shows this page again with the core's message, so the desk sees the line-up it is
fixing next to the reason; a done one redirects here (POST/redirect/GET).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, Request
from sqlalchemy import func, select
from starlette.datastructures import FormData
from starlette.responses import Response

from podium.console import access
from podium.console.competitions import in_competition
from podium.console.render import page, see_other
from podium.core import limits, lineups
from podium.core.errors import Conflict, DomainError, Invalid
from podium.store.tables import Competition, Entry, Heat, Result, Round, Slot

router = APIRouter()

# Entries offered when adding a slot; a desk with more types the id instead.
MAX_CHOICES = 2000
NOTES = {
    "moved": "Moved.",
    "swapped": "Swapped the two pilots.",
    "tuned": "Channel saved.",
    "slot-added": "Slot added.",
    "slot-removed": "Slot removed.",
    "round-added": "Round added.",
}


@dataclass(frozen=True)
class SlotRow:
    slot: Slot
    pilot: str | None
    results: int

    @property
    def channel(self) -> str:
        return f"{self.slot.band or ''}{self.slot.channel or ''}"


@dataclass(frozen=True)
class HeatView:
    heat: Heat
    slots: list[SlotRow]


@dataclass(frozen=True)
class RoundView:
    round: Round
    heats: list[HeatView]

    @property
    def title(self) -> str:
        return self.round.name or f"Round {self.round.number}"

    @property
    def seated(self) -> list[tuple[Heat, SlotRow]]:
        """The pilots one can move, with their heats."""
        return [(h.heat, s) for h in self.heats for s in h.slots if s.pilot is not None]


async def _schedule(
    request: Request, competition: Competition
) -> tuple[list[RoundView], list[tuple[int, str]]]:
    """The rounds with their heats and slots, and the entries one can seat."""
    async with access.database(request).read() as session:
        rounds = list(
            await session.scalars(
                select(Round).where(Round.competition_id == competition.id).order_by(Round.number)
            )
        )
        heats = list(
            await session.scalars(
                select(Heat)
                .where(Heat.round_id.in_([r.id for r in rounds] or [0]))
                .order_by(Heat.number)
            )
        )
        slots = list(
            await session.scalars(
                select(Slot)
                .where(Slot.heat_id.in_([h.id for h in heats] or [0]))
                .order_by(Slot.number)
            )
        )
        counts: dict[int | None, int] = {
            slot_id: count
            for slot_id, count in await session.execute(
                select(Result.slot_id, func.count())
                .where(Result.slot_id.in_([s.id for s in slots] or [0]))
                .group_by(Result.slot_id)
            )
        }
        entry_ids = list(
            await session.scalars(
                select(Entry.id)
                .where(Entry.competition_id == competition.id)
                .order_by(Entry.id)
                .limit(MAX_CHOICES)
            )
        )
        seated = {s.entry_id for s in slots if s.entry_id is not None}
        named = await lineups.names(session, [*entry_ids, *seated])
    by_heat: dict[int, list[SlotRow]] = defaultdict(list)
    for slot in slots:
        pilot = named.get(slot.entry_id) if slot.entry_id is not None else None
        by_heat[slot.heat_id].append(SlotRow(slot, pilot, counts.get(slot.id, 0)))
    by_round: dict[int, list[HeatView]] = defaultdict(list)
    for heat in heats:
        by_round[heat.round_id].append(HeatView(heat, by_heat[heat.id]))
    views = [RoundView(r, by_round[r.id]) for r in rounds]
    choices = sorted(((i, named[i]) for i in entry_ids), key=lambda pair: pair[1].casefold())
    return views, choices


async def _page(
    request: Request,
    here: access.InOrg,
    competition: Competition,
    status: int = 200,
    **extra: Any,
) -> Response:
    rounds, choices = await _schedule(request, competition)
    context = {
        "title": f"Heats of {competition.name}",
        "here": here,
        "tab": "competitions",
        "competition": competition,
        "rounds": rounds,
        "choices": choices,
        "note": NOTES.get(request.query_params.get("note", "")),
        "max_heats": lineups.MAX_HEATS,
        "max_slots": lineups.MAX_SLOTS,
        **extra,
    }
    return page(request, "heats.html", context, here.active, status)


def _refused(exc: DomainError) -> int:
    return 409 if isinstance(exc, Conflict) else 400


def _id(data: FormData, name: str, what: str) -> int:
    found = limits.id_of(access.text(data, name))
    if found is None:
        raise Invalid(f"Choose {what}.", field=name)
    return found


def _optional(data: FormData, name: str) -> str | None:
    return access.text(data, name).strip() or None


def _mhz(data: FormData) -> int | None:
    raw = access.text(data, "frequency_mhz").strip()
    if not raw:
        return None
    if not limits.digits(raw) or len(raw) > 6 or not 1 <= int(raw) <= 100_000:
        raise Invalid(
            f"The frequency must be a whole number of MHz, such as 5658 (not {raw[:20]!r}).",
            field="frequency_mhz",
        )
    return int(raw)


def _count(data: FormData, name: str, what: str, most: int) -> int | None:
    raw = access.text(data, name).strip()
    if not raw:
        return None
    if not limits.digits(raw) or len(raw) > 6 or not 1 <= int(raw) <= most:
        raise Invalid(f"{what} must be a whole number from 1 to {most}.", field=name)
    return int(raw)


def _back(competition: Competition, note: str, anchor: str = "") -> Response:
    fragment = f"#{anchor}" if anchor else ""
    return see_other(f"/console/competitions/{competition.id}/heats?note={note}{fragment}")


@router.get("/competitions/{competition_id}/heats")
async def listing(request: Request, competition_id: access.ObjectId) -> Response:
    here, competition = await in_competition(request, competition_id)
    return await _page(request, here, competition)


@router.post("/competitions/{competition_id}/heats/move")
async def move(request: Request, competition_id: access.ObjectId) -> Response:
    """Move the pilot of one slot to a slot (swapping if asked) or to a heat."""
    here, competition = await in_competition(request, competition_id, "setup")
    data = await access.form(request, here.active)
    try:
        slot_id = _id(data, "slot", "the pilot to move")
        kind, _, raw = access.text(data, "to").partition(":")
        target = limits.id_of(raw)
        if kind not in ("slot", "heat") or target is None:
            raise Invalid("Choose where the pilot goes: a heat or a slot.", field="to")
        command = lineups.Move(
            to_slot_id=target if kind == "slot" else None,
            to_heat_id=target if kind == "heat" else None,
            swap=access.text(data, "swap") == "on",
            reason=_optional(data, "reason"),
        )
        async with access.database(request).write() as session:
            moved = await lineups.move(session, here.principal, competition.id, slot_id, command)
    except DomainError as exc:
        return await _page(request, here, competition, _refused(exc), error=exc.message)
    note = "swapped" if moved.swapped_entry_id is not None else "moved"
    return _back(competition, note, f"slot-{moved.to_slot_id}")


@router.post("/competitions/{competition_id}/heats/tune")
async def tune(request: Request, competition_id: access.ObjectId) -> Response:
    """Set a slot's band, channel and frequency (an empty field clears it)."""
    here, competition = await in_competition(request, competition_id, "setup")
    data = await access.form(request, here.active)
    try:
        slot_id = _id(data, "slot", "a slot")
        command = lineups.Tune(
            band=_optional(data, "band"),
            channel=_optional(data, "channel"),
            frequency_mhz=_mhz(data),
            reason=_optional(data, "reason"),
        )
        async with access.database(request).write() as session:
            await lineups.tune(session, here.principal, competition.id, slot_id, command)
    except DomainError as exc:
        return await _page(request, here, competition, _refused(exc), error=exc.message)
    return _back(competition, "tuned", f"slot-{slot_id}")


@router.post("/competitions/{competition_id}/heats/slots/add")
async def add_slot(request: Request, competition_id: access.ObjectId) -> Response:
    here, competition = await in_competition(request, competition_id, "setup")
    data = await access.form(request, here.active)
    try:
        heat_id = _id(data, "heat", "a heat")
        entry = access.text(data, "entry").strip()
        entry_id = limits.id_of(entry)
        if entry and entry_id is None:
            raise Invalid("Choose a pilot from the list, or none.", field="entry")
        command = lineups.SlotAdd(
            entry_id=entry_id,
            band=_optional(data, "band"),
            channel=_optional(data, "channel"),
            frequency_mhz=_mhz(data),
        )
        async with access.database(request).write() as session:
            added = await lineups.add_slot(
                session, here.principal, competition.id, heat_id, command
            )
    except DomainError as exc:
        return await _page(request, here, competition, _refused(exc), error=exc.message)
    return _back(competition, "slot-added", f"slot-{added.id}")


@router.post("/competitions/{competition_id}/heats/slots/remove")
async def remove_slot(request: Request, competition_id: access.ObjectId) -> Response:
    here, competition = await in_competition(request, competition_id, "setup")
    data = await access.form(request, here.active)
    try:
        slot_id = _id(data, "slot", "a slot")
        command = lineups.SlotRemove(reason=_optional(data, "reason"))
        async with access.database(request).write() as session:
            await lineups.remove_slot(session, here.principal, competition.id, slot_id, command)
    except DomainError as exc:
        return await _page(request, here, competition, _refused(exc), error=exc.message)
    return _back(competition, "slot-removed")


@router.post("/competitions/{competition_id}/heats/rounds/add")
async def add_round(request: Request, competition_id: access.ObjectId) -> Response:
    """A round laid out like an earlier one (the last by default), pilots copied if asked."""
    here, competition = await in_competition(request, competition_id, "setup")
    data = await access.form(request, here.active)
    try:
        like = access.text(data, "like").strip()
        like_id = limits.id_of(like)
        if like and like_id is None:
            raise Invalid("Choose a round to copy from the list.", field="like")
        command = lineups.RoundAdd(
            name=access.text(data, "name"),
            heats=_count(data, "heats", "Heats", lineups.MAX_HEATS) or 1,
            slots=_count(data, "slots", "Slots per heat", lineups.MAX_SLOTS),
            like_round_id=like_id,
            pilots=access.text(data, "pilots") == "on",
        )
        async with access.database(request).write() as session:
            added = await lineups.add_round(session, here.principal, competition.id, command)
    except DomainError as exc:
        return await _page(request, here, competition, _refused(exc), error=exc.message)
    return _back(competition, "round-added", f"round-{added.id}")
