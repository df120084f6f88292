"""Boards kept by the event log equal a from-scratch SQL ranking, on every backend."""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from redis.asyncio import Redis
from sqlalchemy import text

from podium.core import resources, results
from podium.core.competitions import COMPETITIONS, CompetitionCreate
from podium.core.organizations import OrganizationCreate, create_organization
from podium.core.people import PEOPLE, PersonCreate
from podium.core.principal import SYSTEM
from podium.core.results import RESULTS, ResultCreate, ResultUpdate
from podium.ranking.leaderboards import BoardKey, Leaderboards
from podium.store.database import Database
from podium.store.redis import connect

T0 = datetime(2026, 6, 6, tzinfo=UTC)
_prefixes = itertools.count()

SQL_RANKING = text(
    """
    WITH best AS (
        SELECT person_id, MIN(elapsed_ms) AS ms FROM results
        WHERE competition_id = :c AND status = 'OK' AND elapsed_ms IS NOT NULL
        GROUP BY person_id
    ), firsts AS (
        SELECT r.person_id, MIN(r.recorded_at) AS at FROM results r
        JOIN best b ON b.person_id = r.person_id AND r.elapsed_ms = b.ms
        WHERE r.competition_id = :c AND r.status = 'OK'
        GROUP BY r.person_id
    )
    SELECT b.person_id, b.ms,
           RANK() OVER (ORDER BY b.ms) AS shared,
           DENSE_RANK() OVER (ORDER BY b.ms) AS dense,
           ROW_NUMBER() OVER (ORDER BY b.ms, f.at, b.person_id) AS first_set
    FROM best b JOIN firsts f ON f.person_id = b.person_id
    ORDER BY b.ms, f.at, b.person_id
    """
)


async def sql_ranking(db: Database, competition_id: int, rule: str) -> list[tuple[int, int, int]]:
    async with db.read() as session:
        rows = (await session.execute(SQL_RANKING, {"c": competition_id})).mappings().all()
    return [(r["person_id"], r["ms"], r[rule]) for r in rows]


async def board_ranking(
    lb: Leaderboards, competition_id: int, rule: str
) -> list[tuple[int, int, int]]:
    board, _fmt = await lb.board(BoardKey(competition_id))
    rows = await board.top(0, 1000, rule)  # type: ignore[arg-type]
    return [(r.competitor >> 2, r.score, r.rank) for r in rows]


async def setup_competition(
    db: Database, people: int = 6, tie_rule: str = "first_set"
) -> tuple[int, list[int]]:
    async with db.write() as session:
        org = await create_organization(
            session, SYSTEM, OrganizationCreate(slug=f"org-{next(_prefixes)}", name="Org")
        )
        comp = await resources.create(
            session,
            SYSTEM,
            COMPETITIONS,
            CompetitionCreate(
                organization_id=org.id, name="Map", scoring="personal_best", tie_rule=tie_rule
            ),  # type: ignore[arg-type]
        )
        ids = [
            (await resources.create(session, SYSTEM, PEOPLE, PersonCreate(name=f"P{i}"))).id
            for i in range(people)
        ]
    return comp.id, ids


Op = tuple[str, int, int, int]
operations = st.lists(
    st.tuples(
        st.sampled_from(["add", "add", "add", "improve", "delete", "dnf"]),
        st.integers(0, 5),  # which person
        st.integers(1, 8),  # time in seconds: few values, so ties happen
        st.integers(0, 30),  # set at, in seconds
    ),
    min_size=1,
    max_size=18,
)


async def play(db: Database, competition_id: int, people: list[int], sequence: list[Op]) -> None:
    stored: list[int] = []
    for kind, who, seconds, at in sequence:
        async with db.write() as session:
            if kind in {"add", "dnf"}:
                made = await results.create_one(
                    session,
                    SYSTEM,
                    competition_id,
                    ResultCreate(
                        person_id=people[who],
                        status="DNF" if kind == "dnf" else "OK",
                        elapsed_ms=None if kind == "dnf" else seconds * 1000,
                        recorded_at=T0 + timedelta(seconds=at),
                    ),
                )
                stored.append(made.id)
            elif stored and kind == "improve":
                target = stored[seconds % len(stored)]
                await resources.update(
                    session,
                    SYSTEM,
                    RESULTS,
                    target,
                    ResultUpdate(elapsed_ms=max(seconds - 1, 0) * 1000, person_id=people[who]),
                )
            elif stored:
                await resources.delete(session, SYSTEM, RESULTS, stored.pop(seconds % len(stored)))


async def assert_matches(lb: Leaderboards, db: Database, competition_id: int) -> None:
    for rule in ("shared", "dense", "first_set"):
        assert await board_ranking(lb, competition_id, rule) == await sql_ranking(
            db, competition_id, rule
        ), rule


@pytest.fixture
async def redis_client(redis_url: str) -> AsyncIterator[Redis]:
    client = connect(redis_url)
    yield client
    await client.aclose()


SETTINGS = settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@SETTINGS
@given(sequence=operations, build_first=st.booleans())
async def test_memory_board_equals_sql(
    database: Database, sequence: list[Op], build_first: bool
) -> None:
    competition_id, people = await setup_competition(database)
    lb = Leaderboards(database)
    if build_first:  # built before the writes: kept in step by the log
        await lb.board(BoardKey(competition_id))
    await play(database, competition_id, people, sequence)
    await assert_matches(lb, database, competition_id)
    # A restart rebuilds from the store and gives the same answers.
    await assert_matches(Leaderboards(database), database, competition_id)


@SETTINGS
@given(sequence=operations)
async def test_two_redis_workers_agree_with_sql(
    database: Database, redis_client: Redis, redis_prefix: str, sequence: list[Op]
) -> None:
    competition_id, people = await setup_competition(database)
    # Under this test's own prefix (removed after it): parallel workers share the Redis.
    prefix = f"{redis_prefix}:lb:{next(_prefixes)}"
    writer, reader = (
        Leaderboards(database, redis_client, prefix),
        Leaderboards(database, redis_client, prefix),
    )
    await reader.board(BoardKey(competition_id))
    half = len(sequence) // 2
    await play(database, competition_id, people, sequence[:half])
    await writer.catch_up()
    await play(database, competition_id, people, sequence[half:])
    await assert_matches(reader, database, competition_id)
    await assert_matches(writer, database, competition_id)


async def test_changing_the_scoring_rebuilds_the_board(database: Database) -> None:
    competition_id, people = await setup_competition(database, people=3)
    lb = Leaderboards(database)
    async with database.write() as session:
        for who, points in enumerate([5.0, 9.0, 7.0]):
            await results.create_one(
                session,
                SYSTEM,
                competition_id,
                ResultCreate(person_id=people[who], elapsed_ms=(3 - who) * 1000, points=points),
            )
    assert [c for c, _s, _r in await board_ranking(lb, competition_id, "shared")] == [
        people[2],
        people[1],
        people[0],
    ]
    async with database.write() as session:
        await resources.update(
            session,
            SYSTEM,
            COMPETITIONS,
            competition_id,
            COMPETITIONS.update(scoring="highest_points"),
        )
    assert [c for c, _s, _r in await board_ranking(lb, competition_id, "shared")] == [
        people[1],
        people[2],
        people[0],
    ]


async def test_deleting_or_moving_a_result_updates_a_built_board(database: Database) -> None:
    competition_id, people = await setup_competition(database, people=2)
    lb = Leaderboards(database)
    await lb.board(BoardKey(competition_id))
    async with database.write() as session:
        first = await results.create_one(
            session, SYSTEM, competition_id, ResultCreate(person_id=people[0], elapsed_ms=5000)
        )
        second = await results.create_one(
            session, SYSTEM, competition_id, ResultCreate(person_id=people[0], elapsed_ms=7000)
        )
    assert await board_ranking(lb, competition_id, "shared") == [(people[0], 5000, 1)]
    async with database.write() as session:
        await resources.update(
            session, SYSTEM, RESULTS, first.id, ResultUpdate(person_id=people[1])
        )
    assert await board_ranking(lb, competition_id, "shared") == [
        (people[1], 5000, 1),
        (people[0], 7000, 2),
    ]
    async with database.write() as session:
        await resources.delete(session, SYSTEM, RESULTS, second.id)
    assert await board_ranking(lb, competition_id, "shared") == [(people[1], 5000, 1)]
    await assert_matches(lb, database, competition_id)


async def test_warm_builds_live_boards_only(database: Database) -> None:
    live, people = await setup_competition(database, people=1)
    done, _ = await setup_competition(database, people=1)
    async with database.write() as session:
        await resources.update(
            session, SYSTEM, COMPETITIONS, live, COMPETITIONS.update(status="running")
        )
        await resources.update(
            session, SYSTEM, COMPETITIONS, done, COMPETITIONS.update(status="finished")
        )
        await results.create_one(
            session, SYSTEM, live, ResultCreate(person_id=people[0], elapsed_ms=1234)
        )
    lb = Leaderboards(database)
    await lb.warm()
    assert await lb._built(BoardKey(live)) and not await lb._built(BoardKey(done))
    board, _fmt = await lb.board(BoardKey(live))
    assert await board.count() == 1


async def test_a_board_still_being_built_is_not_served(database: Database) -> None:
    competition_id, people = await setup_competition(database, people=1)
    async with database.write() as session:
        await results.create_one(
            session, SYSTEM, competition_id, ResultCreate(person_id=people[0], elapsed_ms=900)
        )
    lb = Leaderboards(database)
    lb._board(BoardKey(competition_id))  # registered, as at the start of a build
    board, _fmt = await lb.board(BoardKey(competition_id))
    assert await board.count() == 1
