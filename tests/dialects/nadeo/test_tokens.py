"""The token service: basic login, audiences, claims, lifetimes, refresh, and 401s."""

from __future__ import annotations

import asyncio
import base64
import json
import time
from typing import Any

import httpx
import pytest

from tests.conftest import PATIENT
from tests.dialects.nadeo.conftest import Nadeo


def claims(token: str) -> dict[str, Any]:
    payload = token.split(".")[1]
    decoded: dict[str, Any] = json.loads(
        base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))
    )
    return decoded


async def test_basic_login_issues_the_documented_pair(nadeo: Nadeo) -> None:
    account = await nadeo.account("Ada")
    live = await nadeo.tokens(account)
    access, refresh = claims(live["accessToken"]), claims(live["refreshToken"])
    assert list(access) == [
        "jti",
        "iss",
        "aud",
        "iat",
        "sat",
        "rat",
        "exp",
        "usg",
        "sid",
        "sub",
        "aun",
        "rtk",
        "pce",
        "ubiservices_uid",
    ]
    assert access["aud"] == "NadeoLiveServices" and access["sub"] == account.account_id
    assert access["exp"] - access["iat"] == 3600 and access["rat"] - access["iat"] == 1800
    assert access["usg"] == "Client" and access["aun"] == "Ada" and access["rtk"] is False
    assert refresh["aud"] == "NadeoServices" and refresh["rtk"] is True
    assert (
        refresh["exp"] - refresh["iat"] == 86400 and refresh["refresh_aud"] == "NadeoLiveServices"
    )
    assert refresh["limit_type"] == "none"
    # No body: a NadeoServices token; audience aliases are accepted.
    assert claims((await nadeo.tokens(account, None))["accessToken"])["aud"] == "NadeoServices"
    assert (
        claims((await nadeo.tokens(account, "live"))["accessToken"])["aud"] == "NadeoLiveServices"
    )
    server = await nadeo.account("srv", server=True)
    assert claims((await nadeo.tokens(server))["accessToken"])["usg"] == "Server"


async def test_bad_logins(nadeo: Nadeo) -> None:
    account = await nadeo.account()
    async with httpx.AsyncClient(timeout=PATIENT) as http:
        for login, password in ((account.login, "wrong"), ("nobody", "x")):
            basic = base64.b64encode(f"{login}:{password}".encode()).decode()
            response = await http.post(
                f"{nadeo.core}/v2/authentication/token/basic",
                headers={"Authorization": f"Basic {basic}"},
            )
            assert response.status_code == 401
            assert set(response.json()) == {"error", "message", "traceId"}
        none = await http.post(f"{nadeo.core}/v2/authentication/token/basic")
        assert none.status_code == 401


@pytest.mark.parametrize("body", [None, {}, {"audience": "NadeoLiveServices"}])
async def test_refresh_accepts_every_body(nadeo: Nadeo, body: dict[str, str] | None) -> None:
    account = await nadeo.account()
    pair = await nadeo.tokens(account)
    async with httpx.AsyncClient(timeout=PATIENT) as http:
        response = await http.post(
            f"{nadeo.core}/v2/authentication/token/refresh",
            headers={"Authorization": f"nadeo_v1 t={pair['refreshToken']}"},
            json=body,
        )
        assert response.status_code == 200
        fresh = response.json()
        assert claims(fresh["accessToken"])["aud"] == "NadeoLiveServices"
        # An access token is not a refresh token.
        wrong = await http.post(
            f"{nadeo.core}/v2/authentication/token/refresh",
            headers={"Authorization": f"nadeo_v1 t={pair['accessToken']}"},
        )
        assert wrong.status_code == 401


async def test_data_routes_need_the_right_token(nadeo: Nadeo) -> None:
    account = await nadeo.account()
    live = (await nadeo.tokens(account))["accessToken"]
    core = (await nadeo.tokens(account, "NadeoServices"))["accessToken"]
    path = "/api/token/campaign/month"
    assert (await nadeo.get(live, path)).status_code == 200
    wrong_audience = await nadeo.get(core, path)
    assert wrong_audience.status_code == 401 and "traceId" in wrong_audience.json()
    forged = live[:-4] + ("AAAA" if not live.endswith("AAAA") else "BBBB")
    assert (await nadeo.get(forged, path)).status_code == 401
    async with httpx.AsyncClient(timeout=PATIENT) as http:
        missing = await http.get(f"{nadeo.live}{path}")
        assert missing.status_code == 401
        # GET bodies are ignored.
        with_body = await http.request(
            "GET", f"{nadeo.live}{path}", headers={"Authorization": f"nadeo_v1 t={live}"}, json={}
        )
        assert with_body.status_code == 200
        zones = await http.get(
            f"{nadeo.core}/zones/", headers={"Authorization": f"nadeo_v1 t={core}"}
        )
        assert zones.json()[0]["name"] == "World"
        assert (
            await http.get(f"{nadeo.core}/zones", headers={"Authorization": f"nadeo_v1 t={live}"})
        ).status_code == 401


@pytest.mark.nadeo_lifetimes(access=2, refresh_after=1, refresh=30)
async def test_short_lifetimes_expire_and_refresh(nadeo: Nadeo) -> None:
    account = await nadeo.account()
    pair = await nadeo.tokens(account)
    access = claims(pair["accessToken"])
    assert access["exp"] - access["iat"] == 2 and access["rat"] - access["iat"] == 1
    await asyncio.sleep(max(0.0, access["exp"] - time.time()) + 1.1)
    assert (await nadeo.get(pair["accessToken"], "/api/token/campaign/month")).status_code == 401
    async with httpx.AsyncClient(timeout=PATIENT) as http:
        fresh = await http.post(
            f"{nadeo.core}/v2/authentication/token/refresh",
            headers={"Authorization": f"nadeo_v1 t={pair['refreshToken']}"},
        )
    assert (
        await nadeo.get(fresh.json()["accessToken"], "/api/token/campaign/month")
    ).status_code == 200
