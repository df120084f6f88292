"""The ``podium`` command, run as a user runs it."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

PODIUM = [sys.executable, "-m", "podium"]


def run(
    *args: str, db: Path | None, cwd: Path, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """``podium ARGS`` in ``cwd`` on the SQLite store ``db`` (none set when None)."""
    base = {"PATH": "/usr/bin:/bin", "COLUMNS": "200"}
    if db is not None:
        base["PODIUM_DATABASE_URL"] = f"sqlite:///{db}"
    return subprocess.run(
        [*PODIUM, *args],
        cwd=cwd,
        env={**base, **(env or {})},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def ok(*args: str, db: Path | None, cwd: Path, env: dict[str, str] | None = None) -> str:
    """stdout of a command that must succeed."""
    done = run(*args, db=db, cwd=cwd, env=env)
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    return done.stdout


def refused(
    code: int, *args: str, db: Path | None, cwd: Path, env: dict[str, str] | None = None
) -> str:
    """stderr of a command that must fail with exit ``code`` and no traceback."""
    done = run(*args, db=db, cwd=cwd, env=env)
    assert done.returncode == code, (done.returncode, done.stdout, done.stderr)
    assert "Traceback" not in done.stderr and "Traceback" not in done.stdout
    return done.stderr


def flat(text: str) -> str:
    """Output on one line, without the box click's usage errors are drawn in."""
    for mark in "│╭╮╰╯─":
        text = text.replace(mark, " ")
    return " ".join(text.split())


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "cli.db"


@pytest.fixture
def store(db: Path, tmp_path: Path) -> Path:
    """A migrated, empty store."""
    ok("migrate", db=db, cwd=tmp_path)
    return db


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


def test_org_and_token_json_output(store: Path, tmp_path: Path) -> None:
    db = store
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


def test_errors_exit_non_zero(store: Path, tmp_path: Path) -> None:
    db = store
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


# ---- finding the store --------------------------------------------------------------


def test_only_serve_migrate_and_demo_create_a_store(db: Path, tmp_path: Path) -> None:
    for args in (("org", "list"), ("token", "list", "--json"), ("user", "list")):
        stderr = refused(1, *args, db=db, cwd=tmp_path)
        assert stderr.splitlines() == [
            f"error: No Podium store at {db}: run this where the store is, set "
            "PODIUM_DATABASE_URL, or create one with `podium migrate`."
        ]
    assert not db.exists()
    # The default store is ./podium.db, named by its absolute path.
    stderr = refused(1, "org", "list", db=None, cwd=tmp_path)
    assert f"No Podium store at {tmp_path / 'podium.db'}:" in stderr
    assert not (tmp_path / "podium.db").exists()
    assert "up to date" in ok("migrate", db=db, cwd=tmp_path)
    assert ok("org", "list", "--json", db=db, cwd=tmp_path) == "[]\n"


def test_the_store_comes_from_the_option_the_environment_or_dotenv(
    store: Path, tmp_path: Path
) -> None:
    ok("org", "create", "acme", "Acme", db=store, cwd=tmp_path)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    # --database-url beats PODIUM_DATABASE_URL.
    listed = ok(
        "org",
        "list",
        "--json",
        "--database-url",
        f"sqlite:///{store}",
        db=tmp_path / "missing.db",
        cwd=elsewhere,
    )
    assert [o["slug"] for o in json.loads(listed)] == ["acme"]
    # .env in the working directory.
    (elsewhere / ".env").write_text(f"PODIUM_DATABASE_URL=sqlite:///{store}\n")
    assert "acme" in ok("org", "list", db=None, cwd=elsewhere)
    # A relative path is read from the working directory.
    (elsewhere / ".env").write_text("PODIUM_DATABASE_URL=sqlite:///./here.db\n")
    stderr = refused(1, "org", "list", db=None, cwd=elsewhere)
    assert f"No Podium store at {elsewhere / 'here.db'}:" in stderr


def test_store_problems_are_one_line(tmp_path: Path) -> None:
    missing_dir = tmp_path / "no" / "such" / "podium.db"
    assert f"No folder {missing_dir.parent}" in refused(1, "migrate", db=missing_dir, cwd=tmp_path)
    text = tmp_path / "notes.db"
    text.write_text("these are not the tables you are looking for\n" * 20)
    stderr = refused(1, "org", "list", db=text, cwd=tmp_path)
    assert f"Cannot use the store {text}" in stderr and len(stderr.splitlines()) == 1
    for url, says in (
        ("nonsense", "is not a database URL"),
        ("mysql://root:hunter2@db/podium", "SQLite or PostgreSQL"),
    ):
        stderr = refused(1, "org", "list", "--database-url", url, db=None, cwd=tmp_path)
        assert says in stderr and "hunter2" not in stderr
    stderr = refused(1, "org", "list", db=None, cwd=tmp_path, env={"PODIUM_PORT": "eighty"})
    assert "PODIUM_PORT" in stderr


# ---- one organization resolver, --org everywhere ------------------------------------


def test_org_option_takes_a_slug_or_an_id_and_old_spellings_still_work(
    db: Path, tmp_path: Path
) -> None:
    ok("demo", db=db, cwd=tmp_path)
    orgs = {
        o["slug"]: o["id"] for o in json.loads(ok("org", "list", "--json", db=db, cwd=tmp_path))
    }
    harbor = orgs["harbor-runners"]
    for ref in ("harbor-runners", str(harbor)):
        token = json.loads(ok("token", "create", "--org", ref, "--json", db=db, cwd=tmp_path))
        assert token["organization_id"] == harbor
        creds = json.loads(ok("credential", "list", "--org", ref, "--json", db=db, cwd=tmp_path))
        assert creds and {c["organization_id"] for c in creds} == {harbor}
        hook = json.loads(
            ok(
                "webhook",
                "create",
                "https://hooks.example/in",
                "--org",
                ref,
                "--json",
                db=db,
                cwd=tmp_path,
            )
        )
        assert hook["organization_id"] == harbor
    old = json.loads(
        ok(
            "webhook",
            "create",
            "https://hooks.example/in",
            "--organization-id",
            str(harbor),
            "--json",
            db=db,
            cwd=tmp_path,
        )
    )
    assert old["organization_id"] == harbor
    for args in (
        ("token", "create", "--org", "nope"),
        ("credential", "list", "--org", "nope"),
        ("webhook", "create", "https://hooks.example/in", "--org", "nope"),
        ("webhook", "create", "https://hooks.example/in", "--organization-id", "999"),
        ("competition", "list", "--org", "nope"),
        ("user", "list", "--org", "nope"),
    ):
        stderr = refused(1, *args, db=db, cwd=tmp_path)
        assert stderr.strip().endswith(f"No organization {args[-1]!r}."), stderr
    # The old spelling is hidden from --help; --org is documented.
    helped = ok("webhook", "create", "--help", db=db, cwd=tmp_path)
    assert "--org" in helped and "--organization-id" not in helped
    both = refused(
        2,
        "webhook",
        "create",
        "https://x.example/",
        "--org",
        "1",
        "--organization-id",
        "2",
        db=db,
        cwd=tmp_path,
    )
    assert "not both" in both


# ---- one --json style ---------------------------------------------------------------


def test_json_is_one_line_in_one_style(db: Path, tmp_path: Path) -> None:
    for args in (
        ("demo", "--json"),
        ("org", "list", "--json"),
        ("org", "create", "acme", "Acme", "--json"),
        ("token", "create", "--json"),
        ("token", "list", "--json"),
        ("credential", "list", "--json"),
        ("competition", "list", "--json"),
        ("user", "list", "--json"),
        ("webhook", "list", "--json"),
        ("polympics", "app", "list", "--json"),
        ("nadeo", "account", "list", "--json"),
    ):
        out = ok(*args, db=db, cwd=tmp_path)
        assert out.count("\n") == 1, (args, out)
        assert out == json.dumps(json.loads(out)) + "\n", args


# ---- a user's mistake is never a traceback ------------------------------------------


def test_mistakes_are_one_line_not_a_traceback(store: Path, tmp_path: Path) -> None:
    db = store
    # Rich markup must not eat the pattern out of the message.
    assert "'^[a-z0-9][a-z0-9-]{0,79}$'" in refused(
        1, "org", "create", "Bad Slug", "X", db=db, cwd=tmp_path
    )
    gone = tmp_path / "gone.csv"
    missing = flat(refused(2, "results", "import", str(gone), "-c", "1", db=db, cwd=tmp_path))
    assert f"file '{gone}' does not exist." in missing
    binary = tmp_path / "results.csv"
    binary.write_bytes(b"bib,time\n\xff\xfe1,0:01\n")
    stderr = refused(1, "results", "import", str(binary), "-c", "1", db=db, cwd=tmp_path)
    assert stderr.strip() == f"error: {binary} is not UTF-8 text (byte 9)."
    too_big = "9" * 25
    assert "token_id" in refused(2, "token", "revoke", too_big, db=db, cwd=tmp_path)
    assert "--competition" in refused(
        2, "results", "import", str(binary), "-c", too_big, db=db, cwd=tmp_path
    )
    assert "No credential" in refused(1, "credential", "revoke", "4242", db=db, cwd=tmp_path)
    assert "--expires" in refused(2, "token", "create", "--expires", "soon", db=db, cwd=tmp_path)
