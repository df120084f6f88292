"""Results (single and bulk) and result sets."""

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from sqlalchemy import select

from podium.api import crud, models
from podium.api.bodies import LimitedRoute
from podium.api.deps import DB, Actor, PageArgs
from podium.core import competitions, resources, result_sets, results
from podium.core.errors import Invalid
from podium.core.fields import ResultStatus
from podium.core.limits import INT64_MAX
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


crud.item_routes(router, "/results", results.RESULTS, models.Result)


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
