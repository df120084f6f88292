"""Wire shapes of the native API v1, shared by the routes and the Python client.

Request bodies are the core's commands (re-exported here); responses are these
models, so the server and ``podium.api.Client`` cannot drift apart.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Generic, TypeVar

from pydantic import BaseModel, ConfigDict, Field

from podium.core.awards import AwardCreate, AwardUpdate
from podium.core.challenges import ChallengeCreate, ChallengeUpdate
from podium.core.competitions import CompetitionCreate, CompetitionUpdate
from podium.core.corrections import ResultCorrection
from podium.core.credentials import TokenCreate
from podium.core.entries import EntryCreate, EntryUpdate
from podium.core.fields import Reason
from podium.core.organizations import OrganizationCreate, OrganizationUpdate
from podium.core.people import PersonCreate, PersonUpdate
from podium.core.result_sets import ResultSetCreate, ResultSetUpdate
from podium.core.results import ResultCreate, ResultUpdate, Split
from podium.core.schedule import (
    HeatCreate,
    HeatUpdate,
    RoundCreate,
    RoundUpdate,
    SlotCreate,
    SlotUpdate,
)
from podium.core.teams import MemberAdd, TeamCreate, TeamUpdate

__all__ = [
    "AuditChange",
    "AuditEntry",
    "AuditPage",
    "Award",
    "AwardCreate",
    "AwardUpdate",
    "BulkResults",
    "BulkResultsCreated",
    "Challenge",
    "ChallengeCreate",
    "ChallengeUpdate",
    "Competition",
    "CompetitionCreate",
    "CompetitionUpdate",
    "Entry",
    "EntryCreate",
    "EntryUpdate",
    "Event",
    "Health",
    "Heat",
    "HeatCreate",
    "HeatUpdate",
    "Leaderboard",
    "LeaderboardRow",
    "MemberAdd",
    "Organization",
    "OrganizationCreate",
    "OrganizationUpdate",
    "Page",
    "Person",
    "PersonCreate",
    "PersonUpdate",
    "Position",
    "Result",
    "ResultCorrection",
    "ResultCreate",
    "ResultSet",
    "ResultSetCreate",
    "ResultSetUpdate",
    "ResultUpdate",
    "Round",
    "RoundCreate",
    "RoundUpdate",
    "Slot",
    "SlotCreate",
    "SlotUpdate",
    "Split",
    "Surround",
    "Team",
    "TeamCreate",
    "TeamMember",
    "TeamUpdate",
    "Token",
    "TokenCreate",
    "TokenCreated",
    "Undo",
]

T = TypeVar("T")


class Model(BaseModel):
    # Responses may gain fields; old clients must keep working.
    model_config = ConfigDict(from_attributes=True, extra="ignore")


class Stamped(Model):
    id: int
    created_at: datetime
    updated_at: datetime
    attributes: dict[str, Any] = {}


class Organization(Stamped):
    slug: str
    name: str
    description: str = ""
    external_ids: dict[str, str] = {}


class Person(Stamped):
    name: str
    organization_id: int | None = None
    given_name: str | None = None
    family_name: str | None = None
    email: str | None = None
    country: str | None = None
    gender: str | None = None
    birth_date: str | None = None
    avatar_url: str | None = None
    external_ids: dict[str, str] = {}


class Team(Stamped):
    name: str
    organization_id: int | None = None
    external_ids: dict[str, str] = {}


class TeamMember(Model):
    id: int
    team_id: int
    person_id: int
    role: str
    joined_at: datetime


class Competition(Stamped):
    organization_id: int
    parent_id: int | None = None
    name: str
    kind: str
    status: str
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    scoring: str
    tie_rule: str
    public: bool
    official: bool = False
    external_ids: dict[str, str] = {}


class Challenge(Stamped):
    organization_id: int
    competition_id: int | None = None
    kind: str
    name: str
    code: str | None = None
    position: int = 0
    external_ids: dict[str, str] = {}


class Entry(Stamped):
    competition_id: int
    person_id: int | None = None
    team_id: int | None = None
    status: str
    bib: str | None = None
    registration_id: str | None = None
    chip: str | None = None
    equipment: str | None = None
    band: str | None = None
    channel: str | None = None
    frequency_mhz: int | None = None


class Round(Stamped):
    competition_id: int
    number: int
    name: str
    kind: str
    status: str


class Heat(Stamped):
    round_id: int
    number: int
    status: str


class Slot(Stamped):
    heat_id: int
    number: int
    entry_id: int | None = None
    band: str | None = None
    channel: str | None = None
    frequency_mhz: int | None = None


class ResultSet(Stamped):
    competition_id: int
    name: str
    public: bool


class Result(Stamped):
    competition_id: int
    entry_id: int | None = None
    person_id: int | None = None
    team_id: int | None = None
    challenge_id: int | None = None
    result_set_id: int | None = None
    heat_id: int | None = None
    slot_id: int | None = None
    status: str
    elapsed_ms: int | None = None
    laps: int | None = None
    lap_times_ms: list[int] = []
    points: float | None = None
    splits: list[dict[str, Any]] = []
    place: int | None = None
    status_reason: str | None = None
    review: str | None = None
    source: str | None = None
    recorded_at: datetime


class Award(Stamped):
    title: str
    organization_id: int | None = None
    competition_id: int | None = None
    team_id: int | None = None
    image_url: str | None = None
    person_ids: list[int] = []
    external_ids: dict[str, str] = {}


class Token(Model):
    id: int
    identifier: str
    name: str
    organization_id: int | None = None
    scopes: list[str]
    created_at: datetime
    expires_at: datetime | None = None
    revoked_at: datetime | None = None


class CredentialInfo(Model):
    """A credential of any kind (an API token, a dialect's key or login); never a secret."""

    id: int
    kind: str
    label: str = Field(description="What the credential is, e.g. 'RunSignup API key'.")
    dialect: str = Field(description="The API it opens: native, runsignup, multigp, ...")
    identifier: str = Field(description="The public half (a key, a login, a token id).")
    name: str
    organization_id: int | None = None
    created_at: datetime
    expires_at: datetime | None = None
    revoked_at: datetime | None = None
    last_used_at: datetime | None = None


class TokenCreated(Token):
    token: str = Field(description="The secret token. Shown once; store it now.")


class Event(Model):
    seq: int
    type: str
    object_kind: str
    object_id: int | None = None
    organization_id: int | None = None
    competition_id: int | None = None
    actor: str | None = None
    payload: dict[str, Any] | None = None
    before: dict[str, Any] | None = None
    reason: str | None = None
    created_at: datetime


class AuditChange(Model):
    field: str = Field(description="A column, or attributes.<key> for one attribute.")
    before: Any = None
    after: Any = None


class AuditEntry(Model):
    """One change in the audit trail: who, when, what, from what to what, and why."""

    seq: int = Field(description="The event's number in the log; POST /events/{seq}/undo.")
    at: datetime
    actor: str
    action: str
    kind: str
    object_id: int | None = None
    reason: str | None = None
    changes: list[AuditChange] = []
    undoable: bool = False


class AuditPage(BaseModel):
    data: list[AuditEntry]
    next_after: int | None = Field(
        default=None, description="Pass as ?after= for the next page; null on the last page."
    )


class Undo(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reason: Reason | None = None


class Page(BaseModel, Generic[T]):
    data: list[T]
    next_cursor: str | None = Field(
        default=None, description="Pass as ?cursor= for the next page; null on the last page."
    )


class BulkResults(BaseModel):
    model_config = ConfigDict(extra="forbid")
    results: list[ResultCreate]


class BulkResultsCreated(BaseModel):
    count: int
    ids: list[int]


class LeaderboardRow(Model):
    rank: int
    subject: str
    subject_id: int
    score: int
    display: str
    set_at: datetime


class Leaderboard(Model):
    competition_id: int
    challenge_id: int | None
    group: str | None = None
    scoring: str
    tie_rule: str
    total: int
    offset: int
    rows: list[LeaderboardRow]


class CategoryPlace(Model):
    """A competitor's place on one category board (gender, age group, division, team)."""

    group: str
    kind: str
    title: str
    rank: int
    total: int


class Category(Model):
    group: str
    kind: str
    title: str
    total: int


class Categories(Model):
    competition_id: int
    categories: list[Category]


class Position(Model):
    position: int
    total: int


class Surround(Model):
    row: LeaderboardRow
    rows: list[LeaderboardRow]
    total: int
    places: list[CategoryPlace] = []


class Health(BaseModel):
    status: str
    version: str
    database: str
    redis: str | None = None


class Webhook(Model):
    id: int
    kind: str
    url: str
    event_types: list[str]
    organization_id: int | None
    competition_id: int | None
    description: str
    active: bool
    created_at: datetime
    pending: int = 0
    dead: int = 0


class WebhookCreated(Webhook):
    secret: str = Field(description="Shown once: keep it to verify signatures.")


class WebhookDelivery(Model):
    id: int
    webhook_id: int
    idempotency_id: str
    event_type: str
    state: str
    attempts: int
    next_attempt_at: datetime
    last_status: int | None
    last_error: str | None
    created_at: datetime
    delivered_at: datetime | None


class FeedEvent(Model):
    """One line of the event feed."""

    type: str
    id: str | None
    op: str
    data: dict[str, Any] | None
    token: str
    time: datetime
    organization_id: int | None = None
    competition_id: int | None = None
