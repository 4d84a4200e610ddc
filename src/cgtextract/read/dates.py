"""Dates in release prose, with the precision the words support.

`find_dates(text)` returns every date expression in a piece of text; each one is
resolved later against an anchor (the paragraph's own date, the dateline, or the
publication date), because "on December 22", "in August this year" or "on Monday"
mean nothing without one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from typing import NamedTuple

from cgtextract.read.vocab import mapping, words

# month, weekday and ordinal names are data (patterns/dates.jsonl)
MONTHS_FULL = mapping("dates.jsonl", "MONTH")
MONTHS = {m[:3].lower(): int(n) for m, n in MONTHS_FULL.items()}
WEEKDAYS = {d.lower(): int(n) for d, n in mapping("dates.jsonl", "WEEKDAY").items()}
ORDINAL_QUARTER = {w: int(n) for w, n in mapping("dates.jsonl", "ORDINAL_QUARTER").items()}

# 'September', 'Sept.', 'Sep.', 'Sep': full names and abbreviations, longest first
_ABBREVIATIONS = {m[:3] for m in MONTHS_FULL} | set(words("dates.jsonl", "MONTH_ABBREV"))
_MONTH_NAMES = sorted({*MONTHS_FULL, *_ABBREVIATIONS}, key=len, reverse=True)
_MON = "(?:" + "|".join(re.escape(m) + (r"\.?" if len(m) < 5 else "") for m in _MONTH_NAMES) + ")"
_YEAR = r"((?:19|20)\d{2})"
RELATIVE_SHIFT = {w: int(n) for w, n in mapping("dates.jsonl", "RELATIVE").items()}
_RELATIVE = "|".join(sorted(words("dates.jsonl", "RELATIVE"), key=len, reverse=True))
_DAY = r"(\d{1,2})(?:st|nd|rd|th)?"
# a bare month needs a preposition in front, so that the modal verb "may" is never a date
_BARE_MONTH_LEAD = (
    r"(?:\b(?i:" + "|".join(re.escape(w) for w in words("dates.jsonl", "MONTH_LEAD")) + r")\s*)"
)

_WEEKDAY = "|".join(mapping("dates.jsonl", "WEEKDAY"))
_ORDINAL = "|".join(re.escape(w) for w in sorted(ORDINAL_QUARTER, key=len, reverse=True))
_YEAR_LEAD = "|".join(
    re.escape(w) for w in sorted(words("dates.jsonl", "YEAR_LEAD"), key=len, reverse=True)
)
NUMBER_WORDS = {w.lower(): int(n) for w, n in mapping("dates.jsonl", "NUMBER_WORD").items()}
_NUMBER = "|".join(sorted(NUMBER_WORDS, key=len, reverse=True))
_YEAR_PREFIX = "|".join(re.escape(w) for w in words("dates.jsonl", "YEAR_PREFIX"))


class _Kind(NamedTuple):
    """One form of date: its pattern, the cheap hints it cannot match without, and whether
    its words alone fix the date (they carry a year)."""

    name: str
    pattern: re.Pattern[str]
    needs: tuple[str, ...]
    absolute: bool


_PATTERNS: list[_Kind] = [
    _Kind("iso", re.compile(r"\b(\d{4})([-/.])(\d{1,2})\2(\d{1,2})\b"), ("year4",), True),
    # '08/02/2024': month first as US wires write it, unless the first number cannot be one
    _Kind(
        "numeric",
        re.compile(rf"\b(\d{{1,2}})/(\d{{1,2}})/{_YEAR}\b"),
        ("year4",),
        True,
    ),
    _Kind("mdy", re.compile(rf"\b({_MON})\s+{_DAY},?\s+{_YEAR}\b"), ("year4", "month"), True),
    _Kind("dmy", re.compile(rf"\b{_DAY}\s+({_MON})\s*,?\s+{_YEAR}\b"), ("year4", "month"), True),
    _Kind(
        "month_rel",
        re.compile(rf"\b({_MON})\s+(this|last|next)\s+year\b"),
        ("month", "year"),
        False,
    ),
    # 'January–March 2021', 'Jan-Mar 2021': a span of months (a quarter, else the year)
    _Kind(
        "month_span",
        re.compile(rf"\b({_MON})\s*(?:[-–—]|to|through)\s*({_MON}),?\s+{_YEAR}\b"),
        ("year4", "month"),
        True,
    ),
    _Kind("my", re.compile(rf"\b({_MON}),?\s+(?:of\s+)?{_YEAR}\b"), ("year4", "month"), True),
    _Kind(
        "quarter",
        re.compile(rf"\b({_ORDINAL})\s+quarter\s+(?:of\s+)?{_YEAR}\b", re.I),
        ("year4", "quarter"),
        True,
    ),
    _Kind("q", re.compile(rf"\bQ([1-4])\s*(?:of\s+)?'?{_YEAR}\b"), ("year4", "Q"), True),
    _Kind(
        "half",
        re.compile(rf"\b(?:H[12]|(?:first|second)\s+half\s+(?:of\s+)?)\s*{_YEAR}\b", re.I),
        ("year4", "half"),
        True,
    ),
    _Kind(
        "md",
        re.compile(rf"\b({_MON})\s+{_DAY}\b(?!\s*,?\s*(?:19|20)\d{{2}})(?![\d:])"),
        ("digit", "month"),
        False,
    ),
    _Kind(
        "dm",
        re.compile(rf"\b{_DAY}\s+({_MON})\b(?!\s*,?\s*(?:19|20)\d{{2}})"),
        ("digit", "month"),
        False,
    ),
    _Kind(
        "bare_month",
        re.compile(rf"{_BARE_MONTH_LEAD}({_MON})\b(?!\s+\d)(?!\s+(?:this|last|next)\s+year)"),
        ("month",),
        False,
    ),
    _Kind("rel_year", re.compile(rf"\b({_RELATIVE})\s+year\b", re.I), ("year",), False),
    _Kind("rel_month", re.compile(rf"\b({_RELATIVE})\s+month\b", re.I), ("month_word",), False),
    # 'on Monday', 'last Friday', or bare as in 'the company said Tuesday'
    _Kind(
        "weekday",
        re.compile(rf"\b(?:(?:[Oo]n|[Ll]ast|[Tt]his)\s+)?({_WEEKDAY})\b"),
        ("day",),
        False,
    ),
    # 'four months ago', '2 weeks ago': counted back from the anchor, at the unit's precision
    _Kind(
        "ago",
        re.compile(rf"\b({_NUMBER}|\d{{1,2}})\s+(day|week|month|year)s?\s+ago\b", re.I),
        ("ago",),
        False,
    ),
    # 'recently' in an announcement is the announcement's day (SCHEMA.md)
    _Kind("today", re.compile(r"\b(today|yesterday|recently)\b", re.I), ("today",), False),
    _Kind(
        "year",
        re.compile(rf"(?:\b(?i:{_YEAR_LEAD})\s+|\b(?i:{_YEAR_PREFIX})-){_YEAR}\b(?![-/]\d)"),
        ("year4",),
        True,
    ),
]
_ABSOLUTE = frozenset(k.name for k in _PATTERNS if k.absolute)
FULL_DAY_KINDS = frozenset(("iso", "numeric", "mdy", "dmy"))  # a day with its year
DAY_KINDS = FULL_DAY_KINDS | {"md", "dm"}  # a day, with or without its year


@dataclass(frozen=True)
class DateMention:
    """One date expression: where it is, and how to turn it into a date given an anchor."""

    start: int
    end: int
    text: str
    kind: str
    parts: tuple[str, ...]

    @property
    def absolute(self) -> bool:
        """True when the words alone fix the date (they carry a year)."""
        return self.kind in _ABSOLUTE

    def resolve(self, anchor: date | None) -> tuple[str, str] | None:
        """The ISO date and precision this mention denotes, or None if it needs an anchor."""
        return resolve(self, anchor)


def _month(word: str) -> int:
    return MONTHS[word[:3].lower()]


_DIGIT = re.compile(r"\d")
_YEAR4 = re.compile(r"(?:19|20)\d\d")
# hints, not tests: no \b (which makes the search several times slower); the patterns check
_MONTH_START = re.compile("|".join(m[:3] for m in MONTHS_FULL))


def find_dates(text: str) -> list[DateMention]:
    """Every date expression in `text`, left to right, without overlaps (longest first)."""
    low = text.lower()
    digit = _DIGIT.search(text) is not None
    # what each kind of date cannot do without: tests far cheaper than the patterns
    have = dict(
        digit=digit,
        year4=digit and _YEAR4.search(text) is not None,
        half="half" in low or "h1" in low or "h2" in low,
        month=_MONTH_START.search(text) is not None,
        year="year" in low,
        quarter="quarter" in low,
        Q="Q" in text,
        month_word="month" in low,
        day="day" in low,
        today="day" in low or "recent" in low,
        ago=" ago" in low,
    )
    if not any(have.values()):
        return []
    found: list[DateMention] = []
    taken: list[tuple[int, int]] = []
    for kind, pattern, needs, _ in _PATTERNS:
        if not all(have[n] for n in needs):
            continue
        for m in pattern.finditer(text):
            start, end = m.span()
            if kind == "bare_month":
                start = m.start(1)
            if any(s < end and start < e for s, e in taken):
                continue
            groups = tuple(g for g in m.groups() if g is not None)
            found.append(DateMention(start, end, text[start:end], kind, groups))
            taken.append((start, end))
    return sorted(found, key=lambda d: d.start)


def _month_near(month: int, anchor: date, day: int = 1) -> int:
    """The year that puts month (and day) closest before the anchor, allowing 31 days of future."""
    year = anchor.year
    try:
        candidate = date(year, month, min(day, 28))
    except ValueError:
        return year
    if candidate > anchor + timedelta(days=31):
        year -= 1
    return year


def resolve(d: DateMention, anchor: date | None) -> tuple[str, str] | None:
    """Turn a mention into (iso, precision); relative forms need an anchor."""
    k, p = d.kind, d.parts
    try:
        if k == "iso":  # 2025-04-29, 2022/12/29, 2023.01.05
            return date(int(p[0]), int(p[2]), int(p[3])).isoformat(), "day"
        if k == "numeric":
            n1, n2 = int(p[0]), int(p[1])
            m_, d_ = (n2, n1) if n1 > 12 else (n1, n2)
            return date(int(p[2]), m_, d_).isoformat(), "day"
        if k == "mdy":
            return date(int(p[2]), _month(p[0]), int(p[1])).isoformat(), "day"
        if k == "dmy":
            return date(int(p[2]), _month(p[1]), int(p[0])).isoformat(), "day"
        if k == "my":
            return f"{int(p[1]):04d}-{_month(p[0]):02d}", "month"
        if k == "month_span":
            a, b = _month(p[0]), _month(p[1])
            if a == b:
                return f"{p[2]}-{a:02d}", "month"
            if a % 3 == 1 and b == a + 2:
                return f"{p[2]}-Q{(a + 2) // 3}", "quarter"
            return p[2], "year"
        if k == "quarter":
            return f"{p[1]}-Q{ORDINAL_QUARTER[p[0].lower()]}", "quarter"
        if k == "q":
            return f"{p[1]}-Q{p[0]}", "quarter"
        if k in {"half", "year"}:
            return p[-1], "year"
    except (ValueError, KeyError):
        return None
    if anchor is None:
        return None
    if k == "month_rel":
        year = anchor.year + {"this": 0, "last": -1, "next": 1}[p[1].lower()]
        return f"{year:04d}-{_month(p[0]):02d}", "month"
    if k in {"md", "dm"}:
        mon, day = (p[0], p[1]) if k == "md" else (p[1], p[0])
        month = _month(mon)
        try:
            return date(_month_near(month, anchor, int(day)), month, int(day)).isoformat(), "day"
        except ValueError:
            return None
    if k == "bare_month":
        month = _month(p[0])
        return f"{_month_near(month, anchor):04d}-{month:02d}", "month"
    if k == "rel_year":
        shift = RELATIVE_SHIFT[p[0].lower()]
        return f"{anchor.year + shift:04d}", "year"
    if k == "rel_month":
        if RELATIVE_SHIFT[p[0].lower()] < 0:
            first = anchor.replace(day=1) - timedelta(days=1)
            return f"{first.year:04d}-{first.month:02d}", "month"
        return f"{anchor.year:04d}-{anchor.month:02d}", "month"
    if k == "weekday":
        back = (anchor.weekday() - WEEKDAYS[p[0].lower()]) % 7
        return (anchor - timedelta(days=back)).isoformat(), "day"
    if k == "ago":
        n = int(p[0]) if p[0].isdigit() else NUMBER_WORDS[p[0].lower()]
        unit = p[1].lower()
        if unit in {"day", "week"}:
            earlier = anchor - timedelta(days=n * (7 if unit == "week" else 1))
            return earlier.isoformat(), "day"
        if unit == "month":
            months = anchor.year * 12 + anchor.month - 1 - n
            return f"{months // 12:04d}-{months % 12 + 1:02d}", "month"
        return f"{anchor.year - n:04d}", "year"
    if k == "today":
        day_ = anchor - timedelta(days=1) if p[0].lower() == "yesterday" else anchor
        return day_.isoformat(), "day"
    return None


def first_full_date(text: str) -> date | None:
    """The first date with day precision and a year in `text` (datelines, date lines)."""
    for d in find_dates(text):
        if d.kind in FULL_DAY_KINDS:
            r = resolve(d, None)
            if r:
                return date.fromisoformat(r[0])
    return None
