"""Comparing a program's output with the expected one, as Mooshak grades it."""

from __future__ import annotations

from podium.judge.verdicts import Verdict


def _lines(data: bytes) -> list[bytes]:
    lines = [line.rstrip() for line in data.replace(b"\r\n", b"\n").split(b"\n")]
    while lines and not lines[-1]:
        lines.pop()
    return lines


def compare(produced: bytes, expected: bytes) -> Verdict:
    """Accepted when equal up to trailing spaces and blank lines at the end;
    Presentation Error when only the spacing or line breaks differ; else Wrong Answer."""
    if produced == expected or _lines(produced) == _lines(expected):
        return Verdict.ACCEPTED
    if produced.split() == expected.split():
        return Verdict.PRESENTATION_ERROR
    return Verdict.WRONG_ANSWER
