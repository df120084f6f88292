"""What the RunSignup server and client share: error codes, times, flags, XML.

RunSignup answers errors in band (HTTP 200 with an ``error`` object), sends booleans
as ``"T"``/``"F"``, and speaks XML by default with plural containers of singular
children (``<results><result>``). Both sides build and read documents here.
"""

from __future__ import annotations

import re
from typing import Any
from xml.etree.ElementTree import Element, SubElement, tostring

import defusedxml.ElementTree as SafeET
from defusedxml import DefusedXmlException

from podium.core import limits

# Error codes (https://runsignup.com/Api/ErrorCodes).
UNKNOWN_METHOD = 1
METHOD_NOT_SUPPORTED = 2
INVALID_PARAMETERS = 3
UNKNOWN_ERROR = 4
KEY_AUTH_FAILED = 6
PERMISSION_DENIED = 7
FORMAT_NOT_SUPPORTED = 10
INVALID_SUBMISSION = 11
INVALID_ID = 15
USER_NOT_FOUND = 101
BAD_LOGIN = 102
TMP_CREDENTIALS_FAILED = 151
RACE_NOT_FOUND = 201
EVENT_NOT_VALID = 223

STATUS_TOKENS = ("DQ", "DNS", "DNF", "DNQ")
# hhh:mm:ss.s, as the user-results documentation writes it.
_VIRTUAL_CLOCK = re.compile(r"^(\d{1,3}):([0-5]\d):([0-5]\d)(?:\.(\d{1,3}))?$")
# Timers also send h:mm:ss.fff, mm:ss.ff and ss.f.
_TIMER_CLOCK = re.compile(r"^(?:(?:(\d+):)?([0-5]?\d):)?([0-5]?\d)(?:\.(\d{1,3}))?$")


class ClockError(ValueError):
    """A clock time that is neither a time of the accepted form nor a status token."""


def parse_clock(text: str, *, virtual: bool = False) -> tuple[str, int | None]:
    """(status, milliseconds): ``("OK", 1020100)`` for ``00:17:00.1``, ``("DNF", None)``."""
    value = text.strip()
    if value.upper() in STATUS_TOKENS:
        return value.upper(), None
    found = (_VIRTUAL_CLOCK if virtual else _TIMER_CLOCK).match(value)
    if found is None:
        form = "hhh:mm:ss.s" if virtual else "h:mm:ss.fff, mm:ss.f or ss.f"
        raise ClockError(f"Invalid time {text!r}: use {form} or one of DQ, DNS, DNF, DNQ.")
    hours, minutes, seconds, fraction = found.groups()
    ms = ((int(hours or 0) * 60 + int(minutes or 0)) * 60 + int(seconds)) * 1000
    return "OK", ms + int((fraction or "0").ljust(3, "0"))


def format_clock(ms: int | None, status: str = "OK") -> str:
    """A time as RunSignup shows one: no zero hours, up to three decimals (``16:47.5``)."""
    if status != "OK" or ms is None:
        return status if status != "OK" else ""
    seconds, millis = divmod(ms, 1000)
    minutes, seconds = divmod(seconds, 60)
    hours, minutes = divmod(minutes, 60)
    fraction = f".{millis:03d}".rstrip("0").rstrip(".")
    if hours:
        return f"{hours}:{minutes:02d}:{seconds:02d}{fraction}"
    return f"{minutes}:{seconds:02d}{fraction}"


def flag(value: bool) -> str:
    return "T" if value else "F"


def is_true(value: Any) -> bool:
    return str(value).strip().upper() in ("T", "TRUE", "1", "Y", "YES")


# ---- XML -------------------------------------------------------------------------

# Plural container -> the name of each child element.
SINGULAR = {
    "virtual_results": "virtual_result",
    "results": "result",
    "races": "race",
    "events": "event",
    "individual_results_sets": "individual_results_set",
    "event_individual_results": "individual_results_set",
    "event_participants": "event",
    "participants": "participant",
    "alt_event_ids": "alt_event_id",
    "error_details": "error",
    "splits": "split",
}


def to_xml(root: str, data: Any) -> bytes:
    """A JSON-shaped value as RunSignup-style XML; None becomes an empty element."""
    element = Element(root)
    _fill(element, root, data)
    return b'<?xml version="1.0" encoding="utf-8"?>\n' + tostring(element)


def _fill(element: Element, name: str, value: Any) -> None:
    if isinstance(value, dict):
        for key, item in value.items():
            _fill(SubElement(element, str(key)), str(key), item)
    elif isinstance(value, list):
        child = SINGULAR.get(name, name.removesuffix("s") or "item")
        for item in value:
            _fill(SubElement(element, child), child, item)
    elif value is None:
        pass
    elif isinstance(value, bool):
        element.text = flag(value)
    else:
        element.text = str(value)


class XmlError(ValueError):
    """An XML document that is malformed or uses forbidden constructs (entities, DTDs)."""


def parse_xml(text: str | bytes) -> Element:
    """Parse untrusted XML with defusedxml: no entity expansion, no external references."""
    try:
        root: Element = SafeET.fromstring(text, forbid_dtd=True)
    except (SafeET.ParseError, DefusedXmlException, ValueError) as exc:
        raise XmlError(f"The XML request could not be read: {exc}") from exc
    # Nesting as deep as JSON may go (reading it is recursive), checked without recursion.
    stack = [(root, 1)]
    while stack:
        element, depth = stack.pop()
        if depth > limits.MAX_DEPTH:
            raise XmlError(f"The XML request nests more than {limits.MAX_DEPTH} levels deep.")
        stack.extend((child, depth + 1) for child in element)
    return root


def element_value(element: Element) -> Any:
    """An element as a dict of its children (repeated names become lists), or its text.

    An element with no children and no text is ``None`` (empty = null).
    """
    children = list(element)
    if not children:
        text = (element.text or "").strip()
        return text if text else None
    out: dict[str, Any] = {}
    for child in children:
        value = element_value(child)
        if child.tag in out:
            previous = out[child.tag]
            out[child.tag] = [*previous, value] if isinstance(previous, list) else [previous, value]
        else:
            out[child.tag] = value
    return out


def as_list(value: Any) -> list[Any]:
    """Repeated XML children arrive as a list, a single one as itself, none as None."""
    if value is None:
        return []
    return value if isinstance(value, list) else [value]
