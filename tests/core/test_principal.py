"""Scope rules shared by every API layer."""

from __future__ import annotations

import pytest

from podium.core.errors import Forbidden
from podium.core.principal import ANONYMOUS, SYSTEM, Principal


def token(scopes: set[str], org: int | None = None) -> Principal:
    return Principal(kind="token", label="t", organization_id=org, scopes=frozenset(scopes))


@pytest.mark.parametrize(
    ("scopes", "wanted", "allowed"),
    [
        ({"read"}, "read", True),
        ({"read"}, "write", False),
        ({"write"}, "read", True),
        ({"write"}, "admin", False),
        ({"admin"}, "write", True),
        (set(), "read", False),
    ],
)
def test_scopes_include_lower_ones(scopes: set[str], wanted: str, allowed: bool) -> None:
    assert token(scopes).allows(wanted, 5) is allowed


def test_organization_token_is_confined_to_its_organization() -> None:
    p = token({"admin"}, org=1)
    assert p.allows("write", 1)
    assert not p.allows("read", 2)
    # Instance-wide objects may be read but not changed by an organization's token.
    assert p.allows("read", None)
    assert not p.allows("write", None)


def test_require_raises_forbidden_with_reason() -> None:
    with pytest.raises(Forbidden, match="'write' scope for organization 3"):
        token({"read"}, org=3).require("write", 3)


def test_system_and_anonymous() -> None:
    assert SYSTEM.allows("admin", None)
    assert not ANONYMOUS.allows("read", None)
