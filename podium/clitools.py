"""What every ``podium`` command shares: options, consoles, output, and running work on
the store.

Kept apart from ``podium.cli`` so the dialects' command groups can use it too.

Every command finds the store the same way: ``--database-url``, else
``PODIUM_DATABASE_URL`` (from the environment or ``.env``), else ``./podium.db``. Only
``podium serve``, ``podium migrate`` and ``podium demo`` may create a new SQLite file;
every other command refuses, in one line, a SQLite store that is not there, so a
command run in the wrong directory does not quietly start an empty store.

A user's mistake never ends in a traceback: domain errors and store problems exit 1
with one line, bad option values exit 2 (click's usage errors).
"""

from __future__ import annotations

import asyncio
import json
import os
from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime, tzinfo
from pathlib import Path
from typing import Annotated, Any, NoReturn, TypeVar

import typer
from alembic.util import CommandError
from pydantic import ValidationError
from rich.console import Console
from rich.markup import escape
from sqlalchemy import make_url
from sqlalchemy.engine import URL
from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError, OperationalError

from podium.config import Settings, get_settings, normalize_database_url
from podium.core import limits, organizations, result_import
from podium.core.errors import DomainError, NotFound
from podium.store import migrate as migrations
from podium.store.database import Database
from podium.store.tables import Organization

console = Console()
err = Console(stderr=True)
T = TypeVar("T")

DatabaseUrl = Annotated[
    str | None,
    typer.Option(
        "--database-url",
        envvar="PODIUM_DATABASE_URL",
        help="SQLAlchemy URL of the store (default: PODIUM_DATABASE_URL, .env, ./podium.db).",
    ),
]
JsonFlag = Annotated[bool, typer.Option("--json", help="Print machine-readable JSON.")]
ORG_HELP = "Organization slug or id."
# Bounds of every id option: beyond them a value is a usage error, not a store error.
ID = {"min": 1, "max": limits.INT64_MAX}
Org = Annotated[str | None, typer.Option("--org", metavar="SLUG|ID", help=ORG_HELP)]


# ---- output -------------------------------------------------------------------------


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value)


def emit_json(data: Any) -> None:
    """``--json`` output of every command: JSON on one line on stdout (not indented; the
    separators of ``json.dumps``, as the dialect commands always printed)."""
    typer.echo(json.dumps(data, default=_plain))


def show(data: Any, as_json: bool, text: str) -> None:
    """``data`` as JSON with ``--json``, else ``text`` for people."""
    if as_json:
        emit_json(data)
    else:
        say(text)


def say(text: str) -> None:
    """A line for people, printed as is (no markup, no highlighting)."""
    console.print(text, markup=False, highlight=False, soft_wrap=True)


def warn(message: str) -> None:
    err.print(f"[yellow]warning:[/yellow] {escape(message)}", highlight=False, soft_wrap=True)


def fail(message: str, code: int = 1) -> NoReturn:
    """A line on stderr per line of ``message``, then exit ``code`` (1: the command
    could not be done; 2: it was not given right)."""
    for line in message.splitlines() or [""]:
        err.print(f"[red]error:[/red] {escape(line)}", highlight=False, soft_wrap=True)
    raise typer.Exit(code)


# ---- reading what users give ----------------------------------------------------------


def read_text(path: Path) -> str:
    """A UTF-8 text file (a BOM is dropped), or one line naming it and exit 1."""
    try:
        return path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        fail(f"No file {path}.")
    except IsADirectoryError:
        fail(f"{path} is a folder, not a file.")
    except UnicodeDecodeError as exc:
        fail(f"{path} is not UTF-8 text (byte {exc.start}).")
    except OSError as exc:
        fail(f"Cannot read {path}: {exc.strerror or exc}.")


def parse_time(value: str | None, option: str, zone: tzinfo = UTC) -> datetime | None:
    """An ISO 8601 date or time as an aware UTC datetime; one without an offset is read
    in ``zone``. A malformed one is a usage error naming ``option``."""
    if value is None:
        return None
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        raise typer.BadParameter(
            f"{value!r} is not an ISO 8601 date or time (e.g. 2025-06-01 or 2025-06-01T09:30).",
            param_hint=f"'{option}'",
        ) from None
    return (parsed if parsed.tzinfo else parsed.replace(tzinfo=zone)).astimezone(UTC)


def choice(
    names: tuple[str, ...] | list[str], *, case_sensitive: bool = True
) -> Callable[[str], str]:
    """A parser for a closed set of option values: anything else is a usage error (exit 2)
    listing them."""
    allowed = tuple(names)

    def parse(value: str) -> str:
        for name in allowed:
            if value == name or (not case_sensitive and value.casefold() == name.casefold()):
                return name
        raise typer.BadParameter(f"{value!r} is not one of {', '.join(allowed)}.")

    return parse


# ---- organizations ---------------------------------------------------------------------


async def organization(db: Database, ref: str) -> Organization:
    """The organization ``ref`` names by slug or by id: the one resolver of every command."""
    found: Organization | None = None
    async with db.read() as session:
        if limits.storable(ref) and len(ref) <= 80:
            found = await organizations.by_slug(session, ref)
        if found is None and (object_id := limits.id_of(ref)) is not None:
            found = await session.get(Organization, object_id)
    if found is None:
        raise NotFound(f"No organization {ref!r}.")
    return found


async def organization_id(db: Database, ref: str | None) -> int | None:
    """The id of the organization ``ref`` names; None when no organization is named."""
    return None if ref is None else (await organization(db, ref)).id


def org_option(org: str | None, alias: object, alias_name: str) -> str | None:
    """``--org``, or the hidden old spelling of the option (kept for existing scripts)."""
    if alias is None:
        return org
    if org is not None and org != str(alias):
        raise typer.BadParameter(f"give --org or {alias_name}, not both.", param_hint="'--org'")
    return str(alias)


def required_org(org: str | None, alias: object, alias_name: str) -> str:
    picked = org_option(org, alias, alias_name)
    if picked is None:
        raise typer.BadParameter(
            "missing: name the organization by slug or id.", param_hint="'--org'"
        )
    return picked


# ---- the store --------------------------------------------------------------------------


def settings_for(database_url: str | None) -> Settings:
    try:
        settings = get_settings()
    except ValidationError as exc:
        first = exc.errors(include_url=False)[0]
        where = "PODIUM_" + "_".join(str(p) for p in first["loc"]).upper()
        fail(f"The setting {where} is not valid: {first['msg']}.")
    if database_url:
        settings = settings.model_copy(update={"database_url": database_url})
    return settings


def _url(settings: Settings) -> URL:
    try:
        url = make_url(normalize_database_url(settings.database_url))
    except ArgumentError:
        # Not echoed: an unreadable URL may still hold a password.
        fail("The store's URL is not a database URL (e.g. sqlite:///podium.db).")
    if url.get_backend_name() not in ("sqlite", "postgresql"):
        fail(f"Podium keeps its data in SQLite or PostgreSQL, not {url.get_backend_name()}.")
    return url


def _shown(url: URL) -> str:
    return url.render_as_string(hide_password=True)


def sqlite_file(settings: Settings) -> Path | None:
    """The absolute path of the store's SQLite file; None for other stores."""
    url = _url(settings)
    if url.get_backend_name() != "sqlite":
        return None
    name = url.database
    if not name or name == ":memory:" or name.startswith("file:") or url.query.get("uri"):
        return None
    return Path(os.path.abspath(name))


def check_store(settings: Settings, *, create: bool = False) -> None:
    """Refuse, in one line, a SQLite store that is not there (unless ``create``), or
    one that cannot be made where it was asked for."""
    path = sqlite_file(settings)  # checks the URL too
    if path is None or path.is_file():
        return
    if path.exists():
        fail(f"The store {path} is not a file.")
    if not create:
        fail(
            f"No Podium store at {path}: run this where the store is, set "
            "PODIUM_DATABASE_URL, or create one with `podium migrate`."
        )
    if not path.parent.is_dir():
        fail(f"No folder {path.parent} to make the store {path.name} in.")


def _store_problem(settings: Settings, exc: BaseException) -> str:
    url = _url(settings)
    where = str(sqlite_file(settings) or _shown(url))
    if isinstance(exc, DBAPIError):
        reason = str(exc.orig).splitlines()[0] if exc.orig is not None else str(exc)
    elif isinstance(exc, OSError):
        reason = exc.strerror or str(exc)
    else:
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return f"Cannot use the store {where}: {reason}."


def run_on_store(
    settings: Settings,
    work: Callable[[Database], Awaitable[T]],
    *,
    create: bool = False,
    migrate: bool = True,
) -> T:
    """Migrate, run ``work`` against the store, and turn domain errors into exit code 1.

    Only ``create`` (``podium migrate``, ``podium demo``, a restore) may make a new SQLite
    file. Without ``migrate`` the schema is left as it is (a backup must not change it).
    """
    check_store(settings, create=create)

    async def main() -> T:
        try:
            database = Database(settings.database_url)
        except (ArgumentError, NoSuchModuleError) as exc:
            fail(f"Cannot use the store {_shown(_url(settings))}: {exc}")
        try:
            try:
                # Opening the store apart, so only its failures (no server, a wrong
                # password, a file that is not a database) read as store problems.
                async with database.engine.connect():
                    pass
            except (OSError, DBAPIError) as exc:
                fail(_store_problem(settings, exc))
            if migrate:
                await migrations.upgrade(database)
            return await work(database)
        finally:
            await database.dispose()

    try:
        return asyncio.run(main())
    except result_import.ImportRejected:
        raise
    except DomainError as exc:
        fail(exc.message)
    except CommandError as exc:
        fail(f"The store's schema is not one this Podium knows ({exc}): is it a newer version?")
    except OperationalError as exc:  # e.g. the store is locked by another process
        fail(_store_problem(settings, exc))
