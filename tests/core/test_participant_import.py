"""Participants CSV import: a preview that names every problem, then all rows or none."""

from __future__ import annotations

import csv
import io
from datetime import date
from typing import Any

import pytest
from sqlalchemy import event, func, select

from podium.core import resources
from podium.core.competitions import COMPETITIONS, CompetitionCreate
from podium.core.entries import ENTRIES, EntryCreate
from podium.core.errors import Forbidden, Invalid, NotFound
from podium.core.organizations import OrganizationCreate, create_organization
from podium.core.participant_import import (
    MAX_ROWS,
    ImportRejected,
    Problem,
    commit,
    guess_mapping,
    parse_birth_date,
    preview,
    read_csv,
)
from podium.core.people import PEOPLE, PersonCreate
from podium.core.principal import SYSTEM, Principal
from podium.store.database import Database
from podium.store.tables import Entry, Event, Person


async def setup(db: Database, slug: str = "club") -> tuple[int, int]:
    """An organization and one of its competitions."""
    async with db.write() as session:
        org = await create_organization(session, SYSTEM, OrganizationCreate(slug=slug, name=slug))
        comp = await resources.create(
            session, SYSTEM, COMPETITIONS, CompetitionCreate(organization_id=org.id, name="10K")
        )
    return org.id, comp.id


async def enter(
    db: Database, org: int, comp: int, name: str, bib: str | None, reg: str | None, **person: Any
) -> int:
    async with db.write() as session:
        someone = await resources.create(
            session, SYSTEM, PEOPLE, PersonCreate(name=name, organization_id=org, **person)
        )
        entry = await resources.create(
            session,
            SYSTEM,
            ENTRIES,
            EntryCreate(person_id=someone.id, bib=bib, registration_id=reg),
            competition_id=comp,
        )
    return entry.id


async def count(db: Database, model: type) -> int:
    async with db.read() as session:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)


async def entries(db: Database, comp: int) -> list[tuple[Entry, Person]]:
    async with db.read() as session:
        rows = await session.execute(
            select(Entry, Person)
            .join(Person, Person.id == Entry.person_id)
            .where(Entry.competition_id == comp)
            .order_by(Entry.id)
        )
        return [(entry, person) for entry, person in rows]


def user(org: int, *grants: str) -> Principal:
    return Principal(kind="user", label="u", organization_id=org, scopes=frozenset(grants))


CLEAN = "\n".join(
    (
        "First Name,Last Name,E-mail,Sex,DOB,Nation,Bib #,Reg ID,Chip,Club,Town,Division,Team,"
        "Aircraft,T-shirt",
        "Ada,Lovelace,ada@example.org,F,1990-12-10,gb,7,R-1,CH1,Analytical,London,Spec,Engines,"
        "Quad X,M",
        "Alan,Turing,alan@example.org,male,23/06/1992,GBR,8,R-2,CH2,,Wilmslow,Open,,,L",
        "",
    )
)


def test_guess_mapping_reads_common_spellings() -> None:
    header = [
        "First Name",
        "surname",
        "E-mail",
        "SEX",
        "Date of birth (DD/MM/YYYY)",
        "Nation",
        "Bib #",
        "Reg. ID",
        "Tag",
        "Town",
        "Class",
        "Team",
        "Aircraft",
        "Favourite colour",
        "Name",
    ]
    assert guess_mapping(header) == {
        0: "first_name",
        1: "last_name",
        2: "email",
        3: "gender",
        4: "birth_date",
        5: "country",
        6: "bib",
        7: "registration_id",
        8: "chip",
        9: "city",
        10: "category",
        11: "team",
        12: "equipment",
        13: "ignore",
        14: "name",
    }
    more = ["firstname", "Given name", "Last", "Birthdate", "Gender", "Bib Number"]
    assert list(guess_mapping(more).values()) == [
        "first_name",
        "ignore",  # only one column is guessed per field
        "last_name",
        "birth_date",
        "gender",
        "bib",
    ]
    others = ["DOB", "Registration ID", "Chip", "Club", "City", "Division", "Country", "Bib"]
    assert list(guess_mapping(others).values()) == [
        "birth_date",
        "registration_id",
        "chip",
        "club",
        "city",
        "category",
        "country",
        "bib",
    ]
    assert guess_mapping(["Category", "Email", ""]) == {0: "category", 1: "email", 2: "ignore"}
    assert guess_mapping(["Given name", "Family name"]) == {0: "first_name", 1: "last_name"}


def test_read_csv_line_numbers_delimiters_and_encodings() -> None:
    text = '\ufeffName;Club\r\n\r\nAda;Engines, Ltd\r\n;;\r\n"Alan\nTuring";X\r\nGrace;Navy\r\n'
    header, rows = read_csv(text.encode("utf-8"))
    assert header == ["Name", "Club"]
    assert rows == [
        (3, ["Ada", "Engines, Ltd"]),
        (5, ["Alan\nTuring", "X"]),
        (7, ["Grace", "Navy"]),
    ]
    header, rows = read_csv("a\tb\n1\t2\n")
    assert header == ["a", "b"] and rows == [(2, ["1", "2"])]
    with pytest.raises(Invalid, match="not UTF-8: byte 13 "):
        read_csv("Name,Club\nRen\xe9,X\n".encode("latin-1"))
    with pytest.raises(Invalid, match="byte 16 "):
        read_csv(b"\xef\xbb\xbfName,Club\nRen\xe9,X\n")
    with pytest.raises(Invalid, match="empty"):
        read_csv(b"\n\n")
    with pytest.raises(Invalid, match="Line 2, cell 2: Text may not contain NUL"):
        read_csv("Name,Club\nAda,X\x00\n")
    with pytest.raises(Invalid, match=r"Line 2, cell 1: .*lone surrogate"):
        read_csv("Name\n\ud800\n")
    with pytest.raises(Invalid, match="longer than 100,000"):
        read_csv("Name\n" + "x" * 100_001 + "\n")
    with pytest.raises(Invalid, match="Line 3: this is not readable CSV"):
        read_csv('Name,Club\nAda,X\n"Alan,Y\nGrace,Z\n')
    assert len(read_csv("Name\n" + "x\n" * MAX_ROWS)[1]) == MAX_ROWS
    with pytest.raises(Invalid, match="more than 10,000 rows"):
        read_csv("Name\n" + "x\n" * (MAX_ROWS + 1))


def test_birth_dates() -> None:
    today = date(2024, 6, 1)
    assert parse_birth_date("1990-02-03", today) == ("1990-02-03", "")
    assert parse_birth_date("03.02.1990", today) == ("1990-02-03", "")
    assert parse_birth_date("25/12/1990", today) == ("1990-12-25", "")
    assert parse_birth_date("12/25/1990", today) == ("1990-12-25", "")
    assert parse_birth_date("4/4/1990", today) == ("1990-04-04", "")
    assert parse_birth_date("1990-02-31", today) == (
        None,
        "1990-02-31 is not a date: February 1990 has 28 days",
    )
    assert parse_birth_date("31/04/1990", today)[1] == (
        "31/04/1990 is not a date: April 1990 has 30 days"
    )
    assert (
        parse_birth_date("1990-13-01", today)[1] == "1990-13-01 is not a date: there is no month 13"
    )
    assert parse_birth_date("03/04/1990", today)[1] == (
        "03/04/1990 is ambiguous: 3 April or March 4? Write it as YYYY-MM-DD"
    )
    assert parse_birth_date("2024-06-02", today)[1] == "2024-06-02 is in the future"
    assert parse_birth_date("1904-05-31", today)[1] == "1904-05-31 is more than 120 years ago"
    assert parse_birth_date("1904-06-01", today) == ("1904-06-01", "")
    assert "write YYYY-MM-DD" in parse_birth_date("1990/02/03", today)[1]
    assert "write YYYY-MM-DD" in parse_birth_date("3 Feb 1990", today)[1]


async def test_clean_import_creates_people_entries_and_events(database: Database) -> None:
    org, comp = await setup(database)
    events_before = await count(database, Event)
    async with database.read() as session:
        shown = await preview(session, SYSTEM, comp, CLEAN.encode(), sample=1)
    assert shown.problems == [] and shown.rows == 2 and shown.sample_lines == [2]
    assert shown.mapping[14] == "ignore" and shown.mapping[13] == "equipment"
    assert shown.sample == [
        {
            "first_name": "Ada",
            "last_name": "Lovelace",
            "email": "ada@example.org",
            "gender": "F",
            "birth_date": "1990-12-10",
            "country": "gb",
            "bib": "7",
            "registration_id": "R-1",
            "chip": "CH1",
            "club": "Analytical",
            "city": "London",
            "category": "Spec",
            "team": "Engines",
            "equipment": "Quad X",
        }
    ]
    assert await count(database, Event) == events_before

    async with database.write() as session:
        report = await commit(session, SYSTEM, comp, CLEAN.encode(), shown.mapping)
    assert [(r.line, r.name, r.bib, r.registration_id) for r in report.rows] == [
        (2, "Ada Lovelace", "7", "R-1"),
        (3, "Alan Turing", "8", "R-2"),
    ]
    stored = await entries(database, comp)
    ada, alan = stored
    assert [r.entry_id for r in report.rows] == [ada[0].id, alan[0].id]
    assert [r.person_id for r in report.rows] == [ada[1].id, alan[1].id]
    assert (ada[1].name, ada[1].given_name, ada[1].family_name) == (
        "Ada Lovelace",
        "Ada",
        "Lovelace",
    )
    assert (ada[1].email, ada[1].gender, ada[1].birth_date, ada[1].country) == (
        "ada@example.org",
        "F",
        "1990-12-10",
        "GB",
    )
    assert ada[1].organization_id == org and alan[1].organization_id == org
    assert (alan[1].gender, alan[1].birth_date, alan[1].country) == ("M", "1992-06-23", "GBR")
    assert ada[0].chip == "CH1" and ada[0].equipment == "Quad X"
    assert ada[0].attributes == {
        "club": "Analytical",
        "city": "London",
        "category": "Spec",
        "team_name": "Engines",
    }
    assert alan[0].attributes == {"city": "Wilmslow", "category": "Open"}
    assert alan[0].equipment is None and alan[0].status == "registered"
    async with database.read() as session:
        logged = (
            await session.execute(
                select(Event.type, Event.object_id, Event.organization_id)
                .where(Event.seq > events_before)
                .order_by(Event.seq)
            )
        ).all()
    assert [(t, i) for t, i, _o in logged] == [
        ("person.created", ada[1].id),
        ("entry.created", ada[0].id),
        ("person.created", alan[1].id),
        ("entry.created", alan[0].id),
    ]
    assert {o for _t, _i, o in logged} == {org}


BAD = """first_name,last_name,birth_date,bib
Ada,Lovelace,1990-12-10,1
Alan,Turing,1990-02-31,2
Grace,Hopper,1991-12-09,3
Edsger,Dijkstra,1930-05-11,2
"""


async def test_bad_rows_are_listed_and_nothing_is_stored(database: Database) -> None:
    _org, comp = await setup(database)
    async with database.read() as session:
        shown = await preview(session, SYSTEM, comp, BAD)
    assert shown.problems == [
        Problem(3, "birth_date", "1990-02-31 is not a date: February 1990 has 28 days"),
        Problem(5, "bib", "bib '2' is already on line 3"),
    ]
    people, events_before = await count(database, Person), await count(database, Event)
    with pytest.raises(ImportRejected) as caught:
        async with database.write() as session:
            await commit(session, SYSTEM, comp, BAD, shown.mapping)
    assert caught.value.problems == shown.problems
    assert caught.value.details["problems"][0] == {
        "line": 3,
        "column": "birth_date",
        "reason": "1990-02-31 is not a date: February 1990 has 28 days",
    }
    assert await count(database, Entry) == 0
    assert await count(database, Person) == people
    assert await count(database, Event) == events_before

    fixed = BAD.replace("1990-02-31", "1912-06-23").replace("11,2", "11,4")
    async with database.write() as session:
        report = await commit(session, SYSTEM, comp, fixed, shown.mapping)
    assert [(r.line, r.bib) for r in report.rows] == [(2, "1"), (3, "2"), (4, "3"), (5, "4")]
    assert await count(database, Entry) == 4


async def test_bibs_and_registration_ids_continue_after_existing_ones(database: Database) -> None:
    org, comp = await setup(database)
    await enter(database, org, comp, "Old One", "41", "1000")
    await enter(database, org, comp, "Old Two", "A7", "REG-9")
    text = "Name,Bib,Registration ID\nNew A,,\nNew B,45,\nNew C,,1001\nNew D,,\n"
    async with database.write() as session:
        report = await commit(session, SYSTEM, comp, text, None)
    assert [(r.name, r.bib, r.registration_id) for r in report.rows] == [
        ("New A", "46", "1002"),
        ("New B", "45", "1003"),
        ("New C", "47", "1001"),
        ("New D", "48", "1004"),
    ]
    _org2, empty = await setup(database, "other")
    async with database.write() as session:
        report = await commit(session, SYSTEM, empty, "Name\nFirst\nSecond\n", None)
    assert [(r.bib, r.registration_id) for r in report.rows] == [("1", "1"), ("2", "2")]
    stored = await entries(database, empty)
    assert [(e.bib, e.registration_id) for e, _p in stored] == [("1", "1"), ("2", "2")]


async def test_existing_codes_of_the_competition_are_refused(database: Database) -> None:
    org, comp = await setup(database)
    taken = await enter(database, org, comp, "Old One", "41", "R1")
    async with database.write() as session:
        await resources.update(session, SYSTEM, ENTRIES, taken, EntryCreate(chip="C9"))
    text = "Name,Bib,Registration ID,Chip\nNew A,41,R2,C1\nNew B,42,R1,C9\n"
    async with database.read() as session:
        shown = await preview(session, SYSTEM, comp, text)
    assert shown.problems == [
        Problem(2, "Bib", f"bib '41' is already used by entry {taken} of this competition"),
        Problem(
            3,
            "Registration ID",
            f"registration id 'R1' is already used by entry {taken} of this competition",
        ),
        Problem(3, "Chip", f"chip 'C9' is already used by entry {taken} of this competition"),
    ]


async def test_semicolons_and_bom(database: Database) -> None:
    _org, comp = await setup(database)
    text = "\ufeffNom;Prénom;Date de naissance;Sexe;Dossard\n"
    text += "Curie;Marie;07.11.1967;F;12\n\n  ;  ;;;\nPasteur;Louis;27/12/1922;M;13\n"
    mapping = {0: "last_name", 1: "first_name", 2: "birth_date", 3: "gender", 4: "bib"}
    async with database.read() as session:
        shown = await preview(session, SYSTEM, comp, text.encode("utf-8"), mapping)
    assert shown.header[0] == "Nom" and shown.problems == [] and shown.rows == 2
    async with database.write() as session:
        report = await commit(session, SYSTEM, comp, text.encode("utf-8"), mapping)
    assert [(r.line, r.name, r.bib) for r in report.rows] == [
        (2, "Marie Curie", "12"),
        (5, "Louis Pasteur", "13"),
    ]
    stored = await entries(database, comp)
    assert [p.birth_date for _e, p in stored] == ["1967-11-07", "1922-12-27"]


async def test_duplicate_people_in_the_file_and_already_entered(database: Database) -> None:
    org, comp = await setup(database)
    entered = await enter(
        database,
        org,
        comp,
        "Grace Hopper",
        "1",
        "1",
        email="grace@navy.mil",
        birth_date="1936-12-09",
    )
    other_org, _other = await setup(database, "other")
    # A person of another organization never counts, unless entered here.
    async with database.write() as session:
        await resources.create(
            session,
            SYSTEM,
            PEOPLE,
            PersonCreate(name="Ada", organization_id=other_org, email="ada@example.org"),
        )
    text = """First,Last,Email,Birth date
Ada,Lovelace,ada@example.org,1990-12-10
Ada,Byron,ADA@example.org,
Alan,Turing,,1992-06-23
alan,  TURING ,alan@example.org,1992-06-23
Grace,Other,Grace@Navy.mil,
Grace,Hopper,,1936-12-09
Alan,Turing,,
Alan,Turing,,
"""
    async with database.read() as session:
        shown = await preview(session, SYSTEM, comp, text)
    assert shown.problems == [
        Problem(3, "Email", "the same person as line 2 (same e-mail)"),
        Problem(5, "Last", "the same person as line 4 (same name and birth date)"),
        Problem(
            6, "Email", f"Grace@Navy.mil is already entered in this competition (entry {entered})"
        ),
        Problem(
            7,
            "Last",
            f"Grace Hopper, born 1936-12-09, is already entered in this competition "
            f"(entry {entered})",
        ),
    ]


async def test_a_person_of_the_organization_is_reused_by_email(database: Database) -> None:
    org, comp = await setup(database)
    async with database.write() as session:
        known = await resources.create(
            session,
            SYSTEM,
            PEOPLE,
            PersonCreate(name="Ada King", organization_id=org, email="Ada@Example.org"),
        )
    people = await count(database, Person)
    text = "Name,Email\nAda Lovelace,ada@example.org\nAlan Turing,alan@example.org\n"
    async with database.write() as session:
        report = await commit(session, SYSTEM, comp, text, None)
    assert report.rows[0].person_id == known.id and report.rows[0].existing_person
    assert not report.rows[1].existing_person
    assert await count(database, Person) == people + 1
    stored = await entries(database, comp)
    assert stored[0][1].name == "Ada King"  # reused as it is, not rewritten
    # Entered now, the same e-mail is refused the next time.
    async with database.read() as session:
        shown = await preview(session, SYSTEM, comp, "Name,Email\nAda,ADA@example.org\n")
    assert shown.problems == [
        Problem(
            2,
            "Email",
            f"ADA@example.org is already entered in this competition (entry {stored[0][0].id})",
        )
    ]


async def test_genders_are_normalised_or_refused(database: Database) -> None:
    _org, comp = await setup(database)
    values = [
        "M",
        "f",
        "Male",
        "FEMALE",
        "man",
        "Woman",
        "non-binary",
        "NonBinary",
        "other",
        "x",
        "",
    ]
    text = "Name,Gender\n" + "".join(f"P{i},{g}\n" for i, g in enumerate(values))
    async with database.read() as session:
        shown = await preview(session, SYSTEM, comp, text + "Bad,Q\n")
    assert shown.problems == [
        Problem(
            13,
            "Gender",
            "'Q' is not a gender this import knows: use M, F, X, male, female, man, woman, "
            "non-binary, nonbinary, other or blank",
        )
    ]
    async with database.write() as session:
        await commit(session, SYSTEM, comp, text, None)
    stored = await entries(database, comp)
    assert [p.gender for _e, p in stored] == [
        "M",
        "F",
        "M",
        "F",
        "M",
        "F",
        "X",
        "X",
        "X",
        "X",
        None,
    ]


async def test_ambiguous_impossible_and_out_of_range_dates(database: Database) -> None:
    _org, comp = await setup(database)
    text = """Name,DOB
A,03/04/1990
B,13/04/1990
C,04/13/1990
D,31.02.1990
E,2999-01-01
F,1850-01-01
G,90-01-01
"""
    async with database.read() as session:
        shown = await preview(session, SYSTEM, comp, text)
    assert [(p.line, p.column) for p in shown.problems] == [
        (2, "DOB"),
        (5, "DOB"),
        (6, "DOB"),
        (7, "DOB"),
        (8, "DOB"),
    ]
    reasons = [p.reason for p in shown.problems]
    assert reasons[0].startswith("03/04/1990 is ambiguous")
    assert reasons[1] == "31.02.1990 is not a date: February 1990 has 28 days"
    assert reasons[2] == "2999-01-01 is in the future"
    assert reasons[3] == "1850-01-01 is more than 120 years ago"
    assert "write YYYY-MM-DD" in reasons[4]


async def test_other_rules(database: Database) -> None:
    _org, comp = await setup(database)
    long = "x" * 101
    text = f"""First,Last,Name,Email,Country,Chip,Club,Bib
Ada,,,ada@,GB,,,
,,Alan Turing,alan@example.org,Britain,,,
{long},Hopper,,,,,,
   ,   ,   ,x@y.org,,,,
Linus,Torvalds,,,FI,{"c" * 81},{"k" * 201},{"b" * 41}
Ken,Thompson,,,US,C1,,,extra
Dennis,Ritchie,,,US,C1,,
"""
    async with database.read() as session:
        shown = await preview(session, SYSTEM, comp, text)
    assert shown.problems == [
        Problem(2, "Last", "a last name is required (or a full name)"),
        Problem(2, "Email", "'ada@' is not an e-mail address"),
        Problem(3, "Country", "'Britain' is not a country code: give 2 or 3 letters"),
        Problem(4, "First", "is 101 characters long; at most 100 fit"),
        Problem(5, "First", "a first name is required (or a full name)"),
        Problem(5, "Last", "a last name is required (or a full name)"),
        Problem(6, "Bib", "is 41 characters long; at most 40 fit"),
        Problem(6, "Chip", "is 81 characters long; at most 80 fit"),
        Problem(6, "Club", "is 201 characters long; at most 200 fit"),
        Problem(7, "row", "has 9 cells but the header only 8"),
        Problem(8, "Chip", "chip 'C1' is already on line 7"),
    ]


async def test_mapping_problems_are_reported_once(database: Database) -> None:
    _org, comp = await setup(database)
    text = "Given,Family,Full,Mail\nAda,Lovelace,Ada L,a@b.org\nAlan,Turing,Alan T,c@d.org\n"
    async with database.read() as session:
        doubled = await preview(
            session, SYSTEM, comp, text, {0: "first_name", 1: "last_name", 2: "name", 3: "name"}
        )
        nameless = await preview(session, SYSTEM, comp, text, {0: "first_name", 3: "email"})
        nothing = await preview(session, SYSTEM, comp, text, {3: "email", 7: "bib", 1: "height"})
    assert doubled.problems == [Problem(1, "Mail", "maps to name like 'Full'; only one column may")]
    assert doubled.mapping == {0: "first_name", 1: "last_name", 2: "name", 3: "name"}
    assert nameless.problems == [
        Problem(
            1,
            "last_name",
            "no column holds the names: map one to name, or two to first_name and last_name",
        )
    ]
    assert nameless.mapping == {0: "first_name", 1: "ignore", 2: "ignore", 3: "email"}
    assert [(p.line, p.column) for p in nothing.problems] == [
        (1, "Family"),
        (1, "column 8"),
        (1, "name"),
    ]
    with pytest.raises(ImportRejected):
        async with database.write() as session:
            await commit(session, SYSTEM, comp, text, {0: "first_name", 3: "email"})
    assert await count(database, Entry) == 0
    async with database.read() as session:
        empty = await preview(session, SYSTEM, comp, "Name,Bib\n\n")
    assert empty.rows == 0 and empty.sample == []
    assert empty.problems == [Problem(1, "row", "the file has no participants below the header")]


async def test_setup_permission_is_required(database: Database) -> None:
    org, comp = await setup(database)
    other, _comp = await setup(database, "other")
    async with database.read() as session:
        for grants in (("read",), ("read", "results")):
            with pytest.raises(Forbidden):
                await preview(session, user(org, *grants), comp, CLEAN)
        with pytest.raises(NotFound):
            await preview(session, user(other, "read", "setup"), comp, CLEAN)
        shown = await preview(session, user(org, "read", "setup"), comp, CLEAN)
    assert shown.problems == []
    with pytest.raises(Forbidden):
        async with database.write() as session:
            await commit(session, user(org, "read", "results"), comp, CLEAN, shown.mapping)
    async with database.write() as session:
        report = await commit(session, user(org, "write"), comp, CLEAN, shown.mapping)
    assert len(report.rows) == 2
    async with database.read() as session:
        actors = set(
            (await session.scalars(select(Event.actor).where(Event.competition_id == comp))).all()
        )
    assert "u" in actors


async def test_report_csv(database: Database) -> None:
    _org, comp = await setup(database)
    text = 'Name,Bib\nAda Lovelace,\n"Turing, Alan",9\n=HYPERLINK(1),\n'
    async with database.write() as session:
        report = await commit(session, SYSTEM, comp, text, None)
    rows = list(csv.reader(io.StringIO(report.to_csv())))
    assert rows[0] == ["line", "name", "bib", "registration_id", "entry_id", "person_id", "person"]
    assert [row[:4] for row in rows[1:]] == [
        ["2", "Ada Lovelace", "10", "1"],
        ["3", "Turing, Alan", "9", "2"],
        ["4", "'=HYPERLINK(1)", "11", "3"],
    ]
    assert [int(row[4]) for row in rows[1:]] == [r.entry_id for r in report.rows]
    assert {row[6] for row in rows[1:]} == {"new"}


async def test_ten_thousand_rows_preview_in_a_few_queries(database: Database) -> None:
    org, comp = await setup(database)
    entered = await enter(database, org, comp, "Old", "5", "5", email="p9999@example.org")
    lines = ["First name,Last name,Email,DOB,Bib,Gender"]
    lines += [
        f"P{i},Runner,p{i}@example.org,{1950 + i % 50}-0{1 + i % 9}-1{i % 10},{1000 + i},M"
        for i in range(MAX_ROWS)
    ]
    statements: list[str] = []

    def seen(*args: Any) -> None:
        statements.append(str(args[2]))

    event.listen(database.engine.sync_engine, "before_cursor_execute", seen)
    try:
        async with database.read() as session:
            shown = await preview(session, SYSTEM, comp, "\n".join(lines))
    finally:
        event.remove(database.engine.sync_engine, "before_cursor_execute", seen)
    assert shown.rows == MAX_ROWS and len(shown.sample) == 10
    assert shown.problems == [
        Problem(
            MAX_ROWS + 1,
            "Email",
            f"p9999@example.org is already entered in this competition (entry {entered})",
        )
    ]
    assert len(statements) <= 30
