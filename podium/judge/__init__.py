"""The sandboxed judge: compile and run a submission on test cases, within limits.

Pure infrastructure (no store, no HTTP): the Mooshak dialect's queue calls
``evaluate`` from a worker thread and records the ``Evaluation``.
"""

from podium.judge.cases import TestCase
from podium.judge.evaluate import Evaluation, evaluate
from podium.judge.languages import LANGUAGES, Language, available_languages, language_for
from podium.judge.limits import Limits
from podium.judge.sandbox import describe
from podium.judge.verdicts import Verdict

__all__ = [
    "LANGUAGES",
    "Evaluation",
    "Language",
    "Limits",
    "TestCase",
    "Verdict",
    "available_languages",
    "describe",
    "evaluate",
    "language_for",
]
