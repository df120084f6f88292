"""``podium nadeo ...``: accounts, clubs, maps, campaigns, Tracks of the Day, records."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Annotated, Any

import typer

from podium.clitools import (
    DatabaseUrl,
    JsonFlag,
    choice,
    emit_json,
    org_option,
    organization,
    parse_time,
    run_on_store,
    say,
    settings_for,
    show,
)
from podium.core import organizations
from podium.core.organizations import OrganizationCreate
from podium.core.principal import SYSTEM
from podium.dialects.nadeo import admin, content, identity
from podium.store.database import Database

app = typer.Typer(help="Administer the Nadeo (Trackmania) dialect.", no_args_is_help=True)
account_app = typer.Typer(help="Service and dedicated-server accounts.", no_args_is_help=True)
club_app = typer.Typer(help="Clubs.", no_args_is_help=True)
map_app = typer.Typer(help="Maps.", no_args_is_help=True)
campaign_app = typer.Typer(help="Campaigns.", no_args_is_help=True)
totd_app = typer.Typer(help="Tracks of the Day.", no_args_is_help=True)
record_app = typer.Typer(help="Records.", no_args_is_help=True)
for sub, name in (
    (account_app, "account"),
    (club_app, "club"),
    (map_app, "map"),
    (campaign_app, "campaign"),
    (totd_app, "totd"),
    (record_app, "record"),
):
    app.add_typer(sub, name=name)

Club = Annotated[
    str | None,
    typer.Option(
        "--org",
        metavar="SLUG|ID",
        help="The club (organization): slug or id; official content when omitted.",
    ),
]
# The option's old spelling, kept working for existing scripts.
ClubAlias = Annotated[str | None, typer.Option("--club", hidden=True)]


def _write(
    database_url: str | None,
    work: Callable[[Any, int], Awaitable[dict[str, Any]]],
    club: str | None = None,
) -> dict[str, Any]:
    settings = settings_for(database_url)

    async def run(db: Database) -> dict[str, Any]:
        club_id = (await organization(db, club)).id if club is not None else None
        async with db.write() as session:
            org_id = (
                club_id
                if club_id is not None
                else await content.official(session, settings.nadeo_organization)
            )
            return await work(session, org_id)

    return run_on_store(settings, run)


@account_app.command("create")
def account_create(
    name: Annotated[str, typer.Option(help="Display name.")] = "Player",
    login: Annotated[str | None, typer.Option(help="Login (generated when omitted).")] = None,
    password: Annotated[str | None, typer.Option(help="Password (generated when omitted).")] = None,
    server: Annotated[bool, typer.Option("--server", help="A dedicated-server account.")] = False,
    owner: Annotated[str | None, typer.Option(help="Account id owning a server account.")] = None,
    org: Club = None,
    club: ClubAlias = None,
    database_url: DatabaseUrl = None,
    as_json: JsonFlag = False,
) -> None:
    """Create an account and print its login, password and account id."""

    async def work(session: Any, org_id: int) -> dict[str, Any]:
        made = await identity.create_account(
            session,
            SYSTEM,
            org_id,
            name=name,
            login=login,
            password=password,
            server=server,
            owner=owner,
        )
        return {
            "login": made.login,
            "password": made.password,
            "account_id": made.account_id,
            "server": made.server,
        }

    made = _write(database_url, work, org_option(org, club, "--club"))
    show(
        made,
        as_json,
        f"login {made['login']}  password {made['password']}  account {made['account_id']}",
    )


def _accounts(database_url: str | None, work: Callable[[Any], Awaitable[Any]]) -> Any:
    async def run(db: Database) -> Any:
        async with db.write() as session:
            return await work(session)

    return run_on_store(settings_for(database_url), run)


@account_app.command("list")
def account_list(database_url: DatabaseUrl = None, as_json: JsonFlag = False) -> None:
    """List accounts (never their passwords)."""

    async def work(session: Any) -> list[dict[str, Any]]:
        return [
            {
                "login": row.identifier,
                "name": row.name,
                "account_id": row.attributes.get("account_id"),
                "server": row.attributes.get("usage") == "Server",
                "revoked": row.revoked_at is not None,
            }
            for row in await identity.list_accounts(session)
        ]

    rows = _accounts(database_url, work)
    if as_json:
        emit_json(rows)
        return
    for row in rows:
        state = "revoked" if row["revoked"] else "active"
        say(f"{row['login']:<24} {row['account_id']}  {state:<8} {row['name']}")


@account_app.command("revoke")
def account_revoke(
    login: Annotated[str, typer.Argument(help="The account's login.")],
    database_url: DatabaseUrl = None,
) -> None:
    """Revoke an account: its logins and every token it holds are refused at once."""
    _accounts(database_url, lambda s: identity.revoke_account(s, SYSTEM, login))
    say(f"Revoked account {login}.")


@account_app.command("password")
def account_password(
    login: Annotated[str, typer.Argument(help="The account's login.")],
    password: Annotated[str | None, typer.Option(help="Generated when omitted.")] = None,
    database_url: DatabaseUrl = None,
    as_json: JsonFlag = False,
) -> None:
    """Give an account a new password; tokens issued before it stop working at once."""
    made = _accounts(database_url, lambda s: identity.reset_password(s, SYSTEM, login, password))
    show({"login": login, "password": made}, as_json, f"login {login}  password {made}")


@club_app.command("create")
def club_create(
    name: Annotated[str, typer.Argument(help="The club's name.")],
    database_url: DatabaseUrl = None,
    as_json: JsonFlag = False,
) -> None:
    """Create a club (an organization)."""

    async def run(db: Database) -> dict[str, Any]:
        slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:60] or "club"
        async with db.write() as session:
            org = await organizations.create_organization(
                session, SYSTEM, OrganizationCreate(slug=f"club-{slug}", name=name)
            )
            return {"club_id": org.id, "name": org.name}

    made = run_on_store(settings_for(database_url), run)
    show(made, as_json, f"Club {made['club_id']} ({made['name']})")


@map_app.command("create")
def map_create(
    name: Annotated[str, typer.Argument(help="The map's name.")],
    author: Annotated[str, typer.Option(help="Author account id.")],
    author_time: Annotated[int, typer.Option(help="Author medal time in ms.")],
    uid: Annotated[str | None, typer.Option(help="Map UID (generated when omitted).")] = None,
    review: Annotated[
        str | None, typer.Option(help="Submit to a map review: totd, weekly-shorts.")
    ] = None,
    org: Club = None,
    club: ClubAlias = None,
    database_url: DatabaseUrl = None,
    as_json: JsonFlag = False,
) -> None:
    """Create a map."""
    made = _write(
        database_url,
        lambda s, org_id: admin.add_map(
            s, SYSTEM, org_id, name, author, author_time, uid=uid, review=review
        ),
        org_option(org, club, "--club"),
    )
    show(made, as_json, f"Map {made['map_uid']}")


@campaign_app.command("create")
def campaign_create(
    name: Annotated[str, typer.Argument(help="The campaign's name.")],
    map_uid: Annotated[list[str], typer.Option("--map", help="A map UID (repeatable, in order).")],
    use_case: Annotated[
        str,
        typer.Option(
            parser=choice(list(admin.USE_CASES)),
            help="seasonal, weekly-shorts, weekly-grands or club.",
        ),
    ] = "seasonal",
    start: Annotated[str | None, typer.Option(help="Start (ISO); now when omitted.")] = None,
    end: Annotated[str | None, typer.Option(help="End (ISO); open when omitted.")] = None,
    private: Annotated[bool, typer.Option(help="Club members only.")] = False,
    org: Club = None,
    club: ClubAlias = None,
    database_url: DatabaseUrl = None,
    as_json: JsonFlag = False,
) -> None:
    """Create a campaign of maps."""
    starts = parse_time(start, "--start") or datetime.now(UTC)
    ends = parse_time(end, "--end")
    made = _write(
        database_url,
        lambda s, org_id: admin.add_campaign(
            s, SYSTEM, org_id, name, use_case, map_uid, starts, ends, public=not private
        ),
        org_option(org, club, "--club"),
    )
    show(made, as_json, f"Campaign {made['campaign_id']} (group {made['season_uid']})")


@totd_app.command("add")
def totd_add(
    day: Annotated[str, typer.Argument(help="The day (ISO date); it starts at 18:00 UTC.")],
    map_uid: Annotated[str, typer.Argument(help="The map UID.")],
    royal: Annotated[
        bool, typer.Option(help="A Royal map rather than a Track of the Day.")
    ] = False,
    database_url: DatabaseUrl = None,
    as_json: JsonFlag = False,
) -> None:
    """Schedule a Track of the Day."""
    when = parse_time(day, "DAY")
    assert when is not None
    made = _write(
        database_url,
        lambda s, org_id: admin.add_totd(s, SYSTEM, org_id, when, map_uid, royal=royal),
    )
    show(made, as_json, f"Track of the Day {made['campaign_id']} from {made['start']}")


@record_app.command("submit")
def record_submit(
    account_id: Annotated[str, typer.Argument(help="The account id.")],
    map_uid: Annotated[str, typer.Argument(help="The map UID.")],
    score: Annotated[int, typer.Argument(help="The time in ms.")],
    database_url: DatabaseUrl = None,
    as_json: JsonFlag = False,
) -> None:
    """Submit a time; it replaces the account's record only when better."""
    made = _write(
        database_url, lambda s, _org: admin.submit_record(s, SYSTEM, account_id, map_uid, score)
    )
    improved = any(made["improved"].values())
    made["improved"] = {str(k): v for k, v in made["improved"].items()}
    show(made, as_json, "New record." if improved else "Not better than the current record.")
