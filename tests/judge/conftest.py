"""Judge tests run under each isolation this machine offers: bubblewrap, and the
fallback of resource limits plus a private user id (``PODIUM_JUDGE_SANDBOX=limits``)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator

import pytest

from podium.judge import sandbox


def _reset() -> None:
    sandbox.bubblewrap.cache_clear()
    sandbox.network_namespace.cache_clear()


@pytest.fixture(params=["auto", "limits"])
def isolation(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """The sandbox mode in force for the test: "bubblewrap" or "limits"."""
    if request.param == "auto" and shutil.which("bwrap") is None:
        pytest.skip("bubblewrap is not installed")
    monkeypatch.setenv("PODIUM_JUDGE_SANDBOX", request.param)
    _reset()
    yield "bubblewrap" if sandbox.bubblewrap() else "limits"
    monkeypatch.undo()
    _reset()
