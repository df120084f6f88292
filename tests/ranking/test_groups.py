"""Category boards agree with an SQL ranking partitioned by category, kept by the log."""

from __future__ import annotations

import itertools
import random
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
from redis.asyncio import Redis
from sqlalchemy import text

from podium.core import categories, resources, results
from podium.core.competitions import COMPETITIONS, CompetitionCreate, CompetitionUpdate
from podium.core.entries import ENTRIES, EntryCreate, EntryUpdate
from podium.core.organizations import OrganizationCreate, create_organization
from podium.core.people import PEOPLE, PersonCreate, PersonUpdate
from podium.core.principal import SYSTEM
from podium.core.results import RESULTS, ResultCreate, ResultUpdate
from podium.core.teams import TEAMS, TeamCreate
from podium.ranking.leaderboards import BoardKey, Leaderboards
from podium.store.database import Database
from podium.store.redis import connect

T0 = datetime(2026, 6, 6, 9, tzinfo=UTC)
_names = itertools.count()

# Best time per person, ranked within the person's gender and within the team.
SQL_BY_CATEGORY = text(
    """
    WITH best AS (
        SELECT person_id, MIN(elapsed_ms) AS ms FROM results
        WHERE competition_id = :c AND status = 'OK' AND elapsed_ms IS NOT NULL
        GROUP BY person_id
    )
    SELECT b.person_id, p.gender, t.name AS team,
           RANK() OVER (PARTITION BY p.gender ORDER BY b.ms) AS gender_place,
           RANK() OVER (PARTITION BY t.name ORDER BY b.ms) AS team_place
    FROM best b
    JOIN people p ON p.id = b.person_id
    JOIN entries e ON e.person_id = b.person_id AND e.competition_id = :c
    LEFT JOIN teams t ON t.id = e.team_id
    """
)


@pytest.fixture
async def redis_client(redis_url: str) -> AsyncIterator[Redis]:
    client = connect(redis_url)
    yield client
    keys = [k async for k in client.scan_iter("podium:test:groups:*")]
    if keys:
        await client.delete(*keys)
    await client.aclose()


class Field:
    """A race with people of both genders in two teams, each with an entry."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self.competition_id = 0
        self.people: list[int] = []
        self.entries: list[int] = []
        self.teams: list[int] = []
        self.results: list[int] = []

    async def create(self, size: int, seed: int) -> None:
        rng = random.Random(seed)
        async with self.db.write() as session:
            org = await create_organization(
                session, SYSTEM, OrganizationCreate(slug=f"cat-{next(_names)}", name="Org")
            )
            comp = await resources.create(
                session,
                SYSTEM,
                COMPETITIONS,
                CompetitionCreate(
                    organization_id=org.id, name="10K", starts_at=T0, tie_rule="shared"
                ),  # type: ignore[arg-type]
            )
            self.competition_id = comp.id
            for name in ("Wolves", "Hares"):
                team = await resources.create(session, SYSTEM, TEAMS, TeamCreate(name=name))
                self.teams.append(team.id)
            for i in range(size):
                person = await resources.create(
                    session,
                    SYSTEM,
                    PEOPLE,
                    PersonCreate(
                        name=f"Runner {i}",
                        gender=rng.choice(["F", "M", "X"]),
                        birth_date=f"{rng.randint(1950, 2010)}-{rng.randint(1, 12):02d}-01",
                    ),
                )
                entry = await resources.create(
                    session,
                    SYSTEM,
                    ENTRIES,
                    EntryCreate(
                        person_id=person.id,
                        team_id=rng.choice(self.teams),
                        bib=str(100 + i),
                        attributes={"category": rng.choice(["Elite", "Open"])},
                    ),
                    competition_id=comp.id,
                )
                self.people.append(person.id)
                self.entries.append(entry.id)

    async def finish(self, who: int, seconds: int) -> None:
        async with self.db.write() as session:
            made = await results.create_one(
                session,
                SYSTEM,
                self.competition_id,
                ResultCreate(
                    person_id=self.people[who],
                    entry_id=self.entries[who],
                    elapsed_ms=seconds * 1000,
                    recorded_at=T0 + timedelta(seconds=seconds),
                ),
            )
        self.results.append(made.id)

    async def sql(self) -> dict[int, tuple[str, str, int, int]]:
        async with self.db.read() as session:
            rows = await session.execute(SQL_BY_CATEGORY, {"c": self.competition_id})
            return {r.person_id: (r.gender, r.team, r.gender_place, r.team_place) for r in rows}


async def board_places(lb: Leaderboards, field: Field) -> dict[int, tuple[str, str, int, int]]:
    """The same table read from the category boards, one rank lookup per board."""
    found: dict[int, tuple[str, str, int, int]] = {}
    for person_id in field.people:
        places = {
            group.kind: (group.key.split(":", 1)[1], row.rank)
            for group, row, _total in await lb.places(field.competition_id, person_id * 4 + 1)
        }
        if places:
            gender, gender_place = places["gender"]
            team, team_place = places["team"]
            found[person_id] = (gender, team, gender_place, team_place)
    return found


async def assert_agree(lb: Leaderboards, field: Field) -> None:
    assert await board_places(lb, field) == await field.sql()


async def play(field: Field, rng: random.Random, steps: int) -> None:
    """Finishes, corrections, deletions, and changes of gender and team, mixed."""
    for _ in range(steps):
        action = rng.choice(["finish", "finish", "finish", "correct", "delete", "gender", "team"])
        who = rng.randrange(len(field.people))
        async with field.db.write() as session:
            if action == "correct" and field.results:
                await resources.update(
                    session,
                    SYSTEM,
                    RESULTS,
                    rng.choice(field.results),
                    ResultUpdate(elapsed_ms=rng.randint(30, 40) * 1000),
                )
            elif action == "delete" and field.results:
                gone = field.results.pop(rng.randrange(len(field.results)))
                await resources.delete(session, SYSTEM, RESULTS, gone)
            elif action == "gender":
                await resources.update(
                    session,
                    SYSTEM,
                    PEOPLE,
                    field.people[who],
                    PersonUpdate(gender=rng.choice(["F", "M"])),
                )
            elif action == "team":
                await resources.update(
                    session,
                    SYSTEM,
                    ENTRIES,
                    field.entries[who],
                    EntryUpdate(team_id=rng.choice(field.teams)),
                )
        if action == "finish":
            await field.finish(who, rng.randint(30, 40))  # few values: ties happen


@pytest.mark.parametrize("seed", [1, 2, 3])
async def test_category_places_equal_a_partitioned_sql_ranking(
    database: Database, seed: int
) -> None:
    field = Field(database)
    await field.create(14, seed)
    rng = random.Random(seed)
    for who in range(10):
        await field.finish(who, rng.randint(30, 40))
    lb = Leaderboards(database)
    await assert_agree(lb, field)  # built from the store
    await play(field, rng, 30)
    await lb.catch_up()
    await assert_agree(lb, field)  # kept in step by the event log
    await assert_agree(Leaderboards(database), field)  # and a fresh build agrees


async def test_two_redis_workers_keep_category_boards_equal_to_sql(
    database: Database, redis_client: Redis
) -> None:
    field = Field(database)
    await field.create(12, 7)
    rng = random.Random(7)
    for who in range(8):
        await field.finish(who, rng.randint(30, 40))
    prefix = f"podium:test:groups:{next(_names)}"
    reader = Leaderboards(database, redis_client, prefix)
    writer = Leaderboards(database, redis_client, prefix)
    await assert_agree(reader, field)
    await play(field, rng, 25)
    await writer.catch_up()
    await assert_agree(reader, field)
    await assert_agree(writer, field)


async def test_age_groups_follow_the_age_scheme_setting(database: Database) -> None:
    field = Field(database)
    await field.create(6, 11)
    for who in range(6):
        await field.finish(who, 30 + who)
    lb = Leaderboards(database)
    groups, _fmt = await lb.groups(field.competition_id)
    assert {g.kind for g in groups} == {"gender", "age", "division", "team"}
    five_years = {categories.settings_of({}, None).scheme.group(age) for age in range(131)}
    ages = {g.title.split()[-1] for g in groups if g.kind == "age"}
    assert ages and ages <= five_years  # the default scheme
    async with database.write() as session:
        await resources.update(
            session,
            SYSTEM,
            COMPETITIONS,
            field.competition_id,
            CompetitionUpdate(attributes={"categories": {"age_groups": [0, 200 // 2]}}),
        )
    await lb.catch_up()
    groups, _fmt = await lb.groups(field.competition_id)
    ages = {g.title for g in groups if g.kind == "age"}
    assert ages and all(title.endswith("U100") for title in ages)  # everyone under 100


async def test_a_birth_date_change_moves_a_runner_between_age_groups(database: Database) -> None:
    field = Field(database)
    await field.create(3, 5)
    for who in range(3):
        await field.finish(who, 30 + who)
    lb = Leaderboards(database)
    competitor = field.people[0] * 4 + 1
    async with database.write() as session:
        await resources.update(
            session,
            SYSTEM,
            PEOPLE,
            field.people[0],
            PersonUpdate(gender="F", birth_date="1986-06-07"),  # 39 on the race day
        )
    places = {g.kind: g.key for g, _row, _n in await lb.places(field.competition_id, competitor)}
    assert places["age"] == "age:F:35-39"
    async with database.write() as session:
        await resources.update(
            session, SYSTEM, PEOPLE, field.people[0], PersonUpdate(birth_date="1986-06-06")
        )
    await lb.catch_up()
    places = {g.kind: g.key for g, _row, _n in await lb.places(field.competition_id, competitor)}
    assert places["age"] == "age:F:40-44"
    board, fmt = await lb.board(BoardKey(field.competition_id, None, "age:F:35-39"))
    assert await board.get(competitor, fmt.tie_rule) is None


async def test_a_category_of_a_challenge_is_not_a_board(database: Database) -> None:
    field = Field(database)
    await field.create(1, 1)
    with pytest.raises(LookupError):
        await Leaderboards(database).board(BoardKey(field.competition_id, 5, "gender:F"))
