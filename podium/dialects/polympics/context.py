"""What every Polympics route needs: settings, the store, the caller, parsed input."""

from __future__ import annotations

import math
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any, TypeVar

from fastapi import Request
from pydantic import BaseModel
from sqlalchemy import Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from podium.config import Settings
from podium.dialects.polympics import accounts, auth
from podium.dialects.polympics.auth import Caller
from podium.dialects.polympics.problems import Issue, invalid, issue, parse_json, validate
from podium.feed.deliveries import Deliveries
from podium.store.database import Database

M = TypeVar("M", bound=BaseModel)
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


async def body(request: Request, model: type[M]) -> tuple[M | None, list[Issue]]:
    return validate(model, parse_json(await request.body()))


def path_id(value: str, name: str, model: str) -> tuple[int | None, list[Issue]]:
    """A numeric path id, else the real server's 'Invalid <Model> ID' issue."""
    text = value.strip()
    if text.lstrip("-").isdigit() and abs(int(text)) < 2**63:
        return int(text), []
    return None, [issue(["path", name], f"Invalid {model} ID: must be int.")]


def raise_if(issues: list[Issue]) -> None:
    if issues:
        raise invalid(issues)


@dataclass(frozen=True)
class PageArgs:
    page: int
    per_page: int


def page_args(request: Request, settings: Settings) -> tuple[PageArgs | None, list[Issue]]:
    """0-based ``page`` and ``per_page`` (1 to the configured maximum, default 20)."""
    issues: list[Issue] = []
    values: dict[str, int] = {}
    for name, default, low, high in (
        ("page", 0, 0, None),
        ("per_page", 20, 1, settings.polympics_max_per_page),
    ):
        raw = request.query_params.get(name)
        if raw is None:
            values[name] = default
            continue
        try:
            number = int(raw)
        except ValueError:
            issues.append(
                issue(["query", name], "value is not a valid integer", "type_error.integer")
            )
            continue
        if number < low:
            issues.append(
                issue(
                    ["query", name],
                    f"ensure this value is greater than or equal to {low}",
                    "value_error.number.not_ge",
                    {"limit_value": low},
                )
            )
        elif high is not None and number > high:
            issues.append(
                issue(
                    ["query", name],
                    f"ensure this value is less than or equal to {high}",
                    "value_error.number.not_le",
                    {"limit_value": high},
                )
            )
        values[name] = number
    if issues:
        return None, issues
    return PageArgs(values["page"], values["per_page"]), []


async def paginate(
    session: AsyncSession, query: Select[Any], args: PageArgs, order: list[Any]
) -> tuple[list[Any], dict[str, int]]:
    """One page of ``query`` and the page metadata (an out-of-range page is empty)."""
    total = await session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
    total = int(total or 0)
    rows = list(
        (
            await session.scalars(
                query.order_by(*order).offset(args.page * args.per_page).limit(args.per_page)
            )
        ).all()
    )
    meta = {
        "page": args.page,
        "per_page": args.per_page,
        "pages": math.ceil(total / args.per_page),
        "results": total,
    }
    return rows, meta
