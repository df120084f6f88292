"""Static memory of compiled programs, read from their ELF headers."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from podium.judge.binary import static_memory


@pytest.mark.parametrize("megabytes", [1, 50])
def test_static_arrays_count(tmp_path: Path, megabytes: int) -> None:
    source = tmp_path / "big.c"
    source.write_text(
        f"static char big[{megabytes} << 20];\nint main(void){{ big[1] = 1; return big[2]; }}\n"
    )
    subprocess.run(["gcc", "-o", str(tmp_path / "big"), str(source)], check=True)
    size = static_memory(tmp_path / "big")
    assert megabytes << 20 <= size < (megabytes + 1) << 20


def test_anything_else_claims_nothing(tmp_path: Path) -> None:
    text = tmp_path / "script.py"
    text.write_text("print(1)\n")
    assert static_memory(text) == 0
    assert static_memory(tmp_path / "missing") == 0
