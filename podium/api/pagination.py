"""Opaque cursors for id-ordered pages."""

from __future__ import annotations

import base64
import binascii

from podium.core.errors import Invalid

DEFAULT_LIMIT = 50


def encode(last_id: int | None) -> str | None:
    if last_id is None:
        return None
    return base64.urlsafe_b64encode(f"id:{last_id}".encode()).decode().rstrip("=")


def decode(cursor: str | None) -> int | None:
    if not cursor:
        return None
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        kind, _, value = text.partition(":")
        number = int(value)
        if kind != "id" or not 0 <= number < 2**63:
            raise ValueError(kind)
        return number
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise Invalid(f"cursor {cursor!r} is not one this API issued.", field="cursor") from None
