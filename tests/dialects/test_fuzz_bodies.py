"""Hypothesis-made malformed requests at every dialect mount, against a real server.

Each dialect's write routes (and the reads whose parameters reach the store) are
route *families*: a valid request, known to be accepted, that Hypothesis then
spoils one way at a time:

- one body field replaced by a hostile value (``tests.fuzzing.HOSTILE_VALUES``:
  integers beyond 64 bits, 5000 digits, NaN, NUL, whitespace only, 10 MB text,
  lists and objects for text, nesting 5000 deep, ...);
- the whole body replaced (nested 5000 deep, invalid UTF-8, empty, not an object,
  multipart without a boundary, ...), or the valid body sent with a wrong type;
- one path or query parameter replaced (``page=10**30``, ids of 2**64, NUL, ``²``);
- for RunSignup, XML requests as well: nested 50,000 deep, entities, NUL references;
- the credentials themselves spoiled (one family per dialect).

Every request carries valid credentials unless the family is about credentials, so
it gets past authentication to parsing and storage. Every answer must be under 500,
within 30 s, in the platform's own error shape when refused (Polympics
``{"detail"}``, RunSignup ``{"error": {...}}`` or ``<error>``, MultiGP ``{"status":
false, ...}``, Mooshak ``{status, title, message, path}``, Nadeo's), and a refused
request (or a read) must leave the store as it was. Values the store cannot hold
faithfully must be refused in fields that keep them. Before fuzzing, each family's
valid request is sent once and must be accepted: that is what shows the fuzzing
reaches past the door.

All distinct failures are collected and reported together, one test per dialect and
backend. ``PODIUM_FUZZ_SCALE`` multiplies the example counts.
"""

from __future__ import annotations

import base64
import itertools
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode
from xml.sax.saxutils import escape

import httpx
import pytest
from hypothesis import given, note
from hypothesis import strategies as st

from podium.config import Settings
from podium.core import organizations
from podium.core.organizations import OrganizationCreate
from podium.core.principal import SYSTEM
from podium.dialects.mooshak2 import admin as mooshak_admin
from podium.dialects.multigp import auth as multigp_auth
from podium.dialects.multigp import races as multigp_races
from podium.dialects.nadeo import admin as nadeo_admin
from podium.dialects.nadeo import content as nadeo_content
from podium.dialects.nadeo import identity as nadeo_identity
from podium.dialects.polympics import auth as polympics_auth
from podium.dialects.polympics import wire
from podium.dialects.runsignup import auth as runsignup_auth
from podium.dialects.runsignup import races as runsignup_races
from tests.conftest import LiveServer, make_token
from tests.dialects.polympics.conftest import FakeDiscord
from tests.fuzzing import (
    EVERY_KIND,
    HOSTILE_BODIES,
    HOSTILE_PARAMS,
    HOSTILE_QUERY_TEXT,
    HOSTILE_VALUES,
    INT,
    NAME,
    NUMBER,
    TEN_MB_TEXT,
    TEXT,
    TIMEOUT,
    WRONG_CONTENT_TYPES,
    Findings,
    Hostile,
    Raw,
    ServerLog,
    Store,
    Whole,
    body_head,
    changes,
    concrete,
    dumps,
    exchange,
    feed_after,
    fuzz_settings,
    short,
)

CREDENTIAL = "credential"  # a key or secret: every hostile value must be refused
EXAMPLES = 16  # Hypothesis examples per family, after the sweep (see ``sweep``)
LOOPBACK_CALLBACK = "http://127.0.0.1:9/fuzz-callback"  # nothing listens there


def must_refuse(value: Hostile, kind: str | None) -> bool:
    if kind is None:
        return False
    if kind == CREDENTIAL:
        return value.label not in ("null", "empty string")  # those mean "no key": refused too
    return kind in value.refuse


# ---- settings: the production body limit, no judge, Discord on loopback -----------------


@pytest.fixture
def discord() -> Iterator[FakeDiscord]:
    fake = FakeDiscord()
    yield fake
    fake.close()


@pytest.fixture
def settings(database_url: str, tmp_path: Path, discord: FakeDiscord) -> Settings:
    return Settings(
        database_url=database_url,
        data_dir=tmp_path / "data",
        redis_url=None,
        log_json=False,
        # The default limit, so a 10 MB name reaches the parsers as it would in production.
        max_body_bytes=20 * 1024 * 1024,
        judge_workers=0,
        polympics_discord_api_url=discord.url,
        polympics_discord_cdn_url="https://cdn.example",
        webhook_retry_base_seconds=0.05,
        webhook_retry_max_seconds=0.2,
        webhook_max_attempts=2,
        webhook_timeout_seconds=2,
    )


# ---- families -------------------------------------------------------------------------

Place = tuple[str | int, ...]


@dataclass
class Family:
    """One route and a valid request to it; ``fields`` and ``params`` say what to spoil.

    ``body`` makes the n-th valid body (fresh ids where a body creates something);
    ``fields`` maps body places to what they hold (``NAME``, ``INT``, ...; None: not
    judged); ``params`` maps path/query parameters likewise. ``template_ok`` False
    for routes whose valid request cannot be repeated (it is checked once then).
    """

    name: str
    method: str
    path: str
    body: Callable[[int], Any] | None = None
    fields: dict[Any, str | None] = field(default_factory=dict)  # Place -> kind
    query: dict[str, str] = field(default_factory=dict)
    params: dict[str, str | None] = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)
    examples: int = EXAMPLES
    whole_bodies: bool = True
    xml: bool = False  # RunSignup: the payload goes as XML
    # False where the platform ignores a body that is no object (Nadeo's optional ones).
    object_body: bool = True
    check_template: bool = True


@dataclass
class Variant:
    """One spoiled request: what changed, and whether it must be refused."""

    label: str
    body: Any = None  # a JSON-able template with Hostile parts, or a Whole
    content_type: str | None = "default"
    params: dict[str, str] = field(default_factory=dict)
    headers: dict[str, str | bytes] = field(default_factory=dict)
    must_refuse: bool = False

    def __repr__(self) -> str:
        return self.label


def _replace(value: Any, path: Place, new: Any) -> Any:
    if not path:
        return new
    head, rest = path[0], path[1:]
    if isinstance(value, dict):
        return {**value, head: _replace(value.get(head), rest, new)}
    copied = list(value)
    copied[head] = _replace(copied[head], rest, new)  # type: ignore[index]
    return copied


def variants(family: Family, counter: Iterator[int]) -> st.SearchStrategy[Variant]:
    """Valid requests of ``family`` spoiled in one place."""
    choices: list[st.SearchStrategy[Variant]] = []
    if family.body is not None and family.fields:
        places = sorted(family.fields, key=repr)

        @st.composite
        def field_value(draw: st.DrawFn) -> Variant:
            place = draw(st.sampled_from(places))
            kind = family.fields[place]
            if family.xml:
                value = draw(st.sampled_from(XML_VALUES))
            else:
                value = draw(st.sampled_from(HOSTILE_VALUES))
            body = _replace(family.body(next(counter)), place, value)
            where = ".".join(map(str, place))
            return Variant(f"{where} = {value.label}", body, must_refuse=must_refuse(value, kind))

        choices += [field_value()] * 3
    if family.body is not None and family.whole_bodies:
        pool = XML_BODIES if family.xml else HOSTILE_BODIES
        choices.append(
            st.sampled_from(pool).map(
                lambda whole: Variant(
                    f"whole body: {whole.label}",
                    whole,
                    must_refuse=family.object_body and whole.label != "empty body",
                )
            )
        )
        choices.append(
            st.sampled_from(WRONG_CONTENT_TYPES).map(
                lambda ctype: Variant(
                    f"valid body as {ctype}", family.body(next(counter)), content_type=ctype
                )
            )
        )
    if family.params:
        names = sorted(family.params)

        @st.composite
        def param_value(draw: st.DrawFn) -> Variant:
            name = draw(st.sampled_from(names))
            in_path = "{" + name + "}" in family.path
            pool = HOSTILE_PARAMS if in_path else HOSTILE_QUERY_TEXT
            value = draw(st.sampled_from([v for v in pool if v or not in_path]))
            kind = family.params[name]
            body = family.body(next(counter)) if family.body is not None else None
            return Variant(
                f"{name}={short(value, 60)}",
                body,
                params={name: value},
                must_refuse=param_must_refuse(kind, value),
            )

        choices += [param_value()] * 2
    return st.one_of(choices)


# The classes, tried on every judged field and parameter without fail (the
# Hypothesis examples then add the rest of the pools at random).
_SWEEP_JSON = {
    NAME: ("string with NUL", "5000 characters", "empty object", "list of text"),
    TEXT: ("string with NUL", "empty list"),
    INT: ("int 2**64", "5000-digit integer (raw JSON)", "string with NUL"),
    NUMBER: ("NaN (raw JSON)", "5000-digit integer (raw JSON)"),
    CREDENTIAL: ("list nested 5000 deep (raw JSON)", "-5000-digit integer (raw JSON)"),
}
_SWEEP_XML = {
    NAME: ("NUL reference &#0;", "5000 characters", "child elements (an object)"),
    TEXT: ("NUL reference &#0;",),
    INT: ("digits 2**64", "5000 digits", "superscript digit"),
    NUMBER: ("NaN", "5000 digits"),
}
_SWEEP_PARAMS = {INT: (str(2**64), "²", "9" * 5000), None: ("1" + "0" * 30, "\x00")}


def sweep(family: Family, counter: Iterator[int]) -> Iterator[Variant]:
    """Each judged field and parameter with each of the issue's classes, in order."""
    pool = XML_VALUES if family.xml else HOSTILE_VALUES
    by_label = {value.label: value for value in pool}
    table = _SWEEP_XML if family.xml else _SWEEP_JSON
    if family.body is not None:
        for place, kind in sorted(family.fields.items(), key=repr):
            for label in table.get(kind, ()) if kind is not None else ():
                value = by_label[label]
                body = _replace(family.body(next(counter)), place, value)
                where = ".".join(map(str, place))
                yield Variant(
                    f"{where} = {value.label}", body, must_refuse=must_refuse(value, kind)
                )
    for name, kind in sorted(family.params.items()):
        in_path = "{" + name + "}" in family.path
        for text in _SWEEP_PARAMS.get(kind if kind == INT else None, ()):
            sent = quote(text) if in_path and text == "\x00" else text
            body = family.body(next(counter)) if family.body is not None else None
            yield Variant(f"{name}={short(sent, 60)}", body, params={name: sent},
                          must_refuse=param_must_refuse(kind, sent))  # fmt: skip


def param_must_refuse(kind: str | None, value: str) -> bool:
    """An integer id or count must refuse text that is no integer that fits 64 bits."""
    if kind == CREDENTIAL:
        return True
    if kind != INT:
        return False
    text = value.strip()
    if text == "":
        return False
    if "%00" in text or "%FF" in text or "\x00" in text:
        return True
    try:
        number = int(text)
    except ValueError:
        return True
    return not -(2**63) <= number < 2**63


# XML for RunSignup: hostile field values as element content, and whole documents.


@dataclass(frozen=True)
class XmlValue:
    """Element content, written as is (already XML)."""

    xml: str


def _x(label: str, xml: str, *refuse: str) -> Hostile:
    return Hostile(label, XmlValue(xml), frozenset(refuse))


XML_VALUES: tuple[Hostile, ...] = (
    _x("NUL character", "a\x00b", *EVERY_KIND),
    _x("NUL reference &#0;", "a&#0;b", *EVERY_KIND),
    _x("surrogate reference &#xD800;", "&#xD800;", *EVERY_KIND),
    _x("whitespace only", "   "),
    _x("5000 characters", "x" * 5000, NAME),
    _x("10 MB text", TEN_MB_TEXT, NAME, TEXT),
    _x("repeated element (a list)", "a</{tag}><{tag}>b", NAME, TEXT, INT),
    _x("child elements (an object)", "<a>1</a><b>2</b>", NAME, TEXT, INT, NUMBER),
    _x("50,000 nested elements", "<n>" * 50_000 + "</n>" * 50_000, *EVERY_KIND),
    _x("digits 2**64", str(2**64), INT),
    _x("digits 10**30", "1" + "0" * 30, INT),
    _x("5000 digits", "9" * 5000, INT, NUMBER),
    _x("superscript digit", "²", INT),
    _x("NaN", "NaN", INT, NUMBER),
    _x("1e309", "1e309", INT, NUMBER),
    _x("-1", "-1"),
    _x("empty", ""),
    _x("CDATA", "<![CDATA[x]]>"),
    _x("entity reference &amp;", "a&amp;b"),
    _x("undefined entity", "&bogus;", *EVERY_KIND),
)

_DEEP_XML = "<request>" + "<n>" * 50_000 + "</n>" * 50_000 + "</request>"
XML_BODIES: tuple[Whole, ...] = (
    Whole("XML nested 50,000 deep", _DEEP_XML.encode(), None),
    Whole(
        "entity expansion (billion laughs)",
        b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaaaaaaaa">'
        b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;">]>'
        b"<request>&c;</request>",
        None,
    ),
    Whole(
        "external entity",
        b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        b"<request>&x;</request>",
        None,
    ),
    Whole("invalid UTF-8", b"<request><n>\xff\xfe</n></request>", None),
    Whole("NUL byte", b"<request>\x00</request>", None),
    Whole("unclosed", b"<request><individual_result_set_name>x", None),
    Whole("not XML", b"{}", None),
    Whole("empty", b"", None),
    Whole(
        "UTF-16 declared UTF-8", '<?xml version="1.0" encoding="UTF-8"?><r/>'.encode("utf-16"), None
    ),
)


def xml_of(tag: str, value: Any) -> str:
    """A template (dict/list/str/Hostile) as XML: a list repeats the element."""
    if isinstance(value, Hostile):
        value = value.value
    if isinstance(value, XmlValue):
        return f"<{tag}>{value.xml.replace('{tag}', tag)}</{tag}>"
    if isinstance(value, dict):
        return f"<{tag}>" + "".join(xml_of(k, v) for k, v in value.items()) + f"</{tag}>"
    if isinstance(value, list):
        return "".join(xml_of(tag, v) for v in value)
    if value is None:
        return f"<{tag}/>"
    return f"<{tag}>{escape(str(value))}</{tag}>"


# ---- one dialect's rules ----------------------------------------------------------------


class Dialect:
    """How one dialect is addressed, authenticated, and how it refuses."""

    name = "dialect"
    base = ""

    def __init__(self, server: LiveServer, store: Store) -> None:
        self.server = server
        self.store = store
        self.values: dict[str, Any] = {}
        self.auth_headers: dict[str, str] = {}

    def setup(self, http: httpx.Client) -> None:
        """Seed what the families name and log in (valid credentials for every request)."""
        raise NotImplementedError

    def families(self) -> list[Family]:
        raise NotImplementedError

    def credential_family(self) -> Family:
        """A write route that the credential variants are sent to."""
        raise NotImplementedError

    def credential_variants(self) -> list[Variant]:
        """Spoiled credentials: each must be refused, never a 5xx."""
        raise NotImplementedError

    def refused(self, response: httpx.Response) -> bool:
        return response.status_code >= 400

    def shape_problem(self, response: httpx.Response) -> str | None:
        """What is wrong with a refusal's body, or None when it is the dialect's shape."""
        raise NotImplementedError

    # Requests

    def url(self, family: Family, params: dict[str, str]) -> str:
        def one(name: str) -> str:
            if name in params:
                value = params[name]
                return value if "%" in value else quote(value, safe="")
            return quote(str(self.values[name]), safe="")

        path = family.path
        for name in [n.split("}")[0] for n in path.split("{")[1:]]:
            path = path.replace("{" + name + "}", one(name))
        return f"{self.server.url}{self.base}{path}"

    def request(self, http: httpx.Client, family: Family, variant: Variant) -> httpx.Request:
        query = {**family.query, **self.auth_query(family)}
        query.update({k: v for k, v in variant.params.items() if "{" + k + "}" not in family.path})
        headers: dict[str, Any] = {**self.auth_headers, **family.headers}
        headers.update(variant.headers)
        headers = {  # non-ASCII header values go as their UTF-8 bytes
            k: v.encode() if isinstance(v, str) and not v.isascii() else v
            for k, v in headers.items()
        }
        content, content_type = self.encode(family, variant, query)
        if content_type is not None:
            headers["content-type"] = content_type
        return http.build_request(
            family.method,
            self.url(family, variant.params),
            params=query,
            content=content,
            headers=headers,
        )

    def auth_query(self, family: Family) -> dict[str, str]:
        return {}

    def encode(
        self, family: Family, variant: Variant, query: dict[str, str]
    ) -> tuple[bytes | None, str | None]:
        body = variant.body
        if isinstance(body, Whole):
            return body.body, body.content_type
        if body is None:
            return None, None
        ctype = "application/json" if variant.content_type == "default" else variant.content_type
        return dumps(body), ctype


class Polympics(Dialect):
    name = "polympics"
    base = "/polympics"

    def shape_problem(self, response: httpx.Response) -> str | None:
        try:
            body = response.json()
        except ValueError:
            return "not JSON"
        if not isinstance(body, dict) or set(body) != {"detail"}:
            return "not {'detail': ...}"
        detail = body["detail"]
        if isinstance(detail, str):
            return None
        if isinstance(detail, list) and all(
            isinstance(i, dict) and {"loc", "msg", "type"} <= i.keys() for i in detail
        ):
            return None
        return "detail is neither text nor a list of {loc, msg, type}"

    def setup(self, http: httpx.Client) -> None:
        async def app() -> tuple[str, str]:
            async with self.store.db.write() as session:
                row, token = await polympics_auth.create_app(session, "fuzz", wire.APP_PERMISSIONS)
            return row.identifier, token

        username, password = self.store.run(app())
        basic = base64.b64encode(f"{username}:{password}".encode()).decode()
        self.auth_headers = {"Authorization": f"Basic {basic}"}
        team = http.post(f"{self.server.url}/polympics/teams/new", json={"name": "Fuzzers"},
                         headers=self.auth_headers)  # fmt: skip
        assert team.status_code == 201, team.text
        self.values["team"] = team.json()["id"]
        account = http.post(
            f"{self.server.url}/polympics/accounts/new",
            json={"id": 4242, "name": "Fuzz", "discriminator": "0001", "team": self.values["team"]},
            headers=self.auth_headers,
        )
        assert account.status_code == 201, account.text
        self.values["account"] = 4242
        award = http.post(
            f"{self.server.url}/polympics/awards/new",
            json={
                "title": "Gold",
                "image_url": "https://example.invalid/gold.png",
                "team": self.values["team"],
                "accounts": [4242],
            },
            headers=self.auth_headers,
        )
        assert award.status_code == 201, award.text
        self.values["award"] = award.json()["id"]
        self.values["event"] = "account_team_update"

    def families(self) -> list[Family]:
        team, account = self.values["team"], self.values["account"]
        ids = itertools.count(10**15)
        return [
            Family("create team", "POST", "/teams/new", lambda n: {"name": f"Team {n}"},
                   {("name",): NAME}),
            Family("rename team", "PATCH", "/team/{team}", lambda n: {"name": f"Renamed {n}"},
                   {("name",): NAME}, params={"team": INT}),
            Family(
                "create account",
                "POST",
                "/accounts/new",
                lambda n: {
                    "id": next(ids),
                    "name": f"Account {n}",
                    "discriminator": "0001",
                    "avatar_url": None,
                    "team": team,
                    "permissions": 0,
                },
                {("id",): INT, ("name",): NAME, ("discriminator",): NAME, ("team",): INT,
                 ("permissions",): INT, ("avatar_url",): NAME},
            ),
            Family(
                "update account",
                "PATCH",
                "/account/{account}",
                lambda n: {"name": f"Fuzz {n}", "discriminator": "0002", "team": team,
                           "grant_permissions": 0},
                {("name",): NAME, ("discriminator",): NAME, ("team",): INT,
                 ("grant_permissions",): INT},
                params={"account": INT},
            ),
            Family(
                "create award",
                "POST",
                "/awards/new",
                lambda n: {"title": f"Award {n}", "image_url": "https://example.invalid/a.png",
                           "team": team, "accounts": [account]},
                {("title",): NAME, ("image_url",): NAME, ("team",): INT, ("accounts", 0): INT,
                 ("accounts",): None},
            ),
            Family("update award", "PATCH", "/award/{award}", lambda n: {"title": f"T{n}"},
                   {("title",): NAME}, params={"award": INT}),
            Family("give award", "PUT", "/account/{account}/award/{award}",
                   params={"account": INT, "award": INT}),
            Family(
                "register callback",
                "PUT",
                "/callback/{event}",
                lambda n: {"url": LOOPBACK_CALLBACK, "secret": f"secret-{n}"},
                {("url",): NAME, ("secret",): NAME},
                params={"event": None},
            ),
            Family("create session", "POST", "/auth/create_session",
                   lambda n: {"account": account}, {("account",): INT}),
            Family("discord login", "POST", "/auth/discord", lambda n: {"token": "unknown"},
                   {("token",): CREDENTIAL}, check_template=False),
            Family("search accounts", "GET", "/accounts/search",
                   query={"q": "Fuzz", "team": str(team), "page": "0", "per_page": "20"},
                   params={"q": None, "team": INT, "page": None, "per_page": None}),
            Family("search teams", "GET", "/teams/search", query={"q": "Fuzz", "page": "0"},
                   params={"q": None, "page": None, "per_page": None}),
            Family("get account", "GET", "/account/{account}", params={"account": INT}),
            Family("delete team", "DELETE", "/team/{team}", params={"team": INT},
                   check_template=False),
        ]  # fmt: skip

    def credential_variants(self) -> list[Variant]:
        out = []
        for user in ("A²", "A" + "9" * 5000, "A" + str(2**64), "S" + str(2**64), "A1\x00", "A-1",
                     "A", "S", "Aٱ", " A1"):  # fmt: skip
            basic = base64.b64encode(f"{user}:pw".encode()).decode()
            out.append(
                Variant(
                    f"Basic user {short(user, 40)}", headers={"Authorization": f"Basic {basic}"}
                )
            )
        out.append(Variant("Basic not base64", headers={"Authorization": "Basic ***"}))
        out.append(Variant("Basic non-ASCII bytes", headers={"Authorization": b"Basic \xff\xfe"}))
        return out

    def credential_family(self) -> Family:
        return Family("credentials", "POST", "/teams/new", lambda n: {"name": f"Cred {n}"})


class RunSignup(Dialect):
    name = "runsignup"
    base = "/Rest"

    def refused(self, response: httpx.Response) -> bool:
        if response.status_code >= 400:
            return True
        return self._error(response) is not None

    def _error(self, response: httpx.Response) -> Any:
        ctype = response.headers.get("content-type", "")
        if "xml" in ctype:
            return "error" if response.content.lstrip().startswith(b"<error") else None
        try:
            body = response.json()
        except ValueError:
            return None
        return body.get("error") if isinstance(body, dict) else None

    def shape_problem(self, response: httpx.Response) -> str | None:
        if response.status_code not in (200, 413):
            return f"RunSignup answers errors in band (200), not {response.status_code}"
        ctype = response.headers.get("content-type", "")
        if "xml" in ctype:
            text = response.text
            if text.lstrip().startswith("<error") and "<error_code>" in text:
                return None
            return "not <error><error_code>…"
        try:
            body = response.json()
        except ValueError:
            return "not JSON nor XML"
        error = body.get("error") if isinstance(body, dict) else None
        if (
            isinstance(error, dict)
            and isinstance(error.get("error_code"), int)
            and isinstance(error.get("error_msg"), str)
        ):
            return None
        return "not {'error': {'error_code': int, 'error_msg': str}}"

    def setup(self, http: httpx.Client) -> None:
        async def seed() -> dict[str, Any]:
            async with self.store.db.write() as session:
                org = await organizations.create_organization(
                    session, SYSTEM, OrganizationCreate(slug="fuzz-runners", name="Fuzz Runners")
                )
                race, (event, virtual) = await runsignup_races.create_race(
                    session, SYSTEM, org.id, "Fuzz 10K",
                    [runsignup_races.EventSpec("10K"),
                     runsignup_races.EventSpec("Virtual 5K", virtual=True)],
                )  # fmt: skip
                key, secret = await runsignup_auth.create_key(session, race.id, org.id)
                registrations = {}
                for target in (event, virtual):
                    entry = await runsignup_races.register(
                        session, SYSTEM, race, target, first_name="Fuzz", last_name="Runner"
                    )
                    registrations[target.id] = int(str(entry.registration_id))
                await runsignup_auth.create_user(
                    session, "fuzz@example.invalid", "fuzz-password", [race.id], org.id, "F", "R"
                )
            return {
                "race": race.id,
                "event": event.id,
                "virtual": virtual.id,
                "key": key,
                "secret": secret,
                "registration": registrations[event.id],
                "virtual_registration": registrations[virtual.id],
            }

        self.values.update(self.store.run(seed()))
        created = http.post(
            f"{self.server.url}/Rest/race/{self.values['race']}/results/new-result-set",
            params={"format": "json", "event_id": self.values["event"], **self._key()},
            data={"request_format": "json",
                  "request": json.dumps({"individual_result_set_name": "Fuzz set"})},
        )  # fmt: skip
        assert "individual_result_set_id" in created.json(), created.text
        self.values["set"] = created.json()["individual_result_set_id"]

    def _key(self) -> dict[str, str]:
        return {"api_key": self.values["key"], "api_secret": self.values["secret"]}

    def auth_query(self, family: Family) -> dict[str, str]:
        return {} if family.name.startswith(("login", "credentials")) else self._key()

    def encode(
        self, family: Family, variant: Variant, query: dict[str, str]
    ) -> tuple[bytes | None, str | None]:
        body = variant.body
        if family.name.startswith("login"):  # plain form fields, no payload
            if isinstance(body, Whole):
                return body.body, body.content_type
            if body is None:
                return None, None
            form = {k: "" if v is None else _form_text(v) for k, v in concrete(body).items()}
            return urlencode(form).encode(), "application/x-www-form-urlencoded"
        if isinstance(body, Whole):  # sent as the raw body, the payload itself
            query["request_format"] = "xml" if family.xml else "json"
            return body.body, body.content_type
        if body is None:
            return None, None
        if family.xml:
            payload = xml_of("request", body).encode("utf-8", "surrogatepass")
            request_format = "xml"
        else:
            payload = dumps(body)
            request_format = "json"
        if variant.content_type != "default":  # the payload as a raw body of that type
            query["request_format"] = request_format
            return payload, variant.content_type
        encoded = (
            urlencode({"request_format": request_format}).encode()
            + b"&request="
            + quote(payload, safe="").encode()
        )
        return encoded, "application/x-www-form-urlencoded"

    def families(self) -> list[Family]:
        event, virtual = self.values["event"], self.values["virtual"]
        reg, vreg = self.values["registration"], self.values["virtual_registration"]
        results = "/race/{race}/results"
        on_event = {"format": "json", "event_id": str(event)}
        set_settings = {
            ("individual_result_set_name",): NAME,
            ("sort_order",): INT,
            ("team_column_display_type",): INT,
            ("results_source_name",): NAME,
            ("results_source_url",): NAME,
            ("alt_event_ids",): None,
            ("pace_type",): None,
            ("public_results",): None,
        }
        set_body = lambda n: {  # noqa: E731
            "individual_result_set_name": f"Set {n}",
            "public_results": "T",
            "sort_order": 1,
            "team_column_display_type": 0,
            "results_source_name": "Timer",
            "results_source_url": "https://example.invalid/r",
            "pace_type": "T",
            "alt_event_ids": [],
        }
        row = {("results", 0, k): v for k, v in {
            "registration_id": INT, "clock_time": NAME, "chip_time": NAME, "place": INT,
            "first_name": NAME, "last_name": NAME, "split-1": NAME, "bib_num": INT,
        }.items()}  # fmt: skip
        return [
            Family("new result set", "POST", results + "/new-result-set", set_body, set_settings,
                   query=on_event, params={"race": INT, "event_id": INT}),
            Family("new result set (XML)", "POST", results + "/new-result-set", set_body,
                   set_settings, query=on_event, xml=True),
            Family("edit result set", "POST", results + "/edit-result-set", set_body, set_settings,
                   query={**on_event, "individual_result_set_id": str(self.values["set"])},
                   params={"individual_result_set_id": INT}),
            Family(
                "full results",
                "POST",
                results + "/full-results",
                lambda n: {"results": [{"registration_id": reg, "clock_time": "0:20:00",
                                        "chip_time": "0:19:58", "place": 1, "first_name": "Fuzz",
                                        "last_name": "Runner", "split-1": "0:10:00"}]},
                {**row, ("results",): None},
                query={**on_event, "individual_result_set_id": str(self.values["set"])},
                params={"individual_result_set_id": INT, "event_id": INT},
            ),
            Family(
                "full results (XML)",
                "POST",
                results + "/full-results",
                lambda n: {"results": {"result": [{"registration_id": reg,
                                                   "clock_time": "0:20:00", "place": 1}]}},
                {("results", "result", 0, "registration_id"): INT,
                 ("results", "result", 0, "clock_time"): NAME,
                 ("results", "result", 0, "place"): INT},
                query={**on_event, "individual_result_set_id": str(self.values["set"])},
                xml=True,
            ),
            Family(
                "user results",
                "POST",
                results + "/user-results",
                lambda n: {"virtual_results": [{"registration_id": vreg, "clock_time": "0:25:00",
                                                "tally_value": 5, "elevation_gain_in_mm": 100}]},
                {("virtual_results", 0, "registration_id"): INT,
                 ("virtual_results", 0, "clock_time"): NAME,
                 ("virtual_results", 0, "tally_value"): NUMBER,
                 ("virtual_results", 0, "elevation_gain_in_mm"): None},
                query={"format": "json", "event_id": str(virtual)},
            ),
            Family("clear results", "POST", results + "/clear-results",
                   lambda n: {"x": 1}, {},
                   query={**on_event, "individual_result_set_id": str(self.values["set"])},
                   params={"individual_result_set_id": INT}, whole_bodies=False),
            Family("get results", "GET", results + "/get-results",
                   query={**on_event, "page": "1", "results_per_page": "10"},
                   params={"page": None, "results_per_page": None, "search": None,
                           "first_name": None, "last_name": None, "bib_num": None,
                           "individual_result_set_id": INT, "event_id": INT}),
            Family("races", "GET", "/races", query={"format": "json", "page": "1"},
                   params={"page": None, "results_per_page": None, "name": None}),
            Family("participants", "GET", "/race/{race}/participants",
                   query={"format": "json", "event_id": str(event)},
                   params={"event_id": None, "page": None, "results_per_page": None,
                           "after_registration_id": None, "race": INT}),
            Family("login", "POST", "/login",
                   lambda n: {"email": "fuzz@example.invalid", "password": "fuzz-password"},
                   {("email",): CREDENTIAL, ("password",): CREDENTIAL},
                   query={"format": "json"}, check_template=True),
            Family("delete result set", "POST", results + "/delete-result-set", lambda n: {"x": 1},
                   query=on_event, params={"individual_result_set_id": INT},
                   whole_bodies=False, check_template=False),
        ]  # fmt: skip

    def credential_variants(self) -> list[Variant]:
        out = []
        secret = {"X-RSU-API-SECRET": "x"}
        for params, headers in (
            ({"api_key": "²", "api_secret": "x"}, {}),
            ({"api_key": "9" * 5000, "api_secret": "x"}, {}),
            ({"api_key": "a\x00b", "api_secret": "x"}, {}),
            ({"api_key": str(2**64), "api_secret": "x\x00"}, {}),
            ({"tmp_key": str(2**64), "tmp_secret": "x"}, {}),
            ({"tmp_key": "²", "tmp_secret": "x"}, {}),
            ({"rsu_api_key": "²"}, secret),
            ({"rsu_api_key": "9" * 5000}, secret),
        ):
            label = ", ".join(f"{k}={short(v, 30)}" for k, v in params.items())
            out.append(Variant(label, params=params, headers=headers))  # type: ignore[arg-type]
        out.append(Variant("Bearer garbage", headers={"Authorization": "Bearer " + "9" * 5000}))
        return out

    def credential_family(self) -> Family:
        race = self.values["race"]
        return Family("credentials", "POST", f"/race/{race}/results/new-result-set",
                      lambda n: {"individual_result_set_name": f"Cred {n}"},
                      query={"format": "json", "event_id": str(self.values["event"])})  # fmt: skip


def _form_text(value: Any) -> str:
    if isinstance(value, Raw):
        return value.text
    return value if isinstance(value, str) else json.dumps(value)


class MultiGP(Dialect):
    name = "multigp"
    base = "/mgp/multigpwebservice"

    def refused(self, response: httpx.Response) -> bool:
        if response.status_code >= 400:
            return True
        try:
            body = response.json()
        except ValueError:
            return False
        return isinstance(body, dict) and body.get("status") is False

    def shape_problem(self, response: httpx.Response) -> str | None:
        try:
            body = response.json()
        except ValueError:
            return "not JSON"
        if not isinstance(body, dict) or body.get("status") is not False:
            return "no 'status': false"
        if not isinstance(body.get("statusDescription"), str) or not isinstance(
            body.get("errors"), dict
        ):
            return "no statusDescription/errors"
        if body.get("httpStatus") != response.status_code:
            return f"httpStatus {body.get('httpStatus')} is not the HTTP status"
        return None

    def setup(self, http: httpx.Client) -> None:
        async def seed() -> dict[str, Any]:
            async with self.store.db.write() as session:
                org = await organizations.create_organization(
                    session, SYSTEM, OrganizationCreate(slug="fuzz-fpv", name="Fuzz FPV")
                )
                key = await multigp_auth.create_key(session, org.id, "fuzz")
                pilots = [
                    multigp_races.PilotSpec(str(2001 + n), f"F{n}", f"L{n}", f"pilot{n}")
                    for n in range(4)
                ]
                spec = multigp_races.RaceSpec("Fuzz Race", "0", False, 2, 4, "raceband", 0)
                race = await multigp_races.create_race(session, SYSTEM, org.id, spec, pilots)
            return {"race": race.id, "key": key, "chapter": org.id}

        self.values.update(self.store.run(seed()))
        self.values.update(cycle="1", heat="1", slot="1")

    def families(self) -> list[Family]:
        key = self.values["key"]
        race = self.values["race"]

        def body(data: Any) -> Callable[[int], Any]:
            return lambda n: {"apiKey": key, "data": data}

        slot = {"pilotId": "2001", "totalLaps": 3, "totalTime": "65.250",
                "fastestLapTime": "20.100", "fastest3ConsecutiveLapsTime": "62.000",
                "fastest2ConsecutiveLapsTime": "41.000", "score": 12.5,
                "liveTimeEventUrl": "https://example.invalid/live"}  # fmt: skip
        slot_fields = {("data", k): v for k, v in {
            "pilotId": INT, "totalLaps": INT, "totalTime": NUMBER, "fastestLapTime": NUMBER,
            "fastest3ConsecutiveLapsTime": NUMBER, "fastest2ConsecutiveLapsTime": NUMBER,
            "score": NUMBER, "liveTimeEventUrl": TEXT,
        }.items()}  # fmt: skip
        return [
            Family("assign slot", "POST",
                   "/race/assignslot/id/{race}/cycle/{cycle}/heat/{heat}/slot/{slot}",
                   body(slot), {**slot_fields, ("apiKey",): CREDENTIAL, ("data",): None},
                   params={"race": INT, "cycle": INT, "heat": INT, "slot": INT}),
            # raceId is only the fallback of the path's id, which is given: not judged.
            Family("capture overall", "POST", "/race/captureOverallRaceResult/id/{race}",
                   body({"raceId": race, "bracketResults": [{"pilotId": 2001, "orderNumber": 1},
                                                            {"pilotId": 2002, "orderNumber": 2}]}),
                   {("data", "bracketResults", 0, "pilotId"): INT,
                    ("data", "bracketResults", 0, "orderNumber"): INT,
                    ("data", "bracketResults"): None, ("data", "raceId"): None},
                   params={"race": INT}),
            Family("join", "POST", "/race/join/id/{race}",
                   body({"pilotId": "2003", "aircraftName": "Quad"}),
                   {("data", "pilotId"): INT, ("data", "aircraftName"): NAME},
                   params={"race": INT}),
            Family("start heat", "POST", "/race/startHeat/id/{race}",
                   body({"cycle": 1, "heat": 1}), {("data", "cycle"): INT, ("data", "heat"): INT},
                   params={"race": INT, "cycle": INT, "heat": INT}),
            Family("race list", "POST", "/race/list",
                   body({"chapterId": str(self.values["chapter"]),
                                                            "name": "Fuzz"}),
                   {("data", "name"): None, ("data", "chapterId"): None},
                   params={"currentPage": None, "pageSize": None}),
            Family("race view", "POST", "/race/view/id/{race}", body(None), params={"race": INT}),
            Family("additional rounds", "POST", "/race/getAdditionalRounds/id/{race}", body(None),
                   params={"race": INT, "startFromRound": None}),
            Family("login", "POST", "/user/login",
                   lambda n: {"username": "nobody", "password": "wrong"},
                   {("username",): CREDENTIAL, ("password",): CREDENTIAL},
                   check_template=False),
            Family("resign", "POST", "/race/resign/id/{race}", body({"pilotId": "2003"}),
                   {("data", "pilotId"): INT}, params={"race": INT}, check_template=False),
            Family("finalize", "POST", "/race/finalize/id/{race}", body(None),
                   params={"race": INT}, check_template=False),
        ]  # fmt: skip

    def credential_variants(self) -> list[Variant]:
        return []

    def credential_family(self) -> Family:
        return Family("credentials", "POST", "/chapter/findChapterFromApiKey",
                      lambda n: {"apiKey": self.values["key"]},
                      {("apiKey",): CREDENTIAL})  # fmt: skip


class Mooshak(Dialect):
    name = "mooshak2"
    base = "/mooshak/api"

    def shape_problem(self, response: httpx.Response) -> str | None:
        try:
            body = response.json()
        except ValueError:
            return "not JSON"
        if not isinstance(body, dict) or not {"status", "title", "message", "path"} <= body.keys():
            return "not {status, title, message, path}"
        if body["status"] != response.status_code:
            return f"status {body['status']} is not the HTTP status"
        return None

    def setup(self, http: httpx.Client) -> None:
        async def seed() -> None:
            async with self.store.db.write() as session:
                for contest in ("fuzzrun", "fuzzedit"):
                    await mooshak_admin.create_contest(
                        session, SYSTEM, contest_id=contest, designation=contest, status="RUNNING"
                    )
                    await mooshak_admin.add_problem(
                        session, SYSTEM, contest, problem_id="A", label="A", title="sum",
                        tests=[("1 2\n", "3\n")],
                    )  # fmt: skip
                await mooshak_admin.create_user(
                    session, SYSTEM, username="fuzzteam", password="pw", contest_id="fuzzrun"
                )
                await mooshak_admin.create_user(
                    session, SYSTEM, username="fuzzadmin", password="adminpw", role="ADMIN"
                )

        self.store.run(seed())
        for who, body in (
            ("admin", {"username": "fuzzadmin", "password": "adminpw"}),
            ("team", {"username": "fuzzteam", "password": "pw", "contest": "fuzzrun"}),
        ):
            response = http.post(f"{self.server.url}/mooshak/api/auth/login", json=body)
            assert response.status_code == 200, response.text
            self.values[who] = response.json()["token"]
        self.auth_headers = {"Authorization": f"Bearer {self.values['admin']}"}
        self.values.update(contest="fuzzedit", run="fuzzrun", problem="A", submission="1")

    def families(self) -> list[Family]:
        start = int(datetime(2026, 1, 1, tzinfo=UTC).timestamp())
        team = {"Authorization": f"Bearer {self.values['team']}"}
        return [
            Family("create contest", "POST", "/data/contests",
                   lambda n: {"id": f"c{n}", "designation": f"Contest {n}", "status": "CREATED",
                              "start": start, "stop": start + 3600},
                   {("id",): NAME, ("designation",): NAME, ("start",): INT, ("stop",): INT,
                    ("status",): None}),
            Family("update contest", "PUT", "/data/contests/{contest}",
                   lambda n: {"designation": f"Edited {n}", "start": start, "stop": start + 7200},
                   {("designation",): NAME, ("start",): INT, ("stop",): INT},
                   params={"contest": None}),
            Family("create problem", "POST", "/data/contests/{contest}/problems",
                   lambda n: {"id": f"P{n}", "name": f"N{n}", "title": f"Problem {n}",
                              "timeout": 1.5},
                   {("id",): NAME, ("name",): NAME, ("title",): NAME, ("timeout",): NUMBER},
                   params={"contest": None}),
            Family("update problem", "PUT", "/data/contests/{contest}/problems/{problem}",
                   lambda n: {"title": f"Retitled {n}", "timeout": 2},
                   {("title",): NAME, ("timeout",): NUMBER}, params={"problem": None}),
            Family("login", "POST", "/auth/login",
                   lambda n: {"username": "fuzzteam", "password": "pw", "contest": "fuzzrun"},
                   {("username",): CREDENTIAL, ("password",): CREDENTIAL, ("contest",): None}),
            Family("submission", "GET", "/data/contests/{run}/submissions/{submission}",
                   params={"submission": INT, "run": None}, headers=team,
                   check_template=False),
            Family("rankings", "GET", "/data/contests/{contest}/rankings",
                   params={"contest": None}),
            Family("delete problem", "DELETE", "/data/contests/{contest}/problems/{problem}",
                   params={"problem": None, "contest": None}, check_template=False),
        ]  # fmt: skip

    def evaluate_family(self) -> Family:
        return Family("evaluate", "POST", "/data/contests/{run}/problems/{problem}/evaluate",
                      headers={"Authorization": f"Bearer {self.values['team']}"})  # fmt: skip

    def credential_variants(self) -> list[Variant]:
        out = []
        for token in ("9" * 5000, "a.b.c", "eyJhbGciOiJub25lIn0.e30.", "²", "Bearer", "x y"):
            out.append(
                Variant(f"Bearer {short(token, 40)}", headers={"Authorization": f"Bearer {token}"})
            )
        out.append(Variant("Bearer non-ASCII bytes", headers={"Authorization": b"Bearer \xff"}))
        return out

    def credential_family(self) -> Family:
        return Family("credentials", "POST", "/data/contests", lambda n: {"id": f"cred{n}"})


class Nadeo(Dialect):
    name = "nadeo"
    base = "/nadeo"

    def refused(self, response: httpx.Response) -> bool:
        return response.status_code >= 400

    def shape_problem(self, response: httpx.Response) -> str | None:
        if response.headers.get("content-type", "").startswith("text/plain"):
            return None  # Live's plain-text 403 for an unknown review type
        try:
            body = response.json()
        except ValueError:
            return "not JSON"
        if isinstance(body, dict) and {"error", "message", "traceId"} <= body.keys():
            return None
        if isinstance(body, list) and len(body) == 1 and isinstance(body[0], str):
            return None
        return "neither {error, message, traceId} nor a one-string array"

    def setup(self, http: httpx.Client) -> None:
        settings_org = "nadeo"

        async def seed() -> dict[str, Any]:
            async with self.store.db.write() as session:
                org = await nadeo_content.official(session, settings_org)
            async with self.store.db.write() as session:
                made = await nadeo_identity.create_account(session, SYSTEM, org, name="Fuzzer")
            async with self.store.db.write() as session:
                found = await nadeo_admin.add_map(session, SYSTEM, org, "Fuzz Map",
                                                  made.account_id, 45_000)  # fmt: skip
            async with self.store.db.write() as session:
                await nadeo_admin.add_campaign(
                    session, SYSTEM, org, "Fuzz Season", "seasonal", [str(found["map_uid"])],
                    datetime.now(UTC) - timedelta(days=1), None,
                )  # fmt: skip
            async with self.store.db.write() as session:
                await nadeo_admin.submit_record(session, SYSTEM, made.account_id,
                                                str(found["map_uid"]), 44_000, None)  # fmt: skip
            return {"login": made.login, "password": made.password, "map": found["map_uid"]}

        self.values.update(self.store.run(seed()))
        basic = base64.b64encode(f"{self.values['login']}:{self.values['password']}".encode())
        self.values["basic"] = f"Basic {basic.decode()}"
        tokens = http.post(f"{self.server.url}/nadeo/core/v2/authentication/token/basic",
                           headers={"Authorization": self.values["basic"]},
                           json={"audience": "NadeoLiveServices"})  # fmt: skip
        assert tokens.status_code == 200, tokens.text
        self.values["refresh"] = tokens.json()["refreshToken"]
        self.auth_headers = {"Authorization": f"nadeo_v1 t={tokens.json()['accessToken']}"}
        core = http.post(f"{self.server.url}/nadeo/core/v2/authentication/token/basic",
                         headers={"Authorization": self.values["basic"]}, json={})  # fmt: skip
        assert core.status_code == 200, core.text
        self.values["core"] = f"nadeo_v1 t={core.json()['accessToken']}"
        self.values.update(group="Personal_Best", club="1", campaign="1", lower="1", upper="1")

    def families(self) -> list[Family]:
        uid = self.values["map"]
        basic = {"Authorization": self.values["basic"]}
        refresh = {"Authorization": f"nadeo_v1 t={self.values['refresh']}"}
        top = "/live/api/token/leaderboard/group/{group}/map/{map}/top"
        return [
            Family("token basic", "POST", "/core/v2/authentication/token/basic",
                   lambda n: {"audience": "NadeoLiveServices"}, {("audience",): None},
                   headers=basic, object_body=False),
            Family("token refresh", "POST", "/core/v2/authentication/token/refresh",
                   lambda n: {"audience": "NadeoLiveServices"}, {("audience",): None},
                   headers=refresh, object_body=False),
            Family("positions", "POST", "/live/api/token/leaderboard/group/map",
                   lambda n: {"maps": [{"mapUid": uid, "groupUid": "Personal_Best"}]},
                   {("maps", 0, "mapUid"): None, ("maps", 0, "groupUid"): None, ("maps",): None},
                   query={f"scores[{uid}]": "40000"}, params={f"scores[{uid}]": None},
                   object_body=False),
            Family("map top", "GET", top, query={"onlyWorld": "true", "length": "5", "offset": "0"},
                   params={"length": None, "offset": None, "map": None, "group": None}),
            Family("surround", "GET",
                   "/live/api/token/leaderboard/group/{group}/map/{map}/surround/{lower}/{upper}",
                   query={"score": "40000"},
                   params={"lower": None, "upper": None, "score": None, "map": None}),
            Family("club campaign", "GET", "/live/api/token/club/{club}/campaign/{campaign}",
                   params={"club": INT, "campaign": INT}, check_template=False),
            Family("official campaigns", "GET", "/live/api/campaign/official",
                   query={"length": "1", "offset": "0"}, params={"length": None, "offset": None}),
            Family("months", "GET", "/live/api/token/campaign/month",
                   query={"length": "1", "offset": "0"}, params={"length": None, "offset": None}),
            Family("maps by uid", "GET", "/core/maps/by-uid", query={"mapUidList": uid},
                   params={"mapUidList": None}, headers={"Authorization": self.values["core"]}),
            Family("map info", "GET", "/live/api/token/map/{map}", params={"map": None}),
        ]  # fmt: skip

    def credential_variants(self) -> list[Variant]:
        out = []
        for header in ("Basic " + base64.b64encode("²:x".encode()).decode(),
                       "Basic " + base64.b64encode(("9" * 5000 + ":x").encode()).decode(),
                       "Basic " + base64.b64encode(b"\xff\xfe:x").decode(),
                       "Basic !!", "nadeo_v1 t=" + "9" * 5000, "nadeo_v1 t=a.b.c"):  # fmt: skip
            out.append(Variant(short(header, 50), headers={"Authorization": header}))
        return out

    def credential_family(self) -> Family:
        return Family("credentials", "POST", "/core/v2/authentication/token/basic",
                      lambda n: {"audience": "NadeoLiveServices"})  # fmt: skip


# ---- the run ----------------------------------------------------------------------------


@dataclass
class Run:
    dialect: Dialect
    http: httpx.Client
    findings: Findings

    def send(self, family: Family, variant: Variant, phase: str) -> httpx.Response | None:
        d = self.dialect
        request = d.request(self.http, family, variant)
        route = f"{family.method} {d.base}{family.path}"
        where = f"{d.name} {family.name}"
        if phase == "fuzz":
            note(f"{where}: {request.method} {short(str(request.url), 160)} {variant.label}")
        before = d.store.snapshot()
        self.findings.begin()
        outcome = exchange(self.http, request)
        after = d.store.snapshot()
        self.findings.count(phase, outcome.status)
        response = outcome.response
        add = self.findings.add
        what = variant.label
        sent = f"{request.method} {short(str(request.url), 160)} body={short(request.content, 160)}"

        if outcome.failure is not None or response is None:
            add(
                where,
                outcome.failure or "no response",
                None,
                what,
                route,
                f"{sent}: {outcome.detail}",
            )
            return None
        status = response.status_code
        shown = f"{sent} -> {status}: {body_head(response)}"
        if status >= 500:
            add(where, "5xx", status, what, route, shown)
            return response
        refused = d.refused(response)
        if refused:
            problem = d.shape_problem(response)
            if problem is not None:
                add(where, f"error shape: {problem}", status, what, route, shown)
        stored = changes(before, after)
        if stored and not refused:
            self.findings.writes_seen += 1
        if stored and (refused or family.method == "GET"):
            kind = "stored on refusal" if refused else "stored on GET"
            add(where, kind, status, what, route, f"{shown}\n      changed: {stored}")
        if variant.must_refuse and not refused:
            add(where, "accepted hostile", status, what, route, shown)
        return response

    def check_template(self, family: Family, counter: Iterator[int]) -> None:
        body = family.body(next(counter)) if family.body is not None else None
        response = self.send(family, Variant("the valid request", body), "valid")
        if response is not None and response.status_code < 500 and self.dialect.refused(response):
            d = self.dialect
            self.findings.add(
                f"{d.name} {family.name}",
                "valid request refused (the fuzz would not reach storage)",
                response.status_code,
                "the valid request",
                f"{family.method} {d.base}{family.path}",
                body_head(response),
            )

    def fuzz(self, family: Family) -> None:
        counter = itertools.count(1)
        if family.check_template:
            self.check_template(family, counter)
        for variant in sweep(family, counter):
            self.send(family, variant, "sweep")

        @fuzz_settings(family.examples)
        @given(variant=variants(family, counter))
        def one(variant: Variant) -> None:
            self.send(family, variant, "fuzz")

        one()

    def credentials(self) -> None:
        family = self.dialect.credential_family()
        counter = itertools.count(1)
        for variant in self.dialect.credential_variants():
            body = family.body(next(counter)) if family.body is not None else None
            hostile = Variant(f"credentials: {variant.label}", body, params=variant.params,
                              headers={**variant.headers}, must_refuse=True)  # fmt: skip
            saved = dict(self.dialect.auth_headers)
            if "Authorization" in variant.headers:
                self.dialect.auth_headers = {}
            try:
                self.send(family, hostile, "credentials")
            finally:
                self.dialect.auth_headers = saved
        if family.fields:
            self.fuzz(family)


def mooshak_programs(run: Run, dialect: Mooshak) -> None:
    """``evaluate`` takes multipart: hostile file names, fields and parts."""
    family = dialect.evaluate_family()
    cases: list[tuple[str, dict[str, Any], bool]] = [
        ("a valid program", {"files": {"program": ("sum.py", b"print(3)\n")}}, False),
        ("NUL in the file name", {"files": {"program": ("a\x00b.py", b"print(3)\n")}}, False),
        ("5000-character file name", {"files": {"program": ("x" * 5000 + ".py", b"1")}}, False),
        ("non-UTF-8 file name", {"files": {"program": (b"\xff\xfe.py".decode("latin-1"), b"1")}},
         False),
        ("program of NUL bytes", {"files": {"program": ("n.py", b"\x00" * 1000)}}, False),
        ("program of 200 KB", {"files": {"program": ("big.py", b"#" * 200_000)}}, False),
        ("consider = NUL", {"files": {"program": ("c.py", b"1")}, "data": {"consider": "\x00"}},
         False),
        ("program sent as a field", {"data": {"program": "print(1)"}}, True),
        ("no program", {"data": {"x": "1"}}, True),
        ("JSON instead of multipart", {"json": {"program": "print(1)"}}, True),
        ("multipart without boundary",
         {"content": b"--x\r\n", "headers": {"content-type": "multipart/form-data"}}, True),
        ("21 fields", {"data": {f"f{i}": "1" for i in range(21)},
                       "files": {"program": ("s.py", b"1")}}, False),
        ("3 files", {"files": [("program", ("a.py", b"1")), ("program", ("b.py", b"1")),
                               ("other", ("c.py", b"1"))]}, True),
    ]  # fmt: skip
    url = dialect.url(family, {})
    for label, kwargs, refuse in cases:
        headers = {**family.headers, **kwargs.pop("headers", {})}
        request = run.http.build_request("POST", url, headers=headers, **kwargs)
        route = f"POST {dialect.base}{family.path}"
        before = dialect.store.snapshot()
        run.findings.begin()
        outcome = exchange(run.http, request)
        after = dialect.store.snapshot()
        run.findings.count("evaluate", outcome.status)

        where = "mooshak2 evaluate"
        response = outcome.response
        if outcome.failure is not None or response is None:
            run.findings.add(where, outcome.failure or "no response", None, label, route,
                             outcome.detail)  # fmt: skip
            continue
        shown = f"{label} -> {response.status_code}: {body_head(response)}"
        if response.status_code >= 500:
            run.findings.add(where, "5xx", response.status_code, label, route, shown)
            continue
        refused = dialect.refused(response)
        if refused and (problem := dialect.shape_problem(response)) is not None:
            run.findings.add(where, f"error shape: {problem}", response.status_code, label,
                             route, shown)  # fmt: skip
        if refused and changes(before, after):
            run.findings.add(where, "stored on refusal", response.status_code, label, route,
                             f"{shown} changed: {changes(before, after)}")  # fmt: skip
        if refuse and not refused:
            run.findings.add(where, "accepted hostile", response.status_code, label, route, shown)
        if label == "a valid program" and refused:
            run.findings.add(where, "valid request refused (the fuzz would not reach storage)",
                             response.status_code, label, route, shown)  # fmt: skip


DIALECTS: dict[str, type[Dialect]] = {
    "polympics": Polympics,
    "runsignup": RunSignup,
    "multigp": MultiGP,
    "mooshak2": Mooshak,
    "nadeo": Nadeo,
}


@pytest.mark.parametrize("dialect_name", list(DIALECTS))
def test_dialect_fuzz(
    dialect_name: str,
    live_server: LiveServer,
    database_url: str,
    database: Any,
    caplog: pytest.LogCaptureFixture,
) -> None:
    findings = Findings(backend=database.backend, log=ServerLog(caplog))
    with Store(database_url) as store, httpx.Client(timeout=TIMEOUT) as http:
        dialect = DIALECTS[dialect_name](live_server, store)
        dialect.setup(http)
        run = Run(dialect, http, findings)
        for family in dialect.families():
            run.fuzz(family)
        run.credentials()
        if isinstance(dialect, Mooshak):
            mooshak_programs(run, dialect)
        feed_after(http, live_server.url, findings, store.run(make_token(store.db, ["admin"])))
    print(f"{dialect_name} fuzz on {database.backend}: {findings.summary()}")
    if dialect_name != "nadeo":  # Nadeo's routes store nothing (tokens are signed, not kept)
        assert findings.writes_seen > 0, "no accepted write changed the store: the watch is broken"
    assert not findings, findings.report(f"{dialect_name} fuzz")
