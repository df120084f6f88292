"""Organizer actions on Mooshak contests, shared by the CLI, the native API and the
Mooshak admin routes. Each runs inside the caller's write transaction and goes
through the core services, so every change is in the event log.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from podium.core import credentials, resources
from podium.core.challenges import CHALLENGES, ChallengeCreate, ChallengeUpdate
from podium.core.competitions import COMPETITIONS, CompetitionCreate, CompetitionUpdate
from podium.core.credentials import hash_secret
from podium.core.entries import ENTRIES, EntryCreate
from podium.core.errors import Conflict, Invalid, NotFound
from podium.core.organizations import OrganizationCreate, by_slug, create_organization
from podium.core.people import PEOPLE, PersonCreate
from podium.core.principal import Principal
from podium.dialects.mooshak2 import storage
from podium.dialects.mooshak2.wire import Role
from podium.store.tables import Challenge, Competition, Credential, Person

NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.@-]{0,63}$")
MAX_TEST_BYTES = 16 * 1024 * 1024


@dataclass(frozen=True)
class Case:
    input: str
    output: str
    public: bool = False


def _check_name(what: str, value: str) -> None:
    if not NAME.match(value):
        raise Invalid(
            f"The {what} {value!r} must be 1-64 letters, digits, '_', '.', '@' or '-'.",
            field=what,
        )


async def organization_for(session: AsyncSession, principal: Principal, slug: str) -> int:
    """The organization contests made without one belong to, created on first use."""
    org = await by_slug(session, slug)
    if org is None:
        org = await create_organization(
            session, principal, OrganizationCreate(slug=slug, name="Mooshak contests")
        )
    return org.id


async def create_contest(
    session: AsyncSession,
    principal: Principal,
    *,
    contest_id: str,
    designation: str,
    status: str = "RUNNING",
    start: datetime | None = None,
    stop: datetime | None = None,
    organization_id: int | None = None,
    organization_slug: str = "mooshak",
    extra: dict[str, Any] | None = None,
) -> Competition:
    _check_name("contest id", contest_id)
    if status not in storage.STATUSES:
        raise Invalid(f"Unknown contest status {status!r}.", field="contestStatus")
    if await storage.find_contest(session, contest_id) is not None:
        raise Conflict(f"The contest {contest_id} already exists.")
    if organization_id is None:
        organization_id = await organization_for(session, principal, organization_slug)
    settings = {"policy": "ICPC", **(extra or {}), "status": status}
    return await resources.create(
        session,
        principal,
        COMPETITIONS,
        CompetitionCreate(
            organization_id=organization_id,
            name=designation or contest_id,
            kind=storage.CONTEST_KIND,
            status=storage.STATUSES[status],
            starts_at=start,
            ends_at=stop,
            scoring="icpc",
            attributes={"mooshak": settings},
            external_ids={storage.SCHEME: contest_id},
        ),
    )


async def update_contest(
    session: AsyncSession,
    principal: Principal,
    contest: Competition,
    *,
    designation: str | None = None,
    status: str | None = None,
    start: datetime | None = None,
    stop: datetime | None = None,
    extra: dict[str, Any] | None = None,
) -> Competition:
    settings = storage.settings_of(contest) | (extra or {})
    changes: dict[str, Any] = {}
    if status is not None:
        if status not in storage.STATUSES:
            raise Invalid(f"Unknown contest status {status!r}.", field="contestStatus")
        settings["status"] = status
        changes["status"] = storage.STATUSES[status]
    if designation:
        changes["name"] = designation
    if start is not None:
        changes["starts_at"] = start
    if stop is not None:
        changes["ends_at"] = stop
    attributes = {**contest.attributes, "mooshak": settings}
    return await resources.update(
        session,
        principal,
        COMPETITIONS,
        contest.id,
        CompetitionUpdate(attributes=attributes, **changes),
    )


async def add_problem(
    session: AsyncSession,
    principal: Principal,
    contest_id: str,
    *,
    problem_id: str,
    label: str,
    title: str,
    statement: str = "",
    timeout_seconds: float = 1.0,
    memory_mb: int = 256,
    tests: Sequence[tuple[str, str] | Case] = (),
    public_tests: int = 0,
    extra: dict[str, Any] | None = None,
) -> Challenge:
    """A problem with its limits and test cases; the first ``public_tests`` are public."""
    _check_name("problem id", problem_id)
    contest = await storage.find_contest(session, contest_id)
    if contest is None:
        raise NotFound(f"The contest {contest_id} does not exist.")
    if await storage.find_problem(session, contest, problem_id) is not None:
        raise Conflict(f"The problem {problem_id} already exists.")
    if not 0 < timeout_seconds <= 60:
        raise Invalid("The time limit must be between 0 and 60 seconds.", field="timeout")
    if not 16 <= memory_mb <= 4096:
        raise Invalid("The memory limit must be 16 to 4096 MB.", field="memory")
    cases = [
        case if isinstance(case, Case) else Case(case[0], case[1], n < public_tests)
        for n, case in enumerate(tests)
    ]
    if sum(len(c.input) + len(c.output) for c in cases) > MAX_TEST_BYTES:
        raise Invalid("The test cases exceed 16 MB.", field="tests")
    position = len(await storage.problems_of(session, contest))
    attributes = {
        **(extra or {}),
        "problem_id": problem_id,
        "statement": statement,
        "timeout": timeout_seconds,
        "memory_mb": memory_mb,
        "tests": [{"input": c.input, "output": c.output, "public": c.public} for c in cases],
    }
    return await resources.create(
        session,
        principal,
        CHALLENGES,
        ChallengeCreate(
            organization_id=contest.organization_id,
            competition_id=contest.id,
            kind=storage.PROBLEM_KIND,
            name=title or label,
            code=label,
            position=position,
            attributes=attributes,
        ),
    )


async def update_problem(
    session: AsyncSession,
    principal: Principal,
    problem: Challenge,
    *,
    label: str | None = None,
    title: str | None = None,
    extra: dict[str, Any] | None = None,
) -> Challenge:
    attributes = {**problem.attributes, **(extra or {})}
    changes: dict[str, Any] = {"attributes": attributes}
    if label:
        changes["code"] = label
    if title:
        changes["name"] = title
    return await resources.update(
        session, principal, CHALLENGES, problem.id, ChallengeUpdate(**changes)
    )


def read_tests(folder: Path) -> list[Case]:
    """Test cases from ``*.in``/``*.out`` pairs, in name order; a lone file is an error."""
    inputs = {p.stem: p for p in folder.glob("*.in")}
    outputs = {p.stem: p for p in folder.glob("*.out")}
    missing = sorted(set(inputs) ^ set(outputs))
    if missing:
        raise Invalid(f"Test cases without a matching .in/.out file: {', '.join(missing)}.")
    if not inputs:
        raise Invalid(f"No *.in/*.out test cases in {folder}.")
    return [
        Case(
            inputs[stem].read_text(encoding="utf-8"),
            outputs[stem].read_text(encoding="utf-8"),
            public=stem.startswith(("sample", "public", "example")),
        )
        for stem in sorted(inputs)
    ]


async def create_user(
    session: AsyncSession,
    principal: Principal,
    *,
    username: str,
    password: str,
    role: str = "TEAM",
    contest_id: str | None = None,
    name: str | None = None,
    organization_slug: str = "mooshak",
) -> Person | None:
    """A login for a contest (or, without one, for the whole instance).

    Teams get a person and an entry in the contest; their submissions belong to it.
    Returns the person, or None for a user without one (an instance admin).
    """
    _check_name("username", username)
    try:
        the_role = Role(role.upper())
    except ValueError:
        raise Invalid(f"Unknown role {role!r}.", field="role") from None
    if not password:
        raise Invalid("A password is required.", field="password")
    contest = None
    if contest_id is not None:
        contest = await storage.find_contest(session, contest_id)
        if contest is None:
            raise NotFound(f"The contest {contest_id} does not exist.")
        contest_id = await storage.contest_key(session, contest)
    elif the_role is not Role.ADMIN:
        raise Invalid("Only an ADMIN can exist without a contest.", field="contest")
    if await storage.find_user(session, username, contest_id) is not None:
        raise Conflict(f"The user {username} already exists.")
    principal.require("setup", contest.organization_id if contest else None)
    if contest is not None:
        organization_id = contest.organization_id
    else:
        organization_id = await organization_for(session, principal, organization_slug)
    person = None
    if contest is not None:
        person = await resources.create(
            session,
            principal,
            PEOPLE,
            PersonCreate(
                name=name or username,
                organization_id=organization_id,
                attributes={"mooshak_username": username},
            ),
        )
        if the_role is Role.TEAM:
            await resources.create(
                session,
                principal,
                ENTRIES,
                EntryCreate(person_id=person.id, attributes={"mooshak_username": username}),
                competition_id=contest.id,
            )
    session.add(
        Credential(
            kind=storage.USER_KIND,
            identifier=storage.user_identifier(username, contest_id),
            secret_hash=hash_secret(password),
            name=name or username,
            organization_id=organization_id,
            person_id=person.id if person else None,
            attributes={"role": the_role.value, "contest": contest_id, "username": username},
        )
    )
    await session.flush()
    return person


async def revoke_user(
    session: AsyncSession, principal: Principal, username: str, contest_id: str | None = None
) -> Credential:
    """Refuse the user's logins and every token it holds (access and refresh alike:
    each names this credential, read on every call) from the next request on."""
    key = None
    if contest_id is not None:
        contest = await storage.find_contest(session, contest_id)
        if contest is None:
            raise NotFound(f"The contest {contest_id} does not exist.")
        key = await storage.contest_key(session, contest)
    row = await storage.find_user(session, username, key)
    if row is None or not principal.allows("read", row.organization_id):
        raise NotFound(f"The user {username} does not exist.")
    # As to create them: instance users need an instance admin, contest users write.
    if key is None:
        principal.require("admin", None)
    else:
        principal.require("setup", row.organization_id)
    credentials.mark_revoked(session, principal, row)
    return row


async def _contests(session: AsyncSession, organization_id: int) -> list[tuple[int, str]]:
    return [
        (c.id, c.name)
        for c in await storage.list_contests(session)
        if c.organization_id == organization_id
    ]


async def _make_user(
    session: AsyncSession,
    principal: Principal,
    organization_id: int,
    contest_id: int | None,
    choice: str,
    name: str,
) -> credentials.Made:
    """A contest login named ``name`` with a generated password (shown once)."""
    principal.require("admin", organization_id)
    contest = await session.get(Competition, contest_id) if contest_id is not None else None
    if contest is None or contest.organization_id != organization_id:
        raise NotFound("Choose one of this organization's contests.")
    if contest.kind != storage.CONTEST_KIND:
        raise NotFound("Choose one of this organization's contests.")
    password = secrets.token_urlsafe(12)
    await create_user(
        session,
        principal,
        username=name,
        password=password,
        role=choice or "TEAM",
        contest_id=str(contest.id),
    )
    return credentials.Made(name, [("Username", name), ("Password", password)])


credentials.offer(
    credentials.Maker(
        storage.USER_KIND,
        "Mooshak user",
        "/mooshak/api",
        "Log in with the username and password (mooshak2api: login(BASE_URL, user, "
        "password, contest)); the name you give is the username.",
        _make_user,
        target="Contest",
        targets=_contests,
        choice="Role",
        choices=("TEAM", "JUDGE"),
    )
)
