"""The portable export: SQLite → PostgreSQL → SQLite with the same ids, seqs and bytes."""

from __future__ import annotations

import io
import shutil
from pathlib import Path

import orjson
import pytest
from sqlalchemy import func, select

from podium.core import organizations, results
from podium.core.organizations import OrganizationCreate
from podium.core.principal import SYSTEM
from podium.core.results import ResultCreate
from podium.store import portable
from podium.store.database import Database
from podium.store.portable import PortableError
from podium.store.tables import Competition, Event, Organization, Person, Result
from tests.store.stores import contents, fill, migrated, spare_postgres


async def _export(db: Database) -> bytes:
    out = io.BytesIO()
    await portable.export(db, out)
    return out.getvalue()


async def _sqlite(tmp_path: Path, template: Path, name: str) -> Database:
    path = tmp_path / name
    shutil.copy(template, path)
    return Database(f"sqlite+aiosqlite:///{path}")


async def _fresh_ids_after_import(db: Database) -> None:
    """New rows get ids past the imported ones, by the ORM and by ``reserve_ids``."""
    async with db.read() as session:
        last_org = await session.scalar(select(func.max(Organization.id)))
        last_result = await session.scalar(select(func.max(Result.id)))
        last_seq = await session.scalar(select(func.max(Event.seq)))
        competition = await session.scalar(select(Competition).order_by(Competition.id))
        person = await session.scalar(select(Person).order_by(Person.id))
    assert competition is not None and person is not None and last_org and last_result
    async with db.write() as session:
        org = await organizations.create_organization(
            session, SYSTEM, OrganizationCreate(slug="after-import", name="After")
        )
        made = await results.create_many(
            session, SYSTEM, competition.id, [ResultCreate(person_id=person.id, elapsed_ms=1)]
        )
    assert org.id == last_org + 1
    assert made == [last_result + 1]
    async with db.read() as session:
        # The log goes on from the imported seq, without a gap.
        newest = await session.scalar(select(func.max(Event.seq)))
        assert newest is not None and last_seq is not None and newest > last_seq
        assert await session.scalar(select(func.count()).select_from(Event)) == newest


async def test_sqlite_to_postgres_and_back_keeps_every_row_and_byte(
    tmp_path: Path, sqlite_template: Path, postgres_url: str
) -> None:
    source = await _sqlite(tmp_path, sqlite_template, "source.db")
    await fill(source)
    rows = await contents(source)
    assert all(rows[name] for name in ("events", "results", "credentials", "webhooks"))
    first = await _export(source)
    await source.dispose()

    async with spare_postgres(postgres_url, "portable") as url:
        middle = await migrated(url)
        try:
            summary = await portable.load(middle, io.BytesIO(first))
            assert summary.seq == rows["events"][-1]["seq"]
            assert summary.rows == {name: len(found) for name, found in rows.items()}
            assert await contents(middle) == rows
            second = await _export(middle)
            await _fresh_ids_after_import(middle)
        finally:
            await middle.dispose()
    assert second == first

    back = await _sqlite(tmp_path, sqlite_template, "back.db")
    try:
        await portable.load(back, io.BytesIO(second))
        assert await contents(back) == rows
        assert await _export(back) == first
        await _fresh_ids_after_import(back)
    finally:
        await back.dispose()

    header = orjson.loads(first.splitlines()[0])
    assert header == {
        "format": "podium-export",
        "version": 1,
        "tables": [str(t.name) for t in portable.TABLES],
        "schema_revision": portable.code_revision(),
    }
    hashes = [
        orjson.loads(line)["row"]["secret_hash"]
        for line in first.splitlines()
        if line.startswith(b'{"row"') and b'"table":"credentials"' in line
    ]
    assert hashes and all(h.startswith("$argon2") for h in hashes)


async def test_a_store_with_data_is_refused(database: Database) -> None:
    await fill(database)
    before = await contents(database)
    exported = await _export(database)
    with pytest.raises(PortableError, match="not empty"):
        await portable.load(database, io.BytesIO(exported))
    assert await contents(database) == before


def _lines(*records: object) -> bytes:
    return b"".join(orjson.dumps(r) + b"\n" for r in records)


HEADER = {
    "format": "podium-export",
    "version": 1,
    "tables": [str(t.name) for t in portable.TABLES],
    "schema_revision": portable.code_revision(),
}
ORG = {
    "table": "organizations",
    "row": {
        "id": 1,
        "slug": "a",
        "name": "A",
        "description": "",
        "attributes": {},
        "created_at": "2026-01-01T00:00:00+00:00",
        "updated_at": "2026-01-01T00:00:00+00:00",
    },
}
END = {"end": {"rows": {"organizations": 1}}}


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "not a Podium export"),
        (b"\x00\x01 binary\n", "not a Podium export"),
        (_lines({"format": "other", "version": 1}), "not a Podium export"),
        (_lines({**HEADER, "version": 2}, ORG, END), "version 2; this Podium reads version 1"),
        (_lines({**HEADER, "schema_revision": "9999"}, ORG, END), "'9999' is not one this"),
        (_lines({**HEADER, "tables": ["nope"]}, ORG, END), "tables this Podium does not have"),
        (_lines(HEADER, ORG), "ends early"),
        (_lines(HEADER, ORG, {"end": {"rows": {"organizations": 2}}}), "do not match"),
        (_lines(HEADER, {**ORG, "table": "nope"}, END), "Line 2: not a row"),
        (_lines(HEADER, {**ORG, "row": {**ORG["row"], "x": 1}}, END), "no column 'x'"),
        (_lines(HEADER, ORG, END, ORG), "Line 4: rows after the end line"),
        (_lines(HEADER) + b"{oops\n", "Line 2 of the file is not JSON"),
        (_lines(HEADER, ORG, {**ORG, "row": {**ORG["row"], "slug": "b"}}), "could not be stored"),
    ],
)
async def test_a_bad_file_is_refused_and_nothing_is_stored(
    database: Database, data: bytes, message: str
) -> None:
    with pytest.raises(PortableError, match=message) as refused:
        await portable.load(database, io.BytesIO(data))
    assert "\n" not in str(refused.value)
    async with database.engine.connect() as conn:
        assert await portable.occupied(conn) == []


async def test_a_well_formed_file_loads(database: Database) -> None:
    summary = await portable.load(database, io.BytesIO(_lines(HEADER, ORG, END)))
    assert summary.rows["organizations"] == 1 and summary.seq == 0
