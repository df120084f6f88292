"""Permission rules shared by every API layer: scopes, roles and organizations."""

from __future__ import annotations

import pytest

from podium.core.errors import Forbidden
from podium.core.principal import ANONYMOUS, PERMISSIONS, SYSTEM, Principal
from podium.core.roles import ROLES


def token(scopes: set[str], org: int | None = None) -> Principal:
    return Principal(kind="token", label="t", organization_id=org, scopes=frozenset(scopes))


@pytest.mark.parametrize(
    ("scopes", "wanted", "allowed"),
    [
        ({"read"}, "read", True),
        ({"read"}, "write", False),
        ({"read"}, "results", False),
        ({"write"}, "read", True),
        ({"write"}, "results", True),
        ({"write"}, "setup", True),
        ({"write"}, "judge", True),
        ({"write"}, "admin", False),
        ({"admin"}, "write", True),
        ({"admin"}, "admin", True),
        (set(), "read", False),
    ],
)
def test_scopes_include_lower_ones(scopes: set[str], wanted: str, allowed: bool) -> None:
    assert token(scopes).allows(wanted, 5) is allowed


@pytest.mark.parametrize(
    ("role", "granted"),
    [
        ("owner", set(PERMISSIONS)),
        ("director", {"read", "setup", "results", "judge"}),
        ("timer", {"read", "results"}),
        ("judge", {"read", "judge"}),
        ("viewer", {"read"}),
    ],
)
def test_a_role_is_a_set_of_the_core_permissions(role: str, granted: set[str]) -> None:
    member = Principal(kind="user", label="u", organization_id=4, scopes=ROLES[role].permissions)
    assert {p for p in PERMISSIONS if member.allows(p, 4)} == granted
    assert not any(member.allows(p, 5) for p in PERMISSIONS)  # another organization
    # A role holds the write scope only with every permission the scope grants.
    assert member.allows("write", 4) is (role in ("owner", "director"))


def test_organization_token_is_confined_to_its_organization() -> None:
    p = token({"admin"}, org=1)
    assert p.allows("write", 1)
    assert not p.allows("read", 2)
    # Instance-wide objects may be read but not changed by an organization's token.
    assert p.allows("read", None)
    assert not p.allows("write", None)


def test_require_raises_forbidden_with_reason() -> None:
    with pytest.raises(Forbidden, match="'results' permission for organization 3"):
        token({"read"}, org=3).require("results", 3)


def test_unknown_permission_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="unknown permission"):
        SYSTEM.allows("everything", None)


def test_holds_compares_sets_of_grants() -> None:
    timer = Principal(kind="user", label="u", scopes=ROLES["timer"].permissions)
    assert timer.holds({"read"}) and timer.holds({"results"})
    assert not timer.holds({"write"}) and not timer.holds({"read", "setup"})


def test_system_and_anonymous() -> None:
    assert SYSTEM.allows("admin", None)
    assert not ANONYMOUS.allows("read", None)
