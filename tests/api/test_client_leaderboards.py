"""The Python clients read leaderboards from a live server."""

from __future__ import annotations

import pytest

from podium.api import AsyncClient, Client, NotFoundError, UnprocessableEntityError
from tests.conftest import LiveServer


def make_race(client: Client) -> tuple[int, list[int]]:
    org = client.create_organization(slug="lbc", name="LB client")
    race = client.create_competition(organization_id=org.id, name="5K", scoring="lowest_time")
    people = [client.create_person(name=f"R{i}").id for i in range(4)]
    client.bulk_create_results(
        race.id,
        [
            {"person_id": people[0], "elapsed_ms": 20_000},
            {"person_id": people[1], "elapsed_ms": 18_000},
            {"person_id": people[2], "elapsed_ms": 20_000},
            {"person_id": people[3], "status": "DNF"},
        ],
    )
    return race.id, people


def test_sync_client_leaderboard(live_server: LiveServer, admin_token: str) -> None:
    with Client(live_server.url, admin_token) as client:
        race, people = make_race(client)
        board = client.get_leaderboard(race, limit=10)
        assert board.total == 3 and board.scoring == "lowest_time"
        assert [(r.rank, r.subject_id) for r in board.rows] == [
            (1, people[1]),
            (2, people[0]),
            (2, people[2]),
        ]
        assert client.leaderboard_position(race, value="0:19").position == 2
        standing = client.get_standing(race, "person", people[0], before=1, after=0)
        assert standing.row.rank == 2 and [r.subject_id for r in standing.rows] == people[1::-1]
        with pytest.raises(NotFoundError):
            client.get_standing(race, "person", people[3])
        with pytest.raises(UnprocessableEntityError):
            client.leaderboard_position(race)
        with pytest.raises(ValueError):
            client.get_standing(race, "robot", 1)


async def test_async_client_leaderboard(live_server: LiveServer, admin_token: str) -> None:
    with Client(live_server.url, admin_token) as sync:
        race, people = make_race(sync)
    async with AsyncClient(live_server.url, admin_token) as client:
        board = await client.get_leaderboard(race, offset=1, limit=1)
        assert board.offset == 1 and [r.rank for r in board.rows] == [2]
        assert (await client.leaderboard_position(race, score=1)).position == 1
        assert (await client.get_standing(race, "person", people[1])).row.rank == 1
