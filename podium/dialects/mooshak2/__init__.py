"""The Mooshak 2 dialect (programming contests).

This package holds Podium's server side (``routes``, ``tokens``, ``judging`` ...) and
a synchronous client that stands in for ``mooshak2api``, re-exported here::

    from podium.dialects import mooshak2
    from podium.dialects.mooshak2 import contests, problems

    conn = mooshak2.login("http://127.0.0.1:8000/mooshak/api/", "team1", "pw", contest="c1")
    problem = problems.get(conn, "c1", "A")
    with open("sum.py", "rb") as program:
        evaluation = problem.evaluate(conn, program).wait(conn)
    print(evaluation.status, evaluation.metrics)

Only the client modules are imported by this file.
"""

from podium.dialects.mooshak2 import contests, languages, problems, submissions
from podium.dialects.mooshak2.client import Client, User, login
from podium.dialects.mooshak2.contests import Contest, RankingRow
from podium.dialects.mooshak2.errors import (
    AuthenticationError,
    BadRequestError,
    ConflictError,
    ConnectionCheckError,
    EvaluationTimeout,
    ForbiddenError,
    MooshakError,
    NotFoundError,
    ServerError,
    SubmissionRefusedError,
    UsageError,
)
from podium.dialects.mooshak2.evaluation import Evaluation, Metrics
from podium.dialects.mooshak2.languages import Language
from podium.dialects.mooshak2.problems import Problem, ProblemView, PublicTest
from podium.dialects.mooshak2.submissions import Submission

__all__ = [
    "AuthenticationError",
    "BadRequestError",
    "Client",
    "ConflictError",
    "ConnectionCheckError",
    "Contest",
    "Evaluation",
    "EvaluationTimeout",
    "ForbiddenError",
    "Language",
    "Metrics",
    "MooshakError",
    "NotFoundError",
    "Problem",
    "ProblemView",
    "PublicTest",
    "RankingRow",
    "ServerError",
    "Submission",
    "SubmissionRefusedError",
    "UsageError",
    "User",
    "contests",
    "languages",
    "login",
    "problems",
    "submissions",
]
