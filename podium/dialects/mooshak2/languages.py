"""The programming languages a contest accepts (``data/contests/{c}/languages``).

The submitted file's extension picks the language, so ``extension`` is what a
client needs to name its program.
"""

from __future__ import annotations

from podium.dialects.mooshak2.client import Client
from podium.dialects.mooshak2.contests import Contest
from podium.dialects.mooshak2.models import Model, contest_id_of

__all__ = ["Language", "get", "get_all"]


class Language(Model):
    kind = "language"

    name: str | None = None
    extension: str | None = None
    compiler: str | None = None
    version: str | None = None
    compile: str | None = None
    execute: str | None = None


def get_all(connection: Client, contest: Contest | str) -> list[Language]:
    items = connection.get_json(f"data/contests/{contest_id_of(contest)}/languages")
    return [Language().load_from_dict(item) for item in items]


def get(connection: Client, contest: Contest | str, language_id: str) -> Language:
    path = f"data/contests/{contest_id_of(contest)}/languages/{language_id}"
    return Language().load_from_dict(connection.get_json(path))
