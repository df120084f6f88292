"""CSV import: all rows or none, and a report that names line, column and reason."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from podium.core import resources
from podium.core.challenges import CHALLENGES, ChallengeCreate
from podium.core.competitions import COMPETITIONS, CompetitionCreate
from podium.core.entries import ENTRIES, EntryCreate
from podium.core.organizations import OrganizationCreate, create_organization
from podium.core.people import PEOPLE, PersonCreate
from podium.core.principal import SYSTEM
from podium.core.result_import import ImportRejected, RowError, import_results
from podium.store.database import Database
from podium.store.tables import Event, Result


async def setup(db: Database) -> int:
    async with db.write() as session:
        org = await create_organization(session, SYSTEM, OrganizationCreate(slug="csv", name="CSV"))
        comp = await resources.create(
            session, SYSTEM, COMPETITIONS, CompetitionCreate(organization_id=org.id, name="10K")
        )
        await resources.create(
            session,
            SYSTEM,
            CHALLENGES,
            ChallengeCreate(organization_id=org.id, name="Course", code="C1"),
        )
        for i in range(3):
            person = await resources.create(session, SYSTEM, PEOPLE, PersonCreate(name=f"R{i}"))
            await resources.create(
                session,
                SYSTEM,
                ENTRIES,
                EntryCreate(
                    person_id=person.id, bib=str(101 + i), registration_id=f"R{i}", chip=f"X{i}"
                ),
                competition_id=comp.id,
            )
    return comp.id


async def count(db: Database, model: type) -> int:
    async with db.read() as session:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)


GOOD = """bib,time,laps,lap_times,challenge,Colour
101,0:41:02.5,2,20:00;21:02.5,C1,red
,DNF,,,,
"""


async def test_good_file_is_stored_with_lookups(database: Database) -> None:
    comp = await setup(database)
    lines = GOOD.replace(",DNF,", "102,DNF,").splitlines(keepends=True)
    lines.append("\n")
    lines.append("registration_id,time\n")  # a stray second header: a bad row on line 5
    async with database.write() as session:
        with pytest.raises(ImportRejected) as caught:
            await import_results(session, SYSTEM, comp, lines)
    assert [(e.line, e.column) for e in caught.value.report.errors] == [(5, "bib"), (5, "time")]
    assert await count(database, Result) == 0

    async with database.write() as session:
        report = await import_results(
            session, SYSTEM, comp, GOOD.replace(",DNF,", "102,DNF,").splitlines(keepends=True)
        )
    assert report.stored == 2 and report.warnings == ["ignored unknown column 'colour'"]
    async with database.read() as session:
        rows = (await session.scalars(select(Result).order_by(Result.id))).all()
    assert rows[0].elapsed_ms == 2_462_500 and rows[0].lap_times_ms == [1_200_000, 1_262_500]
    assert rows[0].challenge_id is not None and rows[1].status == "DNF"
    assert rows[0].person_id is not None


BAD = """bib,registration_id,chip,person_id,time,points,recorded_at
101,,,,1:75:00,,
999,,,,0:40:00,,
,R1,,,0:40:00,lots,
,,X2,,0:41:00,,yesterday
,,,,0:42:00,,
,,,424242,0:43:00,,
"""


async def test_every_problem_is_reported_and_nothing_stored(database: Database) -> None:
    comp = await setup(database)
    events_before = await count(database, Event)
    async with database.write() as session:
        with pytest.raises(ImportRejected) as caught:
            await import_results(session, SYSTEM, comp, BAD.splitlines(keepends=True))
    errors = caught.value.report.errors
    assert [(e.line, e.column) for e in errors] == [
        (2, "time"),
        (3, "bib"),
        (4, "points"),
        (5, "recorded_at"),
        (6, "entry_id"),
    ]
    assert "'1:75:00'" in errors[0].reason and "'999'" in errors[1].reason
    assert await count(database, Result) == 0 and await count(database, Event) == events_before


async def test_reference_errors_found_at_store_time_name_the_line(database: Database) -> None:
    comp = await setup(database)
    text = "person_id,time\n424242,0:43:00\n"
    async with database.write() as session:
        with pytest.raises(ImportRejected) as caught:
            await import_results(session, SYSTEM, comp, text.splitlines(keepends=True))
    assert caught.value.report.errors == [
        RowError(2, "person_id", "person_id 424242 does not exist.")
    ]


async def test_skip_invalid_stores_the_rest(database: Database) -> None:
    comp = await setup(database)
    async with database.write() as session:
        report = await import_results(
            session, SYSTEM, comp, BAD.splitlines(keepends=True), skip_invalid=True
        )
    assert report.rows == 6 and report.stored == 0
    assert {e.line for e in report.errors} == {2, 3, 4, 5, 6, 7}
    mixed = "bib,time\n101,0:40:00\n999,0:41:00\n102,DNS\n"
    async with database.write() as session:
        report = await import_results(
            session, SYSTEM, comp, mixed.splitlines(keepends=True), skip_invalid=True
        )
    assert report.stored == 2 and [e.line for e in report.errors] == [3]
    assert await count(database, Result) == 2
