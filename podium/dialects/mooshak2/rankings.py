"""Mooshak's ICPC ranking rows: one object per team, every value a string.

Per problem: "HH:MM:SS (n)" when solved (contest time of the first Accepted, n
rejected tries before it), "------ (n)" when only tried, "" when untouched. ``#``
is always "0" as in Mooshak, which leaves ranking to ``order``: the solved count
padded to three digits, a colon, then 2147483647 minus the total seconds. Unlike
Mooshak, the array comes sorted best first.
"""

from __future__ import annotations

from podium.ranking.contest import Row, Table

_MAX_INT = 2_147_483_647
_DAY = 86_400


def clock(seconds: int) -> str:
    """HH:MM:SS; hours keep counting past a day, as a contest clock does."""
    hours, rest = divmod(seconds, 3600)
    return f"{hours:02d}:{rest // 60:02d}:{rest % 60:02d}"


def total(seconds: int) -> str:
    """Mooshak's total time: HH:MM:SS, switching to "DDD HH:mm" from a day on."""
    if seconds < _DAY:
        return clock(seconds)
    days, rest = divmod(seconds, _DAY)
    return f"{days:03d} {rest // 3600:02d}:{rest % 3600 // 60:02d}"


def _row(table: Table, row: Row) -> dict[str, str]:
    out = {
        "#": "0",
        "team": row.team.name,
        "group": row.team.group,
        "groupName": row.team.group_name,
        "flag": row.team.flag,
        "color": row.team.color,
    }
    for problem, cell in zip(table.problems, row.cells, strict=True):
        if cell.solved and cell.solved_seconds is not None:
            out[problem.label] = f"{clock(cell.solved_seconds)} ({cell.tries})"
        elif cell.tries:
            out[problem.label] = f"------ ({cell.tries})"
        else:
            out[problem.label] = ""
    out["solved"] = str(row.solved)
    out["points"] = total(row.total_seconds)
    out["order"] = f"{row.solved:03d}:{_MAX_INT - row.total_seconds}"
    return out


def mooshak_rows(table: Table) -> list[dict[str, str]]:
    return [_row(table, row) for row in table.rows]
