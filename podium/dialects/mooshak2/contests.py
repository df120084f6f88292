"""Contests (``data/contests``) and their rankings.

``create``/``update``/``delete`` return the raw httpx.Response as mooshak2api does
(201/200/204 on success); the getters raise a MooshakError instead of building an
object out of an error body.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import httpx

from podium.core import limits
from podium.dialects.mooshak2.client import Client
from podium.dialects.mooshak2.models import Model, contest_id_of, epoch_time, yes

__all__ = ["Contest", "RankingRow", "get", "get_all", "rankings"]


class Contest(Model):
    """A ContestModel; only ``id`` is needed to create one."""

    kind = "contest"

    designation: str | None = None
    contestStatus: str | None = None
    policy: str | None = None
    open: str | None = None
    start: str | None = None
    stop: str | None = None
    close: str | None = None
    virtual: str | None = None
    register: str | None = None

    @property
    def status(self) -> str | None:
        """CREATED, READY, RUNNING, RUNNING_VIRTUALLY, FINISHED or CONCLUDED."""
        return self.contestStatus

    @property
    def start_time(self) -> datetime | None:
        return epoch_time(self.start)

    @property
    def stop_time(self) -> datetime | None:
        return epoch_time(self.stop)

    @property
    def is_virtual(self) -> bool:
        return yes(self.virtual)

    def create(self, connection: Client) -> httpx.Response:
        return connection.request("POST", "data/contests/", json=self.as_json())

    def update(self, connection: Client) -> httpx.Response:
        return connection.request("PUT", f"data/contests/{self.id}/", json=self.as_json())

    def delete(self, connection: Client) -> httpx.Response:
        return connection.request("DELETE", f"data/contests/{self.id}/")

    def rankings(self, connection: Client) -> list[RankingRow]:
        return rankings(connection, self)


def get(connection: Client, contest_id: str) -> Contest:
    """One contest, with every field the caller may see."""
    return Contest().load_from_dict(connection.get_json(f"data/contests/{contest_id}/"))


def get_all(connection: Client) -> list[Contest]:
    """Every contest, in the reduced public form."""
    return [Contest().load_from_dict(item) for item in connection.get_json("data/contests/")]


@dataclass(frozen=True)
class RankingRow:
    """One team's ICPC row; ``problems`` maps a label to its cell ("HH:MM:SS (n)" ...)."""

    team: str
    solved: int
    points: str
    order: str
    problems: dict[str, str]
    raw: dict[str, str] = field(repr=False)


_ROW_KEYS = {"#", "team", "group", "groupName", "flag", "color", "solved", "points", "order"}


def _row(raw: dict[str, Any]) -> RankingRow:
    text = {str(k): "" if v is None else str(v) for k, v in raw.items()}
    solved = text.get("solved", "0")
    return RankingRow(
        team=text.get("team", ""),
        solved=int(solved) if limits.digits(solved) and len(solved) < 19 else 0,
        points=text.get("points", ""),
        order=text.get("order", ""),
        problems={k: v for k, v in text.items() if k not in _ROW_KEYS},
        raw=text,
    )


def rankings(connection: Client, contest: Contest | str) -> list[RankingRow]:
    """The contest's ranking, best first (Mooshak sends it unordered, with a sort key)."""
    rows = connection.get_json(f"data/contests/{contest_id_of(contest)}/rankings")
    return sorted((_row(r) for r in rows), key=lambda r: r.order, reverse=True)
