"""Schemathesis over the native OpenAPI, against a real server, on every backend.

Every operation of ``/api/v1/openapi.json`` gets four kinds of bounded,
derandomized examples, sent as an instance admin:

- ``sweep``: one valid example with each top-level body field and query parameter
  given each of the issue's classes in turn (``SWEEP``), without fail;
- ``positive``: schemathesis data that fits the schema;
- ``negative``: schemathesis data that breaks it;
- ``hostile``: a positive example with one body field, query or path parameter
  replaced by a value from ``tests.fuzzing`` (integers beyond 64 bits, NUL, 5000
  digits, NaN, nesting 5000 deep, lists for text, 10 MB text, ...), or the whole
  body replaced by a malformed one.

Path ids are pinned to seeded objects in half the examples, so requests reach the
store and not only the 404 branch. Every answer is judged (``judge``): no 5xx, no
hang, a 4xx is problem+json with its own status, a status the API can answer, a 2xx
that matches the documented schema, nothing stored by a refused request or a GET,
a value the store cannot hold is refused, what a write stored reads back (GET of
the new object), and at the end the whole event feed still streams. All distinct
failures are collected and reported at the end. Operations that delete run last
(the token route last of all), so the seeded objects live through the rest.

Time: 35-50 s per backend on a 2-core machine; ``BUDGET_SECONDS`` bounds it,
and operations not reached in time are listed in the output.
``PODIUM_FUZZ_SCALE=3`` runs three times the examples.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import httpx
import pytest
import schemathesis
from hypothesis import given, note
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.core.failures import FailureGroup
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
)

from tests.conftest import LiveServer, make_token
from tests.fuzzing import (
    HOSTILE_BODIES,
    HOSTILE_QUERY_TEXT,
    HOSTILE_VALUES,
    INT,
    NAME,
    NUMBER,
    SCALE,
    TEXT,
    TIMEOUT,
    Findings,
    Hostile,
    Outcome,
    ServerLog,
    Store,
    Whole,
    body_head,
    changes,
    dumps,
    exchange,
    feed_after,
    fuzz_settings,
    short,
)

PROBLEM = "application/problem+json"
JSON_ANY = "json"  # a free-form JSON value (attributes): what the store cannot hold is refused
# What README promises besides the documented codes: 400 malformed JSON, 401, 403,
# 404, 409, 413 and 422.
ERROR_STATUSES = {400, 401, 403, 404, 409, 413, 422}
EXAMPLES = {"positive": 3, "negative": 3, "hostile": 6}
BUDGET_SECONDS = 150 * SCALE
LOOPBACK_HOOK = "http://127.0.0.1:9/fuzz-hook"  # nothing listens: deliveries fail at once
STREAMING = {"/event-feed", "/event-feed/sse"}

# Values that a free-form JSON field (attributes) must refuse: the store and the
# event log could not hold them (orjson, 64-bit integers, NUL, nesting, NaN).
_JSON_REFUSED = {
    "int 2**63",
    "int 2**64",
    "int -2**63-1",
    "int 10**30",
    "5000-digit integer (raw JSON)",
    "-5000-digit integer (raw JSON)",
    "1e309 (raw JSON, overflows to inf)",
    "NaN (raw JSON)",
    "Infinity (raw JSON)",
    "-Infinity (raw JSON)",
    "string with NUL",
    "NUL only",
    "digits then NUL",
    "lone surrogate (raw JSON)",
    "list nested 5000 deep (raw JSON)",
}


def must_refuse(value: Hostile, kind: str | None) -> bool:
    if kind is None:
        return False
    if kind == JSON_ANY:
        return value.label in _JSON_REFUSED
    return kind in value.refuse


# ---- the schema -------------------------------------------------------------------------


@dataclass
class Doc:
    raw: dict[str, Any]

    def resolve(self, schema: Any) -> dict[str, Any]:
        while isinstance(schema, dict) and "$ref" in schema:
            name = schema["$ref"].rsplit("/", 1)[-1]
            schema = self.raw["components"]["schemas"][name]
        return schema if isinstance(schema, dict) else {}

    def alternatives(self, schema: Any) -> list[dict[str, Any]]:
        schema = self.resolve(schema)
        for key in ("anyOf", "oneOf"):
            if key in schema:
                return [alt for item in schema[key] for alt in self.alternatives(item)]
        if "allOf" in schema and len(schema["allOf"]) == 1:
            return self.alternatives(schema["allOf"][0])
        return [schema]

    def kind(self, schema: Any) -> str | None:
        """What a field holds, for ``must_refuse``; None when it cannot be told."""
        found = [s for s in self.alternatives(schema) if s.get("type") != "null"]
        types = {s.get("type") for s in found}
        if types == {"string"}:
            longest = max((s.get("maxLength", 10**9) for s in found), default=10**9)
            return NAME if longest <= 2000 else TEXT
        if types == {"integer"}:
            return INT
        if types <= {"integer", "number"} and types:
            return NUMBER
        if types == {"object"} and all(
            not s.get("properties") and s.get("additionalProperties", True) in (True, {})
            for s in found
        ):
            return JSON_ANY
        return None

    def child(self, schema: Any, key: str | int) -> Any:
        """The schema of ``key`` inside ``schema`` (a property or an array item)."""
        for alt in self.alternatives(schema):
            if isinstance(key, int) and alt.get("type") == "array":
                return alt.get("items", {})
            if isinstance(key, str) and alt.get("type") in ("object", None):
                props = alt.get("properties", {})
                if key in props:
                    return props[key]
                extra = alt.get("additionalProperties")
                if isinstance(extra, dict):
                    return extra
        return {}

    def body_schema(self, method: str, path: str) -> Any:
        op = self.raw["paths"][path][method.lower()]
        content = op.get("requestBody", {}).get("content", {})
        return content.get("application/json", {}).get("schema")

    def parameters(self, method: str, path: str, where: str) -> dict[str, Any]:
        op = self.raw["paths"][path][method.lower()]
        return {
            p["name"]: p.get("schema", {}) for p in op.get("parameters", []) if p["in"] == where
        }

    def documented(self, method: str, path: str) -> set[int]:
        op = self.raw["paths"][path][method.lower()]
        return {int(code) for code in op.get("responses", {}) if code.isdigit()}


def int_bounds(doc: Doc, schema: Any) -> tuple[int | None, int | None] | None:
    """(minimum, maximum) of an integer parameter, or None when it is no integer."""
    for alt in doc.alternatives(schema):
        if alt.get("type") == "integer":
            return alt.get("minimum"), alt.get("maximum")
    return None


def param_must_refuse(doc: Doc, schema: Any, value: str) -> bool:
    """An integer parameter must refuse what is no integer in its range."""
    bounds = int_bounds(doc, schema)
    text = value.strip()
    if bounds is None or text == "":
        return False
    try:
        number = int(text, 10)
    except ValueError:
        return True
    low, high = bounds
    return (low is not None and number < low) or (high is not None and number > high)


# ---- seeds: objects the pinned ids name ------------------------------------------------


class Api:
    """The native API as the fuzz test's admin, for seeding."""

    def __init__(self, http: httpx.Client) -> None:
        self.http = http

    def post(self, path: str, body: Any = None) -> dict[str, Any]:
        response = self.http.post(f"/api/v1{path}", json=body)
        assert response.status_code in (200, 201), (path, response.status_code, response.text)
        found: dict[str, Any] = response.json()
        return found


def seed(api: Api) -> dict[str, Any]:
    org = api.post("/organizations", {"slug": "fuzz", "name": "Fuzz Org"})["id"]
    person = api.post("/people", {"name": "Fuzz Person", "organization_id": org})["id"]
    other = api.post("/people", {"name": "Other Person", "organization_id": org})["id"]
    team = api.post("/teams", {"name": "Fuzz Team", "organization_id": org})["id"]
    api.post(f"/teams/{team}/members", {"person_id": person})
    comp = api.post("/competitions", {"organization_id": org, "name": "Fuzz Race"})["id"]
    challenge = api.post(
        "/challenges", {"organization_id": org, "name": "Map", "competition_id": comp}
    )["id"]
    entry = api.post(f"/competitions/{comp}/entries", {"person_id": person, "bib": "7"})["id"]
    round_ = api.post(f"/competitions/{comp}/rounds", {"number": 1})["id"]
    heat = api.post(f"/rounds/{round_}/heats", {"number": 1})["id"]
    slot = api.post(f"/heats/{heat}/slots", {"number": 1, "entry_id": entry})["id"]
    result_set = api.post(f"/competitions/{comp}/result-sets", {"name": "Set"})["id"]
    result = api.post(
        f"/competitions/{comp}/results",
        {"entry_id": entry, "elapsed_ms": 61_000, "result_set_id": result_set},
    )["id"]
    award = api.post("/awards", {"title": "Gold", "organization_id": org})["id"]
    api.http.put(f"/api/v1/awards/{award}/holders/{person}")
    hook = api.post("/webhooks", {"url": LOOPBACK_HOOK, "organization_id": org})["id"]
    token = api.post("/tokens", {"scopes": ["read"], "name": "to delete"})["id"]
    race = api.post(
        "/runsignup/races", {"organization_id": org, "name": "Fuzz 5K", "events": [{"name": "5K"}]}
    )["race_id"]
    api.post("/mooshak/contests", {"id": "fuzzcontest"})
    return {
        "organizations": org,
        "people": person,
        "person_id": other,
        "teams": team,
        "competitions": comp,
        "challenges": challenge,
        "entries": entry,
        "rounds": round_,
        "heats": heat,
        "slots": slot,
        "results": result,
        "result-sets": result_set,
        "awards": award,
        "webhooks": hook,
        "tokens": token,
        "races": race,
        "chapters": org,
        "contests": "fuzzcontest",
        "kind": "person",
        "subject_id": person,
        "deliveries": 1,
    }


def pinned(path: str, name: str, seeds: dict[str, Any]) -> Any:
    """The seeded value a path parameter names, or None."""
    if name in seeds:
        return seeds[name]
    segments = [s for s in path.split("/") if s]
    for index, segment in enumerate(segments):
        if segment == "{" + name + "}" and index > 0:
            return seeds.get(segments[index - 1])
    return None


# ---- requests ---------------------------------------------------------------------------


@dataclass
class Sent:
    """A request as the fuzz test built it, with what it must come to."""

    request: httpx.Request
    label: str
    must_refuse: bool = False


def _format_path(path: str, values: dict[str, Any], raw: set[str]) -> str:
    def one(match: re.Match[str]) -> str:
        name = match[1]
        value = str(values.get(name, "1"))
        return value if name in raw else quote(value, safe="")

    return re.sub(r"\{([^}]+)\}", one, path)


def _safe_body(path: str, body: Any) -> Any:
    """Webhook URLs point at loopback: the delivery worker must not reach out."""
    if path.startswith("/webhooks") and isinstance(body, dict) and isinstance(body.get("url"), str):
        return {**body, "url": LOOPBACK_HOOK}
    return body


def build(
    http: httpx.Client,
    case: Any,
    *,
    path_values: dict[str, Any] | None = None,
    raw_path: set[str] | None = None,
    query: dict[str, Any] | None = None,
    body: Any = None,
    content: bytes | None = None,
    content_type: str | None = None,
) -> httpx.Request:
    op = case.operation
    values = {**(case.path_parameters or {}), **(path_values or {})}
    url = "/api/v1" + _format_path(op.path, values, raw_path or set())
    params = dict(case.query or {}) if query is None else query
    if op.path in STREAMING:
        params["stream"] = "false"  # a 200 then ends instead of following forever
    headers = {k: str(v) for k, v in (case.headers or {}).items()}
    if content is None and body is None and case.body is not None and not _no_body(case):
        body = case.body
    if content is None and isinstance(body, bytes | str) and not _json_media(case):
        content = body.encode("utf-8", "surrogatepass") if isinstance(body, str) else body
        content_type = content_type or case.media_type
    elif content is None and isinstance(body, bytes):
        content, content_type = body, content_type or "application/json"
    elif content is None and body is not None:
        content = dumps(_safe_body(op.path, body))
        content_type = content_type or "application/json"
    if content is not None and content_type:
        headers["content-type"] = content_type
    return http.build_request(
        op.method.upper(), url, params=params, content=content, headers=headers
    )


def _json_media(case: Any) -> bool:
    return not case.media_type or "json" in str(case.media_type)


def _no_body(case: Any) -> bool:
    from schemathesis.core import NOT_SET

    return case.body is NOT_SET


def _paths_in(value: Any, depth: int = 0) -> Iterator[tuple[str | int, ...]]:
    """Every place in a body a hostile value can go (keys and items, 3 levels)."""
    if depth >= 3:
        return
    if isinstance(value, dict):
        for key, member in value.items():
            yield (key,)
            for rest in _paths_in(member, depth + 1):
                yield (key, *rest)
    elif isinstance(value, list):
        for index, member in enumerate(value[:2]):
            yield (index,)
            for rest in _paths_in(member, depth + 1):
                yield (index, *rest)


def _replace(value: Any, path: tuple[str | int, ...], new: Any) -> Any:
    if not path:
        return new
    head, rest = path[0], path[1:]
    if isinstance(value, dict):
        return {**value, head: _replace(value.get(head), rest, new)}
    copied = list(value)
    copied[head] = _replace(copied[head], rest, new)  # type: ignore[index]
    return copied


def hostile_request(
    doc: Doc, http: httpx.Client, case: Any, data: st.DataObject, seeds: dict[str, Any]
) -> Sent:
    """The case with one part made hostile, and whether it must then be refused."""
    op = case.operation
    method, path = op.method.upper(), op.path
    body_schema = doc.body_schema(method, path)
    body = None if _no_body(case) else case.body
    path_params = doc.parameters(method, path, "path")
    query_params = doc.parameters(method, path, "query")
    places = ["body field"] * 3 if isinstance(body, dict | list) and body_schema else []
    places += ["whole body"] if body_schema else []
    places += ["query"] * 2 if query_params else []
    places += ["path"] if path_params else []
    if not places:
        places = ["nothing to mutate"]
    place = data.draw(st.sampled_from(places), label="place")
    pins = {n: v for n in path_params if (v := pinned(path, n, seeds)) is not None}
    if place == "body field":
        spots = list(_paths_in(body))
        spots += [(key,) for key in doc.resolve(body_schema).get("properties", {})]
        spot = data.draw(st.sampled_from(spots), label="field")
        schema = body_schema
        for key in spot:
            schema = doc.child(schema, key)
        kind = doc.kind(schema)
        value = data.draw(st.sampled_from(HOSTILE_VALUES), label="value")
        if kind == JSON_ANY:
            spot = (*spot, "fuzz")
            new_body = _replace(body, spot[:-1], {"fuzz": value})
        else:
            new_body = _replace(body, spot, value)
        request = build(http, case, path_values=pins, body=new_body)
        label = f"body {'.'.join(map(str, spot))} = {value.label} (kind {kind})"
        return Sent(request, label, must_refuse(value, kind))
    if place == "whole body":
        whole: Whole = data.draw(st.sampled_from(HOSTILE_BODIES), label="body")
        request = build(
            http, case, path_values=pins, content=whole.body, content_type=whole.content_type
        )
        # A body that is no JSON object is refused wherever an object is required.
        return Sent(request, f"whole body: {whole.label}", whole.label != "empty body")
    if place == "query":
        name = data.draw(st.sampled_from(sorted(query_params)), label="query parameter")
        text_value = data.draw(st.sampled_from(HOSTILE_QUERY_TEXT), label="query value")
        params = {**dict(case.query or {}), name: text_value}
        request = build(http, case, path_values=pins, query=params)
        refuse = param_must_refuse(doc, query_params[name], text_value)
        return Sent(request, f"query {name}={short(text_value, 60)}", refuse)
    if place == "path":
        name = data.draw(st.sampled_from(sorted(path_params)), label="path parameter")
        choices = [v for v in HOSTILE_QUERY_TEXT if v] + ["%00", "a%00b", "%FF%FE"]
        raw = data.draw(st.sampled_from(choices), label="path value")
        refuse = "%" in raw or param_must_refuse(doc, path_params[name], raw)
        raw_path = {name} if "%" in raw else set()
        request = build(http, case, path_values={**pins, name: raw}, raw_path=raw_path)
        return Sent(request, f"path {name}={short(raw, 60)}", refuse)
    return Sent(build(http, case, path_values=pins), "unchanged")


# ---- judging ----------------------------------------------------------------------------


@dataclass
class Run:
    doc: Doc
    http: httpx.Client
    store: Store
    findings: Findings
    seeds: dict[str, Any]

    def judge(self, case: Any, sent: Sent, mode: str) -> None:
        op = case.operation
        method, path = op.method.upper(), op.path
        route = f"{method} {path}"
        request = sent.request
        url = short(str(request.url), 160)
        note(f"{mode}: {request.method} {url} {sent.label}")
        before = self.store.snapshot()
        self.findings.begin()
        outcome: Outcome = exchange(self.http, request)
        after = self.store.snapshot()
        self.findings.count(mode, outcome.status)
        response = outcome.response
        what = f"{mode}: {sent.label}"
        detail = f"{request.method} {url} body={short(request.content, 160)}"

        add = self.findings.add
        if outcome.failure is not None or response is None:
            add(route, outcome.failure or "no response", None, what, route, outcome.detail)
            return
        status = response.status_code
        shown = f"{detail} -> {status}: {body_head(response)}"
        if status == 401 and self.token_revoked():
            return  # the fuzz deleted the admin token itself (DELETE /tokens/{id}): a new one
        if status >= 500:
            add(route, "5xx", status, what, route, shown)
        elif status >= 400:
            self._problem(route, response, what, shown)
        if status not in self.doc.documented(method, path) | ERROR_STATUSES and status < 500:
            add(route, "undocumented status", status, what, route, shown)
        stored = changes(before, after)
        if stored and status < 300:
            self.findings.writes_seen += 1
        if stored and (status >= 400 or method == "GET"):
            kind = "stored on refusal" if status >= 400 else "stored on GET"
            add(route, kind, status, what, route, f"{shown}\n      changed: {stored}")
        if sent.must_refuse and status < 400:
            add(route, "accepted hostile", status, what, route, shown)
        if 200 <= status < 300 and method in ("POST", "PUT", "PATCH"):
            self.read_back(route, path, response, what, shown)
        if 200 <= status < 300 and path not in STREAMING:
            try:
                case.validate_response(
                    response, checks=[response_schema_conformance, content_type_conformance]
                )
            except (Exception, FailureGroup) as exc:
                failures = exc.exceptions if isinstance(exc, FailureGroup) else (exc,)
                for failure in failures:
                    title = str(getattr(failure, "title", type(failure).__name__))
                    message = short(" ".join(str(failure).split()), 300)
                    add(
                        route,
                        f"conformance: {title}",
                        status,
                        mode,
                        route,
                        f"{shown}\n      {message}",
                    )

    def read_back(
        self, route: str, path: str, response: httpx.Response, what: str, shown: str
    ) -> None:
        """What a write stored must read back: GET its item route answers under 500."""
        try:
            body = response.json()
        except ValueError:
            return
        if not isinstance(body, dict) or not isinstance(body.get("id"), int):
            return
        literals = [seg for seg in path.split("/") if seg and not seg.startswith("{")]
        item = f"/{literals[-1]}/{{object_id}}" if literals else ""
        if "get" not in self.doc.raw["paths"].get(item, {}):
            return
        url = "/api/v1" + item.replace("{object_id}", str(body["id"]))
        got = exchange(self.http, self.http.build_request("GET", url))
        if got.response is None or got.response.status_code >= 500:
            answer = got.detail if got.response is None else body_head(got.response)
            self.findings.add(
                route,
                "stored but unreadable",
                got.status,
                what,
                route,
                f"{shown}\n      then GET {url} -> {got.status}: {answer}",
            )

    def token_revoked(self) -> bool:
        """True (with a fresh admin token in place) when ours no longer works."""
        if self.http.get("/api/v1/tokens").status_code != 401:
            return False
        token = self.store.run(make_token(self.store.db, ["admin"]))
        self.http.headers["Authorization"] = f"Bearer {token}"
        return True

    def _problem(self, route: str, response: httpx.Response, what: str, shown: str) -> None:
        status = response.status_code
        content_type = response.headers.get("content-type", "")
        try:
            body = response.json()
        except ValueError:
            body = None
        fine = (
            content_type.startswith(PROBLEM)
            and isinstance(body, dict)
            and {"type", "title", "status", "detail"} <= body.keys()
            and body["status"] == status
        )
        if not fine:
            self.findings.add(
                route, "error shape", status, what, route, f"content-type={content_type} {shown}"
            )


def operations(schema: Any) -> list[Any]:
    """Every operation, those that delete last, the token route last of all."""
    found = [result.ok() for result in schema.get_all_operations()]

    def order(op: Any) -> tuple[int, str, str]:
        deletes = op.method.upper() == "DELETE"
        tokens = op.path.startswith("/tokens/")
        return (2 if tokens and deletes else 1 if deletes else 0, op.path, op.method)

    return sorted(found, key=order)


# The classes, tried on every top-level body field of their kind without fail.
SWEEP = {
    NAME: ("string with NUL", "5000 characters", "empty object", "whitespace only"),
    TEXT: ("string with NUL", "list of text"),
    INT: ("int 2**64", "5000-digit integer (raw JSON)", "float 1e20"),
    NUMBER: ("NaN (raw JSON)", "float 1e20"),
    JSON_ANY: ("int 2**64", "float 1e20", "string with NUL", "list nested 5000 deep (raw JSON)"),
}
SWEEP_QUERY = {INT: (str(2**64), "9" * 5000), None: ("\x00", "x\x00y")}


def fuzz_operation(run: Run, op: Any) -> None:
    sweep_operation(run, op)
    for mode, count in EXAMPLES.items():
        fuzz_mode(run, op, mode, count)


def sweep_operation(run: Run, op: Any) -> None:
    """One valid example, then each top-level field and query parameter made hostile."""
    by_label = {value.label: value for value in HOSTILE_VALUES}
    doc, method, path = run.doc, op.method.upper(), op.path
    body_schema = doc.body_schema(method, path)
    properties = doc.resolve(body_schema).get("properties", {}) if body_schema else {}
    query_params = doc.parameters(method, path, "query")
    if not properties and not query_params:
        return

    @fuzz_settings(1)
    @given(case=op.as_strategy(GenerationMode.POSITIVE))
    def one(case: Any) -> None:
        names = doc.parameters(method, path, "path")
        pins = {n: v for n in names if (v := pinned(path, n, run.seeds)) is not None}
        body = None if _no_body(case) else case.body
        for name, schema in sorted(properties.items()):
            kind = doc.kind(schema)
            for label in SWEEP.get(kind, ()) if kind is not None else ():
                value = by_label[label]
                base = body if isinstance(body, dict) else {}
                new = {**base, name: {"fuzz": value} if kind == JSON_ANY else value}
                request = build(run.http, case, path_values=pins, body=new)
                run.judge(case, Sent(request, f"body {name} = {label} (kind {kind})",
                                     must_refuse(value, kind)), "sweep")  # fmt: skip
        for name, schema in sorted(query_params.items()):
            if path in STREAMING and name == "stream":
                continue
            kind = INT if int_bounds(doc, schema) is not None else None
            for text_value in SWEEP_QUERY[kind]:
                params = {**dict(case.query or {}), name: text_value}
                request = build(run.http, case, path_values=pins, query=params)
                refuse = param_must_refuse(doc, schema, text_value)
                label = f"query {name}={short(text_value, 40)}"
                run.judge(case, Sent(request, label, refuse), "sweep")

    one()


def fuzz_mode(run: Run, op: Any, mode: str, count: int) -> None:
    generation = GenerationMode.NEGATIVE if mode == "negative" else GenerationMode.POSITIVE

    @fuzz_settings(count)
    @given(case=op.as_strategy(generation), pin=st.booleans(), data=st.data())
    def one(case: Any, pin: bool, data: st.DataObject) -> None:
        if mode == "hostile":
            sent = hostile_request(run.doc, run.http, case, data, run.seeds)
        else:
            names = run.doc.parameters(op.method, op.path, "path")
            pins = {n: v for n in names if pin and (v := pinned(op.path, n, run.seeds))}
            sent = Sent(build(run.http, case, path_values=pins), "schemathesis data")
        run.judge(case, sent, mode)

    try:
        one()
    except Unsatisfiable:
        # Nothing to break (no parameters, no body): schemathesis has no negative case.
        if mode != "negative":
            raise


def test_native_api_fuzz(
    live_server: LiveServer, database_url: str, database: Any, caplog: pytest.LogCaptureFixture
) -> None:
    findings = Findings(backend=database.backend, log=ServerLog(caplog))
    with (
        Store(database_url) as store,
        httpx.Client(base_url=live_server.url, timeout=TIMEOUT) as http,
    ):
        token = store.run(make_token(store.db, ["admin"]))
        http.headers["Authorization"] = f"Bearer {token}"
        raw = http.get("/api/v1/openapi.json")
        assert raw.status_code == 200, raw.text
        doc = Doc(raw.json())
        schema = schemathesis.openapi.from_dict(doc.raw)
        seeds = seed(Api(http))
        run = Run(doc, http, store, findings, seeds)
        ops = operations(schema)
        deadline = time.monotonic() + BUDGET_SECONDS
        skipped = []
        timings = []
        for op in ops:
            if time.monotonic() > deadline:
                skipped.append(f"{op.method.upper()} {op.path}")
                continue
            started = time.monotonic()
            fuzz_operation(run, op)
            timings.append((time.monotonic() - started, f"{op.method.upper()} {op.path}"))
        feed_after(http, live_server.url, findings)
    slowest = ", ".join(f"{label} {seconds:.1f}s" for seconds, label in sorted(timings)[-5:])
    print(f"slowest operations: {slowest}")
    if skipped:
        print(f"time budget of {BUDGET_SECONDS:.0f} s spent; not fuzzed: {', '.join(skipped)}")
    print(f"native API fuzz on {database.backend}: {len(ops)} operations, {findings.summary()}")
    assert findings.writes_seen > 0, "no accepted write changed the store: the watch is broken"
    assert not findings, findings.report("native API fuzz")
