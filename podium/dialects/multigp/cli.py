"""``podium multigp ...``: chapters with their API keys, and races with a schedule."""

from __future__ import annotations

import csv
import io
import re
import secrets
from pathlib import Path
from typing import Annotated, Any

import typer
from sqlalchemy import select

from podium.clitools import (
    DatabaseUrl,
    JsonFlag,
    emit_json,
    organization,
    read_text,
    required_org,
    run_on_store,
    say,
    settings_for,
)
from podium.core import limits, organizations
from podium.core.errors import DomainError, Invalid
from podium.core.organizations import OrganizationCreate
from podium.core.principal import SYSTEM
from podium.dialects.multigp import auth, races, wire
from podium.store.database import Database
from podium.store.tables import Organization

app = typer.Typer(help="Administer the MultiGP RaceSync dialect.", no_args_is_help=True)
chapter_app = typer.Typer(help="Chapters and their API keys.", no_args_is_help=True)
race_app = typer.Typer(help="Races, their pilots and schedules.", no_args_is_help=True)
app.add_typer(chapter_app, name="chapter")
app.add_typer(race_app, name="race")


def _slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:80] or "chapter"


@chapter_app.command("create")
def chapter_create(
    name: Annotated[str, typer.Argument(help="The chapter's name.")],
    slug: Annotated[str | None, typer.Option(help="Organization slug (from the name).")] = None,
    database_url: DatabaseUrl = None,
    as_json: JsonFlag = False,
) -> None:
    """Make a chapter (an organization, reused if the slug exists) and an API key for it."""

    async def work(db: Database) -> dict[str, Any]:
        async with db.write() as session:
            wanted = slug or _slug(name)
            org = await session.scalar(select(Organization).where(Organization.slug == wanted))
            if org is None:
                org = await organizations.create_organization(
                    session, SYSTEM, OrganizationCreate(slug=wanted, name=name)
                )
            key = await auth.create_key(session, org.id, name)
            return {"chapter_id": org.id, "chapter_name": org.name, "api_key": key}

    made = run_on_store(settings_for(database_url), work)
    if as_json:
        emit_json(made)
        return
    say(f"Chapter {made['chapter_id']} ({made['chapter_name']})")
    say(f"API key: {made['api_key']}")


def read_pilots(path: Path) -> list[races.PilotSpec]:
    """Pilots from a CSV: pilotId, firstName, lastName[, userName, aircraftName]."""
    out = []
    problems = []
    for line, row in enumerate(csv.DictReader(io.StringIO(read_text(path))), start=2):
        pilot_id = (row.get("pilotId") or "").strip()
        if not limits.digits(pilot_id) or len(pilot_id) > 18:
            problems.append(f"Line {line}: pilotId must be a MultiGP pilot id (digits).")
            continue
        out.append(
            races.PilotSpec(
                pilot_id,
                (row.get("firstName") or "").strip(),
                (row.get("lastName") or "").strip(),
                (row.get("userName") or "").strip(),
                (row.get("aircraftName") or "").strip() or None,
            )
        )
    if problems:
        raise Invalid("\n".join(problems))
    return out


@race_app.command("create")
def race_create(
    name: Annotated[str, typer.Argument(help="The race's name.")],
    org: Annotated[
        str | None,
        typer.Option("--org", metavar="SLUG|ID", help="The chapter (organization): slug or id."),
    ] = None,
    chapter: Annotated[str | None, typer.Option("--chapter", hidden=True)] = None,
    pilots: Annotated[
        Path | None,
        typer.Option(
            help="CSV of pilots: pilotId,firstName,lastName,userName,aircraftName.",
            exists=True,
            dir_okay=False,
        ),
    ] = None,
    scoring: Annotated[
        str,
        typer.Option(
            help="scoringFormat: 0 aggregate laps, 1 fastest lap, "
            "2 fastest 3 consecutive, 6 fastest 2 consecutive."
        ),
    ] = "0",
    zippyq: Annotated[
        bool, typer.Option(help="An open ZippyQ race (no schedule; pilots queue).")
    ] = False,
    cycles: Annotated[int, typer.Option(min=1, max=100, help="Rounds in the schedule.")] = 1,
    slots: Annotated[int, typer.Option(min=1, max=16, help="Pilots per heat.")] = 8,
    profile: Annotated[
        str, typer.Option(help="Frequency profile: raceband or fatshark.")
    ] = "raceband",
    depth: Annotated[int, typer.Option(min=1, max=50, help="ZippyQ packs a pilot may queue.")] = 5,
    database_url: DatabaseUrl = None,
    as_json: JsonFlag = False,
) -> None:
    """Create a race, enter its pilots and generate its heats."""
    if scoring not in wire.SCORING_FORMATS:
        raise typer.BadParameter(
            f"use one of {', '.join(wire.SCORING_FORMATS)}", param_hint="'--scoring'"
        )
    if profile not in wire.PROFILES:
        raise typer.BadParameter(f"use one of {', '.join(wire.PROFILES)}", param_hint="'--profile'")
    ref = required_org(org, chapter, "--chapter")
    spec = races.RaceSpec(name, scoring, zippyq, cycles, slots, profile, depth if zippyq else 0)

    async def work(db: Database) -> dict[str, Any]:
        pilot_specs = read_pilots(pilots) if pilots else []
        chapter_id = (await organization(db, ref)).id
        async with db.write() as session:
            race = await races.create_race(session, SYSTEM, chapter_id, spec, pilot_specs)
            heats = -(-len(pilot_specs) // slots) if pilot_specs and not zippyq else 0
            return {
                "race_id": race.id,
                "name": race.name,
                "pilots": len(pilot_specs),
                "heats_per_round": heats,
            }

    made = run_on_store(settings_for(database_url), work)
    if as_json:
        emit_json(made)
    else:
        say(
            f"Race {made['race_id']} ({made['name']}): {made['pilots']} pilots, "
            f"{made['heats_per_round']} heat(s) per round."
        )


user_app = typer.Typer(help="Pilot logins for user/login.", no_args_is_help=True)
app.add_typer(user_app, name="user")


@user_app.command("create")
def user_create(
    user_name: Annotated[str, typer.Argument(help="The login name.")],
    pilot_id: Annotated[str, typer.Option("--pilot-id", help="The pilot's MultiGP id.")],
    password: Annotated[
        str | None, typer.Option(help="Generated (and printed) when omitted.")
    ] = None,
    database_url: DatabaseUrl = None,
    as_json: JsonFlag = False,
) -> None:
    """A login for an existing pilot, for the RaceSync apps' user/login."""
    secret = password or secrets.token_urlsafe(12)

    async def work(db: Database) -> dict[str, Any]:
        async with db.write() as session:
            person = await races.pilot(session, pilot_id)
            if person is None:
                raise DomainError(f"No pilot with MultiGP id {pilot_id}.")
            await auth.create_user(session, user_name, secret, person.id, person.organization_id)
        return {"userName": user_name, "pilotId": pilot_id}

    made = run_on_store(settings_for(database_url), work)
    if password is None:
        made["password"] = secret
    if as_json:
        emit_json(made)
    else:
        say(f"Login {made['userName']} for pilot {pilot_id}.")
        if password is None:
            say(f"Password: {secret}")
