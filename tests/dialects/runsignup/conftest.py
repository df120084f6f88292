"""Fixtures for the RunSignup dialect: a live server and races to post results to."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest

from podium.core import organizations
from podium.core.organizations import OrganizationCreate
from podium.core.principal import SYSTEM
from podium.dialects.runsignup import auth, races
from podium.store.database import Database
from tests.conftest import LiveServer


@dataclass
class Race:
    """A race with a plain event, a virtual event (with or without elevation) and a key."""

    race_id: int
    event_id: int
    virtual_event_id: int
    api_key: str
    api_secret: str
    # registration_id -> bib of the virtual event's registrants
    registrations: dict[int, int] = field(default_factory=dict)
    timer_registrations: dict[int, int] = field(default_factory=dict)

    @property
    def key(self) -> dict[str, str]:
        return {"api_key": self.api_key, "api_secret": self.api_secret}


@dataclass
class RunSignup:
    server: LiveServer | None
    database: Database
    org_id: int | None = None

    @property
    def url(self) -> str:
        assert self.server is not None
        return f"{self.server.url}/Rest"

    async def race(
        self, *, elevation: bool = False, people: int = 3, name: str = "Harbor 10K"
    ) -> Race:
        async with self.database.write() as session:
            if self.org_id is None:
                org = await organizations.create_organization(
                    session, SYSTEM, OrganizationCreate(slug="harbor", name="Harbor Runners")
                )
                self.org_id = org.id
            race, (event, virtual) = await races.create_race(
                session,
                SYSTEM,
                self.org_id,
                name,
                [
                    races.EventSpec("10K"),
                    races.EventSpec("Virtual 5K", virtual=True, elevation=elevation),
                ],
            )
            made = Race(
                race.id, event.id, virtual.id, *await auth.create_key(session, race.id, self.org_id)
            )
            for n in range(people):
                for target, book in (
                    (virtual, made.registrations),
                    (event, made.timer_registrations),
                ):
                    entry = await races.register(
                        session,
                        SYSTEM,
                        race,
                        target,
                        first_name=f"Runner{n}",
                        last_name=f"Number{n}",
                        gender="F" if n % 2 else "M",
                        chip=f"CHIP{target.id}-{n}",
                    )
                    assert entry.registration_id is not None and entry.bib is not None
                    book[int(entry.registration_id)] = int(entry.bib)
        return made

    async def user(self, email: str, password: str, race_ids: list[int]) -> None:
        async with self.database.write() as session:
            await auth.create_user(
                session, email, password, race_ids, self.org_id, "Rae", "Director"
            )


@pytest.fixture
def runsignup(live_server: LiveServer, database: Database) -> RunSignup:
    return RunSignup(live_server, database)


def first(mapping: dict[int, int]) -> tuple[int, int]:
    """The first (registration_id, bib) of a race's registrants."""
    registration_id = next(iter(mapping))
    return registration_id, mapping[registration_id]


def results_of(body: dict[str, Any]) -> list[dict[str, Any]]:
    return [row for result_set in body["individual_results_sets"] for row in result_set["results"]]
