"""The ``podium`` command, run as a user runs it."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

PODIUM = [sys.executable, "-m", "podium"]


def run(*args: str, db: Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*PODIUM, *args],
        cwd=cwd,
        env={"PODIUM_DATABASE_URL": f"sqlite:///{db}", "PATH": "/usr/bin:/bin", "COLUMNS": "200"},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "cli.db"


def test_demo_loads_once(db: Path, tmp_path: Path) -> None:
    first = run("demo", "--json", db=db, cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    assert json.loads(first.stdout)["created"] == [
        "skyline-fpv",
        "harbor-runners",
        "polympics",
        "code-cup",
        "tm-club",
    ]
    again = run("demo", "--json", db=db, cwd=tmp_path)
    assert json.loads(again.stdout)["created"] == []
    listed = json.loads(run("org", "list", "--json", db=db, cwd=tmp_path).stdout)
    assert [o["slug"] for o in listed] == [
        "skyline-fpv",
        "harbor-runners",
        "polympics",
        "code-cup",
        "tm-club",
    ]


def test_org_and_token_json_output(db: Path, tmp_path: Path) -> None:
    org = run("org", "create", "acme", "Acme Racing", "--json", db=db, cwd=tmp_path)
    assert org.returncode == 0, org.stderr
    org_id = json.loads(org.stdout)["id"]
    made = run(
        "token", "create", "--org", "acme", "--scopes", "read,write", "--json", db=db, cwd=tmp_path
    )
    assert made.returncode == 0, made.stderr
    token = json.loads(made.stdout)
    assert token["organization_id"] == org_id and token["scopes"] == ["read", "write"]
    assert token["token"].startswith("pdm_")
    listed = run("token", "list", "--json", db=db, cwd=tmp_path)
    assert token["token"] not in listed.stdout
    assert json.loads(listed.stdout)[0]["id"] == token["id"]


def test_errors_exit_non_zero(db: Path, tmp_path: Path) -> None:
    assert run("org", "create", "acme", "Acme", db=db, cwd=tmp_path).returncode == 0
    dup = run("org", "create", "acme", "Again", db=db, cwd=tmp_path)
    assert dup.returncode == 1 and "taken" in dup.stderr
    bad = run("token", "create", "--scopes", "root", db=db, cwd=tmp_path)
    assert bad.returncode == 2
    missing = run("token", "create", "--org", "nope", db=db, cwd=tmp_path)
    assert missing.returncode == 1 and "No organization" in missing.stderr


def test_serve_refuses_workers_on_sqlite(db: Path, tmp_path: Path) -> None:
    result = run("serve", "--workers", "2", db=db, cwd=tmp_path)
    assert result.returncode == 2 and "PostgreSQL" in result.stderr


def test_results_import_reports_and_rolls_back(db: Path, tmp_path: Path) -> None:
    assert run("demo", db=db, cwd=tmp_path).returncode == 0
    # Harbor Lights 10K's "10K" event (competition 4) has bibs 101..112.
    good = tmp_path / "good.csv"
    good.write_text("bib,time\n101,0:39:59.9\n102,DNF\n")
    bad = tmp_path / "bad.csv"
    bad.write_text("bib,time\n101,0:39:59.9\n999,0:41:00\n103,1:75:00\n")
    rejected = run(
        "results", "import", str(bad), "--competition", "4", "--json", db=db, cwd=tmp_path
    )
    assert rejected.returncode == 1, rejected.stderr
    report = json.loads(rejected.stdout)
    assert report["stored"] == 0 and [e["line"] for e in report["errors"]] == [3, 4]
    table = run("results", "import", str(bad), "--competition", "4", db=db, cwd=tmp_path)
    assert "Nothing was stored" in table.stderr and "999" in table.stderr
    done = run("results", "import", str(good), "--competition", "4", "--json", db=db, cwd=tmp_path)
    assert done.returncode == 0 and json.loads(done.stdout)["stored"] == 2
    skipped = run(
        "results",
        "import",
        str(bad),
        "--competition",
        "4",
        "--skip-invalid",
        "--json",
        db=db,
        cwd=tmp_path,
    )
    assert json.loads(skipped.stdout)["stored"] == 1
