"""Result sets: named groups of results within one competition (RunSignup's sets)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from podium.core import resources
from podium.core.competitions import COMPETITIONS
from podium.core.fields import Attributes, Name
from podium.core.resources import Command, Resource, Scope
from podium.store.tables import ResultSet


class ResultSetCreate(Command):
    name: Name
    public: bool = True
    attributes: Attributes = {}


class ResultSetUpdate(Command):
    name: Name | None = None
    public: bool | None = None
    attributes: Attributes | None = None


async def _scope(session: AsyncSession, result_set: ResultSet) -> Scope:
    return await resources.scope_via(session, COMPETITIONS, result_set.competition_id)


RESULT_SETS: Resource[ResultSet] = Resource(
    kind="result_set",
    model=ResultSet,
    create=ResultSetCreate,
    update=ResultSetUpdate,
    competition_bound=True,
    scope=_scope,
    writes="results",
)
