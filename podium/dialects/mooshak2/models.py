"""The base of the client's objects: Mooshak JSON keys as attributes, sent back as seen.

mooshak2api copies every key of a response onto the object and sends those keys
back on update; ``Model`` does the same (so code written for it keeps working), and
also sends attributes assigned later, which mooshak2api silently dropped. ``type`` is
reserved for the object's kind, as in mooshak2api; the server's value stays in ``data``.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, ClassVar, Self

from podium.dialects.mooshak2.errors import UsageError


class Model:
    """A Mooshak object; ``data`` is the last JSON the server sent for it."""

    kind: ClassVar[str] = "model"
    reserved: ClassVar[frozenset[str]] = frozenset({"type"})

    id: str | None = None

    def __init__(self, id: str | None = None, **fields: Any) -> None:
        object.__setattr__(self, "_seen", {"id"})
        object.__setattr__(self, "data", {})
        self.id = id
        for name, value in fields.items():
            setattr(self, name, value)

    def __setattr__(self, name: str, value: Any) -> None:
        if not name.startswith("_") and name != "data":
            self._seen.add(name)
        object.__setattr__(self, name, value)

    _seen: set[str]
    data: dict[str, Any]

    @property
    def type(self) -> str:
        return self.kind

    @property
    def property_names(self) -> set[str]:
        """The keys ``as_json`` sends (mooshak2api's name for them)."""
        return {"type", *self._seen}

    def load_from_dict(self, json: dict[str, Any]) -> Self:
        """Copy every key of a server object onto this one (``type`` only into ``data``)."""
        self.data.update(json)
        for key, value in json.items():
            if key not in self.reserved:
                setattr(self, key, self._convert(key, value))
        return self

    def _convert(self, key: str, value: Any) -> Any:
        """Hook for typed fields; the JSON value as is by default."""
        return value

    def as_json(self) -> dict[str, Any]:
        """The object as Mooshak JSON: every key seen, plus ``type``."""
        body: dict[str, Any] = {"type": self.kind}
        for name in self._seen:
            value = getattr(self, name, None)
            as_json = getattr(value, "as_json", None)
            body[name] = as_json() if callable(as_json) else value
        return body

    def __repr__(self) -> str:
        return f"{type(self).__name__}(id={self.id!r})"


def epoch_time(value: Any, *, millis: bool = False) -> datetime | None:
    """A Mooshak date (epoch seconds, as a string or number; or ms) as aware UTC."""
    if value is None or value == "":
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return datetime.fromtimestamp(number / 1000 if millis else number, UTC)


def yes(value: Any) -> bool:
    """Mooshak's "yes"/"no" menus (and real booleans) as a bool."""
    if isinstance(value, bool):
        return value
    return str(value).strip().lower() in {"yes", "true", "1"}


def contest_id_of(contest: Any) -> str:
    """A contest given as an id or as an object with ``id`` (as mooshak2api accepts)."""
    found = getattr(contest, "id", contest)
    if found is None or found == "":
        raise UsageError("a contest id is needed")
    return str(found)
