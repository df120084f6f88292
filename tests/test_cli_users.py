"""``podium user``: organizer accounts of the console, made and looked after at the CLI."""

from __future__ import annotations

import asyncio
import email
import email.policy
import json
import socketserver
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from podium.core import accounts, logins
from podium.store.database import Database
from tests.test_cli import flat, ok, refused, run


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "cli.db"
    ok("migrate", db=path, cwd=tmp_path)
    ok("org", "create", "acme", "Acme Racing", db=path, cwd=tmp_path)
    ok("org", "create", "zeta", "Zeta Club", db=path, cwd=tmp_path)
    return path


def _json(*args: str, db: Path, cwd: Path, env: dict[str, str] | None = None) -> Any:
    return json.loads(ok("user", *args, "--json", db=db, cwd=cwd, env=env))


def _login(db: Path, email: str, password: str) -> logins.Login:
    """Log in as the console does, against the same SQLite file."""

    async def go() -> logins.Login:
        database = Database(f"sqlite+aiosqlite:///{db}")
        try:
            async with database.read() as session:
                attempt = await logins.check(session, email, password, "127.0.0.1")
            async with database.write() as session:
                return await logins.record(session, attempt)
        finally:
            await database.dispose()

    return asyncio.run(go())


def _session_alive(db: Path, ticket: str) -> bool:
    async def go() -> bool:
        database = Database(f"sqlite+aiosqlite:///{db}")
        try:
            async with database.read() as session:
                return await logins.resolve(session, ticket) is not None
        finally:
            await database.dispose()

    return asyncio.run(go())


def _complete_reset(db: Path, link: str, password: str) -> bool:
    ticket = parse_qs(urlsplit(link).query)["ticket"][0]

    async def go() -> bool:
        database = Database(f"sqlite+aiosqlite:///{db}")
        try:
            async with database.write() as session:
                return await logins.complete_reset(session, ticket, password) is not None
        finally:
            await database.dispose()

    return asyncio.run(go())


def test_create_makes_a_working_account_and_reset_gives_it_a_new_password(
    db: Path, tmp_path: Path
) -> None:
    made = _json(
        "create", "Ada@Example.org", "--org", "acme", "--role", "owner", db=db, cwd=tmp_path
    )
    assert made["email"] == "ada@example.org" and made["created"] is True
    assert made["role"] == "owner" and made["organization"] == "acme"
    assert len(made["password"]) >= 10
    first = _login(db, "ada@example.org", made["password"])
    assert first.ok, first.refusal

    reset = _json(
        "reset",
        "ada@example.org",
        "--base-url",
        "https://results.example.org/",
        db=db,
        cwd=tmp_path,
    )
    assert reset["link"].startswith("https://results.example.org/console/reset?ticket=")
    assert reset["mailed"] is False and reset["expires_in_seconds"] == 3600
    assert _complete_reset(db, reset["link"], "a brand new password")
    assert not _complete_reset(db, reset["link"], "used twice is refused"), "one use only"
    assert not _login(db, "ada@example.org", made["password"]).ok
    assert _login(db, "ada@example.org", "a brand new password").ok
    # The session opened with the old password ended with it.
    assert not _session_alive(db, first.ticket)

    # A password given on the command line, and the human output.
    shown = ok(
        "user",
        "create",
        "bob@example.org",
        "--org",
        "zeta",
        "--role",
        "timer",
        "--password",
        "correct horse battery",
        "--name",
        "Bob",
        db=db,
        cwd=tmp_path,
    )
    assert shown.strip() == "Created account bob@example.org, timer of zeta."
    assert _login(db, "bob@example.org", "correct horse battery").ok


def test_reset_link_base_comes_from_settings(db: Path, tmp_path: Path) -> None:
    ok("user", "create", "ada@example.org", "--org", "acme", "--role", "owner", db=db, cwd=tmp_path)
    default = _json("reset", "ada@example.org", db=db, cwd=tmp_path)
    assert default["link"].startswith("http://127.0.0.1:8000/console/reset?ticket=")
    env = {"PODIUM_HOST": "0.0.0.0", "PODIUM_PORT": "9000"}
    listening = _json("reset", "ada@example.org", db=db, cwd=tmp_path, env=env)
    assert listening["link"].startswith("http://localhost:9000/console/reset?ticket=")
    public = {"PODIUM_PUBLIC_URL": "https://podium.example.org/"}
    configured = _json("reset", "ada@example.org", db=db, cwd=tmp_path, env=public)
    assert configured["link"].startswith("https://podium.example.org/console/reset?ticket=")
    text = ok("user", "reset", "ada@example.org", db=db, cwd=tmp_path).splitlines()
    assert text[0] == "Password reset link for ada@example.org (works once, for 1 hour):"
    assert text[1].startswith("http://127.0.0.1:8000/console/reset?ticket=")
    assert "--base-url" in refused(
        2, "user", "reset", "ada@example.org", "--base-url", "podium", db=db, cwd=tmp_path
    )
    assert "No account for eve@example.org." in refused(
        1, "user", "reset", "eve@example.org", db=db, cwd=tmp_path
    )


class _Smtp(socketserver.StreamRequestHandler):
    """Just enough SMTP for smtplib: no STARTTLS, no login; keeps what it is sent."""

    def handle(self) -> None:
        self.wfile.write(b"220 test ESMTP\r\n")
        body: list[bytes] | None = None
        while line := self.rfile.readline():
            if body is not None:
                if line == b".\r\n":
                    self.server.messages.append(b"".join(body))  # type: ignore[attr-defined]
                    body = None
                    self.wfile.write(b"250 queued\r\n")
                else:
                    body.append(line)
                continue
            verb = line[:4].upper()
            if verb == b"DATA":
                body = []
                self.wfile.write(b"354 go on\r\n")
            elif verb == b"QUIT":
                self.wfile.write(b"221 bye\r\n")
                return
            else:
                self.wfile.write(b"250 ok\r\n")


@pytest.fixture
def smtp() -> Iterator[tuple[str, list[bytes]]]:
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), _Smtp)
    server.daemon_threads = True
    messages: list[bytes] = []
    server.messages = messages  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"smtp://127.0.0.1:{server.server_address[1]}", messages
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def test_reset_is_mailed_when_smtp_is_set(
    db: Path, tmp_path: Path, smtp: tuple[str, list[bytes]]
) -> None:
    url, messages = smtp
    ok("user", "create", "ada@example.org", "--org", "acme", "--role", "owner", db=db, cwd=tmp_path)
    env = {"PODIUM_SMTP_URL": url, "PODIUM_MAIL_FROM": "podium@example.org"}
    sent = _json("reset", "ada@example.org", db=db, cwd=tmp_path, env=env)
    assert sent["mailed"] is True
    (raw,) = messages
    message = email.message_from_bytes(raw, policy=email.policy.default)
    assert message["To"] == "ada@example.org" and message["From"] == "podium@example.org"
    body = message.get_body()
    assert body is not None and sent["link"] in body.get_content()
    said = ok("user", "reset", "ada@example.org", db=db, cwd=tmp_path, env=env)
    assert said.splitlines()[-1] == "Mailed to ada@example.org."
    # No server there: the link is still printed, and why it was not mailed is said.
    down = run(
        "user",
        "reset",
        "ada@example.org",
        db=db,
        cwd=tmp_path,
        env={"PODIUM_SMTP_URL": "smtp://127.0.0.1:1"},
    )
    assert down.returncode == 0 and "/console/reset?ticket=" in down.stdout
    assert "not mailed" in down.stderr and "Traceback" not in down.stderr


def test_memberships_roles_and_the_last_owner(db: Path, tmp_path: Path) -> None:
    ok("user", "create", "ada@example.org", "--org", "acme", "--role", "owner", db=db, cwd=tmp_path)
    # An existing account: only its membership changes, and the CLI says so.
    again = run(
        "user",
        "create",
        "ada@example.org",
        "--org",
        "2",
        "--role",
        "viewer",
        "--password",
        "ignored password",
        db=db,
        cwd=tmp_path,
    )
    assert again.returncode == 0
    assert (
        again.stdout.strip()
        == "The account ada@example.org exists already; it is now viewer of zeta."
    )
    assert "password was left as it was" in again.stderr
    ok("user", "create", "bob@example.org", "--org", "acme", "--role", "timer", db=db, cwd=tmp_path)

    listed = _json("list", db=db, cwd=tmp_path)
    assert [(u["email"], u["active"]) for u in listed] == [
        ("ada@example.org", True),
        ("bob@example.org", True),
    ]
    assert listed[0]["memberships"] == [
        {"organization": "acme", "organization_id": 1, "role": "owner"},
        {"organization": "zeta", "organization_id": 2, "role": "viewer"},
    ]
    assert "hash" not in json.dumps(listed) and "argon2" not in json.dumps(listed)
    only_zeta = _json("list", "--org", "zeta", db=db, cwd=tmp_path)
    assert [u["email"] for u in only_zeta] == ["ada@example.org"]
    assert only_zeta[0]["memberships"] == [
        {"organization": "zeta", "organization_id": 2, "role": "viewer"}
    ]
    text = ok("user", "list", db=db, cwd=tmp_path)
    assert "owner of acme, viewer of zeta" in text and "timer of acme" in text

    # The last owner can be neither demoted nor removed.
    last = "The organization needs an owner: make someone else owner first."
    assert last in refused(
        1,
        "user",
        "role",
        "ada@example.org",
        "--org",
        "acme",
        "--role",
        "director",
        db=db,
        cwd=tmp_path,
    )
    assert last in refused(
        1, "user", "remove", "ada@example.org", "--org", "acme", db=db, cwd=tmp_path
    )
    promoted = ok(
        "user", "role", "bob@example.org", "--org", "acme", "--role", "owner", db=db, cwd=tmp_path
    )
    assert promoted.strip() == "bob@example.org is now owner of acme (was timer)."
    removed = ok("user", "remove", "ada@example.org", "--org", "1", db=db, cwd=tmp_path)
    assert removed.strip() == "Removed ada@example.org from acme."
    assert "not a member of acme" in refused(
        1,
        "user",
        "role",
        "ada@example.org",
        "--org",
        "acme",
        "--role",
        "judge",
        db=db,
        cwd=tmp_path,
    )
    # The account stays, with its other membership.
    (ada,) = [u for u in _json("list", db=db, cwd=tmp_path) if u["email"] == "ada@example.org"]
    assert [m["organization"] for m in ada["memberships"]] == ["zeta"]


def test_disable_ends_logins_and_sessions_at_once(db: Path, tmp_path: Path) -> None:
    made = _json(
        "create", "ada@example.org", "--org", "acme", "--role", "owner", db=db, cwd=tmp_path
    )
    opened = _login(db, "ada@example.org", made["password"])
    assert opened.ok and _session_alive(db, opened.ticket)
    said = ok("user", "disable", "ADA@example.org", db=db, cwd=tmp_path)
    assert said.strip() == "Disabled the account ada@example.org; its sessions have ended."
    assert not _session_alive(db, opened.ticket)
    assert not _login(db, "ada@example.org", made["password"]).ok
    assert _json("list", db=db, cwd=tmp_path)[0]["active"] is False
    again = ok("user", "disable", "ada@example.org", db=db, cwd=tmp_path)
    assert again.strip() == "The account ada@example.org was disabled already."
    # The credential row is revoked like any other credential.
    creds = json.loads(
        ok("credential", "list", "--kind", accounts.USER, "--json", db=db, cwd=tmp_path)
    )
    assert [(c["identifier"], c["revoked"]) for c in creds] == [("ada@example.org", True)]


def test_user_mistakes_are_one_line(db: Path, tmp_path: Path) -> None:
    role = refused(
        2,
        "user",
        "create",
        "ada@example.org",
        "--org",
        "acme",
        "--role",
        "boss",
        db=db,
        cwd=tmp_path,
    )
    assert "'boss' is not one of owner, director, timer, judge, viewer." in flat(role)
    assert "No organization 'nope'." in refused(
        1,
        "user",
        "create",
        "ada@example.org",
        "--org",
        "nope",
        "--role",
        "owner",
        db=db,
        cwd=tmp_path,
    )
    assert "'ada' is not an email address." in refused(
        1, "user", "create", "ada", "--org", "acme", "--role", "owner", db=db, cwd=tmp_path
    )
    short = refused(
        1,
        "user",
        "create",
        "ada@example.org",
        "--org",
        "acme",
        "--role",
        "owner",
        "--password",
        "short",
        db=db,
        cwd=tmp_path,
    )
    assert "at least 10 characters" in short
    assert "--role" in refused(
        2, "user", "create", "ada@example.org", "--org", "acme", db=db, cwd=tmp_path
    )
    for args in (
        ("role", "eve@example.org", "--org", "acme", "--role", "owner"),
        ("remove", "eve@example.org", "--org", "acme"),
        ("disable", "eve@example.org"),
    ):
        assert "No account for eve@example.org." in refused(1, "user", *args, db=db, cwd=tmp_path)
    assert _json("list", db=db, cwd=tmp_path) == []
