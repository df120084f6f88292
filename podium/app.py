"""ASGI app factory: the native API under /api/v1, the dialects, health, and pages."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.responses import Response

from podium import __version__
from podium.api.models import Health
from podium.api.responses import OrjsonResponse
from podium.api.v1 import create_v1
from podium.config import Settings, get_settings
from podium.console import create_console
from podium.dialects.mooshak2.judging import JudgeQueue
from podium.dialects.mooshak2.routes import create_mooshak
from podium.dialects.multigp.routes import create_multigp
from podium.dialects.nadeo.routes import create_nadeo
from podium.dialects.polympics.routes import create_polympics
from podium.dialects.runsignup.routes import CaseInsensitivePrefix, create_runsignup
from podium.feed.closing import end_feeds_on_exit_signals
from podium.feed.deliveries import Deliveries
from podium.health import LEADERBOARDS, MIGRATIONS, STOPPING, Readiness
from podium.http_head import HeadMiddleware
from podium.logs import AccessLog, configure
from podium.metrics import Metrics, RequestMetrics
from podium.metrics import serve as serve_metrics
from podium.proxy import Forwarded
from podium.ranking.leaderboards import Leaderboards
from podium.store import migrate
from podium.store.database import Database
from podium.store.redis import connect, redis_status
from podium.web import pages
from podium.worker import SERVE_GRACE_SECONDS, background_for

log = logging.getLogger("podium")


def serve_app() -> FastAPI:
    """The app as ``podium serve`` runs it: every worker process configures its own
    logging (uvicorn spawns workers that do not inherit the supervisor's)."""
    settings = get_settings()
    configure(settings.log_level, settings.log_json)
    return create_app(settings)


def create_app(
    settings: Settings | None = None,
    *,
    database: Database | None = None,
    run_migrations: bool = True,
    background: bool | None = None,
) -> FastAPI:
    """The app; ``background`` (default ``settings.background``) says whether this
    process also delivers webhooks, judges and keeps boards, or leaves that to
    ``podium worker`` processes (see ``podium.worker``)."""
    settings = settings or get_settings()
    if background is not None:
        settings = settings.model_copy(update={"background": background})
    database = database or Database(settings.database_url)
    redis = connect(settings.redis_url) if settings.redis_url else None
    leaderboards = Leaderboards(database, redis, f"{settings.redis_prefix}:lb")
    deliveries = Deliveries(database, settings)
    judging = JudgeQueue(database, settings)
    metrics = Metrics(database, boards=lambda: leaderboards.held)
    judging.observe_seconds = metrics.judge_seconds.observe
    leaderboards.observe_build = metrics.board_build_seconds.observe
    readiness = Readiness()

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        settings.resolved_secret_key()
        if run_migrations:
            await migrate.upgrade(database)
            readiness.done(MIGRATIONS)
        else:
            await readiness.check_schema(database)
        log.info(
            "started",
            extra={
                "backend": database.backend,
                "version": __version__,
                "background": settings.background,
            },
        )
        work = background_for(
            settings,
            database,
            leaderboards,
            deliveries,
            judging,
            serving=True,
            warmed=lambda: readiness.done(LEADERBOARDS),
        )
        work.start()
        restore_signals = end_feeds_on_exit_signals()
        try:
            yield
        finally:
            readiness.wait_for(STOPPING, "the server is stopping")
            restore_signals()
            await work.stop(SERVE_GRACE_SECONDS)
            if redis is not None:
                await redis.aclose()
            await database.dispose()
            log.info("stopped")

    app = FastAPI(
        title="Podium",
        version=__version__,
        lifespan=lifespan,
        openapi_url=None,
        docs_url=None,
        redoc_url=None,
        default_response_class=OrjsonResponse,
    )
    app.state.settings = settings
    app.state.database = database
    app.state.leaderboards = leaderboards
    app.state.deliveries = deliveries
    app.state.judging = judging
    app.state.metrics = metrics
    app.state.readiness = readiness

    @app.get("/healthz", response_model=Health)
    async def healthz() -> OrjsonResponse:
        status, code = "ok", 200
        try:
            await database.ping()
            db_state = "ok"
        except Exception as exc:  # any failure is reported, not raised
            db_state, status, code = f"error: {type(exc).__name__}", "degraded", 503
        redis_state = await redis_status(settings.redis_url)
        if redis_state not in (None, "ok"):
            status, code = "degraded", 503
        body = Health(status=status, version=__version__, database=db_state, redis=redis_state)
        return OrjsonResponse(body.model_dump(), status_code=code)

    @app.get("/healthz/live", include_in_schema=False)
    async def live() -> OrjsonResponse:
        return OrjsonResponse({"status": "ok"})

    @app.get("/healthz/ready", include_in_schema=False)
    async def ready() -> OrjsonResponse:
        if MIGRATIONS in readiness.pending and not run_migrations:
            await readiness.check_schema(database)
        if readiness.ready:
            return OrjsonResponse({"status": "ready"})
        return OrjsonResponse({"status": "pending", "pending": readiness.pending}, 503)

    @app.get("/metrics", include_in_schema=False)
    async def metrics_page(request: Request) -> Response:
        return await serve_metrics(request, metrics, settings.metrics_token)

    app.include_router(pages.router)
    app.mount("/static", pages.static_files(), name="static")
    app.mount("/api/v1", create_v1(settings, database, leaderboards))
    app.mount("/console", create_console(settings, database))
    app.mount("/polympics", create_polympics(settings, database, deliveries))
    app.mount("/Rest", create_runsignup(settings, database))
    app.mount("/mgp/multigpwebservice", create_multigp(settings, database))
    app.mount("/mooshak/api", create_mooshak(settings, database, judging))
    nadeo_core, nadeo_live = create_nadeo(settings, database, leaderboards)
    app.mount("/nadeo/core", nadeo_core)
    app.mount("/nadeo/live", nadeo_live)
    app.add_middleware(HeadMiddleware)
    app.add_middleware(CaseInsensitivePrefix)
    app.add_middleware(AccessLog)
    app.add_middleware(RequestMetrics, metrics=metrics)
    # Outermost: every layer within sees the real client, scheme and prefix.
    app.add_middleware(Forwarded, trusted=settings.trusted_proxies, root_path=settings.root_path)
    return app
