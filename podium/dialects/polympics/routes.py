"""The Polympics server: a FastAPI app mounted at ``/polympics``.

Route families live in their own modules; this one assembles them with the
Polympics error shapes and the state every route reads (``Context``).
"""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

from podium.api.responses import OrjsonResponse
from podium.config import Settings
from podium.dialects.polympics import (
    account_routes,
    auth_routes,
    award_routes,
    callback_routes,
    problems,
    team_routes,
)
from podium.dialects.polympics.auth import parse_age
from podium.dialects.polympics.context import Context
from podium.feed.deliveries import Deliveries
from podium.store.database import Database

# The version string the real server's OpenAPI document carries.
API_VERSION = "0.5.3"


def create_polympics(
    settings: Settings, database: Database, deliveries: Deliveries | None
) -> FastAPI:
    app = FastAPI(
        title="Polympics API",
        version=API_VERSION,
        openapi_url="/openapi.json",
        docs_url="/docs",
        redoc_url="/redoc",
        default_response_class=OrjsonResponse,
    )
    app.state.polympics = Context(
        settings=settings,
        database=database,
        deliveries=deliveries,
        session_age=parse_age(settings.polympics_max_session_age),
    )
    problems.install(app)
    origins = [o.strip() for o in settings.polympics_allowed_origins.split(",") if o.strip()]
    if origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=origins,
            allow_credentials=True,
            allow_methods=["*"],
            allow_headers=["Authorization", "Content-Type"],
        )
    for module in (account_routes, team_routes, award_routes, auth_routes, callback_routes):
        app.include_router(module.router)
    return app
