"""A deterministic demo dataset: one organization per platform Podium speaks.

It goes through the core services like any client's writes, so it also fills the
event log. Each organization is loaded in one transaction and skipped when its
slug exists, so loading twice changes nothing.
"""

from __future__ import annotations

import random
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from podium.core import awards, resources, results, teams
from podium.core.awards import AwardCreate
from podium.core.challenges import CHALLENGES, ChallengeCreate
from podium.core.competitions import COMPETITIONS, CompetitionCreate
from podium.core.entries import ENTRIES, EntryCreate
from podium.core.organizations import OrganizationCreate, by_slug, create_organization
from podium.core.people import PEOPLE, PersonCreate
from podium.core.principal import SYSTEM
from podium.core.result_sets import RESULT_SETS, ResultSetCreate
from podium.core.results import ResultCreate
from podium.core.schedule import HEATS, ROUNDS, SLOTS, HeatCreate, RoundCreate, SlotCreate
from podium.core.teams import TEAMS, MemberAdd, TeamCreate
from podium.store.database import Database
from podium.store.tables import Organization, Person

EPOCH = datetime(2026, 6, 6, 9, 0, tzinfo=UTC)

PILOTS = [
    "Ava Sky",
    "Ben Rotor",
    "Cleo Gate",
    "Dax Prop",
    "Eli Yaw",
    "Fay Roll",
    "Gus Pitch",
    "Hana Loop",
]
RACEBAND = [5658, 5695, 5732, 5769, 5806, 5843, 5880, 5917]
# given name, family name, gender, date of birth (age groups count on race day)
RUNNERS = [
    ("Maria", "Lopez", "F", "1988-03-14"),
    ("James", "Okafor", "M", "1979-11-02"),
    ("Sofia", "Rossi", "F", "1996-06-06"),
    ("Liam", "Chen", "M", "1992-08-21"),
    ("Nora", "Berg", "F", "1971-01-30"),
    ("Omar", "Haddad", "M", "1985-06-07"),
    ("Ines", "Duarte", "F", "1984-02-29"),
    ("Tom", "Walsh", "M", "1966-09-09"),
    ("Yuki", "Sato", "F", "2003-04-18"),
    ("Ravi", "Patel", "M", "1990-12-12"),
    ("Ella", "Novak", "F", "1981-07-07"),
    ("Jon", "Kowalski", "M", "1958-05-05"),
]
PLAYERS = [
    ("Artemis", "8472", 301000000000000001),
    ("Hermes", "1010", 301000000000000002),
    ("Athena", "4242", 301000000000000003),
    ("Apollo", "7777", 301000000000000004),
    ("Hera", "0001", 301000000000000005),
    ("Ares", "6666", 301000000000000006),
]
DRIVERS = ["Wirtual", "Scrapie", "Massa", "Bren", "Granady", "Hefest"]
CONTESTANTS = ["team-ada", "team-bool", "team-cons", "team-dijk"]


async def _org(session: AsyncSession, slug: str, name: str, description: str) -> Organization:
    return await create_organization(
        session, SYSTEM, OrganizationCreate(slug=slug, name=name, description=description)
    )


async def _person(session: AsyncSession, org_id: int | None, **fields: Any) -> Person:
    command = PersonCreate(organization_id=org_id, **fields)
    return await resources.create(session, SYSTEM, PEOPLE, command)


async def _drone_chapter(session: AsyncSession, rng: random.Random) -> None:
    org = await _org(
        session, "skyline-fpv", "Skyline FPV Chapter", "MultiGP chapter, drone racing."
    )
    season = await resources.create(
        session,
        SYSTEM,
        COMPETITIONS,
        CompetitionCreate(
            organization_id=org.id,
            name="Skyline Summer Series",
            kind="mgp_race",
            scoring="aggregate_laps",
            status="running",
            starts_at=EPOCH,
            attributes={"series": {}},  # standings over its races, default points
        ),
    )
    race = await resources.create(
        session,
        SYSTEM,
        COMPETITIONS,
        CompetitionCreate(
            organization_id=org.id,
            parent_id=season.id,
            name="Round 1: Warehouse Rumble",
            kind="mgp_race",
            scoring="aggregate_laps",
            status="finished",
            starts_at=EPOCH,
            attributes={
                "multigp": {
                    "raceType": "2",
                    "scoringFormat": "0",
                    "cycleCount": 2,
                    "slots": 4,
                    "disableSlotAutoPopulation": "0",
                }
            },
        ),
    )
    await resources.create(
        session,
        SYSTEM,
        CHALLENGES,
        ChallengeCreate(
            organization_id=org.id,
            competition_id=race.id,
            kind="course",
            name="Warehouse Spiral",
            attributes={"length_m": 410},
        ),
    )
    entries = []
    for i, name in enumerate(PILOTS):
        pilot = await _person(session, org.id, name=name, external_ids={"multigp": str(9100 + i)})
        entries.append(
            await resources.create(
                session,
                SYSTEM,
                ENTRIES,
                EntryCreate(
                    person_id=pilot.id,
                    equipment="5in freestyle quad",
                    band="R",
                    channel=str(i + 1),
                    frequency_mhz=RACEBAND[i],
                ),
                competition_id=race.id,
            )
        )
    rows = []
    for round_number in (1, 2):
        rnd = await resources.create(
            session,
            SYSTEM,
            ROUNDS,
            RoundCreate(name=f"Qualifier {round_number}"),
            competition_id=race.id,
        )
        for heat_number, group in enumerate((entries[:4], entries[4:]), start=1):
            heat = await resources.create(
                session, SYSTEM, HEATS, HeatCreate(status="finished"), round_id=rnd.id
            )
            for entry in group:
                slot = await resources.create(
                    session,
                    SYSTEM,
                    SLOTS,
                    SlotCreate(
                        entry_id=entry.id,
                        band="R",
                        channel=entry.channel,
                        frequency_mhz=entry.frequency_mhz,
                    ),
                    heat_id=heat.id,
                )
                laps = [rng.randint(17_500, 24_000) for _ in range(rng.randint(3, 6))]
                rows.append(
                    ResultCreate(
                        entry_id=entry.id,
                        heat_id=heat.id,
                        slot_id=slot.id,
                        laps=len(laps),
                        lap_times_ms=laps,
                        elapsed_ms=sum(laps),
                        recorded_at=EPOCH + timedelta(minutes=10 * heat_number),
                    )
                )
    await results.create_many(session, SYSTEM, race.id, rows)


async def _running_club(session: AsyncSession, rng: random.Random) -> None:
    org = await _org(
        session, "harbor-runners", "Harbor Running Club", "Race organizer (RunSignup)."
    )
    race = await resources.create(
        session,
        SYSTEM,
        COMPETITIONS,
        CompetitionCreate(
            organization_id=org.id,
            name="Harbor Lights 10K",
            kind="race",
            status="finished",
            starts_at=EPOCH,
            external_ids={"runsignup": "120001"},
        ),
    )
    for name, distance, virtual, base in (
        ("10K", 10_000, False, 2_400_000),
        ("5K Virtual", 5_000, True, 1_200_000),
    ):
        event = await resources.create(
            session,
            SYSTEM,
            COMPETITIONS,
            CompetitionCreate(
                organization_id=org.id,
                parent_id=race.id,
                name=name,
                kind="event",
                status="finished",
                starts_at=EPOCH,
                scoring="lowest_time",
                attributes={
                    "distance_m": distance,
                    "virtual": virtual,
                    "display": {"time": "auto", "pace": "km"},
                },
            ),
        )
        result_set = await resources.create(
            session,
            SYSTEM,
            RESULT_SETS,
            ResultSetCreate(name=f"{name} overall"),
            competition_id=event.id,
        )
        rows = []
        for i, (given, family, gender, born) in enumerate(RUNNERS):
            runner = await _person(
                session,
                org.id,
                name=f"{given} {family}",
                given_name=given,
                family_name=family,
                gender=gender,
                birth_date=born,
                country="USA",
            )
            entry = await resources.create(
                session,
                SYSTEM,
                ENTRIES,
                EntryCreate(
                    person_id=runner.id,
                    bib=str(100 * (2 if virtual else 1) + i + 1),
                    registration_id=str(800_000 + event.id * 100 + i),
                    chip=f"CHIP{event.id:02d}{i:03d}",
                ),
                competition_id=event.id,
            )
            status = "DNF" if i == 7 and not virtual else "OK"
            elapsed = None if status != "OK" else base + rng.randint(0, 900_000)
            rows.append(
                ResultCreate(
                    entry_id=entry.id,
                    result_set_id=result_set.id,
                    status=status,
                    elapsed_ms=elapsed,
                    splits=[{"name": "half", "elapsed_ms": elapsed // 2}] if elapsed else None,
                )
            )
        await results.create_many(session, SYSTEM, event.id, rows)


async def _league(session: AsyncSession, _rng: random.Random) -> None:
    org = await _org(session, "polympics", "Polympics League", "Polytopia olympics (Polympics).")
    olympus = await resources.create(
        session, SYSTEM, TEAMS, TeamCreate(name="Gods of Olympus", organization_id=org.id)
    )
    titans = await resources.create(
        session, SYSTEM, TEAMS, TeamCreate(name="Titans", organization_id=org.id)
    )
    members = []
    for i, (name, discriminator, discord_id) in enumerate(PLAYERS):
        player = await _person(
            session,
            org.id,
            name=name,
            attributes={"discriminator": discriminator},
            external_ids={"discord": str(discord_id)},
        )
        team = olympus if i % 2 == 0 else titans
        await teams.add_member(session, SYSTEM, team.id, MemberAdd(person_id=player.id))
        members.append(player)
    await awards.create_award(
        session,
        SYSTEM,
        AwardCreate(
            title="Perfect 10 Gold",
            organization_id=org.id,
            team_id=olympus.id,
            image_url="https://example.invalid/gold.png",
            person_ids=[members[0].id],
        ),
    )


async def _contest(session: AsyncSession, rng: random.Random) -> None:
    org = await _org(session, "code-cup", "Code Cup", "Programming contests (Mooshak 2).")
    contest = await resources.create(
        session,
        SYSTEM,
        COMPETITIONS,
        CompetitionCreate(
            organization_id=org.id,
            name="Spring Programming Cup",
            kind="contest",
            scoring="icpc",
            status="finished",
            starts_at=EPOCH,
            ends_at=EPOCH + timedelta(hours=5),
            attributes={"mooshak": {"policy": "ICPC", "status": "FINISHED"}},
            external_ids={"mooshak": "spring-cup"},
        ),
    )
    problems = [
        await resources.create(
            session,
            SYSTEM,
            CHALLENGES,
            ChallengeCreate(
                organization_id=org.id,
                competition_id=contest.id,
                kind="problem",
                name=title,
                code=code,
                position=n,
                attributes={
                    "problem_id": code,
                    "statement": f"<p>{title}: read two integers, print their {what}.</p>",
                    "timeout": 1.0,
                    "memory_mb": 256,
                    "tests": [
                        {"input": "3 4\n", "output": f"{answers[0]}\n", "public": True},
                        {"input": "10 7\n", "output": f"{answers[1]}\n", "public": False},
                    ],
                },
            ),
        )
        for n, (code, title, what, answers) in enumerate(
            (
                ("A", "Apples", "sum", (7, 17)),
                ("B", "Bridges", "product", (12, 70)),
                ("C", "Cycles", "difference", (-1, 3)),
            )
        )
    ]
    rows = []
    for name in CONTESTANTS:
        team = await resources.create(
            session, SYSTEM, TEAMS, TeamCreate(name=name, organization_id=org.id)
        )
        entry = await resources.create(
            session, SYSTEM, ENTRIES, EntryCreate(team_id=team.id), competition_id=contest.id
        )
        for problem in problems:
            for attempt in range(rng.randint(1, 3)):
                accepted = rng.random() < (0.6 if attempt == 0 else 0.5)
                minute = rng.randint(5, 290)
                rows.append(
                    ResultCreate(
                        entry_id=entry.id,
                        team_id=team.id,
                        challenge_id=problem.id,
                        points=1.0 if accepted else 0.0,
                        elapsed_ms=minute * 60_000,
                        attributes={"verdict": "Accepted" if accepted else "Wrong Answer"},
                        recorded_at=EPOCH + timedelta(minutes=minute),
                    )
                )
                if accepted:
                    break
    await results.create_many(session, SYSTEM, contest.id, rows)


async def _club(session: AsyncSession, rng: random.Random) -> None:
    org = await _org(session, "tm-club", "Nightdrive TM Club", "Trackmania club (Nadeo Live).")
    campaign = await resources.create(
        session,
        SYSTEM,
        COMPETITIONS,
        CompetitionCreate(
            organization_id=org.id,
            name="Nightdrive Campaign",
            kind="campaign",
            scoring="personal_best",
            tie_rule="first_set",
            status="running",
            starts_at=EPOCH,
            # A club campaign as the Nadeo dialect serves it (useCase 2, its map UIDs).
            attributes={
                "useCase": 2,
                "playlist": [f"NightdriveMap{n:02d}xxxxxxx" for n in range(1, 4)],
            },
            external_ids={"nadeo_group": "NLS-0000000000000000nightdrive0000"},
        ),
    )
    drivers = [
        await _person(
            session, org.id, name=name, external_ids={"nadeo": f"00000000-0000-4000-8000-{i:012d}"}
        )
        for i, name in enumerate(DRIVERS, start=1)
    ]
    for n in range(1, 4):
        track = await resources.create(
            session,
            SYSTEM,
            CHALLENGES,
            ChallengeCreate(
                organization_id=org.id,
                competition_id=campaign.id,
                kind="map",
                name=f"Nightdrive - {n:02d}",
                code=f"NightdriveMap{n:02d}xxxxxxx",
                position=n,
            ),
        )
        rows = [
            ResultCreate(
                person_id=driver.id,
                challenge_id=track.id,
                elapsed_ms=rng.randint(24_000, 31_000),
                recorded_at=EPOCH + timedelta(hours=rng.randint(1, 48)),
            )
            for driver in drivers
        ]
        await results.create_many(session, SYSTEM, campaign.id, rows)


SECTIONS: list[tuple[str, Callable[[AsyncSession, random.Random], Awaitable[None]]]] = [
    ("skyline-fpv", _drone_chapter),
    ("harbor-runners", _running_club),
    ("polympics", _league),
    ("code-cup", _contest),
    ("tm-club", _club),
]


async def load(database: Database) -> dict[str, list[str]]:
    """Load every missing demo organization; returns which were created."""
    created = []
    for index, (slug, section) in enumerate(SECTIONS):
        async with database.write() as session:
            if await by_slug(session, slug) is not None:
                continue
            rng = random.Random(1000 + index)  # noqa: S311 (demo data, not secrets)
            await section(session, rng)
            created.append(slug)
    return {"created": created}
