"""An organization's credentials, every dialect's: list, create, revoke (owners only).

What can be made comes from the dialects (``podium.core.credentials.MAKERS``); a new
secret is shown once, on the page that answers the form (never in a URL), with the
exact base URL its client needs.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import Response

from podium.console import access
from podium.console.organizations import link_base
from podium.console.render import page, see_other
from podium.core import credentials, limits
from podium.core.errors import DomainError
from podium.store.tables import Credential
from podium.store.types import utcnow

router = APIRouter()


async def _page(
    request: Request, here: access.InOrg, status: int = 200, **extra: object
) -> Response:
    org_id = here.organization.id
    async with access.database(request).read() as session:
        rows = await credentials.list_credentials(session, here.principal, organization_id=org_id)
        targets = {
            kind: await maker.targets(session, org_id) if maker.targets else []
            for kind, maker in credentials.MAKERS.items()
        }
    context = {
        "title": f"Credentials of {here.organization.name}",
        "here": here,
        "tab": "credentials",
        "rows": rows,
        "label": lambda row: credentials.kind_of(row).label,
        "state": _state,
        "makers": credentials.MAKERS,
        "targets": targets,
        "base": link_base(request),
        **extra,
    }
    return page(request, "credentials.html", context, here.active, status)


def _state(row: Credential) -> str:
    if row.revoked_at is not None:
        return "Revoked"
    if row.expires_at is not None and row.expires_at <= utcnow():
        return "Expired"
    return "Active"


@router.get("/orgs/{slug}/credentials")
async def listing(request: Request, slug: str) -> Response:
    return await _page(request, await access.in_org(request, slug, "admin"))


@router.post("/orgs/{slug}/credentials/new")
async def create(request: Request, slug: str) -> Response:
    here = await access.in_org(request, slug, "admin")
    data = await access.form(request, here.active)
    maker = credentials.MAKERS.get(access.text(data, "kind"))
    if maker is None:
        return await _page(request, here, 400, error="Choose a kind of credential.")
    target_text = access.text(data, "target")
    target = limits.id_of(target_text)
    if maker.targets is not None and target is None:
        return await _page(request, here, 400, error=f"Choose a {maker.target.lower()}.")
    name, choice = access.text(data, "name").strip(), access.text(data, "choice")
    try:
        async with access.database(request).write() as session:
            org_id = here.organization.id
            made = await maker.make(session, here.principal, org_id, target, choice, name)
    except DomainError as exc:
        return await _page(request, here, exc.status, error=exc.message)
    return await _page(request, here, made=made, maker=maker)


@router.post("/orgs/{slug}/credentials/{credential_id}/revoke")
async def revoke(request: Request, slug: str, credential_id: access.ObjectId) -> Response:
    here = await access.in_org(request, slug, "admin")
    await access.form(request, here.active)
    async with access.database(request).write() as session:
        await credentials.revoke(session, here.principal, credential_id)
    return see_other(f"/console/orgs/{slug}/credentials?note=revoked")
