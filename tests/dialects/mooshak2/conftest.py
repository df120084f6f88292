"""A live Mooshak 2 server for the client tests: one running ICPC contest, problem A
(sum two integers; two tests, the first public), a team and a global admin."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from podium.config import Settings
from podium.core.principal import SYSTEM
from podium.dialects.mooshak2 import admin
from podium.store.database import Database
from tests.conftest import LiveServer

CONTEST = "proto_icpc"
SUM_TESTS = [("1 2\n", "3\n"), ("10 20\n", "30\n")]
CORRECT = b"a, b = map(int, input().split())\nprint(a + b)\n"
WRONG = b"a, b = map(int, input().split())\nprint(a - b)\n"


@dataclass
class Mooshak:
    server: LiveServer
    database: Database

    @property
    def endpoint(self) -> str:
        return f"{self.server.url}/mooshak/api/"

    async def contest(self, contest_id: str, status: str = "RUNNING") -> None:
        async with self.database.write() as session:
            await admin.create_contest(
                session, SYSTEM, contest_id=contest_id, designation=contest_id, status=status
            )

    async def problem(self, contest_id: str, problem_id: str) -> None:
        async with self.database.write() as session:
            await admin.add_problem(
                session,
                SYSTEM,
                contest_id,
                problem_id=problem_id,
                label=problem_id,
                title=problem_id,
                tests=SUM_TESTS,
            )

    async def team(self, username: str, password: str, contest_id: str = CONTEST) -> None:
        async with self.database.write() as session:
            await admin.create_user(
                session, SYSTEM, username=username, password=password, contest_id=contest_id
            )


def program(tmp_path: Path, source: bytes, name: str = "sum.py") -> Path:
    """``source`` written to a file, to be submitted as an open file like mooshak2api's users."""
    path = tmp_path / name
    path.write_bytes(source)
    return path


async def seed(database: Database) -> None:
    """The contest, problem A and the two users every test starts with."""
    async with database.write() as session:
        await admin.create_contest(
            session, SYSTEM, contest_id=CONTEST, designation="Prototype ICPC", status="RUNNING"
        )
        await admin.add_problem(
            session,
            SYSTEM,
            CONTEST,
            problem_id="A",
            label="A",
            title="sum two integers",
            statement="<p>Print the sum of two integers.</p>",
            timeout_seconds=1.0,
            tests=SUM_TESTS,
            public_tests=1,
        )
        await admin.create_user(
            session, SYSTEM, username="team1", password="pw1", contest_id=CONTEST
        )
        await admin.create_user(session, SYSTEM, username="admin", password="adminpw", role="ADMIN")


@pytest.fixture
async def mooshak(settings: Settings, database: Database) -> AsyncIterator[Mooshak]:
    await seed(database)
    with LiveServer(settings) as server:
        yield Mooshak(server, database)
