"""The document frame: paragraphs, sections, sentences with offsets, dateline and announcer.

Everything here is computed once per article and is independent of the event rules:
which lines are headings or boilerplate, where each sentence starts in the cleaned
text, which date the release was announced on and by whom.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from functools import cache, cached_property

from cgtextract.read.dates import DateMention, find_dates, resolve
from cgtextract.read.vocab import load_patterns

# sections whose prose never states a real milestone of the products
_BOILERPLATE = re.compile(
    r"^(?:(?:special|cautionary)\s+(?:note|statement)s?\s+regarding\s+)?forward[- ]looking|"
    r"^disclaimer|^references?$|^contacts?\b|^media\b|^investors?\b|^safe harbor|"
    r"^cautionary|^source\b|^for more information|^notes? to editors",
    re.I,
)
_ABOUT = re.compile(r"^about\s+(?:the\s+)?(.+)$", re.I)
# words before a period that do not end a sentence
_NO_BREAK = {
    "inc",
    "ltd",
    "co",
    "corp",
    "dr",
    "mr",
    "mrs",
    "ms",
    "st",
    "no",
    "vs",
    "jan",
    "feb",
    "mar",
    "apr",
    "jun",
    "jul",
    "aug",
    "sep",
    "sept",
    "oct",
    "nov",
    "dec",
    "u.s",
    "e.g",
    "i.e",
    "n.j",
    "mass",
    "calif",
    "ph.d",
    "m.d",
    "jr",
    "sr",
    "approx",
    "fig",
    "al",
    "u.k",
    "d.c",
    "n.y",
    "md",
    "phd",
    "nos",
    "ref",
    "vol",
    "ave",
    "pa",
    "ill",
    "conn",
    "wash",
    "fla",
}
_LAST_WORD = re.compile(r"([A-Za-z][A-Za-z.]*)\.?$")
_SENT_END = re.compile(r"[.!?][\"”’)]?\s+(?=[“\"(\[A-Z0-9])")
_WIRE = re.compile(
    r"/\s*PRNewswire(?:-\w+)?\s*/|\((?:GLOBE NEWSWIRE|BUSINESS WIRE|ACCESSWIRE|Newsfile)\)|"
    r"--\s*\(BUSINESS WIRE\)\s*--|\s--\s|\s—\s|\s–\s|--",
    re.I,
)
_ANNOUNCE_VERBS = (
    r"(?:today\s+)?(?:announced|announces|said|says|reported|reports|received|receives|"
    r"disclosed|revealed|obtained|has|have|had|won|secured|confirmed|was|is|today)"
)
_LEAD_DATE = re.compile(
    r"^(?:(?:On|In|As of|By|Since|During)\s+)?(?:[A-Z][a-z]{2,8}\.?\s+\d{1,2}(?:,\s+\d{4})?|"
    r"\d{1,2}\s+[A-Z][a-z]{2,8}(?:\s+\d{4})?)\s*,\s*|"
    r"^(?:On|In|As of|Earlier|Later|By|Since|During|Last|This|Earlier this)\s+[^,]{0,30}\s*,\s*"
)
_LEAD_ADVERB = re.compile(
    r"^(?:Separately|Meanwhile|Also|Additionally|However|Elsewhere|Similarly|Likewise|In addition|"
    r"Furthermore|Moreover|Earlier|Later|Previously|Finally|Today|Yesterday|Recently|Last week|"
    r"This week|In other news|[A-Z][a-z]+ly),?\s+"
)
_STOP_SUBJECT = {
    "the",
    "it",
    "this",
    "its",
    "a",
    "an",
    "our",
    "we",
    "they",
    "these",
    "those",
    "that",
    "there",
    "in",
    "on",
    "according",
    "analysts",
    "he",
    "she",
    "i",
}


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

    @property
    def dates(self) -> list[DateMention]:
        """Date expressions of this sentence, found once."""
        if self._dates is None:
            self._dates = find_dates(self.text)
        return self._dates

    _dates: list[DateMention] | None = None
    clause_breaks: list[tuple[int, int]] | None = None  # (start, end) of each; found once


@dataclass
class Frame:
    """Per-article facts every rule needs."""

    sentences: list[Sentence]
    published: date | None
    announced: date | None
    announcer: str | None
    para_first: dict[int, str] = field(default_factory=dict)
    period: tuple[str, str] | None = None

    @cached_property
    def para_announcer(self) -> dict[int, str]:
        """The company each paragraph opens with ('On 23 September, bluebird bio announced')."""
        found = {}
        for para, first in self.para_first.items():
            who = subject_company(first)
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
        if prev in _NO_BREAK:
            continue
        # an initial ('Michael J. Fox') follows a capitalized word; 'hemophilia B.' ends a sentence
        if len(prev) == 1 and prev.isalpha() and (not before or before[:1].isupper()):
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


def _is_heading(line: str) -> bool:
    words = line.split()
    return (
        0 < len(words) <= 10
        and not re.search(r"[.!?:;,]$", line.strip())
        and not line.strip().startswith(("“", '"'))
    )


@cache
def legal_suffixes() -> tuple[str, ...]:
    """Company legal suffixes from patterns/companies.jsonl, longest first."""
    rows = load_patterns("companies.jsonl")
    return tuple(
        sorted(
            (str(r["pattern"]) for r in rows if r["label"] == "LEGAL_SUFFIX"), key=len, reverse=True
        )
    )


@cache
def company_heads() -> tuple[str, ...]:
    """Words that end a company name (Therapeutics, Bio, ...)."""
    rows = load_patterns("companies.jsonl")
    return tuple(str(r["pattern"]) for r in rows if r["label"] == "COMPANY_HEAD")


def strip_legal(name: str) -> str:
    """'Mustang Bio, Inc.' -> 'Mustang Bio'; keeps the name as the text gives it otherwise."""
    name = name.strip().strip(",")
    rx = _legal_tail()
    while m := rx.search(name):
        name = name[: m.start()].rstrip(" ,")
    return name.strip()


@cache
def _legal_tail() -> re.Pattern[str]:
    """A legal suffix ending a name, after a space or a comma (one search, not one per suffix)."""
    alternation = "|".join(re.escape(s) for s in legal_suffixes())
    return re.compile(rf"(?:[ ,])(?:{alternation})\Z")


def subject_company(text: str) -> str | None:
    """The company a sentence opens with, as in 'X (NASDAQ: X), a ..., today announced'."""
    text = _LEAD_ADVERB.sub("", text.strip(), count=1)
    text = _LEAD_DATE.sub("", text, count=1)
    text = _LEAD_ADVERB.sub("", text, count=1)
    m = re.match(
        r"^(.{2,90}?)(?=\s*\(|\s+(?:said|says|today|announced|announces|reported|reports|"
        r"received|receives|disclosed|revealed|obtained|has|have|had|won|secured|confirmed|"
        r"was|is|gained|earned)\b|,\s+(?:a|an|the|which|one|who|based|headquartered|"
        r"together)\b)",
        text,
    )
    if not m:
        return None
    name = strip_legal(m.group(1))
    # "X and Y today announced": the first named is the announcer
    name = strip_legal(re.split(r"\s+and\s+|\s+&\s+", name)[0])
    words = name.split()
    if not words or words[0].lower() in _STOP_SUBJECT or len(words) > 6:
        return None
    if not any(ch.isupper() for ch in name) and len(words) < 2:
        return None
    if re.search(r"[;:“”\"]|\d{4}|\s(?:for|with|in|of the)\s", name):
        return None
    return name


def dateline(paragraph: str) -> tuple[date, str] | None:
    """(announcement date, text after the dateline) for 'CITY, Mon. D, YYYY /PRNewswire/ -- ...'."""
    head = paragraph[:220]
    for d in find_dates(head):
        if d.kind not in {"mdy", "dmy", "iso"} or d.start > 160:
            continue
        prefix = head[: d.start]
        if (
            prefix
            and not re.match(r"^[A-Z][\w .,&'’()/-]*$", prefix.strip(" -–—"))
            and "--" not in prefix
        ):
            continue
        wire = None
        for w in _WIRE.finditer(paragraph, d.end):
            if w.start() - d.end > 40:
                break
            wire = w
        if wire is None:
            continue
        r = resolve(d, None)
        if r:
            return date.fromisoformat(r[0]), paragraph[wire.end() :].lstrip(" -–—")
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
    intro: str | None = None
    for para_no, line in enumerate(text.split("\n")):
        start = pos
        pos += len(line) + 1
        stripped = line.strip()
        if not stripped:
            continue
        lead = len(line) - len(line.lstrip())
        heading = _is_heading(stripped)
        is_title = title_line is None and (
            (title is not None and stripped.rstrip(" .") == title.strip().rstrip(" ."))
            or (para_no == 0 and heading)
        )
        if is_title:
            title_line = para_no
        elif heading and dateline_para is None and para_no < 4:
            pass  # sub-headline before the dateline
        elif heading:
            section = stripped
            about = _ABOUT.match(stripped)
            boiler = bool(_BOILERPLATE.search(stripped)) or bool(about)
        if not heading and dateline_para is None and para_no < 8:
            found = dateline(stripped)
            if found:
                dateline_para = para_no
                announced = found[0]
                announcer = subject_company(found[1])
        quote = stripped.startswith(("“", '"', "‘"))
        is_item = stripped.startswith(("- ", "• ", "* ", "– ", "· "))
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
                s.heading = True
            elif s.para == dateline_para:
                s.lead = True
    period = None
    if title and dateline_para is None:
        for d in find_dates(title):
            r = resolve(d, None)
            if r and r[1] in {"month", "quarter"}:
                period = r
                break
    return Frame(sentences, published, announced, announcer, para_first, period)
