"""Organizations: a chapter, a club, a race organizer, or the whole instance's host."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from podium.core import resources
from podium.core.errors import Conflict
from podium.core.fields import Attributes, ExternalIds, Name, Slug, Text
from podium.core.principal import Principal
from podium.core.resources import Command, Resource, Scope
from podium.store.tables import Organization


class OrganizationCreate(Command):
    slug: Slug
    name: Name
    description: Text = ""
    attributes: Attributes = {}
    external_ids: ExternalIds = {}


class OrganizationUpdate(Command):
    slug: Slug | None = None
    name: Name | None = None
    description: Text | None = None
    attributes: Attributes | None = None
    external_ids: ExternalIds | None = None


async def _scope(_session: AsyncSession, org: Organization) -> Scope:
    return Scope(org.id)


async def _validate(session: AsyncSession, org: Organization) -> None:
    clash = await session.scalar(
        select(Organization.id).where(Organization.slug == org.slug, Organization.id != org.id)
        if org.id is not None
        else select(Organization.id).where(Organization.slug == org.slug)
    )
    if clash is not None:
        raise Conflict(f"The slug {org.slug!r} is taken by organization {clash}.", field="slug")


ORGANIZATIONS: Resource[Organization] = Resource(
    kind="organization",
    model=Organization,
    create=OrganizationCreate,
    update=OrganizationUpdate,
    scope=_scope,
    has_external_ids=True,
    validate=_validate,
)


async def create_organization(
    session: AsyncSession, principal: Principal, command: OrganizationCreate
) -> Organization:
    """Only an instance-wide admin opens a new organization."""
    principal.require("admin", None)
    return await resources.create(session, principal, ORGANIZATIONS, command)


async def delete_organization(session: AsyncSession, principal: Principal, org_id: int) -> None:
    principal.require("admin", None)
    await resources.delete(session, principal, ORGANIZATIONS, org_id)


async def by_slug(session: AsyncSession, slug: str) -> Organization | None:
    return await session.scalar(select(Organization).where(Organization.slug == slug))
