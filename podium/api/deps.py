"""Request-scoped dependencies: the database and the acting principal.

Every dependency is ``async def``: FastAPI runs a plain ``def`` dependency in its
thread pool, a thread hand-off per dependency per request for work that never blocks.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Query, Request

from podium.api.pagination import DEFAULT_LIMIT
from podium.core import credentials, limits
from podium.core.errors import Invalid, Unauthenticated
from podium.core.limits import INT64_MAX
from podium.core.principal import Principal
from podium.store.database import Database


async def plain_parameters(request: Request) -> None:
    """No NUL in any path or query parameter of any route (a search, a filter, an id).

    PostgreSQL refuses NUL in text and SQLite would match it literally; refusing it
    here gives every route the same clear 422, before anything is queried or streamed.
    """
    values = [*request.path_params.values(), *request.query_params.multi_items()]
    for value in values:
        for part in value if isinstance(value, tuple) else (value,):
            if isinstance(part, str) and limits.NUL in part:
                raise Invalid("Parameters may not contain NUL characters.")


async def database(request: Request) -> Database:
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
        int, Query(ge=1, le=INT64_MAX, description="Page size (capped by the server).")
    ] = DEFAULT_LIMIT,
) -> tuple[str | None, int]:
    return cursor, min(limit, max_limit(request))


DB = Annotated[Database, Depends(database)]
Actor = Annotated[Principal, Depends(principal)]
PageArgs = Annotated[tuple[str | None, int], Depends(paging)]
