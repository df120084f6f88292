"""The MultiGP client on its own: what it sends, how it reads answers, how it retries.

A recording ``httpx.MockTransport`` answers with canned bodies, so these tests only
make claims about the client (method, path, query, body, headers, envelope parsing,
retries). What the server does with the calls is tested in ``test_client.py``.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest

import podium.dialects.multigp as mgp
from podium.dialects.multigp import BASE_API_URL, MultiGPAPI
from podium.dialects.multigp import client as client_module

BASE = "http://podium.test:8123/mgp/multigpwebservice"
KEY = "0f3c9a56-test-key-4b1e"

Answer = httpx.Response | Exception | Callable[[httpx.Request], httpx.Response]


class Recorder:
    """A MockTransport handler: answers (or raises) from a queue and keeps every request."""

    def __init__(self) -> None:
        self.requests: list[httpx.Request] = []
        self.answers: list[Answer] = []

    def answer(self, body: Any = None, status: int = 200, **kwargs: Any) -> None:
        if body is not None:
            kwargs["json"] = body
        self.answers.append(httpx.Response(status, **kwargs))

    def raise_(self, error: Exception) -> None:
        self.answers.append(error)

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if not self.answers:
            raise AssertionError(f"unexpected request {request.method} {request.url}")
        answer = self.answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer(request) if callable(answer) else answer

    @property
    def last(self) -> httpx.Request:
        return self.requests[-1]

    def body(self, index: int = -1) -> Any:
        return json.loads(self.requests[index].content)


@pytest.fixture
def rec() -> Recorder:
    return Recorder()


@pytest.fixture
def sleeps(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """Backoff pauses, recorded instead of slept."""
    paused: list[float] = []
    monkeypatch.setattr("podium.dialects.multigp.client.time.sleep", paused.append)
    return paused


@pytest.fixture
def make(rec: Recorder, sleeps: list[float]) -> Iterator[Callable[..., MultiGPAPI]]:
    made: list[MultiGPAPI] = []

    def build(*args: Any, key: str | None = KEY, **kwargs: Any) -> MultiGPAPI:
        kwargs.setdefault("base_url", BASE)
        api = MultiGPAPI(*args, transport=httpx.MockTransport(rec), **kwargs)
        if key is not None:
            api.set_api_key(key)
        made.append(api)
        return api

    yield build
    for api in made:
        api.close()


@pytest.fixture
def api(make: Callable[..., MultiGPAPI]) -> MultiGPAPI:
    return make()


def chapter_known(api: MultiGPAPI, rec: Recorder) -> None:
    rec.answer({"status": True, "chapterId": "1189", "chapterName": "Example FPV"})
    assert api.pull_chapter() == "Example FPV"


# ---- package and construction ----------------------------------------------------------


def test_package_exports_only_the_client() -> None:
    assert set(mgp.__all__) == {"BASE_API_URL", "MultiGPAPI"}
    assert BASE_API_URL == "https://www.multigp.com/mgp/multigpwebservice"
    assert client_module.logger.name == "podium.dialects.multigp.client"


def test_defaults_point_at_multigp() -> None:
    with MultiGPAPI() as api:
        assert api._base_url == BASE_API_URL
        assert api._api_key is None
        assert api._chapter_id is None
        assert api._http.timeout.connect == 5.0


def test_rhapi_is_accepted_positionally(make: Callable[..., MultiGPAPI], rec: Recorder) -> None:
    rhapi = object()
    api = make(rhapi)
    chapter_known(api, rec)


def test_negative_retries_are_refused() -> None:
    with pytest.raises(ValueError):
        MultiGPAPI(retries=-1)
    with pytest.raises(ValueError):
        MultiGPAPI(backoff=-0.1)


def test_context_manager_closes(rec: Recorder) -> None:
    with MultiGPAPI(transport=httpx.MockTransport(rec)) as api:
        assert not api._http.is_closed
    assert api._http.is_closed


def test_trailing_slash_in_base_url(make: Callable[..., MultiGPAPI], rec: Recorder) -> None:
    api = make(base_url=BASE + "/")
    chapter_known(api, rec)
    assert str(rec.last.url) == BASE + "/chapter/findChapterFromApiKey"


# ---- what each call sends ----------------------------------------------------------------


def test_pull_chapter_request_and_mapping(api: MultiGPAPI, rec: Recorder) -> None:
    chapter_known(api, rec)
    request = rec.last
    assert request.method == "POST"
    assert str(request.url) == BASE + "/chapter/findChapterFromApiKey"
    assert request.url.query == b""
    assert request.headers["content-type"] == "application/json"
    assert rec.body() == {"apiKey": KEY}
    assert api._chapter_id == 1189  # a string on the wire, an int here


def test_set_api_key_strips_whitespace(api: MultiGPAPI, rec: Recorder) -> None:
    api.set_api_key(f"  {KEY}\n")
    chapter_known(api, rec)
    assert rec.body() == {"apiKey": KEY}


def test_pull_races_request_and_mapping(api: MultiGPAPI, rec: Recorder) -> None:
    chapter_known(api, rec)
    rec.answer(
        {
            "status": True,
            "data": [
                {"id": "123", "name": "Spring Series #1", "chapterName": "Example FPV"},
                {"id": "124", "name": "Night Race"},
            ],
        }
    )
    assert api.pull_races() == {123: "Spring Series #1", 124: "Night Race"}
    assert rec.last.method == "POST"
    assert rec.last.url.path == "/mgp/multigpwebservice/race/listForChapter"
    assert dict(rec.last.url.params) == {"chapterId": "1189"}
    assert rec.body() == {"apiKey": KEY}


def test_pull_races_skips_items_without_id(api: MultiGPAPI, rec: Recorder) -> None:
    chapter_known(api, rec)
    rec.answer({"status": True, "data": [{"id": "7", "name": "Ok"}, {"name": "no id"}, "junk"]})
    assert api.pull_races() == {7: "Ok"}


def test_pull_races_empty_list_is_not_a_failure(api: MultiGPAPI, rec: Recorder) -> None:
    chapter_known(api, rec)
    rec.answer({"status": True, "data": []})
    assert api.pull_races() == {}


def test_pull_races_needs_the_chapter_first(api: MultiGPAPI, rec: Recorder) -> None:
    assert api.pull_races() is None
    assert rec.requests == []


def test_pull_races_data_not_a_list(api: MultiGPAPI, rec: Recorder) -> None:
    chapter_known(api, rec)
    rec.answer({"status": True, "data": {"id": "1"}})
    assert api.pull_races() is None


def test_pull_race_data_request_and_mapping(api: MultiGPAPI, rec: Recorder) -> None:
    race = {
        "id": "123",
        "name": "Spring Series #1",
        "childRaceCount": 0,
        "entries": [{"id": "55", "pilotId": "1001", "frequency": "5658"}],
        "schedule": {"rounds": [{"name": "Round 1", "heats": []}]},
    }
    rec.answer({"status": True, "data": race})
    assert api.pull_race_data("123") == race
    assert rec.last.method == "POST"
    assert rec.last.url.path == "/mgp/multigpwebservice/race/view"
    assert dict(rec.last.url.params) == {"id": "123"}
    assert rec.body() == {"apiKey": KEY}


def test_pull_race_data_takes_an_int_id(api: MultiGPAPI, rec: Recorder) -> None:
    rec.answer({"status": True, "data": {"id": "9"}})
    assert api.pull_race_data(9) == {"id": "9"}
    assert dict(rec.last.url.params) == {"id": "9"}


def test_pull_race_data_without_data(api: MultiGPAPI, rec: Recorder) -> None:
    rec.answer({"status": True})
    assert api.pull_race_data("1") is None
    rec.answer({"status": True, "data": ["not", "an", "object"]})
    assert api.pull_race_data("1") is None


def test_pull_additional_rounds_request_and_mapping(api: MultiGPAPI, rec: Recorder) -> None:
    rounds = {"rounds": [{"name": "Round 3", "currentRound": 3, "heats": []}]}
    rec.answer({"status": True, "data": rounds})
    assert api.pull_additional_rounds("123", 3) == rounds
    assert rec.last.method == "POST"
    assert rec.last.url.path == "/mgp/multigpwebservice/race/getAdditionalRounds"
    assert dict(rec.last.url.params) == {"id": "123", "startFromRound": "3"}
    assert rec.body() == {"apiKey": KEY}


def test_push_slot_and_score_is_a_put_with_path_pairs(api: MultiGPAPI, rec: Recorder) -> None:
    result = {
        "pilotId": "1234",
        "score": 6,
        "totalLaps": 5,
        "totalTime": 121.402,
        "fastestLapTime": 21.93,
        "fastest3ConsecutiveLapsTime": 67.215,
        "liveTimeEventUrl": "https://fpvscores.com/event/1",
    }
    rec.answer({"status": True})
    assert api.push_slot_and_score(("26217", 2, 1, 3, result)) is True
    request = rec.last
    assert request.method == "PUT"
    assert str(request.url) == BASE + "/race/assignslot/id/26217/cycle/2/heat/1/slot/3"
    assert request.headers["content-type"] == "application/json"
    assert rec.body() == {"apiKey": KEY, "data": result}


def test_push_slot_and_score_quotes_path_segments(api: MultiGPAPI, rec: Recorder) -> None:
    rec.answer({"status": True})
    assert api.push_slot_and_score(("1/../x", 1, 1, 1, {"pilotId": "1", "totalLaps": 0}))
    assert (
        rec.last.url.raw_path
        == b"/mgp/multigpwebservice/race/assignslot/id/1%2F..%2Fx/cycle/1/heat/1/slot/1"
    )


def test_push_overall_race_results_is_a_put(api: MultiGPAPI, rec: Recorder) -> None:
    ranking = [{"orderNumber": 1, "pilotId": 1002}, {"orderNumber": 2, "pilotId": 1001}]
    rec.answer({"status": True})
    assert api.push_overall_race_results("123", ranking) is True
    request = rec.last
    assert request.method == "PUT"
    assert request.url.path == "/mgp/multigpwebservice/race/captureOverallRaceResult"
    assert dict(request.url.params) == {"id": "123"}
    assert rec.body() == {"apiKey": KEY, "data": {"raceId": "123", "bracketResults": ranking}}


def test_push_overall_logs_the_status_description(
    api: MultiGPAPI, rec: Recorder, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="podium.dialects.multigp.client")
    rec.answer({"status": True, "statusDescription": "Results captured"})
    assert api.push_overall_race_results(5, [])
    assert "Results captured" in caplog.text
    rec.answer({"status": False, "statusDescription": "Race is finalized"})
    assert api.push_overall_race_results(5, []) is False
    assert "Race is finalized" in caplog.text


def test_request_and_parse_keeps_the_callers_fields(api: MultiGPAPI, rec: Recorder) -> None:
    rec.answer({"status": True, "data": {"x": 1}})
    body = api._request_and_parse("POST", "/race/viewSimple?id=4", {"data": {"a": 1}})
    assert body == {"status": True, "data": {"x": 1}}
    assert rec.body() == {"apiKey": KEY, "data": {"a": 1}}
    assert rec.last.url.path.endswith("/race/viewSimple")


# ---- failure envelopes ---------------------------------------------------------------------


def test_bad_key_logs_and_returns_none(
    api: MultiGPAPI, rec: Recorder, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING)
    rec.answer(
        {
            "status": False,
            "statusDescription": "Invalid API key",
            "errors": {"apiKey": ["Invalid API key"]},
            "httpStatus": 401,
        },
        status=401,
    )
    assert api.pull_chapter() is None
    assert api._chapter_id is None
    assert "MultiGP API key cannot be verified." in caplog.text
    assert KEY not in caplog.text  # the key never reaches the log


def test_chapter_answer_without_usable_id(api: MultiGPAPI, rec: Recorder) -> None:
    rec.answer({"status": True, "chapterId": "not-a-number", "chapterName": "X"})
    assert api.pull_chapter() is None
    rec.answer({"status": True, "chapterName": "X"})
    assert api.pull_chapter() is None
    assert api._chapter_id is None


@pytest.mark.parametrize(
    ("call", "failed"),
    [
        (lambda api: api.pull_race_data("1"), None),
        (lambda api: api.pull_additional_rounds("1", 1), None),
        (lambda api: api.push_slot_and_score(("1", 1, 1, 1, {"pilotId": "2"})), False),
        (lambda api: api.push_overall_race_results("1", []), False),
    ],
)
def test_status_false_is_a_failure(
    api: MultiGPAPI,
    rec: Recorder,
    caplog: pytest.LogCaptureFixture,
    call: Callable[[MultiGPAPI], Any],
    failed: Any,
) -> None:
    caplog.set_level(logging.WARNING)
    rec.answer({"status": False, "errors": {"id": ["Race not found"]}}, status=404)
    assert call(api) is failed
    assert "Race not found" in caplog.text


@pytest.mark.parametrize(
    ("status", "ok"),
    [
        (True, True),
        (1, True),
        ("1", True),
        ("true", True),
        (False, False),
        (0, False),
        ("0", False),
        ("", False),
        (None, False),
        ([1], False),
    ],
)
def test_status_truthiness(api: MultiGPAPI, rec: Recorder, status: Any, ok: bool) -> None:
    rec.answer({"status": status})
    assert api.push_slot_and_score(("1", 1, 1, 1, {"pilotId": "2", "totalLaps": 0})) is ok


def test_missing_status_is_a_failure(api: MultiGPAPI, rec: Recorder) -> None:
    rec.answer({"data": {"id": "1"}})
    assert api.pull_race_data("1") is None


@pytest.mark.parametrize(
    "response",
    [
        httpx.Response(200, text="<html>Service Unavailable</html>"),
        httpx.Response(500, text="Internal Server Error"),
        httpx.Response(200, content=b"\xff\xfe\x00garbage"),
        httpx.Response(200, content=b""),
        httpx.Response(200, json=[{"status": True}]),
        httpx.Response(200, json="ok"),
    ],
)
def test_answers_that_are_not_an_envelope(
    api: MultiGPAPI, rec: Recorder, response: httpx.Response
) -> None:
    rec.answers += [response, response, response]
    assert api._request_and_parse("POST", "/race/view?id=1", {}) == {"status": False}
    assert api.pull_race_data("1") is None
    assert api.push_slot_and_score(("1", 1, 1, 1, {"pilotId": "2"})) is False
    assert len(rec.requests) == 3  # not retried: the server answered


def test_no_key_sends_nothing(
    make: Callable[..., MultiGPAPI], rec: Recorder, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING)
    api = make(key=None)
    assert api.pull_chapter() is None
    assert api.push_slot_and_score(("1", 1, 1, 1, {"pilotId": "2"})) is False
    assert rec.requests == []
    assert "API key is not set" in caplog.text


# ---- retries and reconnection ----------------------------------------------------------------


def test_connect_errors_then_success(api: MultiGPAPI, rec: Recorder, sleeps: list[float]) -> None:
    rec.raise_(httpx.ConnectError("connection refused"))
    rec.raise_(httpx.ConnectError("connection refused"))
    rec.answer({"status": True, "chapterId": "1189", "chapterName": "Example FPV"})
    assert api.pull_chapter() == "Example FPV"
    assert len(rec.requests) == 3
    assert all(r.url == rec.requests[0].url for r in rec.requests)
    assert [json.loads(r.content) for r in rec.requests] == [{"apiKey": KEY}] * 3
    assert sleeps == [0.5, 1.0]  # doubling backoff


def test_push_is_retried_with_the_same_body(api: MultiGPAPI, rec: Recorder) -> None:
    rec.raise_(httpx.ReadTimeout("read timed out"))
    rec.answer({"status": True})
    result = {"pilotId": "7", "totalLaps": 3, "totalTime": 60.5}
    assert api.push_slot_and_score((10, 1, 2, 3, result)) is True
    assert [r.method for r in rec.requests] == ["PUT", "PUT"]
    assert rec.body(0) == rec.body(1) == {"apiKey": KEY, "data": result}


@pytest.mark.parametrize(
    "error",
    [
        httpx.ConnectTimeout("connect timed out"),
        httpx.ReadError("connection reset"),
        httpx.RemoteProtocolError("server disconnected"),
        httpx.WriteTimeout("write timed out"),
    ],
)
def test_other_network_errors_are_retried(api: MultiGPAPI, rec: Recorder, error: Exception) -> None:
    rec.raise_(error)
    rec.answer({"status": True, "data": {"id": "1"}})
    assert api.pull_race_data("1") == {"id": "1"}


def test_gateway_errors_are_retried(api: MultiGPAPI, rec: Recorder) -> None:
    rec.answer(status=502, text="Bad Gateway")
    rec.answer(status=503, text="Service Unavailable")
    rec.answer({"status": True})
    assert api.push_overall_race_results("1", [{"orderNumber": 1, "pilotId": 1}]) is True
    assert len(rec.requests) == 3


def test_gives_up_after_the_retries(
    make: Callable[..., MultiGPAPI],
    rec: Recorder,
    sleeps: list[float],
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.WARNING)
    api = make(retries=2, backoff=0.25)
    for _ in range(3):
        rec.raise_(httpx.ConnectError("connection refused"))
    assert api.pull_race_data("1") is None
    assert len(rec.requests) == 3
    assert sleeps == [0.25, 0.5]
    assert "failed after 3 attempt(s)" in caplog.text


def test_no_retries_and_no_backoff(
    make: Callable[..., MultiGPAPI], rec: Recorder, sleeps: list[float]
) -> None:
    api = make(retries=0, backoff=0)
    rec.raise_(httpx.ConnectError("refused"))
    assert api.push_slot_and_score(("1", 1, 1, 1, {"pilotId": "2"})) is False
    assert len(rec.requests) == 1
    assert sleeps == []


def test_a_later_call_reconnects(make: Callable[..., MultiGPAPI], rec: Recorder) -> None:
    """Unlike the Toolkit, one failed call does not mark the API unreachable for good."""
    api = make(retries=1)
    rec.raise_(httpx.ConnectError("refused"))
    rec.raise_(httpx.ConnectError("refused"))
    assert api.pull_chapter() is None
    chapter_known(api, rec)  # the server is back
    rec.answer({"status": True, "data": [{"id": "1", "name": "R"}]})
    assert api.pull_races() == {1: "R"}


def test_errors_that_a_retry_cannot_fix(api: MultiGPAPI, rec: Recorder) -> None:
    rec.raise_(httpx.UnsupportedProtocol("no such scheme"))
    assert api.pull_race_data("1") is None
    rec.raise_(httpx.TooManyRedirects("loop"))
    assert api.push_overall_race_results("1", []) is False
    assert len(rec.requests) == 2


def test_shared_instance_across_threads(api: MultiGPAPI, rec: Recorder) -> None:
    """Ten concurrent pushes through one instance, as a timer's pool would make them."""
    rec.answers += [lambda request: httpx.Response(200, json={"status": True})] * 40

    def push(slot: int) -> bool:
        return api.push_slot_and_score(("5", 1, 1 + slot // 4, 1 + slot % 4, {"pilotId": "9"}))

    with ThreadPoolExecutor(10) as pool:
        assert all(pool.map(push, range(40)))
    paths = sorted(r.url.path.rsplit("/race/assignslot/", 1)[1] for r in rec.requests)
    expected = sorted(f"id/5/cycle/1/heat/{1 + s // 4}/slot/{1 + s % 4}" for s in range(40))
    assert paths == expected
