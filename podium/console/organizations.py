"""The console's home, an organization's overview, and its members and invitations."""

from __future__ import annotations

from fastapi import APIRouter, Request
from sqlalchemy import select
from starlette.responses import Response

from podium.console import access
from podium.console.render import page, see_other
from podium.core import accounts, invitations
from podium.core.errors import DomainError
from podium.core.roles import ROLES
from podium.mail import send
from podium.store.tables import Competition

router = APIRouter()


@router.get("/")
async def home(request: Request) -> Response:
    active = await access.visitor(request)
    async with access.database(request).read() as session:
        orgs = await accounts.memberships_of(session, active.user.id)
    context = {"title": "Console", "orgs": orgs, "roles": ROLES}
    return page(request, "home.html", context, active)


@router.get("/orgs/{slug}/")
async def overview(request: Request, slug: str) -> Response:
    here = await access.in_org(request, slug)
    async with access.database(request).read() as session:
        competitions = list(
            (
                await session.scalars(
                    select(Competition)
                    .where(Competition.organization_id == here.organization.id)
                    .order_by(Competition.starts_at.is_(None), Competition.starts_at)
                )
            ).all()
        )
    context = {"title": here.organization.name, "here": here, "competitions": competitions}
    return page(request, "organization.html", context, here.active)


def link_base(request: Request) -> str:
    """Where the people we send links to reach this server."""
    configured = access.settings(request).public_url
    return (configured or str(request.base_url)).rstrip("/")


async def _members_page(
    request: Request, here: access.InOrg, status: int = 200, **extra: object
) -> Response:
    async with access.database(request).read() as session:
        members = await accounts.list_members(session, here.principal, here.organization.id)
        pending = (
            await invitations.pending(session, here.principal, here.organization.id)
            if here.may("admin")
            else []
        )
    context = {
        "title": f"Members of {here.organization.name}",
        "here": here,
        "members": members,
        "pending": pending,
        "roles": ROLES,
        **extra,
    }
    return page(request, "members.html", context, here.active, status)


@router.get("/orgs/{slug}/members")
async def members(request: Request, slug: str) -> Response:
    return await _members_page(request, await access.in_org(request, slug))


@router.post("/orgs/{slug}/members/invite")
async def invite(request: Request, slug: str) -> Response:
    here = await access.in_org(request, slug, "admin")
    data = await access.form(request, here.active)
    email, role = access.text(data, "email"), access.text(data, "role")
    try:
        async with access.database(request).write() as session:
            invitation, ticket = await invitations.invite(
                session, here.principal, here.organization.id, email, role
            )
    except DomainError as exc:
        return await _members_page(request, here, 400, error=exc.message, email=email)
    link = f"{link_base(request)}/console/invite?ticket={ticket}"
    mailed = await send(
        access.settings(request),
        invitation.email,
        f"Join {here.organization.name} on Podium",
        f"{here.active.user.identifier} invites you to {here.organization.name} as "
        f"{invitation.role}.\n\nSet your password here (the link works once, for 7 days):"
        f"\n{link}\n",
    )
    return await _members_page(request, here, invited=invitation, link=link, mailed=mailed)


@router.post("/orgs/{slug}/members/{membership_id}/role")
async def change_role(request: Request, slug: str, membership_id: access.ObjectId) -> Response:
    here = await access.in_org(request, slug, "admin")
    data = await access.form(request, here.active)
    try:
        async with access.database(request).write() as session:
            await accounts.set_role(
                session,
                here.principal,
                here.organization.id,
                membership_id,
                access.text(data, "role"),
            )
    except DomainError as exc:
        return await _members_page(request, here, exc.status, error=exc.message)
    return see_other(f"/console/orgs/{slug}/members?note=role")


@router.post("/orgs/{slug}/members/{membership_id}/remove")
async def remove(request: Request, slug: str, membership_id: access.ObjectId) -> Response:
    here = await access.in_org(request, slug, "admin")
    await access.form(request, here.active)
    try:
        async with access.database(request).write() as session:
            await accounts.remove_member(
                session, here.principal, here.organization.id, membership_id
            )
    except DomainError as exc:
        return await _members_page(request, here, exc.status, error=exc.message)
    return see_other(f"/console/orgs/{slug}/members?note=removed")


@router.post("/orgs/{slug}/invitations/{invitation_id}/cancel")
async def cancel(request: Request, slug: str, invitation_id: access.ObjectId) -> Response:
    here = await access.in_org(request, slug, "admin")
    await access.form(request, here.active)
    try:
        async with access.database(request).write() as session:
            await invitations.cancel(session, here.principal, here.organization.id, invitation_id)
    except DomainError as exc:
        return await _members_page(request, here, exc.status, error=exc.message)
    return see_other(f"/console/orgs/{slug}/members?note=cancelled")
