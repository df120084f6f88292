"""How much memory a compiled program claims before it runs.

A C array of static storage larger than the address-space limit makes ``execve``
fail after the point of no return: the kernel kills the process, which would
read as a Runtime Error. Summing the ELF's loadable segments catches it first,
so the verdict is the honest Memory Limit Exceeded.
"""

from __future__ import annotations

import struct
from pathlib import Path

_PT_LOAD = 1


def static_memory(path: Path) -> int:
    """Bytes the loadable segments of a 64-bit ELF file occupy in memory; 0 when
    the file is not one (then the limits alone decide)."""
    try:
        with path.open("rb") as elf:
            header = elf.read(64)
            if len(header) < 64 or header[:4] != b"\x7fELF" or header[4] != 2:
                return 0
            order = "<" if header[5] == 1 else ">"
            (phoff,) = struct.unpack_from(order + "Q", header, 32)
            phentsize, phnum = struct.unpack_from(order + "HH", header, 54)
            elf.seek(phoff)
            table = elf.read(phentsize * phnum)
    except OSError:
        return 0
    total = 0
    for index in range(phnum):
        offset = index * phentsize
        if offset + 48 > len(table):
            break
        (kind,) = struct.unpack_from(order + "I", table, offset)
        (memsz,) = struct.unpack_from(order + "Q", table, offset + 40)
        if kind == _PT_LOAD:
            total += memsz
    return total
