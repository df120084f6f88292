"""``podium polympics ...``: apps exist only through here, as on the real server."""

from __future__ import annotations

from typing import Annotated, Any

import typer
from sqlalchemy import select

from podium.clitools import ID, DatabaseUrl, JsonFlag, emit_json, run_on_store, say, settings_for
from podium.core.errors import DomainError, NotFound
from podium.core.principal import SYSTEM
from podium.dialects.polympics import accounts, auth, wire
from podium.dialects.polympics.auth_routes import app_json
from podium.store.database import Database
from podium.store.tables import Credential

app = typer.Typer(help="Administer the Polympics dialect (apps, superusers).", no_args_is_help=True)
apps_app = typer.Typer(help="Manage Polympics apps (API clients).", no_args_is_help=True)
app.add_typer(apps_app, name="app")

AppRef = Annotated[str, typer.Argument(help="The app's username (A3), id (3) or name.")]


def _permissions(names: str | None, everything: bool) -> int:
    if everything:
        return wire.APP_PERMISSIONS
    if not names:
        return 0
    try:
        return wire.Permissions.from_names(names.split(",")).to_int() & wire.APP_PERMISSIONS
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="'--permissions'") from None


async def _find_app(db: Database, ref: str) -> Credential:
    async with db.read() as session:
        rows = (await session.scalars(select(Credential).where(Credential.kind == auth.APP))).all()
    number = ref[1:] if ref[:1] in ("A", "a") else ref
    for row in rows:
        if row.identifier == f"A{number}" or row.name == ref:
            return row
    raise NotFound(f"No Polympics app {ref!r}.")


@apps_app.command("create")
def app_create(
    name: Annotated[str, typer.Argument(help="A name to recognise the app by.")],
    permissions: Annotated[
        str | None,
        typer.Option(help="Comma-separated permission names, e.g. manage_teams,manage-awards."),
    ] = None,
    everything: Annotated[
        bool, typer.Option("--all", help="Every permission an app can hold.")
    ] = False,
    database_url: DatabaseUrl = None,
    as_json: JsonFlag = False,
) -> None:
    """Create an app and print its username and password (shown only once)."""
    bits = _permissions(permissions, everything)

    async def work(db: Database) -> dict[str, Any]:
        async with db.write() as session:
            row, token = await auth.create_app(session, name, bits)
            return app_json(row, token)

    created = run_on_store(settings_for(database_url), work)
    if as_json:
        emit_json(created)
        return
    say(f"Username: {created['username']}")
    say(f"Password: {created['password']}")
    names = wire.Permissions.from_int(created["permissions"]).names()
    say(f"Permissions: {', '.join(names) or 'none'}")


@apps_app.command("list")
def app_list(database_url: DatabaseUrl = None, as_json: JsonFlag = False) -> None:
    """List apps (never their passwords)."""

    async def work(db: Database) -> list[dict[str, Any]]:
        async with db.read() as session:
            rows = await session.scalars(
                select(Credential).where(Credential.kind == auth.APP).order_by(Credential.id)
            )
            return [app_json(row) for row in rows]

    rows = run_on_store(settings_for(database_url), work)
    if as_json:
        emit_json(rows)
        return
    for row in rows:
        names = ", ".join(wire.Permissions.from_int(row["permissions"]).names()) or "none"
        say(f"{row['username']:<8} {row['name']:<30} {names}")


@apps_app.command("reset-token")
def app_reset(ref: AppRef, database_url: DatabaseUrl = None, as_json: JsonFlag = False) -> None:
    """Give an app a new password; the old one stops working at once."""

    async def work(db: Database) -> dict[str, Any]:
        found = await _find_app(db, ref)
        async with db.write() as session:
            row = await session.get(Credential, found.id)
            assert row is not None
            return app_json(row, auth.reset(row))

    reset = run_on_store(settings_for(database_url), work)
    if as_json:
        emit_json(reset)
        return
    say(f"Username: {reset['username']}")
    say(f"Password: {reset['password']}")


@apps_app.command("delete")
def app_delete(ref: AppRef, database_url: DatabaseUrl = None, as_json: JsonFlag = False) -> None:
    """Delete an app and its callbacks."""

    async def work(db: Database) -> dict[str, Any]:
        found = await _find_app(db, ref)
        async with db.write() as session:
            row = await session.get(Credential, found.id)
            assert row is not None
            gone = app_json(row)
            await session.delete(row)
            return gone

    gone = run_on_store(settings_for(database_url), work)
    if as_json:
        emit_json(gone)
    else:
        say(f"Deleted app {gone['username']} ({gone['name']}).")


@app.command("superuser")
def superuser(
    account_id: Annotated[int, typer.Argument(**ID, help="The account's Discord id.")],
    database_url: DatabaseUrl = None,
    as_json: JsonFlag = False,
) -> None:
    """Give an account every permission a user can hold."""
    settings = settings_for(database_url)

    async def work(db: Database) -> dict[str, Any]:
        async with db.write() as session:
            org_id = await accounts.ensure_organization(session, settings.polympics_organization)
            person = await accounts.find_account(session, org_id, account_id)
            if person is None:
                raise DomainError(f"No Polympics account {account_id}.")
            principal = SYSTEM
            await accounts.update_account(
                session, principal, person, **{auth.PERMISSIONS_KEY: wire.USER_PERMISSIONS}
            )
            return {"id": str(account_id), "permissions": wire.USER_PERMISSIONS}

    done = run_on_store(settings, work)
    if as_json:
        emit_json(done)
    else:
        say(f"Account {done['id']} now holds every user permission.")
