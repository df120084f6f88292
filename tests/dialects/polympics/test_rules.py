"""The permission rules of spec §4, as pure functions."""

from __future__ import annotations

import pytest

from podium.dialects.polympics import rules, wire
from podium.dialects.polympics.auth import Caller

APP_ALL = Caller("app", wire.APP_PERMISSIONS, 1)


def user(bits: int, person_id: int = 10) -> Caller:
    return Caller("session", bits, 2, person_id)


def alter(
    caller: Caller, delta: int, granting: bool = True, mine: int | None = 1, theirs: int | None = 1
) -> bool:
    return rules.can_alter_permissions(
        caller, delta, granting=granting, caller_team_id=mine, target_team_id=theirs
    )


@pytest.mark.parametrize("delta", [128, 255, 1 << 10, -1])
def test_values_beyond_the_seven_bits_are_refused(delta: int) -> None:
    assert not alter(APP_ALL, delta)


@pytest.mark.parametrize("granting", [True, False])
def test_authenticate_users_is_never_given_to_or_taken_from_a_user(granting: bool) -> None:
    assert not alter(APP_ALL, wire.AUTHENTICATE_USERS, granting)
    assert not alter(user(wire.USER_PERMISSIONS), wire.AUTHENTICATE_USERS, granting)


@pytest.mark.parametrize("granting", [True, False])
def test_a_bit_the_caller_lacks_cannot_be_granted_or_revoked(granting: bool) -> None:
    caller = user(wire.MANAGE_PERMISSIONS | wire.MANAGE_TEAMS)
    assert alter(caller, wire.MANAGE_TEAMS, granting)
    assert not alter(caller, wire.MANAGE_AWARDS, granting)
    assert not alter(caller, wire.MANAGE_TEAMS | wire.MANAGE_AWARDS, granting)


def test_manage_permissions_is_needed_even_for_bits_the_caller_holds() -> None:
    assert not alter(user(wire.MANAGE_TEAMS), wire.MANAGE_TEAMS)
    assert not alter(Caller("app", wire.MANAGE_TEAMS, 1), wire.MANAGE_TEAMS)


def test_manage_permissions_holders_may_grant_and_revoke_manage_own_team_without_it() -> None:
    caller = user(wire.MANAGE_PERMISSIONS)
    assert alter(caller, wire.MANAGE_OWN_TEAM, True, mine=None, theirs=5)
    assert alter(caller, wire.MANAGE_OWN_TEAM, False, mine=None, theirs=5)
    # Apps never hold manage_own_team, yet may hand it out with manage_permissions.
    assert alter(APP_ALL, wire.MANAGE_OWN_TEAM)


def test_a_team_manager_may_grant_manage_own_team_to_a_teammate_only() -> None:
    manager = user(wire.MANAGE_OWN_TEAM)
    assert alter(manager, wire.MANAGE_OWN_TEAM, True, mine=7, theirs=7)
    assert not alter(manager, wire.MANAGE_OWN_TEAM, True, mine=7, theirs=8)
    assert not alter(manager, wire.MANAGE_OWN_TEAM, True, mine=None, theirs=None)
    # Only that bit, only granting, and only while holding it.
    assert not alter(manager, wire.MANAGE_OWN_TEAM | wire.MANAGE_TEAMS, True, mine=7, theirs=7)
    assert not alter(manager, wire.MANAGE_OWN_TEAM, False, mine=7, theirs=7)
    assert not alter(user(0), wire.MANAGE_OWN_TEAM, True, mine=7, theirs=7)


def test_changing_a_team() -> None:
    def change(caller: Caller, new: int | None, current: int | None, mine: int | None) -> bool:
        return rules.can_change_team(
            caller,
            account_person_id=10,
            new_team_id=new,
            current_team_id=current,
            caller_team_id=mine,
        )

    assert change(Caller("app", wire.MANAGE_ACCOUNT_TEAMS, 1), 3, None, None)
    assert not change(
        Caller("app", wire.APP_PERMISSIONS & ~wire.MANAGE_ACCOUNT_TEAMS, 1), 3, None, None
    )
    # Joining or leaving on one's own behalf needs no bit.
    assert change(user(0, person_id=10), 3, 4, 4)
    assert change(user(0, person_id=10), None, 4, 4)
    # Kicking: a manager of the account's current team may remove it, not move it.
    other = 11
    assert change(user(wire.MANAGE_OWN_TEAM, other), None, 4, 4)
    assert not change(user(wire.MANAGE_OWN_TEAM, other), 5, 4, 4)
    assert not change(user(wire.MANAGE_OWN_TEAM, other), None, 4, 6)
    assert not change(user(wire.MANAGE_OWN_TEAM, other), None, None, None)
    assert not change(user(0, other), None, 4, 4)


def test_managing_a_team() -> None:
    assert rules.can_manage_team(
        Caller("app", wire.MANAGE_TEAMS, 1), team_id=3, caller_team_id=None
    )
    assert rules.can_manage_team(user(wire.MANAGE_OWN_TEAM), team_id=3, caller_team_id=3)
    assert not rules.can_manage_team(user(wire.MANAGE_OWN_TEAM), team_id=3, caller_team_id=4)
    assert not rules.can_manage_team(user(0), team_id=3, caller_team_id=3)
    # An app's bits are masked when it is loaded, but the rule itself is for users only.
    assert not rules.can_manage_team(
        Caller("app", wire.MANAGE_OWN_TEAM, 1), team_id=3, caller_team_id=3
    )


def test_deleting_an_account() -> None:
    assert rules.can_delete_account(
        Caller("app", wire.MANAGE_ACCOUNT_DETAILS, 1), account_person_id=10
    )
    assert rules.can_delete_account(user(0, person_id=10), account_person_id=10)
    assert not rules.can_delete_account(user(0, person_id=11), account_person_id=10)
    assert not rules.can_delete_account(Caller("anonymous"), account_person_id=10)
