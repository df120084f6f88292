"""``podium backup | restore | export | import``, run as an operator runs them."""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.store.stores import create_spare, drop_spare
from tests.test_cli import flat, ok, refused, run


def _seq(output: str) -> int:
    found = re.search(r"event log at seq (\d+)", output)
    assert found, output
    return int(found.group(1))


def _one_line(stderr: str) -> str:
    lines = stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), stderr
    return lines[0]


@pytest.fixture
def demo_store(tmp_path: Path) -> Path:
    db = tmp_path / "live.db"
    ok("demo", db=db, cwd=tmp_path)
    return db


def test_backup_and_restore_a_sqlite_store(demo_store: Path, tmp_path: Path) -> None:
    done = run("backup", "copy.db", db=demo_store, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "SQLite online backup" in done.stdout and "Copying pages" in done.stderr
    seq = _seq(done.stdout)
    assert seq > 0 and (tmp_path / "copy.db").stat().st_mode & 0o077 == 0

    restored = tmp_path / "restored.db"
    out = ok("restore", "copy.db", db=restored, cwd=tmp_path)
    assert "SQLite backup API" in out and _seq(out) == seq
    line = _one_line(refused(1, "restore", "copy.db", db=restored, cwd=tmp_path))
    assert "not empty" in line and "--force" in line
    again = json.loads(ok("restore", "copy.db", "--force", "--json", db=restored, cwd=tmp_path))
    assert again["seq"] == seq and again["rows"]["results"] > 0
    assert json.loads(ok("org", "list", "--json", db=restored, cwd=tmp_path))

    assert "exists already" in _one_line(
        refused(1, "backup", "copy.db", db=demo_store, cwd=tmp_path)
    )
    ok("backup", "copy.db", "--force", db=demo_store, cwd=tmp_path)
    assert "the store itself" in _one_line(
        refused(1, "backup", "live.db", "--force", db=demo_store, cwd=tmp_path)
    )


def test_export_import_export_is_identical(demo_store: Path, tmp_path: Path) -> None:
    out = ok("export", "one.jsonl", db=demo_store, cwd=tmp_path)
    seq = _seq(out)
    header = json.loads((tmp_path / "one.jsonl").read_text().splitlines()[0])
    assert header["format"] == "podium-export" and header["version"] == 1

    moved = tmp_path / "moved.db"
    assert _seq(ok("import", "one.jsonl", db=moved, cwd=tmp_path)) == seq
    ok("export", "two.jsonl", db=moved, cwd=tmp_path)
    assert (tmp_path / "one.jsonl").read_bytes() == (tmp_path / "two.jsonl").read_bytes()

    line = _one_line(refused(1, "import", "one.jsonl", db=moved, cwd=tmp_path))
    assert "not empty" in line


def test_mistakes_are_one_line(demo_store: Path, tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("hello\n")
    (tmp_path / "future.jsonl").write_text(
        '{"format": "podium-export", "version": 9, "tables": [], "schema_revision": "x"}\n'
    )
    empty = tmp_path / "empty.db"
    cases = [
        (("restore", "missing.db"), empty, "No file missing.db"),
        (("import", "missing.jsonl"), empty, "No file missing.jsonl"),
        (("import", str(tmp_path)), empty, "is a folder"),
        (("restore", "notes.txt"), empty, "is not a Podium backup"),
        (("import", "notes.txt"), empty, "not a Podium export"),
        (("import", "future.jsonl"), empty, "version 9; this Podium reads version 1"),
        (("export", "nowhere/x.jsonl"), demo_store, "No folder nowhere"),
        (("backup", "x.db"), tmp_path / "absent.db", "No Podium store"),
        (("export", "x.jsonl"), tmp_path / "absent.db", "No Podium store"),
    ]
    for args, db, message in cases:
        line = _one_line(refused(1, *args, db=db, cwd=tmp_path))
        assert message in line, (args, line)


@pytest.fixture
def spare_urls(postgres_url: str) -> Iterator[tuple[str, str]]:
    urls = [asyncio.run(create_spare(postgres_url, name)) for name in ("cli_a", "cli_b")]
    try:
        yield urls[0], urls[1]
    finally:
        for url in urls:
            asyncio.run(drop_spare(postgres_url, url))


def test_postgres_by_pg_dump_or_the_portable_export(
    spare_urls: tuple[str, str], tmp_path: Path
) -> None:
    source, target = spare_urls
    ok("demo", "--database-url", source, db=None, cwd=tmp_path)
    out = ok("backup", "pg.dump", "--database-url", source, db=None, cwd=tmp_path)
    assert "pg_dump (custom format)" in out
    seq = _seq(out)
    assert (tmp_path / "pg.dump").read_bytes().startswith(b"PGDMP")
    assert _seq(ok("restore", "pg.dump", "--database-url", target, db=None, cwd=tmp_path)) == seq
    line = _one_line(
        refused(1, "restore", "pg.dump", "--database-url", target, db=None, cwd=tmp_path)
    )
    assert "--force" in line

    # Without pg_dump on PATH, the portable export; it moves the store to SQLite.
    bare = {"PATH": str(tmp_path / "no-tools")}
    out = ok("backup", "pg.jsonl", "--database-url", source, db=None, cwd=tmp_path, env=bare)
    assert "portable export (pg_dump is not on PATH)" in flat(out)
    local = tmp_path / "local.db"
    assert _seq(ok("restore", "pg.jsonl", db=local, cwd=tmp_path)) == seq
    ok("export", "local.jsonl", db=local, cwd=tmp_path)
    assert (tmp_path / "local.jsonl").read_bytes() == (tmp_path / "pg.jsonl").read_bytes()
