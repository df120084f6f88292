"""RunSignup's answers as plain dataclasses, read by hand from the JSON.

RunSignup is loose about types (ids arrive as ints or numeric strings, booleans as
``"T"``/``"F"``), so each model normalises what it documents and keeps the whole
object in ``raw`` for the fields it does not name. ``VirtualResult`` is the one
model that goes the other way: a row to submit.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Any, Final

from podium.core import limits
from podium.dialects.runsignup.wire import is_true

__all__ = [
    "UNSET",
    "Event",
    "FullResult",
    "FullResultsReceipt",
    "Login",
    "Participant",
    "Race",
    "ResultSet",
    "Unset",
    "VirtualResult",
    "VirtualResultReceipt",
]

Json = dict[str, Any]


class Unset(enum.Enum):
    """The type of ``UNSET``: a field that is not sent at all (unlike ``None``, sent as null)."""

    UNSET = "UNSET"

    def __repr__(self) -> str:
        return "UNSET"


UNSET: Final = Unset.UNSET


# ---- reading helpers -----------------------------------------------------------------


class ShapeError(ValueError):
    """A response that does not have the shape of the answer it should be."""


def _obj(value: Any, what: str) -> Json:
    if not isinstance(value, dict):
        raise ShapeError(f"{what} is not an object: {value!r:.80}")
    return value


def _list(value: Any, what: str) -> list[Any]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise ShapeError(f"{what} is not a list: {value!r:.80}")
    return value


def _int(value: Any, what: str) -> int:
    found = _opt_int(value, what)
    if found is None:
        raise ShapeError(f"{what} is missing")
    return found


def _opt_int(value: Any, what: str) -> int | None:
    """An int from an int or a numeric string; None and "" are None."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise ShapeError(f"{what} is a boolean, not an integer")
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    text = str(value).strip()
    if limits.digits(text.removeprefix("-")) and len(text) <= limits.MAX_NUMBER_DIGITS:
        return int(text)
    raise ShapeError(f"{what} is not an integer: {value!r:.80}")


def _opt_str(value: Any) -> str | None:
    return None if value is None else str(value)


def _flag(value: Any) -> bool:
    return value is True or (value is not None and value is not False and is_true(value))


# ---- auth ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Login:
    """What ``POST /login`` gives: a temporary key pair and the user it belongs to."""

    tmp_key: str
    tmp_secret: str = field(repr=False)
    user: Json = field(default_factory=dict)

    @classmethod
    def from_json(cls, data: Any) -> Login:
        body = _obj(data, "login")
        if "login" in body and isinstance(body["login"], dict):  # some servers wrap it
            body = body["login"]
        key, secret = body.get("tmp_key"), body.get("tmp_secret")
        if not key or not secret:
            raise ShapeError("login has no tmp_key/tmp_secret")
        user = body.get("user")
        return cls(str(key), str(secret), dict(user) if isinstance(user, dict) else {})


# ---- races, events, participants -----------------------------------------------------


@dataclass(frozen=True, slots=True)
class Event:
    """One event of a race; times are ``M/D/YYYY HH:MM`` in the race's time zone."""

    event_id: int
    name: str
    race_event_days_id: int | None = None
    start_time: str | None = None
    end_time: str | None = None
    event_type: str | None = None
    distance: str | None = None
    details: str | None = None
    raw: Json = field(default_factory=dict, repr=False)

    @property
    def is_virtual(self) -> bool:
        """RunSignup does not name its virtual event type; Podium adds ``is_virtual_event``."""
        if "is_virtual_event" in self.raw:
            return _flag(self.raw["is_virtual_event"])
        return "virtual" in (self.event_type or "").lower()

    @classmethod
    def from_json(cls, data: Any) -> Event:
        body = _obj(data, "event")
        return cls(
            event_id=_int(body.get("event_id"), "event_id"),
            name=str(body.get("name") or ""),
            race_event_days_id=_opt_int(body.get("race_event_days_id"), "race_event_days_id"),
            start_time=_opt_str(body.get("start_time")),
            end_time=_opt_str(body.get("end_time")),
            event_type=_opt_str(body.get("event_type")),
            distance=_opt_str(body.get("distance")),
            details=_opt_str(body.get("details")),
            raw=body,
        )


@dataclass(frozen=True, slots=True)
class Race:
    """A race; ``events`` is filled by ``get_race`` and by ``get_races(events=True)``."""

    race_id: int
    name: str
    next_date: str | None = None
    next_end_date: str | None = None
    last_date: str | None = None
    last_end_date: str | None = None
    is_draft_race: bool = False
    is_registration_open: bool = False
    timezone: str | None = None
    url: str | None = None
    description: str | None = None
    address: Json = field(default_factory=dict)
    events: list[Event] = field(default_factory=list)
    raw: Json = field(default_factory=dict, repr=False)

    @classmethod
    def from_json(cls, data: Any) -> Race:
        body = _obj(data, "race")
        if set(body) == {"race"}:  # {"race": {...}}, as get_race and races[] wrap it
            body = _obj(body["race"], "race")
        address = body.get("address")
        return cls(
            race_id=_int(body.get("race_id"), "race_id"),
            name=str(body.get("name") or ""),
            next_date=_opt_str(body.get("next_date")),
            next_end_date=_opt_str(body.get("next_end_date")),
            last_date=_opt_str(body.get("last_date")),
            last_end_date=_opt_str(body.get("last_end_date")),
            is_draft_race=_flag(body.get("is_draft_race")),
            is_registration_open=_flag(body.get("is_registration_open")),
            timezone=_opt_str(body.get("timezone")),
            url=_opt_str(body.get("url")),
            description=_opt_str(body.get("description")),
            address=dict(address) if isinstance(address, dict) else {},
            events=[Event.from_json(e) for e in _list(body.get("events"), "events")],
            raw=body,
        )


@dataclass(frozen=True, slots=True)
class Participant:
    """A registration; ``user`` is the person (first_name, last_name, email, dob, gender…)."""

    registration_id: int
    event_id: int | None
    bib_num: int | None = None
    chip_num: str | None = None
    user: Json = field(default_factory=dict)
    age: int | None = None
    registration_date: str | None = None
    last_modified: int | None = None
    raw: Json = field(default_factory=dict, repr=False)

    @classmethod
    def from_json(cls, data: Any, event_id: int | None = None) -> Participant:
        body = _obj(data, "participant")
        user = body.get("user")
        bib = body.get("bib_num")
        return cls(
            registration_id=_int(body.get("registration_id"), "registration_id"),
            event_id=_opt_int(body.get("event_id"), "event_id") or event_id,
            # A bib is a number on RunSignup; keep anything else rather than fail on it.
            bib_num=_opt_int(bib, "bib_num") if limits.digits(str(bib).strip()) else None,
            chip_num=_opt_str(body.get("chip_num")),
            user=dict(user) if isinstance(user, dict) else {},
            age=_opt_int(body.get("age"), "age") if limits.digits(str(body.get("age"))) else None,
            registration_date=_opt_str(body.get("registration_date")),
            last_modified=_opt_int(body.get("last_modified"), "last_modified"),
            raw=body,
        )


def participants_from_json(data: Any) -> list[Participant]:
    """The participants of ``[{"event": {"event_id"}, "participants": [...]}, ...]``.

    The per-event ``event.participants`` is always empty on RunSignup (kept for old
    clients); the list that counts is the sibling ``participants``.
    """
    out: list[Participant] = []
    for item in _list(data, "participants response"):
        group = _obj(item, "event participants")
        event = group.get("event")
        event_id = _opt_int(event.get("event_id"), "event_id") if isinstance(event, dict) else None
        out.extend(
            Participant.from_json(p, event_id)
            for p in _list(group.get("participants"), "participants")
        )
    return out


# ---- results -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class VirtualResult:
    """One user-submitted virtual result to post.

    Give ``registration_id`` or ``bib_num`` (the registration's own bib wins when both
    are given). ``tally_value`` left ``UNSET`` is not sent, so the stored tally is kept;
    ``None`` is sent as null, which clears it. ``elevation_gain_in_mm`` is required by
    events that allow elevation gain and ignored by the others.
    """

    registration_id: int | None = None
    bib_num: int | None = None
    clock_time: str | None = None
    tally_value: float | Unset | None = UNSET
    elevation_gain_in_mm: int | None = None

    def __post_init__(self) -> None:
        if self.registration_id is None and self.bib_num is None:
            raise ValueError("a virtual result needs registration_id or bib_num")

    def to_json(self) -> Json:
        """The row as sent: only the fields that are set (and tally_value unless UNSET)."""
        out: Json = {}
        if self.registration_id is not None:
            out["registration_id"] = self.registration_id
        if self.bib_num is not None:
            out["bib_num"] = self.bib_num
        if self.clock_time is not None:
            out["clock_time"] = self.clock_time
        if not isinstance(self.tally_value, Unset):
            out["tally_value"] = self.tally_value
        if self.elevation_gain_in_mm is not None:
            out["elevation_gain_in_mm"] = self.elevation_gain_in_mm
        return out


@dataclass(frozen=True, slots=True)
class VirtualResultReceipt:
    """One stored virtual result: who it resolved to, where it went, and the time in ms.

    ``submitted_time_in_ms`` is None for DQ/DNS/DNF/DNQ; ``result_approval_ts`` is
    None until the result is approved.
    """

    registration_id: int
    bib_num: int | None
    results_received_ts: int | None
    individual_result_set_id: int
    submitted_time_in_ms: int | None
    elevation_gain_in_mm: int | None
    result_approval_ts: int | None

    @classmethod
    def from_json(cls, data: Any) -> VirtualResultReceipt:
        body = _obj(data, "virtual_result")
        return cls(
            registration_id=_int(body.get("registration_id"), "registration_id"),
            bib_num=_opt_int(body.get("bib_num"), "bib_num"),
            results_received_ts=_opt_int(body.get("results_received_ts"), "results_received_ts"),
            individual_result_set_id=_int(
                body.get("individual_result_set_id"), "individual_result_set_id"
            ),
            submitted_time_in_ms=_opt_int(body.get("submitted_time_in_ms"), "submitted_time_in_ms"),
            elevation_gain_in_mm=_opt_int(body.get("elevation_gain_in_mm"), "elevation_gain_in_mm"),
            result_approval_ts=_opt_int(body.get("result_approval_ts"), "result_approval_ts"),
        )

    @staticmethod
    def list_from_json(data: Any) -> list[VirtualResultReceipt]:
        body = _obj(data, "user-results response")
        return [
            VirtualResultReceipt.from_json(item)
            for item in _list(body.get("virtual_results"), "virtual_results")
        ]


@dataclass(frozen=True, slots=True)
class FullResult:
    """One row stored by full-results; keep ``result_id`` to edit the row later."""

    result_id: int
    registration_id: int | None = None
    bib: int | None = None

    @classmethod
    def from_json(cls, data: Any) -> FullResult:
        body = _obj(data, "result")
        bib = body.get("bib", body.get("bib_num"))
        return cls(
            result_id=_int(body.get("result_id"), "result_id"),
            registration_id=_opt_int(body.get("registration_id"), "registration_id"),
            bib=_opt_int(bib, "bib") if limits.digits(str(bib).strip()) else None,
        )


@dataclass(frozen=True, slots=True)
class FullResultsReceipt:
    """The answer to full-results: the set written to and one ``FullResult`` per row."""

    individual_result_set_id: int | None
    results: list[FullResult] = field(default_factory=list)

    @classmethod
    def from_json(cls, data: Any) -> FullResultsReceipt:
        body = _obj(data, "full-results response")
        return cls(
            individual_result_set_id=_opt_int(
                body.get("individual_result_set_id"), "individual_result_set_id"
            ),
            results=[FullResult.from_json(r) for r in _list(body.get("results"), "results")],
        )


@dataclass(frozen=True, slots=True)
class ResultSet:
    """An individual result set and (from get-results) its rows.

    Rows are dicts keyed like ``results_headers`` (``result_id``, ``place``, ``bib``,
    ``clock_time``, ``split-<id>``…), values as the server sent them.
    """

    individual_result_set_id: int
    individual_result_set_name: str
    public_results: bool = True
    preliminary_results: bool = False
    pace_type: str | None = None
    sort_order: int | None = None
    team_column_display_type: int | None = None
    results_source_name: str | None = None
    results_source_url: str | None = None
    alt_event_ids: list[int] = field(default_factory=list)
    results_headers: dict[str, str] = field(default_factory=dict)
    results: list[Json] = field(default_factory=list)
    num_finishers: int | None = None
    raw: Json = field(default_factory=dict, repr=False)

    @classmethod
    def from_json(cls, data: Any) -> ResultSet:
        body = _obj(data, "individual_results_set")
        headers = body.get("results_headers")
        return cls(
            individual_result_set_id=_int(
                body.get("individual_result_set_id"), "individual_result_set_id"
            ),
            individual_result_set_name=str(body.get("individual_result_set_name") or ""),
            public_results=_flag(body.get("public_results", "T")),
            preliminary_results=_flag(body.get("preliminary_results")),
            pace_type=_opt_str(body.get("pace_type")),
            sort_order=_opt_int(body.get("sort_order"), "sort_order"),
            team_column_display_type=_opt_int(
                body.get("team_column_display_type"), "team_column_display_type"
            ),
            results_source_name=_opt_str(body.get("results_source_name")),
            results_source_url=_opt_str(body.get("results_source_url")),
            alt_event_ids=[
                _int(i, "alt_event_ids[]")
                for i in _list(body.get("alt_event_ids"), "alt_event_ids")
            ],
            results_headers=(
                {str(k): str(v) for k, v in headers.items()} if isinstance(headers, dict) else {}
            ),
            results=[_obj(r, "result row") for r in _list(body.get("results"), "results")],
            num_finishers=_opt_int(body.get("num_finishers"), "num_finishers"),
            raw={k: v for k, v in body.items() if k != "results"},
        )

    @staticmethod
    def list_from_json(data: Any) -> list[ResultSet]:
        body = _obj(data, "result sets response")
        return [
            ResultSet.from_json(item)
            for item in _list(body.get("individual_results_sets"), "individual_results_sets")
        ]
