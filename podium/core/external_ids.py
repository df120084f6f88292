"""Identifiers other platforms give core objects: attributes, not separate copies.

A person with Discord id 1234 is found as ``("person", "discord", "1234")``; the
scheme names are the dialects' own (``discord``, ``nadeo``, ``multigp``, ``runsignup``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from sqlalchemy import bindparam, delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from podium.core import limits
from podium.core.errors import Conflict, Invalid
from podium.store.tables import ExternalId

SCHEME = re.compile(r"^[a-z][a-z0-9_.-]{0,39}$")


def parse_ref(text: str) -> tuple[str, str]:
    """Split ``scheme:value`` as used in ``?external_id=`` filters."""
    scheme, sep, value = text.partition(":")
    if not sep or not SCHEME.match(scheme) or not value:
        raise Invalid(f"external_id must look like 'scheme:value', got {text!r}.")
    return scheme, value


async def replace(session: AsyncSession, kind: str, object_id: int, ids: Mapping[str, str]) -> None:
    for scheme, value in ids.items():
        if not SCHEME.match(scheme):
            raise Invalid(f"External id scheme {scheme!r} must be lower-case letters and digits.")
        if not value or len(value) > 200:
            raise Invalid(f"External id {scheme!r} must be 1 to 200 characters.")
        owner = await find(session, kind, scheme, value)
        if owner is not None and owner != object_id:
            raise Conflict(f"{scheme} id {value!r} already belongs to {kind} {owner}.")
    await session.execute(
        delete(ExternalId).where(ExternalId.object_kind == kind, ExternalId.object_id == object_id)
    )
    session.add_all(
        ExternalId(object_kind=kind, object_id=object_id, scheme=s, value=v) for s, v in ids.items()
    )
    await session.flush()


async def find(session: AsyncSession, kind: str, scheme: str, value: str) -> int | None:
    if not limits.storable(value):
        return None
    return await session.scalar(
        select(ExternalId.object_id).where(
            ExternalId.object_kind == kind, ExternalId.scheme == scheme, ExternalId.value == value
        )
    )


# Built once: every keyed read of a concept with external ids runs it.
_FOR_OBJECTS = select(ExternalId.object_id, ExternalId.scheme, ExternalId.value).where(
    ExternalId.object_kind == bindparam("kind"),
    ExternalId.object_id.in_(bindparam("ids", expanding=True)),
)


async def for_objects(
    session: AsyncSession, kind: str, object_ids: Sequence[int]
) -> dict[int, dict[str, str]]:
    """External ids of many objects in one query (list routes must not do N+1)."""
    out: dict[int, dict[str, str]] = {object_id: {} for object_id in object_ids}
    if not object_ids:
        return out
    rows = await session.execute(_FOR_OBJECTS, {"kind": kind, "ids": list(object_ids)})
    for object_id, scheme, value in rows:
        out[object_id][scheme] = value
    return out
