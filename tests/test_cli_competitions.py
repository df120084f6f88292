"""``podium competition``: create, list as a tree, status, publish."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, get_args

import pytest

from podium.core.competitions import Scoring, TieRule
from tests.test_cli import flat, ok, refused


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "cli.db"
    ok("migrate", db=path, cwd=tmp_path)
    ok("org", "create", "acme", "Acme Racing", db=path, cwd=tmp_path)
    ok("org", "create", "zeta", "Zeta Club", db=path, cwd=tmp_path)
    return path


def _json(*args: str, db: Path, cwd: Path) -> Any:
    return json.loads(ok("competition", *args, "--json", db=db, cwd=cwd))


def test_create_list_status_publish(db: Path, tmp_path: Path) -> None:
    cup = _json(
        "create",
        "Spring Cup",
        "--org",
        "acme",
        "--starts",
        "2025-06-01T09:00",
        "--ends",
        "2025-06-02",
        "--timezone",
        "Europe/Lisbon",
        db=db,
        cwd=tmp_path,
    )
    # Lisbon is UTC+1 in June; a date alone is midnight there.
    assert cup["starts_at"] == "2025-06-01T08:00:00+00:00"
    assert cup["ends_at"] == "2025-06-01T23:00:00+00:00"
    assert cup["public"] is True and cup["kind"] == "event" and cup["scoring"] == "lowest_time"
    round_ = _json(
        "create",
        "Round 1",
        "--org",
        "1",
        "--parent",
        str(cup["id"]),
        "--kind",
        "round",
        "--scoring",
        "fastest_lap",
        "--tie-rule",
        "dense",
        "--private",
        "--starts",
        "2025-06-01T10:00+02:00",
        db=db,
        cwd=tmp_path,
    )
    assert round_["parent_id"] == cup["id"] and round_["public"] is False
    assert round_["starts_at"] == "2025-06-01T08:00:00+00:00"
    assert (round_["scoring"], round_["tie_rule"]) == ("fastest_lap", "dense")
    heat = _json(
        "create", "Heat A", "--org", "acme", "--parent", str(round_["id"]), db=db, cwd=tmp_path
    )
    other = _json("create", "Zeta Open", "--org", "zeta", db=db, cwd=tmp_path)
    second = _json("create", "Autumn Cup", "--org", "acme", db=db, cwd=tmp_path)

    listed = _json("list", db=db, cwd=tmp_path)
    assert [(c["id"], c["depth"], c["organization"]) for c in listed] == [
        (cup["id"], 0, "acme"),
        (round_["id"], 1, "acme"),
        (heat["id"], 2, "acme"),
        (second["id"], 0, "acme"),
        (other["id"], 0, "zeta"),
    ]
    only = _json("list", "--org", "zeta", db=db, cwd=tmp_path)
    assert [c["name"] for c in only] == ["Zeta Open"]
    tree = ok("competition", "list", "--org", "acme", db=db, cwd=tmp_path).splitlines()
    assert tree[0] == "acme (Acme Racing)"
    assert tree[1].endswith("  Spring Cup  [event, scheduled, 2025-06-01 08:00 UTC]")
    assert tree[2].endswith("    Round 1  [round, scheduled, private, 2025-06-01 08:00 UTC]")
    assert tree[3].endswith("      Heat A  [event, scheduled]")
    assert tree[4].endswith("  Autumn Cup  [event, scheduled]")

    running = _json("status", str(round_["id"]), "running", db=db, cwd=tmp_path)
    assert running["status"] == "running"
    said = ok("competition", "status", str(cup["id"]), "open", db=db, cwd=tmp_path)
    assert said.strip() == f"Competition {cup['id']} (Spring Cup) is open."
    assert _json("publish", str(round_["id"]), db=db, cwd=tmp_path)["public"] is True
    hidden = ok("competition", "publish", str(cup["id"]), "--private", db=db, cwd=tmp_path)
    assert hidden.strip() == f"Competition {cup['id']} (Spring Cup) is private."
    assert _json("list", "--org", "acme", db=db, cwd=tmp_path)[0]["public"] is False


def test_competition_mistakes(db: Path, tmp_path: Path) -> None:
    scoring = refused(
        2, "competition", "create", "X", "--org", "acme", "--scoring", "best", db=db, cwd=tmp_path
    )
    assert f"'best' is not one of {', '.join(get_args(Scoring))}." in flat(scoring)
    tie = refused(
        2, "competition", "create", "X", "--org", "acme", "--tie-rule", "coin", db=db, cwd=tmp_path
    )
    assert f"'coin' is not one of {', '.join(get_args(TieRule))}." in flat(tie)
    for option, value in (
        ("--starts", "next tuesday"),
        ("--ends", "2025-02-30"),
        ("--timezone", "Mars/Olympus"),
        ("--kind", "Big Race"),
    ):
        stderr = refused(
            2, "competition", "create", "X", "--org", "acme", option, value, db=db, cwd=tmp_path
        )
        assert f"Invalid value for '{option}': {value!r}" in flat(stderr), stderr
    assert "ends_at is before starts_at." in refused(
        1,
        "competition",
        "create",
        "X",
        "--org",
        "acme",
        "--starts",
        "2025-06-02",
        "--ends",
        "2025-06-01",
        db=db,
        cwd=tmp_path,
    )
    assert "No organization 'nope'." in refused(
        1, "competition", "create", "X", "--org", "nope", db=db, cwd=tmp_path
    )
    assert "--org" in refused(2, "competition", "create", "X", db=db, cwd=tmp_path)
    assert "parent_id 77 does not name an existing competition." in refused(
        1, "competition", "create", "X", "--org", "acme", "--parent", "77", db=db, cwd=tmp_path
    )
    theirs = _json("create", "Theirs", "--org", "zeta", db=db, cwd=tmp_path)
    assert "another organization" in refused(
        1,
        "competition",
        "create",
        "X",
        "--org",
        "acme",
        "--parent",
        str(theirs["id"]),
        db=db,
        cwd=tmp_path,
    )
    assert "'paused' is not one of scheduled, open, running, finished, cancelled." in flat(
        refused(2, "competition", "status", str(theirs["id"]), "paused", db=db, cwd=tmp_path)
    )
    assert "No competition with id 77." in refused(
        1, "competition", "status", "77", "open", db=db, cwd=tmp_path
    )
    assert "No competition with id 77." in refused(
        1, "competition", "publish", "77", db=db, cwd=tmp_path
    )
    assert [c["name"] for c in _json("list", db=db, cwd=tmp_path)] == ["Theirs"]
