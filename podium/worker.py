"""The background work, apart from HTTP: ``podium worker`` and the tasks ``podium serve``
runs beside its routes.

Three process shapes share this code:

- ``podium serve`` (the embedded default) serves HTTP and runs every background task;
- ``podium serve --no-background`` serves HTTP only;
- ``podium worker`` runs the background tasks only.

The background tasks are webhook and callback deliveries, the judge queue, and board
upkeep (warming live boards, applying the event log to built boards). Deliveries and
judge jobs are claimed from the store with leases and ``SKIP LOCKED``, so any number
of processes can run them against one PostgreSQL without doing a job twice.

Boards are shared only with Redis. With Redis the workers keep them built and in step,
and a serving process builds a board on its first read and applies its own writes
before answering. Without Redis each serving process ranks from an in-memory index of
its own, which only it can keep in step, so ``serve --no-background`` then still runs
its board upkeep and a worker runs none.

A worker needs PostgreSQL: on SQLite ``podium serve`` already does all of this in its
one process. It does not migrate the store (``serve`` and ``migrate`` do); it waits
until the schema is the one it knows. On SIGINT or SIGTERM it claims nothing more,
lets the sends and judgements in hand finish for up to a grace period, then cuts the
rest short: judge jobs are released at once, and a delivery cut mid-send is sent again
after its lease under the same delivery id, which receivers use to drop repeats.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import Callable

from podium import __version__
from podium.config import Settings
from podium.dialects.mooshak2.judging import JudgeQueue
from podium.feed.deliveries import Deliveries
from podium.health import MIGRATIONS, Readiness
from podium.ranking.leaderboards import Leaderboards
from podium.store.database import Database
from podium.store.redis import connect

log = logging.getLogger("podium")

# How long ``podium worker`` lets the work in hand finish once asked to stop, by default.
GRACE_SECONDS = 30.0
# The same for ``podium serve``, whose stop must fit in an orchestrator's patience.
SERVE_GRACE_SECONDS = 5.0
SCHEMA_POLL_SECONDS = 1.0
FIRST = asyncio.FIRST_COMPLETED


class Background:
    """The background tasks of one process, started together and stopped in order."""

    def __init__(
        self,
        *,
        deliveries: Deliveries | None,
        judging: JudgeQueue | None,
        leaderboards: Leaderboards | None,
        warmed: Callable[[], None] | None = None,
    ) -> None:
        self.deliveries = deliveries
        self.judging = judging
        self.leaderboards = leaderboards
        self.warmed = warmed
        self._tasks: list[asyncio.Task[None]] = []
        self._boards: asyncio.Task[None] | None = None

    @property
    def names(self) -> list[str]:
        """What this process runs, for its start-up log line."""
        parts = {
            "deliveries": self.deliveries,
            "judging": self.judging,
            "leaderboards": self.leaderboards,
        }
        return [name for name, part in parts.items() if part is not None]

    def start(self) -> None:
        if self.leaderboards is not None:
            self._boards = asyncio.create_task(self.leaderboards.run(warmed=self.warmed))
            self._tasks.append(self._boards)
        elif self.warmed is not None:
            self.warmed()  # no boards kept here: nothing to wait for
        if self.deliveries is not None:
            self._tasks.append(asyncio.create_task(self.deliveries.run()))
        if self.judging is not None:
            self._tasks.append(asyncio.create_task(self.judging.run()))
        for task in self._tasks:
            task.add_done_callback(_report_crash)

    async def stop(self, grace: float, hurry: asyncio.Event | None = None) -> None:
        """Ask deliveries and judging to finish what they hold, wait up to ``grace``
        seconds (or until ``hurry`` is set), then cancel what is left. Board upkeep is
        idempotent and resumes from the applied seq, so it is cancelled at once."""
        for part in (self.deliveries, self.judging):
            if part is not None:
                part.stop()
        tasks, self._tasks = self._tasks, []
        if self._boards is not None:
            self._boards.cancel()
        if not tasks:
            return
        finished = asyncio.ensure_future(asyncio.wait(tasks))
        hurried = asyncio.ensure_future((hurry or asyncio.Event()).wait())
        await asyncio.wait([finished, hurried], timeout=grace, return_when=FIRST)
        hurried.cancel()
        for task in tasks:
            task.cancel()  # a no-op for a task that is done
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        await finished


def _report_crash(task: asyncio.Task[None]) -> None:
    if not task.cancelled() and task.exception() is not None:
        log.error("a background task failed", exc_info=task.exception())


def background_for(
    settings: Settings,
    database: Database,
    leaderboards: Leaderboards,
    deliveries: Deliveries,
    judging: JudgeQueue,
    *,
    serving: bool,
    warmed: Callable[[], None] | None = None,
) -> Background:
    """What runs beside HTTP (``serving``) or in a worker, by ``settings.background`` and
    whether boards are shared (Redis) or this process's own (memory)."""
    shared_boards = leaderboards.redis is not None
    if serving and settings.background:
        return Background(
            deliveries=deliveries, judging=judging, leaderboards=leaderboards, warmed=warmed
        )
    if serving:
        own = None if shared_boards else leaderboards
        return Background(deliveries=None, judging=None, leaderboards=own, warmed=warmed)
    own = leaderboards if shared_boards else None
    return Background(deliveries=deliveries, judging=judging, leaderboards=own, warmed=warmed)


async def wait_for_schema(database: Database, stop: asyncio.Event) -> bool:
    """Until the store's schema is this version's (a server or ``podium migrate`` moves
    it there); False when asked to stop first."""
    readiness = Readiness()
    said = ""
    while not stop.is_set():
        await readiness.check_schema(database)
        if MIGRATIONS not in readiness.pending:
            return True
        reason = readiness.pending[MIGRATIONS]
        if reason != said:
            log.warning("waiting for the schema", extra={"reason": reason})
            said = reason
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(SCHEMA_POLL_SECONDS):
                await stop.wait()
    return False


async def run_worker(
    settings: Settings, database: Database, *, grace: float = GRACE_SECONDS
) -> None:
    """``podium worker``: run the background work on ``database`` (the caller's to
    dispose) until SIGINT or SIGTERM. A second signal ends the grace period at once."""
    redis = connect(settings.redis_url) if settings.redis_url else None
    leaderboards = Leaderboards(database, redis, f"{settings.redis_prefix}:lb")
    work = background_for(
        settings,
        database,
        leaderboards,
        Deliveries(database, settings),
        JudgeQueue(database, settings),
        serving=False,
    )
    stop = asyncio.Event()
    hurry = asyncio.Event()
    loop = asyncio.get_running_loop()

    def signalled() -> None:
        (hurry if stop.is_set() else stop).set()

    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, signalled)
    try:
        if not await wait_for_schema(database, stop):
            return
        work.start()
        log.info("worker started", extra={"version": __version__, "runs": work.names})
        await stop.wait()
        log.info("worker stopping", extra={"grace_seconds": grace})
        await work.stop(grace, hurry)
    finally:
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(signum)
        if redis is not None:
            await redis.aclose()
    log.info("worker stopped")
