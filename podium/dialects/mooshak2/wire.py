"""Mooshak 2 wire facts shared by Podium's server and its client.

Sources are cited in ``shared/specs/mooshak2.md``: the welcome text the client
checks, the verdict strings, the token lifetime and refresh cap, and the roles.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from podium.judge.verdicts import Verdict

__all__ = ["NOTIFY_TYPES", "WELCOME", "WELCOME_BODY", "Role", "Verdict", "error_body"]

WELCOME = "Welcome to Mooshak 2.0 API"
WELCOME_BODY: dict[str, Any] = {"result": {"type": "string", "value": WELCOME}}

TOKEN_MINUTES = 60
REFRESH_LIMIT = 5
JWT_ALGORITHM = "HS512"


class Role(StrEnum):
    ADMIN = "ADMIN"
    CREATOR = "CREATOR"
    JUDGE = "JUDGE"
    RUNNER = "RUNNER"
    TEAM = "TEAM"


# How a client should present a verdict (mooshak2api's ``notify_type``), with
# "Evaluating" answered as "info" instead of raising as the original does.
NOTIFY_TYPES: dict[str, str] = {
    Verdict.ACCEPTED: "success",
    Verdict.WRONG_ANSWER: "warning",
    Verdict.EVALUATION_SKIPPED: "warning",
    Verdict.EVALUATING: "info",
    **{
        verdict: "error"
        for verdict in (
            Verdict.COMPILE_TIME_ERROR,
            Verdict.INVALID_EXIT_VALUE,
            Verdict.INVALID_FUNCTION,
            Verdict.INVALID_SUBMISSION,
            Verdict.MEMORY_LIMIT_EXCEEDED,
            Verdict.OUTPUT_LIMIT_EXCEEDED,
            Verdict.PRESENTATION_ERROR,
            Verdict.PROGRAM_SIZE_EXCEEDED,
            Verdict.REQUIRES_REEVALUATION,
            Verdict.RUNTIME_ERROR,
            Verdict.TIME_LIMIT_EXCEEDED,
        )
    },
}


def error_body(status: int, title: str, message: str, path: str) -> dict[str, Any]:
    """Mooshak's error object: the HTTP status repeated, its reason phrase, text, path."""
    return {"status": status, "title": title, "message": message, "path": path}
