"""Players read what anonymous readers may (``core.public_competition``), plus their
own club's content: a hidden campaign or Track of the Day is left out of every list,
and its group answers exactly as a group that does not exist."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import httpx

from podium.dialects.nadeo import content
from podium.store.database import Database
from podium.store.tables import Competition
from tests.conftest import PATIENT
from tests.dialects.nadeo.conftest import Nadeo


async def _hide(database: Database, competition_id: int, public: bool = False) -> None:
    async with database.write() as session:
        row = await session.get(Competition, competition_id)
        assert row is not None
        row.public = public


def _group_paths(group: str, uid: str, club: int) -> list[str]:
    base = f"/api/token/leaderboard/group/{group}"
    return [
        f"{base}/map/{uid}/top",
        f"{base}/map/{uid}/top?onlyWorld=true&length=10",
        f"{base}/map/{uid}/surround/1/1?score=40000",
        f"{base}/map/{uid}/medals",
        f"{base}/map/{uid}/club/{club}/top",
        f"{base}/top",
        base,
    ]


async def _get(nadeo: Nadeo, token: str, path: str) -> httpx.Response:
    async with httpx.AsyncClient(timeout=PATIENT) as http:
        return await http.get(
            f"{nadeo.live}{path}", headers={"Authorization": f"nadeo_v1 t={token}"}
        )


async def test_hidden_official_campaigns_and_days(nadeo: Nadeo, database: Database) -> None:
    author = await nadeo.account("Author")
    token = (await nadeo.tokens(author))["accessToken"]
    club = await nadeo.club("Any Club")
    uid = await nadeo.map("A01", author)
    await nadeo.record(author, uid, 41_000)
    now = datetime.now(UTC)
    shown = await nadeo.campaign("Shown", "seasonal", [uid], starts=now - timedelta(days=9))
    hidden = await nadeo.campaign(
        "Hidden", "seasonal", [uid], starts=now - timedelta(days=1), public=False
    )
    await nadeo.campaign(
        "Hidden future", "seasonal", [uid], starts=now + timedelta(days=5), public=False
    )
    listed = (await _get(nadeo, token, "/api/campaign/official?length=10")).json()
    assert [c["name"] for c in listed["campaignList"]] == ["Shown"]
    assert listed["itemCount"] == 1 and listed["nextRequestTimestamp"] == -1
    by_map = (await _get(nadeo, token, f"/api/campaign/map/{uid}")).json()
    assert by_map["season"] == "Shown"
    # Every leaderboard of the hidden group answers as for a group that does not exist.
    unknown = str(uuid.uuid4())
    for hidden_path, unknown_path in zip(
        _group_paths(hidden["season_uid"], uid, club),
        _group_paths(unknown, uid, club),
        strict=True,
    ):
        seen = await _get(nadeo, token, hidden_path)
        none = await _get(nadeo, token, unknown_path)
        assert (seen.status_code, seen.json()) == (none.status_code, none.json()), hidden_path
    positions_body = {"maps": [{"mapUid": uid, "groupUid": hidden["season_uid"]}]}
    async with httpx.AsyncClient(timeout=PATIENT) as http:
        positions = await http.post(
            f"{nadeo.live}/api/token/leaderboard/group/map",
            headers={"Authorization": f"nadeo_v1 t={token}"},
            json=positions_body,
        )
    assert positions.json() == []
    # The public group reads; made public, the hidden one reads at once too.
    top = f"/api/token/leaderboard/group/{shown['season_uid']}/map/{uid}/top"
    assert (await _get(nadeo, token, top)).json()["groupUid"] == shown["season_uid"]
    await _hide(database, hidden["campaign_id"], public=True)
    path = f"/api/token/leaderboard/group/{hidden['season_uid']}/map/{uid}/top"
    assert (await _get(nadeo, token, path)).json()["groupUid"] == hidden["season_uid"]
    # ... and hidden again, at once, though the lookup is remembered for a while.
    await _hide(database, hidden["campaign_id"])
    assert (await _get(nadeo, token, path)).json() == {}
    # A hidden Track of the Day is not among the month's days.
    day = await nadeo.totd(now - timedelta(days=2), uid)
    months = "/api/token/campaign/month?length=3"
    assert any(m["days"] for m in (await _get(nadeo, token, months)).json()["monthList"])
    await _hide(database, day["campaign_id"])
    assert not any(m["days"] for m in (await _get(nadeo, token, months)).json()["monthList"])


async def test_hidden_club_content_reads_for_members_only(nadeo: Nadeo, database: Database) -> None:
    club = await nadeo.club("Speed Club")
    member = await nadeo.account("Member", club=club)
    outsider = await nadeo.account("Outsider")
    uid = await nadeo.map("C01", member, club=club)
    private = await nadeo.campaign("Members Only", "club", [uid], club=club, public=False)
    await nadeo.record(member, uid, 40_000)  # counts on the campaign running now
    member_token = (await nadeo.tokens(member))["accessToken"]
    outsider_token = (await nadeo.tokens(outsider))["accessToken"]
    path = f"/api/token/leaderboard/group/{private['season_uid']}/map/{uid}/top?onlyWorld=true"
    read = (await _get(nadeo, member_token, path)).json()
    assert [e["accountId"] for e in read["tops"][0]["top"]] == [member.account_id]
    assert (await _get(nadeo, outsider_token, path)).json() == {}
    # The club's all-time board follows the same rule.
    async with database.read() as session:
        board = await content.find_pb(session, club)
    assert board is not None
    await _hide(database, board.id)
    pb = f"/api/token/leaderboard/group/Personal_Best/map/{uid}/top"
    assert (await _get(nadeo, outsider_token, pb)).json() == {}
    assert (await _get(nadeo, member_token, pb)).json()["mapUid"] == uid
