"""Nadeo's Core API (``prod.trackmania.core``): generic GET, map info and zones.

Calls need a token with audience NadeoServices, else AudienceError before sending.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from podium.dialects.nadeo import config
from podium.dialects.nadeo.auth import AUDIENCE_CORE, WebServicesToken, check_token, parse
from podium.dialects.nadeo.errors import ApiError

MAP_BATCH = 200


def url(endpoint: str) -> str:
    """The full Core URL of ``endpoint`` (base URL and one leading slash optional)."""
    base = config.core_base_url.rstrip("/")
    if endpoint.startswith(base):
        endpoint = endpoint[len(base) :]
    if endpoint.startswith("/"):
        endpoint = endpoint[1:]
    return f"{base}/{endpoint}"


def get(
    token: WebServicesToken,
    endpoint: str,
    params: Mapping[str, Any] = {},
) -> dict[str, Any] | list[Any]:
    """Send a GET request to the Core API and return the response body."""
    checked = check_token(token, AUDIENCE_CORE)
    return parse(checked.request("GET", url(endpoint), params))


def _list(found: dict[str, Any] | list[Any]) -> list[Any]:
    if isinstance(found, list):
        return found
    raise ApiError(200, found, "expected a JSON array")


def get_map_info(token: WebServicesToken, map_uids: Iterable[str]) -> list[dict[str, Any]]:
    """Core info of maps by UID (200 UIDs per request; unknown UIDs are left out)."""
    uids = [map_uids] if isinstance(map_uids, str) else list(map_uids)
    out: list[dict[str, Any]] = []
    for start in range(0, len(uids), MAP_BATCH):
        batch = ",".join(uids[start : start + MAP_BATCH])
        out += _list(get(token, "maps/by-uid/", {"mapUidList": batch}))
    return out


def get_zones(token: WebServicesToken) -> list[dict[str, Any]]:
    """Every zone (World, continents, countries, regions)."""
    return _list(get(token, "zones/"))
