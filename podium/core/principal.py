"""Who is acting, and what they may do. Every credential style maps onto a Principal.

One permission model serves every entry point. A principal holds **permissions**
over one organization (or the whole instance):

- ``read``: see what is not public;
- ``results``: record and correct results and result sets;
- ``judge``: contest submissions, rejudging, verdicts;
- ``setup``: competitions, entries, people, teams, challenges, schedules, awards, webhooks;
- ``admin``: organizations, members and credentials.

Native tokens carry **scopes**, each a set of permissions that includes the one
before it (``read`` < ``write`` < ``admin``); an organizer's **role** is a named set of
permissions (``podium.core.roles``). A principal built from either answers ``allows``
the same way, so a console user, a token and a dialect key are judged alike.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

from podium.core.errors import Forbidden

PERMISSIONS = ("read", "results", "judge", "setup", "admin")

# Token scopes, each including the ones before it.
SCOPES = ("read", "write", "admin")
SCOPE_PERMISSIONS: dict[str, frozenset[str]] = {
    "read": frozenset({"read"}),
    "write": frozenset({"read", "results", "judge", "setup"}),
    "admin": frozenset(PERMISSIONS),
}


def permissions_of(grants: frozenset[str] | set[str]) -> frozenset[str]:
    """The permissions that scopes and permission names grant together."""
    out: set[str] = set()
    for grant in grants:
        out |= SCOPE_PERMISSIONS.get(grant, frozenset({grant} & set(PERMISSIONS)))
    return frozenset(out)


@dataclass(frozen=True)
class Principal:
    kind: str
    label: str
    # None means instance-wide: the principal may act in every organization.
    organization_id: int | None = None
    # Token scopes and/or permission names; ``permissions`` is what they grant.
    scopes: frozenset[str] = field(default_factory=frozenset)
    person_id: int | None = None
    credential_id: int | None = None

    @cached_property
    def permissions(self) -> frozenset[str]:
        return permissions_of(self.scopes)

    def holds(self, grants: frozenset[str] | set[str]) -> bool:
        """Whether this principal has every permission ``grants`` (scopes or names) give."""
        return permissions_of(grants) <= self.permissions

    def allows(self, permission: str, organization_id: int | None) -> bool:
        """True when this principal holds ``permission`` over objects of ``organization_id``.

        ``permission`` is a permission name, or the scope ``write`` (all of its
        permissions). Objects with no organization belong to the instance: reading
        them needs only the permission, changing them an instance-wide principal.
        """
        if permission not in SCOPE_PERMISSIONS and permission not in PERMISSIONS:
            raise ValueError(f"unknown permission {permission!r}")
        if not self.holds({permission}):
            return False
        if self.organization_id is None:
            return True
        if organization_id is None:
            return permission == "read"
        return organization_id == self.organization_id

    def require(self, permission: str, organization_id: int | None) -> None:
        if not self.allows(permission, organization_id):
            where = (
                "this instance" if organization_id is None else f"organization {organization_id}"
            )
            raise Forbidden(f"The credential lacks the '{permission}' permission for {where}.")


SYSTEM = Principal(kind="system", label="system", scopes=frozenset(SCOPES))
"""The principal of the CLI and of server-internal work."""

ANONYMOUS = Principal(kind="anonymous", label="anonymous")
