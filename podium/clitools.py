"""What every ``podium`` command shares: options, consoles, and running work on the store.

Kept apart from ``podium.cli`` so the dialects' command groups can use it too.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Annotated, TypeVar

import typer
from rich.console import Console

from podium.config import Settings, get_settings
from podium.core import result_import
from podium.core.errors import DomainError
from podium.store import migrate as migrations
from podium.store.database import Database

console = Console()
err = Console(stderr=True)
T = TypeVar("T")

DatabaseUrl = Annotated[
    str | None,
    typer.Option(
        "--database-url", envvar="PODIUM_DATABASE_URL", help="SQLAlchemy URL of the store."
    ),
]
JsonFlag = Annotated[bool, typer.Option("--json", help="Print machine-readable JSON.")]


def settings_for(database_url: str | None) -> Settings:
    settings = get_settings()
    if database_url:
        settings = settings.model_copy(update={"database_url": database_url})
    return settings


def run_on_store(settings: Settings, work: Callable[[Database], Awaitable[T]]) -> T:
    """Migrate, run ``work`` against the store, and turn domain errors into exit code 1."""

    async def main() -> T:
        database = Database(settings.database_url)
        try:
            await migrations.upgrade(database)
            return await work(database)
        finally:
            await database.dispose()

    try:
        return asyncio.run(main())
    except result_import.ImportRejected:
        raise
    except DomainError as exc:
        err.print(f"[red]error:[/red] {exc.message}")
        raise typer.Exit(1) from None
