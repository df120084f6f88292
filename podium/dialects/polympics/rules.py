"""Who may do what, by Polympics permission bits (spec §4), as pure functions.

Where the real server and its documentation disagree, these follow the server,
with one deliberate change: as the documentation intends, a user holding
``manage_own_team`` may grant ``manage_own_team`` to a member of their own team
without ``manage_permissions`` (the real server's branch for this is dead code).
"""

from __future__ import annotations

from podium.dialects.polympics import wire
from podium.dialects.polympics.auth import Caller

# Every bit a caller must hold to grant or revoke it; manage_own_team is exempt.
_MUST_HOLD = [1 << bit for bit in range(len(wire.PERMISSION_NAMES)) if bit != 5]


def can_alter_permissions(
    caller: Caller,
    delta: int,
    *,
    granting: bool,
    caller_team_id: int | None,
    target_team_id: int | None,
) -> bool:
    """May ``caller`` grant (or revoke) ``delta`` on an account in ``target_team_id``?"""
    if delta < 0 or delta > wire.ALL_PERMISSIONS:
        return False
    if delta & wire.AUTHENTICATE_USERS:
        return False  # never a user's permission, not even when an app grants it
    if (
        granting
        and delta == wire.MANAGE_OWN_TEAM
        and caller.kind == "session"
        and caller.has(wire.MANAGE_OWN_TEAM)
        and caller_team_id is not None
        and caller_team_id == target_team_id
    ):
        return True
    if any(delta & bit and not caller.has(bit) for bit in _MUST_HOLD):
        return False
    return caller.has(wire.MANAGE_PERMISSIONS)


def can_change_team(
    caller: Caller,
    *,
    account_person_id: int,
    new_team_id: int | None,
    current_team_id: int | None,
    caller_team_id: int | None,
) -> bool:
    """Moving an account to ``new_team_id`` (None: out of any team)."""
    if caller.has(wire.MANAGE_ACCOUNT_TEAMS):
        return True
    if caller.kind == "session" and caller.person_id == account_person_id:
        return True  # joining or leaving on one's own behalf
    # Kicking: a team manager may remove a member of their own team.
    return (
        new_team_id is None
        and current_team_id is not None
        and caller.kind == "session"
        and caller.has(wire.MANAGE_OWN_TEAM)
        and caller_team_id == current_team_id
    )


def can_manage_team(caller: Caller, *, team_id: int, caller_team_id: int | None) -> bool:
    """Renaming or deleting a team."""
    if caller.has(wire.MANAGE_TEAMS):
        return True
    return (
        caller.kind == "session" and caller.has(wire.MANAGE_OWN_TEAM) and caller_team_id == team_id
    )


def can_delete_account(caller: Caller, *, account_person_id: int) -> bool:
    if caller.has(wire.MANAGE_ACCOUNT_DETAILS):
        return True
    return caller.kind == "session" and caller.person_id == account_person_id
