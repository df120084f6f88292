"""Who is using the console and what they may do: every page starts here.

A visitor is a live session (``podium.console.session``). In an organization the
visitor acts as the core ``Principal`` of their membership there, so each page asks
the core's own question (``principal.allows``) and gets the answer the native API
would give a token with the same permissions.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Path, Request
from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.formparsers import MultiPartException

from podium.config import Settings
from podium.console import session as cookies
from podium.console.render import Ended, forbidden, login_first, missing
from podium.core import accounts, limits, logins
from podium.core.principal import Principal
from podium.core.roles import ROLES
from podium.store.database import Database
from podium.store.tables import Membership, Organization

MAX_FORM_BYTES = 64 * 1024
# An id in a console path; beyond what the store holds it is a page that does not exist.
ObjectId = Annotated[int, Path(ge=1, le=limits.INT64_MAX)]
NEEDS = {
    "read": "read what is not public",
    "results": "record results",
    "judge": "judge submissions",
    "setup": "set up competitions and participants",
    "admin": "manage members and credentials",
}


def database(request: Request) -> Database:
    found: Database = request.app.state.database
    return found


def settings(request: Request) -> Settings:
    found: Settings = request.app.state.settings
    return found


async def visitor(request: Request) -> logins.Active:
    """The logged-in visitor, else a redirect to the login page (and back after)."""
    active = await cookies.current(request)
    if active is None:
        raise login_first(request)
    return active


@dataclass(frozen=True)
class InOrg:
    """A visitor acting in one organization, with the role's permissions there."""

    active: logins.Active
    organization: Organization
    member: Membership
    principal: Principal

    @property
    def role(self) -> str:
        return self.member.role

    def may(self, permission: str) -> bool:
        return self.principal.allows(permission, self.organization.id)


async def in_org(request: Request, slug: str, permission: str = "read") -> InOrg:
    """The visitor in the organization ``slug``; one they are not a member of reads as
    one that does not exist, and a missing permission is a 403 saying which."""
    active = await visitor(request)
    async with database(request).read() as session:
        mine = await accounts.memberships_of(session, active.user.id)
    found = next(((m, o) for m, o in mine if o.slug == slug), None)
    if found is None:
        raise missing(f"You are not a member of an organization called {slug!r}.")
    member, organization = found
    here = InOrg(active, organization, member, accounts.principal_for(active.user, member))
    require(here, permission)
    return here


def require(here: InOrg, permission: str) -> None:
    if not here.may(permission):
        raise forbidden(
            f"Your role in {here.organization.name} ({here.role}: {ROLES[here.role].summary}) "
            f"does not let you {NEEDS[permission]}. An owner can change your role."
        )


async def form(
    request: Request, active: logins.Active | None, limit: int = MAX_FORM_BYTES
) -> FormData:
    """The posted form, once its CSRF token checks out (else 403, nothing done)."""
    declared = request.headers.get("content-length", "")
    if limits.digits(declared) and len(declared) < 19 and int(declared) > limit + 16 * 1024:
        raise Ended(413, f"The form is larger than {limit // 1024} KB.")
    try:
        data = await request.form(max_part_size=limit)
    except (HTTPException, MultiPartException) as exc:  # the sender's mistake
        raise Ended(400, "The form could not be read.") from exc
    if not cookies.csrf_ok(request, data, active):
        raise forbidden(
            "This form has expired or did not come from this site (its security token "
            "does not match). Go back, reload the page and try again."
        )
    return data


def text(data: FormData, name: str) -> str:
    value = data.get(name)
    return value if isinstance(value, str) else ""
