"""Podium's own Nadeo client (``podium.dialects.nadeo``) against the live server.

The client is synchronous, so every call runs in a thread (``asyncio.to_thread``)
while the server answers from its own thread.
"""

from __future__ import annotations

import asyncio
import base64
import json
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from podium.dialects.nadeo import (
    ApiError,
    AudienceError,
    AuthenticationError,
    DedicatedServerToken,
    NadeoError,
    ParameterError,
    ServiceToken,
    UsageError,
    WebServicesToken,
    config,
    core,
    live,
)
from tests.dialects.nadeo.conftest import Account, Nadeo

WORLD = "301e1b69-7e13-11e8-8060-e284abfd2bc4"
LIVE = "NadeoLiveServices"


async def run(function: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    return await asyncio.to_thread(function, *args, **kwargs)


async def login(
    account: Account, audience: str = LIVE, kind: type[WebServicesToken] = ServiceToken
) -> Any:
    return await run(kind.get, account.login, account.password, audience=audience)


@pytest.fixture(autouse=True)
def client_config(nadeo: Nadeo) -> Iterator[None]:
    config.use_base(nadeo.server.url)
    config.set_rate_limit(1000)
    yield
    config.reset()


class Recorder(httpx.BaseTransport):
    """Passes requests to the network and remembers (method, path, status, request)."""

    def __init__(self) -> None:
        self.inner = httpx.HTTPTransport()
        self.seen: list[tuple[str, str, int, httpx.Request]] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response = self.inner.handle_request(request)
        self.seen.append((request.method, request.url.path, response.status_code, request))
        return response

    def close(self) -> None:
        self.inner.close()


@pytest.fixture
def recorder() -> Iterator[Recorder]:
    found = Recorder()
    config.set_transport(found)
    yield found
    found.close()


def fake_jwt(**claims: Any) -> str:
    def part(value: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(value).encode()).decode().rstrip("=")

    return f"{part({'alg': 'HS256'})}.{part(claims)}.c2ln"


def offline_token(audience: str = LIVE) -> ServiceToken:
    far = int(time.time()) + 3600
    return ServiceToken(fake_jwt(aud=audience, exp=far, rat=far, sub="me"), fake_jwt(exp=far))


# ---- configuration and tokens ------------------------------------------------------------


async def test_config_defaults_and_base(nadeo: Nadeo) -> None:
    assert config.core_base_url == f"{nadeo.server.url}/nadeo/core"
    assert config.live_base_url == f"{nadeo.server.url}/nadeo/live"
    config.reset()
    assert config.core_base_url == "https://prod.trackmania.core.nadeo.online"
    assert config.live_base_url == "https://live-services.trackmania.nadeo.live"
    assert config.rate_limit == 2
    with pytest.raises(ParameterError):
        config.set_rate_limit(0)


async def test_tokens_audiences_and_failures(nadeo: Nadeo) -> None:
    player = await nadeo.account("Player")
    token = await login(player)
    assert isinstance(token, ServiceToken) and token.audience == LIVE
    assert token.account_id == player.account_id and token.usage == "Client"
    assert token.expiration > token.refresh_after > time.time()
    default = await run(ServiceToken.get, player.login, player.password)
    assert default.audience == "NadeoServices"
    for alias, expected in (("PROD", "NadeoServices"), ("core", "NadeoServices"), ("Club", LIVE)):
        assert (await login(player, alias)).audience == expected
    server = await nadeo.account("srv", server=True)
    dedicated = await login(server, "meet", DedicatedServerToken)
    assert isinstance(dedicated, DedicatedServerToken) and dedicated.usage == "Server"
    with pytest.raises(AuthenticationError) as refused:
        await run(ServiceToken.get, player.login, "wrong", audience="live")
    assert refused.value.status == 401 and isinstance(refused.value, NadeoError)
    with pytest.raises(AudienceError):
        await run(ServiceToken.get, player.login, player.password, audience="OAuth3")
    with pytest.raises(ParameterError):
        await run(ServiceToken.get, player.login, player.password, agent="")
    assert player.password not in repr(token) and token.access_token not in repr(token)


async def _until(moment: float) -> None:
    """Wait until the wall clock passes ``moment`` (a token's ``rat`` or ``exp``)."""
    await asyncio.sleep(max(0.0, moment - time.time()) + 0.05)


@pytest.mark.nadeo_lifetimes(access=4, refresh_after=2, refresh=60)
async def test_refresh_before_expiry_and_after_401(nadeo: Nadeo, recorder: Recorder) -> None:
    config.set_transport(None)
    player = await nadeo.account("Player")
    token = await login(player)
    config.set_transport(recorder)
    first_access, first_refresh = token.access_token, token.refresh_token
    await run(live.get_maps_totd, token)
    assert [s[:3] for s in recorder.seen] == [("GET", "/nadeo/live/api/token/campaign/month", 200)]
    # Past ``rat`` (2 s) the token is refreshed before the next request.
    await _until(token.refresh_after)
    assert token.needs_refresh()
    recorder.seen.clear()
    refreshing = time.time()
    await run(live.get_maps_totd, token)
    assert [s[:3] for s in recorder.seen] == [
        ("POST", "/nadeo/core/v2/authentication/token/refresh", 200),
        ("GET", "/nadeo/live/api/token/campaign/month", 200),
    ]
    refresh_request = recorder.seen[0][3]
    assert refresh_request.headers["authorization"] == f"nadeo_v1 t={first_refresh}"
    assert refresh_request.content == b""
    assert token.access_token != first_access and token.audience == LIVE
    # Fresh as of the refresh (a busy machine may be past its ``rat`` by now).
    assert token.account_id == player.account_id and not token.needs_refresh(refreshing)
    # Past ``exp`` (4 s) the same happens, so expired tokens never reach the server.
    await _until(token.expiration)
    recorder.seen.clear()
    await run(live.get_maps_weekly_short, token)
    assert [s[2] for s in recorder.seen] == [200, 200]
    # A token the server rejects (401) is refreshed once and the request retried once.
    token.access_token += "x"
    token.refresh_after = token.expiration = time.time() + 600
    recorder.seen.clear()
    await run(live.get_maps_seasonal, token)
    assert [s[:3] for s in recorder.seen] == [
        ("GET", "/nadeo/live/api/campaign/official", 401),
        ("POST", "/nadeo/core/v2/authentication/token/refresh", 200),
        ("GET", "/nadeo/live/api/campaign/official", 200),
    ]
    # A refresh token the server refuses ends in AuthenticationError, not a loop.
    token.access_token += "x"
    token.refresh_token += "x"
    token.refresh_after = token.expiration = time.time() + 600
    recorder.seen.clear()
    with pytest.raises(AuthenticationError) as failed:
        await run(live.get_maps_seasonal, token)
    assert failed.value.status == 401 and len(recorder.seen) == 2


# ---- client-side checks ------------------------------------------------------------------


async def test_audience_and_usage_errors_send_nothing(nadeo: Nadeo, recorder: Recorder) -> None:
    player = await nadeo.account("Player")
    server = await nadeo.account("srv", server=True)
    core_token = await login(player, "NadeoServices")
    live_token = await login(player)
    dedicated = await login(server, LIVE, DedicatedServerToken)
    recorder.seen.clear()
    with pytest.raises(AudienceError):
        await run(live.get_maps_totd, core_token)
    with pytest.raises(AudienceError):
        await run(live.post, core_token, "api/token/leaderboard/group/map")
    with pytest.raises(AudienceError):
        await run(core.get_zones, live_token)
    with pytest.raises(UsageError):
        await run(live.get, "not a token", "api/campaign/official")
    uid = "MapUid"
    for call in (
        lambda: live.get_map_leaderboard(dedicated, uid, only_world=False),
        lambda: live.get_player_club_record(dedicated, uid, 1),
        lambda: live.get_map_review_connect(dedicated, "totd"),
        lambda: live.get_map_review_submitted(dedicated, "totd"),
        lambda: live.get_server_accounts(dedicated),
    ):
        with pytest.raises(UsageError):
            await run(call)
    for length, offset in ((101, 0), (100, 9_901), (5, 9_996), (-1, 0), (5, -1)):
        with pytest.raises(ParameterError):
            await run(live.get_map_leaderboard, live_token, uid, length=length, offset=offset)
    assert recorder.seen == []


async def test_generic_requests_and_empty_answers() -> None:
    seen: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if request.method in ("HEAD", "DELETE"):
            return httpx.Response(204 if request.method == "DELETE" else 200)
        if request.url.path.endswith("/plain"):
            return httpx.Response(403, text="Only official MapReview")
        return httpx.Response(200, json={"ok": True})

    config.set_transport(httpx.MockTransport(answer))
    config.use_base("http://example.test")
    token = offline_token()
    base = config.live_base_url
    assert await run(live.get, token, f"{base}/api/a?x=1", {"y": True}) == {"ok": True}
    assert await run(live.get, token, "/api/a") == {"ok": True}
    assert await run(live.get, token, "api/a") == {"ok": True}
    assert [str(r.url) for r in seen] == [
        f"{base}/api/a?x=1&y=true",
        f"{base}/api/a",
        f"{base}/api/a",
    ]
    assert seen[0].headers["authorization"] == f"nadeo_v1 t={token.access_token}"
    assert seen[0].content == b""
    assert await run(live.head, token, "api/a") == []
    assert await run(live.delete, token, "api/a", {}, {"k": 1}) == []
    assert json.loads(seen[-1].content) == {"k": 1}
    for method in (live.post, live.put, live.patch, live.options):
        assert await run(method, token, "api/b", {"q": 2}, {"v": 3}) == {"ok": True}
        assert seen[-1].method == method.__name__.upper()
        assert seen[-1].url.params["q"] == "2" and json.loads(seen[-1].content) == {"v": 3}
    with pytest.raises(ApiError) as refused:
        await run(live.get, token, "api/plain")
    assert refused.value.status == 403 and refused.value.body == "Only official MapReview"


async def test_rate_limit_is_shared() -> None:
    config.set_transport(httpx.MockTransport(lambda _r: httpx.Response(200, json=[])))
    config.set_rate_limit(10)
    token = offline_token()
    started = time.monotonic()
    await asyncio.gather(*(run(live.get, token, "api/a") for _ in range(4)))
    assert time.monotonic() - started >= 0.28


# ---- every Live function against the server ----------------------------------------------


async def test_totd_and_royal(nadeo: Nadeo) -> None:
    author = await nadeo.account("Author")
    uid = await nadeo.map("T01", author)
    now = datetime.now(UTC)
    last_month = now.replace(day=1) - timedelta(days=20)
    await nadeo.totd(last_month, uid)
    await nadeo.totd(last_month - timedelta(days=40), uid)
    await nadeo.totd(last_month, uid, royal=True)
    token = await login(author)
    oldest = last_month - timedelta(days=40)
    # Months from the oldest day's to the current one, which has no day yet.
    span = now.year * 12 + now.month - (oldest.year * 12 + oldest.month) + 1
    months = await run(live.get_maps_totd, token)
    assert months["itemCount"] == span and len(months["monthList"]) == 1
    assert months["monthList"][0]["days"] == []
    previous = await run(live.get_maps_totd, token, 1, 1)
    day = previous["monthList"][0]["days"][0]
    assert day["mapUid"] == uid and day["monthDay"] == last_month.day
    every = await run(live.get_maps_totd, token, length=5, offset=0)
    assert len(every["monthList"]) == span
    assert sum(len(m["days"]) for m in every["monthList"]) == 2
    assert (await run(live.get_maps_totd, token, 1, 5))["monthList"] == []
    royal = await run(live.get_maps_royal, token)
    assert royal["itemCount"] == 2 and royal["monthList"][0]["days"] == []
    assert royal["monthList"][1]["days"][0]["mapUid"] == uid


async def test_campaign_lists(nadeo: Nadeo) -> None:
    author = await nadeo.account("Author")
    uid = await nadeo.map("C01", author)
    now = datetime.now(UTC)
    await nadeo.campaign("Summer", "seasonal", [uid], starts=now - timedelta(days=100))
    fall = await nadeo.campaign("Fall", "seasonal", [uid], starts=now - timedelta(days=10))
    await nadeo.campaign("Week 1", "weekly-shorts", [uid], starts=now - timedelta(days=3))
    await nadeo.campaign("Grand 1", "weekly-grands", [uid], starts=now - timedelta(days=3))
    token = await login(author)
    seasonal = await run(live.get_maps_seasonal, token)
    assert seasonal["itemCount"] == 2
    assert seasonal["campaignList"][0]["seasonUid"] == fall["season_uid"]
    older = await run(live.get_maps_seasonal, token, length=1, offset=1)
    assert older["campaignList"][0]["name"] == "Summer"
    shorts = await run(live.get_maps_weekly_short, token)
    assert [c["useCase"] for c in shorts["campaignList"]] == [5]
    grands = await run(live.get_maps_weekly_grand, token, length=1, offset=0)
    assert [c["name"] for c in grands["campaignList"]] == ["Grand 1"]


async def test_club_campaign(nadeo: Nadeo) -> None:
    club = await nadeo.club("Speed Club")
    member = await nadeo.account("Member", club=club)
    outsider = await nadeo.account("Outsider")
    uid = await nadeo.map("K01", member, club=club)
    open_one = await nadeo.campaign("Club Cup", "club", [uid], club=club)
    private = await nadeo.campaign("Members", "club", [uid], club=club, public=False)
    outsider_token, member_token = await login(outsider), await login(member)
    found = await run(live.get_club_campaign, outsider_token, club, open_one["campaign_id"])
    assert found["clubName"] == "Speed Club" and found["campaign"]["useCase"] == 2
    with pytest.raises(ApiError) as denied:
        await run(live.get_club_campaign, outsider_token, club, private["campaign_id"])
    assert denied.value.status == 403 and denied.value.body == ["clubMemberRole:error-notMember"]
    mine = await run(live.get_club_campaign, member_token, club, private["campaign_id"])
    assert mine["campaignId"] == private["campaign_id"]
    with pytest.raises(ApiError) as missing:
        await run(live.get_club_campaign, member_token, club, 999_999)
    assert missing.value.status == 404 and missing.value.body == ["activity:error-notFound"]


async def test_leaderboards(nadeo: Nadeo) -> None:
    author = await nadeo.account("Author")
    uid = await nadeo.map("L01", author)
    players = [await nadeo.account(f"P{i}") for i in range(7)]
    for i, player in enumerate(players):
        await nadeo.record(player, uid, 40_000 + 100 * i)
    token = await login(players[3])
    top = await run(live.get_map_leaderboard, token, uid)
    (world,) = top["tops"]
    assert world["zoneId"] == WORLD and [e["position"] for e in world["top"]] == [1, 2, 3, 4, 5]
    page = await run(live.get_map_leaderboard, token, uid, length=2, offset=5)
    assert [e["score"] for e in page["tops"][0]["top"]] == [40_500, 40_600]
    assert [e["position"] for e in page["tops"][0]["top"]] == [6, 7]
    far = await run(live.get_map_leaderboard, token, uid, length=100, offset=9_900)
    assert far["tops"][0]["top"] == []
    zones = await run(live.get_map_leaderboard, token, uid, "Personal_Best", False, 2, 3)
    assert len(zones["tops"][0]["top"]) == 5
    assert await run(live.get_map_leaderboard, token, uid, group_uid="no-such-group") == {}
    unknown = await run(live.get_map_leaderboard, token, "NoSuchMap")
    assert unknown["tops"][0]["top"] == []
    around = await run(live.get_map_leaderboard_surround, token, uid, 40_250)
    assert [e["score"] for e in around["tops"][0]["top"]] == [40_200, 40_250, 40_300]
    own = await run(live.get_map_leaderboard_surround, token, uid, lower=1, upper=1)
    assert [e["position"] for e in own["tops"][0]["top"]] == [3, 4, 5]
    positions = await run(live.get_map_positions, token, {uid: 40_050})
    assert positions[0]["mapUid"] == uid and positions[0]["zones"][0]["ranking"]["position"] == 2


async def test_player_club_record(nadeo: Nadeo) -> None:
    club = await nadeo.club("Club")
    first, second = await nadeo.account("A", club=club), await nadeo.account("B", club=club)
    outsider = await nadeo.account("C")
    uid = await nadeo.map("R01", first)
    await nadeo.record(first, uid, 40_000)
    await nadeo.record(second, uid, 41_000)
    await nadeo.record(outsider, uid, 30_000)
    mine = await run(live.get_player_club_record, await login(second), uid, club)
    assert (mine["score"], mine["position"], mine["clubId"]) == (41_000, 2, club)
    with pytest.raises(ApiError) as refused:
        await run(live.get_player_club_record, await login(outsider), uid, club)
    assert refused.value.body == ["clubMemberRole:error-notMember"]


async def test_map_review_and_server_accounts(nadeo: Nadeo) -> None:
    owner = await nadeo.account("Owner")
    await nadeo.map("Review me", owner, review="totd")
    server = await nadeo.account("srv", server=True, owner=owner.account_id)
    token = await login(owner)
    connect = await run(live.get_map_review_connect, token, "totd")
    assert connect["joinLink"].startswith("#qjoin=") and connect["noMap"] is False
    submitted = await run(live.get_map_review_submitted, token, "totd")
    assert submitted["itemCount"] == 1
    assert submitted["submittedMaps"][0]["map"]["name"] == "Review me"
    skipped = await run(live.get_map_review_submitted, token, "totd", length=144, offset=1)
    assert skipped["submittedMaps"] == []
    assert await run(live.get_map_review_waiting_time, token, "totd") == {"seconds": 180}
    dedicated = await login(server, LIVE, DedicatedServerToken)
    assert await run(live.get_map_review_waiting_time, dedicated, "weekly-shorts") == {"seconds": 0}
    with pytest.raises(ApiError) as unknown:
        await run(live.get_map_review_waiting_time, token, "nope")
    assert unknown.value.status == 403 and unknown.value.body == "Only official MapReview"
    accounts = await run(live.get_server_accounts, token)
    assert accounts["itemCount"] == 1
    assert accounts["playerServerAccount"][0]["accountId"] == server.account_id


async def test_map_info_live_and_core(nadeo: Nadeo) -> None:
    author = await nadeo.account("Author")
    uid, other = await nadeo.map("I01", author, 45_000), await nadeo.map("I02", author, 30_000)
    token = await login(author)
    single = await run(live.get_map_info, token, uid)
    assert single["uid"] == uid and single["authorTime"] == 45_000
    many = await run(live.get_maps_info, token, [uid, "bogus", other])
    assert [m["uid"] for m in many["mapList"]] == [uid, other] and many["itemCount"] == 2
    with pytest.raises(ApiError) as missing:
        await run(live.get_map_info, token, "bogus")
    assert missing.value.status == 404
    core_token = await login(author, "NadeoServices")
    found = await run(core.get_map_info, core_token, [uid, other, "bogus"])
    assert [(m["mapUid"], m["authorScore"]) for m in found] == [(uid, 45_000), (other, 30_000)]
    zones = await run(core.get_zones, core_token)
    assert any(z["zoneId"] == WORLD for z in zones)
    assert await run(core.get, core_token, "/zones") == zones
