"""``podium runsignup ...``: races with events, participants, keys and API users."""

from __future__ import annotations

import csv
import io
import json
import secrets
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any

import typer
from sqlalchemy import select

from podium.clitools import DatabaseUrl, JsonFlag, console, run_on_store, settings_for
from podium.core import limits
from podium.core.errors import DomainError, Invalid
from podium.core.principal import SYSTEM
from podium.dialects.runsignup import auth, races
from podium.dialects.runsignup.uploads import as_number
from podium.store.database import Database
from podium.store.tables import Competition, Credential, Organization

app = typer.Typer(help="Administer the RunSignup dialect.", no_args_is_help=True)
race_app = typer.Typer(help="Races and their events.", no_args_is_help=True)
participants_app = typer.Typer(help="Registrations.", no_args_is_help=True)
key_app = typer.Typer(help="API keys of a race.", no_args_is_help=True)
user_app = typer.Typer(help="Users who log in with POST /Rest/login.", no_args_is_help=True)
app.add_typer(race_app, name="race")
app.add_typer(participants_app, name="participants")
app.add_typer(key_app, name="key")
app.add_typer(user_app, name="user")

RaceId = Annotated[int, typer.Option("--race", help="The race id.")]


def _echo(data: Any) -> None:
    typer.echo(json.dumps(data))


async def _organization(db: Database, ref: str) -> int:
    async with db.read() as session:
        found = await session.scalar(select(Organization.id).where(Organization.slug == ref))
        if found is None and (object_id := limits.id_of(ref)) is not None:
            found = await session.scalar(
                select(Organization.id).where(Organization.id == object_id)
            )
    if found is None:
        raise DomainError(f"No organization {ref!r}.")
    return int(found)


async def _race(db: Database, race_id: int) -> Competition:
    async with db.read() as session:
        race = await races.find_race(session, race_id)
    if race is None:
        raise DomainError(f"No RunSignup race {race_id}.")
    return race


@race_app.command("create")
def race_create(
    name: Annotated[str, typer.Argument(help="The race's name.")],
    org: Annotated[str, typer.Option("--org", help="Organization slug or id.")],
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
        org_id = await _organization(db, org)
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
        _echo(created)
        return
    console.print(f"Created race {created['race_id']} ({created['name']}).")
    for item in created["events"]:
        kind = "virtual " if item["virtual"] else ""
        console.print(f"  {kind}event {item['event_id']}: {item['name']}")


@participants_app.command("import")
def participants_import(
    path: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="CSV with a header.")],
    race: RaceId,
    event: Annotated[int, typer.Option("--event", help="The event id.")],
    database_url: DatabaseUrl = None,
    as_json: JsonFlag = False,
) -> None:
    """Register people from a CSV: first_name, last_name, and optionally gender, dob,
    email, bib, chip, registration_id. Missing registration ids and bibs are assigned."""
    rows = list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8-sig"))))

    async def work(db: Database) -> list[dict[str, Any]]:
        race_row = await _race(db, race)
        out = []
        async with db.write() as session:
            event_row = await races.find_event(session, race_row, event)
            if event_row is None:
                raise Invalid(f"Event {event} is not an event of race {race}.")
            for line, row in enumerate(rows, start=2):
                first = (row.get("first_name") or "").strip()
                last = (row.get("last_name") or "").strip()
                if not first and not last:
                    raise Invalid(f"Line {line}: first_name or last_name is required.")
                entry = await races.register(
                    session,
                    SYSTEM,
                    race_row,
                    event_row,
                    first_name=first,
                    last_name=last,
                    gender=(row.get("gender") or "").strip().upper() or None,
                    birth_date=(row.get("dob") or "").strip() or None,
                    email=(row.get("email") or "").strip() or None,
                    bib=(row.get("bib") or row.get("bib_num") or "").strip() or None,
                    chip=(row.get("chip") or row.get("chip_num") or "").strip() or None,
                    registration_id=(row.get("registration_id") or "").strip() or None,
                )
                out.append(
                    {
                        "registration_id": int(entry.registration_id or 0),
                        "bib_num": as_number(entry.bib),
                        "chip_num": entry.chip,
                        "first_name": first,
                        "last_name": last,
                    }
                )
        return out

    made = run_on_store(settings_for(database_url), work)
    if as_json:
        _echo(made)
    else:
        console.print(f"Registered {len(made)} participant(s) in event {event}.")


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
        _echo(made)
        return
    console.print(f"api_key:    {made['api_key']}")
    console.print(f"api_secret: {made['api_secret']}")


@key_app.command("list")
def key_list(race: RaceId, database_url: DatabaseUrl = None, as_json: JsonFlag = False) -> None:
    """List a race's api keys (never their secrets)."""

    async def work(db: Database) -> list[dict[str, Any]]:
        async with db.read() as session:
            return [_key_json(row) for row in await auth.keys_of(session, race)]

    rows = run_on_store(settings_for(database_url), work)
    if as_json:
        _echo(rows)
        return
    for row in rows:
        console.print(
            f"{row['api_key']}  {'revoked' if row['revoked'] else 'active':<8} {row['name']}"
        )


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
    console.print(f"Revoked api key {api_key}.")


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
    console.print(f"Revoked user {email}.")


@user_app.command("create")
def user_create(
    email: Annotated[str, typer.Argument(help="The login email.")],
    race: Annotated[
        list[int], typer.Option("--race", help="A race the user directs (repeatable).")
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
        _echo(made)
    else:
        console.print(f"Created user {made['email']}.")
        if password is None:
            console.print(f"Password: {secret}")
