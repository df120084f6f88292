"""What the Polympics server and client agree on: permission bits, events, paths.

Both ``routes`` and ``client`` import from here, so the two cannot drift apart.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, fields

# Bit n of a permissions value is PERMISSION_NAMES[n].
PERMISSION_NAMES: tuple[str, ...] = (
    "manage_permissions",
    "manage_account_teams",
    "manage_account_details",
    "manage_teams",
    "authenticate_users",
    "manage_own_team",
    "manage_awards",
)
MANAGE_PERMISSIONS = 1 << 0
MANAGE_ACCOUNT_TEAMS = 1 << 1
MANAGE_ACCOUNT_DETAILS = 1 << 2
MANAGE_TEAMS = 1 << 3
AUTHENTICATE_USERS = 1 << 4
MANAGE_OWN_TEAM = 1 << 5
MANAGE_AWARDS = 1 << 6
ALL_PERMISSIONS = (1 << len(PERMISSION_NAMES)) - 1
# Apps never hold manage_own_team (they have no team); users never authenticate users.
APP_PERMISSIONS = ALL_PERMISSIONS & ~MANAGE_OWN_TEAM
USER_PERMISSIONS = ALL_PERMISSIONS & ~AUTHENTICATE_USERS

APP_PREFIX = "A"
SESSION_PREFIX = "S"
DEFAULT_PER_PAGE = 20


@dataclass
class Permissions:
    """The seven permission flags, in bit order; every bit survives a round trip."""

    manage_permissions: bool = False
    manage_account_teams: bool = False
    manage_account_details: bool = False
    manage_teams: bool = False
    authenticate_users: bool = False
    manage_own_team: bool = False
    manage_awards: bool = False

    @classmethod
    def from_int(cls, value: int) -> Permissions:
        return cls(*(bool(value >> bit & 1) for bit in range(len(PERMISSION_NAMES))))

    @classmethod
    def from_names(cls, names: list[str] | tuple[str, ...]) -> Permissions:
        """Flags from names such as ``manage-teams`` or ``manage_teams``."""
        wanted = {name.strip().replace("-", "_") for name in names if name.strip()}
        unknown = wanted - set(PERMISSION_NAMES)
        if unknown:
            raise ValueError(f"Unknown permission(s): {', '.join(sorted(unknown))}.")
        return cls(**{name: True for name in wanted})

    @property
    def values(self) -> list[bool]:
        return [getattr(self, f.name) for f in fields(self)]

    def to_int(self) -> int:
        return sum(1 << bit for bit, held in enumerate(self.values) if held)

    def names(self) -> list[str]:
        return [name for name, held in zip(PERMISSION_NAMES, self.values, strict=True) if held]

    def __or__(self, other: Permissions) -> Permissions:
        return Permissions.from_int(self.to_int() | other.to_int())

    __add__ = __or__

    def __and__(self, other: Permissions) -> Permissions:
        return Permissions.from_int(self.to_int() & other.to_int())

    def __sub__(self, other: Permissions) -> Permissions:
        return Permissions.from_int(self.to_int() & ~other.to_int())

    def __invert__(self) -> Permissions:
        return Permissions.from_int(ALL_PERMISSIONS & ~self.to_int())

    def __le__(self, other: Permissions) -> bool:
        """A subset of (or the same as) ``other``."""
        return self.to_int() & ~other.to_int() == 0

    def __lt__(self, other: Permissions) -> bool:
        return self <= other and self.to_int() != other.to_int()

    def __ge__(self, other: Permissions) -> bool:
        return other <= self

    def __gt__(self, other: Permissions) -> bool:
        return other < self


class EventType(enum.Enum):
    """A callback event. The guide spells it in lower case, the package in upper case."""

    ACCOUNT_TEAM_UPDATE = "account_team_update"
    account_team_update = "account_team_update"  # an alias of the member above


EVENT_NAMES: tuple[str, ...] = tuple(member.value for member in EventType)
