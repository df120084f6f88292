"""The language table: extensions, installed toolchains, Java class names."""

from __future__ import annotations

from podium.judge import LANGUAGES, available_languages, language_for
from podium.judge.languages import java_class


def test_languages_by_extension() -> None:
    assert language_for("a.py") is LANGUAGES["python3"]
    assert language_for("A.CPP") is LANGUAGES["cpp"]
    assert language_for("x.cc") is LANGUAGES["cpp"]
    assert language_for("Main.java") is LANGUAGES["java"]
    assert language_for("prog") is None and language_for("a.rb") is None


def test_available_languages_report_versions() -> None:
    found = {lang.id: lang for lang in available_languages()}
    assert {"python3", "c", "cpp"} <= set(found)
    assert "Python 3" in found["python3"].version or "3." in found["python3"].version
    assert found["c"].compile.startswith("gcc")


def test_java_class_name() -> None:
    assert java_class(b"public final class Solver { }") == "Solver"
    assert java_class(b"class Hidden {}") == "Main"
