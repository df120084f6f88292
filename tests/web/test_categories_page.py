"""The leaderboard page per category (?group=): the category's board, places 1..n."""

from __future__ import annotations

import re

import httpx

from podium.store.database import Database
from tests.web.test_pages import loaded

ROW = re.compile(
    r'<td class="num">(\d+)</td>\s*<td class="num bib-col">\d*</td>\s*'
    r'<th scope="row"><a [^>]*>([^<]+)</a>'
)
WOMEN = {"Maria Lopez", "Sofia Rossi", "Nora Berg", "Ines Duarte", "Yuki Sato", "Ella Novak"}


async def test_a_category_page_ranks_its_members_only(
    client: httpx.AsyncClient, database: Database
) -> None:
    ten_k = (await loaded(database))["10K"]
    whole = await client.get(f"/competitions/{ten_k}")
    assert '<select id="board-group" name="group">' in whole.text
    assert '<option value="gender:F">Women</option>' in whole.text
    assert '<optgroup label="Age group">' in whole.text
    overall = [name for _rank, name in ROW.findall(whole.text)]
    page = await client.get(f"/competitions/{ten_k}", params={"group": "gender:F"})
    assert page.status_code == 200
    assert "Leaderboard of 10K, Women: 6 ranked" in page.text
    assert '<option value="gender:F" selected>Women</option>' in page.text
    rows = ROW.findall(page.text)
    assert [int(rank) for rank, _ in rows] == list(range(1, 7))  # the demo's times differ
    # Women, in the order the whole field has them.
    assert [name for _, name in rows] == [name for name in overall if name in WOMEN]
    assert "Did not finish" not in page.text  # the unranked list is the whole field's
    # Runner-style columns: the bib, and the age group on the race day.
    assert '<td class="num bib-col">101</td>' in page.text  # Maria Lopez
    assert '<td class="category-col">F 35-39</td>' in page.text  # born 1988-03-14
    assert 'leaderboard.html?group=gender%3AF"' in page.text  # the live region keeps it
    fragment = await client.get(f"/competitions/{ten_k}/leaderboard.html?group=gender%3AF")
    assert fragment.status_code == 200 and ROW.findall(fragment.text) == rows


async def test_bad_categories_are_a_404_page(client: httpx.AsyncClient, database: Database) -> None:
    found = await loaded(database)
    ten_k = found["10K"]
    for group in ("F", "nope:F", "age:F", "x" * 401):
        page = await client.get(f"/competitions/{ten_k}", params={"group": group})
        assert page.status_code == 404 and "text/html" in page.headers["content-type"]
    empty = await client.get(f"/competitions/{ten_k}", params={"group": "division:Nobody"})
    assert empty.status_code == 200 and "No results yet." in empty.text
    contest = await client.get(f"/competitions/{found['Spring Programming Cup']}?group=gender:F")
    assert contest.status_code == 404
