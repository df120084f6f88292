"""Submissions of a contest (``data/contests/{c}/submissions``): list, one, its program.

A team sees only its own submissions; admins and judges see the whole contest.
"""

from __future__ import annotations

import base64
import binascii
from datetime import datetime
from typing import Any

from podium.dialects.mooshak2.client import Client
from podium.dialects.mooshak2.contests import Contest
from podium.dialects.mooshak2.errors import ServerError
from podium.dialects.mooshak2.evaluation import Evaluation
from podium.dialects.mooshak2.models import Model, contest_id_of, epoch_time, yes

__all__ = ["Submission", "get", "get_all", "program", "summary"]


class Submission(Model):
    """A SubmissionModel; ``classify`` is the verdict ("Evaluating" while judged)."""

    kind = "submission"

    problemId: str | None = None
    teamId: str | None = None
    classify: str | None = None
    status: str | None = None
    state: str | None = None
    consider: str | None = None
    mark: int | None = None
    date: str | None = None
    language: str | None = None
    contest_id: str

    def __init__(self, contest_id: Contest | str, **fields: Any) -> None:
        object.__setattr__(self, "contest_id", contest_id_of(contest_id))
        super().__init__(**fields)

    @property
    def submitted_at(self) -> datetime | None:
        return epoch_time(self.date)

    @property
    def counts(self) -> bool:
        """False for a validation run (``consider`` "no")."""
        return self.consider is None or yes(self.consider)

    def evaluation(self, connection: Client) -> Evaluation:
        """This submission's evaluation summary."""
        return summary(connection, self.contest_id, self.id or "")

    def program(self, connection: Client) -> bytes:
        return program(connection, self.contest_id, self.id or "")


def get_all(connection: Client, contest: Contest | str) -> list[Submission]:
    contest_id = contest_id_of(contest)
    items = connection.get_json(f"data/contests/{contest_id}/submissions/")
    return [Submission(contest_id).load_from_dict(item) for item in items]


def get(connection: Client, contest: Contest | str, submission_id: str) -> Submission:
    contest_id = contest_id_of(contest)
    body = connection.get_json(f"data/contests/{contest_id}/submissions/{submission_id}")
    return Submission(contest_id).load_from_dict(body)


def program(connection: Client, contest: Contest | str, submission_id: str) -> bytes:
    """The submitted source (Mooshak sends it base64-encoded)."""
    path = f"data/contests/{contest_id_of(contest)}/submissions/{submission_id}/program"
    text = connection.call("GET", path).text
    try:
        return base64.b64decode(text.strip(), validate=True)
    except (binascii.Error, ValueError):
        raise ServerError("the program is not base64", body=text) from None


def summary(connection: Client, contest: Contest | str, submission_id: str) -> Evaluation:
    evaluation = Evaluation(contest_id_of(contest))
    evaluation.id = submission_id
    return evaluation.refresh(connection)
