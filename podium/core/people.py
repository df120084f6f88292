"""People: pilots, accounts, participants, registrants. One row, many platform ids."""

from __future__ import annotations

from typing import Annotated

from pydantic import StringConstraints
from sqlalchemy.ext.asyncio import AsyncSession

from podium.core.fields import Attributes, CleanText, ExternalIds, Id, Name, ShortText, Url
from podium.core.organizations import ORGANIZATIONS
from podium.core.resources import Command, Resource, Scope
from podium.store.tables import Person

Country = Annotated[str, StringConstraints(pattern=r"^[A-Za-z]{2,3}$")]
Date = Annotated[str, StringConstraints(pattern=r"^\d{4}-\d{2}-\d{2}$")]
Email = Annotated[str, StringConstraints(pattern=r"^[^@\s]+@[^@\s]+$", max_length=320), CleanText]


class PersonCreate(Command):
    name: Name
    organization_id: Id | None = None
    given_name: ShortText | None = None
    family_name: ShortText | None = None
    email: Email | None = None
    country: Country | None = None
    gender: Annotated[str, StringConstraints(max_length=16), CleanText] | None = None
    birth_date: Date | None = None
    avatar_url: Url | None = None
    attributes: Attributes = {}
    external_ids: ExternalIds = {}


class PersonUpdate(Command):
    name: Name | None = None
    organization_id: Id | None = None
    given_name: ShortText | None = None
    family_name: ShortText | None = None
    email: Email | None = None
    country: Country | None = None
    gender: Annotated[str, StringConstraints(max_length=16), CleanText] | None = None
    birth_date: Date | None = None
    avatar_url: Url | None = None
    attributes: Attributes | None = None
    external_ids: ExternalIds | None = None


async def _scope(_session: AsyncSession, person: Person) -> Scope:
    return Scope(person.organization_id)


PEOPLE: Resource[Person] = Resource(
    kind="person",
    model=Person,
    create=PersonCreate,
    update=PersonUpdate,
    scope=_scope,
    refs={"organization_id": ORGANIZATIONS},
    has_external_ids=True,
)
