"""Request-scoped dependencies: the database and the acting principal."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Query, Request

from podium.api.pagination import DEFAULT_LIMIT
from podium.core import credentials
from podium.core.errors import Unauthenticated
from podium.core.principal import Principal
from podium.store.database import Database


def database(request: Request) -> Database:
    db: Database = request.app.state.database
    return db


async def principal(request: Request, db: Annotated[Database, Depends(database)]) -> Principal:
    """The principal of the ``Authorization: Bearer`` token; every v1 route needs one."""
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthenticated("Send an API token as 'Authorization: Bearer <token>'.")
    async with db.read() as session:
        return await credentials.authenticate_token(session, token.strip())


def max_limit(request: Request) -> int:
    return int(request.app.state.settings.max_page_size)


async def paging(
    request: Request,
    cursor: Annotated[str | None, Query(description="Opaque cursor from next_cursor.")] = None,
    limit: Annotated[
        int, Query(ge=1, description="Page size (capped by the server).")
    ] = DEFAULT_LIMIT,
) -> tuple[str | None, int]:
    return cursor, min(limit, max_limit(request))


DB = Annotated[Database, Depends(database)]
Actor = Annotated[Principal, Depends(principal)]
PageArgs = Annotated[tuple[str | None, int], Depends(paging)]
