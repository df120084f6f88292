"""Output comparison: exact, trailing whitespace forgiven, other spacing flagged."""

from __future__ import annotations

import pytest

from podium.judge.compare import compare
from podium.judge.verdicts import Verdict


@pytest.mark.parametrize(
    ("produced", "expected", "verdict"),
    [
        (b"1\n2\n", b"1\n2\n", Verdict.ACCEPTED),
        (b"1  \r\n2\n\n\n", b"1\n2", Verdict.ACCEPTED),
        (b"1\t\n2", b"1\n2\n\n", Verdict.ACCEPTED),
        (b"1 2\n", b"1\n2\n", Verdict.PRESENTATION_ERROR),
        (b"1  2\n", b"1 2\n", Verdict.PRESENTATION_ERROR),
        (b" 1 2\n", b"1 2\n", Verdict.PRESENTATION_ERROR),
        (b"\n1 2\n", b"1 2\n", Verdict.PRESENTATION_ERROR),
        (b"12\n", b"1 2\n", Verdict.WRONG_ANSWER),
        (b"", b"1\n", Verdict.WRONG_ANSWER),
        (b"1\n2\n3\n", b"1\n2\n", Verdict.WRONG_ANSWER),
    ],
)
def test_compare(produced: bytes, expected: bytes, verdict: Verdict) -> None:
    assert compare(produced, expected) is verdict


def test_verdicts_are_spelt_as_mooshak_spells_them() -> None:
    assert Verdict.COMPILE_TIME_ERROR == "Compile Time Error"
    assert Verdict("Time Limit Exceeded") is Verdict.TIME_LIMIT_EXCEEDED
    assert Verdict.INVALID_SUBMISSION.value == "Invalid Submission"
