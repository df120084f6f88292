"""Core objects rendered in Mooshak's JSON shapes (Jackson's, nulls left out)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from podium.dialects.mooshak2 import storage
from podium.dialects.mooshak2.wire import Verdict
from podium.store.tables import Challenge, Competition, Result

# Fields the public contest list leaves out (Mooshak clears them for everyone).
_PRIVATE_CONTEST_FIELDS = (
    "contestType",
    "email",
    "organizes",
    "hideListings",
    "policy",
    "transactionLimit",
    "transactionLimitTime",
    "service",
    "notes",
    "fatal",
    "warning",
)
# Contest fields kept as given in attributes.mooshak and echoed back.
CONTEST_EXTRAS = (
    "contestType",
    "organizes",
    "email",
    "hideListings",
    "policy",
    "virtual",
    "register",
    "transactionLimit",
    "transactionLimitTime",
    "service",
    "notes",
    "fatal",
    "warning",
)
PROBLEM_EXTRAS = (
    "color",
    "difficulty",
    "type",
    "staticCorrector",
    "dynamicCorrector",
    "gameManager",
    "originalLocation",
    "editorKind",
)


def _present(values: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in values.items() if v is not None}


def contest(row: Competition, key: str, *, full: bool = True) -> dict[str, Any]:
    own = storage.settings_of(row)
    body: dict[str, Any] = {
        "id": key,
        "designation": row.name,
        "contestStatus": storage.contest_status(row),
        "open": storage.epoch_seconds(row.starts_at),
        "start": storage.epoch_seconds(row.starts_at),
        "stop": storage.epoch_seconds(row.ends_at),
        "close": storage.epoch_seconds(row.ends_at),
        "policy": "ICPC",
        "virtual": "no",
        "register": "no",
    }
    body.update({k: own[k] for k in CONTEST_EXTRAS if k in own})
    for name in ("open", "close"):
        if own.get(name):
            body[name] = str(own[name])
    if not full:
        for name in _PRIVATE_CONTEST_FIELDS:
            body.pop(name, None)
    return _present(body)


def problem(row: Challenge) -> dict[str, Any]:
    attrs = row.attributes
    timeout = attrs.get("timeout")
    body: dict[str, Any] = {
        "id": storage.problem_key(row),
        "name": row.code or storage.problem_key(row),
        "title": row.name,
        "timeout": max(1, round(float(timeout))) if timeout is not None else None,
    }
    body.update({k: attrs[k] for k in PROBLEM_EXTRAS if k in attrs})
    return _present(body)


def problem_info(row: Challenge, *, complete: bool) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": storage.problem_key(row),
        "label": row.code or storage.problem_key(row),
        "title": row.name,
        "pdfviewable": False,
    }
    if complete:
        body["statement"] = str(row.attributes.get("statement", ""))
    return body


def public_tests(row: Challenge) -> list[dict[str, str]]:
    tests = row.attributes.get("tests") or []
    return [{"input": t["input"], "output": t["output"]} for t in tests if t.get("public")]


def verdict_of(row: Result) -> str:
    return str(row.attributes.get("verdict") or Verdict.EVALUATING.value)


def submission(row: Result, problem_id: str, team: str) -> dict[str, Any]:
    attrs = row.attributes
    verdict = verdict_of(row)
    when = row.recorded_at if row.recorded_at.tzinfo else row.recorded_at.replace(tzinfo=UTC)
    return _present(
        {
            "id": str(row.id),
            "consider": "yes" if attrs.get("consider", True) else "no",
            "date": storage.epoch_seconds(when),
            "time": str((row.elapsed_ms or 0) // 1000),
            "problemId": problem_id,
            "teamId": team,
            "classify": verdict,
            "status": verdict,
            "mark": attrs.get("mark", 0),
            "size": attrs.get("size"),
            "observations": attrs.get("observations", ""),
            "state": attrs.get("state", "pending"),
            "language": attrs.get("language"),
            "feedback": attrs.get("feedback", ""),
        }
    )


def evaluation_summary(row: Result, language: str | None) -> dict[str, Any]:
    attrs = row.attributes
    verdict = verdict_of(row)
    body: dict[str, Any] = {
        "state": attrs.get("state", "pending"),
        "language": language,
        "status": verdict,
        "mark": attrs.get("mark", 0),
        "observations": attrs.get("observations", ""),
        "feedback": attrs.get("feedback", ""),
        "metrics": attrs.get("metrics"),
        "evaluatedAt": attrs.get("evaluated_at"),
    }
    if not attrs.get("consider", True) and verdict == Verdict.ACCEPTED:
        body["status"] = "VALIDATED"
    return _present(body)


def contest_seconds(contest_row: Competition, at: datetime) -> int:
    if contest_row.starts_at is None:
        return 0
    start = contest_row.starts_at
    if start.tzinfo is None:
        start = start.replace(tzinfo=UTC)
    return max(0, int((at - start).total_seconds()))
