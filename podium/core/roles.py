"""Organizer roles: each a named set of the core's permissions (``podium.core.principal``).

A console user's membership names a role in one organization; the user acts there
as a ``Principal`` holding exactly the role's permissions, the same check a token or
a dialect key passes. There is no second permission system.
"""

from __future__ import annotations

from dataclasses import dataclass

from podium.core.principal import PERMISSIONS


@dataclass(frozen=True)
class Role:
    name: str
    permissions: frozenset[str]
    summary: str


ROLES: dict[str, Role] = {
    role.name: role
    for role in (
        Role("owner", frozenset(PERMISSIONS), "everything, members and credentials included"),
        Role(
            "director",
            frozenset({"read", "setup", "results", "judge"}),
            "sets up competitions and participants, records and corrects results",
        ),
        Role("timer", frozenset({"read", "results"}), "records and corrects results"),
        Role("judge", frozenset({"read", "judge"}), "contests: submissions, rejudging, verdicts"),
        Role("viewer", frozenset({"read"}), "reads what is not public"),
    )
}
ROLE_NAMES = tuple(ROLES)


def role(name: str) -> Role:
    """The role called ``name``; ValueError names the roles there are."""
    found = ROLES.get(name)
    if found is None:
        raise ValueError(f"Unknown role {name!r}: use one of {', '.join(ROLE_NAMES)}.")
    return found
