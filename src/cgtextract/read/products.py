"""Product names: codes, INNs and brands, and which names denote the same product.

Codes are found by shape (letters then digits, with hyphens: CT0596, BBM-D101, NouvNeu001,
LCAR-B38M), INNs by the USAN/INN stems of this field (-cabtagene, -gene, -leucel, -temcel,
-vec, short '-cel' forms), brands by how releases present them (a trademark sign, a
parenthesised INN after the name, 'brand name X'). Look-alikes are rejected by context:
trial registry numbers, trial names, tickers, vectors, and the gene and antigen vocabulary.
"""

from __future__ import annotations

import re
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from functools import cache
from typing import Protocol

from cgtextract.names import normalize_product
from cgtextract.read.vocab import alternation, mapping, word_rx, words

_DIGIT = re.compile(r"\d")
_CODE = re.compile(
    r"(?<![\w/.+-])([A-Za-z][A-Za-z]{0,10}(?:-[A-Za-z]{1,5})?-?[A-Za-z]{0,6}\d[A-Za-z0-9]*"
    r"(?:-[A-Za-z0-9]+)?)(?![\w+]|\.\d)"
)
# a qualifier after an INN or a code name: the USAN letter ('sipuleucel-T', 'remestemcel-L',
# 'Lomecel-B') or the FDA's four-letter suffix of a biologic ('exuparvovec-tneq')
_QUALIFIER = r"(?:-[A-Z](?![\w-])|-[a-z]{4}(?![\w-]))?"


@cache
def _inn_two() -> re.Pattern[str]:
    """Two-word INNs of gene and gene-modified cell therapies: 'ciltacabtagene autoleucel',
    'onasemnogene abeparvovec' (word endings in patterns/products.jsonl)."""
    first = alternation("products.jsonl", "INN_FIRST_STEM")
    second = alternation("products.jsonl", "INN_SECOND_STEM")
    return re.compile(rf"\b([a-z]{{3,}}(?:{first}))\s+([a-z]{{3,}}(?:{second})){_QUALIFIER}", re.I)


def is_two_word_inn(name: str) -> bool:
    """'Vorsacabtagene Autoleucel' (at a sentence's start, capitalized): an INN, not a name."""
    return _inn_two().fullmatch(name) is not None


@cache
def _inn_one() -> re.Pattern[str]:
    """One-word INNs and code names of cell and gene therapies: tisagenlecleucel, lifileucel,
    omidubicel, teserpaturev, Lomecel-B; ordinary words with those endings excluded."""
    ends = alternation("products.jsonl", "INN_ONE_STEM")
    not_inn = alternation("products.jsonl", "LOOKALIKE_WORD")
    return re.compile(rf"\b(?!(?:{not_inn})\b)([a-z]{{4,}}(?:{ends}){_QUALIFIER})(?![\w-])", re.I)


@cache
def _inn_hints() -> tuple[tuple[str, ...], re.Pattern[str]]:
    """The word endings every INN shape has (the stems that hold no shorter stem), as
    substrings to test first, at C speed, and as the pattern that confirms one ends a word."""
    stems = {
        w.lower()
        for label in ("INN_FIRST_STEM", "INN_SECOND_STEM", "INN_ONE_STEM")
        for w in words("products.jsonl", label)
    }
    short = tuple(sorted(w for w in stems if not any(x != w and x in w for x in stems)))
    return short, re.compile(rf"(?:{'|'.join(map(re.escape, short))})\b")


# a gene named with its vector, as a descriptive name: 'HGF plasmid', 'VEGF-A plasmid DNA'
_GENE_PLASMID = re.compile(r"\b([A-Z][A-Z0-9]{1,7}(?:-[A-Z0-9]+)?\s+plasmid(?:\s+DNA)?)\b")
_INN_SHORT = re.compile(r"(?<![\w-])([A-Za-z]{2,6}-cel)\b")
_BRAND_TM = re.compile(r"\b([A-Z][A-Za-z0-9]{2,}|[A-Z]{3,})\s?(?:®|™|\(R\)|\(TM\))")
_PAREN_BRAND = re.compile(
    r"\s*\(\s*(?:[^()]{0,40}[;,]\s*)?([A-Z][A-Za-z]{3,}|[A-Z]{4,})\s*(?:®|™)?\s*[;,)]"
)
_BRAND_OR = re.compile(r"\b([A-Z][a-z]{3,}[A-Za-z]*|[A-Z]{4,})(?:®|™)?\s*,\s+or\s+$")
_BRAND_BEFORE_PAREN = re.compile(r"\b([A-Z][A-Za-z]{3,}|[A-Z]{4,})\s+\(")
_POSSESSIVE_BRAND = re.compile(r"(?:'s|’s|s'|s’)\s+([A-Z][A-Za-z]{3,})\s+\(")
_BRAND_FOR_CODE = re.compile(r"\b([A-Z][A-Za-z]{3,})\s+for\s+[^().;]{2,50}\(\s*[A-Za-z]{1,6}-?\d")


@cache
def _apposed_brand() -> re.Pattern[str]:
    """'Brisova, its psoriasis product, ...': a name the apposition calls a product."""
    nouns = alternation("grammar.jsonl", "PRODUCT_NOUN")
    return re.compile(
        r"\b([A-Z][a-z]{3,}[A-Za-z]*|[A-Z]{4,})(?:®|™)?\s*,\s+(?:its|their|our|the company's)\s+"
        rf"(?:[\w-]+\s+){{0,4}}(?:{nouns})\b"
    )


@cache
def _product_nouns() -> tuple[str, ...]:
    """The product nouns as substrings to test before the pattern that needs one: each noun
    that holds no shorter one ('gene therapy' holds 'therapy')."""
    nouns = sorted(words("grammar.jsonl", "PRODUCT_NOUN"), key=len)
    kept: list[str] = []
    for n in nouns:
        if not any(k in n for k in kept):
            kept.append(n)
    return tuple(kept)


@cache
def _therapy_brand() -> re.Pattern[str]:
    """'the gene therapy Zolgensma', 'its lead drug candidate, Reqorsa,': a capitalized name
    after a product noun (not the company a comma may bring: '..., Corvane said')."""
    nouns = alternation("grammar.jsonl", "PRODUCT_NOUN")
    return re.compile(
        rf"\b(?:{nouns})(?:\s+|,\s+(?=\S+,))([A-Z][a-z]+[A-Z]?[a-z]*|[A-Z]{{4,}})(?:™|®)?\b"
    )


@cache
def _trial_before() -> re.Pattern[str]:
    """'the Phase 3 ABC-301 study', 'two studies, Northstar-2 (ABC-207)': a study's own code."""
    studies = alternation("grammar.jsonl", "STUDY_WORD")
    return re.compile(
        rf"(?:Phase\s+[\w/]+|NCT|protocol|{studies})\s*[,:]?\s*(?:[A-Z][\w-]*\s*\(\s*)?$", re.I
    )


@cache
def _trial_after() -> re.Pattern[str]:
    """'ABC-301 study', 'AAV9 vector': what follows makes the code no product."""
    studies = alternation("grammar.jsonl", "STUDY_WORD")
    other = word_rx("grammar.jsonl", "NOT_PRODUCT_AFTER").pattern
    return re.compile(rf"^\s*\)?\s*(?:and\s+\S+\s+)?(?:{studies})\b|^\s*(?:\w+\s+)?{other}", re.I)


MONTH_STARTS = frozenset(m[:3].lower() for m in words("dates.jsonl", "MONTH"))


@cache
def common_caps() -> frozenset[str]:
    """Capitalized words that are never a product's name (patterns/products.jsonl NOT_NAME)."""
    return frozenset(words("products.jsonl", "NOT_NAME"))


@cache
def _not_code() -> re.Pattern[str]:
    """Registry numbers, acceptance numbers, serotypes and the like: not product codes."""
    prefixes = alternation("products.jsonl", "NOT_CODE_PREFIX")
    return re.compile(rf"^(?:{prefixes})(?=[\d.:-])")


@cache
def _ticker_before() -> re.Pattern[str]:
    return re.compile(rf"(?:{alternation('products.jsonl', 'EXCHANGE')})\s*:\s*$")


@cache
def alias_cues() -> str:
    """The phrases that introduce another name of a product, as one alternation."""
    return alternation("products.jsonl", "ALIAS_CUE")


@cache
def _brand_named() -> re.Pattern[str]:
    return re.compile(rf"\b(?:{alias_cues()})\s+(?:as\s+)?([A-Z][A-Za-z0-9-]{{2,}})")


@cache
def inn_stems() -> tuple[tuple[str, tuple[str, ...]], ...]:
    """(stem, modality cues) of the INN/USAN scheme, longest stem first."""
    table = mapping("products.jsonl", "INN_STEM")
    return tuple(
        (stem, tuple(table[stem].split("+"))) for stem in sorted(table, key=len, reverse=True)
    )


def inn_cues(name: str) -> list[str]:
    """The modality cues an INN's stems state: 'ciltacabtagene autoleucel' -> car, tcell;
    'atidarsagene autotemcel' -> genemod, hsc, genemod."""
    out: list[str] = []
    for word in re.findall(r"[a-z]+", name.lower()):
        for stem, cues in inn_stems():
            if word.endswith(stem) and len(word) >= len(stem):
                out.extend(cues)
                break
    return out


@dataclass(frozen=True)
class ProductMention:
    """A product name at a place in the text."""

    start: int
    end: int
    name: str
    kind: str  # code | inn | short_inn | brand


# one product-name key for the whole project: the reader's "same product" and the store's
# "same event" must agree
norm = normalize_product


_NAMED_HINTS = ("name", "known", "former", "previous", "market")


def find_products(
    text: str, offset: int, reject: AbstractSet[str], studies: set[str] | None = None
) -> list[ProductMention]:
    """Product-name candidates in one sentence; `reject` holds normalized vocabulary words.
    Code-shaped names that the sentence shows to be studies ('the Phase 3 ABC-301 study') are
    added to `studies`, so that the document can refuse them, and their family, everywhere."""
    out: list[ProductMention] = []

    def add(start: int, end: int, name: str, kind: str) -> None:
        a, b = offset + start, offset + end
        for m in out:
            if m.start < b and a < m.end:
                return
        if norm(name) not in reject:
            out.append(ProductMention(a, b, name, kind))

    low = text.lower()
    has_digit = _DIGIT.search(text) is not None
    hints, hint_rx = _inn_hints()
    if any(h in low for h in hints) and hint_rx.search(low):
        for m in _inn_two().finditer(text):
            add(m.start(), m.end(), m.group(0), "inn")
        for m in _inn_one().finditer(text):
            add(m.start(1), m.end(1), m.group(1), "inn")
        for m in _INN_SHORT.finditer(text):
            add(m.start(1), m.end(1), m.group(1), "short_inn")
    if "plasmid" in low:
        for m in _GENE_PLASMID.finditer(text):
            add(m.start(1), m.end(1), m.group(1), "descriptive")
    if has_digit:
        for m in _codes(text):
            name = m.group(1)
            head, tail = text[: m.start(1)], text[m.end(1) :]
            if _trial_before().search(head[-40:]) or (
                # 'its ALA-101 trial': the company's trial of its product
                _trial_after().match(tail) and not _OWN.search(head[-7:])
            ):
                if studies is not None:
                    studies.add(name)
                continue
            if not _is_code(name, head, tail, reject):
                continue
            add(m.start(1), m.end(1), name, "code")
    # each brand shape needs a tell-tale character or word; skip the regex when it is absent
    # (the tests are made one by one: most sentences fail the cheap ones)
    shapes = []
    if "®" in text or "™" in text or "(R)" in text or "(TM)" in text:
        shapes.append(_BRAND_TM)
    if any(w in low for w in _NAMED_HINTS):
        shapes.append(_brand_named())
    if "'" in text or "’" in text:
        shapes.append(_POSSESSIVE_BRAND)
    if any(n in low for n in _product_nouns()):
        shapes.append(_therapy_brand())
    if has_digit and " for " in text:
        shapes.append(_BRAND_FOR_CODE)
    if ", its " in text or ", their " in text or ", our " in text:
        shapes.append(_apposed_brand())
    for rx in shapes:
        for m in rx.finditer(text):
            name = m.group(1)
            if name in common_caps() or name.isdigit():
                continue
            add(m.start(1), m.end(1), name, "brand")
    for inn in [m for m in out if m.kind == "inn"]:
        # 'equecabtagene autoleucel (Fucaso)': a capitalized name in the parenthesis after an INN
        after = _PAREN_BRAND.match(text, inn.end - offset)
        if after and after.group(1) not in common_caps():
            add(after.start(1), after.end(1), after.group(1), "brand")
        # 'Velzara, or tovacabtagene autoleucel,': a capitalized name the INN glosses
        before = _BRAND_OR.search(text, max(0, inn.start - offset - 40), inn.start - offset)
        if before and before.group(1) not in common_caps():
            add(before.start(1), before.end(1), before.group(1), "brand")
    for m in _BRAND_BEFORE_PAREN.finditer(text) if "(" in text and out else ():
        # 'Abecma (idecabtagene vicleucel)', 'Tecartus (autologous ... cells; formerly KTE-X19)':
        # a capitalized name whose parenthesis holds another name of a product
        name = m.group(1)
        close = text.find(")", m.end())
        inside = (m.end() - 1 + offset, (close if close >= 0 else len(text)) + offset)
        if name in common_caps() or not any(
            inside[0] < p.start < inside[1] and p.kind in {"inn", "code"} for p in out
        ):
            continue
        add(m.start(1), m.end(1), name, "brand")
    for pm in list(out) if "(" in text else ():
        # 'valoctocogene roxaparvovec (valrox)', 'B019 (the “B019 Injection”)': a short name in
        # the parenthesis right after a product name is another name of it
        after = _PAREN_ALIAS.match(text, pm.end - offset)
        if after:
            name = after.group(1) or after.group(2)
            quoted = after.group(2) is not None
            if (not quoted or norm(pm.name) in norm(name) or _DIGIT.search(name)) and not (
                name in common_caps() or name.isupper() and len(name) <= 4
            ):
                g = 1 if not quoted else 2
                add(after.start(g), after.end(g), name, "alias")
    for pm in list(out) if "/" in text else ():
        # 'tisagenlecleucel/ CTL019': two names of one product joined by a slash
        after = _SLASH_ALIAS.match(text, pm.end - offset)
        if after and pm.kind in {"inn", "brand"}:
            st, en = offset + after.start(1), offset + after.end(1)
            out = [m for m in out if not (m.start == st and m.end == en)]
            add(after.start(1), after.end(1), after.group(1), "alias")
    return sorted(out, key=lambda p: p.start)


_SLASH_ALIAS = re.compile(r"\s*/\s*([A-Z][A-Za-z]*-?\d[\w-]{1,15}|[a-z]{6,}(?:cel|vec))(?![\w-])")
_PAREN_ALIAS = re.compile(
    r"\s*(?:®|™)?\s*\(\s*(?:(?:also\s+)?(?:known as|formerly|previously|or)\s+|(?:INN|USAN):\s*)?"
    r"(?:([A-Za-z][\w-]{2,20})\s*[);]|(?:the\s+)?[“\"]([^”\"]{2,40})[”\"]\s*[);,])"
)


def _codes(text: str) -> list[re.Match[str]]:
    """What `_CODE.finditer(text)` finds, reached from the digits instead of from every letter.

    A code holds a digit and starts where a run of [\\w/.+-] characters starts (its
    look-behind), so each digit leads back to the one place a code holding it can start.
    """
    out: list[re.Match[str]] = []
    last_start = -1
    for d in _DIGIT.finditer(text):
        i = d.start()
        while i > 0 and (text[i - 1].isalnum() or text[i - 1] in "_/.+-"):
            i -= 1
        if i == last_start:
            continue
        last_start = i
        m = _CODE.match(text, i)
        if m:
            out.append(m)
    return out


_OWN = re.compile(r"\b(?:its|their|our)\s+$")
_FOOTNOTED = re.compile(r"([A-Za-z][A-Za-z-]*?)-?\d{1,2}[A-Za-z]?")
_GENE_BEFORE = re.compile(r"\bgenes?\s+$", re.I)
_GENE_AFTER = re.compile(r"\s*(?:gene|mutation|variant)s?\b", re.I)
_TRIAL_SHAPE = re.compile(r"[A-Z]{4,}-\d")


def _is_code(name: str, before: str, after: str, reject: AbstractSet[str]) -> bool:
    letters = sum(c.isalpha() for c in name)
    digits = sum(c.isdigit() for c in name)
    # 'CT0596', 'B019' (one letter needs three digits), 'OH2' (three characters: capitals)
    if digits < 1 or letters < 1 or (letters == 1 and digits < 3) or digits > 7:
        return False  # ('SID1234633513', an order or source number, has too many digits)
    if len(name) < 4 and not (len(name) == 3 and name[:2].isupper() and name[:2].isalpha()):
        return False
    if re.fullmatch(r"(?:19|20)\d{2}s?", name) or _not_code().match(name):
        return False
    if re.fullmatch(r"[A-Za-z]{3,9}\.?-?(?:19|20)\d{2}", name) and name[:3].lower() in MONTH_STARTS:
        return False  # 'Jan-2023', 'Sept2024': a date
    # 'anti-CD38', 'CD19-positive': a word or a vocabulary symbol joined by a hyphen
    parts = name.split("-")
    if len(parts) > 1 and (
        re.fullmatch(r"[a-z]{3,}", parts[0])
        or re.fullmatch(r"[a-z]{3,}", parts[-1])
        # 'CD19-CAR': a vocabulary symbol whose digits are the only ones ('P-BCMA-ALLO1' is a code)
        or any(
            norm(x) in reject and not any(_DIGIT.search(y) for y in parts if y != x) for x in parts
        )
    ):
        return False
    if _ticker_before().search(before[-24:]):
        return False
    # 'B-ALL1', 'year1', 'LCA4', 'FL3B': a word or a vocabulary term with a footnote digit or
    # a subtype ('CT053', 'UCART22', 'LCAR-B38M' keep their codes' shapes)
    footed = _FOOTNOTED.fullmatch(name)
    if footed and (footed.group(1).islower() or norm(footed.group(1)) in reject):
        return False
    if _GENE_BEFORE.search(before[-12:]) or _GENE_AFTER.match(after):
        return False  # 'the gene GUCY2D', 'RPE65 mutations': a gene, not a product
    if _TRIAL_SHAPE.fullmatch(name):
        return False  # 'FUMANBA-1', 'ZUMA-1': a study's name
    # ordinal-like tokens and units: 1st, 2nd, 10mg, 3rd
    return not re.fullmatch(r"\d+[a-z]{1,3}", name)


def focus_mention(s: _HasText, mentions: list[ProductMention]) -> ProductMention | None:
    """The product a sentence leaves in focus for the next one's 'it' and 'the therapy': its
    last mention outside parentheses (an aside in brackets is an alias or a study, not the
    topic); None when it names a product only in brackets."""
    outside = [m for m in mentions if not _inside_parens(s.text, m.start - s.start)]
    if outside:
        return outside[-1]
    # 'a recombinant herpes simplex virus type II (OH2) injection': the code in brackets names
    # the description before it, which is no product name of its own
    ends = {m.end - s.start for m in mentions}
    for m in mentions:
        opening = s.text.rfind("(", 0, m.start - s.start)
        before = s.text[:opening].rstrip()
        if (
            opening > 0
            and before
            and len(before) not in ends
            and not re.search(r"[;,]", s.text[opening : m.start - s.start])
        ):
            return m
    return None


class _HasText(Protocol):
    text: str
    start: int


def study_family(name: str) -> str:
    """What a study's code shares with its sister studies, letters and shape: 'HGB-207' ->
    'hgb-999' (a product 'AGB-74' is no sister of a protocol 'AGB-2201-07')."""
    return re.sub(r"\d", "9", name.lower())


def alias_links(text: str, mentions: list[ProductMention], offset: int) -> list[tuple[str, str]]:
    """Pairs of names the sentence presents as the same product.

    'Abecma (idecabtagene vicleucel; ide-cel)', 'LentiGlobin for SCD (bb1111)',
    'Zolgensma, previously known as AVXS-101', 'under the brand name Zynteglo'.
    """
    links: list[tuple[str, str]] = []
    for i, a in enumerate(mentions):
        for b in mentions[i + 1 :]:
            between = text[a.end - offset : b.start - offset]
            if (
                (
                    re.fullmatch(
                        rf"\s*(?:®|™)?\s*\(\s*(?:[^()]*[;,]\s*)?(?:(?:{alias_cues()})\s*:?\s*)?",
                        between,
                    )
                    or re.fullmatch(r"\s*[;,]\s*", between)
                    and _inside_parens(text, b.start - offset)
                )
                or re.fullmatch(r"\s*(?:for|in)\s+[^();.]{2,40}\(\s*", between)
                and b.kind == "code"
            ):
                links.append((a.name, b.name))
            elif re.fullmatch(
                r"\s*(?:[A-Za-z-]+\s+){0,3}\((?:[^()]*[;,:]\s*)?", between
            ) and _inside_parens(text, b.start - offset):
                # 'X injection (brand name: Y®, Z)': names inside the parenthesis after X
                links.append((a.name, b.name))
            elif b.kind == "alias" and re.fullmatch(r"\s*/\s*", between):
                links.append((a.name, b.name))  # 'tisagenlecleucel/ CTL019'
            elif re.fullmatch(r"\s*(?:®|™)?\s*,\s+or\s+", between) and b.kind == "inn":
                links.append((a.name, b.name))  # 'Velzara, or tovacabtagene autoleucel'
            elif (
                _NAMED_AS.fullmatch(between)
                or re.search(rf"\b(?:{alias_cues()})\s*:?\s*$", between)
                and not re.search(r"[.;]", between)
            ):
                links.append((a.name, b.name))
    return links


# 'Tecartus, known in the United States as brexucabtagene autoleucel', 'X, formerly Y',
# 'TG-C, the cell and gene therapy for knee osteoarthritis that was sold in Korea as Invossa'
_NAMED_AS = re.compile(
    r"(?:,\s+(?:the|an?|its)\s+[^,;()]{0,100}?\s+(?:that|which)\s+)?"
    r",?\s*(?:(?:which\s+(?:was|is)|was|were|is|also|formerly|previously|still|now)\s+)*"
    r"(?:(?:known|marketed|sold|branded|commerciali[sz]ed|approved)(?:\s+in\s+[^,;()]{2,40}?)?"
    r"\s+as|called|named|renamed)\s+"
)


def _inside_parens(text: str, pos: int) -> bool:
    return text.rfind("(", 0, pos) > text.rfind(")", 0, pos)
