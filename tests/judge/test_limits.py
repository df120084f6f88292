from __future__ import annotations

from podium.judge import Limits


def test_wall_clock_is_twice_the_cpu_time_plus_a_second() -> None:
    assert Limits(time_seconds=1.5).wall_seconds == 4.0
    assert Limits().memory_mb == 256 and Limits().output_bytes == 1_000_000
