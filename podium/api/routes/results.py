"""Results (single and bulk) and result sets."""

import dataclasses
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import Response
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from podium.api import crud, models
from podium.api.bodies import LimitedRoute
from podium.api.deps import DB, Actor, PageArgs
from podium.core import audit, competitions, corrections, resources, result_sets, results
from podium.core.corrections import ResultCorrection
from podium.core.errors import Invalid
from podium.core.fields import Reason, ResultStatus
from podium.core.limits import INT64_MAX
from podium.core.principal import Principal
from podium.store.tables import Result, ResultSet

router = APIRouter(route_class=LimitedRoute)

IdFilter = Annotated[int | None, Query(ge=1, le=INT64_MAX)]


@router.get(
    "/competitions/{parent_id}/results", response_model=models.Page[models.Result], tags=["result"]
)
async def list_results(
    parent_id: crud.ObjectId,
    db: DB,
    actor: Actor,
    page: PageArgs,
    person_id: IdFilter = None,
    entry_id: IdFilter = None,
    team_id: IdFilter = None,
    challenge_id: IdFilter = None,
    result_set_id: IdFilter = None,
    heat_id: IdFilter = None,
    status: Annotated[ResultStatus | None, Query()] = None,
) -> dict[str, object]:
    query = select(Result).where(Result.competition_id == parent_id)
    filters: dict[str, Any] = {
        "person_id": person_id,
        "entry_id": entry_id,
        "team_id": team_id,
        "challenge_id": challenge_id,
        "result_set_id": result_set_id,
        "heat_id": heat_id,
        "status": status,
    }
    for column, value in filters.items():
        if value is not None:
            query = query.where(getattr(Result, column) == value)
    async with db.read() as session:
        await resources.get(session, actor, competitions.COMPETITIONS, parent_id)
        return await crud.list_page(session, results.RESULTS, query, page, models.Result)


@router.post(
    "/competitions/{parent_id}/results",
    response_model=models.Result,
    status_code=201,
    tags=["result"],
    summary="Record a result",
)
async def create_result(
    parent_id: crud.ObjectId, body: models.ResultCreate, db: DB, actor: Actor
) -> models.Result:
    async with db.write() as session:
        result = await results.create_one(session, actor, parent_id, body)
        return (await crud.present(session, results.RESULTS, [result], models.Result))[0]


@router.post(
    "/competitions/{parent_id}/results/bulk",
    response_model=models.BulkResultsCreated,
    status_code=201,
    tags=["result"],
    summary="Record many results in one transaction",
    description="Every row is stored, or none: a bad row rejects the whole upload and the "
    "error lists each bad row by its 0-based index.",
)
async def create_results_bulk(
    parent_id: crud.ObjectId, body: models.BulkResults, request: Request, db: DB, actor: Actor
) -> dict[str, object]:
    ceiling = request.app.state.settings.max_bulk_rows
    if len(body.results) > ceiling:
        raise Invalid(
            f"A bulk upload carries at most {ceiling} rows; this one has {len(body.results)}."
        )
    async with db.write() as session:
        stored = await results.create_many(session, actor, parent_id, body.results)
        return {"count": len(stored), "ids": stored}


async def _correct(
    session: AsyncSession, actor: Principal, result_id: int, body: ResultCorrection
) -> Result:
    return await corrections.correct(session, actor, result_id, body)


crud.item_routes(
    router,
    "/results",
    results.RESULTS,
    models.Result,
    updater=_correct,
    update_model=ResultCorrection,
    with_delete=False,
)

Why = Annotated[Reason | None, Query(description="Why: kept in the audit trail with the change.")]


@router.delete("/results/{object_id}", status_code=204, tags=["result"], summary="Delete a result")
async def delete_result(object_id: crud.ObjectId, db: DB, actor: Actor, reason: Why = None) -> None:
    async with db.write() as session:
        await corrections.delete(session, actor, object_id, reason=reason)


@router.get(
    "/results/{object_id}/history",
    response_model=list[models.AuditEntry],
    tags=["audit"],
    summary="Every change of a result, oldest first",
)
async def result_history(object_id: crud.ObjectId, db: DB, actor: Actor) -> list[Any]:
    async with db.read() as session:
        return [_entry(e) for e in await audit.history(session, actor, object_id)]


@router.get(
    "/competitions/{parent_id}/audit",
    response_model=models.AuditPage,
    tags=["audit"],
    summary="The competition's changes in log order: who, when, before, after, why",
)
async def competition_audit(
    parent_id: crud.ObjectId,
    db: DB,
    actor: Actor,
    after: Annotated[int, Query(ge=0, le=INT64_MAX)] = 0,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
    result_id: IdFilter = None,
) -> dict[str, Any]:
    async with db.read() as session:
        entries = await audit.trail(
            session, actor, parent_id, result_id=result_id, after=after, limit=limit
        )
    more = len(entries) == limit
    return {"data": [_entry(e) for e in entries], "next_after": entries[-1].seq if more else None}


@router.get(
    "/competitions/{parent_id}/audit.csv",
    tags=["audit"],
    summary="The competition's audit trail as CSV, one row per changed field",
    response_class=Response,
)
async def competition_audit_csv(parent_id: crud.ObjectId, db: DB, actor: Actor) -> Response:
    async with db.read() as session:
        entries = await audit.whole_trail(session, actor, parent_id)
    return Response(
        audit.to_csv(entries),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="audit-{parent_id}.csv"'},
    )


@router.post(
    "/events/{seq}/undo",
    response_model=models.Event,
    tags=["audit"],
    summary="Undo a change to a result (its latest): put it back as it was",
)
async def undo_change(
    seq: Annotated[int, Path(ge=1, le=INT64_MAX)],
    db: DB,
    actor: Actor,
    body: models.Undo | None = None,
) -> Any:
    async with db.write() as session:
        return await corrections.undo(session, actor, seq, body.reason if body else None)


def _entry(entry: audit.Entry) -> dict[str, Any]:
    return {**dataclasses.asdict(entry), "undoable": entry.undoable}


@router.get(
    "/competitions/{parent_id}/result-sets",
    response_model=models.Page[models.ResultSet],
    tags=["result_set"],
)
async def list_result_sets(
    parent_id: crud.ObjectId, db: DB, actor: Actor, page: PageArgs
) -> dict[str, object]:
    async with db.read() as session:
        await resources.get(session, actor, competitions.COMPETITIONS, parent_id)
        query = select(ResultSet).where(ResultSet.competition_id == parent_id)
        return await crud.list_page(session, result_sets.RESULT_SETS, query, page, models.ResultSet)


crud.create_route(
    router,
    "/competitions/{parent_id}/result-sets",
    result_sets.RESULT_SETS,
    models.ResultSet,
    parent="competition_id",
)
crud.item_routes(router, "/result-sets", result_sets.RESULT_SETS, models.ResultSet)
