"""Competitions: a tree (race → child races, race → events, campaign → groups)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import StringConstraints
from sqlalchemy.ext.asyncio import AsyncSession

from podium.core import categories, events, series
from podium.core.errors import Invalid
from podium.core.fields import Attributes, ExternalIds, Id, Name, UtcDateTime
from podium.core.organizations import ORGANIZATIONS
from podium.core.principal import Principal
from podium.core.resources import Command, Resource, Scope
from podium.ranking.display import DisplaySettings
from podium.ranking.scoring import Options
from podium.store.tables import Competition

Kind = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z_]{0,39}$")]
Status = Literal["scheduled", "open", "running", "finished", "cancelled"]
Scoring = Literal[
    "lowest_time",
    "most_laps",
    "aggregate_laps",
    "fastest_lap",
    "fastest_2_consecutive",
    "fastest_3_consecutive",
    "highest_points",
    "aggregate_points",
    "icpc",
    "personal_best",
]
TieRule = Literal["shared", "dense", "first_set"]
"""1,2,2,4 / 1,2,2,3 / distinct positions ordered by who set the score first."""

# What each choice means, in words an organizer reads when choosing it.
SCORING_HELP: dict[str, str] = {
    "lowest_time": "Best finished time wins (road races, time trials).",
    "personal_best": "Best time wins; a new record only counts when it beats the old one.",
    "most_laps": "Most laps in one heat, then the shorter time of that heat.",
    "aggregate_laps": "Laps added up over every round flown, then the shorter total time "
    "(MultiGP Aggregate Laps, RotorHazard's class ranking).",
    "fastest_lap": "The single fastest lap wins.",
    "fastest_2_consecutive": "The fastest two laps in a row, within one heat.",
    "fastest_3_consecutive": "The fastest three laps in a row, within one heat.",
    "highest_points": "The best single points score wins.",
    "aggregate_points": "Points added up (the best N results with the best_of option).",
    "icpc": "Programming contest: most problems solved, then least penalty time.",
}
TIE_RULE_HELP: dict[str, str] = {
    "shared": "Equal scores share a place and the next place is skipped: 1, 2, 2, 4.",
    "dense": "Equal scores share a place and none is skipped: 1, 2, 2, 3.",
    "first_set": "Equal scores are split: whoever set the score first is ahead.",
}
STATUS_HELP: dict[str, str] = {
    "scheduled": "Not started; set up entries and heats.",
    "open": "Registration or submissions open.",
    "running": "Under way: results are coming in (set on the first result).",
    "finished": "Over: results are final unless corrected.",
    "cancelled": "Will not take place.",
}


class CompetitionCreate(Command):
    organization_id: Id
    name: Name
    parent_id: Id | None = None
    kind: Kind = "event"
    status: Status = "scheduled"
    starts_at: UtcDateTime | None = None
    ends_at: UtcDateTime | None = None
    scoring: Scoring = "lowest_time"
    tie_rule: TieRule = "shared"
    public: bool = True
    official: bool = False
    attributes: Attributes = {}
    external_ids: ExternalIds = {}


class CompetitionUpdate(Command):
    name: Name | None = None
    parent_id: Id | None = None
    kind: Kind | None = None
    status: Status | None = None
    starts_at: UtcDateTime | None = None
    ends_at: UtcDateTime | None = None
    scoring: Scoring | None = None
    tie_rule: TieRule | None = None
    public: bool | None = None
    official: bool | None = None
    attributes: Attributes | None = None
    external_ids: ExternalIds | None = None


async def _scope(_session: AsyncSession, competition: Competition) -> Scope:
    return Scope(competition.organization_id, competition.id)


async def _validate(session: AsyncSession, competition: Competition) -> None:
    if (
        competition.starts_at
        and competition.ends_at
        and competition.ends_at < competition.starts_at
    ):
        raise Invalid("ends_at is before starts_at.", field="ends_at")
    attributes = competition.attributes or {}
    categories.settings_of(attributes, competition.starts_at)
    if "scoring_options" in attributes:
        Options.from_settings(attributes["scoring_options"])
    if "display" in attributes:
        DisplaySettings.from_settings(attributes["display"])
    series.rules_of(attributes)
    parent_id = competition.parent_id
    seen = {competition.id}
    while parent_id is not None:
        if parent_id in seen:
            raise Invalid(
                "parent_id would make the competition its own ancestor.", field="parent_id"
            )
        seen.add(parent_id)
        parent = await session.get(Competition, parent_id)
        if parent is None:
            raise Invalid(
                f"parent_id {parent_id} does not name an existing competition.",
                field="parent_id",
            )
        if parent.organization_id != competition.organization_id:
            raise Invalid(
                "parent_id names a competition of another organization.", field="parent_id"
            )
        parent_id = parent.parent_id


COMPETITIONS: Resource[Competition] = Resource(
    kind="competition",
    model=Competition,
    create=CompetitionCreate,
    update=CompetitionUpdate,
    scope=_scope,
    refs={"organization_id": ORGANIZATIONS},
    has_external_ids=True,
    validate=_validate,
)


MAX_DEPTH = 16


WAITING = ("scheduled", "open")


async def started(session: AsyncSession, principal: Principal, competition: Competition) -> None:
    """A result arrived: a competition still waiting (and any waiting one above it) is
    now running, so pages and feeds say so without anyone remembering to.

    Part of recording the result, so it needs no permission beyond the result's.
    """
    current: Competition | None = competition
    for _ in range(MAX_DEPTH):
        if current is None:
            return
        if current.status in WAITING:
            before = events.snapshot(current)
            current.status = "running"
            await session.flush()
            events.record(
                session,
                principal,
                "competition.updated",
                "competition",
                current.id,
                events.snapshot(current),
                organization_id=current.organization_id,
                competition_id=current.id,
                before=before,
            )
        if current.parent_id is None:
            return
        current = await session.get(Competition, current.parent_id)


async def public_competition(session: AsyncSession, competition_id: int) -> Competition | None:
    """The competition when anonymous readers may see it: it and every competition
    above it are public, so a hidden season does not leak through its public rounds."""
    competition = await session.get(Competition, competition_id)
    current = competition
    for _ in range(MAX_DEPTH):
        if current is None or not current.public:
            return None
        if current.parent_id is None:
            return competition
        current = await session.get(Competition, current.parent_id)
    return None
