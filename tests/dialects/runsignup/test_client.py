"""The RunSignup client against Podium's /Rest over real HTTP, blocking and async.

Each test runs both clients against a live uvicorn server on SQLite (and PostgreSQL
when PODIUM_TEST_POSTGRES_URL is set), so what is asserted here is what the two
sides agree on: every credential form, login and its expiry, races, participants,
virtual and timer results, paging, result sets and in-band errors.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select

from podium.core import audit
from podium.core.principal import SYSTEM
from podium.dialects.runsignup import (
    AsyncRunSignupClient,
    AuthenticationError,
    InvalidRequestError,
    LoginError,
    NotFoundError,
    PermissionDeniedError,
    ResultSet,
    RunSignupClient,
    VirtualResult,
)
from podium.store.database import Database
from podium.store.tables import Credential
from podium.store.types import utcnow
from tests.conftest import make_token
from tests.dialects.runsignup.conftest import RunSignup, first

EMAIL, PASSWORD = "rd@example.com", "pw-123456"


class Twin:
    """One face for both clients: every method is awaited, iterators are collected."""

    def __init__(self, client: RunSignupClient | AsyncRunSignupClient) -> None:
        self.client = client

    def __getattr__(self, name: str) -> Callable[..., Any]:
        method = getattr(self.client, name)

        async def call(*args: Any, **kwargs: Any) -> Any:
            out = method(*args, **kwargs)
            if hasattr(out, "__await__"):
                return await out
            if isinstance(out, Iterator):
                return list(out)
            if isinstance(out, AsyncIterator):
                return [item async for item in out]
            return out

        return call


@pytest.fixture(params=["sync", "async"])
async def connect(
    request: pytest.FixtureRequest, runsignup: RunSignup
) -> AsyncIterator[Callable[..., Twin]]:
    made: list[RunSignupClient | AsyncRunSignupClient] = []

    def build(**creds: Any) -> Twin:
        client: RunSignupClient | AsyncRunSignupClient
        if request.param == "sync":
            client = RunSignupClient(runsignup.url, **creds)
        else:
            client = AsyncRunSignupClient(runsignup.url, **creds)
        made.append(client)
        return Twin(client)

    yield build
    for client in made:
        if isinstance(client, RunSignupClient):
            client.close()
        else:
            await client.close()


def rows_of(sets: list[ResultSet]) -> list[dict[str, Any]]:
    return [row for result_set in sets for row in result_set.results]


def by_bib(sets: list[ResultSet]) -> dict[int, dict[str, Any]]:
    return {row["bib"]: row for row in rows_of(sets)}


async def expire_tmp_keys(database: Database) -> None:
    async with database.write() as session:
        for row in await session.scalars(
            select(Credential).where(Credential.kind == "runsignup_tmp")
        ):
            row.expires_at = utcnow() - timedelta(seconds=1)


# ---- credentials ---------------------------------------------------------------------


async def test_every_credential_form(
    runsignup: RunSignup, database: Database, connect: Callable[..., Twin]
) -> None:
    race = await runsignup.race()
    registration_id, bib = first(race.registrations)
    row = [{"registration_id": registration_id, "clock_time": "00:20:00"}]
    token = await make_token(database, ["write"], runsignup.org_id)
    await runsignup.user(EMAIL, PASSWORD, [race.race_id])
    logged_in = connect()
    await logged_in.login(EMAIL, PASSWORD)
    for client in (
        connect(api_key=race.api_key, api_secret=race.api_secret),
        connect(rsu_api_key=race.api_key, api_secret=race.api_secret),
        connect(bearer_token=token),
        connect(tmp_key=logged_in.client.tmp_key, tmp_secret=logged_in.client.tmp_secret),
        logged_in,
    ):
        (receipt,) = await client.post_user_results(race.race_id, race.virtual_event_id, row)
        assert (receipt.registration_id, receipt.bib_num) == (registration_id, bib)
    # No credentials: public reads work, writes are refused with code 7.
    anonymous = connect()
    assert [
        r["bib"] for r in rows_of(await anonymous.get_results(race.race_id, race.virtual_event_id))
    ] == [bib]
    with pytest.raises(PermissionDeniedError) as denied:
        await anonymous.post_user_results(race.race_id, race.virtual_event_id, row)
    assert denied.value.error_code == 7
    for bad in (
        connect(api_key=race.api_key, api_secret="wrong"),
        connect(rsu_api_key=race.api_key, api_secret="wrong"),
        connect(bearer_token="not-a-token"),
        connect(tmp_key="nope", tmp_secret="nope"),
    ):
        with pytest.raises(AuthenticationError) as failed:
            await bad.post_user_results(race.race_id, race.virtual_event_id, row)
        assert failed.value.error_code == 6
    # A key opens its own race only.
    other = await runsignup.race(name="Other 5K")
    with pytest.raises(PermissionDeniedError):
        await connect(api_key=race.api_key, api_secret=race.api_secret).post_user_results(
            other.race_id, other.virtual_event_id, [{"bib_num": first(other.registrations)[1]}]
        )


async def test_login_relogin_and_logout(
    runsignup: RunSignup, database: Database, connect: Callable[..., Twin]
) -> None:
    race = await runsignup.race()
    await runsignup.user(EMAIL, PASSWORD, [race.race_id])
    client = connect()
    with pytest.raises(LoginError) as unknown:
        await client.login("nobody@example.com", PASSWORD)
    assert unknown.value.error_code == 101
    with pytest.raises(LoginError) as wrong:
        await client.login(EMAIL, "wrong")
    assert wrong.value.error_code == 102
    login = await client.login(EMAIL, PASSWORD)
    assert (login.user["first_name"], login.user["last_name"]) == ("Rae", "Director")
    assert login.user["email"] == EMAIL
    registration_id, _bib = first(race.registrations)
    row = {"registration_id": registration_id, "clock_time": "00:21:00"}
    await client.post_user_results(race.race_id, race.virtual_event_id, [row])
    # The key expires: the client logs in again by itself and the call goes through.
    await expire_tmp_keys(database)
    old = (login.tmp_key, login.tmp_secret)
    (receipt,) = await client.post_user_results(race.race_id, race.virtual_event_id, [row])
    assert receipt.registration_id == registration_id
    assert client.client.tmp_key not in (None, login.tmp_key)
    with pytest.raises(AuthenticationError):
        await connect(tmp_key=old[0], tmp_secret=old[1]).get_participants(
            race.race_id, race.virtual_event_id
        )
    # Logout ends the key on the server too.
    current = (client.client.tmp_key, client.client.tmp_secret)
    await client.logout()
    assert client.client.tmp_key is None
    with pytest.raises(AuthenticationError):
        await connect(tmp_key=current[0], tmp_secret=current[1]).get_participants(
            race.race_id, race.virtual_event_id
        )
    # After logout there is no login to repeat: the client is anonymous again.
    with pytest.raises(PermissionDeniedError):
        await client.post_user_results(race.race_id, race.virtual_event_id, [row])


# ---- races and participants -------------------------------------------------------------


async def test_races_and_a_race(runsignup: RunSignup, connect: Callable[..., Twin]) -> None:
    made = [await runsignup.race(name=f"Harbor {n}K", people=1) for n in (5, 10, 21)]
    client = connect()
    races = await client.get_races(events=True, page_size=2)
    assert [r.race_id for r in races] == [m.race_id for m in made]
    assert [len(r.events) for r in races] == [2, 2, 2]
    assert [r.race_id for r in await client.get_races(name="21K")] == [made[2].race_id]
    race = await client.get_race(made[0].race_id)
    assert race.name == "Harbor 5K" and not race.is_draft_race
    assert [(e.event_id, e.name, e.is_virtual) for e in race.events] == [
        (made[0].event_id, "10K", False),
        (made[0].virtual_event_id, "Virtual 5K", True),
    ]
    with pytest.raises(NotFoundError) as missing:
        await client.get_race(made[2].race_id + 1000)
    assert missing.value.error_code == 201


async def test_participants_across_pages(
    runsignup: RunSignup, connect: Callable[..., Twin]
) -> None:
    race = await runsignup.race(people=5)
    client = connect(api_key=race.api_key, api_secret=race.api_secret)
    found = await client.get_participants(race.race_id, race.virtual_event_id, page_size=2)
    assert {p.registration_id: p.bib_num for p in found} == race.registrations
    assert [p.registration_id for p in found] == sorted(race.registrations)
    assert {p.event_id for p in found} == {race.virtual_event_id}
    assert found[0].user["first_name"] == "Runner0" and found[0].user["last_name"] == "Number0"
    assert found[0].chip_num == f"CHIP{race.virtual_event_id}-0"
    both = await client.get_participants(
        race.race_id, [race.event_id, race.virtual_event_id], page_size=3
    )
    assert {p.registration_id for p in both} == set(race.registrations) | set(
        race.timer_registrations
    )
    with pytest.raises(PermissionDeniedError):
        await connect().get_participants(race.race_id, race.virtual_event_id)
    with pytest.raises(NotFoundError) as bad_event:
        await client.get_participants(race.race_id, race.event_id + 1000)
    assert bad_event.value.error_code == 223


# ---- virtual results -------------------------------------------------------------------


@pytest.mark.parametrize("request_format", ["json", "xml"])
async def test_user_results_and_the_tally_rule(
    runsignup: RunSignup, connect: Callable[..., Twin], request_format: str
) -> None:
    race = await runsignup.race(people=3)
    client = connect(api_key=race.api_key, api_secret=race.api_secret)
    (reg_a, bib_a), (reg_b, bib_b), (reg_c, bib_c) = race.registrations.items()

    async def post(rows: list[Any]) -> list[Any]:
        result: list[Any] = await client.post_user_results(
            race.race_id, race.virtual_event_id, rows, request_format=request_format
        )
        return result

    receipts = await post(
        [
            # The registration's own bib wins over a wrong bib_num.
            {
                "registration_id": reg_a,
                "bib_num": bib_c,
                "clock_time": "00:17:00.1",
                "tally_value": 1.75,
            },
            VirtualResult(bib_num=bib_b, clock_time="100:00:00", tally_value=2.5),
            VirtualResult(registration_id=reg_c, clock_time="DNF", tally_value=3),
        ]
    )
    assert [(r.registration_id, r.bib_num) for r in receipts] == [
        (reg_a, bib_a),
        (reg_b, bib_b),
        (reg_c, bib_c),
    ]
    assert [r.submitted_time_in_ms for r in receipts] == [1_020_100, 360_000_000, None]
    assert len({r.individual_result_set_id for r in receipts}) == 1  # one auto-created set
    assert all(r.result_approval_ts is None and r.results_received_ts for r in receipts)
    sets = await client.get_results(race.race_id, race.virtual_event_id)
    rows = by_bib(sets)
    assert (rows[bib_a]["tally_value"], rows[bib_b]["tally_value"]) == (1.75, 2.5)
    assert (rows[bib_c]["clock_time"], rows[bib_c]["tally_value"]) == ("DNF", 3)
    assert rows[bib_a]["clock_time"] == "17:00.1"
    # Absent tally_value: unchanged. Null or empty tally_value: cleared. Elevation gain
    # is ignored by an event that does not allow it.
    receipts = await post(
        [
            {"registration_id": reg_a, "clock_time": "00:16:00", "elevation_gain_in_mm": 900},
            VirtualResult(registration_id=reg_b, clock_time="99:00:00", tally_value=None),
            {"registration_id": reg_c, "clock_time": "DNS", "tally_value": ""},
        ]
    )
    assert receipts[0].elevation_gain_in_mm is None
    rows = by_bib(await client.get_results(race.race_id, race.virtual_event_id))
    assert rows[bib_a]["tally_value"] == 1.75 and rows[bib_a]["clock_time"] == "16:00"
    assert rows[bib_a]["elevation_gain_in_mm"] is None
    assert rows[bib_b]["tally_value"] is None and rows[bib_c]["tally_value"] is None
    assert rows[bib_c]["clock_time"] == "DNS"
    assert len(rows) == 3  # edits, not new rows


async def test_user_results_are_checked_row_by_row(
    runsignup: RunSignup, connect: Callable[..., Twin]
) -> None:
    race = await runsignup.race(elevation=True, people=2)
    client = connect(api_key=race.api_key, api_secret=race.api_secret)
    (reg_a, _), (reg_b, _) = race.registrations.items()
    with pytest.raises(InvalidRequestError) as caught:
        await client.post_user_results(
            race.race_id,
            race.virtual_event_id,
            [
                VirtualResult(registration_id=reg_a, clock_time="00:20:00", elevation_gain_in_mm=5),
                VirtualResult(registration_id=reg_b, clock_time="00:20:00"),  # elevation missing
                {"registration_id": reg_a, "clock_time": "20 minutes", "elevation_gain_in_mm": 1},
            ],
        )
    assert caught.value.error_code == 11
    assert [d.index for d in caught.value.details] == [1, 2]
    assert rows_of(await client.get_results(race.race_id, race.virtual_event_id)) == []
    (receipt,) = await client.post_user_results(
        race.race_id,
        race.virtual_event_id,
        [VirtualResult(registration_id=reg_a, clock_time="00:20:00", elevation_gain_in_mm=1200)],
        request_format="xml",
    )
    assert receipt.elevation_gain_in_mm == 1200
    with pytest.raises(InvalidRequestError) as not_virtual:
        await client.post_user_results(
            race.race_id, race.event_id, [{"bib_num": 1, "clock_time": "00:20:00"}]
        )
    assert not_virtual.value.error_code == 3


# ---- timer results ------------------------------------------------------------------------


@pytest.mark.parametrize("request_format", ["json", "xml"])
async def test_full_results_add_and_edit(
    runsignup: RunSignup, connect: Callable[..., Twin], request_format: str
) -> None:
    race = await runsignup.race(people=3)
    client = connect(api_key=race.api_key, api_secret=race.api_secret)
    (reg_a, bib_a), (reg_b, bib_b), (reg_c, bib_c) = race.timer_registrations.items()
    chip_c = f"CHIP{race.event_id}-2"
    receipt = await client.post_full_results(
        race.race_id,
        race.event_id,
        [
            {
                "registration_id": reg_a,
                "clock_time": "0:28:05.123",
                "chip_time": "0:28:01",
                "place": 2,
            },
            {"bib": bib_b, "clock_time": "0:27:00", "place": 1, "split-1": "0:13:10"},
            {"chip_num": chip_c, "clock_time": "DNF"},
            {"first_name": "Walk", "last_name": "Up", "clock_time": "0:40:00"},
        ],
        request_format=request_format,
    )
    assert receipt.individual_result_set_id is not None
    assert [(r.registration_id, r.bib) for r in receipt.results] == [
        (reg_a, bib_a),
        (reg_b, bib_b),
        (reg_c, bib_c),
        (None, None),
    ]
    result_a = receipt.results[0].result_id
    sets = await client.get_results(race.race_id, race.event_id)
    assert [s.individual_result_set_id for s in sets] == [receipt.individual_result_set_id]
    rows = by_bib(sets)
    assert (rows[bib_a]["clock_time"], rows[bib_a]["chip_time"], rows[bib_a]["place"]) == (
        "28:05.123",
        "28:01",
        2,
    )
    assert rows[bib_b]["split-1"] == "13:10"
    assert "split-1" in sets[0].results_headers
    assert rows[bib_c]["clock_time"] == "DNF"
    walk_up = [r for r in rows_of(sets) if r["bib"] is None]
    assert [(r["first_name"], r["last_name"]) for r in walk_up] == [("Walk", "Up")]
    # result_id edits the row instead of adding one.
    edited = await client.post_full_results(
        race.race_id,
        race.event_id,
        [{"result_id": result_a, "clock_time": "0:26:00", "place": 1}],
        individual_result_set_id=receipt.individual_result_set_id,
        request_format=request_format,
    )
    assert [r.result_id for r in edited.results] == [result_a]
    rows = by_bib(await client.get_results(race.race_id, race.event_id))
    assert (rows[bib_a]["clock_time"], rows[bib_a]["place"]) == ("26:00", 1)
    assert len(rows_of(await client.get_results(race.race_id, race.event_id))) == 4
    # One result, and one audit entry with the time before and after, by the timer's key.
    async with runsignup.database.read() as session:
        history = await audit.history(session, SYSTEM, result_a)
    assert [entry.action for entry in history] == ["created", "updated"]
    changed = {c.field: (c.before, c.after) for c in history[-1].changes}
    assert changed["elapsed_ms"] == (1_685_123, 1_560_000) and changed["place"] == (2, 1)
    assert history[-1].actor.startswith(f"runsignup:{race.api_key}")


# ---- reading results ------------------------------------------------------------------------


async def test_get_results_pages_through_everything(
    runsignup: RunSignup, connect: Callable[..., Twin]
) -> None:
    race = await runsignup.race(people=7)
    writer = connect(api_key=race.api_key, api_secret=race.api_secret)
    await writer.post_user_results(
        race.race_id,
        race.virtual_event_id,
        [
            VirtualResult(registration_id=registration_id, clock_time=f"00:{30 - n}:00")
            for n, registration_id in enumerate(race.registrations)
        ],
    )
    reader = connect()
    (only,) = await reader.get_results(race.race_id, race.virtual_event_id, page_size=3)
    assert [row["place"] for row in only.results] == [1, 2, 3, 4, 5, 6, 7]
    assert [row["clock_time"] for row in only.results][:2] == ["24:00", "25:00"]
    assert len({row["result_id"] for row in only.results}) == 7
    assert set(only.results[0]) == set(only.results_headers)
    chunks = await reader.iter_results(
        race.race_id, race.virtual_event_id, only.individual_result_set_id, page_size=3
    )
    assert [len(chunk.results) for chunk in chunks] == [3, 3, 1]
    exact = await reader.iter_results(race.race_id, race.virtual_event_id, page_size=7)
    assert [len(chunk.results) for chunk in exact] == [7, 0]
    _registration_id, first_bib = first(race.registrations)
    (filtered,) = await reader.get_results(
        race.race_id, race.virtual_event_id, page_size=2, bib_num=first_bib
    )
    assert [row["bib"] for row in filtered.results] == [first_bib]


# ---- result sets ----------------------------------------------------------------------------


async def test_result_set_management(runsignup: RunSignup, connect: Callable[..., Twin]) -> None:
    race = await runsignup.race(people=2)
    client = connect(api_key=race.api_key, api_secret=race.api_secret)
    anonymous = connect()
    event = race.virtual_event_id
    overall = await client.new_result_set(race.race_id, event, "Overall", pace_type="t")
    private = await client.new_result_set(
        race.race_id, event, "Age groups", public_results=False, sort_order=5
    )
    sets = await client.get_result_sets(race.race_id, event)
    assert [
        (s.individual_result_set_id, s.individual_result_set_name, s.public_results, s.pace_type)
        for s in sets
    ] == [(overall, "Overall", True, "t"), (private, "Age groups", False, "T")]
    assert sets[1].sort_order == 5 and all(s.results == [] for s in sets)
    assert [
        s.individual_result_set_id for s in await anonymous.get_result_sets(race.race_id, event)
    ] == [overall]
    # Two sets: an upload must say which.
    (reg_a, _), (reg_b, _) = race.registrations.items()
    rows = [VirtualResult(registration_id=r, clock_time="00:30:00") for r in (reg_a, reg_b)]
    with pytest.raises(InvalidRequestError) as which:
        await client.post_user_results(race.race_id, event, rows)
    assert which.value.error_code == 3
    receipts = await client.post_user_results(race.race_id, event, rows, private)
    assert {r.individual_result_set_id for r in receipts} == {private}
    (got,) = await client.get_results(race.race_id, event, private)
    assert len(got.results) == 2
    # The private set and its rows stay hidden from anonymous readers.
    public_sets = await anonymous.get_results(race.race_id, event)
    assert [(s.individual_result_set_id, s.results) for s in public_sets] == [(overall, [])]
    # Edit: the name changes, omitted settings go back to their defaults.
    assert (
        await client.edit_result_set(
            race.race_id,
            event,
            private,
            name="Finals",
            public_results=True,
            preliminary_results=True,
        )
        == private
    )
    edited = {
        s.individual_result_set_id: s for s in await anonymous.get_result_sets(race.race_id, event)
    }
    assert edited[private].individual_result_set_name == "Finals"
    assert edited[private].preliminary_results is True and edited[private].sort_order == 0
    assert await client.clear_results(race.race_id, event, private) == 2
    (emptied,) = await client.get_results(race.race_id, event, private)
    assert emptied.results == []
    await client.delete_result_set(race.race_id, event, private)
    assert [
        s.individual_result_set_id for s in await client.get_result_sets(race.race_id, event)
    ] == [overall]
    with pytest.raises(NotFoundError) as gone:
        await client.delete_result_set(race.race_id, event, private)
    assert gone.value.error_code == 15
    with pytest.raises(NotFoundError):
        await client.get_results(race.race_id, event, private)
    with pytest.raises(PermissionDeniedError):
        await anonymous.new_result_set(race.race_id, event, "Nope")
    with pytest.raises(InvalidRequestError):
        await client.new_result_set(race.race_id, event, "Bad", pace_type="Z")
