"""The Mooshak 2 REST API, mounted at ``/mooshak/api`` like a default Mooshak install.

Paths work with and without a trailing slash; a POST with ``X-HTTP-Method-Override``
acts as the method it names; every response carries Mooshak's CORS headers; every
error is ``{status, title, message, path}``. Submissions are stored with a judge job
and answered at once as "Evaluating"; the queue judges them (``judging``).
"""

from __future__ import annotations

import asyncio
import base64
import logging
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any

import orjson
from fastapi import APIRouter, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import PlainTextResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

import podium.judge as judge
from podium.api.limits import BodyLimit
from podium.config import Settings
from podium.core import freeze, limits, resources
from podium.core.challenges import CHALLENGES
from podium.core.competitions import COMPETITIONS, public_competition
from podium.core.errors import DomainError
from podium.core.results import ResultCreate, create_many
from podium.dialects.mooshak2 import access, admin, storage, tokens, views
from podium.dialects.mooshak2.access import Caller, Failure, forbidden, require
from podium.dialects.mooshak2.judging import JudgeQueue
from podium.dialects.mooshak2.rankings import mooshak_rows
from podium.dialects.mooshak2.wire import WELCOME_BODY, Role, Verdict, error_body
from podium.ranking.contest import load_contest
from podium.store.database import Database
from podium.store.tables import Challenge, Competition, Entry, JudgeJob, Result
from podium.store.types import utcnow

log = logging.getLogger("podium.mooshak")

CORS = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Allow-Headers": "origin, content-type, accept, authorization, "
    "x-http-method-override",
    "Access-Control-Allow-Credentials": "true",
    "Access-Control-Allow-Methods": "GET, POST, PUT, DELETE, PATCH, OPTIONS, HEAD",
    "Access-Control-Max-Age": "1209600",
}
OVERRIDES = (b"x-http-method-override", b"x-http-method", b"x-method-override")
STAFF = (Role.ADMIN, Role.JUDGE)


def _json(body: Any, status: int = 200) -> Response:
    return Response(orjson.dumps(body), status_code=status, media_type="application/json")


@dataclass
class Services:
    settings: Settings
    database: Database
    queue: JudgeQueue
    key: bytes


def services(request: Request) -> Services:
    found: Services = request.app.state.mooshak
    return found


class Conventions:
    """ASGI middleware: optional trailing slash, method override, CORS on every answer."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        scope = dict(scope)
        path: str = scope["path"]
        root: str = scope.get("root_path", "")
        inner = path[len(root) :] if path.startswith(root) else path
        if len(inner) > 1 and inner.endswith("/"):
            scope["path"] = path.rstrip("/")
        if scope["method"] == "POST":
            headers = dict(scope["headers"])
            for name in OVERRIDES:
                wanted = headers.get(name, b"").decode("latin-1").upper()
                if wanted in ("PUT", "PATCH", "DELETE"):
                    scope["method"] = wanted
                    break
        if scope["method"] == "OPTIONS":
            response = Response(status_code=200, headers=CORS)
            await response(scope, receive, send)
            return

        async def send_with_cors(message: Message) -> None:
            if message["type"] == "http.response.start":
                extra = [(k.lower().encode(), v.encode()) for k, v in CORS.items()]
                message = {**message, "headers": [*message.get("headers", []), *extra]}
            await send(message)

        await self.app(scope, receive, send_with_cors)


def _install_errors(app: FastAPI) -> None:
    def body(request: Request, status: int, message: str) -> Response:
        title = HTTPStatus(status).phrase if status in HTTPStatus._value2member_map_ else "Error"
        return _json(error_body(status, title, message, request.url.path), status)

    async def failure(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, Failure)
        return body(request, exc.status, exc.message)

    async def domain(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, DomainError)
        status = 403 if exc.status == 401 else exc.status
        return body(request, status, exc.message)

    async def http(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, StarletteHTTPException)
        message = {
            404: "The resource you asked for does not exist.",
            405: "This method is not allowed here.",
        }.get(exc.status_code, str(exc.detail))
        return body(request, exc.status_code, message)

    async def invalid(request: Request, _exc: Exception) -> Response:
        return body(request, 422, "The entity passed as input is invalid.")

    async def crash(request: Request, exc: Exception) -> Response:
        log.exception("mooshak request failed", exc_info=exc)
        return body(request, 500, "Mooshak was unable to complete your request.")

    app.add_exception_handler(Failure, failure)
    app.add_exception_handler(DomainError, domain)
    app.add_exception_handler(StarletteHTTPException, http)
    app.add_exception_handler(RequestValidationError, invalid)
    app.add_exception_handler(Exception, crash)


async def _body(request: Request) -> dict[str, Any]:
    raw = await request.body()
    if not raw.strip():
        return {}
    try:
        found = limits.loads(raw)
    except limits.PayloadError as exc:
        if exc.malformed:
            raise Failure(400, "Something was wrong with your request.") from None
        raise Failure(422, f"The entity passed as input is invalid: {exc.message}") from None
    if not isinstance(found, dict):
        raise Failure(422, "The entity passed as input is invalid.")
    return found


async def who(request: Request, session: AsyncSession) -> Caller | None:
    token = access.bearer(request.headers.get("authorization"))
    if token is None:
        return None
    return await access.caller(session, token, services(request).key)


async def _contest(
    session: AsyncSession, contest_id: str, caller: Caller | None = None
) -> Competition:
    contest = await storage.find_contest(session, contest_id)
    if contest is None:
        raise Failure(404, f"The contest {contest_id} does not exist.")
    if caller is not None:
        await access.in_domain(session, caller, contest)
    return contest


async def _problem(session: AsyncSession, contest: Competition, problem_id: str) -> Challenge:
    found = await storage.find_problem(session, contest, problem_id)
    if found is None:
        raise Failure(404, f"The problem {problem_id} does not exist.")
    return found


# ---- root and authentication --------------------------------------------------------

router = APIRouter()


@router.get("/")
async def welcome() -> Response:
    return _json(WELCOME_BODY)


@router.post("/auth/login")
async def login(request: Request) -> Response:
    svc = services(request)
    body = await _body(request)
    async with svc.database.read() as session:
        credential, contest = await access.login(session, body)
    token = tokens.issue(
        key=svc.key,
        subject=str(credential.attributes.get("username")),
        credential_id=credential.id,
        role=str(credential.attributes.get("role", "TEAM")),
        contest=contest,
        issuer=str(request.url),
        minutes=svc.settings.mooshak_token_minutes,
    )
    return _json({"token": token})


@router.post("/auth/refresh")
async def refresh(request: Request) -> Response:
    svc = services(request)
    async with svc.database.read() as session:
        require(await who(request, session))
    token = access.bearer(request.headers.get("authorization")) or ""
    claims = tokens.parse(token, svc.key)
    try:
        fresh = tokens.refreshed(claims, svc.key, svc.settings.mooshak_token_minutes)
    except tokens.TokenError as exc:
        raise forbidden(str(exc)) from None
    return _json({"token": fresh})


@router.get("/data")
async def data(request: Request) -> Response:
    async with services(request).database.read() as session:
        caller = require(await who(request, session))
    return _json({"result": {"type": "string", "value": caller.username}})


# ---- contests -----------------------------------------------------------------------


@router.get("/data/contests")
async def list_contests(request: Request) -> Response:
    """Every contest to an instance admin; to anyone else the contests anonymous readers
    may see (``core.public_competition``, the rule of every dialect, the feed and the
    pages), plus the one a contest session is bound to. The list needs no login, so a
    token that no longer verifies reads it as anonymous readers do."""
    async with services(request).database.read() as session:
        try:
            caller = await who(request, session)
        except Failure:
            caller = None
        rows = await storage.list_contests(session)
        if caller is None or caller.contest is not None or caller.role is not Role.ADMIN:
            bound = (
                await storage.find_contest(session, caller.contest)
                if caller is not None and caller.contest is not None
                else None
            )
            rows = [
                row
                for row in rows
                if (bound is not None and row.id == bound.id)
                or await public_competition(session, row.id) is not None
            ]
        keys = await storage.contest_keys(session, rows)
    return _json([views.contest(row, keys[row.id], full=False) for row in rows])


def _contest_fields(body: dict[str, Any]) -> dict[str, Any]:
    """Keyword arguments for admin.create/update_contest from a ContestModel body."""
    try:
        start = storage.parse_epoch(body.get("start"))
        stop = storage.parse_epoch(body.get("stop"))
    except (ValueError, OverflowError, OSError):
        raise Failure(422, "The contest dates must be epoch seconds.") from None
    status = body.get("contestStatus") or body.get("status")
    if status is not None and not isinstance(status, str):
        raise Failure(422, "The contest status must be a string.")
    designation = body.get("designation")
    if designation is not None and not isinstance(designation, str):
        raise Failure(422, "The designation must be a string.")
    extra = {k: body[k] for k in (*views.CONTEST_EXTRAS, "open", "close") if k in body}
    return {
        "designation": designation,
        "status": status.upper() if status else None,
        "start": start,
        "stop": stop,
        "extra": extra,
    }


@router.post("/data/contests")
async def create_contest(request: Request) -> Response:
    svc = services(request)
    if request.headers.get("content-type", "").startswith("multipart/"):
        raise Failure(400, "Importing Mooshak contest archives is not supported.")
    body = await _body(request)
    async with svc.database.write() as session:
        caller = require(await who(request, session), Role.ADMIN)
        contest_id = body.get("id")
        if not isinstance(contest_id, str) or not contest_id:
            raise Failure(422, "The contest id is required.")
        fields = _contest_fields(body)
        row = await admin.create_contest(
            session,
            caller.principal(),
            contest_id=contest_id,
            designation=fields["designation"] or contest_id,
            status=fields["status"] or "CREATED",
            start=fields["start"],
            stop=fields["stop"],
            organization_slug=svc.settings.mooshak_organization,
            extra=fields["extra"],
        )
        out = views.contest(row, contest_id)
    return _json(out, 201)


@router.get("/data/contests/{contest_id}")
async def get_contest(request: Request, contest_id: str) -> Response:
    async with services(request).database.read() as session:
        caller = require(await who(request, session))
        row = await _contest(session, contest_id, caller)
        return _json(views.contest(row, await storage.contest_key(session, row)))


@router.api_route("/data/contests/{contest_id}", methods=["PUT", "PATCH"])
async def update_contest(request: Request, contest_id: str) -> Response:
    body = await _body(request)
    async with services(request).database.write() as session:
        caller = require(await who(request, session), Role.ADMIN)
        row = await _contest(session, contest_id, caller)
        row = await admin.update_contest(session, caller.principal(), row, **_contest_fields(body))
        return _json(views.contest(row, await storage.contest_key(session, row)))


@router.delete("/data/contests/{contest_id}")
async def delete_contest(request: Request, contest_id: str) -> Response:
    async with services(request).database.write() as session:
        caller = require(await who(request, session), Role.ADMIN)
        row = await _contest(session, contest_id, caller)
        await resources.delete(session, caller.principal(), COMPETITIONS, row.id)
    return Response(status_code=204)


@router.get("/data/contests/{contest_id}/rankings")
async def rankings(request: Request, contest_id: str) -> Response:
    async with services(request).database.read() as session:
        caller = require(await who(request, session))
        row = await _contest(session, contest_id, caller)
        # Behind a scoreboard freeze, callers without ``judge`` (teams) see later
        # submissions as pending.
        hidden = freeze.hidden_after(row, caller.principal())
        loaded = await load_contest(session, row.id, hidden_after=hidden)
    if loaded is None:
        return _json([])
    return _json(mooshak_rows(loaded[1]))


# ---- problems -----------------------------------------------------------------------


@router.get("/data/contests/{contest_id}/problems")
async def list_problems(request: Request, contest_id: str) -> Response:
    async with services(request).database.read() as session:
        caller = require(await who(request, session))
        row = await _contest(session, contest_id, caller)
        problems = await storage.problems_of(session, row)
    return _json([views.problem(p) for p in problems])


def _problem_fields(body: dict[str, Any]) -> dict[str, Any]:
    extra: dict[str, Any] = {k: body[k] for k in views.PROBLEM_EXTRAS if k in body}
    if "timeout" in body:
        try:
            timeout = float(body["timeout"])
        except (TypeError, ValueError):
            raise Failure(422, "The timeout must be a number of seconds.") from None
        if not 0 < timeout <= 60:
            raise Failure(422, "The timeout must be between 0 and 60 seconds.")
        extra["timeout"] = timeout
    for name in ("name", "title"):
        if body.get(name) is not None and not isinstance(body[name], str):
            raise Failure(422, f"The {name} must be a string.")
    return {"label": body.get("name"), "title": body.get("title"), "extra": extra}


@router.post("/data/contests/{contest_id}/problems")
async def create_problem(request: Request, contest_id: str) -> Response:
    if request.headers.get("content-type", "").startswith("multipart/"):
        raise Failure(400, "Importing Mooshak problem archives is not supported.")
    body = await _body(request)
    async with services(request).database.write() as session:
        caller = require(await who(request, session), Role.ADMIN, Role.CREATOR)
        row = await _contest(session, contest_id, caller)
        problem_id = body.get("id")
        if not isinstance(problem_id, str) or not problem_id:
            raise Failure(422, "The problem id is required.")
        fields = _problem_fields(body)
        extra = fields["extra"]
        problem = await admin.add_problem(
            session,
            caller.principal(),
            await storage.contest_key(session, row),
            problem_id=problem_id,
            label=fields["label"] or problem_id,
            title=fields["title"] or fields["label"] or problem_id,
            timeout_seconds=extra.pop("timeout", 1.0),
            extra=extra,
        )
        return _json(views.problem(problem), 201)


@router.get("/data/contests/{contest_id}/problems/{problem_id}")
async def get_problem(request: Request, contest_id: str, problem_id: str) -> Response:
    async with services(request).database.read() as session:
        caller = require(await who(request, session))
        problem = await _problem(session, await _contest(session, contest_id, caller), problem_id)
    return _json(views.problem(problem))


@router.api_route("/data/contests/{contest_id}/problems/{problem_id}", methods=["PUT", "PATCH"])
async def update_problem(request: Request, contest_id: str, problem_id: str) -> Response:
    body = await _body(request)
    async with services(request).database.write() as session:
        caller = require(await who(request, session), Role.ADMIN, Role.CREATOR)
        problem = await _problem(session, await _contest(session, contest_id, caller), problem_id)
        problem = await admin.update_problem(
            session, caller.principal(), problem, **_problem_fields(body)
        )
        return _json(views.problem(problem))


@router.delete("/data/contests/{contest_id}/problems/{problem_id}")
async def delete_problem(request: Request, contest_id: str, problem_id: str) -> Response:
    async with services(request).database.write() as session:
        caller = require(await who(request, session), Role.ADMIN, Role.CREATOR)
        problem = await _problem(session, await _contest(session, contest_id, caller), problem_id)
        await resources.delete(session, caller.principal(), CHALLENGES, problem.id)
    return Response(status_code=204)


READERS = (Role.ADMIN, Role.CREATOR, Role.JUDGE, Role.TEAM)


async def _readable_problem(request: Request, contest_id: str, problem_id: str) -> Challenge:
    async with services(request).database.read() as session:
        caller = require(await who(request, session), *READERS)
        return await _problem(session, await _contest(session, contest_id, caller), problem_id)


@router.get("/data/contests/{contest_id}/problems/{problem_id}/view")
async def view_problem(
    request: Request, contest_id: str, problem_id: str, complete: bool = True
) -> Response:
    problem = await _readable_problem(request, contest_id, problem_id)
    return _json(views.problem_info(problem, complete=complete))


@router.get("/data/contests/{contest_id}/problems/{problem_id}/statement")
async def statement(request: Request, contest_id: str, problem_id: str) -> Response:
    problem = await _readable_problem(request, contest_id, problem_id)
    return PlainTextResponse(
        str(problem.attributes.get("statement", "")), media_type="text/html; charset=utf-8"
    )


@router.get("/data/contests/{contest_id}/problems/{problem_id}/pdf-statement")
async def pdf_statement(request: Request, contest_id: str, problem_id: str) -> Response:
    await _readable_problem(request, contest_id, problem_id)
    raise Failure(404, "No PDF found for problem")


@router.get("/data/contests/{contest_id}/problems/{problem_id}/public-tests")
async def public_tests(request: Request, contest_id: str, problem_id: str) -> Response:
    problem = await _readable_problem(request, contest_id, problem_id)
    return _json(views.public_tests(problem))


# ---- languages ----------------------------------------------------------------------


def _language(language: judge.Language) -> dict[str, Any]:
    return {
        "id": language.id,
        "name": language.name,
        "extension": language.extension,
        "compiler": language.compiler,
        "version": language.version,
        "compile": language.compile,
        "execute": language.execute,
    }


def _languages() -> list[dict[str, Any]]:
    """Off the event loop: the first call asks each compiler for its version."""
    return [_language(lang) for lang in judge.available_languages()]


@router.get("/data/contests/{contest_id}/languages")
async def languages(request: Request, contest_id: str) -> Response:
    async with services(request).database.read() as session:
        caller = require(await who(request, session), Role.ADMIN, Role.JUDGE, Role.TEAM)
        await _contest(session, contest_id, caller)
    return _json(await asyncio.to_thread(_languages))


@router.get("/data/contests/{contest_id}/languages/{language_id}")
async def language(request: Request, contest_id: str, language_id: str) -> Response:
    async with services(request).database.read() as session:
        caller = require(await who(request, session), Role.ADMIN, Role.JUDGE, Role.TEAM)
        await _contest(session, contest_id, caller)
    for lang in await asyncio.to_thread(_languages):
        if lang["id"] == language_id:
            return _json(lang)
    raise Failure(404, f"The language {language_id} does not exist.")


# ---- submissions --------------------------------------------------------------------


def _running(contest: Competition) -> None:
    """Mooshak's refusals: 400 while the contest is only ready, 500 when not running."""
    status = storage.contest_status(contest)
    if status == "READY":
        raise Failure(400, "Submissions NOT allowed, contest ready")
    now = utcnow()
    started = contest.starts_at is None or contest.starts_at <= now
    open_ = contest.ends_at is None or now < contest.ends_at
    if status not in ("RUNNING", "RUNNING_VIRTUALLY") or not (started and open_):
        raise Failure(500, "Contest not running")


async def _program(request: Request) -> tuple[str, bytes, bool]:
    limit = services(request).settings.judge_max_program_bytes
    try:
        form = await request.form(max_files=2, max_fields=20)
    except Exception:
        raise Failure(400, "Something was wrong with your request.") from None
    try:
        part = form.get("program")
        if not isinstance(part, UploadFile):
            raise Failure(400, "The program file is required.")
        source = await part.read(limit + 1)
        consider = str(form.get("consider", "true")).strip().lower() not in ("false", "no", "0")
        return (part.filename or "program"), source, consider
    finally:
        await form.close()


@router.post("/data/contests/{contest_id}/problems/{problem_id}/evaluate")
async def evaluate(request: Request, contest_id: str, problem_id: str) -> Response:
    svc = services(request)
    async with svc.database.read() as session:
        caller = require(await who(request, session), Role.TEAM)
        contest = await _contest(session, contest_id, caller)
        await _problem(session, contest, problem_id)
    filename, source, consider = await _program(request)
    filename = filename.replace("\\", "/").rsplit("/", 1)[-1][:100] or "program"
    too_big = len(source) > svc.settings.judge_max_program_bytes
    language = judge.language_for(filename)
    now = utcnow()
    async with svc.database.write() as session:
        contest = await _contest(session, contest_id, caller)
        problem = await _problem(session, contest, problem_id)
        _running(contest)
        entry = await session.scalar(
            select(Entry).where(
                Entry.competition_id == contest.id, Entry.person_id == caller.person_id
            )
        )
        if entry is None or caller.person_id is None:
            raise forbidden("Only a team of this contest may submit.")
        attributes: dict[str, Any] = {
            "verdict": Verdict.EVALUATING.value,
            "consider": consider,
            "state": "pending",
            "filename": filename,
            "language": language.id if language else None,
            "size": len(source),
            "mark": 0,
        }
        if too_big:
            attributes.update(
                verdict=Verdict.PROGRAM_SIZE_EXCEEDED.value,
                state="final",
                observations=f"The program exceeds {svc.settings.judge_max_program_bytes} bytes.",
            )
        else:
            attributes["program"] = base64.b64encode(source).decode()
        (result_id,) = await create_many(
            session,
            caller.principal(),
            contest.id,
            [
                ResultCreate(
                    entry_id=entry.id,
                    person_id=caller.person_id,
                    challenge_id=problem.id,
                    elapsed_ms=views.contest_seconds(contest, now) * 1000,
                    points=0.0,
                    recorded_at=now,
                    attributes=attributes,
                )
            ],
        )
        if not too_big:
            session.add(JudgeJob(result_id=result_id))
        result = await session.get(Result, result_id)
        assert result is not None
        out = views.submission(result, problem_id, caller.username)
    svc.queue.wake()
    return _json(out)


async def _usernames(session: AsyncSession, contest: Competition) -> dict[int, str]:
    rows = await session.scalars(select(Entry).where(Entry.competition_id == contest.id))
    return {
        e.id: str(e.attributes.get("mooshak_username") or e.person_id or e.team_id or e.id)
        for e in rows
    }


async def _submissions(
    session: AsyncSession, contest: Competition, caller: Caller, submission_id: str | None
) -> list[tuple[Result, str, str]]:
    """(submission, problem id, team) visible to the caller: a team sees only its own."""
    query = select(Result).where(
        Result.competition_id == contest.id, Result.challenge_id.is_not(None)
    )
    if submission_id is not None:
        wanted = limits.id_of(submission_id)
        if wanted is None:
            raise Failure(404, f"The submission {submission_id} does not exist.")
        query = query.where(Result.id == wanted)
    if caller.role is Role.TEAM:
        query = query.where(Result.person_id == caller.person_id)
    rows = list((await session.scalars(query.order_by(Result.id))).all())
    if submission_id is not None and not rows:
        raise Failure(404, f"The submission {submission_id} does not exist.")
    problems = {p.id: storage.problem_key(p) for p in await storage.problems_of(session, contest)}
    names = await _usernames(session, contest)
    return [
        (r, problems.get(r.challenge_id or 0, ""), names.get(r.entry_id or 0, "")) for r in rows
    ]


SUBMISSION_READERS = (Role.ADMIN, Role.JUDGE, Role.RUNNER, Role.TEAM)


@router.get("/data/contests/{contest_id}/submissions")
async def list_submissions(request: Request, contest_id: str) -> Response:
    async with services(request).database.read() as session:
        caller = require(await who(request, session), Role.ADMIN, Role.JUDGE, Role.TEAM)
        contest = await _contest(session, contest_id, caller)
        found = await _submissions(session, contest, caller, None)
    return _json([views.submission(row, problem, team) for row, problem, team in found])


async def _one_submission(
    request: Request, contest_id: str, submission_id: str
) -> tuple[Result, str, str]:
    async with services(request).database.read() as session:
        caller = require(await who(request, session), *SUBMISSION_READERS)
        contest = await _contest(session, contest_id, caller)
        return (await _submissions(session, contest, caller, submission_id))[0]


@router.get("/data/contests/{contest_id}/submissions/{submission_id}")
async def get_submission(request: Request, contest_id: str, submission_id: str) -> Response:
    row, problem, team = await _one_submission(request, contest_id, submission_id)
    return _json(views.submission(row, problem, team))


@router.get("/data/contests/{contest_id}/submissions/{submission_id}/program")
async def program(request: Request, contest_id: str, submission_id: str) -> Response:
    row, _problem_id, _team = await _one_submission(request, contest_id, submission_id)
    return PlainTextResponse(str(row.attributes.get("program", "")))


@router.get("/data/contests/{contest_id}/submissions/{submission_id}/evaluation-summary")
async def evaluation_summary(request: Request, contest_id: str, submission_id: str) -> Response:
    row, _problem_id, _team = await _one_submission(request, contest_id, submission_id)
    lang = judge.LANGUAGES.get(str(row.attributes.get("language")))
    return _json(views.evaluation_summary(row, lang.name if lang else None))


def create_mooshak(settings: Settings, database: Database, queue: JudgeQueue) -> FastAPI:
    app = FastAPI(title="Mooshak 2 API (Podium)", openapi_url=None, docs_url=None, redoc_url=None)
    app.state.mooshak = Services(
        settings, database, queue, tokens.signing_key(settings.resolved_secret_key())
    )
    _install_errors(app)
    app.include_router(router)
    app.add_middleware(BodyLimit, max_bytes=settings.max_body_bytes)
    app.add_middleware(Conventions)
    return app
