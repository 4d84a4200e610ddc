"""Company names: the subject an announcement opens with, with its descriptors stripped, and
the test that a candidate names an organization.

A wrong company is worse than none (SCHEMA.md): a candidate that is a city, a person's role,
a date, a disease, a designation, a document type or a regulator is refused, and the
descriptors releases put before a name ("Cambridge, Mass.-based", "Japanese drug major",
"Singapore's", "(RTTNews) -") are taken off.
"""

from __future__ import annotations

import re
from functools import cache, lru_cache

from cgtextract.read.products import is_two_word_inn
from cgtextract.read.vocab import alternation, name_spans, word_rx, words


@cache
def legal_suffixes() -> tuple[str, ...]:
    """Company legal suffixes from patterns/companies.jsonl, longest first."""
    return tuple(sorted(words("companies.jsonl", "LEGAL_SUFFIX"), key=len, reverse=True))


@cache
def company_heads() -> tuple[str, ...]:
    """Words that end a company name (Therapeutics, Bio, ...)."""
    return words("companies.jsonl", "COMPANY_HEAD")


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
    alternation_ = "|".join(re.escape(s) for s in legal_suffixes())
    return re.compile(rf"(?:[ ,])(?:{alternation_})\Z")


@cache
def _wire_tag() -> re.Pattern[str]:
    """A wire service's tag before a name: '(RTTNews) - ', '/PRNewswire/ --'."""
    wires = alternation("layout.jsonl", "WIRE")
    return re.compile(rf"^\s*[(/]\s*(?:{wires})\s*[)/]\s*(?:--|[-–—])?\s*", re.I)


@cache
def _subject_rx() -> re.Pattern[str]:
    verbs = alternation("layout.jsonl", "ANNOUNCE_VERB")
    ends = alternation("grammar.jsonl", "SUBJECT_END")
    return re.compile(
        rf"^(.{{2,120}}?)(?=\s*\(|(?:\s+[a-z]+ly)?\s+(?:{verbs})\b|,\s+(?:{ends})\b|\s+(?:and|&)\s+its\b"
        r"|:\s)"
    )


@cache
def _lead_rx() -> re.Pattern[str]:
    adverbs = alternation("layout.jsonl", "LEAD_ADVERB")
    return re.compile(rf"^(?:{adverbs}),?\s+")


@cache
def _lead_date() -> re.Pattern[str]:
    """'On December 24, 2025, ', 'Earlier this month, ': a dated opening before the subject."""
    preps = alternation("grammar.jsonl", "LEAD_PREP")
    return re.compile(
        rf"^(?:(?i:{preps})\s+)?(?:[A-Z][a-z]{{2,8}}\.?\s+\d{{1,2}}(?:,\s+\d{{4}})?|"
        rf"\d{{1,2}}\s+[A-Z][a-z]{{2,8}}(?:\s+\d{{4}})?)\s*,\s*|^(?i:{preps})\s+[^,]{{0,30}}\s*,\s*"
    )


def subject_company(text: str) -> str | None:
    """The company a sentence opens with, as in 'X (NASDAQ: X), a ..., today announced'."""
    text = _wire_tag().sub("", text.strip(), count=1)
    text = _lead_rx().sub("", text, count=1)
    text = _lead_date().sub("", text, count=1)
    text = _lead_rx().sub("", text, count=1)
    m = _subject_rx().match(text)
    if not m:
        return None
    # "X and Y today announced": the first named is the announcer
    subject = m.group(1)
    first = re.split(r"\s+and\s+|\s+&\s+(?=[A-Z])", subject)[0]
    if first != subject and any(
        label == "REGULATOR" and start < len(first) for label, start, _ in name_spans(subject)
    ):
        return None  # 'The US Food and Drug Administration has ...': a regulator, not two names
    if word_rx("actions.jsonl", "ACTION").search(first):
        return None  # 'The FDA approved Waskyra (...)': a clause, not a name with descriptors
    if _PASSIVE_ACT.match(text, m.end()):
        return None  # 'Kymriah was approved by ...': what an agency acts on is no company
    return clean_company(first)


def clean_company(raw: str) -> str | None:
    """A candidate's descriptors taken off, legal suffix dropped; None unless it names a company."""
    name = _wire_tag().sub("", raw.strip(), count=1).strip(" ,;:-–—.")
    if name.endswith(")") and "(" not in name:
        name = name[:-1].rstrip()  # 'CBMG)': a ticker's bracket left behind
    # "CRISPR Therapeutics' (NASDAQ: CRSP) CAR T candidate": a possessive cut by a ticker
    name = _POSSESSIVE_END.sub("", name)
    # 'X based in Shanghai', 'X headquartered in Tokyo': the place follows the name
    name = re.split(r"\s+(?:based|headquartered|located)\s+in\s", name, maxsplit=1)[0]
    # 'Cambridge, Mass.-based Beam Therapeutics', 'U.S.-based X'
    based = _PLACE_BASED.search(name)
    if based:
        name = name[based.end() :]
    name = strip_legal(_name_tail(strip_legal(name)))
    # 'Rocket Pharmaceuticals RCKT': a ticker written after the name's head word
    parts = name.rsplit(" ", 2)
    if (
        len(parts) == 3
        and parts[2].isupper()
        and 2 <= len(parts[2]) <= 5
        and (parts[1] in company_heads())
    ):
        name = f"{parts[0]} {parts[1]}"
    return name if is_company(name) else None


_PASSIVE_ACT = re.compile(
    r"(?:\s*\([^()]*\))?,?\s+(?:was|were|is|ha(?:s|d|ve)\s+been)\s+"
    r"(?:\w+ly\s+|also\s+|first\s+)?(?:approved|authori[sz]ed|cleared)\b"
)
_POSSESSIVE_END = re.compile(r"(?<=\w)['’]s\Z|(?<=s)['’]\Z")
# 'Cambridge, Mass.-based X', 'Shanghai-headquartered X': a place joined to a participle
_PLACE_BASED = re.compile(r"^.*[-–](?:based|headquartered|founded|listed)\s+")


def _name_tail(name: str) -> str:
    """The name a descriptor leads into: 'Japanese drug major Astellas Pharma' -> 'Astellas
    Pharma', "Singapore's Lion TCR" -> 'Lion TCR'. A wholly lower-case name ('bluebird bio')
    is kept as it is."""
    tokens = name.split()
    if not any(_capital(t) for t in tokens):
        return name
    k = len(tokens)
    while k > 0 and (_capital(tokens[k - 1]) or _joiner(tokens, k - 1)):
        k -= 1
    tail = tokens[k:]
    while tail and not _capital(tail[0]):
        tail = tail[1:]
    # a possessive before the name is its place or parent: "Singapore's Lion TCR"
    if len(tail) > 1 and tail[0].endswith(("'s", "’s")):
        tail = tail[1:]
    return " ".join(tail)


def _capital(token: str) -> bool:
    return any(c.isupper() or c.isdigit() for c in token)


def _joiner(tokens: list[str], i: int) -> bool:
    """'&', 'and', 'de', 'of' and lower-case company heads inside a name ('Vor bio' is rare,
    'Mustang Bio' is not: only between or after capitalized words)."""
    word = tokens[i]
    if i == 0 or not _capital(tokens[i - 1]):
        return False
    if word in _joiners():
        return i + 1 < len(tokens) and _capital(tokens[i + 1])
    # a lower-case head ends a name ('Mustang bio'); before more capitals it is a descriptor
    # ('Korean biotech Daeyang Cell')
    return word.lower() in _lower_heads() and i + 1 == len(tokens)


@cache
def _lower_heads() -> frozenset[str]:
    return frozenset(h.lower() for h in company_heads() if " " not in h)


@cache
def _lower_case_heads() -> frozenset[str]:
    """Heads some names write in lower case after a capital ('Bluebird bio' opening a
    sentence); 'Beyond oncology' is no name."""
    return frozenset(words("companies.jsonl", "LOWER_CASE_HEAD"))


@cache
def _person_titles() -> frozenset[str]:
    return frozenset(w.lower() for w in words("companies.jsonl", "PERSON_TITLE"))


@cache
def _not_company() -> frozenset[str]:
    return frozenset(w.lower() for w in words("companies.jsonl", "NOT_COMPANY"))


@cache
def _joiners() -> frozenset[str]:
    """Words that join the parts of a name ('Johnson & Johnson', 'Institut de ...')."""
    return frozenset(words("companies.jsonl", "NAME_JOINER"))


@cache
def _not_a_name() -> re.Pattern[str]:
    """A clause or a place ('Tokyo, Japan', 'approval for X'), never a company's name."""
    preps = alternation("companies.jsonl", "NOT_IN_NAME")
    return re.compile(rf"[;:“”\"]|\d{{4}}|\s(?:{preps})\s|,|--|[–—]|\.\s")


@cache
def not_subject() -> frozenset[str]:
    """Words a company name never starts with ('the', 'it', 'analysts', ...)."""
    return frozenset(words("companies.jsonl", "NOT_SUBJECT"))


@cache
def _legal_suffix_rx() -> re.Pattern[str]:
    """A legal suffix after a name: ' Inc.', ' Co., Ltd.' (from the space before it: a
    pattern that starts with an optional comma is tried at every character)."""
    suffixes = "|".join(re.escape(s) for s in legal_suffixes())
    return re.compile(rf"\s(?:{suffixes})(?![\w])")


_NAME_BEFORE = re.compile(r"([A-Z][\w&.’'-]*(?:\s+[A-Z][\w&.’'-]*){0,3})$")


def legal_names(text: str) -> list[str]:
    """Every company name the text gives with its legal suffix ('BioMarin Pharmaceutical
    Inc.'): each suffix found, then the capitalized words before it."""
    out = []
    for m in _legal_suffix_rx().finditer(text):
        # the suffix's own ', ' or spaces are no part of the name
        at = m.start()
        while at > 0 and text[at - 1].isspace():
            at -= 1
        if at > 0 and text[at - 1] == ",":
            at -= 1
        name = _NAME_BEFORE.search(text, max(0, at - 80), at)
        if name and (name.start() == 0 or not text[name.start() - 1].isalnum()):
            out.append(name.group(1))
    return out


@cache
def _month_abbreviations() -> frozenset[str]:
    """'Aug', 'Sept': month names as abbreviated in dates ('by Aug. 18')."""
    return frozenset(w.lower()[:n] for w in words("dates.jsonl", "MONTH") for n in (3, 4))


@cache
def _calendar() -> frozenset[str]:
    """Month and weekday names, which open sentences but name no company."""
    return frozenset(words("dates.jsonl", "MONTH")) | frozenset(words("dates.jsonl", "WEEKDAY"))


_NOT_ORG_SPANS = {"REGULATOR", "DISEASE", "DESIGNATION", "DOCTYPE"}


@lru_cache(maxsize=4096)  # bounded: a long run meets many names
def is_company(name: str) -> bool:
    """Does the candidate look like an organization's name?"""
    tokens = name.split()
    if not tokens or len(tokens) > 7 or len(name) < 2:
        return False
    if tokens[0].lower() in not_subject() or name.lower() in _not_company():
        return False
    if not any(_capital(t) for t in tokens) and len(tokens) < 2:
        return False
    titles = _person_titles()
    if any(t.lower() in titles or t.lower().strip(",.") in titles for t in tokens):
        return False
    if not name.islower() and not _capital(tokens[-1]) and tokens[-1] not in _lower_case_heads():
        # 'Beyond oncology': a name ends on a name word unless it is all lower case or ends
        # on a company head ('Bluebird bio' at the start of a sentence)
        return False
    if any(t in _calendar() or t.rstrip(".").lower() in _month_abbreviations() for t in tokens):
        return False  # 'February', 'Monday', 'Aug.'
    if len(tokens) == 2 and is_two_word_inn(name):
        return False  # 'Inaticabtagene Autoleucel' opening a sentence: a product's INN
    if _not_a_name().search(name):
        return False  # a clause or a place ('Tokyo, Japan'), not a name
    if name.isupper() and len(tokens) > 1 and not any(h.upper() in name for h in company_heads()):
        return False  # 'SANTA MONICA'
    for label, start, end in name_spans(name):
        whole = start == 0 and end == len(name)
        if label in _NOT_ORG_SPANS or (label == "COUNTRY" and whole):
            return False
    return True
