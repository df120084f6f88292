"""The relational schema: one class per stored concept.

Everything a dialect needs beyond these columns goes into ``attributes`` (free-form
JSON) or ``external_ids``; dialects never get tables of their own for data the core
already models.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    false,
    text,
    true,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from podium.store.types import BigId, JsonType, UTCDateTime, utcnow

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


def _fk(target: str, *, nullable: bool = True, ondelete: str = "CASCADE") -> Mapped[Any]:
    return mapped_column(
        BigId, ForeignKey(target, ondelete=ondelete), nullable=nullable, index=True
    )


def _ref(target: str, ondelete: str) -> Mapped[Any]:
    """A nullable reference whose index is declared in ``__table_args__``."""
    return mapped_column(BigId, ForeignKey(target, ondelete=ondelete))


class Stamped:
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    updated_at: Mapped[datetime] = mapped_column(
        UTCDateTime, default=utcnow, onupdate=utcnow, nullable=False
    )
    attributes: Mapped[dict[str, Any]] = mapped_column(JsonType, default=dict, nullable=False)


class Organization(Stamped, Base):
    __tablename__ = "organizations"
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True, nullable=False)
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    description: Mapped[str] = mapped_column(Text, default="", nullable=False)


class Person(Stamped, Base):
    __tablename__ = "people"
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    # Owning organization; None means the person belongs to the whole instance.
    organization_id: Mapped[int | None] = _fk("organizations.id", ondelete="SET NULL")
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    given_name: Mapped[str | None] = mapped_column(String(100))
    family_name: Mapped[str | None] = mapped_column(String(100))
    email: Mapped[str | None] = mapped_column(String(320))
    country: Mapped[str | None] = mapped_column(String(3))
    gender: Mapped[str | None] = mapped_column(String(16))
    birth_date: Mapped[str | None] = mapped_column(String(10))
    avatar_url: Mapped[str | None] = mapped_column(String(2000))


class ExternalId(Base):
    """An identifier another platform gives a core object (Discord id, Nadeo UUID, ...)."""

    __tablename__ = "external_ids"
    __table_args__ = (
        UniqueConstraint("object_kind", "scheme", "value"),
        UniqueConstraint("object_kind", "object_id", "scheme"),
    )
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    object_kind: Mapped[str] = mapped_column(String(32), nullable=False)
    object_id: Mapped[int] = mapped_column(BigId, nullable=False, index=True)
    scheme: Mapped[str] = mapped_column(String(40), nullable=False)
    value: Mapped[str] = mapped_column(String(200), nullable=False)


class Team(Stamped, Base):
    __tablename__ = "teams"
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    organization_id: Mapped[int | None] = _fk("organizations.id", ondelete="SET NULL")
    name: Mapped[str] = mapped_column(String(200), nullable=False)


class TeamMember(Base):
    __tablename__ = "team_members"
    __table_args__ = (UniqueConstraint("team_id", "person_id"),)
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    team_id: Mapped[int] = _fk("teams.id", nullable=False)
    person_id: Mapped[int] = _fk("people.id", nullable=False)
    role: Mapped[str] = mapped_column(String(40), default="member", nullable=False)
    joined_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)


class Competition(Stamped, Base):
    __tablename__ = "competitions"
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    organization_id: Mapped[int] = _fk("organizations.id", nullable=False)
    parent_id: Mapped[int | None] = _fk("competitions.id")
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    kind: Mapped[str] = mapped_column(String(40), default="event", nullable=False)
    status: Mapped[str] = mapped_column(String(20), default="scheduled", nullable=False)
    starts_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    scoring: Mapped[str] = mapped_column(String(40), default="lowest_time", nullable=False)
    tie_rule: Mapped[str] = mapped_column(String(20), default="shared", nullable=False)
    public: Mapped[bool] = mapped_column(Boolean, default=True, nullable=False)
    # Results are provisional until the organizer declares them official.
    official: Mapped[bool] = mapped_column(
        Boolean, default=False, server_default=false(), nullable=False
    )


class Challenge(Stamped, Base):
    """A course, map or problem: the thing competed on."""

    __tablename__ = "challenges"
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    organization_id: Mapped[int] = _fk("organizations.id", nullable=False)
    competition_id: Mapped[int | None] = _fk("competitions.id")
    kind: Mapped[str] = mapped_column(String(20), default="course", nullable=False)
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    code: Mapped[str | None] = mapped_column(String(100), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0, nullable=False)


class Entry(Stamped, Base):
    """A person (or team) taking part in one competition."""

    __tablename__ = "entries"
    __table_args__ = (
        UniqueConstraint("competition_id", "bib"),
        UniqueConstraint("competition_id", "registration_id"),
        UniqueConstraint("competition_id", "person_id"),
    )
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    competition_id: Mapped[int] = _fk("competitions.id", nullable=False)
    person_id: Mapped[int | None] = _fk("people.id")
    team_id: Mapped[int | None] = _fk("teams.id", ondelete="SET NULL")
    status: Mapped[str] = mapped_column(String(20), default="registered", nullable=False)
    bib: Mapped[str | None] = mapped_column(String(40))
    registration_id: Mapped[str | None] = mapped_column(String(40))
    chip: Mapped[str | None] = mapped_column(String(80))
    equipment: Mapped[str | None] = mapped_column(String(200))
    band: Mapped[str | None] = mapped_column(String(20))
    channel: Mapped[str | None] = mapped_column(String(20))
    frequency_mhz: Mapped[int | None] = mapped_column(Integer)


class Round(Stamped, Base):
    __tablename__ = "rounds"
    __table_args__ = (UniqueConstraint("competition_id", "number"),)
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    competition_id: Mapped[int] = _fk("competitions.id", nullable=False)
    number: Mapped[int] = mapped_column(Integer, nullable=False)
    name: Mapped[str] = mapped_column(String(200), default="", nullable=False)
    kind: Mapped[str] = mapped_column(String(20), default="qualifying", nullable=False)
    status: Mapped[str] = mapped_column(String(20), default="scheduled", nullable=False)


class Heat(Stamped, Base):
    __tablename__ = "heats"
    __table_args__ = (UniqueConstraint("round_id", "number"),)
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    round_id: Mapped[int] = _fk("rounds.id", nullable=False)
    number: Mapped[int] = mapped_column(Integer, nullable=False)
    status: Mapped[str] = mapped_column(String(20), default="scheduled", nullable=False)


class Slot(Stamped, Base):
    __tablename__ = "slots"
    __table_args__ = (UniqueConstraint("heat_id", "number"),)
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    heat_id: Mapped[int] = _fk("heats.id", nullable=False)
    number: Mapped[int] = mapped_column(Integer, nullable=False)
    entry_id: Mapped[int | None] = _fk("entries.id", ondelete="SET NULL")
    band: Mapped[str | None] = mapped_column(String(20))
    channel: Mapped[str | None] = mapped_column(String(20))
    frequency_mhz: Mapped[int | None] = mapped_column(Integer)


class ResultSet(Stamped, Base):
    __tablename__ = "result_sets"
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    competition_id: Mapped[int] = _fk("competitions.id", nullable=False)
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    public: Mapped[bool] = mapped_column(Boolean, default=True, nullable=False)


def _when_set(column: str) -> Index:
    """An index of a nullable reference over the rows that have one.

    Most results leave most references empty; indexing the NULLs would make every
    bulk upload write entries nobody looks up.
    """
    where = text(f"{column} IS NOT NULL")
    return Index(f"ix_results_{column}", column, sqlite_where=where, postgresql_where=where)


class Result(Stamped, Base):
    __tablename__ = "results"
    __table_args__ = (
        # Both start with competition_id, so it needs no index of its own.
        Index("ix_results_competition_person", "competition_id", "person_id"),
        Index("ix_results_competition_id_id", "competition_id", "id"),
        *(
            _when_set(column)
            for column in (
                "entry_id",
                "team_id",
                "challenge_id",
                "result_set_id",
                "heat_id",
                "slot_id",
            )
        ),
    )
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    competition_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("competitions.id", ondelete="CASCADE"), nullable=False
    )
    entry_id: Mapped[int | None] = _ref("entries.id", "SET NULL")
    person_id: Mapped[int | None] = _ref("people.id", "SET NULL")
    team_id: Mapped[int | None] = _ref("teams.id", "SET NULL")
    challenge_id: Mapped[int | None] = _ref("challenges.id", "SET NULL")
    result_set_id: Mapped[int | None] = _ref("result_sets.id", "CASCADE")
    heat_id: Mapped[int | None] = _ref("heats.id", "SET NULL")
    slot_id: Mapped[int | None] = _ref("slots.id", "SET NULL")
    status: Mapped[str] = mapped_column(String(3), default="OK", nullable=False)
    elapsed_ms: Mapped[int | None] = mapped_column(BigInteger)
    laps: Mapped[int | None] = mapped_column(Integer)
    lap_times_ms: Mapped[list[int]] = mapped_column(JsonType, default=list, nullable=False)
    points: Mapped[float | None] = mapped_column(Float)
    splits: Mapped[list[dict[str, Any]]] = mapped_column(JsonType, default=list, nullable=False)
    place: Mapped[int | None] = mapped_column(Integer)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    # Why a result is DQ/DNF/DNS (shown on public pages with the status).
    status_reason: Mapped[str | None] = mapped_column(String(500))
    # Set while a protest is open: the result is provisional until it is cleared.
    review: Mapped[str | None] = mapped_column(String(500))
    # The kind of principal that first stored it (token, user, runsignup, multigp, …).
    source: Mapped[str | None] = mapped_column(String(40))


class Award(Stamped, Base):
    __tablename__ = "awards"
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    organization_id: Mapped[int | None] = _fk("organizations.id", ondelete="SET NULL")
    competition_id: Mapped[int | None] = _fk("competitions.id", ondelete="SET NULL")
    team_id: Mapped[int | None] = _fk("teams.id", ondelete="SET NULL")
    title: Mapped[str] = mapped_column(String(200), nullable=False)
    image_url: Mapped[str | None] = mapped_column(String(2000))


class Awardee(Base):
    __tablename__ = "awardees"
    __table_args__ = (UniqueConstraint("award_id", "person_id"),)
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    award_id: Mapped[int] = _fk("awards.id", nullable=False)
    person_id: Mapped[int] = _fk("people.id", nullable=False)
    awarded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)


class Credential(Base):
    """Any secret that authenticates a principal: native API tokens and each dialect's keys.

    ``identifier`` is the public half (token id, app username, API key); the secret
    half is stored only as an argon2 hash.
    """

    __tablename__ = "credentials"
    __table_args__ = (UniqueConstraint("kind", "identifier"),)
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    kind: Mapped[str] = mapped_column(String(40), nullable=False)
    identifier: Mapped[str] = mapped_column(String(200), nullable=False)
    secret_hash: Mapped[str | None] = mapped_column(String(200))
    name: Mapped[str] = mapped_column(String(200), default="", nullable=False)
    organization_id: Mapped[int | None] = _fk("organizations.id")
    person_id: Mapped[int | None] = _fk("people.id")
    scopes: Mapped[list[str]] = mapped_column(JsonType, default=list, nullable=False)
    attributes: Mapped[dict[str, Any]] = mapped_column(JsonType, default=dict, nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Event(Base):
    """The append-only change log. ``seq`` is gap-free and follows commit order."""

    __tablename__ = "events"
    __table_args__ = (
        Index("ix_events_organization_seq", "organization_id", "seq"),
        Index("ix_events_competition_seq", "competition_id", "seq"),
    )
    seq: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=False)
    type: Mapped[str] = mapped_column(String(60), nullable=False)
    object_kind: Mapped[str] = mapped_column(String(32), nullable=False)
    object_id: Mapped[int | None] = mapped_column(BigId)
    organization_id: Mapped[int | None] = mapped_column(BigId)
    competition_id: Mapped[int | None] = mapped_column(BigId)
    actor: Mapped[str | None] = mapped_column(String(200))
    # The object after the change (None for a delete) and before it (None for a create).
    payload: Mapped[dict[str, Any] | None] = mapped_column(JsonType)
    before: Mapped[dict[str, Any] | None] = mapped_column(JsonType)
    # Why the change was made, when the one who made it said (a correction, a DQ).
    reason: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)


class Webhook(Base):
    """Where to tell someone about changes: a URL, the events wanted, a shared secret.

    ``kind`` says whose rules the delivery follows (``polympics`` callbacks send the
    secret as a bearer token). The secret is kept as given because it must be sent
    or used to sign; it never appears in a response or a log.
    """

    __tablename__ = "webhooks"
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    kind: Mapped[str] = mapped_column(String(20), nullable=False)
    # The credential that registered it; deleting the credential removes it.
    credential_id: Mapped[int | None] = _fk("credentials.id")
    organization_id: Mapped[int | None] = _fk("organizations.id")
    competition_id: Mapped[int | None] = _fk("competitions.id")
    event_types: Mapped[list[str]] = mapped_column(JsonType, default=list, nullable=False)
    url: Mapped[str] = mapped_column(String(2083), nullable=False)
    secret: Mapped[str] = mapped_column(String(500), nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    # Native webhooks follow the event log: the last seq turned into deliveries.
    cursor_seq: Mapped[int] = mapped_column(
        BigInteger, default=0, server_default="0", nullable=False
    )
    active: Mapped[bool] = mapped_column(
        Boolean, default=True, server_default=true(), nullable=False
    )
    description: Mapped[str] = mapped_column(
        String(200), default="", server_default="", nullable=False
    )


class Delivery(Base):
    """One message owed to a webhook: written in the transaction of the change it reports.

    So a rolled-back change owes nothing, and a committed one is delivered even if
    the process dies first. ``next_attempt_at`` doubles as a lease while a worker sends.
    """

    __tablename__ = "deliveries"
    __table_args__ = (Index("ix_deliveries_state_next", "state", "next_attempt_at"),)
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    webhook_id: Mapped[int] = _fk("webhooks.id", nullable=False)
    event_type: Mapped[str] = mapped_column(String(60), nullable=False)
    body: Mapped[dict[str, Any]] = mapped_column(JsonType, nullable=False)
    # pending -> delivered | dead
    state: Mapped[str] = mapped_column(String(12), default="pending", nullable=False)
    attempts: Mapped[int] = mapped_column(Integer, default=0, nullable=False)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    last_status: Mapped[int | None] = mapped_column(Integer)
    last_error: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class JudgeJob(Base):
    """A submission owed a verdict: written with the submission, so a restart judges it.

    ``run_after`` is when a worker may take it; a worker that claims it pushes it out
    by a lease, so a judge that dies mid-run leaves the job to be taken again.
    """

    __tablename__ = "judge_jobs"
    __table_args__ = (Index("ix_judge_jobs_state_run_after", "state", "run_after"),)
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    result_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("results.id", ondelete="CASCADE"), nullable=False, unique=True
    )
    # queued -> done
    state: Mapped[str] = mapped_column(String(12), default="queued", nullable=False)
    attempts: Mapped[int] = mapped_column(Integer, default=0, nullable=False)
    run_after: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    last_error: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Membership(Base):
    """An organizer account's role in one organization (``podium.core.roles``).

    The account is a ``Credential`` of kind ``console_user``; its role here is read
    on every request, so a change or a removal applies at once on every worker.
    """

    __tablename__ = "memberships"
    __table_args__ = (UniqueConstraint("user_id", "organization_id"),)
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    user_id: Mapped[int] = _fk("credentials.id", nullable=False)
    organization_id: Mapped[int] = _fk("organizations.id", nullable=False)
    role: Mapped[str] = mapped_column(String(20), nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)


class LoginFailure(Base):
    """A failed console login, by ``key`` (``account:<email>`` or ``address:<ip>``):
    counted over a window to slow guessing, shared by every worker."""

    __tablename__ = "login_failures"
    __table_args__ = (Index("ix_login_failures_key_at", "key", "at"),)
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    key: Mapped[str] = mapped_column(String(400), nullable=False)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)
