"""Setting up competitions: the tree (series → race → event; contest; campaign), each
one's scoring format and tie rule chosen by name, times in the event's time zone,
visibility and status. Every change is the core's competition command."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from fastapi import APIRouter, Request
from sqlalchemy import func, select
from starlette.datastructures import FormData
from starlette.responses import Response

from podium.console import access
from podium.console.render import missing, page, see_other
from podium.core import limits, resources
from podium.core.competitions import (
    COMPETITIONS,
    SCORING_HELP,
    STATUS_HELP,
    TIE_RULE_HELP,
    CompetitionCreate,
    CompetitionUpdate,
)
from podium.core.errors import DomainError, Invalid
from podium.store.tables import Competition, Entry, Organization, Result, Round

router = APIRouter()

KINDS = ("series", "race", "event", "contest", "campaign", "mgp_race")
ZONES = sorted(available_timezones())


def zone_of(competition: Competition | None) -> str:
    raw = (competition.attributes or {}).get("timezone") if competition else None
    return raw if isinstance(raw, str) and raw in ZONES else "UTC"


def local(moment: datetime | None, zone: str) -> str:
    """A stored UTC time as the value of a datetime-local field in ``zone``."""
    return moment.astimezone(ZoneInfo(zone)).strftime("%Y-%m-%dT%H:%M") if moment else ""


def _moment(raw: str, zone: str, field: str) -> datetime | None:
    if not raw.strip():
        return None
    try:
        naive = datetime.fromisoformat(raw.strip())
    except ValueError:
        raise Invalid(f"{field} must be a date and time such as 2026-06-01T09:00.") from None
    return naive.replace(tzinfo=ZoneInfo(zone)).astimezone(UTC)


def _fields(data: FormData, current: Competition | None) -> dict[str, Any]:
    """The form as a command's fields; times read in the chosen zone, stored in UTC."""
    zone = access.text(data, "timezone").strip() or "UTC"
    try:
        ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError):
        raise Invalid(f"{zone!r} is not a time zone: use a name such as Europe/Lisbon.") from None
    parent = access.text(data, "parent_id")
    attributes = dict(current.attributes) if current is not None else {}
    attributes["timezone"] = zone
    return {
        "name": access.text(data, "name"),
        "parent_id": limits.id_of(parent),
        "kind": access.text(data, "kind") or "event",
        "scoring": access.text(data, "scoring") or "lowest_time",
        "tie_rule": access.text(data, "tie_rule") or "shared",
        "status": access.text(data, "status") or "scheduled",
        "starts_at": _moment(access.text(data, "starts_at"), zone, "The start"),
        "ends_at": _moment(access.text(data, "ends_at"), zone, "The end"),
        "public": access.text(data, "public") == "on",
        "attributes": attributes,
    }


async def _tree(request: Request, organization_id: int) -> list[tuple[int, Competition]]:
    """The organization's competitions, each with its depth, parents before children."""
    async with access.database(request).read() as session:
        rows = list(
            (
                await session.scalars(
                    select(Competition)
                    .where(Competition.organization_id == organization_id)
                    .order_by(
                        Competition.starts_at.is_(None), Competition.starts_at, Competition.id
                    )
                )
            ).all()
        )
    children: dict[int | None, list[Competition]] = {}
    for row in rows:
        children.setdefault(row.parent_id, []).append(row)
    out: list[tuple[int, Competition]] = []

    def walk(parent: int | None, depth: int) -> None:
        for row in children.get(parent, []):
            out.append((depth, row))
            if depth < 16:
                walk(row.id, depth + 1)

    walk(None, 0)
    return out


def _form_context(here: access.InOrg, tree: list[tuple[int, Competition]]) -> dict[str, Any]:
    return {
        "here": here,
        "tab": "competitions",
        "tree": tree,
        "kinds": KINDS,
        "zones": ZONES,
        "scoring_help": SCORING_HELP,
        "tie_help": TIE_RULE_HELP,
        "status_help": STATUS_HELP,
        "local": local,
    }


@router.get("/orgs/{slug}/competitions")
async def listing(request: Request, slug: str) -> Response:
    here = await access.in_org(request, slug)
    tree = await _tree(request, here.organization.id)
    context = {"title": f"Competitions of {here.organization.name}", **_form_context(here, tree)}
    return page(request, "competitions.html", context, here.active)


@router.get("/orgs/{slug}/competitions/new")
async def new(request: Request, slug: str, parent: int | None = None) -> Response:
    here = await access.in_org(request, slug, "setup")
    tree = await _tree(request, here.organization.id)
    parent_row = next((c for _d, c in tree if c.id == parent), None)
    context = {
        "title": "New competition",
        **_form_context(here, tree),
        "competition": None,
        "values": {"parent_id": parent, "public": True, "timezone": zone_of(parent_row)},
    }
    return page(request, "competition_form.html", context, here.active)


@router.post("/orgs/{slug}/competitions/new")
async def create(request: Request, slug: str) -> Response:
    here = await access.in_org(request, slug, "setup")
    data = await access.form(request, here.active)
    try:
        fields = _fields(data, None)
        async with access.database(request).write() as session:
            created = await resources.create(
                session,
                here.principal,
                COMPETITIONS,
                CompetitionCreate(organization_id=here.organization.id, **fields),
            )
    except DomainError as exc:
        tree = await _tree(request, here.organization.id)
        context = {
            "title": "New competition",
            **_form_context(here, tree),
            "competition": None,
            "values": {key: data.get(key) for key in data},
            "error": exc.message,
        }
        return page(request, "competition_form.html", context, here.active, 400)
    return see_other(f"/console/competitions/{created.id}?note=created")


async def in_competition(
    request: Request, competition_id: int, permission: str = "read"
) -> tuple[access.InOrg, Competition]:
    """The visitor in the competition's organization; one of an organization they are
    not a member of reads as missing."""
    await access.visitor(request)
    async with access.database(request).read() as session:
        competition = await session.get(Competition, competition_id)
        org = (
            await session.get(Organization, competition.organization_id)
            if competition is not None
            else None
        )
    if competition is None or org is None:
        raise missing(f"No competition {competition_id} in your organizations.")
    return await access.in_org(request, org.slug, permission), competition


@router.get("/competitions/{competition_id}")
async def show(request: Request, competition_id: access.ObjectId) -> Response:
    here, competition = await in_competition(request, competition_id)
    tree = await _tree(request, here.organization.id)
    async with access.database(request).read() as session:
        entries = await session.scalar(
            select(func.count()).select_from(Entry).where(Entry.competition_id == competition.id)
        )
        results = await session.scalar(
            select(func.count()).select_from(Result).where(Result.competition_id == competition.id)
        )
        rounds = await session.scalar(
            select(func.count()).select_from(Round).where(Round.competition_id == competition.id)
        )
    zone = zone_of(competition)
    context = {
        "title": competition.name,
        **_form_context(here, tree),
        "competition": competition,
        "children": [c for _d, c in tree if c.parent_id == competition.id],
        "entries": entries or 0,
        "results": results or 0,
        "heats": bool(rounds) or competition.kind == "mgp_race",
        "values": {
            "name": competition.name,
            "parent_id": competition.parent_id,
            "kind": competition.kind,
            "scoring": competition.scoring,
            "tie_rule": competition.tie_rule,
            "status": competition.status,
            "starts_at": local(competition.starts_at, zone),
            "ends_at": local(competition.ends_at, zone),
            "timezone": zone,
            "public": competition.public,
        },
    }
    return page(request, "competition.html", context, here.active)


@router.post("/competitions/{competition_id}")
async def update(request: Request, competition_id: access.ObjectId) -> Response:
    here, competition = await in_competition(request, competition_id, "setup")
    data = await access.form(request, here.active)
    try:
        fields = _fields(data, competition)
        async with access.database(request).write() as session:
            await resources.update(
                session, here.principal, COMPETITIONS, competition.id, CompetitionUpdate(**fields)
            )
    except DomainError as exc:
        tree = await _tree(request, here.organization.id)
        context = {
            "title": competition.name,
            **_form_context(here, tree),
            "competition": competition,
            "children": [c for _d, c in tree if c.parent_id == competition.id],
            "values": {key: data.get(key) for key in data},
            "error": exc.message,
        }
        return page(request, "competition.html", context, here.active, 400)
    return see_other(f"/console/competitions/{competition.id}?note=saved")


@router.post("/competitions/{competition_id}/status")
async def set_status(request: Request, competition_id: access.ObjectId) -> Response:
    here, competition = await in_competition(request, competition_id, "setup")
    data = await access.form(request, here.active)
    async with access.database(request).write() as session:
        await resources.update(
            session,
            here.principal,
            COMPETITIONS,
            competition.id,
            CompetitionUpdate(status=access.text(data, "status")),
        )
    return see_other(f"/console/competitions/{competition.id}?note=status")
