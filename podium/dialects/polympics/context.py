"""What every Polympics route needs: settings, the store, the caller, parsed input."""

from __future__ import annotations

import math
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any, TypeVar

from fastapi import Request
from sqlalchemy import Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from podium.config import Settings
from podium.dialects.polympics import accounts, auth
from podium.dialects.polympics.auth import Caller
from podium.dialects.polympics.forms import BIGINT, Finder, Integer, Refused
from podium.dialects.polympics.problems import Issue
from podium.dialects.polympics.wire import DEFAULT_PER_PAGE
from podium.feed.deliveries import Deliveries
from podium.store.database import Database

T = TypeVar("T")


@dataclass
class Context:
    settings: Settings
    database: Database
    deliveries: Deliveries | None
    session_age: timedelta
    _org_id: int | None = field(default=None, init=False)

    @classmethod
    def of(cls, request: Request) -> Context:
        ctx: Context = request.app.state.polympics
        return ctx

    async def org_id(self) -> int:
        """The served organization, created by the first request that needs it."""
        if self._org_id is None:
            async with self.database.read() as session:
                found = await accounts.organization_id(
                    session, self.settings.polympics_organization
                )
            if found is None:
                async with self.database.write() as session:
                    found = await accounts.ensure_organization(
                        session, self.settings.polympics_organization
                    )
            self._org_id = found
        return self._org_id

    async def caller(self, request: Request) -> Caller:
        """The caller of a route that needs a Basic header (401 without one)."""
        username, password = auth.basic_credentials(request.headers.get("authorization"))
        async with self.database.read() as session:
            caller, expired = await auth.resolve(session, username, password)
        if expired:
            async with self.database.write() as session:
                await auth.drop_expired(session, username)
        return caller

    async def write(self, work: Callable[[AsyncSession], Awaitable[T]]) -> T:
        """Run ``work`` in one transaction, then wake the deliveries it may have owed."""
        async with self.database.write() as session:
            result = await work(session)
        if self.deliveries is not None:
            self.deliveries.wake()
        return result


def finder(session: AsyncSession, org_id: int) -> Finder:
    """Looks records up for ``forms`` by the ids the Polympics wire uses."""

    async def find(model: str, number: int) -> Any:
        if model == "Account":
            return await accounts.find_account(session, org_id, number)
        if model == "Team":
            return await accounts.find_team(session, org_id, number)
        if model == "Award":
            return await accounts.find_award(session, org_id, number)
        raise AssertionError(f"no Polympics model {model!r}")

    return find


@dataclass(frozen=True)
class PageArgs:
    page: int
    per_page: int


def page_args(request: Request, settings: Settings, issues: list[Issue]) -> PageArgs:
    """0-based ``page`` and ``per_page`` (1 to the configured maximum, default 20).

    Their issues come first, as those of the real server's ``Paginate`` dependency did.
    """
    values = {"page": 0, "per_page": DEFAULT_PER_PAGE}
    for name, kind in (
        ("page", Integer(ge=0, le=BIGINT - 1)),
        ("per_page", Integer(ge=1, le=settings.polympics_max_per_page)),
    ):
        raw = request.query_params.get(name)
        if raw is not None:
            try:
                values[name] = kind.convert(raw, ["query", name])
            except Refused as exc:
                issues.extend(exc.issues)
    return PageArgs(values["page"], values["per_page"])


async def paginate(
    session: AsyncSession, query: Select[Any], args: PageArgs, order: list[Any]
) -> tuple[list[Any], dict[str, int]]:
    """One page of ``query`` and the page metadata (an out-of-range page is empty)."""
    total = await session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
    total = int(total or 0)
    offset = args.page * args.per_page
    rows: list[Any] = []
    if offset < total:  # a page past the end is empty (and its offset may not fit SQL)
        rows = list(
            (
                await session.scalars(query.order_by(*order).offset(offset).limit(args.per_page))
            ).all()
        )
    meta = {
        "page": args.page,
        "per_page": args.per_page,
        "pages": math.ceil(total / args.per_page),
        "results": total,
    }
    return rows, meta
