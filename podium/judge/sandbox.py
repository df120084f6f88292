"""Running untrusted programs: limits always, isolation as strong as the machine allows.

Every run gets, whatever the machine:
- resource limits (CPU seconds, address space, file size, open files, processes, no
  core dumps), its own session, and a wall-clock deadline; they are set by a small
  reporter process inside the sandbox, not by a ``preexec_fn``, so judging from
  many threads at once is safe;
- output read with a cap, stdin from a file (so no pipe can deadlock);
- when Podium runs as root, an unprivileged user id of its own (61000-64999), so
  the process limit bites (root ignores RLIMIT_NPROC) and the program can write
  nowhere but its directory;
- at the end, every process of the run killed: its process group and, when it has
  its own user id, every process of that id (a fork bomb's children that left
  the group included).

With bubblewrap (Debian's ``bubblewrap``) working, the program also runs in new
user, PID, network, IPC and mount namespaces: no network at all, a read-only view
of the system, a private /tmp, and everything dies with the sandbox. The reporter
is the namespace's PID 1 (``--as-pid-1``): bubblewrap's own init would outlive its
parent as a zombie, left for the machine's init to reap. Without bubblewrap, a
child still enters a network namespace of its own (``unshare``) when the kernel
allows; otherwise there is no network isolation. Not running as root means no
private user id either: then only the process group is killed, and the process
limit counts the server user's own processes. Processes a run leaves orphaned
(without bubblewrap, a fork bomb's children) are reaped by the machine's init, so
in a container Podium should not be PID 1 itself (use ``docker run --init`` or
similar). ``describe()`` says what holds.
Setting ``PODIUM_JUDGE_SANDBOX=limits`` skips bubblewrap (to compare, or where it
misbehaves).
"""

from __future__ import annotations

import contextlib
import itertools
import json
import math
import os
import selectors
import shutil
import signal
import subprocess
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from podium.judge.languages import PYTHON

MOUNT = "/sandbox"
_UID_BASE = 61000
_UID_SPAN = 4000
_uids = itertools.count(os.getpid() * 7919 % _UID_SPAN)
_uid_lock = threading.Lock()
_CLONE_NEWUSER = 0x10000000
_CLONE_NEWNET = 0x40000000
PATH = "/usr/local/bin:/usr/bin:/bin"
_GRACE_SECONDS = 0.25
_REAP_SECONDS = 1.0


@dataclass(frozen=True)
class Run:
    """What one sandboxed process did."""

    exit_code: int | None
    signal: int | None
    stdout: bytes
    stderr: bytes
    wall_seconds: float
    cpu_seconds: float
    max_rss_kb: int
    timed_out: bool
    output_exceeded: bool


@dataclass(frozen=True)
class Bounds:
    cpu_seconds: float
    wall_seconds: float
    memory_bytes: int | None  # address space; None leaves it to the runtime
    output_bytes: int
    processes: int
    file_bytes: int = 64 * 1024 * 1024
    open_files: int = 64


@cache
def bubblewrap() -> str | None:
    """bwrap's path when it is installed, wanted, and can build a sandbox here."""
    path = shutil.which("bwrap")
    if path is None or os.environ.get("PODIUM_JUDGE_SANDBOX", "auto") == "limits":
        return None
    probe = [path, *_bwrap_args("/"), "true"]
    uid = _probe_uid()
    try:
        done = subprocess.run(  # noqa: S603 (a fixed probe)
            probe,
            capture_output=True,
            timeout=20,
            check=False,
            user=uid,
            group=uid,
            extra_groups=[] if uid is not None else None,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return path if done.returncode == 0 else None


@cache
def network_namespace() -> bool:
    """Whether a child (of a private user id, when we are root) can get a network
    namespace of its own without bubblewrap."""
    uid = _probe_uid()
    probe = (
        "import ctypes, socket, sys\n"
        f"sys.exit(ctypes.CDLL(None).unshare({_CLONE_NEWUSER | _CLONE_NEWNET}))\n"
    )
    try:
        done = subprocess.run(  # noqa: S603 (a fixed probe)
            [PYTHON, "-S", "-c", probe],
            capture_output=True,
            timeout=20,
            check=False,
            user=uid,
            group=uid,
            extra_groups=[] if uid is not None else None,
        )
    except (OSError, subprocess.SubprocessError):
        return False
    return done.returncode == 0


def describe() -> str:
    """Which isolation judged programs get on this machine."""
    if bubblewrap():
        return "bubblewrap (user, PID, network, IPC and mount namespaces) + resource limits"
    who = "a private user id" if os.geteuid() == 0 else "the server's user id (no private uid)"
    net = "network namespace" if network_namespace() else "NO network isolation (needs bubblewrap)"
    return f"resource limits, {who}, {net}"


def _bwrap_args(workdir: str) -> list[str]:
    args = ["--unshare-all", "--die-with-parent", "--new-session", "--as-pid-1"]
    for path in ("/usr", "/lib", "/lib64", "/lib32", "/bin", "/sbin", "/etc"):
        args += ["--ro-bind-try", path, path]
    args += ["--proc", "/proc", "--dev", "/dev", "--tmpfs", "/tmp"]  # noqa: S108 (private tmpfs)
    args += ["--bind", workdir, MOUNT, "--chdir", MOUNT]
    return args


def _next_uid() -> int:
    with _uid_lock:
        return _UID_BASE + next(_uids) % _UID_SPAN


def _probe_uid() -> int | None:
    return _next_uid() if os.geteuid() == 0 else None


def private_dir(root: str | None = None) -> tuple[Path, int | None]:
    """A fresh 0700 directory for one evaluation, owned by the run's own user id."""
    import tempfile

    path = Path(tempfile.mkdtemp(prefix="podium-judge-", dir=root))
    uid = _next_uid() if os.geteuid() == 0 else None
    if uid is not None:
        os.chown(path, uid, uid)
    path.chmod(0o700)
    return path, uid


def give(path: Path, uid: int | None) -> None:
    """Hand a file we wrote to the run's user."""
    if uid is not None:
        os.chown(path, uid, uid)


def _rlimits(bounds: Bounds) -> dict[str, int]:
    """The limits every process of the run inherits (all but the address space)."""
    cpu = max(1, math.ceil(bounds.cpu_seconds))
    return {
        "RLIMIT_CPU": cpu,
        "RLIMIT_FSIZE": bounds.file_bytes,
        "RLIMIT_NOFILE": bounds.open_files,
        "RLIMIT_NPROC": bounds.processes,
        "RLIMIT_CORE": 0,
    }


# Runs inside the sandbox, in a fresh single-threaded interpreter (so, unlike a
# ``preexec_fn``, it is safe whatever threads the server has): leaves the network
# when asked, sets the limits, starts the program with its address-space limit
# too, waits for it, and reports its status and resource use on a descriptor the
# program itself never holds. CPU gets a hard limit a second above the soft one:
# SIGXCPU first, SIGKILL if that is ignored. Outside bubblewrap it is also the
# subreaper of the run: orphans (a fork bomb's children) become its children, not
# the machine's init's, and it reaps them all (once killed) before it exits.
_REPORTER = """
import json, os, resource, sys
fd, setup, argv = int(sys.argv[1]), json.loads(sys.argv[2]), sys.argv[3:]
if setup["network"]:
    import ctypes
    if ctypes.CDLL(None, use_errno=True).unshare(setup["network"]) != 0:
        os.write(2, b"judge: cannot leave the network\\n")
        os._exit(126)
if setup["reap"]:
    import ctypes
    ctypes.CDLL(None).prctl(36, 1, 0, 0, 0)  # PR_SET_CHILD_SUBREAPER
for name, value in setup["limits"].items():
    hard = value + 1 if name == "RLIMIT_CPU" else value
    resource.setrlimit(getattr(resource, name), (value, hard))
pid = os.fork()
if pid == 0:
    os.close(fd)
    if setup["memory"]:
        resource.setrlimit(resource.RLIMIT_AS, (setup["memory"], setup["memory"]))
    try:
        os.execvp(argv[0], argv)
    except OSError as error:
        os.write(2, f"judge: cannot start the program: {error.strerror}\\n".encode())
    os._exit(127)
_, status, usage = os.wait4(pid, 0)
os.write(fd, json.dumps([status, usage.ru_utime + usage.ru_stime, usage.ru_maxrss]).encode())
os.close(fd)
while True:
    try:
        os.wait()
    except ChildProcessError:
        break
"""


def run(
    argv: Sequence[str],
    workdir: Path,
    uid: int | None,
    bounds: Bounds,
    stdin: Path | None = None,
) -> Run:
    """Run ``argv`` in ``workdir`` (seen as /sandbox under bubblewrap) within ``bounds``."""
    wrap = bubblewrap()
    isolate_net = wrap is None and network_namespace()
    report_read, report_write = os.pipe()
    setup = {
        "network": _CLONE_NEWUSER | _CLONE_NEWNET if isolate_net else 0,
        "limits": _rlimits(bounds),
        "memory": bounds.memory_bytes or 0,
        "reap": wrap is None,  # bubblewrap's namespace reaps its own
    }
    inner = [PYTHON, "-S", "-c", _REPORTER, str(report_write), json.dumps(setup), *argv]
    command = [wrap, *_bwrap_args(str(workdir)), *inner] if wrap else inner
    env = {"PATH": PATH, "LANG": "C.UTF-8", "HOME": MOUNT if wrap else str(workdir)}
    started = time.monotonic()
    try:
        with open(stdin or os.devnull, "rb") as source:
            process = subprocess.Popen(  # noqa: S603 (argv from our language table; no shell)
                command,
                cwd=workdir,
                env=env,
                stdin=source,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                start_new_session=True,
                pass_fds=(report_write,),
                user=uid,
                group=uid,
                extra_groups=[] if uid is not None else None,
            )
    finally:
        os.close(report_write)
    try:
        stdout, stderr, report, timed_out, exceeded = _collect(
            process, report_read, started, bounds
        )
    finally:
        if uid is not None:
            _inside_out(process.pid, uid)
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(process.pid, signal.SIGKILL)
        _pid, outer, usage = os.wait4(process.pid, 0)
        process.returncode = os.waitstatus_to_exitcode(outer)
        if uid is not None:
            sweep(uid)
        for pipe in (process.stdout, process.stderr):
            if pipe is not None:
                pipe.close()
    with os.fdopen(report_read, "rb") as reader:
        report += reader.read()
    wall = time.monotonic() - started
    try:
        status, cpu, rss = json.loads(report)
        code = os.waitstatus_to_exitcode(status)
    except ValueError:  # killed before it could report
        code, cpu, rss = process.returncode, usage.ru_utime + usage.ru_stime, usage.ru_maxrss
    return Run(
        exit_code=code if code >= 0 else None,
        signal=-code if code < 0 else None,
        stdout=stdout,
        stderr=stderr,
        wall_seconds=wall,
        cpu_seconds=cpu,
        max_rss_kb=rss,
        timed_out=timed_out,
        output_exceeded=exceeded,
    )


def _collect(
    process: subprocess.Popen[bytes], report: int, started: float, bounds: Bounds
) -> tuple[bytes, bytes, bytes, bool, bool]:
    """Read the output pipes and the report until EOF, the wall deadline or too
    much output: (stdout, stderr, report, timed out, output exceeded).

    Once the program has ended (reported, or the sandbox gone), stray descendants
    still holding the pipes get only a short grace: their output is not the
    program's, and they are killed next.
    """
    assert process.stdout is not None and process.stderr is not None
    chunks: dict[int, list[bytes]] = {1: [], 2: [], 3: []}
    sizes = {1: 0, 2: 0, 3: 0}
    caps = {1: bounds.output_bytes, 2: 64 * 1024, 3: 4096}
    deadline = started + bounds.wall_seconds
    ended = False

    def done(timed_out: bool, exceeded: bool) -> tuple[bytes, bytes, bytes, bool, bool]:
        out, err, rep = (b"".join(chunks[n]) for n in (1, 2, 3))
        return out, err, rep, timed_out, exceeded

    with selectors.DefaultSelector() as selector:
        selector.register(process.stdout, selectors.EVENT_READ, 1)
        selector.register(process.stderr, selectors.EVENT_READ, 2)
        selector.register(report, selectors.EVENT_READ, 3)
        open_pipes = 3
        while open_pipes:
            if not ended and (sizes[3] or _ended(process.pid)):
                ended = True
                deadline = min(deadline, time.monotonic() + _GRACE_SECONDS)
            left = deadline - time.monotonic()
            if left <= 0:
                return done(not ended, False)
            for key, _ in selector.select(timeout=min(left, 0.1)):
                which = key.data
                data = os.read(key.fd, 65536)
                if not data:
                    selector.unregister(key.fileobj)
                    open_pipes -= 1
                    if which == 3:
                        sizes[3] = sizes[3] or 1  # no report will come: it has ended
                    continue
                if sizes[which] < caps[which]:
                    chunks[which].append(data[: caps[which] - sizes[which]])
                sizes[which] += len(data)
                if which == 1 and sizes[1] > caps[1]:
                    return done(False, True)
    return done(False, False)


def _ended(pid: int) -> bool:
    """Whether the child has exited, leaving it for ``wait4`` to reap."""
    return os.waitid(os.P_PID, pid, os.WEXITED | os.WNOHANG | os.WNOWAIT) is not None


def _inside_out(pid: int, uid: int) -> None:
    """Kill the run's processes but our own child first, and let that child reap
    its own (bubblewrap its PID 1, the reporter the program) before it goes: killed
    first, it would leave them as zombies to the machine's init."""
    deadline = time.monotonic() + _REAP_SECONDS
    while kill_user(uid, spare=pid) and time.monotonic() < deadline:
        time.sleep(0.01)
    while not _ended(pid) and time.monotonic() < deadline:
        time.sleep(0.01)


def sweep(uid: int) -> None:
    """A fork bomb's children may have left the group: kill every process of the
    run's own user id until none is left."""
    for _ in range(100):
        if not kill_user(uid):
            return
        time.sleep(0.01)


def kill_user(uid: int, spare: int | None = None) -> int:
    """SIGKILL every process of ``uid`` but ``spare``; how many were found."""
    found = 0
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit() or int(entry.name) == spare:
            continue
        try:
            if entry.stat().st_uid != uid or _zombie(entry.path):
                continue
            os.kill(int(entry.name), signal.SIGKILL)
            found += 1
        except (FileNotFoundError, ProcessLookupError, PermissionError):
            continue
    return found


def _zombie(proc_dir: str) -> bool:
    with open(f"{proc_dir}/stat", "rb") as stat:
        return stat.read().rpartition(b")")[2].split()[0] == b"Z"


def processes_of(uid: int, zombies: bool = False) -> int:
    """Live processes of ``uid``, and with ``zombies`` those awaiting a reaper too."""
    count = 0
    for entry in os.scandir("/proc"):
        with contextlib.suppress(FileNotFoundError):
            if entry.name.isdigit() and entry.stat().st_uid == uid:
                count += zombies or not _zombie(entry.path)
    return count
