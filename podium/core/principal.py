"""Who is acting. Every dialect maps its own credential style onto a Principal."""

from __future__ import annotations

from dataclasses import dataclass, field

from podium.core.errors import Forbidden

# Each scope includes the ones before it.
SCOPES = ("read", "write", "admin")


def _level(scope: str) -> int:
    return SCOPES.index(scope)


@dataclass(frozen=True)
class Principal:
    kind: str
    label: str
    # None means instance-wide: the principal may act in every organization.
    organization_id: int | None = None
    scopes: frozenset[str] = field(default_factory=frozenset)
    person_id: int | None = None
    credential_id: int | None = None

    @property
    def top_level(self) -> int:
        return max((_level(s) for s in self.scopes if s in SCOPES), default=-1)

    def allows(self, scope: str, organization_id: int | None) -> bool:
        """True when this principal holds ``scope`` over objects of ``organization_id``.

        Objects with no organization belong to the instance: reading them needs only
        the scope, changing them needs an instance-wide principal.
        """
        if self.top_level < _level(scope):
            return False
        if self.organization_id is None:
            return True
        if organization_id is None:
            return scope == "read"
        return organization_id == self.organization_id

    def require(self, scope: str, organization_id: int | None) -> None:
        if not self.allows(scope, organization_id):
            where = (
                "this instance" if organization_id is None else f"organization {organization_id}"
            )
            raise Forbidden(f"The credential lacks the '{scope}' scope for {where}.")


SYSTEM = Principal(kind="system", label="system", scopes=frozenset(SCOPES))
"""The principal of the CLI and of server-internal work."""

ANONYMOUS = Principal(kind="anonymous", label="anonymous")
