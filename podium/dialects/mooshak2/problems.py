"""Problems of a contest (``data/contests/{c}/problems``), their statements, and submitting.

``update``/``delete``/``create`` return the raw httpx.Response as mooshak2api does;
``evaluate`` raises SubmissionRefusedError with the server's message when the
submission is refused (mooshak2api only did so for a 500), and NotFoundError or
ForbiddenError for an unknown problem or a caller who is not a team.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import IO, Any

import httpx

from podium.dialects.mooshak2 import contests
from podium.dialects.mooshak2.client import Client
from podium.dialects.mooshak2.contests import Contest
from podium.dialects.mooshak2.errors import SubmissionRefusedError, UsageError, error_for
from podium.dialects.mooshak2.evaluation import Evaluation
from podium.dialects.mooshak2.models import Model, contest_id_of

__all__ = [
    "Problem",
    "ProblemView",
    "PublicTest",
    "get",
    "get_all",
    "public_tests",
    "statement",
    "view",
]


class Problem(Model):
    """A ProblemModel of contest ``contest_id``; ``name`` is its label, e.g. "A"."""

    kind = "problem"

    name: str | None = None
    title: str | None = None
    color: str | None = None
    difficulty: str | None = None
    timeout: int | None = None
    contest_id: str | None

    def __init__(self, contest_id: Contest | str | None = None, **fields: Any) -> None:
        # The contest is where the problem lives, not a field of its JSON.
        contest = None if contest_id is None else contest_id_of(contest_id)
        object.__setattr__(self, "contest_id", contest)
        super().__init__(**fields)

    @property
    def label(self) -> str | None:
        return self.name

    def _path(self) -> str:
        if self.contest_id is None or self.id is None:
            raise UsageError("a problem needs its contest_id and id for this call")
        return f"data/contests/{self.contest_id}/problems/{self.id}"

    def create(self, connection: Client) -> httpx.Response:
        if self.contest_id is None:
            raise UsageError("a problem needs its contest_id to be created")
        path = f"data/contests/{self.contest_id}/problems/"
        return connection.request("POST", path, json=self.as_json())

    def update(self, connection: Client) -> httpx.Response:
        return connection.request("PUT", self._path(), json=self.as_json())

    def delete(self, connection: Client) -> httpx.Response:
        return connection.request("DELETE", self._path())

    def get_contest(self, connection: Client) -> Contest:
        return contests.get(connection, contest_id_of(self.contest_id))

    def evaluate(
        self,
        connection: Client,
        problem_code: IO[bytes] | bytes,
        *,
        filename: str | None = None,
        consider: bool = True,
    ) -> Evaluation:
        """Submit a program (an open binary file, or bytes with ``filename``) for judging.

        The language follows the file name's extension. ``consider=False`` is a
        validation run that does not count.
        """
        if isinstance(problem_code, bytes | bytearray):
            if filename is None:
                raise UsageError("a program given as bytes needs a filename")
            content: Any = bytes(problem_code)
        else:
            content = problem_code
            filename = filename or os.path.basename(getattr(problem_code, "name", "program"))
        data = {} if consider else {"consider": "false"}
        response = connection.request(
            "POST",
            f"{self._path()}/evaluate",
            files={"program": (filename, content)},
            data=data,
            json_headers=False,
        )
        if not response.is_success:
            # Unknown ids and roles keep their usual errors; anything else is a refusal.
            refused = response.status_code not in (403, 404)
            raise error_for(response, SubmissionRefusedError if refused else None)
        return Evaluation(contest_id_of(self.contest_id), self.id).load_from_dict(response.json())

    def view(self, connection: Client, complete: bool = True) -> ProblemView:
        return view(connection, self.contest_id, self.id or "", complete=complete)

    def statement(self, connection: Client) -> str:
        return statement(connection, self.contest_id, self.id or "")

    def public_tests(self, connection: Client) -> list[PublicTest]:
        return public_tests(connection, self.contest_id, self.id or "")


def get(connection: Client, contest: Contest | str, problem_id: str) -> Problem:
    contest_id = contest_id_of(contest)
    body = connection.get_json(f"data/contests/{contest_id}/problems/{problem_id}")
    return Problem(contest_id).load_from_dict(body)


def get_all(connection: Client, contest: Contest | str) -> list[Problem]:
    contest_id = contest_id_of(contest)
    items = connection.get_json(f"data/contests/{contest_id}/problems/")
    return [Problem(contest_id).load_from_dict(item) for item in items]


@dataclass(frozen=True)
class ProblemView:
    """``/view``: the label and title, the HTML statement (when complete), a PDF flag."""

    id: str
    label: str
    title: str
    statement: str | None
    pdf_viewable: bool


@dataclass(frozen=True)
class PublicTest:
    input: str
    output: str


def view(
    connection: Client, contest: Contest | str | None, problem_id: str, complete: bool = True
) -> ProblemView:
    path = f"data/contests/{contest_id_of(contest)}/problems/{problem_id}/view"
    body = connection.get_json(f"{path}?complete={'true' if complete else 'false'}")
    return ProblemView(
        id=str(body.get("id", problem_id)),
        label=str(body.get("label", "")),
        title=str(body.get("title", "")),
        statement=body.get("statement"),
        pdf_viewable=bool(body.get("pdfviewable", body.get("PDFviewable", False))),
    )


def statement(connection: Client, contest: Contest | str | None, problem_id: str) -> str:
    """The statement as HTML."""
    path = f"data/contests/{contest_id_of(contest)}/problems/{problem_id}/statement"
    return connection.call("GET", path).text


def public_tests(
    connection: Client, contest: Contest | str | None, problem_id: str
) -> list[PublicTest]:
    path = f"data/contests/{contest_id_of(contest)}/problems/{problem_id}/public-tests"
    return [PublicTest(str(t["input"]), str(t["output"])) for t in connection.get_json(path)]
