"""A timer-side client for the MultiGP RaceSync web service (and Podium's copy of it).

``MultiGPAPI`` offers the six calls a RotorHazard timer makes, with the same names,
arguments and return conventions as the MultiGP Toolkit's class of that name, so a
plugin can swap it in. What RaceSync imposes, handled here once:

* every call is a JSON body carrying ``apiKey``; ids go in the query or as path pairs;
* reads are POSTs and the two result pushes are PUTs;
* the answer is an envelope whose ``status`` is ``true`` (or ``1``) on success, and the
  HTTP code says nothing the envelope does not, so it is ignored.

Failures never raise: a read gives None and a push gives False, and each is logged.
Unlike the Toolkit, which stops calling after one connection error until restarted,
every call retries connection errors and timeouts with a growing pause, and the
next call after that tries again, so a timer rides out a server restart.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping, Sequence
from types import TracebackType
from typing import Any, Literal, Self
from urllib.parse import quote, urlencode

import httpx

from podium import __version__

__all__ = ["BASE_API_URL", "MultiGPAPI"]

logger = logging.getLogger(__name__)

BASE_API_URL = "https://www.multigp.com/mgp/multigpwebservice"

RequestType = Literal["POST", "PUT"]
SlotCapture = tuple[str | int, int, int, int, dict[str, Any]]

# A proxy in front of a restarting server answers with these; worth a retry too.
_RETRY_HTTP_CODES = frozenset({502, 503, 504})
# Connection refused or reset, timeouts, a connection dropped mid-answer.
_RETRY_ERRORS = (httpx.TimeoutException, httpx.NetworkError, httpx.RemoteProtocolError)


def _failed() -> dict[str, Any]:
    return {"status": False}


def _succeeded(body: dict[str, Any]) -> bool:
    """RaceSync's ``status``: bool almost everywhere, int 1 from login; "0" is false."""
    status = body.get("status")
    if isinstance(status, str):
        return status.strip().lower() in ("1", "true")
    return isinstance(status, bool | int | float) and bool(status)


def _segment(value: str | int) -> str:
    # Ids go into paths: quote everything so "1/../x" cannot reach another action.
    return quote(str(value), safe="")


def _describe(body: dict[str, Any]) -> str:
    """The server's own reason for a failure, for the log."""
    text = body.get("statusDescription")
    if isinstance(text, str) and text:
        return text
    errors = body.get("errors")
    if isinstance(errors, dict):
        messages = [str(m) for v in errors.values() for m in (v if isinstance(v, list) else [v])]
        if messages:
            return "; ".join(messages)
    return "no reason given"


class MultiGPAPI:
    """The MultiGP RaceSync calls a race timer makes: import races, push results.

    ``rhapi`` is RotorHazard's API object, accepted so the class is a drop-in
    replacement; it is kept but not needed. ``retries`` is how many more attempts
    follow a connection error or timeout, pausing ``backoff`` seconds and doubling.
    ``transport`` replaces httpx's network transport (tests use a mock).

    One instance may be shared between threads: httpx's pool is thread-safe and
    the client keeps no per-call state besides the key and chapter id.
    """

    _api_key: str | None = None
    _chapter_id: int | None = None

    def __init__(
        self,
        rhapi: object | None = None,
        *,
        base_url: str = BASE_API_URL,
        timeout: float = 5.0,
        retries: int = 3,
        backoff: float = 0.5,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        if retries < 0 or backoff < 0:
            raise ValueError("retries and backoff cannot be negative")
        self._rhapi = rhapi
        self._base_url = base_url.rstrip("/")
        self._retries = retries
        self._backoff = backoff
        self._http = httpx.Client(
            timeout=timeout,
            transport=transport,
            headers={
                "Content-Type": "application/json",
                "Accept": "application/json",
                "User-Agent": f"podium-multigp/{__version__}",
            },
        )

    # ---- lifetime --------------------------------------------------------------------

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    # ---- transport -------------------------------------------------------------------

    def _request_and_parse(
        self, request_type: RequestType, url: str, json_request: dict[str, Any]
    ) -> dict[str, Any]:
        """Send one call and return its envelope, or ``{"status": False}`` if there is none.

        ``url`` is the path under the base URL, query included. The API key is added
        to the body unless the caller put one there.
        """
        body = {"apiKey": self._api_key, **json_request}
        if not body["apiKey"]:
            logger.warning("MultiGP API key is not set; not calling %s", url)
            return _failed()
        target = self._base_url + url
        attempt = 0
        while True:
            try:
                response = self._http.request(request_type, target, json=body)
            except _RETRY_ERRORS as error:
                problem = f"{type(error).__name__}: {error}"
            except httpx.HTTPError as error:
                logger.warning("MultiGP %s %s failed: %s", request_type, url, error)
                return _failed()
            else:
                if response.status_code not in _RETRY_HTTP_CODES:
                    return self._parse(request_type, url, response)
                problem = f"HTTP {response.status_code}"
            if attempt >= self._retries:
                logger.warning(
                    "MultiGP %s %s failed after %d attempt(s): %s",
                    request_type,
                    url,
                    attempt + 1,
                    problem,
                )
                return _failed()
            pause = self._backoff * 2**attempt
            logger.info("MultiGP %s %s: %s; retrying in %.1f s", request_type, url, problem, pause)
            if pause:
                time.sleep(pause)
            attempt += 1

    @staticmethod
    def _parse(request_type: str, url: str, response: httpx.Response) -> dict[str, Any]:
        try:
            parsed = response.json()
        except ValueError:  # JSONDecodeError, or bytes that are not text at all
            logger.warning(
                "MultiGP %s %s: HTTP %d answer is not JSON",
                request_type,
                url,
                response.status_code,
            )
            return _failed()
        if not isinstance(parsed, dict):
            logger.warning("MultiGP %s %s: answer is not a JSON object", request_type, url)
            return _failed()
        return parsed

    def _data(self, url: str, what: str) -> Any:
        """The ``data`` of a successful read, or None (logged) on any failure."""
        body = self._request_and_parse("POST", url, {})
        if not _succeeded(body):
            logger.warning("MultiGP could not %s: %s", what, _describe(body))
            return None
        return body.get("data")

    # ---- the Toolkit's calls -----------------------------------------------------------

    def set_api_key(self, api_key: str) -> None:
        """Use this chapter API key (the timer key from the chapter's RaceSync page)."""
        self._api_key = api_key.strip()

    def pull_chapter(self) -> str | None:
        """The name of the key's chapter, remembering its id; None if the key is not valid."""
        body = self._request_and_parse("POST", "/chapter/findChapterFromApiKey", {})
        if not _succeeded(body):
            logger.warning("MultiGP API key cannot be verified.")
            return None
        try:
            chapter_id = int(body["chapterId"])
            name = body["chapterName"]
        except (KeyError, TypeError, ValueError):
            logger.warning("MultiGP chapter answer lacks a usable chapterId or chapterName")
            return None
        self._chapter_id = chapter_id
        return str(name)

    def pull_races(self) -> dict[int, str] | None:
        """The chapter's races as ``{race id: name}``; None on failure.

        Needs the chapter id, so ``pull_chapter`` must have succeeded first.
        """
        if self._chapter_id is None:
            logger.warning("MultiGP races cannot be listed before the chapter is known")
            return None
        query = urlencode({"chapterId": self._chapter_id})
        data = self._data(f"/race/listForChapter?{query}", "list the chapter's races")
        if data is None:
            return None
        if not isinstance(data, list):
            logger.warning("MultiGP race list is not a list")
            return None
        races: dict[int, str] = {}
        for item in data:
            try:
                races[int(item["id"])] = str(item["name"])
            except (KeyError, TypeError, ValueError):
                logger.warning("MultiGP race list: skipping an item without id and name")
        return races

    def pull_race_data(self, race_id: str | int) -> dict[str, Any] | None:
        """The whole race (settings, ``entries``, ``schedule``); None on failure."""
        query = urlencode({"id": race_id})
        return self._object(self._data(f"/race/view?{query}", f"get race {race_id}"))

    def pull_additional_rounds(self, race_id: str | int, round_num: int) -> dict[str, Any] | None:
        """The ZippyQ rounds from ``round_num`` on, as ``{"rounds": [...]}``; None on failure.

        An empty ``rounds`` list means no round is ready yet. Each round's
        ``currentRound`` says which round it is, as the server may skip ahead.
        """
        query = urlencode({"id": race_id, "startFromRound": round_num})
        return self._object(
            self._data(
                f"/race/getAdditionalRounds?{query}",
                f"get rounds of race {race_id} from {round_num}",
            )
        )

    def push_slot_and_score(self, captured_data: SlotCapture) -> bool:
        """Send one pilot's result in one heat; whether the server took it.

        ``captured_data`` is ``(race_id, round_number, heat_number, slot_number,
        race_data)``, all numbers 1-based; ``race_data`` has ``pilotId`` (a string),
        ``totalLaps`` and the optional times and ``score``.
        """
        race_id, round_number, heat_number, slot_number, race_data = captured_data
        url = (
            f"/race/assignslot/id/{_segment(race_id)}/cycle/{_segment(round_number)}"
            f"/heat/{_segment(heat_number)}/slot/{_segment(slot_number)}"
        )
        body = self._request_and_parse("PUT", url, {"data": race_data})
        if _succeeded(body):
            return True
        logger.warning(
            "MultiGP did not take the result of race %s round %s heat %s slot %s: %s",
            race_id,
            round_number,
            heat_number,
            slot_number,
            _describe(body),
        )
        return False

    def push_overall_race_results(
        self, race_id: str | int, bracket_results: Sequence[Mapping[str, Any]]
    ) -> bool:
        """Send the final ranking; whether it was taken.

        Each item has ``pilotId`` and ``orderNumber`` (1 wins; None for a pilot
        listed without a place, as RotorHazard sends for one with no time).
        """
        query = urlencode({"id": race_id})
        data = {"raceId": race_id, "bracketResults": [dict(r) for r in bracket_results]}
        body = self._request_and_parse(
            "PUT", f"/race/captureOverallRaceResult?{query}", {"data": data}
        )
        ok = _succeeded(body)
        description = body.get("statusDescription")
        if ok:
            if description:
                logger.info("MultiGP overall results of race %s: %s", race_id, description)
            return True
        logger.warning(
            "MultiGP did not take the overall results of race %s: %s", race_id, _describe(body)
        )
        return False

    @staticmethod
    def _object(data: Any) -> dict[str, Any] | None:
        if data is None:
            return None
        if not isinstance(data, dict):
            logger.warning("MultiGP answer's data is not an object")
            return None
        return data
