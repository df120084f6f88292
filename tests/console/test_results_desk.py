"""The results desk in the console: manual entry, corrections in place, statuses with
reasons, protests, delete and undo, official results, and the audit trail."""

from __future__ import annotations

import csv
import io
import re
from typing import Any

from sqlalchemy import select

from podium.core import competitions, entries, people, resources
from podium.core.principal import SYSTEM
from podium.store.database import Database
from podium.store.tables import Event, Result
from tests.console.conftest import Org, add_user, csrf_of


async def race(database: Database, org: Org, runners: int = 2) -> int:
    async with database.write() as session:
        comp = await resources.create(
            session,
            SYSTEM,
            competitions.COMPETITIONS,
            competitions.CompetitionCreate(organization_id=org.id, name="Harbor 10K"),
        )
        for number in range(1, runners + 1):
            person = await resources.create(
                session,
                SYSTEM,
                people.PEOPLE,
                people.PersonCreate(name=f"Runner {number}", organization_id=org.id),
            )
            await resources.create(
                session,
                SYSTEM,
                entries.ENTRIES,
                entries.EntryCreate(person_id=person.id, bib=str(100 + number)),
                competition_id=comp.id,
            )
    return comp.id


async def results_of(database: Database, competition_id: int) -> list[Result]:
    async with database.read() as session:
        found = await session.scalars(
            select(Result).where(Result.competition_id == competition_id).order_by(Result.id)
        )
        return list(found.all())


async def events_of(database: Database, result_id: int) -> list[Event]:
    async with database.read() as session:
        found = await session.scalars(
            select(Event)
            .where(Event.object_kind == "result", Event.object_id == result_id)
            .order_by(Event.seq)
        )
        return list(found.all())


async def timer(browsers: Any, database: Database, org: Org) -> Any:
    await add_user(database, org.id, "timer@example.org", "timer")
    desk = browsers()
    await desk.login("timer@example.org")
    return desk


async def test_enter_correct_and_audit_one_result(
    browsers: Any, database: Database, org: Org
) -> None:
    comp = await race(database, org)
    desk = await timer(browsers, database, org)
    path = f"/console/competitions/{comp}/results"
    stored = await desk.submit(path, f"{path}/new", bib="101", time="18:12.4", status="OK")
    assert stored.status_code == 303, stored.text
    (result,) = await results_of(database, comp)
    assert (result.elapsed_ms, result.source) == (1_092_400, "user")

    page = f"/console/results/{result.id}"
    fixed = await desk.submit(page, f"{page}/correct", time="18:22.4", reason="chip misread")
    assert fixed.status_code == 303, fixed.text
    (again,) = await results_of(database, comp)
    assert again.id == result.id and again.elapsed_ms == 1_102_400
    assert again.attributes == {"entered_at_desk": True}
    created, updated = await events_of(database, result.id)
    assert created.actor == updated.actor == "user:timer@example.org"
    assert updated.before is not None and updated.payload is not None
    assert (updated.before["elapsed_ms"], updated.payload["elapsed_ms"]) == (1_092_400, 1_102_400)
    assert updated.reason == "chip misread"

    shown = await desk.http.get(page)
    assert "chip misread" in shown.text and "18:22.400" in shown.text
    listing = await desk.http.get(path, params={"q": "101"})
    assert f"/console/results/{result.id}" in listing.text
    assert "No results match" in (await desk.http.get(path, params={"q": "999"})).text

    exported = await desk.http.get(f"/console/competitions/{comp}/audit.csv")
    rows = list(csv.DictReader(io.StringIO(exported.text)))
    assert ["elapsed_ms", "1092400", "1102400", "chip misread"] in [
        [r["field"], r["before"], r["after"], r["reason"]] for r in rows
    ]


async def test_disqualify_shows_the_reason_publicly_and_undo_restores(
    browsers: Any, client: Any, database: Database, org: Org
) -> None:
    comp = await race(database, org)
    desk = await timer(browsers, database, org)
    path = f"/console/competitions/{comp}/results"
    await desk.submit(path, f"{path}/new", bib="101", time="40:00", status="OK")
    await desk.submit(path, f"{path}/new", bib="102", time="41:00", status="OK")
    first = (await results_of(database, comp))[0]
    page = f"/console/results/{first.id}"

    refused = await desk.submit(page, f"{page}/status", status="DQ")
    assert refused.status_code == 400 and "Say why" in refused.text
    done = await desk.submit(
        page, f"{page}/status", status="DQ", status_reason_pick="Course cut", status_reason="km 3"
    )
    assert done.status_code == 303, done.text
    public = await client.get(f"/competitions/{comp}")
    assert "Disqualified" in public.text and "Course cut — km 3" in public.text
    assert "Provisional" in public.text

    shown = await desk.http.get(page)
    (undo,) = re.findall(r'action="(/console/changes/\d+/undo)"', shown.text)
    back = await desk.http.post(undo, data={"csrf": csrf_of(shown), "back": "result"})
    assert back.status_code == 303
    restored = (await results_of(database, comp))[0]
    assert (restored.status, restored.status_reason) == ("OK", None)
    assert "Course cut" not in (await client.get(f"/competitions/{comp}")).text


async def test_protest_delete_undo_and_official(
    browsers: Any, client: Any, database: Database, org: Org
) -> None:
    comp = await race(database, org)
    desk = await timer(browsers, database, org)
    path = f"/console/competitions/{comp}/results"
    await desk.submit(path, f"{path}/new", bib="102", time="41:00", status="OK")
    (result,) = await results_of(database, comp)
    page = f"/console/results/{result.id}"
    await desk.submit(page, f"{page}/review", note="Blocked at the turn")
    assert "Provisional: under review" in (await client.get(f"/competitions/{comp}")).text
    await desk.submit(page, f"{page}/resolve")
    assert "under review" not in (await client.get(f"/competitions/{comp}")).text

    gone = await desk.submit(page, f"{page}/delete", reason="double read")
    assert gone.status_code == 303 and await results_of(database, comp) == []
    audit = await desk.http.get(f"/console/competitions/{comp}/audit")
    assert "double read" in audit.text
    undo = re.findall(r'action="(/console/changes/\d+/undo)"', audit.text)
    assert len(undo) == 1  # only the latest change of a result can be undone
    await desk.http.post(undo[0], data={"csrf": csrf_of(audit), "back": "audit"})
    (back,) = await results_of(database, comp)
    assert back.id == result.id and back.elapsed_ms == 2_460_000

    published = await desk.submit(path, f"/console/competitions/{comp}/official", official="yes")
    assert published.status_code == 303, (published.request.url, published.status_code)
    assert "Official" in (await client.get(f"/competitions/{comp}")).text


async def test_bad_desk_input_is_a_message_and_changes_nothing(
    browsers: Any, database: Database, org: Org
) -> None:
    comp = await race(database, org)
    desk = await timer(browsers, database, org)
    path = f"/console/competitions/{comp}/results"
    unknown = await desk.submit(path, f"{path}/new", bib="999", time="1:00")
    assert unknown.status_code == 400 and "No participant with bib" in unknown.text
    bad = await desk.submit(path, f"{path}/new", bib="101", time="soon")
    assert bad.status_code == 400 and "is not a time" in bad.text
    assert await results_of(database, comp) == []
    await desk.submit(path, f"{path}/new", bib="101", time="1:00")
    (result,) = await results_of(database, comp)
    page = f"/console/results/{result.id}"
    nothing = await desk.submit(page, f"{page}/correct", time="2:00", reason="")
    assert nothing.status_code == 400 and "Say why" in nothing.text
    laps = await desk.submit(page, f"{page}/correct", laps="many", reason="x")
    assert laps.status_code == 400 and "Laps must be a number" in laps.text
    assert (await results_of(database, comp))[0].elapsed_ms == 60_000
    assert (await desk.http.post(f"/console/results/{result.id}/explode")).status_code == 404


async def test_a_viewer_reads_the_desk_but_cannot_correct(
    browsers: Any, database: Database, org: Org
) -> None:
    comp = await race(database, org)
    desk = await timer(browsers, database, org)
    path = f"/console/competitions/{comp}/results"
    await desk.submit(path, f"{path}/new", bib="101", time="1:00")
    (result,) = await results_of(database, comp)
    await add_user(database, org.id, "viewer@example.org", "viewer")
    viewer = browsers()
    await viewer.login("viewer@example.org")
    page = f"/console/results/{result.id}"
    shown = await viewer.http.get(page)
    assert shown.status_code == 200 and "Save the correction" not in shown.text
    refused = await viewer.http.post(
        f"{page}/correct", data={"csrf": csrf_of(shown), "time": "2:00", "reason": "x"}
    )
    assert refused.status_code == 403 and "record results" in refused.text
    assert (await results_of(database, comp))[0].elapsed_ms == 60_000
