"""The host is unharmed: fork bombs leave nothing behind, the network is out of
reach, and a program writes nowhere but its own directory."""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from podium.judge import Limits, TestCase, Verdict, describe, evaluate, sandbox
from podium.judge.languages import PYTHON
from tests.conftest import IN_CI

# Every test here runs under bubblewrap and under the fallback.
pytestmark = pytest.mark.usefixtures("isolation")
LIMITS = Limits(time_seconds=1.0, memory_mb=96)
ONE = [TestCase(b"", b"ok\n")]
SUM = [TestCase(b"2 3\n", b"5\n")]


def test_describe_names_the_isolation(isolation: str, request: pytest.FixtureRequest) -> None:
    if isolation == "bubblewrap":
        assert describe().startswith("bubblewrap"), describe()
    else:
        assert describe().startswith("resource limits"), describe()
    if IN_CI:  # CI installs bubblewrap and runs as root: the full sandbox works there.
        wanted = request.node.callspec.params["isolation"]
        assert isolation == ("bubblewrap" if wanted == "auto" else "limits")
        assert "network namespace" in describe() or isolation == "bubblewrap"


BOMBS = {
    "bomb.py": b"import os\nwhile True:\n    try:\n        os.fork()\n    except OSError:\n"
    b"        pass\n",
    "bomb.c": b"#include <unistd.h>\nint main(void){ for(;;) fork(); }\n",
}


@pytest.mark.parametrize("name", sorted(BOMBS))
def test_a_fork_bomb_is_a_time_limit_and_leaves_nothing_behind(name: str) -> None:
    """The bomb never ends by itself, so it meets the time limit (CPU or wall)."""
    result = evaluate(BOMBS[name], name, SUM, Limits(time_seconds=0.5, memory_mb=64))
    assert result.status is Verdict.TIME_LIMIT_EXCEEDED
    # And the host still judges a normal program at once.
    ok = evaluate(b"a, b = map(int, input().split())\nprint(a + b)\n", "sum.py", SUM, LIMITS)
    assert ok.status is Verdict.ACCEPTED


def test_a_child_that_leaves_the_session_is_killed_with_the_run() -> None:
    """The program itself ended well; its runaway child does not outlive the run."""
    source = b"import os, time\nif os.fork() == 0:\n    os.setsid()\n    time.sleep(60)\nprint(5)\n"
    result = evaluate(source, "escape.py", SUM, LIMITS)
    assert result.status is Verdict.ACCEPTED


# Each parent reports a successful fork on stderr, to prove the bomb did spread.
SPREADING = {
    "main.py": b"import os, sys\nwhile True:\n    try:\n        if os.fork():\n"
    b"            sys.stderr.write('+')\n            sys.stderr.flush()\n"
    b"    except OSError:\n        pass\n",
    "main.c": b'#include <unistd.h>\nint main(void){ for(;;) if (fork() > 0) write(2, "+", 1); }\n',
    "escape.py": b"import os, sys, time\nif os.fork() == 0:\n    os.setsid()\n"
    b"    sys.stderr.write('+')\n    sys.stderr.flush()\n    time.sleep(60)\n",
}


@pytest.mark.skipif(os.geteuid() != 0, reason="private user ids need root")
@pytest.mark.parametrize("name", sorted(SPREADING))
def test_no_process_of_a_run_survives_it(name: str) -> None:
    """Every process of the run's private user id is gone when ``run`` returns, and
    reaped: no zombie is left for the machine's init (which may not reap)."""
    workdir, uid = sandbox.private_dir()
    assert uid is not None
    bounds = sandbox.Bounds(
        cpu_seconds=1, wall_seconds=1, memory_bytes=256 << 20, output_bytes=1000, processes=32
    )
    try:
        (workdir / name).write_bytes(SPREADING[name])
        sandbox.give(workdir / name, uid)
        argv: tuple[str, ...] = (PYTHON, "-B", name)
        if name.endswith(".c"):
            built = sandbox.run(("gcc", "-o", "bomb", name), workdir, uid, bounds)
            assert built.exit_code == 0, built.stderr
            argv = ("./bomb",)
        done = sandbox.run(argv, workdir, uid, bounds)
        assert done.stderr.count(b"+") >= 1  # it did fork
        assert sandbox.processes_of(uid, zombies=True) == 0
    finally:
        sandbox.sweep(uid)
        shutil.rmtree(workdir)


@pytest.fixture
def listener() -> Iterator[tuple[int, list[object]]]:
    """A TCP listener on loopback that records every connection it accepts."""
    server = socket.create_server(("127.0.0.1", 0))
    server.settimeout(0.2)
    accepted: list[object] = []
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                conn, peer = server.accept()
            except TimeoutError:
                continue
            accepted.append(peer)
            conn.close()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield server.getsockname()[1], accepted
    stop.set()
    thread.join(timeout=5)
    server.close()


def test_a_program_cannot_reach_a_loopback_listener(listener: tuple[int, list[object]]) -> None:
    port, accepted = listener
    source = (
        f"import socket\ns = socket.create_connection(('127.0.0.1', {port}), timeout=2)\n"
        "print('ok')\n"
    ).encode()
    result = evaluate(source, "net.py", ONE, LIMITS)
    assert result.status is Verdict.RUNTIME_ERROR
    time.sleep(0.3)
    assert accepted == []
    # The listener itself works: the host can connect.
    socket.create_connection(("127.0.0.1", port), timeout=2).close()
    time.sleep(0.3)
    assert len(accepted) == 1


def test_a_program_cannot_reach_outside_addresses() -> None:
    source = (
        b"import socket\n"
        b"s = socket.create_connection(('93.184.216.34', 80), timeout=2)\n"
        b"print('ok')\n"
    )
    assert evaluate(source, "net.py", ONE, LIMITS).status is Verdict.RUNTIME_ERROR
    udp = (
        b"import socket\n"
        b"socket.socket(socket.AF_INET, socket.SOCK_DGRAM).sendto(b'x', ('1.1.1.1', 53))\n"
        b"print('ok')\n"
    )
    assert evaluate(udp, "udp.py", ONE, LIMITS).status is Verdict.RUNTIME_ERROR


def test_a_program_writes_nowhere_but_its_directory(tmp_path: Path) -> None:
    target = tmp_path / "owned.txt"
    source = f"open({str(target)!r}, 'w').write('x')\nprint('ok')\n".encode()
    assert evaluate(source, "write.py", ONE, LIMITS).status is Verdict.RUNTIME_ERROR
    assert not target.exists()
    etc = b"open('/etc/podium-judge-was-here', 'w').write('x')\nprint('ok')\n"
    assert evaluate(etc, "etc.py", ONE, LIMITS).status is Verdict.RUNTIME_ERROR
    assert not Path("/etc/podium-judge-was-here").exists()
    # Its own directory is writable (scratch files are fine).
    local = b"open('scratch.txt', 'w').write('x')\nprint(open('scratch.txt').read() and 'ok')\n"
    assert evaluate(local, "local.py", ONE, LIMITS).status is Verdict.ACCEPTED


def test_tmp_is_private_to_the_run(isolation: str) -> None:
    if isolation != "bubblewrap":
        pytest.skip("only bubblewrap gives a private /tmp")
    marker = f"/tmp/podium-escape-{uuid.uuid4().hex}"
    source = f"open({marker!r}, 'w').write('x')\nprint('ok')\n".encode()
    assert evaluate(source, "tmp.py", ONE, LIMITS).status is Verdict.ACCEPTED
    assert not Path(marker).exists()


def test_the_evaluation_directory_is_removed(monkeypatch: pytest.MonkeyPatch) -> None:
    # The directories this evaluation made, by name: other test workers judge at the
    # same time in the same /tmp.
    made: list[Path] = []
    private_dir = sandbox.private_dir

    def recorded(root: str | None = None) -> tuple[Path, int | None]:
        path, uid = private_dir(root)
        made.append(path)
        return path, uid

    monkeypatch.setattr(sandbox, "private_dir", recorded)
    source = b"import os\nprint(os.getcwd())\n"
    result = evaluate(source, "cwd.py", [TestCase(b"", b"?\n")], LIMITS)
    seen = result.outputs[0].strip()
    assert seen  # it ran somewhere
    assert made and made[0].name.startswith("podium-judge-")
    assert [p for p in made if p.exists()] == []
