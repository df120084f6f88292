"""Route builders for the routes every concept shares (create, get, update, delete, list).

Concept route modules call these with their core ``Resource`` and wire model, and
add whatever is particular to them by hand.
"""

from collections.abc import Awaitable, Callable, Sequence
from enum import Enum
from typing import Annotated, Any, TypeVar

from fastapi import APIRouter, Path
from pydantic import BaseModel
from sqlalchemy import Select
from sqlalchemy.ext.asyncio import AsyncSession

from podium.api import pagination
from podium.api.deps import DB, Actor
from podium.core import external_ids, resources
from podium.core.limits import INT64_MAX
from podium.core.principal import Principal
from podium.core.resources import Command, Resource

Out = TypeVar("Out", bound=BaseModel)
Extras = Callable[[AsyncSession, list[int]], Awaitable[dict[int, dict[str, Any]]]]
ObjectId = Annotated[int, Path(ge=1, le=INT64_MAX)]


async def present(
    session: AsyncSession,
    res: Resource[Any],
    rows: Sequence[Any],
    out: type[Out],
    extras: Extras | None = None,
) -> list[Out]:
    """Wire models for ``rows``, with external ids and extras fetched in bulk."""
    ids = [row.id for row in rows]
    added: dict[int, dict[str, Any]] = {i: {} for i in ids}
    if res.has_external_ids:
        for object_id, found in (await external_ids.for_objects(session, res.kind, ids)).items():
            added[object_id]["external_ids"] = found
    if extras is not None:
        for object_id, values in (await extras(session, ids)).items():
            added[object_id].update(values)
    return [
        out.model_validate(row, from_attributes=True).model_copy(update=added[row.id])
        for row in rows
    ]


async def list_page(
    session: AsyncSession,
    res: Resource[Any],
    query: Select[Any],
    page_args: tuple[str | None, int],
    out: type[Out],
    extras: Extras | None = None,
) -> dict[str, Any]:
    cursor, limit = page_args
    rows, last = await resources.page(
        session, res, query, after=pagination.decode(cursor), limit=limit
    )
    return {
        "data": await present(session, res, rows, out, extras),
        "next_cursor": pagination.encode(last),
    }


Creator = Callable[[AsyncSession, Principal, Any], Awaitable[Any]]
Deleter = Callable[[AsyncSession, Principal, int], Awaitable[None]]
Updater = Callable[[AsyncSession, Principal, int, Any], Awaitable[Any]]


def item_routes(
    router: APIRouter,
    path: str,
    res: Resource[Any],
    out: type[BaseModel],
    *,
    extras: Extras | None = None,
    deleter: Deleter | None = None,
    updater: Updater | None = None,
    update_model: type[BaseModel] | None = None,
    with_delete: bool = True,
) -> None:
    """GET, PATCH and DELETE on ``{path}/{object_id}`` (DELETE left to the caller when
    ``with_delete`` is false, for a concept whose delete takes more than the id)."""
    body_model = update_model or res.update

    async def get_one(object_id: ObjectId, db: DB, actor: Actor) -> Any:
        async with db.read() as session:
            obj = await resources.get(session, actor, res, object_id)
            return (await present(session, res, [obj], out, extras))[0]

    async def update_one(
        object_id: ObjectId,
        body: body_model,  # type: ignore[valid-type]
        db: DB,
        actor: Actor,
    ) -> Any:
        async with db.write() as session:
            if updater is not None:
                obj = await updater(session, actor, object_id, body)
            else:
                obj = await resources.update(session, actor, res, object_id, body)
            return (await present(session, res, [obj], out, extras))[0]

    async def delete_one(object_id: ObjectId, db: DB, actor: Actor) -> None:
        async with db.write() as session:
            if deleter is not None:
                await deleter(session, actor, object_id)
            else:
                await resources.delete(session, actor, res, object_id)

    item = f"{path}/{{object_id}}"
    tag: list[str | Enum] = [res.kind]
    router.add_api_route(
        item,
        get_one,
        methods=["GET"],
        response_model=out,
        tags=tag,
        summary=f"Get a {res.kind}",
        name=f"get_{res.kind}",
    )
    router.add_api_route(
        item,
        update_one,
        methods=["PATCH"],
        response_model=out,
        tags=tag,
        summary=f"Update a {res.kind}",
        name=f"update_{res.kind}",
    )
    if not with_delete:
        return
    router.add_api_route(
        item,
        delete_one,
        methods=["DELETE"],
        status_code=204,
        tags=tag,
        summary=f"Delete a {res.kind}",
        name=f"delete_{res.kind}",
    )


def create_route(
    router: APIRouter,
    path: str,
    res: Resource[Any],
    out: type[BaseModel],
    *,
    parent: str | None = None,
    creator: Creator | None = None,
    extras: Extras | None = None,
) -> None:
    """POST on ``path``; with ``parent``, the path's ``{parent_id}`` fills that column."""
    create_model = res.create

    async def store(
        session: AsyncSession, actor: Principal, body: Command, fixed: dict[str, Any]
    ) -> Any:
        if creator is not None:
            obj = await creator(session, actor, body)
        else:
            obj = await resources.create(session, actor, res, body, **fixed)
        return (await present(session, res, [obj], out, extras))[0]

    if parent is None:

        async def create_top(body: create_model, db: DB, actor: Actor) -> Any:  # type: ignore[valid-type]
            async with db.write() as session:
                return await store(session, actor, body, {})

        handler: Callable[..., Awaitable[Any]] = create_top
    else:

        async def create_child(
            parent_id: ObjectId,
            body: create_model,  # type: ignore[valid-type]
            db: DB,
            actor: Actor,
        ) -> Any:
            async with db.write() as session:
                return await store(session, actor, body, {parent: parent_id})

        handler = create_child
    router.add_api_route(
        path,
        handler,
        methods=["POST"],
        response_model=out,
        status_code=201,
        tags=[res.kind],
        summary=f"Create a {res.kind}",
        name=f"create_{res.kind}",
    )
