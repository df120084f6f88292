"""The native REST API v1 as its own ASGI app, with OpenAPI at /api/v1/openapi.json."""

from __future__ import annotations

from fastapi import Depends, FastAPI

from podium import __version__
from podium.api import deps, problems
from podium.api.limits import BodyLimit
from podium.api.responses import OrjsonResponse
from podium.api.routes import (
    awards,
    competitions,
    feed,
    organizations,
    results,
    scoreboard,
    tokens,
    webhooks,
)
from podium.api.routes import (
    leaderboards as leaderboard_routes,
)
from podium.config import Settings
from podium.dialects.mooshak2 import native as mooshak_native
from podium.dialects.multigp import native as multigp_native
from podium.dialects.nadeo import native as nadeo_native
from podium.dialects.runsignup import native as runsignup_native
from podium.ranking.leaderboards import Leaderboards
from podium.store.database import Database


def create_v1(settings: Settings, database: Database, leaderboards: Leaderboards) -> FastAPI:
    api = FastAPI(
        title="Podium native API",
        version=__version__,
        summary="Organizations, competitions, entries, schedules, results and awards.",
        openapi_url="/openapi.json",
        docs_url="/docs",
        redoc_url=None,
        default_response_class=OrjsonResponse,
        dependencies=[Depends(deps.plain_parameters)],
    )
    api.state.settings = settings
    api.state.database = database
    api.state.leaderboards = leaderboards
    problems.install(api)
    for module in (
        organizations,
        competitions,
        results,
        leaderboard_routes,
        scoreboard,
        awards,
        tokens,
        feed,
        webhooks,
    ):
        api.include_router(module.router)
    # Organizer routes of the dialects that need more than the core concepts.
    api.include_router(runsignup_native.router)
    api.include_router(multigp_native.router)
    api.include_router(nadeo_native.router)
    api.include_router(mooshak_native.router)
    api.add_middleware(BodyLimit, max_bytes=settings.max_body_bytes)
    return api
