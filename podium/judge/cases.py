"""What a submission is judged against."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class TestCase:
    """One input fed on stdin and the output expected on stdout."""

    __test__ = False  # not a pytest class, whatever its name

    input: bytes
    output: bytes
