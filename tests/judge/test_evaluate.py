"""Real programs through the real sandbox: one test (at least) per verdict."""

from __future__ import annotations

import shutil

import pytest

from podium.judge import Limits, TestCase, Verdict, evaluate

LIMITS = Limits(time_seconds=1.0, memory_mb=96, output_bytes=100_000)
SUM = [TestCase(b"1 2\n", b"3\n"), TestCase(b"10 20\n", b"30\n"), TestCase(b"-5 5\n", b"0\n")]

PY_SUM = b"a, b = map(int, input().split())\nprint(a + b)\n"
C_SUM = (
    b"#include <stdio.h>\n"
    b'int main(void){long a,b;scanf("%ld %ld",&a,&b);printf("%ld\\n",a+b);return 0;}\n'
)
CPP_SUM = b"#include <iostream>\nint main(){long a,b;std::cin>>a>>b;std::cout<<a+b<<'\\n';}\n"
JAVA_SUM = (
    b"import java.util.*;\npublic class Sum { public static void main(String[] a) {"
    b" Scanner s = new Scanner(System.in); System.out.println(s.nextLong() + s.nextLong()); } }\n"
)


@pytest.mark.parametrize(
    ("name", "source"),
    [("sum.py", PY_SUM), ("sum.c", C_SUM), ("sum.cpp", CPP_SUM)],
)
def test_accepted(name: str, source: bytes) -> None:
    result = evaluate(source, name, SUM, LIMITS)
    assert result.status is Verdict.ACCEPTED, result.observations
    assert (result.mark, result.tests_passed, result.tests_total) == (100, 3, 3)
    assert result.program_size == len(source) and result.lines_of_code >= 1
    assert result.memory_kb > 0


@pytest.mark.skipif(shutil.which("javac") is None, reason="no JDK on this machine")
def test_accepted_java_with_its_own_class_name() -> None:
    limits = Limits(time_seconds=3.0, memory_mb=256)
    result = evaluate(JAVA_SUM, "Whatever.java", SUM, limits)
    assert result.status is Verdict.ACCEPTED, result.observations


def test_wrong_answer_stops_at_the_first_failing_test() -> None:
    source = b"a, b = map(int, input().split())\nprint(a + b if a < 5 else 0)\n"
    result = evaluate(source, "sum.py", SUM, LIMITS)
    assert result.status is Verdict.WRONG_ANSWER
    assert (result.tests_passed, result.mark) == (1, 33)
    assert "test 2 of 3" in result.feedback


def test_trailing_spaces_and_blank_lines_are_accepted_other_spacing_is_not() -> None:
    trailing = b"a, b = map(int, input().split())\nprint(a + b, end='  \\n\\n\\n')\n"
    assert evaluate(trailing, "sum.py", SUM, LIMITS).status is Verdict.ACCEPTED
    spaced = b"a, b = map(int, input().split())\nprint(' ', a + b)\n"
    assert evaluate(spaced, "sum.py", SUM, LIMITS).status is Verdict.PRESENTATION_ERROR
    split = [TestCase(b"", b"1 2\n")]
    lines = evaluate(b"print(1)\nprint(2)\n", "x.py", split, LIMITS)
    assert lines.status is Verdict.PRESENTATION_ERROR


@pytest.mark.parametrize(
    ("name", "source"),
    [("bad.c", b"int main( { return 0; }\n"), ("bad.py", b"def broken(:\n    pass\n")],
)
def test_compile_time_error_with_clean_messages(name: str, source: bytes) -> None:
    result = evaluate(source, name, SUM, LIMITS)
    assert result.status is Verdict.COMPILE_TIME_ERROR
    assert result.observations  # the compiler's complaint
    assert "podium-judge-" not in result.observations  # no private paths


@pytest.mark.parametrize(
    ("name", "source"),
    [
        ("exit.py", b"import sys\nsys.exit(3)\n"),
        ("zero.py", b"print(1 // 0)\n"),
        ("segv.c", b"int main(void){ volatile int *p = 0; *p = 1; return 0; }\n"),
        ("abort.cpp", b'#include <stdexcept>\nint main(){ throw std::runtime_error("x"); }\n'),
    ],
)
def test_runtime_error(name: str, source: bytes) -> None:
    assert evaluate(source, name, SUM, LIMITS).status is Verdict.RUNTIME_ERROR


@pytest.mark.parametrize(
    ("name", "source"),
    [
        ("spin.py", b"while True:\n    pass\n"),
        ("spin.c", b"int main(void){ volatile unsigned long x = 0; for(;;) x++; }\n"),
        ("sleep.py", b"import time\ntime.sleep(30)\n"),
    ],
)
def test_time_limit_exceeded(name: str, source: bytes) -> None:
    result = evaluate(source, name, SUM, LIMITS)
    assert result.status is Verdict.TIME_LIMIT_EXCEEDED
    assert result.tests_passed == 0 and result.mark == 0


@pytest.mark.parametrize(
    ("name", "source"),
    [
        ("hog.py", b"chunks = []\nwhile True:\n    chunks.append(bytearray(1 << 20))\n"),
        (
            "hog.c",
            b"#include <stdlib.h>\n#include <string.h>\n"
            b"int main(void){ for(;;){ char *p = malloc(1 << 20); if(!p) abort();"
            b" memset(p, 1, 1 << 20); } }\n",
        ),
    ],
)
def test_memory_limit_exceeded(name: str, source: bytes) -> None:
    assert evaluate(source, name, SUM, LIMITS).status is Verdict.MEMORY_LIMIT_EXCEEDED


@pytest.mark.parametrize(
    ("name", "source"),
    [
        ("list.py", b"x = [0] * (200 * 1000 * 1000)\nprint(len(x))\n"),  # one MemoryError
        (
            "vector.cpp",
            b"#include <vector>\n#include <cstdio>\n"
            b'int main(){ std::vector<char> v(500u << 20, 1); std::printf("%d\\n", v[3]); }\n',
        ),
        (
            "static.c",
            b"#include <stdio.h>\n#include <string.h>\nstatic char big[200 << 20];\n"
            b'int main(void){ memset(big, 1, sizeof big); printf("%d\\n", big[5]); }\n',
        ),
    ],
)
def test_one_allocation_over_the_limit_is_memory_not_a_crash(name: str, source: bytes) -> None:
    result = evaluate(source, name, SUM, LIMITS)
    assert result.status is Verdict.MEMORY_LIMIT_EXCEEDED, result.observations


def test_memory_under_the_limit_is_fine_with_the_interpreter_on_top() -> None:
    """The limit is the program's: Python's own start-up does not eat into it."""
    source = b"x = bytearray(80 << 20)\na, b = map(int, input().split())\nprint(a + b)\n"
    result = evaluate(source, "big.py", SUM, LIMITS)
    assert result.status is Verdict.ACCEPTED, result.observations
    assert result.memory_kb > 80 << 10


def test_default_limits_run_a_normal_python_program() -> None:
    imports = b"import collections, heapq, itertools, json, math, re, sys\n"
    result = evaluate(imports + PY_SUM, "sum.py", SUM, Limits())
    assert result.status is Verdict.ACCEPTED, result.observations


@pytest.mark.skipif(shutil.which("javac") is None, reason="no JDK on this machine")
def test_java_out_of_memory_and_exceptions() -> None:
    limits = Limits(time_seconds=3.0, memory_mb=64)
    hog = (
        b"import java.util.*;\npublic class Main { public static void main(String[] a) {"
        b" List<long[]> l = new ArrayList<>(); while (true) l.add(new long[1 << 20]); } }\n"
    )
    assert evaluate(hog, "Main.java", SUM, limits).status is Verdict.MEMORY_LIMIT_EXCEEDED
    thrower = (
        b"public class Main { public static void main(String[] a) { int[] x = {}; x[1] = 2; } }\n"
    )
    assert evaluate(thrower, "Main.java", SUM, limits).status is Verdict.RUNTIME_ERROR


@pytest.mark.parametrize(
    ("name", "source"),
    [
        ("flood.py", b"while True:\n    print('x' * 1000)\n"),
        ("flood.c", b'#include <stdio.h>\nint main(void){ for(;;) puts("yyyyyyyyyyyyyyyy"); }\n'),
    ],
)
def test_output_limit_exceeded(name: str, source: bytes) -> None:
    assert evaluate(source, name, SUM, LIMITS).status is Verdict.OUTPUT_LIMIT_EXCEEDED


@pytest.mark.parametrize(
    ("name", "source"),
    [("prog.rb", b"puts 3\n"), ("empty.py", b"  \n"), ("noext", b"print(3)\n"),
     ("latin.py", b"print('\xe9')\n")],
)  # fmt: skip
def test_invalid_submission(name: str, source: bytes) -> None:
    assert evaluate(source, name, SUM, LIMITS).status is Verdict.INVALID_SUBMISSION


def test_program_size_exceeded() -> None:
    source = b"print(3)\n" + b"#" * 200
    result = evaluate(source, "big.py", SUM, Limits(program_bytes=100))
    assert result.status is Verdict.PROGRAM_SIZE_EXCEEDED


def test_no_tests_means_it_compiles() -> None:
    assert evaluate(PY_SUM, "sum.py", [], LIMITS).status is Verdict.ACCEPTED
