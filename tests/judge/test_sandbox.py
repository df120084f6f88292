"""The host is unharmed: fork bombs leave nothing behind, the network is out of
reach, and a program writes nowhere but its own directory."""

from __future__ import annotations

import os
import socket
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from podium.judge import Limits, TestCase, Verdict, describe, evaluate, sandbox
from tests.conftest import IN_CI

LIMITS = Limits(time_seconds=1.0, memory_mb=96)
ONE = [TestCase(b"", b"ok\n")]
SUM = [TestCase(b"2 3\n", b"5\n")]


def judge_processes() -> int:
    """Live processes of any of the judge's private user ids."""
    return sum(
        sandbox.processes_of(uid)
        for uid in {
            os.stat(f"/proc/{pid}").st_uid
            for pid in os.listdir("/proc")
            if pid.isdigit() and os.path.exists(f"/proc/{pid}")
        }
        if 61000 <= uid < 65000
    )


def test_the_ci_machine_has_bubblewrap() -> None:
    if IN_CI:
        assert describe().startswith("bubblewrap"), describe()
    assert describe()


@pytest.mark.parametrize(
    ("name", "source"),
    [
        ("bomb.py", b"import os\nwhile True:\n    try:\n        os.fork()\n    except OSError:\n"
                    b"        pass\n"),
        ("bomb.c", b"#include <unistd.h>\nint main(void){ for(;;) fork(); }\n"),
        (
            "escape.py",
            b"import os, time\nif os.fork() == 0:\n    os.setsid()\n    time.sleep(60)\nprint(5)\n",
        ),
    ],
)  # fmt: skip
def test_fork_bombs_and_runaway_children_leave_nothing_behind(name: str, source: bytes) -> None:
    started = time.monotonic()
    result = evaluate(source, name, SUM, LIMITS)
    assert result.status in (Verdict.TIME_LIMIT_EXCEEDED, Verdict.ACCEPTED, Verdict.RUNTIME_ERROR)
    assert time.monotonic() - started < 30
    assert judge_processes() == 0
    # And the host still judges a normal program at once.
    ok = evaluate(b"a, b = map(int, input().split())\nprint(a + b)\n", "sum.py", SUM, LIMITS)
    assert ok.status is Verdict.ACCEPTED


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


@pytest.mark.skipif(not describe().startswith("bubblewrap"), reason="needs bubblewrap")
def test_tmp_is_private_to_the_run() -> None:
    marker = f"/tmp/podium-escape-{uuid.uuid4().hex}"
    source = f"open({marker!r}, 'w').write('x')\nprint('ok')\n".encode()
    assert evaluate(source, "tmp.py", ONE, LIMITS).status is Verdict.ACCEPTED
    assert not Path(marker).exists()


def test_the_evaluation_directory_is_removed() -> None:
    source = b"import os\nprint(os.getcwd())\n"
    result = evaluate(source, "cwd.py", [TestCase(b"", b"?\n")], LIMITS)
    seen = result.outputs[0].strip()
    assert seen  # it ran somewhere
    leftovers = [
        p for p in Path("/tmp").glob("podium-judge-*") if p.stat().st_mtime > time.time() - 5
    ]
    assert leftovers == []
