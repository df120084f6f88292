"""The languages the judge compiles and runs, and how.

Each submission is saved under a fixed file name per language, so nothing a team
names its file can reach a path outside the sandbox. Java's class must be ``Main``
or the public class the source declares.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import dataclass, field
from functools import cache

# The system interpreter: the sandbox exposes /usr, not a virtual environment.
PYTHON = "/usr/bin/python3" if shutil.which("/usr/bin/python3") else "python3"


@dataclass(frozen=True)
class Language:
    id: str
    name: str
    extension: str
    compiler: str
    version_command: tuple[str, ...]
    source_name: str
    compile_argv: tuple[str, ...] = ()
    run_argv: tuple[str, ...] = ()
    tools: tuple[str, ...] = field(default=())
    # Address-space headroom over the memory limit (interpreter or runtime overhead);
    # None when the runtime reserves far more than it uses (the JVM) and its own
    # heap flag bounds memory instead.
    overhead_mb: int | None = 16
    # The native executable the compiler writes, for a static-memory check.
    binary: str | None = None

    @property
    def compile(self) -> str:
        return " ".join(self.compile_argv)

    @property
    def execute(self) -> str:
        return " ".join(self.run_argv)

    @property
    def version(self) -> str:
        return _version(self.version_command)


@cache
def _version(command: tuple[str, ...]) -> str:
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=20, check=False)  # noqa: S603
    except (OSError, subprocess.SubprocessError):
        return ""
    lines = (done.stdout or done.stderr).strip().splitlines()
    return lines[0] if lines else ""


LANGUAGES: dict[str, Language] = {
    lang.id: lang
    for lang in (
        Language(
            id="python3",
            name="Python 3",
            extension="py",
            compiler="python3",
            version_command=(PYTHON, "--version"),
            source_name="main.py",
            compile_argv=(PYTHON, "-m", "py_compile", "main.py"),
            run_argv=(PYTHON, "-B", "main.py"),
            tools=(PYTHON,),
            overhead_mb=64,
        ),
        Language(
            id="c",
            name="C",
            extension="c",
            compiler="gcc",
            version_command=("gcc", "--version"),
            source_name="main.c",
            compile_argv=("gcc", "-O2", "-std=gnu17", "-o", "main", "main.c", "-lm"),
            run_argv=("./main",),
            tools=("gcc",),
            binary="main",
        ),
        Language(
            id="cpp",
            name="C++",
            extension="cpp",
            compiler="g++",
            version_command=("g++", "--version"),
            source_name="main.cpp",
            compile_argv=("g++", "-O2", "-std=gnu++17", "-o", "main", "main.cpp"),
            run_argv=("./main",),
            tools=("g++",),
            binary="main",
        ),
        Language(
            id="java",
            name="Java",
            extension="java",
            compiler="javac",
            version_command=("javac", "-version"),
            source_name="Main.java",
            compile_argv=("javac", "-J-Xmx512m", "-encoding", "UTF-8", "Main.java"),
            run_argv=("java", "-Xss64m", "-cp", ".", "Main"),
            tools=("javac", "java"),
            overhead_mb=None,
        ),
    )
}
_EXTENSIONS = {"py": "python3", "c": "c", "cpp": "cpp", "cc": "cpp", "cxx": "cpp", "java": "java"}
_JAVA_CLASS = re.compile(rb"public\s+(?:final\s+)?class\s+([A-Za-z_]\w*)")


def available_languages() -> list[Language]:
    """Only those whose tools are installed here."""
    return [lang for lang in LANGUAGES.values() if all(shutil.which(t) for t in lang.tools)]


def language_for(filename: str) -> Language | None:
    _, dot, extension = filename.rpartition(".")
    found = _EXTENSIONS.get(extension.lower()) if dot else None
    return LANGUAGES[found] if found else None


def java_class(source: bytes) -> str:
    """The public class a Java source declares (it must live in a file of that name)."""
    found = _JAVA_CLASS.search(source)
    return found.group(1).decode() if found else "Main"
