"""The printable awards list on both backends: ranks agree with the board, bad input never 500s."""

from __future__ import annotations

import re

import httpx
import pytest

from podium.store.database import Database
from tests.web.test_pages import loaded

ROW = re.compile(
    r'<tr><td class="num">(\d+)</td><th scope="row">(?:<a [^>]*>)?([^<]+)(?:</a>)?</th>'
    r'<td class="num time">([^<]*)</td></tr>'
)


def sections(html: str) -> dict[str, list[tuple[int, str, str]]]:
    """Each list's title -> its (place, name, result) rows, in page order."""
    out: dict[str, list[tuple[int, str, str]]] = {}
    for chunk in html.split('<section class="card awards"')[1:]:
        title = re.search(r"<h2 [^>]*>([^<]+)</h2>", chunk)
        assert title is not None
        out[title.group(1)] = [(int(p), n, r) for p, n, r in ROW.findall(chunk)]
    return out


async def test_top_n_agrees_with_the_leaderboard(
    client: httpx.AsyncClient, database: Database
) -> None:
    ten_k = (await loaded(database))["10K"]
    board = (await client.get(f"/competitions/{ten_k}/standings.json")).json()["rows"]
    for top in (3, 5):
        page = await client.get(f"/competitions/{ten_k}/awards", params={"top": top})
        assert page.status_code == 200 and "Print" in page.text and "window.print()" in page.text
        assert "use your browser's Print command" in page.text  # the no-JS fallback
        assert 'href="/static/print.css" media="print"' in page.text
        assert "Provisional results" in page.text or "Official results" in page.text
        lists = sections(page.text)
        overall = lists["Overall"]
        assert [(p, r) for p, _, r in overall] == [(r["rank"], r["display"]) for r in board[:top]]
        # The demo's runners have genders: a list each, ranked among themselves.
        assert {"Women", "Men"} <= set(lists)
        for title in ("Women", "Men"):
            places = [p for p, _, _ in lists[title]]
            assert places == list(range(1, top + 1))
            results = [r for _, _, r in lists[title]]
            assert results == sorted(results)  # lowest time first, like the board
    default = sections((await client.get(f"/competitions/{ten_k}/awards")).text)
    assert len(default["Overall"]) == 3
    competition = (await client.get(f"/competitions/{ten_k}")).text
    assert f'href="/competitions/{ten_k}/awards"' in competition
    assert f'href="/competitions/{ten_k}?view=projector"' in competition


@pytest.mark.parametrize(("raw", "shown"), [("0", 1), ("-4", 1), ("51", 11), ("999999", 11)])
async def test_top_out_of_range_is_clamped(
    client: httpx.AsyncClient, database: Database, raw: str, shown: int
) -> None:
    ten_k = (await loaded(database))["10K"]
    page = await client.get(f"/competitions/{ten_k}/awards", params={"top": raw})
    assert page.status_code == 200
    assert len(sections(page.text)["Overall"]) == shown  # 11 ranked: 50 shows them all


@pytest.mark.parametrize("raw", ["three", "1.5", "9" * 30, "٣"])
async def test_top_that_is_not_a_number_is_a_400_page(
    client: httpx.AsyncClient, database: Database, raw: str
) -> None:
    ten_k = (await loaded(database))["10K"]
    page = await client.get(f"/competitions/{ten_k}/awards", params={"top": raw})
    assert page.status_code == 400 and page.headers["content-type"].startswith("text/html")
    assert "top must be a whole number from 1 to 50" in page.text


async def test_contest_awards_and_unknown_competitions(
    client: httpx.AsyncClient, database: Database
) -> None:
    found = await loaded(database)
    contest = await client.get(f"/competitions/{found['Spring Programming Cup']}/awards")
    assert contest.status_code == 200
    assert [p for p, _, _ in sections(contest.text)["Overall"]][:1] == [1]
    for path in ("/competitions/999999/awards", "/competitions/abc/awards"):
        response = await client.get(path)
        assert response.status_code == 404 and "<h1>Not found</h1>" in response.text
