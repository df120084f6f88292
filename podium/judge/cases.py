"""What a submission is judged against, and within which limits."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class TestCase:
    __test__ = False  # not a pytest class, whatever its name

    input: bytes
    output: bytes


@dataclass(frozen=True)
class Limits:
    """Per test case: CPU seconds (the wall clock gets twice that plus a second),
    memory, output size and processes; plus the largest program and compile time."""

    time_seconds: float = 2.0
    memory_mb: int = 256
    output_bytes: int = 1_000_000
    processes: int = 32
    program_bytes: int = 100_000
    compile_seconds: float = 30.0

    @property
    def wall_seconds(self) -> float:
        return 2 * self.time_seconds + 1
