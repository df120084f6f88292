"""How much a submission may use: per test case, and to be accepted for judging."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Limits:
    """Per test case: CPU seconds (the wall clock gets twice that plus a second),
    memory, output size and processes; plus the largest program and compile time.

    ``memory_mb`` bounds the address space, with a fixed allowance per language on
    top for its runtime (see ``Language.overhead_mb``); Java is bounded by ``-Xmx``.
    """

    time_seconds: float = 2.0
    memory_mb: int = 256
    output_bytes: int = 1_000_000
    processes: int = 32
    program_bytes: int = 100_000
    compile_seconds: float = 30.0

    @property
    def wall_seconds(self) -> float:
        return 2 * self.time_seconds + 1
