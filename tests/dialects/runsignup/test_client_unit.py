"""The RunSignup client on its own: what it sends, and how it reads answers and errors.

A recording ``httpx.MockTransport`` answers with canned bodies, so these tests only
make claims about the client (params, form fields, headers, the request string,
envelope parsing, re-login). What the server does is tested in ``test_client.py``.
Every test runs against both the blocking and the async client.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any
from urllib.parse import parse_qs
from xml.etree.ElementTree import fromstring

import httpx
import pytest

import podium.dialects.runsignup as rsu
from podium.dialects.runsignup import (
    UNSET,
    AsyncRunSignupClient,
    AuthenticationError,
    InvalidRequestError,
    LoginError,
    NotFoundError,
    PermissionDeniedError,
    RunSignupClient,
    RunSignupError,
    ServerError,
    VirtualResult,
)

BASE = "http://podium.test:8123/Rest"

Answer = httpx.Response | Callable[[httpx.Request], httpx.Response]


class Recorder:
    """A MockTransport handler: answers from a queue and keeps every request."""

    def __init__(self) -> None:
        self.requests: list[httpx.Request] = []
        self.answers: list[Answer] = []

    def answer(self, body: Any = None, status: int = 200, **kwargs: Any) -> None:
        if body is not None:
            kwargs["json"] = body
        self.answers.append(httpx.Response(status, **kwargs))

    def error(self, code: int, message: str = "nope", **extra: Any) -> None:
        self.answer({"error": {"error_code": code, "error_msg": message}, **extra})

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if not self.answers:
            raise AssertionError(f"unexpected request {request.method} {request.url}")
        answer = self.answers.pop(0)
        return answer(request) if callable(answer) else answer

    @property
    def last(self) -> httpx.Request:
        return self.requests[-1]

    def query(self, index: int = -1) -> dict[str, str]:
        return dict(self.requests[index].url.params)

    def form(self, index: int = -1) -> dict[str, str]:
        parsed = parse_qs(self.requests[index].content.decode(), keep_blank_values=True)
        return {key: values[-1] for key, values in parsed.items()}

    def request_json(self, index: int = -1) -> Any:
        return json.loads(self.form(index)["request"])


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
def kind(request: pytest.FixtureRequest) -> str:
    param: str = request.param
    return param


@pytest.fixture
def rec() -> Recorder:
    return Recorder()


@pytest.fixture
async def make(kind: str, rec: Recorder) -> AsyncIterator[Callable[..., Twin]]:
    made: list[RunSignupClient | AsyncRunSignupClient] = []

    def build(**kwargs: Any) -> Twin:
        client: RunSignupClient | AsyncRunSignupClient
        transport = httpx.MockTransport(rec)
        if kind == "sync":
            client = RunSignupClient(BASE, transport=transport, **kwargs)
        else:
            client = AsyncRunSignupClient(BASE, transport=transport, **kwargs)
        made.append(client)
        return Twin(client)

    yield build
    for client in made:
        if isinstance(client, RunSignupClient):
            client.close()
        else:
            await client.close()


RACE = {
    "race_id": "12",
    "name": "Harbor 10K",
    "next_date": "06/01/2026",
    "is_draft_race": "F",
    "is_registration_open": "T",
    "address": {"city": "Portland"},
    "events": [
        {"event_id": 13, "name": "10K", "event_type": "running_race", "race_event_days_id": "12"},
        {"event_id": "14", "name": "Virtual 5K", "event_type": "virtual_race"},
    ],
}


def result_set(set_id: int, rows: list[dict[str, Any]], **extra: Any) -> dict[str, Any]:
    return {
        "individual_result_set_id": set_id,
        "individual_result_set_name": f"Set {set_id}",
        "public_results": "T",
        "preliminary_results": "F",
        "pace_type": "T",
        "sort_order": "0",
        "alt_event_ids": [],
        "results_headers": {"result_id": "Result ID", "place": "Place", "bib": "Bib"},
        "results": rows,
        **extra,
    }


def rows(first: int, count: int) -> list[dict[str, Any]]:
    return [{"result_id": n, "place": n, "bib": 100 + n} for n in range(first, first + count)]


# ---- credentials ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("creds", "query", "headers"),
    [
        ({}, {}, {}),
        ({"api_key": "K", "api_secret": "S"}, {"api_key": "K", "api_secret": "S"}, {}),
        ({"tmp_key": "TK", "tmp_secret": "TS"}, {"tmp_key": "TK", "tmp_secret": "TS"}, {}),
        (
            {"rsu_api_key": "V2", "api_secret": "S"},
            {"rsu_api_key": "V2"},
            {"x-rsu-api-secret": "S"},
        ),
        ({"sp_api_key": "SP", "api_secret": "S"}, {"sp_api_key": "SP"}, {"x-rsu-api-secret": "S"}),
        ({"bearer_token": "tok"}, {}, {"authorization": "Bearer tok"}),
    ],
)
async def test_each_credential_form_goes_where_runsignup_expects_it(
    make: Callable[..., Twin],
    rec: Recorder,
    creds: dict[str, str],
    query: dict[str, str],
    headers: dict[str, str],
) -> None:
    client = make(**creds)
    rec.answer({"race": RACE})
    await client.get_race(12)
    assert rec.last.method == "GET"
    assert rec.last.url.path == "/Rest/race/12"
    assert rec.query() == {"format": "json", **query}
    sent = {k: v for k, v in rec.last.headers.items() if k in ("authorization", "x-rsu-api-secret")}
    assert sent == headers


@pytest.mark.parametrize(
    "creds",
    [
        {"api_key": "K", "api_secret": "S", "tmp_key": "T", "tmp_secret": "U"},
        {"api_key": "K"},
        {"api_secret": "S"},
        {"tmp_key": "T"},
        {"tmp_secret": "U"},
        {"rsu_api_key": "V"},
        {"api_key": "K", "api_secret": "S", "bearer_token": "t"},
        {"rsu_api_key": "V", "api_key": "K", "api_secret": "S"},
    ],
)
def test_mixed_or_half_credentials_are_refused(creds: dict[str, Any]) -> None:
    with pytest.raises(ValueError):
        RunSignupClient(BASE, **creds)
    with pytest.raises(ValueError):
        AsyncRunSignupClient(BASE, **creds)


def test_default_base_url_and_package_exports() -> None:
    with RunSignupClient() as client:
        assert client.base_url == "https://runsignup.com/Rest"
    assert set(rsu.__all__) >= {"RunSignupClient", "AsyncRunSignupClient", "RunSignupError"}
    for name in rsu.__all__:
        assert hasattr(rsu, name)


# ---- login, logout, re-login ---------------------------------------------------------


def login_body(key: str) -> dict[str, Any]:
    return {"tmp_key": key, "tmp_secret": f"{key}-secret", "user": {"user_id": 1, "email": "rd@x"}}


async def test_login_posts_the_form_and_later_calls_use_the_temporary_key(
    make: Callable[..., Twin], rec: Recorder
) -> None:
    client = make()
    rec.answer(login_body("T1"))
    login = await client.login("rd@example.com", "pw")
    assert (login.tmp_key, login.tmp_secret, login.user["user_id"]) == ("T1", "T1-secret", 1)
    assert rec.last.method == "POST" and rec.last.url.path == "/Rest/login"
    assert rec.query() == {"format": "json"}
    assert rec.form() == {"email": "rd@example.com", "password": "pw"}
    assert rec.last.headers["content-type"] == "application/x-www-form-urlencoded"
    rec.answer({"race": RACE})
    await client.get_race(12)
    assert rec.query() == {"format": "json", "tmp_key": "T1", "tmp_secret": "T1-secret"}
    assert client.client.tmp_key == "T1"


async def test_code_6_after_login_logs_in_again_once_and_repeats_the_call(
    make: Callable[..., Twin], rec: Recorder
) -> None:
    client = make()
    rec.answer(login_body("T1"))
    await client.login("rd@example.com", "pw")
    rec.error(6, "Key authentication failed.")
    rec.answer(login_body("T2"))
    rec.answer({"race": RACE})
    race = await client.get_race(12)
    assert race.race_id == 12
    assert [r.url.path for r in rec.requests] == [
        "/Rest/login",
        "/Rest/race/12",
        "/Rest/login",
        "/Rest/race/12",
    ]
    assert rec.form(2) == {"email": "rd@example.com", "password": "pw"}
    assert rec.query(1)["tmp_key"] == "T1"
    assert rec.query(3)["tmp_key"] == "T2"
    # Only once: a second refusal right after the new login is raised.
    rec.error(6)
    rec.answer(login_body("T3"))
    rec.error(6, "still no")
    with pytest.raises(AuthenticationError) as caught:
        await client.get_race(12)
    assert caught.value.error_msg == "still no"
    assert len(rec.requests) == 7


async def test_no_relogin_without_login_or_for_other_codes(
    make: Callable[..., Twin], rec: Recorder
) -> None:
    given = make(tmp_key="T", tmp_secret="S")
    rec.error(6)
    with pytest.raises(AuthenticationError):
        await given.get_race(12)
    assert len(rec.requests) == 1
    client = make()
    rec.answer(login_body("T1"))
    await client.login("rd@example.com", "pw")
    rec.error(7, "Permission denied.")
    with pytest.raises(PermissionDeniedError):
        await client.get_race(12)
    assert len(rec.requests) == 3


async def test_a_failed_login_raises_and_is_not_retried(
    make: Callable[..., Twin], rec: Recorder
) -> None:
    client = make()
    rec.error(102, "Email or password is invalid.")
    with pytest.raises(LoginError) as caught:
        await client.login("rd@example.com", "bad")
    assert caught.value.error_code == 102
    assert len(rec.requests) == 1
    assert client.client.tmp_key is None
    with pytest.raises(ValueError):
        await make(api_key="K", api_secret="S").login("rd@example.com", "pw")


async def test_logout_ends_the_key_and_forgets_it(make: Callable[..., Twin], rec: Recorder) -> None:
    client = make()
    rec.answer(login_body("T1"))
    await client.login("rd@example.com", "pw")
    rec.answer({"success": "T"})
    await client.logout()
    assert rec.last.method == "POST" and rec.last.url.path == "/Rest/logout"
    assert rec.query() == {"format": "json", "tmp_key": "T1", "tmp_secret": "T1-secret"}
    assert client.client.tmp_key is None
    with pytest.raises(ValueError):
        await client.logout()
    # Forgotten login: a later code 6 is raised, not answered by logging in again.
    rec.error(6)
    with pytest.raises(AuthenticationError):
        await client.get_race(12)
    assert rec.query() == {"format": "json"}


# ---- races and participants ----------------------------------------------------------


async def test_races_are_unwrapped_and_paged(make: Callable[..., Twin], rec: Recorder) -> None:
    client = make()
    rec.answer({"races": [{"race": {**RACE, "race_id": n}} for n in (1, 2)]})
    rec.answer({"races": [{"race": {**RACE, "race_id": 3}}]})
    races = await client.get_races(events=True, name="Harbor", page_size=2)
    assert [r.race_id for r in races] == [1, 2, 3]
    assert rec.query(0) == {
        "format": "json",
        "events": "T",
        "name": "Harbor",
        "page": "1",
        "results_per_page": "2",
    }
    assert rec.query(1)["page"] == "2"
    assert races[0].events[1].event_id == 14


async def test_a_race_and_its_events(make: Callable[..., Twin], rec: Recorder) -> None:
    client = make()
    rec.answer({"race": RACE})
    race = await client.get_race(12, future_events_only=False)
    assert rec.query() == {"format": "json", "future_events_only": "F"}
    assert (race.race_id, race.name, race.is_registration_open, race.is_draft_race) == (
        12,
        "Harbor 10K",
        True,
        False,
    )
    assert race.address == {"city": "Portland"}
    assert [(e.event_id, e.is_virtual) for e in race.events] == [(13, False), (14, True)]
    assert race.events[0].race_event_days_id == 12
    with pytest.raises(TypeError):
        await client.get_race("12")


def participant(registration_id: int, bib: Any = 5) -> dict[str, Any]:
    return {
        "user": {"user_id": 9, "first_name": "Ada", "last_name": "Lovelace"},
        "registration_id": str(registration_id),
        "bib_num": bib,
        "chip_num": "C1",
        "age": "30",
    }


async def test_participants_come_from_the_sibling_list_page_by_page(
    make: Callable[..., Twin], rec: Recorder
) -> None:
    client = make(api_key="K", api_secret="S")
    page1 = [
        {
            "event": {"event_id": 14, "participants": []},
            "participants": [participant(1), participant(2)],
        }
    ]
    page2 = [
        {"event": {"event_id": 14, "participants": []}, "participants": [participant(3, None)]}
    ]
    rec.answer(page1)
    rec.answer(page2)
    found = await client.get_participants(12, 14, page_size=2, sort="registration_id ASC")
    assert [(p.registration_id, p.bib_num, p.event_id) for p in found] == [
        (1, 5, 14),
        (2, 5, 14),
        (3, None, 14),
    ]
    assert found[0].user["first_name"] == "Ada" and found[0].chip_num == "C1"
    assert found[0].age == 30
    assert rec.last.url.path == "/Rest/race/12/participants"
    assert rec.query(0) == {
        "format": "json",
        "api_key": "K",
        "api_secret": "S",
        "sort": "registration_id ASC",
        "event_id": "14",
        "page": "1",
        "results_per_page": "2",
    }
    assert rec.query(1)["page"] == "2"
    rec.answer([])
    assert await client.get_participants(12, [14, 15]) == []
    assert rec.query()["event_id"] == "14,15"


async def test_page_sizes_are_bounded(make: Callable[..., Twin]) -> None:
    client = make()
    with pytest.raises(ValueError):
        await client.get_results(12, 14, page_size=0)
    with pytest.raises(ValueError):
        await client.get_results(12, 14, page_size=2501)
    with pytest.raises(ValueError):
        await client.get_races(page_size=1001)


# ---- user results --------------------------------------------------------------------


RECEIPT = {
    "registration_id": 8106676,
    "bib_num": 1,
    "results_received_ts": 1586571360,
    "individual_result_set_id": 17030,
    "submitted_time_in_ms": 1020000,
    "elevation_gain_in_mm": 1200,
    "result_approval_ts": None,
}


async def test_user_results_as_json_send_only_the_keys_given(
    make: Callable[..., Twin], rec: Recorder
) -> None:
    client = make(api_key="K", api_secret="S")
    rec.answer({"virtual_results": [RECEIPT]})
    receipts = await client.post_user_results(
        12,
        14,
        [
            {
                "bib_num": 123,
                "clock_time": "00:17:00.1",
                "tally_value": None,
                "registration_id": 3210,
            },
            {"registration_id": 3211, "clock_time": "00:17:00.2"},
            VirtualResult(registration_id=3212, clock_time="DNF"),
            VirtualResult(bib_num=7, clock_time="1:00:00", tally_value=None),
            VirtualResult(
                bib_num=8, clock_time="1:00:00", tally_value=1.75, elevation_gain_in_mm=9
            ),
        ],
    )
    assert rec.last.method == "POST"
    assert rec.last.url.path == "/Rest/race/12/results/user-results"
    assert rec.query() == {"format": "json", "api_key": "K", "api_secret": "S"}
    form = rec.form()
    assert set(form) == {"event_id", "request_format", "request"}
    assert (form["event_id"], form["request_format"]) == ("14", "json")
    assert rec.request_json() == {
        "virtual_results": [
            {
                "bib_num": 123,
                "clock_time": "00:17:00.1",
                "tally_value": None,
                "registration_id": 3210,
            },
            {"registration_id": 3211, "clock_time": "00:17:00.2"},
            {"registration_id": 3212, "clock_time": "DNF"},
            {"bib_num": 7, "clock_time": "1:00:00", "tally_value": None},
            {"bib_num": 8, "clock_time": "1:00:00", "tally_value": 1.75, "elevation_gain_in_mm": 9},
        ]
    }
    (receipt,) = receipts
    assert receipt.registration_id == 8106676
    assert receipt.individual_result_set_id == 17030
    assert receipt.submitted_time_in_ms == 1020000
    assert receipt.result_approval_ts is None


async def test_user_results_as_xml_use_empty_elements_for_null(
    make: Callable[..., Twin], rec: Recorder
) -> None:
    client = make(api_key="K", api_secret="S")
    rec.answer({"virtual_results": [{**RECEIPT, "bib_num": "1", "registration_id": "8106676"}]})
    receipts = await client.post_user_results(
        12,
        14,
        [
            {"bib_num": 123, "clock_time": "00:17:00.1", "tally_value": None},
            VirtualResult(registration_id=3211, clock_time="00:17:02.5", tally_value=1.75),
            VirtualResult(registration_id=3212, clock_time="00:18:00"),
        ],
        individual_result_set_id=17030,
        request_format="xml",
    )
    form = rec.form()
    assert form["request_format"] == "xml"
    assert form["individual_result_set_id"] == "17030"
    root = fromstring(form["request"])
    assert root.tag == "request"
    first, second, third = list(root)
    assert [e.tag for e in root] == ["virtual_result"] * 3
    assert [(c.tag, c.text) for c in first] == [
        ("bib_num", "123"),
        ("clock_time", "00:17:00.1"),
        ("tally_value", None),
    ]
    assert second.findtext("tally_value") == "1.75"
    assert third.find("tally_value") is None  # not set: the stored tally stays
    assert receipts[0].bib_num == 1 and receipts[0].registration_id == 8106676


def test_virtual_result_needs_an_id_and_unset_is_not_null() -> None:
    with pytest.raises(ValueError):
        VirtualResult(clock_time="00:10:00")
    assert VirtualResult(bib_num=1).tally_value is UNSET
    assert "tally_value" not in VirtualResult(bib_num=1).to_json()
    assert VirtualResult(bib_num=1, tally_value=None).to_json() == {
        "bib_num": 1,
        "tally_value": None,
    }


async def test_a_bad_request_format_or_row_is_refused_before_sending(
    make: Callable[..., Twin], rec: Recorder
) -> None:
    client = make()
    with pytest.raises(ValueError):
        await client.post_user_results(12, 14, [{"bib_num": 1}], request_format="csv")
    with pytest.raises(TypeError):
        await client.post_user_results(12, 14, [("bib_num", 1)])
    assert rec.requests == []


# ---- full results --------------------------------------------------------------------


async def test_full_results_send_rows_and_read_result_ids(
    make: Callable[..., Twin], rec: Recorder
) -> None:
    client = make(bearer_token="tok")
    rec.answer(
        {
            "individual_result_set_id": 55,
            "results": [
                {"result_id": 1, "registration_id": 3210, "bib": 12},
                {"result_id": "2", "registration_id": None, "bib": None},
            ],
        }
    )
    rows_sent = [
        {
            "bib": 12,
            "clock_time": "0:28:05.123",
            "chip_time": "0:28:01",
            "place": 1,
            "split-7": "0:14:00",
        },
        {"first_name": "Walk", "last_name": "Up", "clock_time": "DNF"},
    ]
    receipt = await client.post_full_results(12, 13, rows_sent, individual_result_set_id=55)
    assert rec.last.url.path == "/Rest/race/12/results/full-results"
    assert rec.form()["individual_result_set_id"] == "55"
    assert rec.request_json() == {"results": rows_sent}
    assert receipt.individual_result_set_id == 55
    assert [(r.result_id, r.registration_id, r.bib) for r in receipt.results] == [
        (1, 3210, 12),
        (2, None, None),
    ]
    rec.answer({"individual_result_set_id": 55, "results": [{"result_id": 1}]})
    await client.post_full_results(12, 13, [{"result_id": 1, "place": None}], request_format="xml")
    root = fromstring(rec.form()["request"])
    assert [e.tag for e in root] == ["result"]
    assert [(c.tag, c.text) for c in root[0]] == [("result_id", "1"), ("place", None)]


# ---- reading results -----------------------------------------------------------------


async def test_get_results_reads_every_page_and_merges_the_sets(
    make: Callable[..., Twin], rec: Recorder
) -> None:
    client = make()
    rec.answer({"individual_results_sets": [result_set(1, rows(1, 2)), result_set(2, rows(50, 1))]})
    rec.answer({"individual_results_sets": [result_set(1, rows(3, 2)), result_set(2, [])]})
    rec.answer({"individual_results_sets": [result_set(1, rows(5, 1)), result_set(2, [])]})
    sets = await client.get_results(12, 14, page_size=2, last_name="Smi")
    assert [q["page"] for q in (rec.query(i) for i in range(3))] == ["1", "2", "3"]
    assert rec.query(0) == {
        "format": "json",
        "last_name": "Smi",
        "event_id": "14",
        "page": "1",
        "results_per_page": "2",
    }
    assert rec.last.url.path == "/Rest/race/12/results/get-results"
    assert [s.individual_result_set_id for s in sets] == [1, 2]
    assert [r["result_id"] for r in sets[0].results] == [1, 2, 3, 4, 5]
    assert [r["result_id"] for r in sets[1].results] == [50]
    assert sets[0].results_headers["bib"] == "Bib"
    assert sets[0].public_results is True and sets[0].preliminary_results is False
    assert sets[0].sort_order == 0


async def test_iter_results_yields_page_chunks(make: Callable[..., Twin], rec: Recorder) -> None:
    client = make()
    rec.answer({"individual_results_sets": [result_set(9, rows(1, 3))]})
    rec.answer({"individual_results_sets": [result_set(9, [])]})
    chunks = await client.iter_results(12, 14, 9, page_size=3)
    assert [len(c.results) for c in chunks] == [3, 0]
    assert rec.query(0)["individual_result_set_id"] == "9"


async def test_a_server_that_ignores_page_cannot_loop_the_client(
    make: Callable[..., Twin], rec: Recorder
) -> None:
    client = make()
    for _ in range(3):
        rec.answer({"individual_results_sets": [result_set(1, rows(1, 2))]})
    sets = await client.get_results(12, 14, page_size=2)
    assert len(rec.requests) == 2
    assert [r["result_id"] for r in sets[0].results] == [1, 2]


async def test_result_sets_listing(make: Callable[..., Twin], rec: Recorder) -> None:
    client = make()
    rec.answer(
        {
            "individual_results_sets": [
                result_set(
                    1,
                    [],
                    public_results="F",
                    preliminary_results="T",
                    alt_event_ids=["15"],
                    num_finishers=4,
                )
            ]
        }
    )
    (found,) = await client.get_result_sets(12, 14, include_total_finishers=True)
    assert rec.query() == {"format": "json", "include_total_finishers": "T", "event_id": "14"}
    assert rec.last.url.path == "/Rest/race/12/results/get-result-sets"
    assert (found.public_results, found.preliminary_results) == (False, True)
    assert (found.alt_event_ids, found.num_finishers, found.results) == ([15], 4, [])


# ---- result set management -----------------------------------------------------------


async def test_result_set_management_requests(make: Callable[..., Twin], rec: Recorder) -> None:
    client = make(api_key="K", api_secret="S")
    rec.answer({"individual_result_set_id": 77})
    new_id = await client.new_result_set(
        12, 14, "Overall", public_results=False, pace_type="t", sort_order=3, alt_event_ids=[15]
    )
    assert new_id == 77
    assert rec.last.url.path == "/Rest/race/12/results/new-result-set"
    form = rec.form()
    assert (form["event_id"], form["request_format"]) == ("14", "json")
    assert "individual_result_set_id" not in form
    assert rec.request_json() == {
        "individual_result_set_name": "Overall",
        "public_results": "F",
        "pace_type": "t",
        "sort_order": 3,
        "alt_event_ids": [15],
    }
    rec.answer({"individual_result_set_id": 77})
    assert await client.edit_result_set(12, 14, 77, name="Final", preliminary_results=True) == 77
    assert rec.last.url.path == "/Rest/race/12/results/edit-result-set"
    assert rec.form()["individual_result_set_id"] == "77"
    assert rec.request_json() == {"preliminary_results": "T", "individual_result_set_name": "Final"}
    rec.answer({"individual_result_set_id": 77, "num_results_cleared": 5})
    assert await client.clear_results(12, 14, 77) == 5
    assert rec.last.url.path == "/Rest/race/12/results/clear-results"
    assert rec.form() == {"event_id": "14", "individual_result_set_id": "77"}
    rec.answer({"individual_result_set_id": 77, "success": "T"})
    assert await client.delete_result_set(12, 14, 77) is None
    assert rec.last.url.path == "/Rest/race/12/results/delete-result-set"
    assert rec.form() == {"event_id": "14", "individual_result_set_id": "77"}


# ---- errors --------------------------------------------------------------------------


async def test_in_band_errors_carry_code_message_and_details(
    make: Callable[..., Twin], rec: Recorder
) -> None:
    client = make(api_key="K", api_secret="S")
    rec.error(
        11,
        "2 problem(s)",
        error_details=[
            {"error_msg": "Result 0: bad time", "index": 0},
            {"error_msg": "Result 3: no bib", "index": "3"},
        ],
    )
    with pytest.raises(InvalidRequestError) as caught:
        await client.post_user_results(12, 14, [{"bib_num": 1}])
    error = caught.value
    assert isinstance(error, RunSignupError)
    assert (error.error_code, error.error_msg, error.http_status) == (11, "2 problem(s)", 200)
    assert [(d.error_msg, d.index) for d in error.details] == [
        ("Result 0: bad time", 0),
        ("Result 3: no bib", 3),
    ]
    assert "bad time" in str(error)
    rec.error(201, "Race not found.")
    with pytest.raises(NotFoundError):
        await client.get_race(99)
    rec.error(999, "new code")
    with pytest.raises(RunSignupError) as unknown:
        await client.get_race(99)
    assert type(unknown.value) is RunSignupError and unknown.value.error_code == 999


async def test_errors_with_an_http_status(make: Callable[..., Twin], rec: Recorder) -> None:
    client = make()
    rec.answer(
        {"error": {"error_code": 17, "error_msg": "Invalid API caller credentials"}}, status=400
    )
    with pytest.raises(AuthenticationError) as caught:
        await client.get_race(12)
    assert (caught.value.error_code, caught.value.http_status) == (17, 400)
    rec.answer(status=502, text="Bad Gateway")
    with pytest.raises(ServerError) as gateway:
        await client.get_race(12)
    assert gateway.value.error_code == 4 and gateway.value.http_status == 502
    assert "502" in gateway.value.error_msg
    rec.answer(status=200, text="<html>maintenance</html>")
    with pytest.raises(ServerError) as html:
        await client.get_race(12)
    assert html.value.error_code == 4 and "not JSON" in html.value.error_msg
    rec.answer({"race": {"name": "no id"}})
    with pytest.raises(ServerError) as shape:
        await client.get_race(12)
    assert "race_id" in shape.value.error_msg
    rec.answer({"error": "invalid_token", "error_description": "expired"}, status=401)
    with pytest.raises(AuthenticationError) as oauth:
        await client.get_race(12)
    assert oauth.value.error_msg == "invalid_token: expired"


# ---- lifecycle -----------------------------------------------------------------------


def test_sync_client_closes_its_connections(rec: Recorder) -> None:
    with RunSignupClient(BASE, transport=httpx.MockTransport(rec)) as client:
        rec.answer({"race": RACE})
        assert client.get_race(12).race_id == 12
    assert client._http.is_closed


async def test_async_client_closes_its_connections(rec: Recorder) -> None:
    async with AsyncRunSignupClient(BASE, transport=httpx.MockTransport(rec)) as client:
        rec.answer({"race": RACE})
        assert (await client.get_race(12)).race_id == 12
        stream = client.iter_races(page_size=5)
        rec.answer({"races": [{"race": RACE}]})
        assert [race.race_id async for race in stream] == [12]
    assert client._http.is_closed
