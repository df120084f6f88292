"""The real ``nadeo-api`` 0.8.0 package reads Tracks of the Day and a leaderboard from Podium.

nadeo-api needs Python 3.12 or newer, so it runs in a virtual environment of its
own with such an interpreter (found on PATH or under pyenv), in a subprocess that
points its base URLs at the live server. Without such an interpreter, or when the
package cannot be installed, the test is skipped with the reason.
"""

from __future__ import annotations

import asyncio
import glob
import json
import shutil
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tests.dialects.nadeo.conftest import Nadeo

SCRIPT = """
import json, sys
import nadeo_api.auth as auth
import nadeo_api.live as live

base, login, password, map_uid = sys.argv[1:5]
auth.url_core = f"{base}/nadeo/core"
auth.url_live = f"{base}/nadeo/live"
live.URL = auth.url_live
token = auth.get_token(auth.audience_live, login, password, "podium-tests", server_account=True)
months = live.get_maps_totd(token, 2)
board = live.get_map_leaderboard(token, map_uid, length=5)
print(json.dumps({"months": months, "board": board}))
"""


def _interpreter() -> str | None:
    candidates = [shutil.which(f"python3.{minor}") for minor in (14, 13, 12)]
    candidates += sorted(
        glob.glob(str(Path.home() / ".pyenv/versions/3.1[2-9]*/bin/python")), reverse=True
    )
    for found in candidates:
        if not found:
            continue
        done = subprocess.run(
            [found, "-c", "import sys; print(sys.version_info >= (3, 12))"],
            capture_output=True,
            text=True,
            check=False,
        )
        if done.stdout.strip() == "True":
            return found
    return None


@pytest.fixture(scope="session")
def nadeo_api_python(tmp_path_factory: pytest.TempPathFactory) -> str:
    interpreter = _interpreter()
    if interpreter is None:
        pytest.skip("nadeo-api 0.8.0 needs Python >= 3.12 and none is installed here")
    venv = tmp_path_factory.mktemp("nadeo-api") / "venv"
    subprocess.run([interpreter, "-m", "venv", str(venv)], check=True, timeout=120)
    python = str(venv / "bin" / "python")
    done = subprocess.run(
        [python, "-m", "pip", "install", "--quiet", "nadeo-api==0.8.0"],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    if done.returncode != 0:
        pytest.skip(f"nadeo-api 0.8.0 could not be installed: {done.stderr.strip()[-300:]}")
    return python


async def test_real_client_reads_totd_and_a_leaderboard(
    nadeo: Nadeo, nadeo_api_python: str
) -> None:
    author = await nadeo.account("Author")
    uid = await nadeo.map("TOTD map", author, 42_000)
    yesterday = datetime.now(UTC) - timedelta(days=1)
    await nadeo.totd(yesterday, uid)
    for n, score in enumerate((43_000, 41_500, 44_000)):
        await nadeo.record(await nadeo.account(f"P{n}"), uid, score)
    done = await asyncio.to_thread(
        subprocess.run,
        [nadeo_api_python, "-c", SCRIPT, nadeo.server.url, author.login, author.password, uid],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    found = json.loads(done.stdout.strip().splitlines()[-1])
    # The current month comes first, with or without days (yesterday may be last month's).
    months = found["months"]["monthList"]
    now = datetime.now(UTC)
    assert (months[0]["year"], months[0]["month"]) == (now.year, now.month)
    month = next(m for m in months if (m["year"], m["month"]) == (yesterday.year, yesterday.month))
    assert month["days"][-1]["mapUid"] == uid
    top = found["board"]["tops"][0]["top"]
    assert [(e["position"], e["score"]) for e in top] == [(1, 41_500), (2, 43_000), (3, 44_000)]
