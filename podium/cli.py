"""The ``podium`` command: serve, migrate, demo, and organizer administration."""

from __future__ import annotations

import asyncio
import io
import json
import os
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any

import typer
import uvicorn
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table
from sqlalchemy import select

from podium import __version__, demo
from podium.clitools import (
    DatabaseUrl,
    JsonFlag,
    console,
    err,
    run_on_store,
    settings_for,
)
from podium.config import get_settings
from podium.core import credentials, limits, organizations, result_import
from podium.core.errors import DomainError
from podium.core.organizations import OrganizationCreate
from podium.core.principal import SCOPES, SYSTEM
from podium.dialects.mooshak2 import cli as mooshak_cli
from podium.dialects.multigp import cli as multigp_cli
from podium.dialects.nadeo import cli as nadeo_cli
from podium.dialects.polympics import cli as polympics_cli
from podium.dialects.runsignup import cli as runsignup_cli
from podium.feed import cli as webhook_cli
from podium.logs import configure
from podium.store.database import Database
from podium.store.tables import Organization

app = typer.Typer(
    help="Podium: a self-hostable competition results platform.", no_args_is_help=True
)
org_app = typer.Typer(help="Manage organizations.", no_args_is_help=True)
token_app = typer.Typer(help="Manage native API tokens.", no_args_is_help=True)
results_app = typer.Typer(help="Import results.", no_args_is_help=True)
credential_app = typer.Typer(
    help="List and revoke credentials of every kind (tokens, dialect keys, logins).",
    no_args_is_help=True,
)
app.add_typer(org_app, name="org")
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
) -> None:
    """Serve Podium over HTTP (migrates the store first)."""
    settings = settings_for(database_url)
    if workers > 1 and settings.database_url.startswith("sqlite"):
        err.print("[red]error:[/red] several workers need PostgreSQL; SQLite serves one process.")
        raise typer.Exit(2)
    os.environ["PODIUM_DATABASE_URL"] = settings.database_url
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
    )


@app.command()
def migrate(database_url: DatabaseUrl = None) -> None:
    """Bring the store's schema up to date."""
    run_on_store(settings_for(database_url), lambda _db: asyncio.sleep(0))
    console.print("The store is up to date.")


@app.command("demo")
def load_demo(database_url: DatabaseUrl = None, as_json: JsonFlag = False) -> None:
    """Load the demo dataset. Running it again changes nothing."""
    loaded = run_on_store(settings_for(database_url), demo.load)
    if as_json:
        console.print_json(json.dumps(loaded))
        return
    if loaded["created"]:
        console.print(f"Loaded demo organizations: {', '.join(loaded['created'])}.")
    else:
        console.print("The demo data is already loaded.")


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
    if as_json:
        console.print_json(json.dumps(created))
    else:
        console.print(f"Created organization {created['id']} ({created['slug']}).")


@org_app.command("list")
def org_list(database_url: DatabaseUrl = None, as_json: JsonFlag = False) -> None:
    """List organizations."""

    async def work(db: Database) -> list[dict[str, Any]]:
        async with db.read() as session:
            rows = (await session.scalars(select(Organization).order_by(Organization.id))).all()
            return [{"id": o.id, "slug": o.slug, "name": o.name} for o in rows]

    rows = run_on_store(settings_for(database_url), work)
    if as_json:
        console.print_json(json.dumps(rows))
        return
    for row in rows:
        console.print(f"{row['id']:>5}  {row['slug']:<24} {row['name']}")


async def _org_id(db: Database, org: str | None) -> int | None:
    if org is None:
        return None
    async with db.read() as session:
        found = await organizations.by_slug(session, org)
        if found is None and (object_id := limits.id_of(org)) is not None:
            found = await session.get(Organization, object_id)
    if found is None:
        raise DomainError(f"No organization {org!r}.")
    return found.id


@token_app.command("create")
def token_create(
    org: Annotated[
        str | None, typer.Option("--org", help="Organization slug or id; omit for instance-wide.")
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
    unknown = [s for s in wanted if s not in SCOPES]
    if unknown or not wanted:
        err.print(f"[red]error:[/red] --scopes takes {', '.join(SCOPES)}; not {scopes!r}.")
        raise typer.Exit(2)

    async def work(db: Database) -> dict[str, Any]:
        command = credentials.TokenCreate(
            organization_id=await _org_id(db, org),
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

    try:
        created = run_on_store(settings_for(database_url), work)
    except ValueError as exc:
        err.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(2) from None
    if as_json:
        console.print_json(json.dumps(created))
    else:
        console.print(created["token"], soft_wrap=True, highlight=False)


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
        console.print_json(json.dumps(rows))
        return
    for row in rows:
        state = "revoked" if row["revoked"] else "active"
        console.print(f"{row['id']:>5}  {','.join(row['scopes']):<16} {state:<8} {row['name']}")


@token_app.command("revoke")
def token_revoke(token_id: int, database_url: DatabaseUrl = None) -> None:
    """Revoke an API token at once."""

    async def work(db: Database) -> None:
        async with db.write() as session:
            await credentials.revoke_token(session, SYSTEM, token_id)

    run_on_store(settings_for(database_url), work)
    console.print(f"Revoked token {token_id}.")


@credential_app.command("list")
def credential_list(
    org: Annotated[str | None, typer.Option("--org", help="Organization slug or id.")] = None,
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
        organization_id = await _org_id(db, org)
        async with db.read() as session:
            rows = await credentials.list_credentials(
                session, SYSTEM, organization_id=organization_id, kinds=kind, sessions=sessions
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
        console.print_json(json.dumps(rows))
        return
    for row in rows:
        state = "revoked" if row["revoked"] else "active"
        console.print(
            f"{row['id']:>5}  {row['label']:<26} {state:<8} {row['identifier']}  {row['name']}",
            highlight=False,
        )


@credential_app.command("revoke")
def credential_revoke(
    credential_id: Annotated[int, typer.Argument(help="The id `podium credential list` shows.")],
    database_url: DatabaseUrl = None,
) -> None:
    """Revoke a credential of any kind: refused from the next request on, by every worker."""

    async def work(db: Database) -> str:
        async with db.write() as session:
            row = await credentials.revoke(session, SYSTEM, credential_id)
            return f"{credentials.kind_of(row).label} {row.identifier}"

    console.print(f"Revoked {run_on_store(settings_for(database_url), work)}.", highlight=False)


@results_app.command("import")
def results_import(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="A CSV file.")],
    competition: Annotated[int, typer.Option("--competition", "-c", help="Competition id.")],
    skip_invalid: Annotated[
        bool, typer.Option("--skip-invalid", help="Store the valid rows, report the others.")
    ] = False,
    database_url: DatabaseUrl = None,
    as_json: JsonFlag = False,
) -> None:
    """Import results from CSV: all rows or none, every problem reported by line."""
    text = file.read_text(encoding="utf-8-sig")
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
        report = run_on_store(settings_for(database_url), work)
    except result_import.ImportRejected as rejected:
        _print_report(rejected.report, as_json, stored=False)
        raise typer.Exit(1) from None
    _print_report(report, as_json, stored=True)


def _print_report(report: result_import.ImportReport, as_json: bool, *, stored: bool) -> None:
    errors = [{"line": e.line, "column": e.column, "reason": e.reason} for e in report.errors]
    if as_json:
        console.print_json(
            json.dumps(
                {
                    "rows": report.rows,
                    "stored": report.stored if stored else 0,
                    "errors": errors,
                    "warnings": report.warnings,
                }
            )
        )
        return
    for warning in report.warnings:
        err.print(f"[yellow]warning:[/yellow] {warning}")
    if errors:
        table = Table("line", "column", "reason", title="Problems")
        for e in errors:
            table.add_row(str(e["line"]), str(e["column"]), str(e["reason"]))
        err.print(table)
    if stored:
        console.print(f"Stored {report.stored} of {report.rows} rows.")
    else:
        err.print(f"[red]Nothing was stored:[/red] {len(errors)} problem(s) in {report.rows} rows.")


def main() -> None:
    app()
