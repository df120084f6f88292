"""The Live API over real HTTP: campaigns, Tracks of the Day, leaderboards, reviews, maps."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from tests.conftest import PATIENT
from tests.dialects.nadeo.conftest import Account, Nadeo

WORLD = "301e1b69-7e13-11e8-8060-e284abfd2bc4"


async def setup(nadeo: Nadeo) -> tuple[Account, str, str]:
    author = await nadeo.account("Author")
    token = (await nadeo.tokens(author))["accessToken"]
    return author, token, await nadeo.map("A01", author, 45_000)


async def test_totd_months(nadeo: Nadeo) -> None:
    _author, token, uid = await setup(nadeo)
    today = datetime.now(UTC)
    this_month_first = today.replace(day=1)
    last_month = (this_month_first - timedelta(days=1)).replace(day=3)
    older = (last_month.replace(day=1) - timedelta(days=1)).replace(day=5)
    for day in (older, last_month, this_month_first):
        if day.date() < today.date() or (day.date() == today.date() and today.hour >= 18):
            await nadeo.totd(day, uid)
    await nadeo.totd(today + timedelta(days=2), uid)  # not released yet
    await nadeo.totd(older, uid, royal=True)
    body = (await nadeo.get(token, "/api/token/campaign/month", length=1, offset=0)).json()
    # Three months from the oldest day's to the current one, whether it has a day yet.
    first_released = this_month_first.date() < today.date() or today.hour >= 18
    assert body["itemCount"] == 3 and len(body["monthList"]) == 1
    current = body["monthList"][0]
    assert (current["year"], current["month"]) == (today.year, today.month)
    assert [d["monthDay"] for d in current["days"]] == ([1] if first_released else [])
    month = (await nadeo.get(token, "/api/token/campaign/month", length=1, offset=1)).json()[
        "monthList"
    ][0]
    assert (month["year"], month["month"]) == (last_month.year, last_month.month)
    assert set(month["media"]) == {
        "buttonBackgroundUrl",
        "buttonForegroundUrl",
        "decalUrl",
        "popUpBackgroundUrl",
        "popUpImageUrl",
        "liveButtonBackgroundUrl",
        "liveButtonForegroundUrl",
    }
    day = month["days"][0]
    start = datetime.fromtimestamp(day["startTimestamp"], UTC)
    assert (start.hour, day["endTimestamp"] - day["startTimestamp"]) == (18, 86_400)
    assert day["day"] == start.weekday() and day["monthDay"] == start.day and day["mapUid"] == uid
    assert body["nextRequestTimestamp"] > 0 and body["relativeNextRequest"] > 0
    everything = (await nadeo.get(token, "/api/token/campaign/month", length=100, offset=0)).json()
    years_months = [(m["year"], m["month"]) for m in everything["monthList"]]
    assert years_months == sorted(years_months, reverse=True)
    beyond = await nadeo.get(token, "/api/token/campaign/month", length=5, offset=50)
    assert beyond.status_code == 200 and beyond.json()["monthList"] == []
    assert beyond.json()["itemCount"] == 3
    royal = (
        await nadeo.get(token, "/api/token/campaign/month", length=51, offset=0, royal="true")
    ).json()
    # Royal looks back from the current month too: two months without days first.
    assert royal["itemCount"] == 3
    assert [len(m["days"]) for m in royal["monthList"]] == [0, 0, 1]
    assert royal["monthList"][2]["days"][0]["monthDay"] == older.day


def months_ago(today: datetime, n: int) -> datetime:
    """The 10th of the month ``n`` months before ``today``'s (always in the past)."""
    index = today.year * 12 + today.month - 1 - n
    return datetime(index // 12, index % 12 + 1, 10, tzinfo=UTC)


async def test_month_offset_counts_months_without_days(nadeo: Nadeo) -> None:
    _author, token, uid = await setup(nadeo)
    today = datetime.now(UTC)
    for kind in (False, True):
        for back in (1, 4):  # nothing this month, nor two and three months back
            await nadeo.totd(months_ago(today, back), uid, royal=kind)
    expected = [(m.year, m.month) for m in (months_ago(today, n) for n in range(5))]
    for royal in ("false", "true"):
        for offset in range(5):
            body = (
                await nadeo.get(
                    token, "/api/token/campaign/month", length=1, offset=offset, royal=royal
                )
            ).json()
            assert body["itemCount"] == 5, (royal, offset)
            (month,) = body["monthList"]
            assert (month["year"], month["month"]) == expected[offset], (royal, offset)
            assert len(month["days"]) == (1 if offset in (1, 4) else 0), (royal, offset)
            assert month["lastDay"] >= 28 and set(month["media"]) >= {"decalUrl"}
        whole = (
            await nadeo.get(token, "/api/token/campaign/month", length=3, offset=2, royal=royal)
        ).json()
        assert [(m["year"], m["month"]) for m in whole["monthList"]] == expected[2:5]
        assert [len(m["days"]) for m in whole["monthList"]] == [0, 0, 1]
        past = await nadeo.get(token, "/api/token/campaign/month", length=1, offset=5, royal=royal)
        assert past.status_code == 200 and past.json()["monthList"] == []
        assert past.json()["itemCount"] == 5


async def test_campaign_lists(nadeo: Nadeo) -> None:
    author, token, uid = await setup(nadeo)
    second = await nadeo.map("A02", author)
    now = datetime.now(UTC)
    await nadeo.campaign("Summer", "seasonal", [uid, second], starts=now - timedelta(days=100))
    fall = await nadeo.campaign("Fall", "seasonal", [second, uid], starts=now - timedelta(days=10))
    await nadeo.campaign("Week 1", "weekly-shorts", [uid], starts=now - timedelta(days=3))
    await nadeo.campaign("Week Grand 1", "weekly-grands", [second], starts=now - timedelta(days=3))
    await nadeo.campaign("Future", "seasonal", [uid], starts=now + timedelta(days=30))
    seasonal = (await nadeo.get(token, "/api/campaign/official", length=1, offset=0)).json()
    assert seasonal["itemCount"] == 2
    (latest,) = seasonal["campaignList"]
    assert latest["name"] == "Fall" and latest["seasonUid"] == fall["season_uid"]
    assert latest["useCase"] == 0 and latest["clubId"] == 0
    assert latest["playlist"] == [
        {"id": 1, "position": 0, "mapUid": second},
        {"id": 2, "position": 1, "mapUid": uid},
    ]
    older = (await nadeo.get(token, "/api/campaign/official", length=1, offset=1)).json()
    assert older["campaignList"][0]["name"] == "Summer"
    assert (await nadeo.get(token, "/api/campaign/official", length=1, offset=9)).json()[
        "campaignList"
    ] == []
    shorts = (await nadeo.get(token, "/api/campaign/weekly-shorts")).json()
    assert shorts["campaignList"][0]["useCase"] == 5 and shorts["campaignList"][0]["week"] >= 1
    grands = (await nadeo.get(token, "/api/campaign/weekly-grands")).json()
    assert grands["campaignList"][0]["useCase"] == 6
    # The next campaign of the kind is announced; none is scheduled for the weeklies.
    future = int((now + timedelta(days=30)).timestamp())
    assert seasonal["nextRequestTimestamp"] == future and seasonal["relativeNextRequest"] > 0
    assert (shorts["nextRequestTimestamp"], shorts["relativeNextRequest"]) == (-1, -1)


async def test_official_lists_hold_official_campaigns_only(nadeo: Nadeo) -> None:
    author, token, uid = await setup(nadeo)
    club = await nadeo.club("Copycats")
    club_map = await nadeo.map("K01", author, club=club)
    now = datetime.now(UTC)
    await nadeo.campaign("Fall", "seasonal", [uid], starts=now - timedelta(days=10))
    await nadeo.campaign("Week 7", "weekly-shorts", [uid], starts=now - timedelta(days=3))
    # A club's campaigns labelled like Nadeo's, newer than the official ones.
    for use_case in ("seasonal", "weekly-shorts", "weekly-grands"):
        await nadeo.campaign(
            f"Club {use_case}", use_case, [club_map], club=club, starts=now - timedelta(days=1)
        )
    seasonal = (await nadeo.get(token, "/api/campaign/official", length=10)).json()
    assert seasonal["itemCount"] == 1 and [c["name"] for c in seasonal["campaignList"]] == ["Fall"]
    shorts = (await nadeo.get(token, "/api/campaign/weekly-shorts", length=10)).json()
    assert shorts["itemCount"] == 1 and shorts["campaignList"][0]["name"] == "Week 7"
    grands = (await nadeo.get(token, "/api/campaign/weekly-grands", length=10)).json()
    assert (grands["itemCount"], grands["campaignList"]) == (0, [])
    club_listed = (await nadeo.get(token, f"/api/campaign/map/{club_map}")).json()
    assert (club_listed["officialMaps"], club_listed["season"]) == ([], -1)
    official = (await nadeo.get(token, f"/api/campaign/map/{uid}")).json()
    assert official["season"] == "Fall" and official["officialMaps"] == [uid]


async def test_club_campaign(nadeo: Nadeo) -> None:
    club = await nadeo.club("Speed Club")
    member = await nadeo.account("Member", club=club)
    outsider = await nadeo.account("Outsider")
    uid = await nadeo.map("C01", member, club=club)
    open_campaign = await nadeo.campaign("Club Cup", "club", [uid], club=club)
    private = await nadeo.campaign("Members Only", "club", [uid], club=club, public=False)
    member_token = (await nadeo.tokens(member))["accessToken"]
    outsider_token = (await nadeo.tokens(outsider))["accessToken"]
    found = (
        await nadeo.get(
            outsider_token, f"/api/token/club/{club}/campaign/{open_campaign['campaign_id']}"
        )
    ).json()
    assert found["clubName"] == "Speed Club" and found["campaign"]["useCase"] == 2
    assert found["campaign"]["seasonUid"].startswith("NLS-") and found["mapsCount"] == 1
    denied = await nadeo.get(
        outsider_token, f"/api/token/club/{club}/campaign/{private['campaign_id']}"
    )
    assert denied.status_code == 403 and denied.json() == ["clubMemberRole:error-notMember"]
    assert (
        await nadeo.get(member_token, f"/api/token/club/{club}/campaign/{private['campaign_id']}")
    ).status_code == 200
    missing = await nadeo.get(member_token, f"/api/token/club/{club}/campaign/999999")
    assert missing.status_code == 404 and missing.json() == ["activity:error-notFound"]


async def test_map_leaderboard_records_and_quirks(nadeo: Nadeo) -> None:
    author, token, uid = await setup(nadeo)
    players = [await nadeo.account(f"P{n}") for n in range(7)]
    base = datetime.now(UTC) - timedelta(hours=1)
    times = [50_000, 48_000, 48_000, 52_000, 47_000, 60_000, 55_000]
    for n, (player, ms) in enumerate(zip(players, times, strict=True)):
        await nadeo.record(player, uid, ms, base + timedelta(seconds=n))
    # Only a better time replaces a personal best.
    worse = await nadeo.record(players[0], uid, 51_000)
    assert not any(worse["improved"].values())
    better = await nadeo.record(players[5], uid, 49_000, base + timedelta(seconds=30))
    assert all(better["improved"].values())
    path = f"/api/token/leaderboard/group/Personal_Best/map/{uid}/top"
    body = (await nadeo.get(token, path, onlyWorld="true", length=10, offset=0)).json()
    (world,) = body["tops"]
    assert (world["zoneId"], world["zoneName"]) == (WORLD, "World")
    ranked = [(e["accountId"], e["position"], e["score"]) for e in world["top"]]
    # Equal times: whoever set it first is ahead; positions are distinct.
    assert ranked == [
        (players[4].account_id, 1, 47_000),
        (players[1].account_id, 2, 48_000),
        (players[2].account_id, 3, 48_000),
        (players[5].account_id, 4, 49_000),
        (players[0].account_id, 5, 50_000),
        (players[3].account_id, 6, 52_000),
        (players[6].account_id, 7, 55_000),
    ]
    assert isinstance(world["top"][0]["timestamp"], int)
    offset = (await nadeo.get(token, path, onlyWorld="true", length=2, offset=3)).json()
    assert [e["position"] for e in offset["tops"][0]["top"]] == [4, 5]
    not_world = (await nadeo.get(token, path, length=50, offset=2)).json()
    assert [e["position"] for e in not_world["tops"][0]["top"]] == [1, 2, 3, 4, 5]
    capped = (await nadeo.get(token, path, onlyWorld="true", length=500, offset=0)).json()
    assert len(capped["tops"][0]["top"]) == 7
    past_readable = (await nadeo.get(token, path, onlyWorld="true", length=5, offset=10_000)).json()
    assert past_readable["tops"][0]["top"] == []
    invalid_group = await nadeo.get(
        token, f"/api/token/leaderboard/group/not-a-group/map/{uid}/top"
    )
    assert invalid_group.status_code == 200 and invalid_group.json() == {}
    unknown_map = (
        await nadeo.get(token, "/api/token/leaderboard/group/Personal_Best/map/nope/top")
    ).json()
    assert unknown_map["tops"] == [{"zoneId": WORLD, "zoneName": "World", "top": []}]

    surround = (
        await nadeo.get(
            token,
            f"/api/token/leaderboard/group/Personal_Best/map/{uid}/surround/1/1",
            score=48_500,
        )
    ).json()
    entries = surround["tops"][0]["top"]
    assert [(e["position"], e["score"]) for e in entries] == [(3, 48_000), (4, 48_500), (5, 49_000)]
    assert entries[1]["accountId"] == author.account_id
    own = (
        await nadeo.get(
            (await nadeo.tokens(players[0]))["accessToken"],
            f"/api/token/leaderboard/group/Personal_Best/map/{uid}/surround/1/1",
        )
    ).json()
    assert [e["position"] for e in own["tops"][0]["top"]] == [4, 5, 6]

    async with httpx.AsyncClient(timeout=PATIENT) as http:
        positions = await http.post(
            f"{nadeo.live}/api/token/leaderboard/group/map",
            params={f"scores[{uid}]": 48_000},
            json={
                "maps": [
                    {"mapUid": uid, "groupUid": "Personal_Best"},
                    {"mapUid": uid, "groupUid": "bad-group"},
                ]
            },
            headers={"Authorization": f"nadeo_v1 t={token}"},
        )
    (item,) = positions.json()
    assert item["score"] == 48_000 and item["zones"][0]["ranking"]["position"] == 4

    medals = (
        await nadeo.get(token, f"/api/token/leaderboard/group/Personal_Best/map/{uid}/medals")
    ).json()
    assert next((m["medal"], m["score"]) for m in medals["medals"]) == ("Author", 45_000)
    assert [m["medal"] for m in medals["medals"]] == ["Author", "Gold", "Silver", "Bronze"]


async def test_group_boards_count_records_set_while_running(nadeo: Nadeo) -> None:
    _author, token, uid = await setup(nadeo)
    now = datetime.now(UTC)
    season = await nadeo.campaign(
        "Winter", "seasonal", [uid], starts=now - timedelta(days=2), ends=now + timedelta(days=2)
    )
    early, inside = await nadeo.account("Early"), await nadeo.account("Inside")
    await nadeo.record(early, uid, 40_000, now - timedelta(days=5))  # before the season
    await nadeo.record(inside, uid, 44_000)
    group = season["season_uid"]
    top = (
        await nadeo.get(
            token, f"/api/token/leaderboard/group/{group}/map/{uid}/top", onlyWorld="true"
        )
    ).json()
    assert [e["accountId"] for e in top["tops"][0]["top"]] == [inside.account_id]
    pb = (
        await nadeo.get(
            token, f"/api/token/leaderboard/group/Personal_Best/map/{uid}/top", onlyWorld="true"
        )
    ).json()
    assert [e["accountId"] for e in pb["tops"][0]["top"]] == [early.account_id, inside.account_id]
    season_top = (
        await nadeo.get(token, f"/api/token/leaderboard/group/{group}/top", length=5)
    ).json()
    assert season_top["tops"][0]["top"][0]["sp"] == "1"
    rank = (
        await nadeo.get(token, f"/api/token/leaderboard/group/{group}", accountId=inside.account_id)
    ).json()
    assert rank["zones"][0]["ranking"]["position"] == 1 and rank["sp"] == "1"
    assert rank["zones"][0]["ranking"]["length"] == 0  # Nadeo does not count it here


async def test_clubs_records(nadeo: Nadeo) -> None:
    club = await nadeo.club("Club")
    first, second = await nadeo.account("A", club=club), await nadeo.account("B", club=club)
    outsider = await nadeo.account("C")
    server = await nadeo.account("srv", server=True, club=club)
    uid = await nadeo.map("M", first)
    await nadeo.record(first, uid, 41_000)
    await nadeo.record(second, uid, 40_000)
    await nadeo.record(outsider, uid, 30_000)
    path = f"/api/token/leaderboard/group/Personal_Best/map/{uid}/club/{club}"
    mine = (await nadeo.get((await nadeo.tokens(first))["accessToken"], path)).json()
    assert (mine["score"], mine["position"], mine["clubId"]) == (41_000, 2, club)
    not_member = await nadeo.get((await nadeo.tokens(outsider))["accessToken"], path)
    assert not_member.status_code == 403 and not_member.json() == ["clubMemberRole:error-notMember"]
    dedicated = await nadeo.get((await nadeo.tokens(server))["accessToken"], path)
    assert dedicated.json() == ["club_Join:error-notAllowed"]
    outsider_token = (await nadeo.tokens(outsider))["accessToken"]
    top = (await nadeo.get(outsider_token, f"{path}/top", length=10)).json()
    assert top["length"] == 2 and [e["score"] for e in top["top"]] == [40_000, 41_000]
    page = (await nadeo.get(outsider_token, f"{path}/top", length=1, offset=1)).json()
    assert page["length"] == 2 and [(e["position"], e["score"]) for e in page["top"]] == [
        (2, 41_000)
    ]
    # An unknown map is an empty board; an unknown group is {}.
    unknown = await nadeo.get(
        outsider_token, f"/api/token/leaderboard/group/Personal_Best/map/nope/club/{club}/top"
    )
    assert unknown.status_code == 200 and unknown.json() == {
        "groupUid": "Personal_Best",
        "mapUid": "nope",
        "clubId": club,
        "length": 0,
        "top": [],
    }
    no_group = await nadeo.get(
        outsider_token, f"/api/token/leaderboard/group/nope/map/{uid}/club/{club}/top"
    )
    assert no_group.json() == {}


async def test_map_review_and_server_accounts(nadeo: Nadeo) -> None:
    owner = await nadeo.account("Owner")
    token = (await nadeo.tokens(owner))["accessToken"]
    await nadeo.map("Review me", owner, review="totd")
    connect = (await nadeo.get(token, "/api/token/map-review/totd/connect")).json()
    assert connect["joinLink"].startswith("#qjoin=") and connect["noMap"] is False
    submitted = (
        await nadeo.get(token, "/api/token/map-review/totd/submitted-map", length=144, offset=0)
    ).json()
    assert (
        submitted["itemCount"] == 1 and submitted["submittedMaps"][0]["map"]["name"] == "Review me"
    )
    alias = await nadeo.get(token, "/api/token/map/map-review/totd/submitted-map")
    assert alias.json()["itemCount"] == 1
    assert (await nadeo.get(token, "/api/token/map-review/totd/waiting-time")).json() == {
        "seconds": 180
    }
    unknown = await nadeo.get(token, "/api/token/map-review/nope/connect")
    assert unknown.status_code == 403 and unknown.text == "Only official MapReview"
    unknown_list = await nadeo.get(token, "/api/token/map-review/nope/submitted-map")
    assert unknown_list.status_code == 404 and unknown_list.json() == ["mapReview:error-notFound"]
    server = await nadeo.account("srv", server=True, owner=owner.account_id)
    server_token = (await nadeo.tokens(server))["accessToken"]
    refused = await nadeo.get(server_token, "/api/token/map-review/totd/connect")
    assert refused.status_code == 403 and refused.json()["error"] == "NLS::Player::MissingRule"
    accounts = (await nadeo.get(token, "/api/token/server/player-server/account")).json()
    assert (
        accounts["itemCount"] == 1
        and accounts["playerServerAccount"][0]["accountId"] == server.account_id
    )


async def test_map_info(nadeo: Nadeo) -> None:
    author, token, uid = await setup(nadeo)
    other = await nadeo.map("A02", author, 30_000)
    await nadeo.campaign("Spring", "seasonal", [uid, other])
    single = (await nadeo.get(token, f"/api/token/map/{uid}")).json()
    assert (
        single["uid"] == uid
        and single["authorTime"] == 45_000
        and single["author"] == author.account_id
    )
    many = (
        await nadeo.get(token, "/api/token/map/get-multiple", mapUidList=f"{uid},bogus,{other}")
    ).json()
    assert [m["uid"] for m in many["mapList"]] == [uid, other] and many["itemCount"] == 2
    missing = await nadeo.get(token, "/api/token/map/bogus")
    assert missing.status_code == 404 and missing.json() == ["map:error-notFound"]
    membership = (await nadeo.get(token, f"/api/campaign/map/{uid}")).json()
    assert membership["season"] == "Spring" and membership["officialMaps"] == [uid, other]
    assert membership["totdMaps"] == [] and membership["week"] == -1
    core = (await nadeo.tokens(author, "NadeoServices"))["accessToken"]
    async with httpx.AsyncClient(timeout=PATIENT) as http:
        info = await http.get(
            f"{nadeo.core}/maps/by-uid/",
            params={"mapUidList": f"{uid},{other}"},
            headers={"Authorization": f"nadeo_v1 t={core}"},
        )
    found: list[dict[str, Any]] = info.json()
    assert [(m["mapUid"], m["authorScore"]) for m in found] == [(uid, 45_000), (other, 30_000)]


async def test_submitted_maps_are_the_callers_own(nadeo: Nadeo) -> None:
    mine, theirs = await nadeo.account("Mine"), await nadeo.account("Theirs")
    own = [await nadeo.map(f"Mine {n}", mine, review="totd") for n in range(3)]
    await nadeo.map("Theirs 0", theirs, review="totd")
    await nadeo.map("Shorts", theirs, review="weekly-shorts")
    await nadeo.map("Not submitted", theirs)
    token = (await nadeo.tokens(mine))["accessToken"]
    path = "/api/token/map-review/totd/submitted-map"
    listed = (await nadeo.get(token, path, length=144, offset=0)).json()
    assert listed["itemCount"] == 3
    assert [m["mapUid"] for m in listed["submittedMaps"]] == own
    assert {m["map"]["submitter"] for m in listed["submittedMaps"]} == {mine.account_id}
    # Paging runs over the caller's maps; itemCount stays their total.
    page = (await nadeo.get(token, path, length=1, offset=1)).json()
    assert page["itemCount"] == 3 and [m["mapUid"] for m in page["submittedMaps"]] == own[1:2]
    past = (await nadeo.get(token, path, length=5, offset=3)).json()
    assert (past["itemCount"], past["submittedMaps"]) == (3, [])
    alias = (await nadeo.get(token, "/api/token/map/map-review/totd/submitted-map")).json()
    assert alias["itemCount"] == 3
    other = (await nadeo.get((await nadeo.tokens(theirs))["accessToken"], path)).json()
    assert other["itemCount"] == 1 and other["submittedMaps"][0]["map"]["name"] == "Theirs 0"
    nobody = await nadeo.account("Nobody")
    empty = (await nadeo.get((await nadeo.tokens(nobody))["accessToken"], path)).json()
    assert empty == {"submittedMaps": [], "itemCount": 0}
    # The queue itself is everyone's: four totd maps wait three minutes each.
    waiting = (await nadeo.get(token, "/api/token/map-review/totd/waiting-time")).json()
    assert waiting == {"seconds": 4 * 180}
    nobody_token = (await nadeo.tokens(nobody))["accessToken"]
    connect = (await nadeo.get(nobody_token, "/api/token/map-review/totd/connect")).json()
    assert connect["noMap"] is False


async def test_head_answers_wherever_get_does(nadeo: Nadeo) -> None:
    author, token, uid = await setup(nadeo)
    await nadeo.record(author, uid, 44_000)
    await nadeo.map("Queued", author, review="totd")
    auth = {"Authorization": f"nadeo_v1 t={token}"}
    paths = [
        f"/api/token/map/{uid}",
        f"/api/token/leaderboard/group/Personal_Best/map/{uid}/top?onlyWorld=true",
        "/api/token/map-review/totd/submitted-map",
        "/api/token/map/map-review/totd/submitted-map",
        "/api/token/map-review/nope/connect",  # a plain-text 403
        "/api/token/map/nope",  # a 404
    ]
    async with httpx.AsyncClient(base_url=nadeo.live, timeout=PATIENT) as http:
        for path in paths:
            got, head = await http.get(path, headers=auth), await http.head(path, headers=auth)
            assert (head.status_code, head.content) == (got.status_code, b""), path
            assert head.headers["content-length"] == str(len(got.content)), path
            assert head.headers["content-type"] == got.headers["content-type"], path
        refused = await http.head("/api/token/map/nope")
        assert (refused.status_code, refused.content) == (401, b"")
        assert (await http.head(f"{nadeo.core}/v2/authentication/token/basic")).headers[
            "allow"
        ] == "POST"
