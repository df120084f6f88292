"""A Python client for RunSignup's REST API (and Podium's copy of it), built on httpx.

``RunSignupClient`` and ``AsyncRunSignupClient`` build every request with the same
``_Request`` builders and read every answer with the same parser, so they differ
only in whether they await. Conventions RunSignup imposes, handled here once:

* responses are asked for as JSON (``format=json``); errors arrive in band as HTTP
  200 with an ``error`` object and are raised as ``RunSignupError`` subclasses;
* POSTs carry their payload as the form field ``request`` (a JSON or XML string),
  with ``event_id`` and the other ids beside it;
* credentials are query parameters (``api_key``/``api_secret``, ``tmp_key``/
  ``tmp_secret``, ``rsu_api_key`` with the ``X-RSU-API-SECRET`` header) or a Bearer
  token; temporary keys expire, so a client that logged in with ``login()`` logs in
  again once when a call fails with code 6 and repeats the call;
* lists are paged with a 1-based ``page`` and ``results_per_page``; the client asks
  for page after page until one comes back short.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import Any, Generic, Literal, Self, TypeVar
from xml.etree.ElementTree import Element, tostring

import httpx

from podium import __version__
from podium.dialects.runsignup import wire
from podium.dialects.runsignup.errors import RunSignupError, ServerError, error_from_body
from podium.dialects.runsignup.models import (
    FullResultsReceipt,
    Login,
    Participant,
    Race,
    ResultSet,
    ShapeError,
    VirtualResult,
    VirtualResultReceipt,
    participants_from_json,
)

__all__ = ["DEFAULT_BASE_URL", "AsyncRunSignupClient", "RunSignupClient"]

T = TypeVar("T")

DEFAULT_BASE_URL = "https://runsignup.com/Rest"
RequestFormat = Literal["json", "xml"]
Timeout = float | httpx.Timeout | None
Row = Mapping[str, Any]

# Page sizes: the documented maxima of results_per_page. Asking for more would make a
# full page look short (the server caps it) and end the listing early.
MAX_RACES_PER_PAGE = 1000
MAX_PARTICIPANTS_PER_PAGE = 2500
MAX_RESULTS_PER_PAGE = 2500


# ---- credentials ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Auth:
    """One of RunSignup's credential forms, and where each part goes on the wire.

    Secrets stay out of ``repr`` so that a logged client cannot leak them.
    """

    api_key: str | None = None
    api_secret: str | None = field(default=None, repr=False)
    tmp_key: str | None = None
    tmp_secret: str | None = field(default=None, repr=False)
    v2_param: str | None = None  # "rsu_api_key" or "sp_api_key"
    v2_key: str | None = None
    bearer_token: str | None = field(default=None, repr=False)

    def params(self) -> dict[str, str]:
        if self.api_key and self.api_secret:
            return {"api_key": self.api_key, "api_secret": self.api_secret}
        if self.tmp_key and self.tmp_secret:
            return {"tmp_key": self.tmp_key, "tmp_secret": self.tmp_secret}
        if self.v2_param and self.v2_key:
            return {self.v2_param: self.v2_key}
        return {}

    def headers(self) -> dict[str, str]:
        if self.v2_key and self.api_secret:
            return {"X-RSU-API-SECRET": self.api_secret}
        if self.bearer_token:
            return {"Authorization": f"Bearer {self.bearer_token}"}
        return {}


def _auth(
    api_key: str | None,
    api_secret: str | None,
    tmp_key: str | None,
    tmp_secret: str | None,
    rsu_api_key: str | None,
    sp_api_key: str | None,
    bearer_token: str | None,
) -> _Auth:
    """The one credential form given, refusing mixes and half pairs before any request."""
    forms = [
        name
        for name, given in (
            ("api_key", api_key),
            ("tmp_key", tmp_key or tmp_secret),
            ("rsu_api_key", rsu_api_key),
            ("sp_api_key", sp_api_key),
            ("bearer_token", bearer_token),
        )
        if given
    ]
    if len(forms) > 1:
        raise ValueError(f"give one credential form, not {' and '.join(forms)}")
    if api_secret and not (api_key or rsu_api_key or sp_api_key):
        raise ValueError("api_secret goes with api_key, rsu_api_key or sp_api_key")
    if (api_key or rsu_api_key or sp_api_key) and not api_secret:
        raise ValueError("an API key needs its api_secret")
    if bool(tmp_key) != bool(tmp_secret):
        raise ValueError("tmp_key and tmp_secret go together")
    if rsu_api_key or sp_api_key:
        param = "rsu_api_key" if rsu_api_key else "sp_api_key"
        return _Auth(api_secret=api_secret, v2_param=param, v2_key=rsu_api_key or sp_api_key)
    return _Auth(api_key, api_secret, tmp_key, tmp_secret, bearer_token=bearer_token)


# ---- requests ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Request(Generic[T]):
    """One API call as data: where it goes, what it carries, and how to read the answer.

    ``params`` go in the query and ``data`` in a form body; credentials and
    ``format=json`` are added when it is sent, so a retry after a new login picks up
    the new temporary key.
    """

    method: str
    path: str
    parse: Callable[[Any], T]
    params: Mapping[str, str] = field(default_factory=dict)
    data: Mapping[str, str] | None = None
    authenticated: bool = True
    relogin: bool = True


def _id(value: int, name: str) -> int:
    # Ids go into paths: refuse anything but an int ("../login", True, "12").
    if not isinstance(value, int) or isinstance(value, bool):
        raise TypeError(f"{name} is an int, not {type(value).__name__}")
    return value


def _opt_id(value: int | None, name: str) -> int | None:
    return None if value is None else _id(value, name)


def _text(value: Any) -> str:
    """A parameter value as RunSignup reads it: T/F booleans, comma lists, ISO dates."""
    if isinstance(value, bool):
        return wire.flag(value)
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")  # RunSignup's datetime: 24 h, no zone
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, list | tuple | set | frozenset):
        return ",".join(_text(item) for item in value)
    return str(value)


def _params(values: Mapping[str, Any]) -> dict[str, str]:
    """Wire parameters from keywords, leaving out the unset (None) ones."""
    return {key: _text(value) for key, value in values.items() if value is not None}


def _fields(values: Mapping[str, Any]) -> dict[str, Any]:
    """Fields of a JSON request: booleans as T/F, the rest as given (None stays null)."""
    return {key: wire.flag(v) if isinstance(v, bool) else v for key, v in values.items()}


def _page_size(value: int, maximum: int) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= maximum:
        raise ValueError(f"page_size is an int from 1 to {maximum}, not {value!r}")
    return value


def _rows(results: Iterable[VirtualResult | Row]) -> list[dict[str, Any]]:
    out = []
    for item in results:
        if isinstance(item, VirtualResult):
            out.append(item.to_json())
        elif isinstance(item, Mapping):
            out.append(dict(item))  # only the keys present are sent: absent != null
        else:
            raise TypeError(f"a result is a dict or a VirtualResult, not {type(item).__name__}")
    return out


def _xml_rows(child: str, rows: list[dict[str, Any]]) -> str:
    """``<request><child>…</child>…</request>``, each row in wire's XML conventions.

    A None value becomes an empty element, which RunSignup reads as null.
    """
    request = Element("request")
    for row in rows:
        request.append(wire.parse_xml(wire.to_xml(child, row)))
    return tostring(request, encoding="unicode")


def _payload(key: str, child: str, rows: list[dict[str, Any]], fmt: RequestFormat) -> str:
    if fmt == "json":
        return json.dumps({key: rows}, separators=(",", ":"))
    if fmt == "xml":
        return _xml_rows(child, rows)
    raise ValueError(f"request_format is 'json' or 'xml', not {fmt!r}")


def _results_path(race_id: int, action: str) -> str:
    return f"/race/{_id(race_id, 'race_id')}/results/{action}"


def _upload_form(
    event_id: int, individual_result_set_id: int | None, fmt: RequestFormat, request: str
) -> dict[str, str]:
    return _params(
        {
            "event_id": _id(event_id, "event_id"),
            "individual_result_set_id": _opt_id(individual_result_set_id, "result set id"),
            "request_format": fmt,
            "request": request,
        }
    )


def _set_id(body: Any) -> int:
    if not isinstance(body, dict) or body.get("individual_result_set_id") in (None, ""):
        raise ShapeError("the answer has no individual_result_set_id")
    return int(body["individual_result_set_id"])


def _cleared(body: Any) -> int:
    if not isinstance(body, dict) or body.get("num_results_cleared") is None:
        raise ShapeError("the answer has no num_results_cleared")
    return int(body["num_results_cleared"])


def _nothing(_body: Any) -> None:
    return None


def _races(body: Any) -> list[Race]:
    if not isinstance(body, dict) or not isinstance(body.get("races"), list | type(None)):
        raise ShapeError("the answer has no races list")
    return [Race.from_json(item) for item in body.get("races") or []]


class _Calls:
    """The request builders; both clients send exactly these."""

    @staticmethod
    def login(email: str, password: str) -> _Request[Login]:
        form = {"email": email, "password": password}
        return _Request(
            "POST", "/login", Login.from_json, data=form, authenticated=False, relogin=False
        )

    @staticmethod
    def logout() -> _Request[None]:
        return _Request("POST", "/logout", _nothing, data={}, relogin=False)

    @staticmethod
    def races(page: int, per_page: int, filters: Mapping[str, Any]) -> _Request[list[Race]]:
        params = _params({**filters, "page": page, "results_per_page": per_page})
        return _Request("GET", "/races", _races, params)

    @staticmethod
    def race(race_id: int, filters: Mapping[str, Any]) -> _Request[Race]:
        return _Request("GET", f"/race/{_id(race_id, 'race_id')}", Race.from_json, _params(filters))

    @staticmethod
    def participants(
        race_id: int,
        event_id: int | Sequence[int],
        page: int,
        per_page: int,
        filters: Mapping[str, Any],
    ) -> _Request[list[Participant]]:
        events = [event_id] if isinstance(event_id, int) else list(event_id)
        params = _params(
            {
                **filters,
                "event_id": [_id(e, "event_id") for e in events],
                "page": page,
                "results_per_page": per_page,
            }
        )
        path = f"/race/{_id(race_id, 'race_id')}/participants"
        return _Request("GET", path, participants_from_json, params)

    @staticmethod
    def user_results(
        race_id: int,
        event_id: int,
        results: Iterable[VirtualResult | Row],
        individual_result_set_id: int | None,
        fmt: RequestFormat,
    ) -> _Request[list[VirtualResultReceipt]]:
        request = _payload("virtual_results", "virtual_result", _rows(results), fmt)
        return _Request(
            "POST",
            _results_path(race_id, "user-results"),
            VirtualResultReceipt.list_from_json,
            data=_upload_form(event_id, individual_result_set_id, fmt, request),
        )

    @staticmethod
    def full_results(
        race_id: int,
        event_id: int,
        results: Iterable[Row],
        individual_result_set_id: int | None,
        fmt: RequestFormat,
    ) -> _Request[FullResultsReceipt]:
        request = _payload("results", "result", _rows(results), fmt)
        return _Request(
            "POST",
            _results_path(race_id, "full-results"),
            FullResultsReceipt.from_json,
            data=_upload_form(event_id, individual_result_set_id, fmt, request),
        )

    @staticmethod
    def results(
        race_id: int,
        event_id: int,
        individual_result_set_id: int | None,
        page: int,
        per_page: int,
        filters: Mapping[str, Any],
    ) -> _Request[list[ResultSet]]:
        params = _params(
            {
                **filters,
                "event_id": _id(event_id, "event_id"),
                "individual_result_set_id": _opt_id(individual_result_set_id, "result set id"),
                "page": page,
                "results_per_page": per_page,
            }
        )
        return _Request(
            "GET", _results_path(race_id, "get-results"), ResultSet.list_from_json, params
        )

    @staticmethod
    def result_sets(
        race_id: int, event_id: int, filters: Mapping[str, Any]
    ) -> _Request[list[ResultSet]]:
        params = _params({**filters, "event_id": _id(event_id, "event_id")})
        return _Request(
            "GET", _results_path(race_id, "get-result-sets"), ResultSet.list_from_json, params
        )

    @staticmethod
    def set_action(
        race_id: int,
        action: str,
        event_id: int,
        individual_result_set_id: int | None,
        parse: Callable[[Any], T],
        request: Mapping[str, Any] | None = None,
    ) -> _Request[T]:
        form: dict[str, Any] = {
            "event_id": _id(event_id, "event_id"),
            "individual_result_set_id": individual_result_set_id,
        }
        if request is not None:
            form["request_format"] = "json"
            form["request"] = json.dumps(_fields(request), separators=(",", ":"))
        return _Request("POST", _results_path(race_id, action), parse, data=_params(form))

    @staticmethod
    def new_result_set(
        race_id: int, event_id: int, name: str, fields: Mapping[str, Any]
    ) -> _Request[int]:
        request = {"individual_result_set_name": name, **fields}
        return _Calls.set_action(race_id, "new-result-set", event_id, None, _set_id, request)

    @staticmethod
    def edit_result_set(
        race_id: int,
        event_id: int,
        individual_result_set_id: int,
        name: str | None,
        fields: Mapping[str, Any],
    ) -> _Request[int]:
        request = dict(fields)
        if name is not None:
            request["individual_result_set_name"] = name
        set_id = _id(individual_result_set_id, "individual_result_set_id")
        return _Calls.set_action(race_id, "edit-result-set", event_id, set_id, _set_id, request)

    @staticmethod
    def delete_result_set(
        race_id: int, event_id: int, individual_result_set_id: int
    ) -> _Request[None]:
        set_id = _id(individual_result_set_id, "individual_result_set_id")
        return _Calls.set_action(race_id, "delete-result-set", event_id, set_id, _nothing)

    @staticmethod
    def clear_results(race_id: int, event_id: int, individual_result_set_id: int) -> _Request[int]:
        set_id = _id(individual_result_set_id, "individual_result_set_id")
        return _Calls.set_action(race_id, "clear-results", event_id, set_id, _cleared)


# ---- paging --------------------------------------------------------------------------


class _Pager(Generic[T]):
    """Pages 1, 2, … of a listing until a page comes back short.

    ``size`` measures a page against ``page_size``; ``keys`` names its items, and a
    page holding only items already seen ends the listing too, so a server that
    ignores ``page`` cannot make the client loop forever.
    """

    def __init__(
        self,
        make: Callable[[int], _Request[list[T]]],
        page_size: int,
        size: Callable[[list[T]], int] = len,
        keys: Callable[[list[T]], list[Any]] | None = None,
    ) -> None:
        self._make = make
        self._page_size = page_size
        self._size = size
        self._keys = keys
        self._seen: set[Any] = set()
        self._page = 1
        self._done = False

    def request(self) -> _Request[list[T]] | None:
        return None if self._done else self._make(self._page)

    def take(self, items: list[T]) -> list[T]:
        """The page's items to hand out; decides whether another page is asked for."""
        self._page += 1
        self._done = self._size(items) < self._page_size
        if self._keys is not None:
            keys = [k for k in self._keys(items) if k is not None]
            if keys and all(k in self._seen for k in keys):
                self._done = True
                return []
            self._seen.update(keys)
        return items


def _longest_set(sets: list[ResultSet]) -> int:
    return max((len(s.results) for s in sets), default=0)


def _result_keys(sets: list[ResultSet]) -> list[Any]:
    return [
        (s.individual_result_set_id, row["result_id"])
        for s in sets
        for row in s.results
        if row.get("result_id") is not None
    ]


def _results_pager(
    race_id: int,
    event_id: int,
    individual_result_set_id: int | None,
    page_size: int,
    filters: Mapping[str, Any],
) -> _Pager[ResultSet]:
    size = _page_size(page_size, MAX_RESULTS_PER_PAGE)
    return _Pager(
        lambda page: _Calls.results(
            race_id, event_id, individual_result_set_id, page, size, filters
        ),
        size,
        _longest_set,
        _result_keys,
    )


def _merge_sets(chunks: Iterable[ResultSet]) -> list[ResultSet]:
    """Pages of result sets as whole sets: each set once, its rows in page order."""
    merged: dict[int, ResultSet] = {}
    for chunk in chunks:
        found = merged.get(chunk.individual_result_set_id)
        if found is None:
            merged[chunk.individual_result_set_id] = replace(chunk, results=list(chunk.results))
        else:
            found.results.extend(chunk.results)
    return list(merged.values())


# ---- the parts both clients share ----------------------------------------------------


def _parse(call: _Request[T], response: httpx.Response) -> T:
    """The call's result, or the error the response carries."""
    status = response.status_code
    body: Any = None
    readable = False
    if response.content:
        try:
            body = response.json()
            readable = True
        except ValueError:
            readable = False
    error = error_from_body(body, status) if readable else None
    if error is not None:
        raise error
    where = f"{call.method} {call.path}"
    if not response.is_success:
        snippet = response.text[:200].strip()
        raise ServerError(
            wire.UNKNOWN_ERROR,
            f"{where}: HTTP {status}" + (f": {snippet}" if snippet else ""),
            http_status=status,
        )
    if not readable:
        raise ServerError(
            wire.UNKNOWN_ERROR, f"{where}: the response is not JSON", http_status=status
        )
    try:
        return call.parse(body)
    except (ShapeError, KeyError, TypeError, ValueError) as exc:
        raise ServerError(
            wire.UNKNOWN_ERROR, f"{where}: unexpected response: {exc}", http_status=status
        ) from exc


def _default_headers() -> dict[str, str]:
    return {"Accept": "application/json", "User-Agent": f"podium-runsignup/{__version__}"}


class _Core:
    """Credentials, login state and request assembly: everything but the sending."""

    def __init__(
        self,
        base_url: str,
        api_key: str | None,
        api_secret: str | None,
        tmp_key: str | None,
        tmp_secret: str | None,
        rsu_api_key: str | None,
        sp_api_key: str | None,
        bearer_token: str | None,
    ) -> None:
        self._auth = _auth(
            api_key, api_secret, tmp_key, tmp_secret, rsu_api_key, sp_api_key, bearer_token
        )
        self._base_url = base_url.rstrip("/")
        # (email, password) once login() succeeded: what a re-login after code 6 uses.
        self._remembered: tuple[str, str] | None = None

    @property
    def base_url(self) -> str:
        return self._base_url

    @property
    def tmp_key(self) -> str | None:
        return self._auth.tmp_key

    @property
    def tmp_secret(self) -> str | None:
        return self._auth.tmp_secret

    def _build(self, http: httpx.Client | httpx.AsyncClient, call: _Request[Any]) -> httpx.Request:
        params = {"format": "json", **call.params}
        headers: dict[str, str] = {}
        if call.authenticated:
            params.update(self._auth.params())
            headers.update(self._auth.headers())
        return http.build_request(
            call.method, call.path, params=params, data=call.data, headers=headers
        )

    def _check_login_allowed(self) -> None:
        if self._auth.api_key or self._auth.v2_key or self._auth.bearer_token:
            raise ValueError("login() gives temporary keys; this client already has credentials")

    def _logged_in(self, email: str, password: str, login: Login) -> Login:
        self._auth = _Auth(tmp_key=login.tmp_key, tmp_secret=login.tmp_secret)
        self._remembered = (email, password)
        return login

    def _check_logout_allowed(self) -> None:
        if not self._auth.tmp_key:
            raise ValueError("logout() ends a temporary key; this client has none")

    def _logged_out(self) -> None:
        self._auth = _Auth()
        self._remembered = None

    def _should_relogin(self, call: _Request[Any], error: RunSignupError, used: str | None) -> bool:
        """A code 6 on a call made with a temporary key that ``login()`` gave us."""
        return (
            error.error_code == wire.KEY_AUTH_FAILED
            and call.relogin
            and self._remembered is not None
            and used is not None
        )

    def _needs_new_key(self, used: str | None) -> bool:
        # Another call may already have logged in again since this one was sent.
        return self._auth.tmp_key == used


# ---- the blocking client -------------------------------------------------------------


class RunSignupClient(_Core):
    """A blocking client for one RunSignup (or Podium ``/Rest``) server.

    Give at most one credential form: ``api_key`` + ``api_secret``; ``tmp_key`` +
    ``tmp_secret``; ``rsu_api_key`` (or ``sp_api_key``) + ``api_secret`` (sent as the
    ``X-RSU-API-SECRET`` header); ``bearer_token``; or none for public reads (and
    then ``login()``). ``transport`` is handed to httpx (tests pass a mock).
    """

    def __init__(
        self,
        base_url: str = DEFAULT_BASE_URL,
        *,
        api_key: str | None = None,
        api_secret: str | None = None,
        tmp_key: str | None = None,
        tmp_secret: str | None = None,
        rsu_api_key: str | None = None,
        sp_api_key: str | None = None,
        bearer_token: str | None = None,
        timeout: Timeout = 30.0,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        super().__init__(
            base_url,
            api_key,
            api_secret,
            tmp_key,
            tmp_secret,
            rsu_api_key,
            sp_api_key,
            bearer_token,
        )
        self._http = httpx.Client(
            base_url=self._base_url,
            headers=_default_headers(),
            timeout=timeout,
            transport=transport,
        )

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def _send(self, call: _Request[T]) -> T:
        used = self._auth.tmp_key
        try:
            return self._send_once(call)
        except RunSignupError as error:
            if not self._should_relogin(call, error, used):
                raise
        assert self._remembered is not None
        if self._needs_new_key(used):
            self.login(*self._remembered)
        return self._send_once(call)

    def _send_once(self, call: _Request[T]) -> T:
        response = self._http.send(self._build(self._http, call))
        return _parse(call, response)

    def _pages(self, pager: _Pager[T]) -> Iterator[T]:
        while (call := pager.request()) is not None:
            yield from pager.take(self._send(call))

    # Auth

    def login(self, email: str, password: str) -> Login:
        """Get a temporary key pair; later calls use it, and a new one when it expires."""
        self._check_login_allowed()
        login = self._send(_Calls.login(email, password))
        return self._logged_in(email, password, login)

    def logout(self) -> None:
        """End the temporary key; the client forgets it (and the login) even if refused."""
        self._check_logout_allowed()
        try:
            self._send(_Calls.logout())
        finally:
            self._logged_out()

    # Races and participants

    def get_races(self, *, page_size: int = 100, **filters: Any) -> list[Race]:
        """Every race the listing holds (``events=True`` includes their events)."""
        return list(self.iter_races(page_size=page_size, **filters))

    def iter_races(self, *, page_size: int = 100, **filters: Any) -> Iterator[Race]:
        size = _page_size(page_size, MAX_RACES_PER_PAGE)
        pager = _Pager(
            lambda page: _Calls.races(page, size, filters),
            size,
            keys=lambda races: [r.race_id for r in races],
        )
        return self._pages(pager)

    def get_race(self, race_id: int, **filters: Any) -> Race:
        return self._send(_Calls.race(race_id, filters))

    def get_participants(
        self,
        race_id: int,
        event_id: int | Sequence[int],
        *,
        page_size: int = 100,
        **filters: Any,
    ) -> list[Participant]:
        """Every registration of the event(s), all pages (``sort``, ``include_…`` pass through)."""
        return list(self.iter_participants(race_id, event_id, page_size=page_size, **filters))

    def iter_participants(
        self,
        race_id: int,
        event_id: int | Sequence[int],
        *,
        page_size: int = 100,
        **filters: Any,
    ) -> Iterator[Participant]:
        size = _page_size(page_size, MAX_PARTICIPANTS_PER_PAGE)
        pager = _Pager(
            lambda page: _Calls.participants(race_id, event_id, page, size, filters),
            size,
            keys=lambda found: [(p.event_id, p.registration_id) for p in found],
        )
        return self._pages(pager)

    # Posting results

    def post_user_results(
        self,
        race_id: int,
        event_id: int,
        results: Iterable[VirtualResult | Row],
        individual_result_set_id: int | None = None,
        request_format: RequestFormat = "json",
    ) -> list[VirtualResultReceipt]:
        """Post user-submitted virtual results; dict rows are sent with exactly their keys."""
        return self._send(
            _Calls.user_results(
                race_id, event_id, results, individual_result_set_id, request_format
            )
        )

    def post_full_results(
        self,
        race_id: int,
        event_id: int,
        results: Iterable[Row],
        individual_result_set_id: int | None = None,
        request_format: RequestFormat = "json",
    ) -> FullResultsReceipt:
        """Post timer results; a row with ``result_id`` edits that result instead of adding."""
        return self._send(
            _Calls.full_results(
                race_id, event_id, results, individual_result_set_id, request_format
            )
        )

    # Reading results

    def get_results(
        self,
        race_id: int,
        event_id: int,
        individual_result_set_id: int | None = None,
        page_size: int = 100,
        **filters: Any,
    ) -> list[ResultSet]:
        """Every set of the event (or the one named) with all its rows, all pages merged."""
        return _merge_sets(
            self.iter_results(race_id, event_id, individual_result_set_id, page_size, **filters)
        )

    def iter_results(
        self,
        race_id: int,
        event_id: int,
        individual_result_set_id: int | None = None,
        page_size: int = 100,
        **filters: Any,
    ) -> Iterator[ResultSet]:
        """Result sets page by page: each yielded set holds that page's rows only."""
        pager = _results_pager(race_id, event_id, individual_result_set_id, page_size, filters)
        return self._pages(pager)

    def get_result_sets(self, race_id: int, event_id: int, **filters: Any) -> list[ResultSet]:
        """The event's result sets without rows."""
        return self._send(_Calls.result_sets(race_id, event_id, filters))

    # Result sets

    def new_result_set(self, race_id: int, event_id: int, name: str, **fields: Any) -> int:
        """Create a set; fields left out take RunSignup's defaults. Returns its id."""
        return self._send(_Calls.new_result_set(race_id, event_id, name, fields))

    def edit_result_set(
        self,
        race_id: int,
        event_id: int,
        individual_result_set_id: int,
        *,
        name: str | None = None,
        **fields: Any,
    ) -> int:
        """Change a set's settings; RunSignup resets the settings not given to defaults."""
        return self._send(
            _Calls.edit_result_set(race_id, event_id, individual_result_set_id, name, fields)
        )

    def delete_result_set(self, race_id: int, event_id: int, individual_result_set_id: int) -> None:
        self._send(_Calls.delete_result_set(race_id, event_id, individual_result_set_id))

    def clear_results(self, race_id: int, event_id: int, individual_result_set_id: int) -> int:
        """Empty a set (keeping it); returns how many results were removed."""
        return self._send(_Calls.clear_results(race_id, event_id, individual_result_set_id))


# ---- the async client ----------------------------------------------------------------


class AsyncRunSignupClient(_Core):
    """``RunSignupClient`` for asyncio: the same methods, as coroutines (and async iterators)."""

    def __init__(
        self,
        base_url: str = DEFAULT_BASE_URL,
        *,
        api_key: str | None = None,
        api_secret: str | None = None,
        tmp_key: str | None = None,
        tmp_secret: str | None = None,
        rsu_api_key: str | None = None,
        sp_api_key: str | None = None,
        bearer_token: str | None = None,
        timeout: Timeout = 30.0,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        super().__init__(
            base_url,
            api_key,
            api_secret,
            tmp_key,
            tmp_secret,
            rsu_api_key,
            sp_api_key,
            bearer_token,
        )
        self._http = httpx.AsyncClient(
            base_url=self._base_url,
            headers=_default_headers(),
            timeout=timeout,
            transport=transport,
        )

    async def close(self) -> None:
        await self._http.aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()

    async def _send(self, call: _Request[T]) -> T:
        used = self._auth.tmp_key
        try:
            return await self._send_once(call)
        except RunSignupError as error:
            if not self._should_relogin(call, error, used):
                raise
        assert self._remembered is not None
        if self._needs_new_key(used):
            await self.login(*self._remembered)
        return await self._send_once(call)

    async def _send_once(self, call: _Request[T]) -> T:
        response = await self._http.send(self._build(self._http, call))
        return _parse(call, response)

    async def _pages(self, pager: _Pager[T]) -> AsyncIterator[T]:
        while (call := pager.request()) is not None:
            for item in pager.take(await self._send(call)):
                yield item

    # Auth

    async def login(self, email: str, password: str) -> Login:
        """Get a temporary key pair; later calls use it, and a new one when it expires."""
        self._check_login_allowed()
        login = await self._send(_Calls.login(email, password))
        return self._logged_in(email, password, login)

    async def logout(self) -> None:
        """End the temporary key; the client forgets it (and the login) even if refused."""
        self._check_logout_allowed()
        try:
            await self._send(_Calls.logout())
        finally:
            self._logged_out()

    # Races and participants

    async def get_races(self, *, page_size: int = 100, **filters: Any) -> list[Race]:
        """Every race the listing holds (``events=True`` includes their events)."""
        return [race async for race in self.iter_races(page_size=page_size, **filters)]

    def iter_races(self, *, page_size: int = 100, **filters: Any) -> AsyncIterator[Race]:
        size = _page_size(page_size, MAX_RACES_PER_PAGE)
        pager = _Pager(
            lambda page: _Calls.races(page, size, filters),
            size,
            keys=lambda races: [r.race_id for r in races],
        )
        return self._pages(pager)

    async def get_race(self, race_id: int, **filters: Any) -> Race:
        return await self._send(_Calls.race(race_id, filters))

    async def get_participants(
        self,
        race_id: int,
        event_id: int | Sequence[int],
        *,
        page_size: int = 100,
        **filters: Any,
    ) -> list[Participant]:
        """Every registration of the event(s), all pages (``sort``, ``include_…`` pass through)."""
        return [
            p
            async for p in self.iter_participants(race_id, event_id, page_size=page_size, **filters)
        ]

    def iter_participants(
        self,
        race_id: int,
        event_id: int | Sequence[int],
        *,
        page_size: int = 100,
        **filters: Any,
    ) -> AsyncIterator[Participant]:
        size = _page_size(page_size, MAX_PARTICIPANTS_PER_PAGE)
        pager = _Pager(
            lambda page: _Calls.participants(race_id, event_id, page, size, filters),
            size,
            keys=lambda found: [(p.event_id, p.registration_id) for p in found],
        )
        return self._pages(pager)

    # Posting results

    async def post_user_results(
        self,
        race_id: int,
        event_id: int,
        results: Iterable[VirtualResult | Row],
        individual_result_set_id: int | None = None,
        request_format: RequestFormat = "json",
    ) -> list[VirtualResultReceipt]:
        """Post user-submitted virtual results; dict rows are sent with exactly their keys."""
        return await self._send(
            _Calls.user_results(
                race_id, event_id, results, individual_result_set_id, request_format
            )
        )

    async def post_full_results(
        self,
        race_id: int,
        event_id: int,
        results: Iterable[Row],
        individual_result_set_id: int | None = None,
        request_format: RequestFormat = "json",
    ) -> FullResultsReceipt:
        """Post timer results; a row with ``result_id`` edits that result instead of adding."""
        return await self._send(
            _Calls.full_results(
                race_id, event_id, results, individual_result_set_id, request_format
            )
        )

    # Reading results

    async def get_results(
        self,
        race_id: int,
        event_id: int,
        individual_result_set_id: int | None = None,
        page_size: int = 100,
        **filters: Any,
    ) -> list[ResultSet]:
        """Every set of the event (or the one named) with all its rows, all pages merged."""
        chunks = [
            chunk
            async for chunk in self.iter_results(
                race_id, event_id, individual_result_set_id, page_size, **filters
            )
        ]
        return _merge_sets(chunks)

    def iter_results(
        self,
        race_id: int,
        event_id: int,
        individual_result_set_id: int | None = None,
        page_size: int = 100,
        **filters: Any,
    ) -> AsyncIterator[ResultSet]:
        """Result sets page by page: each yielded set holds that page's rows only."""
        pager = _results_pager(race_id, event_id, individual_result_set_id, page_size, filters)
        return self._pages(pager)

    async def get_result_sets(self, race_id: int, event_id: int, **filters: Any) -> list[ResultSet]:
        """The event's result sets without rows."""
        return await self._send(_Calls.result_sets(race_id, event_id, filters))

    # Result sets

    async def new_result_set(self, race_id: int, event_id: int, name: str, **fields: Any) -> int:
        """Create a set; fields left out take RunSignup's defaults. Returns its id."""
        return await self._send(_Calls.new_result_set(race_id, event_id, name, fields))

    async def edit_result_set(
        self,
        race_id: int,
        event_id: int,
        individual_result_set_id: int,
        *,
        name: str | None = None,
        **fields: Any,
    ) -> int:
        """Change a set's settings; RunSignup resets the settings not given to defaults."""
        return await self._send(
            _Calls.edit_result_set(race_id, event_id, individual_result_set_id, name, fields)
        )

    async def delete_result_set(
        self, race_id: int, event_id: int, individual_result_set_id: int
    ) -> None:
        await self._send(_Calls.delete_result_set(race_id, event_id, individual_result_set_id))

    async def clear_results(
        self, race_id: int, event_id: int, individual_result_set_id: int
    ) -> int:
        """Empty a set (keeping it); returns how many results were removed."""
        return await self._send(_Calls.clear_results(race_id, event_id, individual_result_set_id))
