"""A backup taken while writers post results is one moment of the store."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest
from sqlalchemy import make_url

from podium.core import organizations, resources, results
from podium.core.competitions import COMPETITIONS, CompetitionCreate
from podium.core.organizations import OrganizationCreate
from podium.core.people import PEOPLE, PersonCreate
from podium.core.principal import SYSTEM
from podium.core.results import ResultCreate
from podium.store import backup
from podium.store.backup import BackupError
from podium.store.database import Database
from tests.store.stores import contents, fill, spare_postgres

WRITERS = 10
ROUNDS = 300  # a bound per writer; they stop as soon as the backup is done


class Writers:
    """Ten tasks posting results until told to stop; counts their commits."""

    def __init__(self, db: Database, competition: int, person: int) -> None:
        self.db = db
        self.competition = competition
        self.person = person
        self.commits = 0
        self.changed = threading.Condition()
        self.stop = asyncio.Event()
        self.committed = asyncio.Event()
        self.tasks = [asyncio.create_task(self._write(n)) for n in range(WRITERS)]

    async def _write(self, n: int) -> None:
        for i in range(ROUNDS):
            if self.stop.is_set():
                return
            rows = [ResultCreate(person_id=self.person, elapsed_ms=n * 10_000 + i)] * 3
            async with self.db.write() as session:
                await results.create_many(session, SYSTEM, self.competition, rows)
            with self.changed:
                self.commits += 1
                self.changed.notify_all()
            self.committed.set()

    def wait_for_commit_after(self, seen: int) -> None:
        """Block (a backup thread) until a writer commits after ``seen`` commits."""
        with self.changed:
            assert self.changed.wait_for(lambda: self.commits > seen, timeout=60)

    async def finish(self) -> None:
        self.stop.set()
        await asyncio.gather(*self.tasks)


async def _setup(db: Database) -> tuple[int, int]:
    async with db.write() as session:
        org = await organizations.create_organization(
            session, SYSTEM, OrganizationCreate(slug="busy", name="Busy")
        )
        # Running already: the writers then change nothing but results (and the log).
        command = CompetitionCreate(organization_id=org.id, name="Cup", status="running")
        cup = await resources.create(session, SYSTEM, COMPETITIONS, command)
        ann = await resources.create(
            session, SYSTEM, PEOPLE, PersonCreate(organization_id=org.id, name="Ann")
        )
    return cup.id, ann.id


def _file(db: Database) -> Path | None:
    name = make_url(db.url).database
    return Path(name) if db.backend == "sqlite" and name else None


@asynccontextmanager
async def _empty_target(
    db: Database, tmp_path: Path, postgres_url: str | None
) -> AsyncIterator[Database]:
    """An empty store (no tables yet) of the source's backend."""
    if db.backend == "sqlite":
        target = Database(f"sqlite+aiosqlite:///{tmp_path / 'restored.db'}")
        yield target
        await target.dispose()
        return
    assert postgres_url is not None
    async with spare_postgres(postgres_url, "restore") as url:
        target = Database(url)
        try:
            yield target
        finally:
            await target.dispose()


async def test_a_backup_under_ten_writers_restores_one_moment(
    database: Database,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    request: pytest.FixtureRequest,
) -> None:
    await fill(database)
    competition, person = await _setup(database)
    writers = Writers(database, competition, person)
    pages: list[tuple[int, int]] = []

    def progress(done: int, total: int) -> None:
        # Every step of the copy waits for a commit, so writes land while it runs.
        pages.append((done, total))
        writers.wait_for_commit_after(writers.commits)

    monkeypatch.setattr(backup, "PAGES_PER_STEP", 16)
    target = tmp_path / "store.backup"
    try:
        await writers.committed.wait()
        commits_before = writers.commits
        done = await backup.backup(database, target, store_file=_file(database), progress=progress)
        commits_during = writers.commits - commits_before
    finally:
        await writers.finish()
    assert commits_during > 0
    if database.backend == "sqlite":
        assert done.how == "SQLite online backup" and len(pages) > 1
        assert pages[-1][0] == pages[-1][1]
    else:
        assert done.how == "pg_dump (custom format)"
    source = await contents(database)
    moment = done.summary.seq
    assert 0 < moment < source["events"][-1]["seq"]  # writers went on past the copy

    postgres_url = request.getfixturevalue("postgres_url") if database.backend != "sqlite" else None
    async with _empty_target(database, tmp_path, postgres_url) as restored:
        made = await backup.restore(restored, target, store_file=_file(restored))
        assert made.summary == done.summary
        copy = await contents(restored)

        events = [e for e in source["events"] if e["seq"] <= moment]
        assert copy["events"] == events
        posted = {e["object_id"] for e in events if e["type"] == "result.created"}
        assert copy["results"] == [r for r in source["results"] if r["id"] in posted]
        assert len(copy["results"]) == len(posted)
        for name, rows in source.items():
            if name not in ("events", "results"):
                assert copy[name] == rows, name

        with pytest.raises(BackupError, match=r"not empty.*only with --force"):
            await backup.restore(restored, target, store_file=_file(restored))
        again = await backup.restore(restored, target, store_file=_file(restored), force=True)
        assert again.summary == done.summary


async def test_a_portable_backup_restores_too(database: Database, tmp_path: Path) -> None:
    await fill(database)
    target = tmp_path / "store.jsonl"
    done = await backup.backup(database, target, store_file=None, portable_only=True)
    assert done.how == "portable export" and target.read_bytes().startswith(b'{"format"')
    before = await contents(database)
    with pytest.raises(BackupError, match="not empty"):
        await backup.restore(database, target, store_file=_file(database))
    made = await backup.restore(database, target, store_file=_file(database), force=True)
    assert made.summary == done.summary
    assert await contents(database) == before


def test_a_file_that_is_no_backup_is_refused(tmp_path: Path) -> None:
    odd = tmp_path / "notes.txt"
    odd.write_text("hello\n")
    with pytest.raises(BackupError, match="is not a Podium backup"):
        backup.kind_of(odd)
