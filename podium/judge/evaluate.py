"""Judging one submission: check it, compile it, run it on every test, grade it.

Blocking by design (it waits on child processes); the server calls it from a
thread. Tests run in order and judging stops at the first one that fails, as
Mooshak does; ``mark`` is the share of tests passed before that.
"""

from __future__ import annotations

import re
import shutil
import signal
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypedDict

from podium.judge import sandbox
from podium.judge.binary import static_memory
from podium.judge.cases import TestCase
from podium.judge.compare import compare
from podium.judge.languages import Language, java_class, language_for
from podium.judge.limits import Limits
from podium.judge.verdicts import Verdict

_COMPILE_MEMORY_MB = 2048
_COMPILE_PROCESSES = 64
_JAVA_PROCESSES = 256
_MEMORY_MARKERS = (b"MemoryError", b"std::bad_alloc", b"OutOfMemoryError", b"Cannot allocate")


class _Sizes(TypedDict):
    program_size: int
    lines_of_code: int
    tests_total: int


@dataclass(frozen=True)
class Evaluation:
    status: Verdict
    mark: int = 0
    observations: str = ""
    feedback: str = ""
    tests_passed: int = 0
    tests_total: int = 0
    execution_ms: int = 0
    cpu_ms: int = 0
    memory_kb: int = 0
    program_size: int = 0
    lines_of_code: int = 0
    outputs: list[str] = field(default_factory=list)


def evaluate(
    source: bytes,
    filename: str,
    tests: Sequence[TestCase],
    limits: Limits,
    language: Language | None = None,
) -> Evaluation:
    """Judge ``source`` (named ``filename`` by its author) on ``tests`` within ``limits``.

    Refused before anything runs: an unknown extension, an empty (or blank)
    program, or one that is not UTF-8 text is an Invalid Submission; one larger
    than ``limits.program_bytes`` is a Program Size Exceeded (Mooshak's own
    verdict for it). ``language`` overrides the choice by extension.
    """
    size = len(source)
    lines = source.count(b"\n") + (1 if source and not source.endswith(b"\n") else 0)
    base = _Sizes(program_size=size, lines_of_code=lines, tests_total=len(tests))
    language = language or language_for(filename)
    if language is None:
        return Evaluation(
            Verdict.INVALID_SUBMISSION, observations=f"Unknown language for {filename!r}.", **base
        )
    if size > limits.program_bytes:
        return Evaluation(
            Verdict.PROGRAM_SIZE_EXCEEDED,
            observations=f"The program exceeds {limits.program_bytes} bytes.",
            **base,
        )
    if not source.strip():
        return Evaluation(Verdict.INVALID_SUBMISSION, observations="The program is empty.", **base)
    try:
        source.decode("utf-8")
    except UnicodeDecodeError:
        return Evaluation(
            Verdict.INVALID_SUBMISSION, observations="The program is not UTF-8 text.", **base
        )
    workdir, uid = sandbox.private_dir()
    try:
        return _judge(source, language, tests, limits, workdir, uid, base)
    finally:
        if uid is not None:
            sandbox.sweep(uid)
        shutil.rmtree(workdir, ignore_errors=True)


def _judge(
    source: bytes,
    language: Language,
    tests: Sequence[TestCase],
    limits: Limits,
    workdir: Path,
    uid: int | None,
    base: _Sizes,
) -> Evaluation:
    compile_argv, run_argv, source_name = _commands(language, source, limits)
    program = workdir / source_name
    program.write_bytes(source)
    sandbox.give(program, uid)
    if compile_argv:
        built = sandbox.run(
            compile_argv,
            workdir,
            uid,
            sandbox.Bounds(
                cpu_seconds=limits.compile_seconds,
                wall_seconds=limits.compile_seconds * 2,
                memory_bytes=None if language.overhead_mb is None else _COMPILE_MEMORY_MB << 20,
                output_bytes=64 * 1024,
                processes=_COMPILE_PROCESSES if language.overhead_mb else _JAVA_PROCESSES,
            ),
        )
        if built.timed_out or built.exit_code != 0:
            message = _clean(built.stderr + built.stdout, workdir)
            if built.timed_out:
                message = "The compiler ran out of time.\n" + message
            return Evaluation(Verdict.COMPILE_TIME_ERROR, observations=message, **base)
    if language.binary and static_memory(workdir / language.binary) > limits.memory_mb << 20:
        return Evaluation(
            Verdict.MEMORY_LIMIT_EXCEEDED,
            observations="The program's static data alone exceeds the memory limit.",
            feedback=f"{Verdict.MEMORY_LIMIT_EXCEEDED} before test 1 of {len(tests)}.",
            **base,
        )
    bounds = sandbox.Bounds(
        cpu_seconds=limits.time_seconds,
        wall_seconds=limits.wall_seconds,
        memory_bytes=(
            None if language.overhead_mb is None
            else (limits.memory_mb + language.overhead_mb) << 20
        ),
        output_bytes=limits.output_bytes,
        processes=limits.processes if language.overhead_mb is not None else _JAVA_PROCESSES,
    )  # fmt: skip
    stdin = workdir / "input.txt"
    passed = wall = cpu = memory = 0
    outputs: list[str] = []
    for number, test in enumerate(tests, start=1):
        stdin.write_bytes(test.input)
        sandbox.give(stdin, uid)
        done = sandbox.run(run_argv, workdir, uid, bounds, stdin=stdin)
        wall = max(wall, int(done.wall_seconds * 1000))
        cpu = max(cpu, int(done.cpu_seconds * 1000))
        memory = max(memory, done.max_rss_kb)
        outputs.append(done.stdout.decode("utf-8", "replace")[:10_000])
        verdict = _verdict(done, test, limits)
        if verdict is not Verdict.ACCEPTED:
            return Evaluation(
                verdict,
                mark=100 * passed // max(len(tests), 1),
                observations=_clean(done.stderr, workdir),
                feedback=f"{verdict} on test {number} of {len(tests)}.",
                tests_passed=passed,
                execution_ms=wall,
                cpu_ms=cpu,
                memory_kb=memory,
                outputs=outputs,
                **base,
            )
        passed += 1
    return Evaluation(
        Verdict.ACCEPTED,
        mark=100,
        feedback=f"Passed all {len(tests)} tests.",
        tests_passed=passed,
        execution_ms=wall,
        cpu_ms=cpu,
        memory_kb=memory,
        outputs=outputs,
        **base,
    )


def _commands(
    language: Language, source: bytes, limits: Limits
) -> tuple[tuple[str, ...], tuple[str, ...], str]:
    if language.id != "java":
        return language.compile_argv, language.run_argv, language.source_name
    name = java_class(source)
    compile_argv = (*language.compile_argv[:-1], f"{name}.java")
    run_argv = ("java", f"-Xmx{limits.memory_mb}m", "-Xss64m", "-cp", ".", name)
    return compile_argv, run_argv, f"{name}.java"


def _verdict(done: sandbox.Run, test: TestCase, limits: Limits) -> Verdict:
    """Limits first (a program killed for one also "failed"), then the exit status
    (a failure near the memory limit or naming an allocation failure is memory),
    then the output."""
    if done.output_exceeded:
        return Verdict.OUTPUT_LIMIT_EXCEEDED
    if done.timed_out or done.signal == signal.SIGXCPU or done.cpu_seconds > limits.time_seconds:
        return Verdict.TIME_LIMIT_EXCEEDED
    if done.exit_code != 0:
        near_limit = done.max_rss_kb >= (limits.memory_mb << 10) * 0.9
        if near_limit or any(marker in done.stderr for marker in _MEMORY_MARKERS):
            return Verdict.MEMORY_LIMIT_EXCEEDED
        return Verdict.RUNTIME_ERROR
    return compare(done.stdout, test.output)


def _clean(text: bytes, workdir: Path) -> str:
    """Compiler and runtime messages without the sandbox's private paths, bounded."""
    out = text.decode("utf-8", "replace")
    out = out.replace(str(workdir) + "/", "").replace(sandbox.MOUNT + "/", "")
    out = re.sub(r"/\S*/podium-judge-[^/\s]+/", "", out)
    return out[:4000]
