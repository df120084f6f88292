"""Age on the event day, age-group schemes, and the facts that place a competitor."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from podium.core import categories
from podium.core.categories import AgeScheme, Facts, Settings, age_on
from podium.core.errors import Invalid


@pytest.mark.parametrize(
    ("birth", "day", "age"),
    [
        (date(1986, 6, 6), date(2026, 6, 5), 39),  # the day before the birthday
        (date(1986, 6, 6), date(2026, 6, 6), 40),  # on the birthday
        (date(1986, 6, 6), date(2026, 6, 7), 40),
        (date(1986, 12, 31), date(2026, 1, 1), 39),  # across new year
        (date(2000, 2, 29), date(2026, 2, 28), 25),  # leap-day birthday, common year
        (date(2000, 2, 29), date(2026, 3, 1), 26),  # ... counts from 1 March
        (date(2000, 2, 29), date(2028, 2, 29), 28),  # ... and on the day in a leap year
        (date(2000, 2, 29), date(2028, 2, 28), 27),
        (date(2001, 3, 1), date(2028, 2, 29), 26),  # event on a leap day
        (date(2026, 6, 6), date(2026, 6, 6), 0),
    ],
)
def test_age_on_the_event_day(birth: date, day: date, age: int) -> None:
    assert age_on(birth, day) == age


def test_age_is_counted_on_the_competition_day_not_today() -> None:
    settings = categories.settings_of({}, datetime(2026, 6, 6, 9, 0, tzinfo=UTC))
    found = categories.facts(
        gender="F",
        birth_date="1986-06-07",
        entry_attributes=None,
        team_name=None,
        day=settings.age_on,
    )
    assert found.age == 39
    assert [g.key for g in categories.groups(found, settings)] == ["gender:F", "age:F:35-39"]


@pytest.mark.parametrize(
    ("scheme", "ages"),
    [
        ("5", {0: "U20", 19: "U20", 20: "20-24", 44: "40-44", 69: "65-69", 70: "70+", 99: "70+"}),
        ("10", {19: "U20", 20: "20-29", 39: "30-39", 65: "60-69", 70: "70+"}),
        ("masters", {17: "Open", 39: "Open", 40: "40-44", 52: "50-54", 80: "75+"}),
        ([0, 18, 35, 50], {10: "U18", 18: "18-34", 34: "18-34", 49: "35-49", 50: "50+"}),
        ([16, 40], {12: "U16", 16: "16-39", 40: "40+"}),
    ],
)
def test_age_group_schemes(scheme: object, ages: dict[int, str]) -> None:
    settings = categories.settings_of({"categories": {"age_groups": scheme}}, None)
    assert {age: settings.scheme.group(age) for age in ages} == ages


@pytest.mark.parametrize(
    "raw",
    [
        "fancy",
        [],
        [40, 30],
        [10, 10],
        [-1, 20],
        [True, 20],
        ["20"],
        list(range(0, 124, 4)),
        {"bands": 5},
    ],
)
def test_bad_schemes_say_what_to_fix(raw: object) -> None:
    with pytest.raises(Invalid, match="categories"):
        categories.settings_of({"categories": {"age_groups": raw}}, None)


@pytest.mark.parametrize(
    "raw",
    [
        "five",
        {"age_on": "06/06/2026"},
        {"age_on": "2026-02-30"},
        {"age_on": 20260606},
        {"agegroups": "5"},
    ],
)
def test_bad_settings_say_what_to_fix(raw: object) -> None:
    with pytest.raises(Invalid, match="categories"):
        categories.settings_of({"categories": raw}, None)


def test_age_on_setting_overrides_the_start_day() -> None:
    settings = categories.settings_of(
        {"categories": {"age_on": "2026-12-31"}}, datetime(2026, 6, 6, tzinfo=UTC)
    )
    assert settings.age_on == date(2026, 12, 31)


def test_facts_prefer_the_person_and_entry_over_what_a_timer_posted() -> None:
    found = categories.facts(
        gender=None,
        birth_date=None,
        entry_attributes={"category": " Spec ", "team_name": "Wolves"},
        team_name=None,
        result_attributes=[{"gender": "female", "age": "41"}, {"age": 42}],
        day=date(2026, 6, 6),
    )
    assert found == Facts(gender="F", age=42, division="Spec", team="Wolves")
    person = categories.facts(
        gender="M",
        birth_date="1990-01-01",
        entry_attributes={"age": 70, "division": "Open"},
        team_name="Club Team",
        result_attributes=[{"gender": "F", "age": 12}],
        day=date(2026, 6, 6),
    )
    assert person == Facts(gender="M", age=36, division="Open", team="Club Team")


def test_groups_and_their_titles_round_trip() -> None:
    settings = Settings(AgeScheme((0, 40, 50)))
    found = categories.groups(Facts("X", 45, "Spec", "Wolves"), settings)
    assert [(g.key, g.title) for g in found] == [
        ("gender:X", "Non-binary"),
        ("age:X:40-49", "X 40-49"),
        ("division:Spec", "Spec"),
        ("team:Wolves", "Team Wolves"),
    ]
    assert [categories.title_of(g.key) for g in found] == found
    assert categories.groups(Facts(age=30), settings)[0].key == "age::U40"
    assert categories.title_of("age::U40") is not None
    for junk in ("", "gender", "gender:", "nope:F", "age:F", "age:F:"):
        assert categories.title_of(junk) is None
