"""``podium mooshak ...``: contests, problems with their test cases, and contest users."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

import typer

from podium.clitools import (
    DatabaseUrl,
    JsonFlag,
    choice,
    fail,
    org_option,
    organization_id,
    parse_time,
    read_text,
    run_on_store,
    say,
    settings_for,
    show,
)
from podium.core.errors import DomainError
from podium.core.principal import SYSTEM
from podium.dialects.mooshak2 import admin, storage, wire
from podium.store.database import Database

app = typer.Typer(help="Administer the Mooshak 2 dialect.", no_args_is_help=True)
contest_app = typer.Typer(help="Contests.", no_args_is_help=True)
problem_app = typer.Typer(help="Problems.", no_args_is_help=True)
user_app = typer.Typer(help="Contest users (teams, judges, admins).", no_args_is_help=True)
app.add_typer(contest_app, name="contest")
app.add_typer(problem_app, name="problem")
app.add_typer(user_app, name="user")


def _tests(folder: Path) -> list[admin.Case]:
    """The folder's test cases, or one line saying what is wrong with them."""
    try:
        return admin.read_tests(folder)
    except DomainError as exc:
        fail(exc.message)
    except UnicodeDecodeError as exc:
        fail(f"A test case in {folder} is not UTF-8 text (byte {exc.start}).")
    except OSError as exc:
        fail(f"Cannot read the test cases in {folder}: {exc.strerror or exc}.")


@contest_app.command("create")
def contest_create(
    contest_id: Annotated[str, typer.Argument(help="The contest's Mooshak id, e.g. proto_icpc.")],
    designation: Annotated[str | None, typer.Option(help="Its display name.")] = None,
    status: Annotated[
        str,
        typer.Option(
            parser=choice(list(storage.STATUSES), case_sensitive=False),
            help="CREATED, READY, RUNNING, FINISHED or CONCLUDED.",
        ),
    ] = "RUNNING",
    start: Annotated[str | None, typer.Option(help="Start, ISO 8601 (UTC if no zone).")] = None,
    stop: Annotated[str | None, typer.Option(help="Stop, ISO 8601.")] = None,
    org: Annotated[
        str | None,
        typer.Option(
            "--org",
            metavar="SLUG|ID",
            help="Owning organization, slug or id (default: PODIUM_MOOSHAK_ORGANIZATION).",
        ),
    ] = None,
    organization_id_alias: Annotated[
        str | None, typer.Option("--organization-id", hidden=True)
    ] = None,
    database_url: DatabaseUrl = None,
    as_json: JsonFlag = False,
) -> None:
    """Open a contest (an ICPC-scored competition)."""
    settings = settings_for(database_url)
    ref = org_option(org, organization_id_alias, "--organization-id")
    starts = parse_time(start, "--start") or datetime.now(UTC)
    stops = parse_time(stop, "--stop")

    async def work(db: Database) -> dict[str, Any]:
        owner = await organization_id(db, ref)
        async with db.write() as session:
            row = await admin.create_contest(
                session,
                SYSTEM,
                contest_id=contest_id,
                designation=designation or contest_id,
                status=status.upper(),
                start=starts,
                stop=stops,
                organization_id=owner,
                organization_slug=settings.mooshak_organization,
            )
            return {"id": contest_id, "competition_id": row.id, "status": status.upper()}

    out = run_on_store(settings, work)
    show(out, as_json, f"contest {contest_id} (competition {out['competition_id']})")


@problem_app.command("add")
def problem_add(
    contest_id: Annotated[str, typer.Argument(help="The contest's Mooshak id.")],
    problem_id: Annotated[str, typer.Argument(help="The problem's id, e.g. A.")],
    title: Annotated[str, typer.Option(help="Its title.")],
    tests: Annotated[
        Path,
        typer.Option(
            help="A folder of NAME.in/NAME.out test cases; names starting with "
            "sample/public/example are shown to teams.",
            exists=True,
            file_okay=False,
        ),
    ],
    label: Annotated[str | None, typer.Option(help="Scoreboard label (default: the id).")] = None,
    statement: Annotated[
        Path | None, typer.Option(help="An HTML statement file.", exists=True, dir_okay=False)
    ] = None,
    time_limit: Annotated[float, typer.Option(help="Seconds per test case.")] = 1.0,
    memory_limit: Annotated[int, typer.Option(help="Megabytes.")] = 256,
    database_url: DatabaseUrl = None,
    as_json: JsonFlag = False,
) -> None:
    """Add a problem with its statement, limits and test cases."""
    settings = settings_for(database_url)
    cases = _tests(tests)
    text = read_text(statement) if statement else ""

    async def work(db: Database) -> dict[str, Any]:
        async with db.write() as session:
            row = await admin.add_problem(
                session,
                SYSTEM,
                contest_id,
                problem_id=problem_id,
                label=label or problem_id,
                title=title,
                statement=text,
                timeout_seconds=time_limit,
                memory_mb=memory_limit,
                tests=cases,
            )
            return {
                "id": problem_id,
                "challenge_id": row.id,
                "tests": len(cases),
                "public_tests": sum(c.public for c in cases),
            }

    out = run_on_store(settings, work)
    show(out, as_json, f"problem {problem_id} with {out['tests']} test cases")


@user_app.command("create")
def user_create(
    username: Annotated[str, typer.Argument(help="The login name.")],
    password: Annotated[
        str, typer.Option(prompt=True, hide_input=True, help="The password (prompted if omitted).")
    ],
    contest_id: Annotated[
        str | None, typer.Option("--contest", help="The contest; omit for an instance admin.")
    ] = None,
    role: Annotated[
        str,
        typer.Option(
            parser=choice([r.value for r in wire.Role], case_sensitive=False),
            help="TEAM, JUDGE, CREATOR, RUNNER or ADMIN.",
        ),
    ] = "TEAM",
    name: Annotated[str | None, typer.Option(help="Display name (team name).")] = None,
    database_url: DatabaseUrl = None,
    as_json: JsonFlag = False,
) -> None:
    """Create a login; a team also becomes an entry of its contest."""
    settings = settings_for(database_url)

    async def work(db: Database) -> dict[str, Any]:
        async with db.write() as session:
            person = await admin.create_user(
                session,
                SYSTEM,
                username=username,
                password=password,
                role=role,
                contest_id=contest_id,
                name=name,
                organization_slug=settings.mooshak_organization,
            )
            contest = (
                await storage.find_contest(session, contest_id) if contest_id is not None else None
            )
            return {
                "username": username,
                "role": role.upper(),
                "contest": await storage.contest_key(session, contest) if contest else None,
                "person_id": person.id if person else None,
            }

    out = run_on_store(settings, work)
    show(out, as_json, f"user {username} ({out['role']})")


@user_app.command("revoke")
def user_revoke(
    username: Annotated[str, typer.Argument(help="The login name.")],
    contest_id: Annotated[
        str | None, typer.Option("--contest", help="The contest; omit for an instance admin.")
    ] = None,
    database_url: DatabaseUrl = None,
) -> None:
    """Revoke a login: its tokens (access and refresh) are refused at once."""

    async def work(db: Database) -> None:
        async with db.write() as session:
            await admin.revoke_user(session, SYSTEM, username, contest_id)

    run_on_store(settings_for(database_url), work)
    say(f"Revoked user {username}.")
