"""Input limits every entry point passes: JSON bodies, free-form data, integers, text.

Whatever a request carries ends up in the store (text columns, 64-bit integer
columns, JSON columns written by orjson) and in the event log. These rules refuse,
up front and with one clear message, what the store or the serialiser would fail on
later (a 5xx) or keep silently altered:

- text never holds NUL or a lone surrogate (PostgreSQL refuses them, SQLite would
  store them, and orjson cannot write a lone surrogate back out);
- integers fit in a signed 64-bit column;
- JSON nests at most ``MAX_DEPTH`` levels and has no NaN or Infinity;
- numbers are at most ``MAX_NUMBER_DIGITS`` digits long (Python refuses to convert
  longer integers at all).

Every refusal is an ``Invalid`` (a ``json.JSONDecodeError`` too, for body parsers
that already handle those), so each dialect renders it in its own error shape.
"""

from __future__ import annotations

import json
from typing import Any

from podium.core.errors import Invalid

INT64_MIN = -(2**63)
INT64_MAX = 2**63 - 1
MAX_DEPTH = 32
MAX_NUMBER_DIGITS = 400
NUL = "\x00"


class PayloadError(Invalid, json.JSONDecodeError):
    """A body that is not acceptable JSON (``msg`` and ``pos`` like ``json``'s own)."""

    def __init__(self, msg: str, doc: str = "", pos: int = 0, *, malformed: bool = False) -> None:
        # DomainError's __init__ would pass one argument up the MRO to
        # JSONDecodeError's, which takes three: set both sides here instead.
        json.JSONDecodeError.__init__(self, msg, doc, pos)
        # A syntax error names where it is, as the standard library words it.
        self.message = str(self.args[0]) if doc else msg
        self.details: dict[str, Any] = {}
        # Not JSON at all (syntax, encoding), rather than JSON beyond the limits.
        self.malformed = malformed or bool(doc)

    def __str__(self) -> str:
        return self.message


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a number JSON allows")


def _int(text: str) -> int:
    if len(text.lstrip("-")) > MAX_NUMBER_DIGITS:
        raise ValueError(f"a number of more than {MAX_NUMBER_DIGITS} digits")
    return int(text)


def _float(text: str) -> float:
    if len(text) > MAX_NUMBER_DIGITS:
        raise ValueError(f"a number of more than {MAX_NUMBER_DIGITS} digits")
    return float(text)


def loads(raw: bytes | str) -> Any:
    """Decode an untrusted JSON body and check it against the limits.

    The standard library's parser keeps its messages ("Expecting value: line 1
    column 10 (char 9)"), which some platforms' clients show; what it would crash on
    (deep nesting, giant numbers) becomes a ``PayloadError`` instead.
    """
    try:
        text = raw.decode("utf-8") if isinstance(raw, bytes | bytearray) else raw
    except UnicodeDecodeError as exc:
        raise PayloadError(f"The body is not UTF-8 (byte {exc.start}).", malformed=True) from None
    try:
        value = json.loads(
            text, parse_constant=_refuse_constant, parse_int=_int, parse_float=_float
        )
    except json.JSONDecodeError as exc:
        raise PayloadError(exc.msg, exc.doc, exc.pos) from None
    except RecursionError:
        raise PayloadError(f"JSON nested more than {MAX_DEPTH} levels deep.") from None
    except ValueError as exc:
        raise PayloadError(f"Unacceptable JSON: {exc}.") from None
    problem = offence(value)
    if problem is not None:
        raise PayloadError(problem)
    return value


def offence(value: Any) -> str | None:
    """What in ``value`` (decoded JSON, a form, attributes) breaks a limit, or None.

    Walks containers without recursion, so no input can exhaust the stack.
    """
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, str):
            problem = text_offence(item)
            if problem is not None:
                return problem
        elif isinstance(item, bool):
            continue
        elif isinstance(item, int):
            if not INT64_MIN <= item <= INT64_MAX:
                return f"The integer {_short(item)} does not fit in 64 bits."
        elif isinstance(item, float):
            if item != item or item in (float("inf"), float("-inf")):
                return "NaN and Infinity are not numbers JSON allows."
        elif isinstance(item, dict):
            if depth > MAX_DEPTH:
                return f"JSON nested more than {MAX_DEPTH} levels deep."
            for key, member in item.items():
                stack.append((key, depth))
                stack.append((member, depth + 1))
        elif isinstance(item, list | tuple):
            if depth > MAX_DEPTH:
                return f"JSON nested more than {MAX_DEPTH} levels deep."
            stack.extend((member, depth + 1) for member in item)
    return None


def text_offence(value: str) -> str | None:
    """Why the store cannot hold this text (NUL, a lone surrogate), or None."""
    if NUL in value:
        return "Text may not contain NUL (\\u0000) characters."
    if not value.isascii():
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return "Text must be valid Unicode (it holds a lone surrogate)."
    return None


def storable(value: str) -> bool:
    """Whether the store can hold (and so can have stored) this text: a lookup by text
    it cannot hold finds nothing, and answers as any unknown key does."""
    return text_offence(value) is None


def check(value: Any) -> Any:
    """``value`` itself when it is within the limits, else ``Invalid``."""
    problem = offence(value)
    if problem is not None:
        raise Invalid(problem)
    return value


def _short(number: int) -> str:
    text = str(number)
    return text if len(text) <= 30 else f"{text[:12]}…({len(text)} digits)"


def digits(text: str) -> bool:
    """Whether ``text`` is ASCII digits only (and not empty).

    ``str.isdigit`` also takes "²" (which ``int`` refuses) and "١٢" (which ``int``
    reads as 12): neither is a number any client of ours writes.
    """
    return text.isascii() and text.isdigit()


def id_of(value: object) -> int | None:
    """An id (1 to 2**63-1) written as ASCII digits or given as an int, else None.

    Whatever cannot be an id in the store (too large, "²", "a\x00b") reads as an
    id that does not exist, so it gets the same answer as an unknown one.
    """
    if isinstance(value, bool):
        return None
    if isinstance(value, str):
        text = value.strip()
        if not digits(text) or len(text) > 19:
            return None
        value = int(text)
    if isinstance(value, int) and 1 <= value <= INT64_MAX:
        return value
    return None


def bounded_int(value: object, field: str, low: int = INT64_MIN, high: int = INT64_MAX) -> int:
    """An integer parsed from a parameter (text or number), within [low, high]."""
    if isinstance(value, bool):
        raise Invalid(f"{field} must be an integer.", field=field)
    if isinstance(value, str):
        text = value.strip()
        if not digits(text.removeprefix("-").removeprefix("+")) or len(text) > MAX_NUMBER_DIGITS:
            raise Invalid(f"{field} must be an integer.", field=field)
        number = int(text)
    elif isinstance(value, int):
        number = value
    elif isinstance(value, float) and value.is_integer():
        number = int(value)
    else:
        raise Invalid(f"{field} must be an integer.", field=field)
    if not low <= number <= high:
        raise Invalid(f"{field} must be between {low} and {high}.", field=field)
    return number


def text(value: object, field: str, max_length: int) -> str:
    """Free text from a parameter: a string the store can hold, at most ``max_length``
    characters. Longer text is refused, never cut: a shortened name is a lost name.
    """
    if not isinstance(value, str):
        raise Invalid(f"{field} must be text.", field=field)
    problem = text_offence(value)
    if problem is not None:
        raise Invalid(f"{field}: {problem}", field=field)
    if len(value) > max_length:
        raise Invalid(f"{field} is longer than {max_length} characters.", field=field)
    return value
