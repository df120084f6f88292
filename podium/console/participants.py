"""A competition's participants: the list, a walk-up entry, edits and withdrawals, and
a CSV import that shows every problem before anything is stored.

The import is two forms: the uploaded file comes back as a preview (the first rows
under the guessed column mapping, which can be changed, and every problem by line,
column and reason); the file travels back with the chosen mapping in the second form,
so no upload is kept between requests on any worker. A walk-up entry is a one-line
import, so it follows exactly the same rules.
"""

from __future__ import annotations

import base64
import csv
import io
from typing import Any

from fastapi import APIRouter, Request
from sqlalchemy import select
from starlette.datastructures import FormData, UploadFile
from starlette.responses import Response

from podium.console import access
from podium.console.competitions import in_competition
from podium.console.render import Ended, page, see_other
from podium.core import limits, participant_import, resources
from podium.core.entries import ENTRIES, EntryUpdate
from podium.core.errors import DomainError
from podium.store.tables import Competition, Entry, Person

router = APIRouter()

MAX_UPLOAD = 4 * 1024 * 1024
STATUSES = ("registered", "confirmed", "withdrawn", "disqualified")
WALK_UP = ("first_name", "last_name", "gender", "birth_date", "bib", "chip", "club", "category")
PAGE = 200


async def _entries(
    request: Request, competition: Competition, q: str
) -> list[tuple[Entry, Person | None]]:
    query = (
        select(Entry, Person)
        .outerjoin(Person, Person.id == Entry.person_id)
        .where(Entry.competition_id == competition.id)
        .order_by(Entry.id)
        .limit(PAGE)
    )
    if q.strip():
        wanted = q.strip()
        query = query.where(
            Person.name.icontains(wanted, autoescape=True)
            | (Entry.bib == wanted)
            | (Entry.registration_id == wanted)
        )
    async with access.database(request).read() as session:
        return [(entry, person) for entry, person in await session.execute(query)]


async def _page(
    request: Request,
    here: access.InOrg,
    competition: Competition,
    status: int = 200,
    **extra: Any,
) -> Response:
    q = request.query_params.get("q", "")
    context = {
        "title": f"Participants of {competition.name}",
        "here": here,
        "tab": "competitions",
        "competition": competition,
        "entries": await _entries(request, competition, q),
        "q": q,
        "page_size": PAGE,
        "statuses": STATUSES,
        "targets": participant_import.TARGETS,
        **extra,
    }
    return page(request, "participants.html", context, here.active, status)


@router.get("/competitions/{competition_id}/participants")
async def listing(request: Request, competition_id: access.ObjectId) -> Response:
    here, competition = await in_competition(request, competition_id)
    return await _page(request, here, competition)


def _mapping(data: FormData) -> dict[int, str]:
    """The preview form's column choices: ``map-<column index>`` -> field."""
    found = {}
    for key in data:
        number = key.removeprefix("map-")
        if key.startswith("map-") and limits.digits(number) and len(number) < 6:
            found[int(number)] = access.text(data, key) or "ignore"
    return found


async def _file_of(data: FormData) -> bytes:
    """The CSV: a fresh upload, or the one carried back by the preview form."""
    upload = data.get("file")
    if isinstance(upload, UploadFile):
        try:
            raw = await upload.read(MAX_UPLOAD + 1)
        finally:
            await upload.close()
        if len(raw) > MAX_UPLOAD:
            raise Ended(413, f"The file is larger than {MAX_UPLOAD // (1024 * 1024)} MB.")
        return raw
    carried = access.text(data, "carried")
    try:
        return base64.b64decode(carried.encode(), validate=True)
    except ValueError:
        raise Ended(400, "The file could not be read back: upload it again.") from None


@router.post("/competitions/{competition_id}/participants/preview")
async def preview(request: Request, competition_id: access.ObjectId) -> Response:
    here, competition = await in_competition(request, competition_id, "setup")
    data = await access.form(request, here.active, MAX_UPLOAD * 2)
    raw = await _file_of(data)
    if not raw.strip():
        return await _page(request, here, competition, 400, error="Choose a CSV file first.")
    mapping = _mapping(data) or None
    try:
        async with access.database(request).read() as session:
            shown = await participant_import.preview(
                session, here.principal, competition.id, raw, mapping
            )
    except DomainError as exc:
        return await _page(request, here, competition, 400, error=exc.message)
    carried = base64.b64encode(raw).decode()
    return await _page(request, here, competition, preview=shown, carried=carried)


@router.post("/competitions/{competition_id}/participants/import")
async def commit(request: Request, competition_id: access.ObjectId) -> Response:
    here, competition = await in_competition(request, competition_id, "setup")
    data = await access.form(request, here.active, MAX_UPLOAD * 2)
    raw = await _file_of(data)
    mapping = _mapping(data)
    try:
        async with access.database(request).write() as session:
            report = await participant_import.commit(
                session, here.principal, competition.id, raw, mapping
            )
    except participant_import.ImportRejected:
        # Shown again as a preview: the problems, the mapping, nothing stored.
        async with access.database(request).read() as session:
            shown = await participant_import.preview(
                session, here.principal, competition.id, raw, mapping
            )
        carried = base64.b64encode(raw).decode()
        return await _page(request, here, competition, 400, preview=shown, carried=carried)
    except DomainError as exc:
        return await _page(request, here, competition, 400, error=exc.message)
    download = base64.b64encode(report.to_csv().encode()).decode()
    return await _page(request, here, competition, report=report, download=download)


@router.post("/competitions/{competition_id}/participants/add")
async def walk_up(request: Request, competition_id: access.ObjectId) -> Response:
    """One participant at the desk, through the import's own checks and numbering."""
    here, competition = await in_competition(request, competition_id, "setup")
    data = await access.form(request, here.active)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(WALK_UP)
    writer.writerow([access.text(data, name).strip() for name in WALK_UP])
    mapping = dict(enumerate(WALK_UP))
    try:
        async with access.database(request).write() as session:
            report = await participant_import.commit(
                session, here.principal, competition.id, buffer.getvalue(), mapping
            )
    except participant_import.ImportRejected as exc:
        reasons = "; ".join(f"{p.column}: {p.reason}" for p in exc.problems)
        values = {name: access.text(data, name) for name in WALK_UP}
        return await _page(request, here, competition, 400, error=reasons, walk_up=values)
    except DomainError as exc:
        return await _page(request, here, competition, 400, error=exc.message)
    added = report.rows[0]
    return see_other(f"/console/competitions/{competition.id}/participants?added={added.entry_id}")


@router.post("/entries/{entry_id}")
async def edit(request: Request, entry_id: access.ObjectId) -> Response:
    """Change an entry's bib, chip or status (withdrawn keeps the entry, marked)."""
    await access.visitor(request)
    async with access.database(request).read() as session:
        entry = await session.get(Entry, entry_id)
    if entry is None:
        raise Ended(404, f"No entry {entry_id} in your organizations.")
    here, competition = await in_competition(request, entry.competition_id, "setup")
    data = await access.form(request, here.active)
    changes: dict[str, Any] = {}
    for field in ("bib", "chip"):
        if field in data:
            changes[field] = access.text(data, field).strip() or None
    if access.text(data, "status"):
        changes["status"] = access.text(data, "status")
    try:
        async with access.database(request).write() as session:
            command = EntryUpdate(**changes)
            await resources.update(session, here.principal, ENTRIES, entry.id, command)
    except DomainError as exc:
        return await _page(request, here, competition, exc.status, error=exc.message)
    return see_other(f"/console/competitions/{competition.id}/participants?edited={entry.id}")
