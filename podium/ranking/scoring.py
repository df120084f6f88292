"""Scoring formats: how a competitor's results become one comparable score.

Every format reduces a competitor's results to an integer ``score`` where lower is
better, so one index and one Redis sorted set can rank every format. The encodings
below keep each score inside the 53 bits a Redis score (a double) holds exactly.

Competitors with no scoring result are placed after every scored one, by status in
``STATUS_ORDER``: finishers without a score for this format (``OK``), then did not
finish, did not qualify, disqualified, did not start.

In the lap formats a lap time of zero (or none) is "no time": timers report a pilot
who never completed a lap with a 0 best lap and a 0 total. It never ranks in the
fastest-lap and consecutive-laps formats (it would beat every real lap), and sorts
after every real total at equal laps in ``most_laps`` and ``aggregate_laps``.
``lowest_time`` and ``personal_best`` take ``elapsed_ms`` (the gun time) as given, or
the chip time when the competition ranks by chip (``rank_by``) and the result has one.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal, get_args

from podium.core.errors import Invalid

STATUS_ORDER = ("OK", "DNF", "DNQ", "DQ", "DNS")
ACCEPTED = "Accepted"
PENDING_VERDICTS = frozenset({"Evaluating", "Pending", ""})

_LAPS_BITS = 36  # total ms under ~795 days beside the lap count
_LAPS_MAX = (1 << (53 - _LAPS_BITS)) - 1
_TOTAL_MAX = (1 << _LAPS_BITS) - 1
_ICPC_BITS = 20  # minutes under ~728 days for penalty and last accepted time
_ICPC_FIELD_MAX = (1 << _ICPC_BITS) - 1
_SOLVED_MAX = (1 << (53 - 2 * _ICPC_BITS)) - 1
MAX_SCORE = (1 << 53) - 1
NO_TIME = _TOTAL_MAX  # the total of a laps score that has no time: after every real one


@dataclass(frozen=True)
class Performance:
    """One result, as scoring sees it."""

    result_id: int
    status: str = "OK"
    elapsed_ms: int | None = None
    laps: int | None = None
    lap_times_ms: Sequence[int] = ()
    points: float | None = None
    challenge_id: int | None = None
    recorded_at: datetime | None = None
    verdict: str | None = None
    # Timers that report only summaries (a MultiGP slot push) give the best lap and
    # best 2/3 consecutive laps instead of every lap: {1: ms, 2: ms, 3: ms}.
    best_ms: Mapping[int, int] = field(default_factory=dict)
    # A road race keeps both times: ``elapsed_ms`` from the gun, this from the mat.
    chip_ms: int | None = None


RankBy = Literal["gun", "chip"]
RANK_BY: tuple[str, ...] = get_args(RankBy)
MAX_PENALTY_MINUTES = 24 * 60


@dataclass(frozen=True)
class Options:
    """Per-competition settings of a format (``attributes.scoring_options``)."""

    best_of: int | None = None  # aggregate_points: count only the best X results
    penalty_minutes: int = 20  # icpc: per rejected try before the first Accepted
    compile_errors_count: bool = True  # icpc: Mooshak counts every non-Accepted verdict
    rank_by: RankBy = "gun"  # lowest_time, personal_best: gun time or chip time

    @staticmethod
    def from_settings(settings: object) -> Options:
        """The options a competition stored; raises Invalid naming the bad key.

        Keys this version does not know are ignored, so settings written by a newer
        version still read.
        """
        if not isinstance(settings, dict):
            raise Invalid("scoring_options must be an object.", field=_FIELD)
        best_of = settings.get("best_of")
        if best_of is not None and not _whole(best_of, 1, 10_000):
            raise _bad("best_of", "a whole number from 1 to 10000, or null")
        penalty = settings.get("penalty_minutes", 20)
        if not _whole(penalty, 0, MAX_PENALTY_MINUTES):
            raise _bad("penalty_minutes", f"a whole number from 0 to {MAX_PENALTY_MINUTES}")
        compile_errors = settings.get("compile_errors_count", True)
        if not isinstance(compile_errors, bool):
            raise _bad("compile_errors_count", "true or false")
        rank_by = settings.get("rank_by", "gun")
        if rank_by not in RANK_BY:
            raise _bad("rank_by", '"gun" or "chip"')
        return Options(best_of, penalty, compile_errors, rank_by)

    @staticmethod
    def of(attributes: Mapping[str, object] | None) -> Options:
        """A competition's options for ranking what is stored: settings written before
        they were checked read as the defaults, so a board never fails on them."""
        try:
            return Options.from_settings((attributes or {}).get("scoring_options", {}))
        except Invalid:
            return Options()


_FIELD = "attributes.scoring_options"


def _whole(value: object, low: int, high: int) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and low <= value <= high


def _bad(key: str, wanted: str) -> Invalid:
    return Invalid(f"scoring_options.{key} must be {wanted}.", field=f"{_FIELD}.{key}")


@dataclass(frozen=True)
class Score:
    """A competitor's standing before ranking: ``score`` is None when nothing counted."""

    score: int | None
    status: str
    # Which result decided the score, and when it was set: ties go to who set it first.
    deciding_result: int | None = None
    set_at: datetime | None = None
    detail: dict[str, Any] = field(default_factory=dict)


def _best_status(rows: Iterable[Performance]) -> str:
    statuses = {row.status for row in rows}
    return next((s for s in STATUS_ORDER if s in statuses), "DNS")


def _pick(
    rows: Sequence[Performance], value: Callable[[Performance], int | None]
) -> tuple[int, Performance] | None:
    """The lowest value among finished rows; on equal values, the one set first."""
    best: tuple[int, Performance] | None = None
    for row in rows:
        if row.status != "OK":
            continue
        v = value(row)
        if v is None:
            continue
        if best is None or (v, _when(row)) < (best[0], _when(best[1])):
            best = (v, row)
    return best


def _when(row: Performance) -> tuple[float, int]:
    stamp = row.recorded_at.timestamp() if row.recorded_at else 0.0
    return (stamp, row.result_id)


def _scored(
    picked: tuple[int, Performance] | None, rows: Sequence[Performance], **detail: Any
) -> Score:
    if picked is None:
        return Score(None, _best_status(rows))
    value, row = picked
    return Score(min(value, MAX_SCORE), "OK", row.result_id, row.recorded_at, detail)


def timed(ms: int | None) -> int | None:
    """A lap time or lap total that counts: None for a missing or zero (untimed) one."""
    return ms if ms is not None and ms > 0 else None


def ranked_ms(row: Performance, options: Options) -> int | None:
    """The time that ranks: the chip time when the competition ranks by chip and the
    result has one (a runner who missed the start mat has only a gun time), else gun."""
    if options.rank_by == "chip" and row.chip_ms is not None:
        return row.chip_ms
    return row.elapsed_ms


def lowest_time(rows: Sequence[Performance], options: Options) -> Score:
    picked = _pick(rows, lambda r: ranked_ms(r, options))
    if picked is None:
        return _scored(None, rows)
    ms, row = picked
    by = "chip" if options.rank_by == "chip" and row.chip_ms is not None else "gun"
    return _scored(picked, rows, elapsed_ms=ms, ranked_by=by)


def _laps(row: Performance) -> int | None:
    if row.laps is not None:
        return row.laps
    return len(row.lap_times_ms) if row.lap_times_ms else None


def _total(row: Performance) -> int | None:
    """The result's total time, or None when it has none (missing or zero)."""
    return timed(row.elapsed_ms) or timed(sum(row.lap_times_ms))


def encode_laps(laps: int, total_ms: int | None) -> int:
    """More laps first, then less total time; no time after every real time."""
    total = NO_TIME if total_ms is None else min(total_ms, _TOTAL_MAX)
    return ((_LAPS_MAX - min(laps, _LAPS_MAX)) << _LAPS_BITS) | total


def decode_laps(score: int) -> tuple[int, int | None]:
    """(laps, total ms), the total None when the score has no time."""
    total = score & _TOTAL_MAX
    return _LAPS_MAX - (score >> _LAPS_BITS), None if total == NO_TIME else total


def most_laps(rows: Sequence[Performance], _options: Options) -> Score:
    """The single result with most laps (one heat), ties by its total time."""

    def value(row: Performance) -> int | None:
        laps = _laps(row)
        return None if laps is None else encode_laps(laps, _total(row))

    picked = _pick(rows, value)
    if picked is None:
        return _scored(None, rows)
    laps, total = decode_laps(picked[0])
    return _scored(picked, rows, laps=laps, total_ms=total)


def aggregate_laps(rows: Sequence[Performance], _options: Options) -> Score:
    """Laps summed over every finished result (the rounds flown), ties by total time.

    What a RotorHazard class ranking does: a pilot who flies 5 and 5 laps is ahead
    of one who flies a single 8-lap heat. Results without a lap count (a place-only
    overall ranking) do not count.
    """
    counted = [(r, laps) for r in rows if r.status == "OK" and (laps := _laps(r)) is not None]
    if not counted:
        return Score(None, _best_status(rows))
    laps = sum(n for _, n in counted)
    times = [t for r, _ in counted if (t := _total(r)) is not None]
    total = sum(times) if times else None
    last = max((r for r, _ in counted), key=_when)
    return Score(
        encode_laps(laps, total),
        "OK",
        last.result_id,
        last.recorded_at,
        {"laps": laps, "total_ms": total, "counted": len(counted)},
    )


def fastest_lap(rows: Sequence[Performance], _options: Options) -> Score:
    def best(row: Performance) -> int | None:
        laps = [ms for ms in row.lap_times_ms if ms > 0]
        if row.lap_times_ms:
            return min(laps) if laps else None
        return timed(row.best_ms.get(1))

    picked = _pick(rows, best)
    return _scored(picked, rows, best_lap_ms=picked[0] if picked else None)


def consecutive(n: int) -> Callable[[Sequence[Performance], Options], Score]:
    """Fastest ``n`` consecutive laps within one result (windows never span heats).

    A window with an untimed (zero) lap does not count; neither does a shorter
    window a timer reports for a pilot with fewer than ``n`` laps.
    """

    def window(row: Performance) -> int | None:
        laps = list(row.lap_times_ms)
        if not laps:
            return timed(row.best_ms.get(n))
        sums = [
            sum(laps[i : i + n])
            for i in range(len(laps) - n + 1)
            if all(ms > 0 for ms in laps[i : i + n])
        ]
        return min(sums) if sums else None

    def score(rows: Sequence[Performance], _options: Options) -> Score:
        picked = _pick(rows, window)
        return _scored(picked, rows, **{f"best_{n}_consecutive_ms": picked[0] if picked else None})

    return score


def encode_points(points: float) -> int:
    """Higher points first; three decimals kept."""
    return -round(points * 1000)


def decode_points(score: int) -> float:
    return -score / 1000


def highest_points(rows: Sequence[Performance], _options: Options) -> Score:
    picked = _pick(rows, lambda r: None if r.points is None else encode_points(r.points))
    return _scored(picked, rows, points=-picked[0] / 1000 if picked else None)


def aggregate_points(rows: Sequence[Performance], options: Options) -> Score:
    """Sum of the best X of a competitor's results (all of them without ``best_of``)."""
    counted = sorted(
        (r for r in rows if r.status == "OK" and r.points is not None),
        key=lambda r: (-(r.points or 0.0), _when(r)),
    )
    if options.best_of is not None:
        counted = counted[: options.best_of]
    if not counted:
        return Score(None, _best_status(rows))
    total = sum(r.points or 0.0 for r in counted)
    last = max(counted, key=_when)
    return Score(
        encode_points(total),
        "OK",
        last.result_id,
        last.recorded_at,
        {"points": total, "counted": len(counted)},
    )


def encode_icpc(solved: int, penalty_minutes: int, last_minutes: int) -> int:
    """More solved first, then less penalty time, then an earlier last Accepted."""
    return (
        ((_SOLVED_MAX - min(solved, _SOLVED_MAX)) << (2 * _ICPC_BITS))
        | (min(penalty_minutes, _ICPC_FIELD_MAX) << _ICPC_BITS)
        | min(last_minutes, _ICPC_FIELD_MAX)
    )


def decode_icpc(score: int) -> tuple[int, int, int]:
    """(solved, penalty minutes, minute of the last Accepted)."""
    return (
        _SOLVED_MAX - (score >> (2 * _ICPC_BITS)),
        (score >> _ICPC_BITS) & _ICPC_FIELD_MAX,
        score & _ICPC_FIELD_MAX,
    )


def _accepted(row: Performance) -> bool:
    if row.verdict is not None:
        return row.verdict == ACCEPTED
    return row.status == "OK" and (row.points or 0) > 0


def icpc(rows: Sequence[Performance], options: Options) -> Score:
    """ICPC: problems solved, then penalty time, then time of the last Accepted.

    ``elapsed_ms`` is the contest time of a submission; each rejected try before the
    first Accepted adds ``penalty_minutes``. Pending verdicts do not count; compile
    errors count unless ``compile_errors_count`` is off.
    """
    by_problem: dict[int | None, list[Performance]] = {}
    for row in rows:
        if row.verdict in PENDING_VERDICTS or row.elapsed_ms is None:
            continue
        if not options.compile_errors_count and row.verdict == "Compile Time Error":
            continue
        by_problem.setdefault(row.challenge_id, []).append(row)
    solved = penalty = last = 0
    deciding: Performance | None = None
    problems: dict[str, dict[str, int]] = {}
    for problem, tries in by_problem.items():
        tries.sort(key=lambda r: (r.elapsed_ms or 0, r.result_id))
        for rejected, row in enumerate(tries):
            if _accepted(row):
                minute = (row.elapsed_ms or 0) // 60_000
                solved += 1
                penalty += minute + rejected * options.penalty_minutes
                if deciding is None or minute >= last:
                    last, deciding = minute, row
                problems[str(problem)] = {"minute": minute, "rejected": rejected}
                break
        else:
            problems[str(problem)] = {"minute": -1, "rejected": len(tries)}
    if not by_problem:
        return Score(None, _best_status(rows))
    return Score(
        encode_icpc(solved, penalty, last),
        "OK",
        deciding.result_id if deciding else None,
        deciding.recorded_at if deciding else None,
        {"solved": solved, "penalty_minutes": penalty, "problems": problems},
    )


FORMATS: dict[str, Callable[[Sequence[Performance], Options], Score]] = {
    "lowest_time": lowest_time,
    "personal_best": lowest_time,
    "most_laps": most_laps,
    "aggregate_laps": aggregate_laps,
    "fastest_lap": fastest_lap,
    "fastest_2_consecutive": consecutive(2),
    "fastest_3_consecutive": consecutive(3),
    "highest_points": highest_points,
    "aggregate_points": aggregate_points,
    "icpc": icpc,
}


def score(scoring: str, rows: Sequence[Performance], options: Options | None = None) -> Score:
    return FORMATS[scoring](rows, options or Options())
