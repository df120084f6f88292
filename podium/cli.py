"""The ``podium`` command: serve, migrate, demo, and organizer administration."""

from __future__ import annotations

import asyncio
import io
import logging
import os
import re
import secrets
import sqlite3
from collections.abc import Awaitable, Callable
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any, get_args
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import typer
import uvicorn
from pydantic import TypeAdapter, ValidationError
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table
from rich.text import Text
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from podium import __version__, demo, mail
from podium.clitools import (
    ID,
    DatabaseUrl,
    JsonFlag,
    Org,
    check_store,
    choice,
    console,
    emit_json,
    err,
    fail,
    organization,
    organization_id,
    parse_time,
    read_text,
    run_on_store,
    say,
    settings_for,
    show,
    sqlite_file,
    warn,
)
from podium.config import Settings, get_settings
from podium.core import (
    accounts,
    competitions,
    credentials,
    logins,
    organizations,
    resources,
    result_import,
)
from podium.core.competitions import COMPETITIONS, CompetitionCreate, CompetitionUpdate
from podium.core.errors import NotFound
from podium.core.organizations import OrganizationCreate
from podium.core.principal import SYSTEM
from podium.core.roles import ROLE_NAMES
from podium.dialects.mooshak2 import cli as mooshak_cli
from podium.dialects.multigp import cli as multigp_cli
from podium.dialects.nadeo import cli as nadeo_cli
from podium.dialects.polympics import cli as polympics_cli
from podium.dialects.runsignup import cli as runsignup_cli
from podium.feed import cli as webhook_cli
from podium.logs import configure
from podium.store import backup as backups
from podium.store import portable
from podium.store.database import Database
from podium.store.tables import Competition, Credential, Membership, Organization
from podium.worker import GRACE_SECONDS, run_worker

app = typer.Typer(
    help="Podium: a self-hostable competition results platform.",
    no_args_is_help=True,
    # A traceback (a bug, never a user's mistake) must not print local variables:
    # they hold passwords and secrets.
    pretty_exceptions_show_locals=False,
)
org_app = typer.Typer(help="Manage organizations.", no_args_is_help=True)
user_app = typer.Typer(
    help="Organizer accounts of the web console and their roles.", no_args_is_help=True
)
competition_app = typer.Typer(help="Competitions (a tree of them).", no_args_is_help=True)
token_app = typer.Typer(help="Manage native API tokens.", no_args_is_help=True)
results_app = typer.Typer(help="Import results.", no_args_is_help=True)
credential_app = typer.Typer(
    help="List and revoke credentials of every kind (tokens, dialect keys, logins).",
    no_args_is_help=True,
)
app.add_typer(org_app, name="org")
app.add_typer(user_app, name="user")
app.add_typer(competition_app, name="competition")
app.add_typer(token_app, name="token")
app.add_typer(credential_app, name="credential")
app.add_typer(results_app, name="results")
app.add_typer(polympics_cli.app, name="polympics")
app.add_typer(runsignup_cli.app, name="runsignup")
app.add_typer(multigp_cli.app, name="multigp")
app.add_typer(nadeo_cli.app, name="nadeo")
app.add_typer(mooshak_cli.app, name="mooshak")
app.add_typer(webhook_cli.app, name="webhook")


@app.command()
def version() -> None:
    """Print the version."""
    console.print(__version__)


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    database_url: DatabaseUrl = None,
    workers: Annotated[int, typer.Option(min=1, help="Worker processes (PostgreSQL only).")] = 1,
    no_background: Annotated[
        bool,
        typer.Option(
            "--no-background",
            help="Serve HTTP only: leave webhook deliveries, judging and shared boards "
            "to `podium worker` processes.",
        ),
    ] = False,
) -> None:
    """Serve Podium over HTTP (migrates the store first, creating it if needed)."""
    settings = settings_for(database_url)
    if workers > 1 and settings.database_url.startswith("sqlite"):
        fail("several workers need PostgreSQL; SQLite serves one process.", 2)
    check_store(settings, create=True)
    os.environ["PODIUM_DATABASE_URL"] = settings.database_url
    if no_background:
        if settings.database_url.startswith("sqlite"):
            warn("on SQLite nothing delivers webhooks or judges: podium worker needs PostgreSQL.")
        os.environ["PODIUM_BACKGROUND"] = "false"
    get_settings.cache_clear()
    configure(settings.log_level, settings.log_json)
    console.print(f"Podium {__version__} on http://{host}:{port} (API docs at /api/v1/docs)")
    uvicorn.run(
        "podium.app:serve_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_config=None,
        timeout_graceful_shutdown=10,
        # Forwarding headers are judged by the app (PODIUM_TRUSTED_PROXIES), not uvicorn.
        proxy_headers=False,
    )


@app.command()
def worker(
    database_url: DatabaseUrl = None,
    grace: Annotated[
        float,
        typer.Option(
            min=0,
            help="Seconds to let deliveries and judgements in hand finish once asked to stop.",
        ),
    ] = GRACE_SECONDS,
) -> None:
    """Run the background work without serving HTTP: webhook deliveries, judging, and
    (with Redis) leaderboard upkeep. PostgreSQL only; stops on SIGINT or SIGTERM."""
    settings = settings_for(database_url)
    if settings.database_url.startswith("sqlite"):
        fail("podium worker needs PostgreSQL: with SQLite, `podium serve` does this work.", 2)
    configure(settings.log_level, settings.log_json)
    run_on_store(settings, lambda db: run_worker(settings, db, grace=grace), migrate=False)


@app.command()
def migrate(database_url: DatabaseUrl = None) -> None:
    """Bring the store's schema up to date (creates a new SQLite store if there is none)."""
    run_on_store(settings_for(database_url), lambda _db: asyncio.sleep(0), create=True)
    console.print("The store is up to date.")


@app.command("demo")
def load_demo(database_url: DatabaseUrl = None, as_json: JsonFlag = False) -> None:
    """Load the demo dataset (creating the store if needed). Running it again changes nothing."""
    loaded = run_on_store(settings_for(database_url), demo.load, create=True)
    if as_json:
        emit_json(loaded)
    elif loaded["created"]:
        console.print(f"Loaded demo organizations: {', '.join(loaded['created'])}.")
    else:
        console.print("The demo data is already loaded.")


# ---- organizations --------------------------------------------------------------------


@org_app.command("create")
def org_create(
    slug: Annotated[str, typer.Argument(help="Short lower-case name used in URLs.")],
    name: Annotated[str, typer.Argument(help="Display name.")],
    description: Annotated[str, typer.Option(help="Free text.")] = "",
    database_url: DatabaseUrl = None,
    as_json: JsonFlag = False,
) -> None:
    """Create an organization."""

    async def work(db: Database) -> dict[str, Any]:
        command = OrganizationCreate(slug=slug, name=name, description=description)
        async with db.write() as session:
            org = await organizations.create_organization(session, SYSTEM, command)
            return {"id": org.id, "slug": org.slug, "name": org.name}

    created = run_on_store(settings_for(database_url), work)
    show(created, as_json, f"Created organization {created['id']} ({created['slug']}).")


@org_app.command("list")
def org_list(database_url: DatabaseUrl = None, as_json: JsonFlag = False) -> None:
    """List organizations."""

    async def work(db: Database) -> list[dict[str, Any]]:
        async with db.read() as session:
            rows = (await session.scalars(select(Organization).order_by(Organization.id))).all()
            return [{"id": o.id, "slug": o.slug, "name": o.name} for o in rows]

    rows = run_on_store(settings_for(database_url), work)
    if as_json:
        emit_json(rows)
        return
    for row in rows:
        say(f"{row['id']:>5}  {row['slug']:<24} {row['name']}")


# ---- organizer accounts -------------------------------------------------------------

Role = Annotated[
    str,
    typer.Option("--role", parser=choice(ROLE_NAMES), help=f"One of {', '.join(ROLE_NAMES)}."),
]
RequiredOrg = Annotated[
    str, typer.Option("--org", metavar="SLUG|ID", help="Organization slug or id.")
]
Email = Annotated[str, typer.Argument(help="The account's email address.")]


async def _account(session: AsyncSession, email: str) -> Credential:
    user = await accounts.find_user(session, email)
    if user is None:
        raise NotFound(f"No account for {email}.")
    return user


@user_app.command("create")
def user_create(
    email: Email,
    org: RequiredOrg,
    role: Role,
    name: Annotated[
        str | None, typer.Option(help="Display name (default: from the email).")
    ] = None,
    password: Annotated[
        str | None,
        typer.Option(help="At least 10 characters; generated (and printed once) when omitted."),
    ] = None,
    database_url: DatabaseUrl = None,
    as_json: JsonFlag = False,
) -> None:
    """Create an organizer account with ROLE in the organization (how an organization gets
    its first owner). For an existing account, only its role there is added or changed."""
    secret = password if password is not None else secrets.token_urlsafe(12)

    async def work(db: Database) -> dict[str, Any]:
        address = accounts.check_email(email)
        where = await organization(db, org)
        async with db.write() as session:
            user = await accounts.find_user(session, address)
            created = user is None
            if user is None:
                command = accounts.UserCreate(email=address, password=secret, name=name or "")
                user = await accounts.create_user(session, SYSTEM, command)
            before = await accounts.membership(session, user.id, where.id)
            await accounts.add_member(session, SYSTEM, user, where.id, role)
            return {
                "id": user.id,
                "email": user.identifier,
                "name": user.name,
                "created": created,
                "organization": where.slug,
                "organization_id": where.id,
                "role": role,
                "previous_role": before.role if before is not None else None,
                "active": user.revoked_at is None,
            }

    made = run_on_store(settings_for(database_url), work)
    if made["created"] and password is None:
        made["password"] = secret
    if not made["created"]:
        if password is not None:
            warn("the account exists already: its password was left as it was.")
        if name is not None:
            warn("the account exists already: its name was left as it was.")
    if as_json:
        emit_json(made)
        return
    where = f"{made['role']} of {made['organization']}"
    if made["created"]:
        say(f"Created account {made['email']}, {where}.")
        if password is None:
            say(f"Password (shown only once): {secret}")
    elif made["previous_role"] == made["role"]:
        say(f"The account {made['email']} exists already; it is {where} already.")
    elif made["previous_role"] is None:
        say(f"The account {made['email']} exists already; it is now {where}.")
    else:
        say(
            f"The account {made['email']} exists already; it is now {where} "
            f"(was {made['previous_role']})."
        )
    if not made["active"]:
        warn(f"the account {made['email']} is disabled: it cannot log in.")


@user_app.command("list")
def user_list(org: Org = None, database_url: DatabaseUrl = None, as_json: JsonFlag = False) -> None:
    """List organizer accounts with their role in each organization (never a password)."""

    async def work(db: Database) -> list[dict[str, Any]]:
        only = await organization_id(db, org)
        async with db.read() as session:
            users = (
                await session.scalars(
                    select(Credential)
                    .where(Credential.kind == accounts.USER)
                    .order_by(Credential.identifier)
                )
            ).all()
            query = (
                select(Membership, Organization)
                .join(Organization, Organization.id == Membership.organization_id)
                .order_by(Organization.slug)
            )
            if only is not None:
                query = query.where(Membership.organization_id == only)
            roles: dict[int, list[dict[str, Any]]] = {}
            for member, where in await session.execute(query):
                roles.setdefault(member.user_id, []).append(
                    {"organization": where.slug, "organization_id": where.id, "role": member.role}
                )
        return [
            {
                "id": user.id,
                "email": user.identifier,
                "name": user.name,
                "active": user.revoked_at is None,
                "memberships": roles.get(user.id, []),
            }
            for user in users
            if only is None or user.id in roles
        ]

    rows = run_on_store(settings_for(database_url), work)
    if as_json:
        emit_json(rows)
        return
    if not rows:
        say("No organizer accounts.")
    for row in rows:
        state = "active" if row["active"] else "disabled"
        places = ", ".join(f"{m['role']} of {m['organization']}" for m in row["memberships"])
        say(f"{row['email']:<32} {state:<9} {row['name']:<24} {places or '-'}")


@user_app.command("role")
def user_role(email: Email, org: RequiredOrg, role: Role, database_url: DatabaseUrl = None) -> None:
    """Change an account's role in an organization it is a member of."""

    async def work(db: Database) -> tuple[str, str, str]:
        where = await organization(db, org)
        async with db.write() as session:
            user = await _account(session, email)
            member = await accounts.membership(session, user.id, where.id)
            if member is None:
                raise NotFound(
                    f"{user.identifier} is not a member of {where.slug}: "
                    "add them with `podium user create`."
                )
            before = member.role
            await accounts.set_role(session, SYSTEM, where.id, member.id, role)
            return user.identifier, where.slug, before

    address, slug, before = run_on_store(settings_for(database_url), work)
    if before == role:
        say(f"{address} is {role} of {slug} already.")
    else:
        say(f"{address} is now {role} of {slug} (was {before}).")


@user_app.command("remove")
def user_remove(email: Email, org: RequiredOrg, database_url: DatabaseUrl = None) -> None:
    """Remove an account from an organization (the account itself stays)."""

    async def work(db: Database) -> tuple[str, str]:
        where = await organization(db, org)
        async with db.write() as session:
            user = await _account(session, email)
            member = await accounts.membership(session, user.id, where.id)
            if member is None:
                raise NotFound(f"{user.identifier} is not a member of {where.slug}.")
            await accounts.remove_member(session, SYSTEM, where.id, member.id)
            return user.identifier, where.slug

    address, slug = run_on_store(settings_for(database_url), work)
    say(f"Removed {address} from {slug}.")


class _MailProblems(logging.Handler):
    """While in a ``with``: why ``podium.mail`` could not send, for the operator to read
    (instead of a bare log line)."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.reasons: list[str] = []
        self._logger = logging.getLogger("podium.mail")

    def emit(self, record: logging.LogRecord) -> None:
        self.reasons.append(str(getattr(record, "reason", record.getMessage())))

    def __enter__(self) -> _MailProblems:
        self._logger.addHandler(self)
        return self

    def __exit__(self, *_exc: object) -> None:
        self._logger.removeHandler(self)


RESET_PATH = "/console/reset?ticket="
"""Where the console takes a reset ticket (``podium.console.logins``): in the query
string, which the access log never writes."""


def _base_url(settings: Settings, given: str | None) -> str:
    if given is not None:
        if not re.match(r"^https?://[^/\s]+", given):
            raise typer.BadParameter(
                "give the address people reach Podium at, e.g. https://results.example.org",
                param_hint="'--base-url'",
            )
        return given.rstrip("/")
    if settings.public_url:
        return settings.public_url.rstrip("/")
    host = "localhost" if settings.host in ("0.0.0.0", "::", "") else settings.host  # noqa: S104
    return f"http://{host}:{settings.port}"


@user_app.command("reset")
def user_reset(
    email: Email,
    base_url: Annotated[
        str | None,
        typer.Option(
            help="The address people reach Podium at (default: PODIUM_PUBLIC_URL, else "
            "http://HOST:PORT from the settings)."
        ),
    ] = None,
    database_url: DatabaseUrl = None,
    as_json: JsonFlag = False,
) -> None:
    """Make a one-hour password reset link for an account and print it; it is also
    mailed to the account when PODIUM_SMTP_URL is set."""
    settings = settings_for(database_url)
    base = _base_url(settings, base_url)
    hours = int(logins.RESET_LIFETIME.total_seconds() // 3600)
    lifetime = f"{hours} hour{'s' * (hours != 1)}"
    problems = _MailProblems()

    async def work(db: Database) -> dict[str, Any]:
        async with db.write() as session:
            user, ticket = await logins.begin_reset(session, SYSTEM, email)
            address, active = user.identifier, user.revoked_at is None
        link = f"{base}{RESET_PATH}{ticket}"
        # Mailed once the ticket is committed, so the link works when it arrives.
        with problems:
            mailed = await mail.send(
                settings,
                address,
                "Choose a new Podium password",
                f"A new password was asked for your Podium account {address}.\n\n"
                f"Choose it here (the link works once, for {lifetime}):\n{link}\n\n"
                "If you did not expect this, you can ignore this message.\n",
            )
        return {
            "email": address,
            "link": link,
            "expires_in_seconds": int(logins.RESET_LIFETIME.total_seconds()),
            "mail_configured": bool(settings.smtp_url),
            "mailed": mailed,
            "active": active,
        }

    out = run_on_store(settings, work)
    if not out["active"]:
        warn(f"the account {out['email']} is disabled: a new password will not let it log in.")
    if as_json:
        emit_json(out)
        return
    say(f"Password reset link for {out['email']} (works once, for {lifetime}):")
    say(out["link"])
    if out["mailed"]:
        say(f"Mailed to {out['email']}.")
    elif out["mail_configured"]:
        why = f": {problems.reasons[-1]}" if problems.reasons else ""
        warn(f"the link was not mailed{why}. Pass it on yourself.")


@user_app.command("disable")
def user_disable(email: Email, database_url: DatabaseUrl = None) -> None:
    """Disable an account: it cannot log in, and its sessions end at once."""

    async def work(db: Database) -> tuple[str, bool]:
        async with db.write() as session:
            user = await _account(session, email)
            already = user.revoked_at is not None
            credentials.mark_revoked(session, SYSTEM, user)
            return user.identifier, already

    address, already = run_on_store(settings_for(database_url), work)
    if already:
        say(f"The account {address} was disabled already.")
    else:
        say(f"Disabled the account {address}; its sessions have ended.")


# ---- competitions ---------------------------------------------------------------------

SCORINGS: tuple[str, ...] = get_args(competitions.Scoring)
TIE_RULES: tuple[str, ...] = get_args(competitions.TieRule)
STATUSES: tuple[str, ...] = get_args(competitions.Status)
_KIND = TypeAdapter(competitions.Kind)


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise typer.BadParameter(
            f"{name!r} is not a time zone; use a name like UTC or Europe/Lisbon.",
            param_hint="'--timezone'",
        ) from None


def _kind(value: str) -> str:
    try:
        return _KIND.validate_python(value)
    except ValidationError:
        raise typer.BadParameter(
            f"{value!r}: use lower-case letters and _ (up to 40), e.g. event, race, round.",
            param_hint="'--kind'",
        ) from None


def _competition_json(row: Competition) -> dict[str, Any]:
    return {
        "id": row.id,
        "organization_id": row.organization_id,
        "parent_id": row.parent_id,
        "name": row.name,
        "kind": row.kind,
        "status": row.status,
        "scoring": row.scoring,
        "tie_rule": row.tie_rule,
        "public": row.public,
        "starts_at": row.starts_at.isoformat() if row.starts_at else None,
        "ends_at": row.ends_at.isoformat() if row.ends_at else None,
    }


CompetitionId = Annotated[int, typer.Argument(**ID, help="The competition's id.")]


@competition_app.command("create")
def competition_create(
    name: Annotated[str, typer.Argument(help="The competition's name.")],
    org: RequiredOrg,
    parent: Annotated[
        int | None, typer.Option(**ID, help="The competition it is part of (its id).")
    ] = None,
    kind: Annotated[str, typer.Option(help="What it is: event, race, round, season…")] = "event",
    scoring: Annotated[
        str,
        typer.Option(parser=choice(SCORINGS), help=f"One of {', '.join(SCORINGS)}."),
    ] = "lowest_time",
    tie_rule: Annotated[
        str, typer.Option(parser=choice(TIE_RULES), help=f"One of {', '.join(TIE_RULES)}.")
    ] = "shared",
    starts: Annotated[
        str | None, typer.Option(help="Start, ISO 8601 (e.g. 2025-06-01T09:00).")
    ] = None,
    ends: Annotated[str | None, typer.Option(help="End, ISO 8601.")] = None,
    timezone: Annotated[
        str, typer.Option(help="Zone of --starts/--ends without an offset, e.g. Europe/Lisbon.")
    ] = "UTC",
    private: Annotated[
        bool, typer.Option("--private", help="Hidden from the public until published.")
    ] = False,
    database_url: DatabaseUrl = None,
    as_json: JsonFlag = False,
) -> None:
    """Create a competition (times are stored in UTC)."""
    zone = _zone(timezone)
    wanted_kind = _kind(kind)
    starts_at = parse_time(starts, "--starts", zone)
    ends_at = parse_time(ends, "--ends", zone)

    async def work(db: Database) -> dict[str, Any]:
        where = await organization(db, org)
        command = CompetitionCreate(
            organization_id=where.id,
            name=name,
            parent_id=parent,
            kind=wanted_kind,
            scoring=scoring,
            tie_rule=tie_rule,
            starts_at=starts_at,
            ends_at=ends_at,
            public=not private,
        )
        async with db.write() as session:
            row = await resources.create(session, SYSTEM, COMPETITIONS, command)
            return {**_competition_json(row), "organization": where.slug}

    made = run_on_store(settings_for(database_url), work)
    show(
        made,
        as_json,
        f"Created competition {made['id']} ({made['name']}) in {made['organization']}.",
    )


def _tree(rows: list[Competition]) -> list[tuple[int, Competition]]:
    """``rows`` in tree order, each with its depth (children under their parent)."""
    known = {row.id for row in rows}
    children: dict[int | None, list[Competition]] = {}
    for row in rows:
        parent = row.parent_id if row.parent_id in known else None
        children.setdefault(parent, []).append(row)
    out: list[tuple[int, Competition]] = []
    seen: set[int] = set()
    stack = [(0, row) for row in reversed(children.get(None, []))]
    while stack:
        depth, row = stack.pop()
        if row.id in seen:
            continue
        seen.add(row.id)
        out.append((depth, row))
        stack.extend((depth + 1, child) for child in reversed(children.get(row.id, [])))
    return out


def _when(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M UTC") if value else ""


@competition_app.command("list")
def competition_list(
    org: Org = None, database_url: DatabaseUrl = None, as_json: JsonFlag = False
) -> None:
    """List competitions as a tree: each under the competition it is part of."""

    async def work(db: Database) -> list[tuple[Organization, list[tuple[int, Competition]]]]:
        only = await organization_id(db, org)
        async with db.read() as session:
            query = select(Organization).order_by(Organization.id)
            if only is not None:
                query = query.where(Organization.id == only)
            orgs = (await session.scalars(query)).all()
            comps = select(Competition).order_by(Competition.id)
            if only is not None:
                comps = comps.where(Competition.organization_id == only)
            by_org: dict[int, list[Competition]] = {}
            for row in await session.scalars(comps):
                by_org.setdefault(row.organization_id, []).append(row)
        return [(o, _tree(by_org[o.id])) for o in orgs if o.id in by_org]

    groups = run_on_store(settings_for(database_url), work)
    if as_json:
        emit_json(
            [
                {**_competition_json(row), "organization": where.slug, "depth": depth}
                for where, rows in groups
                for depth, row in rows
            ]
        )
        return
    if not groups:
        say("No competitions.")
    for where, rows in groups:
        say(f"{where.slug} ({where.name})")
        for depth, row in rows:
            facts = [row.kind, row.status] + ([] if row.public else ["private"])
            if row.starts_at:
                facts.append(_when(row.starts_at))
            say(f"{row.id:>7}  {'  ' * depth}{row.name}  [{', '.join(facts)}]")


def _update(
    database_url: str | None, competition_id: int, command: CompetitionUpdate
) -> dict[str, Any]:
    async def work(db: Database) -> dict[str, Any]:
        async with db.write() as session:
            row = await resources.update(session, SYSTEM, COMPETITIONS, competition_id, command)
            return _competition_json(row)

    return run_on_store(settings_for(database_url), work)


@competition_app.command("status")
def competition_status(
    competition_id: CompetitionId,
    status: Annotated[
        str, typer.Argument(parser=choice(STATUSES), help=f"One of {', '.join(STATUSES)}.")
    ],
    database_url: DatabaseUrl = None,
    as_json: JsonFlag = False,
) -> None:
    """Set a competition's status."""
    row = _update(database_url, competition_id, CompetitionUpdate(status=status))
    show(row, as_json, f"Competition {row['id']} ({row['name']}) is {row['status']}.")


@competition_app.command("publish")
def competition_publish(
    competition_id: CompetitionId,
    private: Annotated[
        bool, typer.Option("--private", help="Hide it from the public instead.")
    ] = False,
    database_url: DatabaseUrl = None,
    as_json: JsonFlag = False,
) -> None:
    """Make a competition public (or, with --private, hide it again)."""
    row = _update(database_url, competition_id, CompetitionUpdate(public=not private))
    state = "public" if row["public"] else "private"
    show(row, as_json, f"Competition {row['id']} ({row['name']}) is {state}.")


# ---- tokens and credentials ---------------------------------------------------------


@token_app.command("create")
def token_create(
    org: Annotated[
        str | None,
        typer.Option(
            "--org", metavar="SLUG|ID", help="Organization slug or id; omit for instance-wide."
        ),
    ] = None,
    scopes: Annotated[str, typer.Option(help="Comma-separated: read, write, admin.")] = "read",
    name: Annotated[str, typer.Option(help="A label to recognise the token by.")] = "",
    expires: Annotated[
        datetime | None, typer.Option(help="Expiry (ISO date or datetime, UTC).")
    ] = None,
    database_url: DatabaseUrl = None,
    as_json: JsonFlag = False,
) -> None:
    """Create an API token and print it (it is shown only once)."""
    wanted = [s.strip() for s in scopes.split(",") if s.strip()]
    unknown = [s for s in wanted if s not in credentials.GRANTS]
    if unknown or not wanted:
        fail(f"--scopes takes {', '.join(credentials.GRANTS)}; not {scopes!r}.", 2)

    async def work(db: Database) -> dict[str, Any]:
        command = credentials.TokenCreate(
            organization_id=await organization_id(db, org),
            scopes=wanted,
            name=name,
            expires_at=expires,
        )
        async with db.write() as session:
            credential, token = await credentials.issue_token(session, SYSTEM, command)
            return {
                "id": credential.id,
                "token": token,
                "organization_id": credential.organization_id,
                "scopes": credential.scopes,
            }

    created = run_on_store(settings_for(database_url), work)
    if as_json:
        emit_json(created)
    else:
        say(created["token"])


@token_app.command("list")
def token_list(database_url: DatabaseUrl = None, as_json: JsonFlag = False) -> None:
    """List API tokens (never their secrets)."""

    async def work(db: Database) -> list[dict[str, Any]]:
        async with db.read() as session:
            rows = await credentials.list_tokens(session, SYSTEM)
            return [
                {
                    "id": c.id,
                    "name": c.name,
                    "organization_id": c.organization_id,
                    "scopes": c.scopes,
                    "revoked": c.revoked_at is not None,
                }
                for c in rows
            ]

    rows = run_on_store(settings_for(database_url), work)
    if as_json:
        emit_json(rows)
        return
    for row in rows:
        state = "revoked" if row["revoked"] else "active"
        say(f"{row['id']:>5}  {','.join(row['scopes']):<16} {state:<8} {row['name']}")


@token_app.command("revoke")
def token_revoke(
    token_id: Annotated[int, typer.Argument(**ID, help="The id `podium token list` shows.")],
    database_url: DatabaseUrl = None,
) -> None:
    """Revoke an API token at once."""

    async def work(db: Database) -> None:
        async with db.write() as session:
            await credentials.revoke_token(session, SYSTEM, token_id)

    run_on_store(settings_for(database_url), work)
    console.print(f"Revoked token {token_id}.")


@credential_app.command("list")
def credential_list(
    org: Org = None,
    kind: Annotated[
        list[str] | None, typer.Option("--kind", help="Only this kind (repeatable).")
    ] = None,
    sessions: Annotated[
        bool, typer.Option("--sessions", help="Also list logins (temporary keys, sessions).")
    ] = False,
    database_url: DatabaseUrl = None,
    as_json: JsonFlag = False,
) -> None:
    """List the credentials of every dialect and the native API (never their secrets)."""

    async def work(db: Database) -> list[dict[str, Any]]:
        only = await organization_id(db, org)
        async with db.read() as session:
            rows = await credentials.list_credentials(
                session, SYSTEM, organization_id=only, kinds=kind, sessions=sessions
            )
        return [
            {
                "id": c.id,
                "kind": c.kind,
                "label": credentials.kind_of(c).label,
                "identifier": c.identifier,
                "name": c.name,
                "organization_id": c.organization_id,
                "revoked": c.revoked_at is not None,
            }
            for c in rows
        ]

    rows = run_on_store(settings_for(database_url), work)
    if as_json:
        emit_json(rows)
        return
    for row in rows:
        state = "revoked" if row["revoked"] else "active"
        say(f"{row['id']:>5}  {row['label']:<26} {state:<8} {row['identifier']}  {row['name']}")


@credential_app.command("revoke")
def credential_revoke(
    credential_id: Annotated[
        int, typer.Argument(**ID, help="The id `podium credential list` shows.")
    ],
    database_url: DatabaseUrl = None,
) -> None:
    """Revoke a credential of any kind: refused from the next request on, by every worker."""

    async def work(db: Database) -> str:
        async with db.write() as session:
            row = await credentials.revoke(session, SYSTEM, credential_id)
            return f"{credentials.kind_of(row).label} {row.identifier}"

    say(f"Revoked {run_on_store(settings_for(database_url), work)}.")


# ---- results ---------------------------------------------------------------------------


@results_app.command("import")
def results_import(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="A CSV file.")],
    competition: Annotated[int, typer.Option("--competition", "-c", **ID, help="Competition id.")],
    skip_invalid: Annotated[
        bool, typer.Option("--skip-invalid", help="Store the valid rows, report the others.")
    ] = False,
    database_url: DatabaseUrl = None,
    as_json: JsonFlag = False,
) -> None:
    """Import results from CSV: all rows or none, every problem reported by line."""
    settings = settings_for(database_url)
    check_store(settings)
    text = read_text(file)
    total = max(text.count("\n") - 1, 0)

    async def work(db: Database) -> result_import.ImportReport:
        with Progress(
            TextColumn("[progress.description]{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeRemainingColumn(),
            console=err,
            disable=as_json,
        ) as bar:
            task = bar.add_task(f"Importing {file.name}", total=total)
            async with db.write() as session:
                return await result_import.import_results(
                    session,
                    SYSTEM,
                    competition,
                    io.StringIO(text),
                    skip_invalid=skip_invalid,
                    progress=lambda n: bar.advance(task, n),
                )

    try:
        report = run_on_store(settings, work)
    except result_import.ImportRejected as rejected:
        _print_report(rejected.report, as_json, stored=False)
        raise typer.Exit(1) from None
    _print_report(report, as_json, stored=True)


def _print_report(report: result_import.ImportReport, as_json: bool, *, stored: bool) -> None:
    errors = [{"line": e.line, "column": e.column, "reason": e.reason} for e in report.errors]
    if as_json:
        emit_json(
            {
                "rows": report.rows,
                "stored": report.stored if stored else 0,
                "errors": errors,
                "warnings": report.warnings,
            }
        )
        return
    for warning in report.warnings:
        warn(warning)
    if errors:
        table = Table("line", "column", "reason", title="Problems")
        for e in errors:
            table.add_row(Text(str(e["line"])), Text(str(e["column"])), Text(str(e["reason"])))
        err.print(table)
    if stored:
        console.print(f"Stored {report.stored} of {report.rows} rows.")
    else:
        err.print(f"[red]Nothing was stored:[/red] {len(errors)} problem(s) in {report.rows} rows.")


# ---- backup, restore, export, import -----------------------------------------------------

Force = Annotated[bool, typer.Option("--force", help="Replace FILE if it exists.")]


def _target(path: Path, force: bool, settings: Settings) -> None:
    """FILE may be written: not a folder, not the store itself, not replaced unasked."""
    if path.is_dir():
        fail(f"{path} is a folder, not a file.")
    store = sqlite_file(settings)
    if store is not None and path.resolve() == store.resolve():
        fail(f"{path} is the store itself: write the copy somewhere else.")
    if path.exists() and not force:
        fail(f"{path} exists already: give --force to replace it.")
    if not path.parent.is_dir():
        fail(f"No folder {path.parent} to write {path.name} in.")


def _source(path: Path) -> None:
    """FILE can be read, or one line saying why not."""
    try:
        with path.open("rb"):
            pass
    except FileNotFoundError:
        fail(f"No file {path}.")
    except IsADirectoryError:
        fail(f"{path} is a folder, not a file.")
    except OSError as exc:
        fail(f"Cannot read {path}: {exc.strerror or exc}.")


def _operate(
    settings: Settings,
    work: Callable[[Database], Awaitable[backups.Done]],
    *,
    create: bool = False,
    migrate: bool = True,
) -> backups.Done:
    """``run_on_store`` with the refusals of backups and exports as one line each."""
    try:
        return run_on_store(settings, work, create=create, migrate=migrate)
    except portable.PortableError as exc:
        fail(str(exc))
    except sqlite3.Error as exc:
        fail(f"The SQLite copy failed: {exc}.")
    except OSError as exc:
        fail(f"{exc.filename or 'A file'}: {exc.strerror or exc}.")


class _Pages:
    """A bar of the pages a SQLite copy has done, on stderr, once the copy reports some
    (it is called from the copying thread)."""

    def __init__(self, *, quiet: bool) -> None:
        self.quiet = quiet
        self.bar: Progress | None = None
        self.task: Any = None

    def __call__(self, copied: int, total: int) -> None:
        if self.quiet:
            return
        if self.bar is None:
            columns = (TextColumn("Copying pages"), BarColumn(), MofNCompleteColumn())
            self.bar = Progress(*columns, console=err)
            self.bar.start()
            self.task = self.bar.add_task("pages", total=total)
        self.bar.update(self.task, completed=copied, total=total)

    def __enter__(self) -> _Pages:
        return self

    def __exit__(self, *_exc: object) -> None:
        if self.bar is not None:
            self.bar.stop()


def _report(done: backups.Done, file: Path, as_json: bool, text: str) -> None:
    data = {"file": str(file), "method": done.how, "rows": done.summary.rows}
    show({**data, "seq": done.summary.seq}, as_json, f"{text} ({done.how}): {done.summary.line()}.")


@app.command("backup")
def backup_store(
    file: Annotated[Path, typer.Argument(help="Where to write the backup.")],
    force: Force = False,
    portable_only: Annotated[
        bool, typer.Option("--portable", help="Write the portable export (`podium export`).")
    ] = False,
    database_url: DatabaseUrl = None,
    as_json: JsonFlag = False,
) -> None:
    """Back the store up while it serves: SQLite by its online backup API (checked
    afterwards), PostgreSQL by pg_dump, or the portable export without pg_dump."""
    settings = settings_for(database_url)
    check_store(settings)
    _target(file, force, settings)
    store = sqlite_file(settings)
    with _Pages(quiet=as_json) as progress:
        done = _operate(
            settings,
            lambda db: backups.backup(
                db, file, store_file=store, portable_only=portable_only, progress=progress
            ),
            migrate=False,
        )
    _report(done, file, as_json, f"Backed up the store to {file}")


@app.command("restore")
def restore_store(
    file: Annotated[Path, typer.Argument(help="A backup: SQLite, pg_dump or podium-export.")],
    force: Annotated[
        bool, typer.Option("--force", help="Replace the data of a store that has some.")
    ] = False,
    database_url: DatabaseUrl = None,
    as_json: JsonFlag = False,
) -> None:
    """Restore a backup into an empty store (creating a SQLite one if needed), then print
    what the store holds."""
    settings = settings_for(database_url)
    _source(file)
    check_store(settings, create=True)
    store = sqlite_file(settings)
    with _Pages(quiet=as_json) as progress:
        done = _operate(
            settings,
            lambda db: backups.restore(db, file, store_file=store, force=force, progress=progress),
            create=True,
            migrate=False,
        )
    _report(done, file, as_json, f"Restored {file}")


@app.command("export")
def export_store(
    file: Annotated[Path, typer.Argument(help="Where to write the export (JSON lines).")],
    force: Force = False,
    database_url: DatabaseUrl = None,
    as_json: JsonFlag = False,
) -> None:
    """Write every object and the event log as a portable, versioned JSON-lines file
    (see "Backup, restore, move to PostgreSQL" in the README)."""
    settings = settings_for(database_url)
    check_store(settings)
    _target(file, force, settings)

    async def work(db: Database) -> backups.Done:
        return backups.Done("podium-export", await backups.export_to(db, file))

    _report(_operate(settings, work, migrate=False), file, as_json, f"Exported the store to {file}")


@app.command("import")
def import_store(
    file: Annotated[Path, typer.Argument(help="A file written by `podium export`.")],
    database_url: DatabaseUrl = None,
    as_json: JsonFlag = False,
) -> None:
    """Load an export into an empty store of either backend (migrating or creating it
    first), with the same ids and event seqs."""
    settings = settings_for(database_url)
    _source(file)
    check_store(settings, create=True)

    async def work(db: Database) -> backups.Done:
        with file.open("rb") as source:
            return backups.Done("podium-export", await portable.load(db, source))

    _report(_operate(settings, work, create=True), file, as_json, f"Imported {file}")


def main() -> None:
    app()
