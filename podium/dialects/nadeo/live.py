"""Nadeo's Live API (``live-services``): generic requests and the documented endpoints.

Every call needs a token with audience NadeoLiveServices; a wrong token raises
AudienceError (or UsageError) before anything is sent. Endpoints may be given with or
without the base URL and with or without one leading slash; a query string inside the
endpoint is kept and ``params`` are appended to it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import quote

from podium.dialects.nadeo import config
from podium.dialects.nadeo.auth import (
    AUDIENCE_LIVE,
    ServiceToken,
    WebServicesToken,
    check_token,
    parse,
)
from podium.dialects.nadeo.errors import ApiError, ParameterError, UsageError

MAX_LENGTH = 100
READABLE = 10_000
POSITION_BATCH = 50
INFO_BATCH = 100
PERSONAL_BEST = "Personal_Best"


def url(endpoint: str) -> str:
    """The full Live URL of ``endpoint`` (base URL and one leading slash optional)."""
    base = config.live_base_url.rstrip("/")
    if endpoint.startswith(base):
        endpoint = endpoint[len(base) :]
    if endpoint.startswith("/"):
        endpoint = endpoint[1:]
    return f"{base}/{endpoint}"


def _call(
    method: str,
    token: WebServicesToken,
    endpoint: str,
    params: Mapping[str, Any],
    body: Any,
) -> dict[str, Any] | list[Any]:
    checked = check_token(token, AUDIENCE_LIVE)
    return parse(checked.request(method, url(endpoint), params, body))


def get(
    token: WebServicesToken,
    endpoint: str,
    params: Mapping[str, Any] = {},
) -> dict[str, Any] | list[Any]:
    """Send a GET request to the Live API and return the response body."""
    return _call("GET", token, endpoint, params, None)


def head(
    token: WebServicesToken,
    endpoint: str,
    params: Mapping[str, Any] = {},
) -> dict[str, Any] | list[Any]:
    """Send a HEAD request to the Live API (an empty answer gives ``[]``)."""
    return _call("HEAD", token, endpoint, params, None)


def options(
    token: WebServicesToken,
    endpoint: str,
    params: Mapping[str, Any] = {},
    body: Mapping[str, Any] = {},
) -> dict[str, Any] | list[Any]:
    """Send an OPTIONS request to the Live API."""
    return _call("OPTIONS", token, endpoint, params, dict(body))


def delete(
    token: WebServicesToken,
    endpoint: str,
    params: Mapping[str, Any] = {},
    body: Mapping[str, Any] = {},
) -> dict[str, Any] | list[Any]:
    """Send a DELETE request to the Live API."""
    return _call("DELETE", token, endpoint, params, dict(body))


def patch(
    token: WebServicesToken,
    endpoint: str,
    params: Mapping[str, Any] = {},
    body: Mapping[str, Any] = {},
) -> dict[str, Any] | list[Any]:
    """Send a PATCH request to the Live API."""
    return _call("PATCH", token, endpoint, params, dict(body))


def post(
    token: WebServicesToken,
    endpoint: str,
    params: Mapping[str, Any] = {},
    body: Mapping[str, Any] = {},
) -> dict[str, Any] | list[Any]:
    """Send a POST request to the Live API."""
    return _call("POST", token, endpoint, params, dict(body))


def put(
    token: WebServicesToken,
    endpoint: str,
    params: Mapping[str, Any] = {},
    body: Mapping[str, Any] = {},
) -> dict[str, Any] | list[Any]:
    """Send a PUT request to the Live API."""
    return _call("PUT", token, endpoint, params, dict(body))


def _object(found: dict[str, Any] | list[Any]) -> dict[str, Any]:
    if isinstance(found, dict):
        return found
    if not found:
        return {}
    raise ApiError(200, found, "expected a JSON object")


def _seg(value: object) -> str:
    return quote(str(value), safe="")


def _page(length: int, offset: int) -> dict[str, int]:
    if length < 0 or offset < 0:
        raise ParameterError("length and offset must not be negative")
    return {"length": length, "offset": offset}


def _service(token: WebServicesToken, what: str) -> None:
    if not isinstance(token, ServiceToken):
        raise UsageError(f"{what} needs a ServiceToken")


def get_maps_totd(token: WebServicesToken, length: int = 1, offset: int = 0) -> dict[str, Any]:
    """Tracks of the Day by month, newest first (``offset`` months back from now)."""
    return _object(get(token, "api/token/campaign/month", _page(length, offset)))


def get_maps_royal(token: WebServicesToken, length: int = 51, offset: int = 0) -> dict[str, Any]:
    """Royal maps by month, newest first (``offset`` counts back from the current month)."""
    params: dict[str, Any] = {**_page(length, offset), "royal": "true"}
    return _object(get(token, "api/token/campaign/month", params))


def get_maps_seasonal(token: WebServicesToken, length: int = 1, offset: int = 0) -> dict[str, Any]:
    """Seasonal campaigns, newest first."""
    return _object(get(token, "api/campaign/official", _page(length, offset)))


def get_maps_weekly_short(
    token: WebServicesToken, length: int = 1, offset: int = 0
) -> dict[str, Any]:
    """Weekly Shorts campaigns by week, newest first."""
    return _object(get(token, "api/campaign/weekly-shorts", _page(length, offset)))


def get_maps_weekly_grand(
    token: WebServicesToken, length: int = 1, offset: int = 0
) -> dict[str, Any]:
    """Weekly Grands campaigns by week, newest first."""
    return _object(get(token, "api/campaign/weekly-grands", _page(length, offset)))


def get_club_campaign(token: WebServicesToken, club_id: int, campaign_id: int) -> dict[str, Any]:
    """A club's campaign by campaign ID (not activity ID)."""
    return _object(get(token, f"api/token/club/{_seg(club_id)}/campaign/{_seg(campaign_id)}"))


def _board(group_uid: str, map_uid: str) -> str:
    return f"api/token/leaderboard/group/{_seg(group_uid)}/map/{_seg(map_uid)}"


def get_map_leaderboard(
    token: WebServicesToken,
    map_uid: str,
    group_uid: str = PERSONAL_BEST,
    only_world: bool = True,
    length: int = 5,
    offset: int = 0,
) -> dict[str, Any]:
    """A map's top records; ``only_world=False`` (ServiceToken only) gives every zone's top 5.

    ``length`` is at most 100 and ``length + offset`` at most 10,000.
    """
    if length > MAX_LENGTH:
        raise ParameterError(f"length must be at most {MAX_LENGTH}")
    if length + offset > READABLE:
        raise ParameterError(f"only the first {READABLE} records can be read")
    params: dict[str, Any] = _page(length, offset)
    if not only_world:
        _service(token, "a leaderboard with onlyWorld=false")
        params = {"onlyWorld": "false"}
    else:
        params = {"onlyWorld": "true", **params}
    return _object(get(token, f"{_board(group_uid, map_uid)}/top", params))


def get_map_leaderboard_surround(
    token: WebServicesToken,
    map_uid: str,
    score: int | None = None,
    lower: int = 1,
    upper: int = 1,
    group_uid: str = PERSONAL_BEST,
) -> dict[str, Any]:
    """Records around ``score`` (or the caller's own record), the score itself included."""
    params: dict[str, Any] = {"onlyWorld": "true"}
    if score is not None:
        params["score"] = score
    endpoint = f"{_board(group_uid, map_uid)}/surround/{_seg(lower)}/{_seg(upper)}"
    return _object(get(token, endpoint, params))


def get_map_positions(
    token: WebServicesToken, scores: Mapping[str, int], group_uid: str = PERSONAL_BEST
) -> list[dict[str, Any]]:
    """The world position a record with each map's score would get (50 maps per request)."""
    out: list[dict[str, Any]] = []
    uids = list(scores)
    for start in range(0, len(uids), POSITION_BATCH):
        batch = uids[start : start + POSITION_BATCH]
        params = {f"scores[{uid}]": int(scores[uid]) for uid in batch}
        body = {"maps": [{"mapUid": uid, "groupUid": group_uid} for uid in batch]}
        found = post(token, "api/token/leaderboard/group/map", params, body)
        out += found if isinstance(found, list) else [found]
    return out


def get_player_club_record(
    token: ServiceToken, map_uid: str, club_id: int, group_uid: str = PERSONAL_BEST
) -> dict[str, Any]:
    """The caller's record on a map and its rank among the club's members."""
    _service(token, "a club record")
    return _object(get(token, f"{_board(group_uid, map_uid)}/club/{_seg(club_id)}"))


def get_map_review_connect(token: ServiceToken, review_type: str) -> dict[str, Any]:
    """The join link of the active review server (``totd``, ``weekly-shorts``, ...)."""
    _service(token, "map review")
    return _object(get(token, f"api/token/map-review/{_seg(review_type)}/connect"))


def get_map_review_submitted(
    token: ServiceToken, review_type: str, length: int = 144, offset: int = 0
) -> dict[str, Any]:
    """The caller's maps submitted to a review server."""
    _service(token, "map review")
    endpoint = f"api/token/map-review/{_seg(review_type)}/submitted-map"
    return _object(get(token, endpoint, _page(length, offset)))


def get_map_review_waiting_time(token: WebServicesToken, review_type: str) -> dict[str, Any]:
    """The waiting time of a review server, ``{"seconds": n}``."""
    return _object(get(token, f"api/token/map-review/{_seg(review_type)}/waiting-time"))


def get_server_accounts(token: ServiceToken) -> dict[str, Any]:
    """The dedicated server accounts of the caller."""
    _service(token, "the server account list")
    return _object(get(token, "api/token/server/player-server/account"))


def get_map_info(token: WebServicesToken, map_uid: str) -> dict[str, Any]:
    """One map's Live info."""
    return _object(get(token, f"api/token/map/{_seg(map_uid)}"))


def get_maps_info(token: WebServicesToken, map_uids: Iterable[str]) -> dict[str, Any]:
    """Several maps' Live info as ``{mapList, itemCount}`` (100 per request; unknown dropped)."""
    uids = list(map_uids)
    maps: list[Any] = []
    for start in range(0, len(uids), INFO_BATCH):
        batch = ",".join(uids[start : start + INFO_BATCH])
        found = _object(get(token, "api/token/map/get-multiple", {"mapUidList": batch}))
        maps += found.get("mapList", [])
    return {"mapList": maps, "itemCount": len(maps)}
