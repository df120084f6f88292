"""The shared life cycle of a stored concept: get, list, create, update, delete.

A concept module declares a ``Resource`` (its table, its commands, where it sits in
the organization/competition tree, which ids it refers to) and gets permission
checks, reference checks, external ids and event records from here, so every
concept and every dialect follows the same rules.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from pydantic import BaseModel, ConfigDict, ValidationError
from sqlalchemy import Select
from sqlalchemy.ext.asyncio import AsyncSession

from podium.core import events, external_ids
from podium.core.errors import Invalid, NotFound
from podium.core.principal import Principal
from podium.store.tables import Base

M = TypeVar("M", bound=Base)


class Command(BaseModel):
    """Base of every create/update command: unknown fields are an error, not ignored.

    A dialect builds commands from what its wire model let through; a rule only the
    core knows (a name that is all spaces, NUL in text) must still end as a clear
    ``Invalid`` in the dialect's error shape, never as a 500, so construction
    raises ``Invalid`` rather than pydantic's ``ValidationError``.
    """

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    def __init__(self, /, **data: Any) -> None:
        try:
            super().__init__(**data)
        except ValidationError as exc:
            raise invalid(exc) from None

    # Tell pydantic this is its own __init__: validation of a command nested in a
    # wire model (a bulk upload's rows) keeps pydantic's errors with their locations.
    __init__.__pydantic_base_init__ = True  # type: ignore[attr-defined]


def invalid(exc: ValidationError) -> Invalid:
    """A pydantic error as the core's ``Invalid``, naming every field at fault."""
    errors = [
        {
            "loc": list(error.get("loc", ())),
            "message": error.get("msg", ""),
            "type": error.get("type", ""),
        }
        for error in exc.errors(include_url=False, include_input=False)
    ]
    first = errors[0] if errors else {"loc": [], "message": "invalid input"}
    where = ".".join(str(part) for part in first["loc"]) or "input"
    return Invalid(f"{where}: {first['message']}", errors=errors)


@dataclass(frozen=True)
class Scope:
    organization_id: int | None
    competition_id: int | None = None


@dataclass(frozen=True)
class Resource(Generic[M]):
    kind: str
    model: type[M]
    create: type[Command]
    update: type[Command]
    # How an object finds its organization and competition.
    scope: Callable[[AsyncSession, M], Awaitable[Scope]]
    # Foreign keys in commands that must name an existing object in the same tree.
    refs: Mapping[str, Resource[Any]] = field(default_factory=dict)
    # Whether the concept carries identifiers from other platforms.
    has_external_ids: bool = False
    # Whether it lives inside one competition, so references to it must stay there.
    competition_bound: bool = False
    # Extra checks on the values about to be stored.
    validate: Callable[[AsyncSession, M], Awaitable[None]] | None = None
    # The permission that creates, changes and deletes it (``podium.core.principal``).
    writes: str = "setup"

    async def load(self, session: AsyncSession, object_id: int) -> M:
        obj = await session.get(self.model, object_id)
        if obj is None:
            raise NotFound(f"No {self.kind} with id {object_id}.", kind=self.kind, id=object_id)
        return obj


async def get(session: AsyncSession, principal: Principal, res: Resource[M], object_id: int) -> M:
    """The object, or NotFound when it is missing or outside the principal's reach."""
    obj = await res.load(session, object_id)
    scope = await res.scope(session, obj)
    if not principal.allows("read", scope.organization_id):
        raise NotFound(f"No {res.kind} with id {object_id}.", kind=res.kind, id=object_id)
    return obj


def visible(query: Select[Any], principal: Principal, org_column: Any) -> Select[Any]:
    """Narrow a list query on a table with an organization column to what may be read."""
    if principal.organization_id is None:
        return query
    return query.where((org_column == principal.organization_id) | org_column.is_(None))


async def page(
    session: AsyncSession,
    res: Resource[M],
    query: Select[Any],
    *,
    after: int | None,
    limit: int,
) -> tuple[list[M], int | None]:
    """One page in id order, and the cursor of the next page (None at the end)."""
    id_column = res.model.__table__.c.id
    if after is not None:
        query = query.where(id_column > after)
    rows = list((await session.scalars(query.order_by(id_column).limit(limit + 1))).all())
    more = len(rows) > limit
    rows = rows[:limit]
    return rows, (rows[-1].id if more and rows else None)


async def _check_refs(
    session: AsyncSession, principal: Principal, res: Resource[M], obj: M, scope: Scope
) -> None:
    for column, target in res.refs.items():
        ref_id = getattr(obj, column)
        if ref_id is None:
            continue
        ref = await session.get(target.model, ref_id)
        ref_scope = None if ref is None else await target.scope(session, ref)
        # What the principal may not read, it is told does not exist: the same answer
        # as for an unknown id, so ids of other organizations cannot be probed.
        if ref_scope is None or not principal.allows("read", ref_scope.organization_id):
            raise Invalid(
                f"{column} {ref_id} does not name an existing {target.kind}.", field=column
            )
        foreign_org = ref_scope.organization_id not in (None, scope.organization_id)
        foreign_comp = target.competition_bound and ref_scope.competition_id != scope.competition_id
        if foreign_org or foreign_comp:
            raise Invalid(f"{column} {ref_id} belongs elsewhere.", field=column)


async def create(
    session: AsyncSession,
    principal: Principal,
    res: Resource[M],
    command: Command,
    **fixed: Any,
) -> M:
    """Store a new object from ``command`` plus ``fixed`` values (e.g. a parent id from a path)."""
    columns = res.model.__table__.columns
    values = {k: v for k, v in command.model_dump().items() if k in columns}
    values.update(fixed)
    obj = res.model(**values)
    scope = await res.scope(session, obj)
    principal.require(res.writes, scope.organization_id)
    await _check_refs(session, principal, res, obj, scope)
    if res.validate is not None:
        await res.validate(session, obj)
    session.add(obj)
    await session.flush()
    ids = getattr(command, "external_ids", None)
    if res.has_external_ids and ids:
        await external_ids.replace(session, res.kind, obj.id, ids)  # type: ignore[attr-defined]
    # Scoped again now the object has its id: an organization or competition is its own scope.
    await _record(session, principal, res, obj, "created", await res.scope(session, obj))
    return obj


async def update(
    session: AsyncSession,
    principal: Principal,
    res: Resource[M],
    object_id: int,
    command: Command,
    *,
    reason: str | None = None,
    permission: str | None = None,
) -> M:
    """Change an object; ``permission`` replaces the concept's own when the change is
    another role's work (a judge's verdict on a contest submission is ``judge``)."""
    needed = permission or res.writes
    obj = await get(session, principal, res, object_id)
    old_scope = await res.scope(session, obj)
    principal.require(needed, old_scope.organization_id)
    prior = events.snapshot(obj)
    columns = res.model.__table__.columns
    changes = command.model_dump(exclude_unset=True)
    for key, value in changes.items():
        if key not in columns:
            continue
        if value is None and key in columns and not columns[key].nullable:
            raise Invalid(f"{key} cannot be null.", field=key)
        setattr(obj, key, value)
    # Check before anything is written: an autoflush here would send a dangling
    # reference to the database and surface as an integrity error, not a 422.
    with session.no_autoflush:
        scope = await res.scope(session, obj)
        if scope != old_scope:
            principal.require(needed, scope.organization_id)
        await _check_refs(session, principal, res, obj, scope)
        if res.validate is not None:
            await res.validate(session, obj)
    await session.flush()
    ids = getattr(command, "external_ids", None)
    if res.has_external_ids and ids is not None and "external_ids" in command.model_fields_set:
        await external_ids.replace(session, res.kind, object_id, ids)
    await _record(session, principal, res, obj, "updated", scope, before=prior, reason=reason)
    return obj


async def delete(
    session: AsyncSession,
    principal: Principal,
    res: Resource[M],
    object_id: int,
    *,
    reason: str | None = None,
) -> None:
    obj = await get(session, principal, res, object_id)
    scope = await res.scope(session, obj)
    principal.require(res.writes, scope.organization_id)
    prior = events.snapshot(obj)
    await session.delete(obj)
    await session.flush()
    if res.has_external_ids:
        await external_ids.replace(session, res.kind, object_id, {})
    events.record(
        session,
        principal,
        f"{res.kind}.deleted",
        res.kind,
        object_id,
        None,
        organization_id=scope.organization_id,
        competition_id=scope.competition_id,
        before=prior,
        reason=reason,
    )


async def _record(
    session: AsyncSession,
    principal: Principal,
    res: Resource[M],
    obj: M,
    verb: str,
    scope: Scope,
    *,
    before: dict[str, Any] | None = None,
    reason: str | None = None,
) -> None:
    payload = events.snapshot(obj)
    if res.has_external_ids:
        payload["external_ids"] = (
            await external_ids.for_objects(session, res.kind, [payload["id"]])
        )[payload["id"]]
    events.record(
        session,
        principal,
        f"{res.kind}.{verb}",
        res.kind,
        payload["id"],
        payload,
        organization_id=scope.organization_id,
        competition_id=scope.competition_id,
        before=before,
        reason=reason,
    )


async def scope_via(session: AsyncSession, parent: Resource[Any], parent_id: int | None) -> Scope:
    """The scope of a child object: that of its parent (NotFound-as-Invalid if missing)."""
    if parent_id is None:
        return Scope(None)
    obj = await session.get(parent.model, parent_id)
    if obj is None:
        raise NotFound(f"No {parent.kind} with id {parent_id}.", kind=parent.kind, id=parent_id)
    return await parent.scope(session, obj)


def ids_of(rows: Sequence[Any]) -> list[int]:
    return [row.id for row in rows]
