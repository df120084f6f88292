"""The keyed-read baseline: bare Starlette endpoints, each one SELECT on the raw driver.

Same driver as Podium (aiosqlite or asyncpg), same JSON as Podium's routes for the
seeded rows (plain accounts and people: no team, no awards), one uvicorn worker.
"""

from __future__ import annotations

import argparse
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Any

import orjson
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

URL = os.environ["BENCH_DATABASE_URL"]
SQLITE = URL.startswith("sqlite")

ACCOUNT = (
    "SELECT e.value, p.name, p.avatar_url, p.attributes, p.created_at FROM people p"
    " JOIN external_ids e ON e.object_id = p.id AND e.object_kind = 'person'"
    " AND e.scheme = 'discord' WHERE e.value = {0} AND p.organization_id = {1}"
)
PERSON = (
    "SELECT p.id, p.created_at, p.updated_at, p.attributes, p.name, p.organization_id,"
    " p.given_name, p.family_name, p.email, p.country, p.gender, p.birth_date, p.avatar_url,"
    " e.scheme, e.value FROM people p LEFT JOIN external_ids e ON e.object_id = p.id"
    " AND e.object_kind = 'person' WHERE p.id = {0}"
)


def _when(value: Any) -> datetime:
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    assert isinstance(value, datetime)
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _json(value: Any) -> Any:
    return orjson.loads(value) if isinstance(value, str | bytes) else value


class Store:
    def __init__(self) -> None:
        self.sqlite: Any = None
        self.pool: Any = None

    async def open(self) -> None:
        if SQLITE:
            import aiosqlite

            self.sqlite = await aiosqlite.connect(URL.split("///", 1)[1])
        else:
            import asyncpg

            dsn = URL.replace("postgresql+asyncpg://", "postgresql://")
            self.pool = await asyncpg.create_pool(dsn, min_size=8, max_size=8)

    async def close(self) -> None:
        if self.sqlite is not None:
            await self.sqlite.close()
        if self.pool is not None:
            await self.pool.close()

    async def rows(self, sql: str, *args: Any) -> list[Any]:
        if SQLITE:
            cursor = await self.sqlite.execute(sql.format(*["?"] * len(args)), args)
            return list(await cursor.fetchall())
        marks = [f"${i}" for i in range(1, len(args) + 1)]
        return list(await self.pool.fetch(sql.format(*marks), *args))


store = Store()


def _stamp(value: Any) -> float:
    return _when(value).timestamp()


async def account(request: Request) -> Response:
    org = int(request.app.state.org)
    found = await store.rows(ACCOUNT, request.path_params["id"], org)
    if not found:
        return Response(b'{"detail":"Not found"}', 404, media_type="application/json")
    value, name, avatar_url, attributes, created_at = found[0]
    attributes = _json(attributes)
    body = {
        "id": value,
        "name": name,
        "discriminator": str(attributes.get("discriminator", "0000")),
        "avatar_url": avatar_url,
        "team": None,
        "permissions": attributes.get("polympics_permissions", 0),
        "created_at": _stamp(created_at),
        "awards": [],
    }
    return Response(orjson.dumps(body), media_type="application/json")


async def person(request: Request) -> Response:
    found = await store.rows(PERSON, int(request.path_params["id"]))
    if not found:
        return Response(b'{"detail":"Not found"}', 404, media_type="application/json")
    first = found[0]
    body = {
        "id": first[0],
        "created_at": _when(first[1]),
        "updated_at": _when(first[2]),
        "attributes": _json(first[3]),
        "name": first[4],
        "organization_id": first[5],
        "given_name": first[6],
        "family_name": first[7],
        "email": first[8],
        "country": first[9],
        "gender": first[10],
        "birth_date": first[11],
        "avatar_url": first[12],
        "external_ids": {row[13]: row[14] for row in found if row[13] is not None},
    }
    return Response(orjson.dumps(body, option=orjson.OPT_UTC_Z), media_type="application/json")


async def health(_request: Request) -> Response:
    return Response(b'{"status":"ok"}', media_type="application/json")


@asynccontextmanager
async def lifespan(app: Starlette) -> AsyncIterator[None]:
    await store.open()
    app.state.org = os.environ.get("BENCH_POLYMPICS_ORG", "0")
    yield
    await store.close()


app = Starlette(
    routes=[
        Route("/polympics/account/{id}", account),
        Route("/api/v1/people/{id}", person),
        Route("/healthz", health),
    ],
    lifespan=lifespan,
)

if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    uvicorn.run(app, host="127.0.0.1", port=parser.parse_args().port, log_level="warning")
