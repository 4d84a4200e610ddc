"""The document frame: paragraphs, sections, sentences with offsets, dateline and announcer.

Everything here is computed once per article and is independent of the event rules:
which lines are headings or boilerplate, where each sentence starts in the cleaned
text, which date the release was announced on and by whom.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from functools import cache, cached_property, lru_cache

from cgtextract.read.companies import clean_company, subject_company
from cgtextract.read.dates import DAY_KINDS, MONTHS, DateMention, find_dates, resolve
from cgtextract.read.vocab import alternation, mapping, words

_ABOUT = re.compile(r"^about\s+(?:the\s+)?(.+)$", re.I)
_LAST_WORD = re.compile(r"([A-Za-z][A-Za-z.]*)\.?$")
_SENT_END = re.compile(r"[.!?][\"”’)]?\s+(?=[“\"(\[A-Z0-9])")


@cache
def _no_break() -> frozenset[str]:
    """Words before a period that do not end a sentence ('Inc.', 'Calif.', 'Dr.')."""
    return frozenset(words("layout.jsonl", "NO_BREAK"))


@cache
def _boilerplate() -> re.Pattern[str]:
    """Section headings whose prose never states a real milestone of the products."""
    return re.compile(rf"^(?:{alternation('layout.jsonl', 'BOILERPLATE_SECTION')})", re.I)


@cache
def _meta_line() -> re.Pattern[str]:
    """A line of metadata above a plain text ('Published: 2025-01-29'), never read."""
    return re.compile(rf"^(?:{alternation('layout.jsonl', 'META_LINE')})\s*\S", re.I)


@dataclass(frozen=True)
class Cell:
    """One cell of a table row: its column's role (patterns/layout.jsonl COLUMN) and text."""

    role: str
    start: int
    end: int
    text: str


@cache
def _column_roles() -> tuple[tuple[re.Pattern[str], str], ...]:
    """Header words and the role of the column they head ('Applicant' -> company)."""
    table = mapping("layout.jsonl", "COLUMN")
    return tuple(
        (re.compile(rf"\b{re.escape(w)}", re.I), table[w])
        for w in sorted(table, key=len, reverse=True)
    )


def column_role(header: str) -> str:
    """The role of a column from its header: product, company, date, regulator, country,
    indication, action (the word that stands last decides); 'other' when no word tells."""
    # the head noun comes last in English: 'Regulatory action' is an action column
    best: tuple[int, str] | None = None
    for rx, role in _column_roles():
        m = rx.search(header)
        if m and (best is None or m.start() > best[0]):
            best = (m.start(), role)
    return best[1] if best else "other"


def _cells(line: str, offset: int) -> list[tuple[int, int, str]]:
    """'| a | b |' -> the cells with their absolute offsets."""
    out = []
    pos = line.find("|") + 1
    while True:
        nxt = line.find("|", pos)
        if nxt < 0:
            break
        raw = line[pos:nxt]
        lead = len(raw) - len(raw.lstrip())
        out.append((offset + pos + lead, offset + pos + lead + len(raw.strip()), raw.strip()))
        pos = nxt + 1
    return out


@dataclass
class Sentence:
    """One sentence with its place in the text and the section it belongs to."""

    idx: int
    para: int
    start: int
    end: int
    text: str
    section: str | None
    boilerplate: bool
    heading: bool
    quote: bool
    lead: bool = False
    intro: str | None = None
    headline: bool = False  # the title, or a sub-headline above the dateline: read, body wins
    item: bool = False  # a list item ('- ...', '• ...')
    opening: bool = False  # in the first paragraph of prose: the dateline's, else the first
    cells: tuple[Cell, ...] = ()  # a table row's cells under their columns' roles
    table_intro: int | None = None  # the sentence that introduces the row's table

    @property
    def legal(self) -> bool:
        """In forward-looking statements, contacts or a disclaimer (not an About section):
        text whose product names no rule needs."""
        return self.boilerplate and not _ABOUT.match(self.section or "")

    @property
    def dates(self) -> list[DateMention]:
        """Date expressions of this sentence, found once."""
        if self._dates is None:
            self._dates = find_dates(self.text)
        return self._dates

    _dates: list[DateMention] | None = None
    clause_breaks: list[tuple[int, int]] | None = None  # (start, end) of each; found once


def cell(s: Sentence, role: str) -> Cell | None:
    """The row's first cell of a role, if it holds anything but a dash."""
    for c in s.cells:
        if c.role == role and c.text.strip(" –—-"):
            return c
    return None


@dataclass
class Frame:
    """Per-article facts every rule needs."""

    sentences: list[Sentence]
    published: date | None
    announced: date | None
    announcer: str | None
    para_first: dict[int, str] = field(default_factory=dict)
    period: tuple[str, str] | None = None
    dateline_end: int | None = None  # where the dateline ends in the text (None: no dateline)

    @cached_property
    def para_announcer(self) -> dict[int, str]:
        """The company each paragraph opens with ('On 23 September, bluebird bio announced')."""
        found = {}
        # a heading or a title names a section or a column ('Around the Helix'), not its source
        titled = {s.para for s in self.sentences if s.heading or s.headline}
        for para, first in self.para_first.items():
            who = None if para in titled else subject_company(first)
            if who:
                found[para] = who
        return found

    def anchor(self, para: int, before: int) -> date | None:
        """The nearest date to resolve relative dates against: the paragraph's own, else
        the dateline, else the publication date."""
        for s in reversed(self.sentences):
            if s.para != para or s.start > before:
                continue
            for d in reversed(s.dates):
                if d.end <= before - s.start and d.kind in {"mdy", "dmy", "iso"}:
                    r = resolve(d, None)
                    if r:
                        return date.fromisoformat(r[0])
        return self.announced or self.published


def split_sentences(text: str, offset: int = 0) -> list[tuple[int, int, str]]:
    """Sentences of one paragraph as (start, end, text), abbreviation-aware."""
    out: list[tuple[int, int, str]] = []
    begin = 0
    for m in _SENT_END.finditer(text):
        cut = m.start() + 1
        words = text[max(begin, cut - 40) : cut].split()
        word = _LAST_WORD.search(words[-1]) if words else None
        prev = (word.group(1) if word else "").lower().rstrip(".")
        before = words[-2] if len(words) > 1 and word and word.start() == 0 else ""
        if prev in _no_break():
            continue
        # an initial ('Michael J. Fox') follows a capitalized word; 'hemophilia B.' ends a sentence
        # ('UCAR-T.' ends one: a letter joined to a word is no initial)
        standalone = word is not None and word.start() == 0
        if (
            len(prev) == 1
            and prev.isalpha()
            and standalone
            and (not before or before[:1].isupper())
        ):
            continue
        end = m.end() - (len(m.group()) - len(m.group().rstrip()))
        chunk = text[begin:end].strip()
        if chunk:
            lead = len(text[begin:end]) - len(text[begin:end].lstrip())
            out.append((offset + begin + lead, offset + begin + lead + len(chunk), chunk))
        begin = m.end()
    chunk = text[begin:].strip()
    if chunk:
        lead = len(text[begin:]) - len(text[begin:].lstrip())
        out.append((offset + begin + lead, offset + begin + lead + len(chunk), chunk))
    return out


_ITEM_MARKS = ("- ", "• ", "* ", "– ", "· ")


def _is_heading(line: str) -> bool:
    words_ = line.split()
    return (
        0 < len(words_) <= 10
        and not re.search(r"[.!?:;,]$", line.strip())
        and not line.strip().startswith(("“", '"'))
    )


def looks_like_title(line: str) -> bool:
    """A headline: no final sentence stop, at most 40 words, not a metadata line."""
    line = line.strip()
    return (
        bool(line)
        and len(line.split()) <= 40
        and not re.search(r"[.!?:;,]$", line)
        and not _meta_line().match(line)
    )


@dataclass(frozen=True)
class Dateline:
    """'CITY, Mon. D, YYYY /PRNewswire/ -- rest': the places, the date (if any), the rest."""

    places: str
    announced: date | None
    rest: str


_MONTH_AHEAD = r"(?:" + "|".join(m.capitalize() for m in MONTHS) + r")[a-z]*\.?\s+\d"
# place words: capitalized ('SANTA MONICA', 'Calif.', 'N.J.', "ST. LOUIS"), never a month
# that a day number follows (the date comes next)
# a single hyphen joins a place's parts ('WINSTON-SALEM'); a double one ends the dateline
_PLACE_WORD = rf"(?!{_MONTH_AHEAD})[A-Z](?:[\w.'’]|-(?!-))*"
# 'LEIDEN, the Netherlands': a place may take 'the'; 'SUZHOU, China, and PALO ALTO, Calif.'
_PLACES = re.compile(
    rf"{_PLACE_WORD}(?:(?:\s+|,\s*(?:(?:&|and)\s+)?(?:the\s+)?|\s+(?:&|and)\s+(?:the\s+)?)"
    rf"{_PLACE_WORD}){{0,11}}"
)
# 'OSAKA, Japan I January 23, 2018 I X announced': a capital I between dateline parts
_SEP = re.compile(r"\s*(?:--|[–—]|-(?=\s)|/|:(?=\s)|\|)\s*|\s*(?<!\w)I\s+(?=[A-Z])")


_ANY_DIGIT = re.compile(r"\d")
_CLOCK = re.compile(r"\s*\d{1,2}:\d{2}\s*(?:[AaPp]\.?[Mm]\.?)?\s*(?:[A-Z]{2,4}\b)?\s*,?\s*")


@cache
def _wire() -> re.Pattern[str]:
    wires = alternation("layout.jsonl", "WIRE")
    return re.compile(rf"\s*(?:/\s*(?:{wires})(?:-\w+)?\s*/|\(\s*(?:{wires})\s*\))", re.I)


@lru_cache(maxsize=512)  # the company rule parses the same first-mention sentences again
def parse_dateline(paragraph: str, anchor: date | None = None) -> Dateline | None:
    """The dateline grammar of wires and newsrooms, markers as data (patterns/layout.jsonl).

    Places first ('BOSTON & ZUG, Switzerland', 'LEXINGTON, Mass. and AMSTERDAM'), then, in
    any order, a date (month- or day-first, perhaps in parentheses; a day without its year
    takes the anchor's, the page's date), a wire marker
    ('/PRNewswire/', '(BUSINESS WIRE)', '(Reuters)') and dashes. A date or a wire is needed,
    or an all-capital place followed by a dash ('RYE, N.H.--', 'SINGAPORE –').
    """
    head = paragraph[:320]
    clock = _CLOCK.match(head)  # '05:11 AM EDT, 08/02/2024 (MT Newswires) -- X said'
    m = None if clock else _PLACES.match(head)
    if clock:
        places, pos = "", clock.end()
    elif m is None:
        if not _wire().match(head):
            return None  # '(RTTNews) - X said ...': a wire tag without a place
        places, pos = "", 0
    else:
        places, pos = m.group().rstrip(" ,"), m.end()
    # day-precise dates only, and each of those holds a digit
    full = find_dates(head) if _ANY_DIGIT.search(head) else []
    # a day without its year ('OSAKA, Japan, September 27 -') takes the page's year
    dates = {d.start: d for d in full if d.kind in DAY_KINDS}
    announced: date | None = None
    wire = sep = False
    while pos < len(head):
        at = pos + len(head[pos:]) - len(head[pos:].lstrip(" ,("))
        if at in dates:
            d = dates[at]
            r = resolve(d, None) or (resolve(d, anchor) if anchor else None)
            announced = announced or (date.fromisoformat(r[0]) if r else None)
            pos = d.end
            pos += len(head[pos:]) - len(head[pos:].lstrip(" )"))
            continue
        w = _wire().match(head, pos)
        if w:
            wire, pos = True, w.end()
            continue
        s = _SEP.match(head, pos)
        if s and s.end() > pos:
            sep, pos = True, s.end()
            continue
        paren = re.match(r"\s*\([^()]{0,60}\)\s*", head[pos:])
        if paren and sep and not paren.group().strip(" ()"):
            pos += paren.end()  # 'SOMERSET, N.J.--()--': a wire name the page lost
            continue
        if paren and (wire or announced) and re.search(r"\d{4}", paren.group()):
            pos += paren.end()  # '- (Newsfile Corp. - March 3, 2025) -'
            continue
        break
    capital_places = bool(places) and places.split(",")[0].isupper()
    if not (announced or wire or (sep and capital_places)) or not (sep or wire):
        return None
    return Dateline(places, announced, paragraph[pos:].strip())


# 'JW (Cayman) Therapeutics Co. Ltd (the “Company”, ...)', 'EdiGene, Inc. (“EdiGene” or the
# “Company”)': the issuer a filing or release defines as the Company
_DEFINED_COMPANY = re.compile(
    r"([A-Z][\w&.,’'()\- ]{1,80}?)\s*\((?:[^()]{0,40}?\bor\s+)?(?:the\s+)?[“\"]"
    r"(?:Company|Group|Issuer)[”\"]"
)


def defined_company(text: str) -> str | None:
    """The company a text defines as 'the Company', its name cleaned; None if none."""
    m = _DEFINED_COMPANY.search(text[:6000])
    if not m:
        return None
    name = re.sub(r"^.*\b(?:by|of|from)\s+(?=[A-Z])", "", m.group(1))
    return clean_company(name)


_MONTH_END = re.compile(r"\b(?:" + "|".join(m.capitalize() for m in MONTHS) + r")[a-z]*\.?$")
_DAY_START = re.compile(r"\d{1,2}(?:st|nd|rd|th)?,?\s+\d{4}\b")


def paragraphs(text: str) -> list[str]:
    """The text's lines, with a hard-wrapped sentence joined again: a line that ends without
    a stop and is followed by one that starts in lower case continues on it ('The Central
    Drugs Standard Control Organisation (CDSCO)' / 'recently approved ...'). Joined lines
    keep their newline, so offsets still point into the text."""
    out: list[str] = []
    for line in text.split("\n"):
        prev = out[-1].strip() if out else ""
        if (
            prev
            # 'on August' / '5, 2025, ...': a date cut by the wrap continues too
            and (line[:1].islower() or (_DAY_START.match(line) and _MONTH_END.search(prev)))
            and any(x.strip() for x in out[:-1])  # never onto the title
            and not re.search(r"[.!?:;\"”]$", prev)
            and not prev.startswith("|")
            and not _ABOUT.match(prev)
            and not _boilerplate().match(prev)
            and line.split()[0].lower() not in prev.lower().split()  # 'About bluebird bio'
        ):
            out[-1] += "\n" + line
        else:
            out.append(line)
    return out


@cache
def _announces() -> re.Pattern[str]:
    exchanges = alternation("products.jsonl", "EXCHANGE")
    return re.compile(
        rf"\((?:{exchanges})\s*:|\b(?:today\s+announced|announced(?:\s+today)?|said\s+today)\b"
    )


@cache
def _headline_verb() -> re.Pattern[str]:
    """'X Announces ...', 'X Receives ...': the verb after a headline's announcer."""
    return re.compile(rf"\s+(?:{alternation('layout.jsonl', 'HEADLINE_VERB')})\b")


def _agreed_announcer(announcer: str, title: str, text: str) -> str:
    """The dateline's company, unless the text never names it again while the headline's
    announcer ('X Announces FDA Acceptance ...') recurs through the text: a lead that
    disagrees with the rest of its own release is the odd one out."""

    def mentions(name: str, enough: int = 3) -> int:
        """How often the name's first word stands in the text (counted up to `enough`)."""
        word = name.split()[0]
        if text.count(word) <= 1:
            return text.count(word)
        found = 0
        for _ in re.finditer(rf"(?<![\w-]){re.escape(word)}(?![\w-])", text):
            found += 1
            if found >= enough:
                break
        return found

    if mentions(announcer) > 1:
        return announcer
    m = _headline_verb().search(title)
    owner = _TITLE_POSSESSIVE.search(title)
    about = _ABOUT_COMPANY.search(text)
    for raw in (
        title[: m.start()] if m else None,
        owner.group(1) if owner else None,
        about.group(1) if about else None,
    ):
        other = clean_company(raw) if raw else None
        # the headline sits in the text once itself: the other name must recur beyond it
        if other and other.split()[0] != announcer.split()[0] and mentions(other) >= 3:
            return other
    return announcer


_TITLE_POSSESSIVE = re.compile(r"\b([A-Z][\w&.-]*(?:\s[A-Z][\w&.-]*){0,2})(?:'s|’s)\s")
_ABOUT_COMPANY = re.compile(r"^About\s+([A-Z][^\n]{1,60})$", re.M)


def _lead_announcer(sentences: list[Sentence]) -> str | None:
    """A release without a dateline: 'X (NASDAQ: XX), a ... company, today announced' in
    its lead names the announcer."""
    for s in sentences:
        if s.opening and _announces().search(s.text):
            return subject_company(s.text)
    return None


def build_frame(text: str, title: str | None, published: date | None) -> Frame:
    """Paragraphs, sections and sentences with offsets, plus dateline facts."""
    sentences: list[Sentence] = []
    section: str | None = None
    boiler = False
    announced: date | None = None
    announcer: str | None = None
    para_first: dict[int, str] = {}
    pos = 0
    title_line = None
    dateline_para: int | None = None
    dateline_end: int | None = None
    intro: str | None = None
    header: list[str] | None = None
    table_intro: int | None = None
    for para_no, line in enumerate(paragraphs(text)):
        start = pos
        pos += len(line) + 1
        stripped = line.strip()
        if not stripped or (not sentences and _meta_line().match(stripped)):
            continue
        lead = len(line) - len(line.lstrip())
        # a list item is body, stop or no stop ('- Fast Track designation from the FDA')
        heading = _is_heading(stripped) and not stripped.startswith(_ITEM_MARKS)
        is_title = (title is not None and stripped.rstrip(" .") == title.strip().rstrip(" .")) or (
            title_line is None and not sentences and heading
        )
        if is_title:
            title_line = para_no
        elif heading and dateline_para is None and para_no < 4:
            pass  # sub-headline before the dateline
        elif heading:
            section = stripped
            about = _ABOUT.match(stripped)
            boiler = bool(_boilerplate().search(stripped)) or bool(about)
        if not heading and dateline_para is None and para_no < 12:
            found = parse_dateline(stripped, published)
            if found:
                dateline_para = para_no
                dateline_end = start + lead + len(stripped) - len(found.rest)
                announced = found.announced
                announcer = subject_company(found.rest)
        if stripped.startswith("|") and stripped.count("|") >= 3:
            # a table row (trafilatura writes tables as '| a | b |' lines): the header names
            # each column's role, every data row is one unit read with those roles
            cells = _cells(line, start)
            if re.fullmatch(r"[|\s:-]+", stripped):
                continue
            if header is None:
                header = [column_role(c[2]) for c in cells]
                table_intro = len(sentences) - 1 if sentences else None
                continue
            roles = header + ["other"] * (len(cells) - len(header))
            sentences.append(
                Sentence(
                    len(sentences),
                    para_no,
                    start + lead,
                    start + lead + len(stripped),
                    stripped,
                    section,
                    boiler,
                    False,
                    False,
                    cells=tuple(
                        Cell(role, a, b, c) for role, (a, b, c) in zip(roles, cells, strict=False)
                    ),
                    table_intro=table_intro,
                )
            )
            continue
        header = None
        quote = stripped.startswith(("“", '"', "‘"))
        is_item = stripped.startswith(_ITEM_MARKS)
        parts = split_sentences(line[lead:], start + lead)
        for s_start, s_end, s_text in parts:
            sentences.append(
                Sentence(
                    len(sentences),
                    para_no,
                    s_start,
                    s_end,
                    s_text,
                    section,
                    boiler,
                    heading or is_title,
                    quote or s_text.startswith(("“", '"')),
                    intro=intro if is_item else None,
                    headline=is_title,
                    item=is_item,
                )
            )
        if not heading and parts:
            para_first[para_no] = parts[0][2]
        if not is_item:
            # '... has previously been granted the following designations:' governs its items
            intro = stripped if stripped.endswith(":") else None
    if dateline_para is not None:
        # title and sub-headlines above the dateline restate the lead: not read for events
        for s in sentences:
            if s.para < dateline_para:
                s.heading = s.headline = True
            elif s.para == dateline_para:
                s.lead = s.opening = True
    else:
        first = next((s.para for s in sentences if not (s.heading or s.cells or s.item)), None)
        for s in sentences:
            s.opening = s.para == first
    if announcer is None:
        announcer = defined_company(text) or _lead_announcer(sentences)
    elif title:
        announcer = _agreed_announcer(announcer, title, text)
    period = None
    if title and dateline_para is None:
        for d in find_dates(title):
            r = resolve(d, None)
            if r and r[1] in {"month", "quarter"}:
                period = r
                break
    return Frame(sentences, published, announced, announcer, para_first, period, dateline_end)
