"""Participants from a CSV file: a preview that lists every problem, then all rows or none.

An organizer's file comes from a spreadsheet or a registration platform, with its
own column names. ``guess_mapping`` proposes which column holds which field, the
organizer corrects it, ``preview`` checks every row against the file itself and the
competition's entries without writing anything, and ``commit`` checks again inside
the write transaction before creating people and entries through the core, so each
one appends its event to the log. Problems name the line a spreadsheet user sees
(the header is line 1), the column's header text, and the reason.
"""

from __future__ import annotations

import calendar
import codecs
import csv
import io
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from podium.core import limits, resources
from podium.core.competitions import COMPETITIONS
from podium.core.entries import ENTRIES, EntryCreate
from podium.core.errors import DomainError, Invalid
from podium.core.fields import MAX_TEXT
from podium.core.organizations import ORGANIZATIONS
from podium.core.people import PEOPLE, PersonCreate
from podium.core.principal import Principal
from podium.store.tables import Competition, Entry, Person

TARGETS = (
    "first_name",
    "last_name",
    "name",
    "email",
    "gender",
    "birth_date",
    "country",
    "bib",
    "registration_id",
    "chip",
    "city",
    "club",
    "category",
    "team",
    "equipment",
    "ignore",
)
MAX_ROWS = 10_000
DELIMITERS = (",", ";", "\t")
MAX_AGE_YEARS = 120

# Limits of the columns the values end in (``podium.core.fields``, ``Entry``).
NAME_PART_MAX = 100
NAME_MAX = 200
CODE_MAX = 40
CHIP_MAX = 80
EXTRA_MAX = 200
EMAIL_MAX = 320

# Free text stored on the entry: target -> key in ``Entry.attributes``.
ATTRIBUTES = {"city": "city", "club": "club", "category": "category", "team": "team_name"}
CODES = {"bib": CODE_MAX, "registration_id": CODE_MAX, "chip": CHIP_MAX}
# Bound parameters per look-up query: under the 999 old SQLite builds allow.
LOOKUP_CHUNK = 900
# Numbers beyond int64 are identifiers of other systems, not a sequence to continue.
NUMBERED_DIGITS = 18

GENDERS = {
    "m": "M",
    "male": "M",
    "man": "M",
    "f": "F",
    "female": "F",
    "woman": "F",
    "x": "X",
    "non-binary": "X",
    "nonbinary": "X",
    "other": "X",
}
ACCEPTED_GENDERS = "M, F, X, male, female, man, woman, non-binary, nonbinary, other or blank"
MONTHS = (
    "",
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)

_SPELLINGS: dict[str, tuple[str, ...]] = {
    "first_name": ("firstname", "first", "givenname", "given", "forename", "fname", "prenom"),
    "last_name": ("lastname", "last", "surname", "familyname", "family", "lname", "nom"),
    "name": (
        "name",
        "fullname",
        "participant",
        "participantname",
        "athlete",
        "athletename",
        "competitor",
        "pilot",
        "pilotname",
        "racer",
        "entrant",
    ),
    "email": ("email", "emailaddress", "mail"),
    "gender": ("gender", "sex", "mf"),
    "birth_date": ("dob", "dateofbirth", "birthdate", "birthday", "born", "birth"),
    "country": ("country", "nation", "nationality", "countrycode", "nat"),
    "bib": ("bib", "bibno", "bibnumber", "bibnum", "racenumber", "startnumber", "startno"),
    "registration_id": (
        "registrationid",
        "regid",
        "reg",
        "regno",
        "regnumber",
        "registration",
        "registrationno",
        "registrationnumber",
        "entryid",
    ),
    "chip": ("chip", "tag", "chipid", "chipnumber", "tagid", "transponder", "rfid"),
    "city": ("city", "town", "hometown"),
    "club": ("club", "clubname", "affiliation"),
    "category": ("category", "division", "class", "classname"),
    "team": ("team", "teamname", "squad"),
    "equipment": ("equipment", "aircraft", "drone", "quad", "vehicle", "bike", "boat", "craft"),
}
SPELLINGS = {spelling: target for target, names in _SPELLINGS.items() for spelling in names}

_ISO = re.compile(r"([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})")
_SLASH = re.compile(r"([0-9]{1,2})/([0-9]{1,2})/([0-9]{4})")
_DOTS = re.compile(r"([0-9]{1,2})\.([0-9]{1,2})\.([0-9]{4})")
_EMAIL = re.compile(r"[^@\s]+@[^@\s.]+(\.[^@\s.]+)+")
_COUNTRY = re.compile(r"[A-Za-z]{2,3}")
_HINT = re.compile(r"\(.*?\)|\[.*?\]")


@dataclass(frozen=True)
class Problem:
    line: int
    column: str
    reason: str


@dataclass(frozen=True)
class Preview:
    header: list[str]
    mapping: dict[int, str]
    sample: list[dict[str, str]]
    rows: int
    problems: list[Problem]
    # The line of each sample row, so problems can be shown next to it.
    sample_lines: list[int] = field(default_factory=list)


@dataclass(frozen=True)
class ReportRow:
    line: int
    name: str
    bib: str
    registration_id: str
    entry_id: int
    person_id: int
    # Whether the person already existed in the organization (matched by e-mail).
    existing_person: bool = False


@dataclass
class ImportReport:
    rows: list[ReportRow] = field(default_factory=list)

    def to_csv(self) -> str:
        """What was assigned to whom, for the organizer to download and keep."""
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(
            ("line", "name", "bib", "registration_id", "entry_id", "person_id", "person")
        )
        for row in self.rows:
            writer.writerow(
                (
                    row.line,
                    _inert(row.name),
                    _inert(row.bib),
                    _inert(row.registration_id),
                    row.entry_id,
                    row.person_id,
                    "existing" if row.existing_person else "new",
                )
            )
        return out.getvalue()


class ImportRejected(Invalid):
    """Raised so the caller's transaction rolls back; ``problems`` lists every one."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__(
            f"{len(problems)} problem(s) in the file; nothing was stored.",
            problems=[asdict(problem) for problem in problems],
        )
        self.problems = problems


def _inert(text: str) -> str:
    """Text a spreadsheet will show rather than evaluate: names come from the public."""
    if text[:1] in ("=", "+", "-", "@", "\t", "\r") and not _is_number(text):
        return "'" + text
    return text


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _spelling(text: str) -> str:
    """A header reduced to letters and digits, without hints such as "(DD/MM/YYYY)"."""
    text = unicodedata.normalize("NFKD", _HINT.sub("", text))
    return "".join(ch for ch in text.casefold() if ch.isascii() and ch.isalnum())


def guess_mapping(header: list[str]) -> dict[int, str]:
    """Column index -> target from common header spellings; each target is guessed once,
    so the guess is always a mapping ``preview`` accepts as far as duplicates go."""
    mapping: dict[int, str] = {}
    taken: set[str] = set()
    for index, text in enumerate(header):
        target = SPELLINGS.get(_spelling(text), "ignore")
        if target in taken:
            target = "ignore"
        if target != "ignore":
            taken.add(target)
        mapping[index] = target
    return mapping


def _label(header: list[str], index: int) -> str:
    text = header[index] if 0 <= index < len(header) else ""
    return text or f"column {index + 1}"


def _check_mapping(
    header: list[str], mapping: dict[int, str]
) -> tuple[dict[str, int], list[Problem]]:
    """The column of each target, and what makes the mapping unusable (all on line 1)."""
    columns: dict[str, int] = {}
    problems: list[Problem] = []
    for index in sorted(mapping):
        target = mapping[index]
        label = _label(header, index)
        if target == "ignore":
            continue
        if not 0 <= index < len(header):
            reason = f"there is no such column: the header has {len(header)}"
            problems.append(Problem(1, label, reason))
        elif target not in TARGETS:
            reason = f"{target!r} is not a field; use one of {', '.join(TARGETS)}"
            problems.append(Problem(1, label, reason))
        elif target in columns:
            first = _label(header, columns[target])
            reason = f"maps to {target} like {first!r}; only one column may"
            problems.append(Problem(1, label, reason))
        else:
            columns[target] = index
    if "name" not in columns and not ("first_name" in columns and "last_name" in columns):
        missing = "name"
        if "first_name" in columns:
            missing = "last_name"
        elif "last_name" in columns:
            missing = "first_name"
        problems.append(
            Problem(
                1,
                missing,
                "no column holds the names: map one to name, or two to first_name and last_name",
            )
        )
    return columns, problems


def _decode(data: bytes | str) -> str:
    if isinstance(data, str):
        return data.removeprefix("\ufeff")
    skipped = len(codecs.BOM_UTF8) if data.startswith(codecs.BOM_UTF8) else 0
    try:
        return data[skipped:].decode("utf-8")
    except UnicodeDecodeError as exc:
        offset = exc.start + skipped
        raise Invalid(
            f"The file is not UTF-8: byte {offset} (0x{data[offset]:02X}) is not valid there. "
            'Save it as "CSV UTF-8" and try again.',
            byte=offset,
        ) from None


def _sniff(text: str) -> str:
    """The delimiter that splits the first records into the most columns, consistently."""
    sample = text[:65_536]
    if len(text) > len(sample) and "\n" in sample:
        sample = sample[: sample.rindex("\n")]

    def score(delimiter: str) -> tuple[bool, float, int]:
        reader = csv.reader(io.StringIO(sample, newline=""), delimiter=delimiter)
        records: list[list[str]] = []
        try:
            for record in reader:
                if any(cell.strip() for cell in record):
                    records.append(record)
                if len(records) == 20:
                    break
        except csv.Error:
            return (False, 0.0, 0)
        if not records:
            return (False, 0.0, 0)
        width = len(records[0])
        rest = records[1:]
        steady = sum(len(r) == width for r in rest) / len(rest) if rest else 1.0
        return (width > 1, steady, width)

    return max(DELIMITERS, key=score)


def _check_cells(line: int, cells: list[str]) -> None:
    for index, cell in enumerate(cells):
        problem = limits.text_offence(cell)
        if problem is None and len(cell) > MAX_TEXT:
            problem = f"a cell is longer than {MAX_TEXT:,} characters."
        if problem is not None:
            raise Invalid(f"Line {line}, cell {index + 1}: {problem}", line=line, cell=index + 1)


def read_csv(data: bytes | str) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """The header and the non-blank rows with the physical line each starts on.

    Refuses, with ``Invalid``, what cannot be a participants file at all: not UTF-8,
    not CSV, empty, more than ``MAX_ROWS`` rows, or text the store cannot hold.
    """
    text = _decode(data)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_sniff(text), strict=True)
    header: list[str] | None = None
    rows: list[tuple[int, list[str]]] = []
    start = 1
    try:
        for cells in reader:
            line, start = start, reader.line_num + 1
            if not any(cell.strip() for cell in cells):
                continue
            _check_cells(line, cells)
            if header is None:
                header = [cell.strip() for cell in cells]
            elif len(rows) == MAX_ROWS:
                raise Invalid(
                    f"The file has more than {MAX_ROWS:,} rows; split it into several files.",
                    max_rows=MAX_ROWS,
                )
            else:
                rows.append((line, cells))
    except csv.Error as exc:
        raise Invalid(f"Line {start}: this is not readable CSV ({exc}).", line=start) from None
    if header is None:
        raise Invalid("The file is empty: it needs a header line.")
    return header, rows


def _today() -> date:
    return datetime.now(UTC).date()


def _real_date(text: str, year: int, month: int, day: int) -> tuple[date | None, str]:
    """The date, or why these numbers are none."""
    if not 1 <= month <= 12:
        return None, f"{text} is not a date: there is no month {month}"
    if year < 1:
        return None, f"{text} is not a date: there is no year 0"
    days = calendar.monthrange(year, month)[1]
    if not 1 <= day <= days:
        return None, f"{text} is not a date: {MONTHS[month]} {year} has {days} days"
    return date(year, month, day), ""


def _slashed(text: str, first: int, second: int, year: int) -> tuple[date | None, str]:
    """DD/MM/YYYY or MM/DD/YYYY, whichever is the only real date."""
    day_first, why_day = _real_date(text, year, second, first)
    month_first, why_month = _real_date(text, year, first, second)
    if day_first and month_first and day_first != month_first:
        return None, (
            f"{text} is ambiguous: {first} {MONTHS[second]} or {MONTHS[first]} {second}? "
            "Write it as YYYY-MM-DD"
        )
    found = day_first or month_first
    if found:
        return found, ""
    if 1 <= second <= 12 or not 1 <= first <= 12:
        return None, why_day
    return None, why_month


def parse_birth_date(text: str, today: date | None = None) -> tuple[str | None, str]:
    """``text`` as ISO ``YYYY-MM-DD``, or None and why not.

    Accepts ``YYYY-MM-DD``, ``DD.MM.YYYY`` and ``DD/MM/YYYY`` or ``MM/DD/YYYY`` when
    only one reading is a real date; a birth date lies in the last 120 years.
    """
    today = today or _today()
    if match := _ISO.fullmatch(text):
        year, month, day = (int(part) for part in match.groups())
        found, why = _real_date(text, year, month, day)
    elif match := _DOTS.fullmatch(text):
        day, month, year = (int(part) for part in match.groups())
        found, why = _real_date(text, year, month, day)
    elif match := _SLASH.fullmatch(text):
        first, second, year = (int(part) for part in match.groups())
        found, why = _slashed(text, first, second, year)
    else:
        return None, f"{text} is not a date: write YYYY-MM-DD, DD/MM/YYYY or DD.MM.YYYY"
    if found is None:
        return None, why
    if found > today:
        return None, f"{text} is in the future"
    if found < _years_before(today, MAX_AGE_YEARS):
        return None, f"{text} is more than {MAX_AGE_YEARS} years ago"
    return found.isoformat(), ""


def _years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


def _name_key(name: str) -> str:
    return " ".join(name.casefold().split())


def _person_key(
    name: str | None, given: str | None, family: str | None, birth: str | None
) -> tuple[str, str] | None:
    """How the same person is recognised without an e-mail: full name and birth date."""
    full = f"{given} {family}" if given and family else name
    if not full or not birth:
        return None
    return _name_key(full), birth


def _numbered(value: str) -> int | None:
    if limits.digits(value) and len(value) <= NUMBERED_DIGITS:
        return int(value)
    return None


@dataclass
class _Existing:
    """What the competition and organization already hold, fetched in a few queries."""

    codes: dict[str, dict[str, int]]  # target -> value -> entry id
    emails: dict[str, int]  # lower-cased e-mail of an entered person -> entry id
    people: dict[tuple[str, str], int]  # (name, birth date) of an entered person -> entry id
    by_email: dict[str, int]  # lower-cased e-mail -> person of the organization


async def _existing(
    session: AsyncSession, competition_id: int, organization_id: int, emails: Iterable[str]
) -> _Existing:
    found = _Existing({target: {} for target in CODES}, {}, {}, {})
    entries = await session.execute(
        select(
            Entry.id,
            Entry.bib,
            Entry.registration_id,
            Entry.chip,
            Person.email,
            Person.name,
            Person.given_name,
            Person.family_name,
            Person.birth_date,
        )
        .outerjoin(Person, Person.id == Entry.person_id)
        .where(Entry.competition_id == competition_id)
        .order_by(Entry.id)
    )
    for entry_id, bib, reg, chip, email, name, given, family, birth in entries:
        for target, value in (("bib", bib), ("registration_id", reg), ("chip", chip)):
            if value:
                found.codes[target].setdefault(value, entry_id)
        if email:
            found.emails.setdefault(email.lower(), entry_id)
        key = _person_key(name, given, family, birth)
        if key is not None:
            found.people.setdefault(key, entry_id)
    wanted = sorted(set(emails))
    for start in range(0, len(wanted), LOOKUP_CHUNK):
        people = await session.execute(
            select(Person.id, Person.email)
            .where(
                Person.organization_id == organization_id,
                func.lower(Person.email).in_(wanted[start : start + LOOKUP_CHUNK]),
            )
            .order_by(Person.id)
        )
        for person_id, email in people:
            if email:
                found.by_email.setdefault(email.lower(), person_id)
    return found


@dataclass
class _Plan:
    """What one good row will store."""

    line: int
    name: str
    person: dict[str, Any]
    # The organization's person with the row's e-mail, entered instead of a new one.
    person_id: int | None
    entry: dict[str, Any]


class _Checker:
    """Checks rows one by one, remembering what earlier rows used."""

    def __init__(
        self, header: list[str], columns: dict[str, int], existing: _Existing, today: date
    ) -> None:
        self.header = header
        self.columns = columns
        self.existing = existing
        self.today = today
        self.problems: list[Problem] = []
        self.seen: dict[str, dict[str, int]] = {target: {} for target in CODES}
        self.seen_emails: dict[str, int] = {}
        self.seen_people: dict[tuple[str, str], int] = {}
        self.line = 0

    def fail(self, target: str, reason: str) -> None:
        column = self.columns.get(target)
        label = target if column is None else _label(self.header, column)
        self.problems.append(Problem(self.line, label, reason))

    def row(self, line: int, cells: list[str]) -> _Plan | None:
        self.line = line
        before = len(self.problems)
        values = {
            target: cells[index].strip() if index < len(cells) else ""
            for target, index in self.columns.items()
        }
        if len(cells) > len(self.header) and any(c.strip() for c in cells[len(self.header) :]):
            self.problems.append(
                Problem(
                    line, "row", f"has {len(cells)} cells but the header only {len(self.header)}"
                )
            )
        names = self._names(values)
        person = self._person(values)
        entry = self._entry(values)
        if names is not None:
            self._duplicate(person, names)
        if names is None or len(self.problems) > before:
            return None
        name, given, family = names
        email = person.get("email")
        reuse = self.existing.by_email.get(email.lower()) if email else None
        details = {"name": name, "given_name": given, "family_name": family, **person}
        return _Plan(line, name, details, reuse, entry)

    def _names(self, values: dict[str, str]) -> tuple[str, str | None, str | None] | None:
        given, family, full = (values.get(t, "") for t in ("first_name", "last_name", "name"))
        too_long = False
        for target, text, most in (
            ("first_name", given, NAME_PART_MAX),
            ("last_name", family, NAME_PART_MAX),
            ("name", full, NAME_MAX),
        ):
            if len(text) > most:
                self.fail(target, f"is {len(text)} characters long; at most {most} fit")
                too_long = True
        if too_long:
            return None
        if given and family:
            name = f"{given} {family}"
            if len(name) > NAME_MAX:
                self.fail("last_name", f"first and last name together exceed {NAME_MAX} characters")
                return None
            return name, given, family
        if full:
            return full, None, None
        self._missing_name(given, family)
        return None

    def _missing_name(self, given: str, family: str) -> None:
        has_parts = "first_name" in self.columns and "last_name" in self.columns
        if not has_parts and "name" not in self.columns:
            return  # the mapping problem already says so
        if not has_parts:
            self.fail("name", "a name is required")
            return
        alternative = " (or a full name)" if "name" in self.columns else ""
        if not given:
            self.fail("first_name", f"a first name is required{alternative}")
        if not family:
            self.fail("last_name", f"a last name is required{alternative}")

    def _person(self, values: dict[str, str]) -> dict[str, Any]:
        person: dict[str, Any] = {}
        email = values.get("email", "")
        if email:
            if len(email) <= EMAIL_MAX and _EMAIL.fullmatch(email):
                person["email"] = email
            else:
                self.fail("email", f"{email!r} is not an e-mail address")
        gender = values.get("gender", "")
        if gender:
            if gender.lower() in GENDERS:
                person["gender"] = GENDERS[gender.lower()]
            else:
                self.fail(
                    "gender",
                    f"{gender!r} is not a gender this import knows: use {ACCEPTED_GENDERS}",
                )
        birth = values.get("birth_date", "")
        if birth:
            iso, why = parse_birth_date(birth, self.today)
            if iso is None:
                self.fail("birth_date", why)
            else:
                person["birth_date"] = iso
        country = values.get("country", "")
        if country:
            if _COUNTRY.fullmatch(country):
                person["country"] = country.upper()
            else:
                self.fail("country", f"{country!r} is not a country code: give 2 or 3 letters")
        return person

    def _entry(self, values: dict[str, str]) -> dict[str, Any]:
        entry: dict[str, Any] = {}
        for target, most in CODES.items():
            value = values.get(target, "")
            if value and self._code(target, value, most):
                entry[target] = value
        attributes = {}
        for target in (*ATTRIBUTES, "equipment"):
            value = values.get(target, "")
            if len(value) > EXTRA_MAX:
                self.fail(target, f"is {len(value)} characters long; at most {EXTRA_MAX} fit")
            elif value and target == "equipment":
                entry["equipment"] = value
            elif value:
                attributes[ATTRIBUTES[target]] = value
        if attributes:
            entry["attributes"] = attributes
        return entry

    def _code(self, target: str, value: str, most: int) -> bool:
        """Whether ``value`` may be this row's bib, registration id or chip."""
        if len(value) > most:
            self.fail(target, f"is {len(value)} characters long; at most {most} fit")
            return False
        what = target.replace("_", " ")
        earlier = self.seen[target].setdefault(value, self.line)
        if earlier != self.line:
            self.fail(target, f"{what} {value!r} is already on line {earlier}")
            return False
        entry_id = self.existing.codes[target].get(value)
        if entry_id is not None:
            self.fail(
                target, f"{what} {value!r} is already used by entry {entry_id} of this competition"
            )
            return False
        return True

    def _duplicate(self, person: dict[str, Any], names: tuple[str, str | None, str | None]) -> None:
        """The same person twice in the file, or already entered in the competition."""
        email = person.get("email")
        if email:
            key = email.lower()
            earlier = self.seen_emails.setdefault(key, self.line)
            if earlier != self.line:
                self.fail("email", f"the same person as line {earlier} (same e-mail)")
                return
            if key in self.existing.emails:
                entry_id = self.existing.emails[key]
                self.fail(
                    "email", f"{email} is already entered in this competition (entry {entry_id})"
                )
                return
        name, given, family = names
        key_ = _person_key(name, given, family, person.get("birth_date"))
        if key_ is None:
            return
        target = "last_name" if given else "name"
        earlier = self.seen_people.setdefault(key_, self.line)
        if earlier != self.line:
            self.fail(target, f"the same person as line {earlier} (same name and birth date)")
        elif key_ in self.existing.people:
            entry_id = self.existing.people[key_]
            reason = f"{name}, born {key_[1]}, is already entered in this competition"
            self.fail(target, f"{reason} (entry {entry_id})")


@dataclass
class _Examined:
    competition: Competition
    header: list[str]
    mapping: dict[int, str]
    columns: dict[str, int]
    rows: list[tuple[int, list[str]]]
    problems: list[Problem]
    plans: list[_Plan]
    existing: _Existing


async def _examine(
    session: AsyncSession,
    principal: Principal,
    competition_id: int,
    data: bytes | str,
    mapping: dict[int, str] | None,
) -> _Examined:
    competition = await resources.get(session, principal, COMPETITIONS, competition_id)
    principal.require("setup", competition.organization_id)
    header, rows = read_csv(data)
    given = guess_mapping(header) if mapping is None else dict(mapping)
    columns, problems = _check_mapping(header, given)
    if not rows:
        problems.append(Problem(1, "row", "the file has no participants below the header"))
    emails: list[str] = []
    if "email" in columns:
        index = columns["email"]
        emails = [cells[index].strip().lower() for _l, cells in rows if index < len(cells)]
    existing = await _existing(
        session, competition_id, competition.organization_id, filter(None, emails)
    )
    checker = _Checker(header, columns, existing, _today())
    plans = [plan for line, cells in rows if (plan := checker.row(line, cells)) is not None]
    return _Examined(
        competition=competition,
        header=header,
        mapping={index: given.get(index, "ignore") for index in range(len(header))},
        columns=columns,
        rows=rows,
        problems=problems + checker.problems,
        plans=plans,
        existing=existing,
    )


async def preview(
    session: AsyncSession,
    principal: Principal,
    competition_id: int,
    data: bytes | str,
    mapping: dict[int, str] | None = None,
    sample: int = 10,
) -> Preview:
    """Every problem of the file with the given (or guessed) mapping; writes nothing."""
    examined = await _examine(session, principal, competition_id, data, mapping)
    shown = examined.rows[: max(sample, 0)]
    return Preview(
        header=examined.header,
        mapping=examined.mapping,
        sample=[
            {
                target: cells[index].strip() if index < len(cells) else ""
                for target, index in sorted(examined.columns.items(), key=lambda item: item[1])
            }
            for _line, cells in shown
        ],
        rows=len(examined.rows),
        problems=examined.problems,
        sample_lines=[line for line, _cells in shown],
    )


def _number(plans: list[_Plan], target: str, existing: Iterable[str]) -> None:
    """Give rows without a value the next numbers after the largest one in use."""
    used = {*existing, *(plan.entry[target] for plan in plans if target in plan.entry)}
    top = max((n for n in map(_numbered, used) if n is not None), default=0)
    for plan in plans:
        if target in plan.entry:
            continue
        top += 1
        while str(top) in used:
            top += 1
        plan.entry[target] = str(top)


async def commit(
    session: AsyncSession,
    principal: Principal,
    competition_id: int,
    data: bytes | str,
    mapping: dict[int, str] | None,
) -> ImportReport:
    """Check the file again, then create every person and entry, or raise ``ImportRejected``.

    Run it in a write transaction: on any problem nothing must be committed, and the
    caller's rollback guarantees it even when the store refuses a row late.
    """
    examined = await _examine(session, principal, competition_id, data, mapping)
    if examined.problems:
        raise ImportRejected(examined.problems)
    for target in ("bib", "registration_id"):
        _number(examined.plans, target, examined.existing.codes[target])
    # Held here because the session holds objects weakly: the core looks the competition
    # and organization up for every row, and finds them in memory only while referenced.
    organization = await ORGANIZATIONS.load(session, examined.competition.organization_id)
    report = ImportReport()
    for plan in examined.plans:
        try:
            report.rows.append(
                await _store(session, principal, organization.id, competition_id, plan)
            )
        except DomainError as exc:
            field_name = str(exc.details.get("field") or "row")
            column = examined.columns.get(field_name)
            label = field_name if column is None else _label(examined.header, column)
            raise ImportRejected([Problem(plan.line, label, exc.message)]) from exc
    return report


async def _store(
    session: AsyncSession,
    principal: Principal,
    organization_id: int,
    competition_id: int,
    plan: _Plan,
) -> ReportRow:
    if plan.person_id is None:
        command = PersonCreate(organization_id=organization_id, **plan.person)
        person = await resources.create(session, principal, PEOPLE, command)
    else:
        person = await PEOPLE.load(session, plan.person_id)
    # ``person`` stays referenced, so the entry's reference check finds it in the session.
    entry = await resources.create(
        session,
        principal,
        ENTRIES,
        EntryCreate(person_id=person.id, **plan.entry),
        competition_id=competition_id,
    )
    return ReportRow(
        line=plan.line,
        name=plan.name,
        bib=plan.entry["bib"],
        registration_id=plan.entry["registration_id"],
        entry_id=entry.id,
        person_id=person.id,
        existing_person=plan.person_id is not None,
    )
