"""``podium runsignup ...``: races with events, participants, keys and API users."""

from __future__ import annotations

import csv
import io
import re
import secrets
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any

import typer

from podium.clitools import (
    ID,
    DatabaseUrl,
    JsonFlag,
    emit_json,
    fail,
    organization,
    read_text,
    run_on_store,
    say,
    settings_for,
)
from podium.core import limits
from podium.core.entries import EntryCreate
from podium.core.errors import DomainError, Invalid
from podium.core.people import PersonCreate
from podium.core.principal import SYSTEM
from podium.dialects.runsignup import auth, races
from podium.dialects.runsignup.uploads import as_number
from podium.store.database import Database
from podium.store.tables import Competition, Credential

app = typer.Typer(help="Administer the RunSignup dialect.", no_args_is_help=True)
race_app = typer.Typer(help="Races and their events.", no_args_is_help=True)
participants_app = typer.Typer(help="Registrations.", no_args_is_help=True)
key_app = typer.Typer(help="API keys of a race.", no_args_is_help=True)
user_app = typer.Typer(help="Users who log in with POST /Rest/login.", no_args_is_help=True)
app.add_typer(race_app, name="race")
app.add_typer(participants_app, name="participants")
app.add_typer(key_app, name="key")
app.add_typer(user_app, name="user")

RaceId = Annotated[int, typer.Option("--race", **ID, help="The race id.")]


async def _race(db: Database, race_id: int) -> Competition:
    async with db.read() as session:
        race = await races.find_race(session, race_id)
    if race is None:
        raise DomainError(f"No RunSignup race {race_id}.")
    return race


@race_app.command("create")
def race_create(
    name: Annotated[str, typer.Argument(help="The race's name.")],
    org: Annotated[str, typer.Option("--org", metavar="SLUG|ID", help="Organization slug or id.")],
    event: Annotated[
        list[str] | None, typer.Option("--event", help="An event (repeatable).")
    ] = None,
    virtual_event: Annotated[
        list[str] | None, typer.Option("--virtual-event", help="A virtual event (repeatable).")
    ] = None,
    elevation: Annotated[
        bool, typer.Option(help="Virtual events record elevation gain (then required).")
    ] = False,
    date: Annotated[datetime | None, typer.Option(help="Race day (ISO date or datetime).")] = None,
    database_url: DatabaseUrl = None,
    as_json: JsonFlag = False,
) -> None:
    """Create a race with its events."""
    specs = [races.EventSpec(name) for name in event or []]
    specs += [
        races.EventSpec(name, virtual=True, elevation=elevation) for name in virtual_event or []
    ]
    if not specs:
        raise typer.BadParameter("give at least one --event or --virtual-event")

    async def work(db: Database) -> dict[str, Any]:
        org_id = (await organization(db, org)).id
        async with db.write() as session:
            race, made = await races.create_race(
                session, SYSTEM, org_id, name, specs, starts_at=date
            )
            return {
                "race_id": race.id,
                "name": race.name,
                "events": [
                    {"event_id": e.id, "name": e.name, "virtual": races.is_virtual(e)} for e in made
                ],
            }

    created = run_on_store(settings_for(database_url), work)
    if as_json:
        emit_json(created)
        return
    say(f"Created race {created['race_id']} ({created['name']}).")
    for item in created["events"]:
        kind = "virtual " if item["virtual"] else ""
        say(f"  {kind}event {item['event_id']}: {item['name']}")


_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
NAME_COLUMNS = ("first_name", "last_name")


@dataclass(frozen=True)
class Registrant:
    line: int
    first_name: str
    last_name: str
    gender: str | None
    birth_date: str | None
    email: str | None
    bib: str | None
    chip: str | None
    registration_id: str | None


def _problems(who: Registrant) -> list[str]:
    """What the core would refuse in a row, each with its line, before anything is stored."""
    out = []
    if not who.first_name and not who.last_name:
        out.append("first_name or last_name is required.")
    if who.birth_date is not None:
        try:
            if not _DATE.match(who.birth_date):
                raise ValueError
            datetime.strptime(who.birth_date, "%Y-%m-%d")
        except ValueError:
            out.append(f"dob {who.birth_date[:40]!r} is not a date (YYYY-MM-DD).")
    if who.registration_id is not None and limits.id_of(who.registration_id) is None:
        out.append(f"registration_id {who.registration_id[:40]!r} is not a number.")
    try:
        PersonCreate(
            name=f"{who.first_name} {who.last_name}".strip() or "Unnamed",
            given_name=who.first_name or None,
            family_name=who.last_name or None,
            gender=who.gender,
            email=who.email,
        )
        EntryCreate(bib=who.bib, chip=who.chip, registration_id=who.registration_id)
    except Invalid as exc:
        out.append(exc.message)
    return [f"Line {who.line}: {problem}" for problem in out]


def read_registrants(path: Path) -> list[Registrant]:
    """The people of a registration CSV; every problem, by line, refuses the whole file."""
    reader = csv.DictReader(io.StringIO(read_text(path)))
    out: list[Registrant] = []
    problems: list[str] = []
    try:
        if not set(NAME_COLUMNS) & set(reader.fieldnames or ()):
            fail(f"{path} needs a header line naming first_name and/or last_name columns.")
        for line, row in enumerate(reader, start=2):

            def cell(*names: str, row: dict[str | Any, str | Any] = row) -> str | None:
                for name in names:
                    value = row.get(name)
                    if isinstance(value, str) and value.strip():
                        return value.strip()
                return None

            who = Registrant(
                line=line,
                first_name=cell("first_name") or "",
                last_name=cell("last_name") or "",
                gender=(cell("gender") or "").upper() or None,
                birth_date=cell("dob"),
                email=cell("email"),
                bib=cell("bib", "bib_num"),
                chip=cell("chip", "chip_num"),
                registration_id=cell("registration_id"),
            )
            problems += _problems(who)
            out.append(who)
    except csv.Error as exc:
        fail(f"{path}, line {reader.line_num}: {exc}.")
    if problems:
        fail("\n".join([*problems, f"Nothing was registered: {len(problems)} problem(s)."]))
    return out


@participants_app.command("import")
def participants_import(
    path: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="CSV with a header.")],
    race: RaceId,
    event: Annotated[int, typer.Option("--event", **ID, help="The event id.")],
    database_url: DatabaseUrl = None,
    as_json: JsonFlag = False,
) -> None:
    """Register people from a CSV: first_name, last_name, and optionally gender, dob
    (YYYY-MM-DD), email, bib, chip, registration_id. Missing registration ids and bibs
    are assigned. All rows or none: every problem is reported with its line."""
    settings = settings_for(database_url)
    people = read_registrants(path)

    async def work(db: Database) -> list[dict[str, Any]]:
        race_row = await _race(db, race)
        out = []
        async with db.write() as session:
            event_row = await races.find_event(session, race_row, event)
            if event_row is None:
                raise Invalid(f"Event {event} is not an event of race {race}.")
            for who in people:
                try:
                    entry = await races.register(
                        session,
                        SYSTEM,
                        race_row,
                        event_row,
                        first_name=who.first_name,
                        last_name=who.last_name,
                        gender=who.gender,
                        birth_date=who.birth_date,
                        email=who.email,
                        bib=who.bib,
                        chip=who.chip,
                        registration_id=who.registration_id,
                    )
                except DomainError as exc:
                    raise type(exc)(f"Line {who.line}: {exc.message}") from None
                out.append(
                    {
                        "registration_id": int(entry.registration_id or 0),
                        "bib_num": as_number(entry.bib),
                        "chip_num": entry.chip,
                        "first_name": who.first_name,
                        "last_name": who.last_name,
                    }
                )
        return out

    made = run_on_store(settings, work)
    if as_json:
        emit_json(made)
    else:
        say(f"Registered {len(made)} participant(s) in event {event}.")


@key_app.command("create")
def key_create(
    race: RaceId,
    name: Annotated[str, typer.Option(help="A label for the key.")] = "",
    database_url: DatabaseUrl = None,
    as_json: JsonFlag = False,
) -> None:
    """Make an api_key/api_secret pair for a race (the secret is shown only once)."""

    async def work(db: Database) -> dict[str, Any]:
        race_row = await _race(db, race)
        async with db.write() as session:
            api_key, api_secret = await auth.create_key(
                session, race, race_row.organization_id, name
            )
        return {"race_id": race, "api_key": api_key, "api_secret": api_secret}

    made = run_on_store(settings_for(database_url), work)
    if as_json:
        emit_json(made)
        return
    say(f"api_key:    {made['api_key']}")
    say(f"api_secret: {made['api_secret']}")


@key_app.command("list")
def key_list(race: RaceId, database_url: DatabaseUrl = None, as_json: JsonFlag = False) -> None:
    """List a race's api keys (never their secrets)."""

    async def work(db: Database) -> list[dict[str, Any]]:
        async with db.read() as session:
            return [_key_json(row) for row in await auth.keys_of(session, race)]

    rows = run_on_store(settings_for(database_url), work)
    if as_json:
        emit_json(rows)
        return
    for row in rows:
        say(f"{row['api_key']}  {'revoked' if row['revoked'] else 'active':<8} {row['name']}")


def _key_json(row: Credential) -> dict[str, Any]:
    return {"api_key": row.identifier, "name": row.name, "revoked": row.revoked_at is not None}


@key_app.command("revoke")
def key_revoke(
    api_key: Annotated[str, typer.Argument(help="The api_key to revoke.")],
    database_url: DatabaseUrl = None,
) -> None:
    """Revoke an api key: both its auth forms are refused from the next request on."""

    async def work(db: Database) -> None:
        async with db.write() as session:
            await auth.revoke_key(session, SYSTEM, api_key)

    run_on_store(settings_for(database_url), work)
    say(f"Revoked api key {api_key}.")


@user_app.command("revoke")
def user_revoke(
    email: Annotated[str, typer.Argument(help="The user's login email.")],
    database_url: DatabaseUrl = None,
) -> None:
    """Revoke a user: logins and every temporary key of the user are refused at once."""

    async def work(db: Database) -> None:
        async with db.write() as session:
            await auth.revoke_user(session, SYSTEM, email)

    run_on_store(settings_for(database_url), work)
    say(f"Revoked user {email}.")


@user_app.command("create")
def user_create(
    email: Annotated[str, typer.Argument(help="The login email.")],
    race: Annotated[
        list[int], typer.Option("--race", **ID, help="A race the user directs (repeatable).")
    ],
    password: Annotated[
        str | None, typer.Option(help="The password; generated (and printed) when omitted.")
    ] = None,
    first_name: Annotated[str, typer.Option(help="First name.")] = "",
    last_name: Annotated[str, typer.Option(help="Last name.")] = "",
    database_url: DatabaseUrl = None,
    as_json: JsonFlag = False,
) -> None:
    """A user who can POST /Rest/login for temporary keys to the given races."""
    secret = password or secrets.token_urlsafe(12)

    async def work(db: Database) -> dict[str, Any]:
        org_ids = {(await _race(db, race_id)).organization_id for race_id in race}
        async with db.write() as session:
            row = await auth.create_user(
                session,
                email,
                secret,
                race,
                org_ids.pop() if len(org_ids) == 1 else None,
                first_name,
                last_name,
            )
        return {"user_id": row.id, "email": row.identifier, "race_ids": race}

    made = run_on_store(settings_for(database_url), work)
    if password is None:
        made["password"] = secret
    if as_json:
        emit_json(made)
    else:
        say(f"Created user {made['email']}.")
        if password is None:
            say(f"Password: {secret}")
