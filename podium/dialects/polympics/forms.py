"""Polympics input checking, with the verdicts FastAPI 0.63 and pydantic 1 gave.

Clients (and people comparing Podium with the real server) read a 422's ``detail``
item by item, so every rule here reproduces pydantic 1's coercions and its
``{loc, msg, type[, ctx]}`` items: ``"5"`` is an integer and ``5`` a string, ``True``
is 1, ``1.7`` is 1, a record id goes through ``int()`` the way the real server's
converters did. Issues come in the order FastAPI 0.63 reported them: path, then
query, then body fields in declaration order, a missing record in its field's place.
Podium's own limits (name lengths, ``per_page``) are phrased as pydantic 1 would.

Every route reads its body through ``read_body`` and checks it with ``parse``, so a
rule lives here once; ``problems`` only shapes the response.
"""

from __future__ import annotations

import dataclasses
import re
import typing
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from fastapi import Request

from podium.core import limits
from podium.dialects.polympics.problems import Issue, PolympicsError, invalid, issue

F = TypeVar("F")
Loc = list[str | int]
# Looks a record up by model name ("Account", "Team", "Award") and id; None if absent.
Finder = Callable[[str, int], Awaitable[Any]]

BIGINT = 2**63


class Refused(Exception):
    """A value failed its check; ``issues`` already carry their full ``loc``."""

    def __init__(self, issues: list[Issue]) -> None:
        super().__init__(issues)
        self.issues = issues


# The messages pydantic 1 used, each as the issue it makes at ``loc``.


def missing(loc: Loc) -> Issue:
    return issue(loc, "field required", "value_error.missing")


def none_not_allowed(loc: Loc) -> Issue:
    return issue(loc, "none is not an allowed value", "type_error.none.not_allowed")


def not_integer(loc: Loc) -> Issue:
    return issue(loc, "value is not a valid integer", "type_error.integer")


def not_str(loc: Loc) -> Issue:
    return issue(loc, "str type expected", "type_error.str")


def not_list(loc: Loc) -> Issue:
    return issue(loc, "value is not a valid list", "type_error.list")


def not_dict(loc: Loc) -> Issue:
    return issue(loc, "value is not a valid dict", "type_error.dict")


def not_ge(loc: Loc, limit: int) -> Issue:
    return issue(
        loc,
        f"ensure this value is greater than or equal to {limit}",
        "value_error.number.not_ge",
        {"limit_value": limit},
    )


def not_le(loc: Loc, limit: int) -> Issue:
    return issue(
        loc,
        f"ensure this value is less than or equal to {limit}",
        "value_error.number.not_le",
        {"limit_value": limit},
    )


def too_short(loc: Loc, limit: int) -> Issue:
    return issue(
        loc,
        f"ensure this value has at least {limit} characters",
        "value_error.any_str.min_length",
        {"limit_value": limit},
    )


def too_long(loc: Loc, limit: int) -> Issue:
    return issue(
        loc,
        f"ensure this value has at most {limit} characters",
        "value_error.any_str.max_length",
        {"limit_value": limit},
    )


def not_found(loc: Loc, model: str) -> Issue:
    return issue(loc, f"{model} not found.")


def _int_type_error(loc: Loc, value: Any) -> Issue:
    # The TypeError text of ``int()`` on the real server's Python 3.9, kept verbatim.
    return issue(
        loc,
        "int() argument must be a string, a bytes-like object or a number, "
        f"not '{type(value).__name__}'",
        "type_error",
    )


# The body ------------------------------------------------------------------------------


async def read_body(request: Request) -> Any:
    """The request body as JSON, or None when there is none; the one place bodies are read.

    As in FastAPI 0.63 the Content-Type is not looked at, malformed JSON is a 422 (at
    the character where decoding stopped) raised before any other check, and a body
    that cannot be read for another reason (bad UTF-8, nesting too deep) is a 400.
    """
    raw = await request.body()
    if not raw:
        return None
    try:
        return limits.loads(raw)
    except limits.PayloadError as exc:
        if exc.doc:  # a syntax error, worded and placed as json words it
            doc = exc.doc.encode("utf-8", "replace").decode("utf-8")
            ctx = {
                "msg": exc.msg,
                "doc": doc,
                "pos": exc.pos,
                "lineno": exc.lineno,
                "colno": exc.colno,
            }
            raise invalid(
                [issue(["body", exc.pos], exc.message, "value_error.jsondecode", ctx)]
            ) from exc
        if exc.malformed:  # not UTF-8: FastAPI 0.63 answered any other failure so
            raise PolympicsError(400, "There was an error parsing the body") from exc
        # Well-formed JSON beyond Podium's limits (NUL, 64-bit integers, depth).
        raise invalid([issue(["body"], exc.message, "value_error")]) from exc


# Kinds of value ------------------------------------------------------------------------


class Kind:
    """How one non-null value is checked and converted (one pydantic 1 type)."""

    async def check(self, value: Any, loc: Loc, find: Finder) -> Any:
        raise NotImplementedError


@dataclasses.dataclass(frozen=True)
class Integer(Kind):
    """pydantic 1 ``int`` (``conint`` with bounds): ``int(value)``, bools included."""

    ge: int | None = None
    le: int | None = None

    async def check(self, value: Any, loc: Loc, find: Finder) -> int:
        return self.convert(value, loc)

    def convert(self, value: Any, loc: Loc) -> int:
        try:
            number = int(value)
        except (TypeError, ValueError, OverflowError):
            raise Refused([not_integer(loc)]) from None
        if self.ge is not None and number < self.ge:
            raise Refused([not_ge(loc, self.ge)])
        if self.le is not None and number > self.le:
            raise Refused([not_le(loc, self.le)])
        return number


def _as_str(value: Any, loc: Loc) -> str:
    # pydantic 1's str_validator: numbers (bools too, as "True") become their str().
    if isinstance(value, str):
        return value
    if isinstance(value, int | float):
        return str(value)
    raise Refused([not_str(loc)])


def _check_length(text: str, loc: Loc, min_length: int | None, max_length: int | None) -> str:
    if min_length is not None and len(text) < min_length:
        raise Refused([too_short(loc, min_length)])
    if max_length is not None and len(text) > max_length:
        raise Refused([too_long(loc, max_length)])
    return text


@dataclasses.dataclass(frozen=True)
class String(Kind):
    """pydantic 1 ``str`` (``constr`` with lengths)."""

    min_length: int | None = None
    max_length: int | None = None

    async def check(self, value: Any, loc: Loc, find: Finder) -> str:
        return _check_length(_as_str(value, loc), loc, self.min_length, self.max_length)


def record_id(value: Any, loc: Loc, model: str) -> int:
    """An id as the real server's converters read one, with their messages."""
    try:
        return int(value)
    except (ValueError, OverflowError):
        raise Refused([issue(loc, f"Invalid {model} ID: must be int.")]) from None
    except TypeError:
        raise Refused([_int_type_error(loc, value)]) from None


@dataclasses.dataclass(frozen=True)
class Record(Kind):
    """A stored record named by id; a missing one is a 422 in its field's place."""

    model: str

    async def check(self, value: Any, loc: Loc, find: Finder) -> Any:
        number = record_id(value, loc, self.model)
        found = await find(self.model, number) if -BIGINT <= number < BIGINT else None
        if found is None:
            raise Refused([not_found(loc, self.model)])
        return found


class NoTeam:
    """``team: 0`` on an account PATCH: leave the current team."""

    def __repr__(self) -> str:
        return "NO_TEAM"


NO_TEAM = NoTeam()


@dataclasses.dataclass(frozen=True)
class TeamOrZero(Kind):
    """A team id, else the literal 0; a bad value gets both alternatives' issues."""

    async def check(self, value: Any, loc: Loc, find: Finder) -> Any:
        try:
            return await Record("Team").check(value, loc, find)
        except Refused as first:
            try:
                number = int(value)
            except (ValueError, OverflowError):
                second = issue(loc, "Invalid ID: must be int.")
            except TypeError:
                second = _int_type_error(loc, value)
            else:
                if number == 0:
                    return NO_TEAM
                second = issue(loc, "Should fall through to next type.")
            raise Refused([*first.issues, second]) from None


@dataclasses.dataclass(frozen=True)
class ListOf(Kind):
    """pydantic 1 ``List[item]``: a JSON array, each item checked at its index."""

    item: Kind

    async def check(self, value: Any, loc: Loc, find: Finder) -> list[Any]:
        if not isinstance(value, list):
            raise Refused([not_list(loc)])
        out: list[Any] = []
        issues: list[Issue] = []
        for index, element in enumerate(value):
            where: Loc = [*loc, index]
            if element is None:
                issues.append(none_not_allowed(where))
                continue
            try:
                out.append(await self.item.check(element, where, find))
            except Refused as exc:
                issues.extend(exc.issues)
        if issues:
            raise Refused(issues)
        return out


@dataclasses.dataclass(frozen=True)
class Choice(Kind):
    """pydantic 1 ``Enum`` of strings."""

    values: tuple[str, ...]

    async def check(self, value: Any, loc: Loc, find: Finder) -> str:
        if value in self.values:
            return str(value)
        permitted = ", ".join(f"'{v}'" for v in self.values)
        raise Refused(
            [
                issue(
                    loc,
                    f"value is not a valid enumeration member; permitted: {permitted}",
                    "type_error.enum",
                    {"enum_values": list(self.values)},
                )
            ]
        )


# pydantic 1's URL grammar: each part optional, so a match always exists and the
# checks below can say which part is wrong.
_URL = re.compile(
    r"(?:(?P<scheme>[a-z][a-z0-9+\-.]+)://)?"
    r"(?:(?P<user>[^\s:/]*)(?::(?P<password>[^\s/]*))?@)?"
    r"(?:(?P<ipv4>(?:\d{1,3}\.){3}\d{1,3})|(?P<ipv6>\[[A-F0-9]*:[A-F0-9:]+\])|(?P<domain>[^\s/:?#]+))?"
    r"(?::(?P<port>\d+))?"
    r"(?P<path>/[^\s?#]*)?"
    r"(?:\?(?P<query>[^\s#]+))?"
    r"(?:#(?P<fragment>\S+))?",
    re.IGNORECASE,
)
_LABEL = r"[_0-9a-z](?:[-_0-9a-z]{0,61}[_0-9a-z])?"
_ASCII_HOST = re.compile(rf"(?:{_LABEL}\.)*?{_LABEL}(?P<tld>\.[a-z]{{2,63}})?\.?", re.IGNORECASE)
_INT_CHAR = "_0-9a-\U00040000"
_INT_LABEL = rf"[{_INT_CHAR}](?:[-{_INT_CHAR}]{{0,61}}[{_INT_CHAR}])?"
_INT_HOST = re.compile(
    rf"(?:{_INT_LABEL}\.)*?{_INT_LABEL}(?P<tld>\.[^\W\d_]{{2,63}}|\.xn--[_0-9a-z-]{{2,63}})?\.?",
    re.IGNORECASE,
)
URL_SCHEMES = ("https", "http")


@dataclasses.dataclass(frozen=True)
class HttpUrl(Kind):
    """pydantic 1 ``HttpUrl`` with its messages, except that no TLD is required.

    Podium delivers callbacks to loopback and single-label hosts too (the real server
    refused ``http://localhost/...``); a URL refused anyway still gets the real
    server's TLD message. International hosts are stored as punycode.
    """

    max_length: int = 2083

    async def check(self, value: Any, loc: Loc, find: Finder) -> str:
        url = _check_length(_as_str(value, loc).strip(), loc, 1, self.max_length)
        found = _URL.match(url)
        assert found is not None  # every part of the grammar is optional
        parts = found.groupdict()
        scheme = parts["scheme"]
        if scheme is None:
            raise Refused([issue(loc, "invalid or missing URL scheme", "value_error.url.scheme")])
        if scheme.lower() not in URL_SCHEMES:
            raise Refused(
                [
                    issue(
                        loc,
                        "URL scheme not permitted",
                        "value_error.url.scheme",
                        {"allowed_schemes": list(URL_SCHEMES)},
                    )
                ]
            )
        if parts["port"] is not None and int(parts["port"]) > 65_535:
            raise Refused(
                [issue(loc, "URL port invalid, port cannot exceed 65535", "value_error.url.port")]
            )
        host = parts["domain"] or parts["ipv4"] or parts["ipv6"]
        if not host:
            raise Refused([issue(loc, "URL host invalid", "value_error.url.host")])
        punycode = None
        tld_missing = False
        if parts["domain"]:
            ascii_host = _ASCII_HOST.fullmatch(host)
            int_host = _INT_HOST.fullmatch(host)
            if ascii_host is None and int_host is None:
                raise Refused([issue(loc, "URL host invalid", "value_error.url.host")])
            tld_missing = all(m is None or m["tld"] is None for m in (ascii_host, int_host))
            if ascii_host is None:
                try:
                    punycode = host.encode("idna").decode("ascii")
                except UnicodeError:  # a label too long or empty once encoded
                    raise Refused(
                        [issue(loc, "URL host invalid", "value_error.url.host")]
                    ) from None
        if found.end() != len(url):
            if tld_missing:  # refused either way: say it as the real server did
                raise Refused(
                    [
                        issue(
                            loc,
                            "URL host invalid, top level domain required",
                            "value_error.url.host",
                        )
                    ]
                )
            extra = url[found.end() :]
            raise Refused(
                [
                    issue(
                        loc,
                        f"URL invalid, extra characters found after valid URL: {extra!r}",
                        "value_error.url.extra",
                        {"extra": extra},
                    )
                ]
            )
        if punycode is not None:
            start, end = found.span("domain")
            url = url[:start] + punycode + url[end:]
        return url


# Names as the core stores them: the real server also took "" and up to 255 characters.
NAME = String(min_length=1, max_length=200)


# Forms ---------------------------------------------------------------------------------


_FIELDS: dict[type, list[tuple[str, Kind, bool, bool]]] = {}


def _fields(form: type) -> list[tuple[str, Kind, bool, bool]]:
    """(name, kind, required, nullable) of each field, in declaration order.

    A form is a dataclass whose fields are ``Annotated[<type>, <Kind>]``: a field with
    no default is required, and one whose type admits None may be null. A null where
    it is not allowed is ``none is not an allowed value``, even when the field has a
    default, as in pydantic 1.
    """
    if form in _FIELDS:
        return _FIELDS[form]
    hints = typing.get_type_hints(form, include_extras=True)
    out = []
    for spec in dataclasses.fields(form):
        hint = hints[spec.name]
        kind = next(meta for meta in typing.get_args(hint) if isinstance(meta, Kind))
        nullable = type(None) in typing.get_args(typing.get_args(hint)[0])
        required = spec.default is dataclasses.MISSING
        out.append((spec.name, kind, required, nullable))
    _FIELDS[form] = out
    return out


def no_lookups(model: str, _number: int) -> Awaitable[Any]:
    """The finder of checks that name no records."""
    raise AssertionError(f"this check names no {model} records")


async def parse(
    form: type[F], body: Any, find: Finder = no_lookups, issues: list[Issue] | None = None
) -> F | None:
    """``body`` as ``form`` (a dataclass of annotated fields, see ``_fields``), else None.

    Issues are appended to ``issues``, after any the caller found in the path or query,
    so the whole list reads as FastAPI 0.63's for the same request.
    """
    found: list[Issue] = issues if issues is not None else []
    if body is None:
        found.append(missing(["body"]))
        return None
    if not isinstance(body, dict):
        # A JSON array of pairs (or of two-character strings) was read as a dict.
        try:
            body = dict(body)
        except (TypeError, ValueError):
            found.append(not_dict(["body"]))
            return None
        if not all(isinstance(key, str) for key in body):
            found.append(issue(["body"], "keywords must be strings", "type_error"))
            return None
    values: dict[str, Any] = {}
    before = len(found)
    for name, kind, required, nullable in _fields(form):
        loc: Loc = ["body", name]
        if name not in body:
            if required:
                found.append(missing(loc))
            continue
        value = body[name]
        if value is None:
            if nullable:
                values[name] = None
            else:
                found.append(none_not_allowed(loc))
            continue
        try:
            values[name] = await kind.check(value, loc, find)
        except Refused as exc:
            found.extend(exc.issues)
    if len(found) > before:
        return None
    return form(**values)


async def param(kind: Kind, raw: str | None, loc: Loc, find: Finder, issues: list[Issue]) -> Any:
    """A path or query parameter (None when an optional query parameter is absent)."""
    if raw is None:
        return None
    try:
        return await kind.check(raw, loc, find)
    except Refused as exc:
        issues.extend(exc.issues)
        return None


def raise_if(issues: list[Issue]) -> None:
    if issues:
        raise invalid(issues)
