"""Mentions: vocabulary spans from the spaCy rulers, product names, abbreviations, diseases."""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Collection
from functools import cache

from spacy.language import Language
from spacy.tokens import Doc
from spacy.util import filter_spans

from cgtextract.read.companies import legal_names
from cgtextract.read.document import DocState, Span
from cgtextract.read.layout import Sentence, cell
from cgtextract.read.products import ProductMention, common_caps, find_products, norm, study_family
from cgtextract.read.triggers import clause_breaks
from cgtextract.read.vocab import SPANS_KEY, alternation, load_patterns, shared_nlp, word_rx, words


def chunks(read: list[Sentence]) -> list[list[Sentence]]:
    """Runs of consecutive sentences of one paragraph."""
    groups: list[list[Sentence]] = []
    for s in read:
        if groups and groups[-1][-1].para == s.para and groups[-1][-1].idx == s.idx - 1:
            groups[-1].append(s)
        else:
            groups.append([s])
    return groups


def _chunk_text(text: str, group: list[Sentence]) -> str:
    """The run's text with each sentence-final period blanked: 'hemophilia B.' must match 'B'."""
    start = group[0].start
    chars = list(text[start : group[-1].end])
    for s in group:
        if s.text.endswith("."):
            chars[s.end - 1 - start] = " "
    return "".join(chars)


_GAP = "\n\n"  # between runs: a whitespace token no phrase pattern crosses


def assign_spans(doc: DocState, chunks: list[list[Sentence]], nlp: Language) -> None:
    """One spaCy Doc for all the runs of an article (a Doc per run cost more in overhead than
    in reading), its spans mapped back to article offsets and handed to their sentences."""
    if not chunks:
        return
    text = doc.article.text
    pieces: list[str] = []
    joined_starts: list[int] = []
    shifts: list[int] = []  # article offset minus joined offset, per run
    at = 0
    for group in chunks:
        piece = _chunk_text(text, group)
        joined_starts.append(at)
        shifts.append(group[0].start - at)
        pieces.append(piece)
        at += len(piece) + len(_GAP)
    sdoc = nlp(_GAP.join(pieces))
    starts = [s.start for s in doc.frame.sentences]
    for sp in _spans(sdoc):
        shift = shifts[bisect_right(joined_starts, sp.start) - 1]
        start = sp.start + shift
        s = doc.frame.sentences[bisect_right(starts, start) - 1]
        doc.spans[s.idx].append(Span(sp.label, sp.id, start, sp.end + shift, sp.text))


_PRIORITY = {
    "REGULATOR": 0,
    "DESIGNATION": 1,
    "DOCTYPE": 2,
    "DISEASE": 3,
    "TARGET": 4,
    "GENE": 4,
    "NOTTARGET": 4,
    "COUNTRY": 5,
    "ACTION": 6,
    "MODALITY": 7,
}


def _spans(sdoc: Doc) -> list[Span]:
    """Ruler spans of one sentence; where they overlap the more specific label wins."""
    raw = list(sdoc.spans[SPANS_KEY])
    modality = [sp for sp in raw if sp.label_ == "MODALITY"]
    others = sorted(
        (sp for sp in raw if sp.label_ != "MODALITY"),
        key=lambda sp: (_PRIORITY.get(sp.label_, 9), -(sp.end - sp.start), sp.start),
    )
    kept: list[tuple[int, int]] = []
    out: list[Span] = []
    for sp in others:
        if any(a < sp.end and sp.start < b for a, b in kept):
            continue
        kept.append((sp.start, sp.end))
        out.append(Span(sp.label_, sp.id_, sp.start_char, sp.end_char, sp.text))
    # modality cues may overlap anything (they only describe), but not each other
    for sp in filter_spans(modality):
        out.append(Span(sp.label_, sp.id_, sp.start_char, sp.end_char, sp.text))
    return sorted(out, key=lambda x: x.start)


def rescan_names(doc: DocState) -> None:
    """A brand presented once ('Zolgensma®') is the same product wherever it recurs bare."""
    names = {
        m.name for ms in doc.products.values() for m in ms if m.kind in {"brand", "inn", "alias"}
    }
    mark_names(doc, names, "brand", re.I)


def mark_names(doc: DocState, names: Collection[str], kind: str, flags: int = 0) -> None:
    """Every place where one of `names` stands as a whole word, outside the names already
    found there, becomes a mention of `kind` (a name met once, found again everywhere)."""
    if not names:
        return
    rx = re.compile(
        r"(?<![\w-])("
        + "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True))
        + r")(?![\w-])",
        flags,
    )
    for s in doc.frame.sentences:
        have = doc.products[s.idx]
        extra = []
        for m in rx.finditer(s.text):
            st, en = s.start + m.start(), s.start + m.end()
            if not any(p.start < en and st < p.end for p in have):
                extra.append(ProductMention(st, en, m.group(1), kind))
        if extra:
            doc.products[s.idx] = sorted(have + extra, key=lambda p: p.start)


_OBJECT_BRAND = re.compile(
    r"\b(?:approved|approves|(?:approval|authori[sz]ation)(?:\s+(?:from|by)\s+[^,;()]{2,80}?)?"
    r"\s+(?:of|for)|authori[sz]ed|opinion (?:for|on)|cleared|launched|hold\s+on|"
    # 'accepted the BLA for Orca-T', 'Fast Track designation for Velora'
    r"(?:designation|status)\s+(?:to|for)|(?:BLA|sBLA|NDA|MAA|IND)\s+for)\s+(?:its\s+|the\s+)?"
    # 'Invossa-K', 'MultiStem', 'CARTISTEM'
    r"([A-Z][a-z]{3,}[A-Za-z]*(?:-[A-Z0-9]{1,2})?|[A-Z]{4,})(?![\w-])"
)


# 'The drug, Kymriah, was approved by U.S. regulators': the subject of a passive approval
_SUBJECT_BRAND = re.compile(
    r"(?<![\w-])([A-Z][a-z]{3,}[A-Za-z]*(?:-[A-Z0-9]{1,2})?|[A-Z]{4,})(?<!ment|tion|ness)(?<!ity)"
    r"(?:\s*\([^()]{1,60}\))?,?\s+(?:was|were|has\s+been|had\s+been|became)\s+"
    r"(?:first\s+|also\s+|previously\s+|conditionally\s+|fully\s+)?"
    r"(?:approved|authori[sz]ed|cleared)\b"
)


def _eponym(text: str, end: int) -> bool:
    """Is the capitalized word ending at `end` a disease's eponym ('Kabuki syndrome')?"""
    m = _NEXT_WORDS.match(text, end, end + 40)
    for word in m.group(1).split() if m else ():
        if word in _disease_stop():
            return False  # 'designation for Velora in stroke'
        if _is_head(word):
            return True
    return False


_NEXT_WORDS = re.compile(r"\s+((?:[a-z-]+\s+){0,2}[a-z-]+)")


def object_brands(doc: DocState, read: list[Sentence], firms: Collection[str] = ()) -> bool:
    """'The TGA approved Yescarta', 'a positive opinion for Carvykti': a capitalized name
    that an approval acts on, and that no vocabulary knows, is a brand, unless it names one
    of the text's companies (`firms`: 'designation to Corvane for KB-1'). True if any found."""
    found = False
    known = {m.name.lower() for ms in doc.products.values() for m in ms}
    company_words: set[str] | None = None  # read only when needed: naming them costs
    for s in read:
        found_here = list(_OBJECT_BRAND.finditer(s.text))
        if "approved" in s.text or "authori" in s.text or "cleared" in s.text:
            found_here += _SUBJECT_BRAND.finditer(s.text)
        for m in found_here:
            name = m.group(1)
            st, en = s.start + m.start(1), s.start + m.end(1)
            if name in common_caps() or name.lower() in known:
                continue
            if company_words is None:
                company_words = {
                    w.lower()
                    for who in [doc.frame.announcer or "", *doc.frame.para_announcer.values()]
                    for w in re.findall(r"[A-Z][\w-]+", who)
                }
            if (
                name.lower() in company_words
                or norm(name) in firms
                # 'cleared Nkarta to launch a trial of NKX019': whom an agency lets act
                or re.match(r"\s+to\s", s.text[m.end(1) :])
                and "cleared" in m.group(0)
                # 'designation for Kabuki syndrome': a disease's eponym
                or _eponym(s.text, m.end(1))
                # an owner: "approved X's Y", "authorized ClearPoint Neuro's cannula"
                or re.match(r"(?:\s+[A-Z][\w-]*){0,3}(?:'s|’s|'|’)", s.text[m.end(1) :])
                or any(
                    sp.start < en and st < sp.end for sp in doc.spans[s.idx] if sp.label != "ACTION"
                )
                or any(p.start < en and st < p.end for p in doc.products[s.idx])
            ):
                continue
            doc.products[s.idx] = sorted(
                [*doc.products[s.idx], ProductMention(st, en, name, "brand")], key=lambda p: p.start
            )
            known.add(name.lower())
            found = True
    return found


ANAPHOR_START = re.compile(
    r"^(?:It|Its|This|These|Both|The (?:drug|therapy|product|candidate|program))\b"
)


WORD = re.compile(r"\w[\w+/'’-]*(?:\.\w+)*")


@cache
def cue_words() -> frozenset[str]:
    """One cheap pass over a sentence: does it name an agency, a designation or an act?

    Each vocabulary phrase is represented by its longest word ('administration' for
    'U.S. Food and Drug Administration'); a sentence that holds none of these words, and
    no product, cannot hold an event, and the spaCy pass skips it (a speed design and a
    precision filter at once).
    """
    words: set[str] = set()
    for name in ("regulators.jsonl", "designations.jsonl", "actions.jsonl"):
        for row in load_patterns(name):
            pat = row["pattern"]
            text = pat if isinstance(pat, str) else " ".join(str(t["TEXT"]) for t in pat)
            tokens = WORD.findall(text.lower())
            if tokens:
                words.add(max(tokens, key=len))
    return frozenset(words)


@cache
def reject_words() -> frozenset[str]:
    """Normalized vocabulary words that are never product names (genes, antigens, vectors)."""
    words: set[str] = set()
    for name in ("targets.jsonl", "modalities.jsonl", "regulators.jsonl", "diseases.jsonl"):
        for row in load_patterns(name):
            pat = row["pattern"]
            text = pat if isinstance(pat, str) else " ".join(str(t.get("TEXT", "")) for t in pat)
            words.add(norm(text))
    return frozenset(words)


def learn_abbreviations(text: str, abbrev: dict[str, str]) -> None:
    """'relapsed/refractory multiple myeloma (R/R MM)' teaches R/R MM for this document."""
    for m in re.finditer(r"\(([A-Za-z][A-Za-z0-9/\-]{1,9})\)", text):
        short = m.group(1)
        letters = [c.lower() for c in short if c.isalpha()]
        if len(letters) < 2 or not any(c.isupper() for c in short):
            continue
        words = re.findall(r"[\w'’-]+", text[max(0, m.start() - 90) : m.start()])
        for n in range(1, min(len(words), len(letters) + 3) + 1):
            cand = words[-n:]
            initials = "".join(w[0].lower() for w in cand)
            joined = " ".join(cand).lower()
            if (
                initials[0] == letters[0]
                and _subsequence(letters, joined)
                and n >= len(letters) - 2
            ):
                long = " ".join(cand)
                start = text.rfind(cand[0], max(0, m.start() - 90), m.start())
                if start >= 0:
                    long = text[start : m.start()].strip()
                abbrev.setdefault(short, long)
                break


def _subsequence(letters: list[str], text: str) -> bool:
    i = 0
    for ch in text:
        if i < len(letters) and ch == letters[i]:
            i += 1
    return i == len(letters)


@cache
def _disease_lexicon() -> tuple[frozenset[str], tuple[str, ...], frozenset[str], re.Pattern[str]]:
    """Single-word heads, medical suffixes, words that only look like them, and a pattern for
    the heads of several words ('hemophilia A', 'retinitis pigmentosa')."""
    heads = words("disease_words.jsonl", "DISEASE_HEAD")
    single = frozenset(h for h in heads if " " not in h)
    multi = [h for h in heads if " " in h]
    multi_rx = re.compile(r"\b(?:" + "|".join(re.escape(h) for h in multi) + r")\b")
    suffixes = tuple(words("disease_words.jsonl", "DISEASE_SUFFIX"))
    not_disease = frozenset(words("disease_words.jsonl", "NOT_DISEASE"))
    return single, suffixes, not_disease, multi_rx


_WORD_RUN = re.compile(r"[A-Za-z][A-Za-z'’-]*")


_HEAD_OF: dict[str, bool] = {}  # word -> ends a disease name (a memo: words recur)


def _is_head(word: str) -> bool:
    """A head noun ('lymphoma', 'syndrome', 'failure') or a lower-case word with a medical
    suffix ('papillomatosis', 'retinoschisis'), from patterns/disease_words.jsonl."""
    known = _HEAD_OF.get(word)
    if known is None:
        single, suffixes, not_disease, _ = _disease_lexicon()
        suffixed = word.islower() and len(word) >= 6 and word.endswith(suffixes)
        known = word in single or (suffixed and word not in not_disease)
        if len(_HEAD_OF) > 200_000:
            _HEAD_OF.clear()
        _HEAD_OF[word] = known
    return known


def disease_heads(text: str) -> list[tuple[int, int]]:
    """Where a disease name's last word stands: a head word (`_is_head`) or a head of several
    words ('hemophilia A'). Words are checked one by one, through a memo: a suffix pattern
    would be tried at every letter."""
    multi_rx = _disease_lexicon()[3]
    found = [(m.start(), m.end()) for m in multi_rx.finditer(text)] if _has_multi(text) else []
    for m in _WORD_RUN.finditer(text):
        word, end = m.group(), m.end()
        head = _is_head(word)
        if not head and "-" in word and (word[-1] == "-" or set(word.rsplit("-", 1)[1]) <= _ROMAN):
            # 'deficiency-I', 'syndrome-2': a head with its type written on
            typed = _TYPED_HEAD.match(text, m.start())
            if typed and _is_head(typed.group(1)):
                head, end = True, typed.end()
        if head and not any(a <= m.start() < b for a, b in found):
            found.append((m.start(), end))
    return sorted(found)


_ROMAN = frozenset("IVX")
_TYPED_HEAD = re.compile(r"([a-z]+)-(?:[IVX]{1,4}|\d{1,2}[A-Za-z]?)(?![^\W_]|-)")


def _has_multi(text: str) -> bool:
    """Whether the first word of any head of several words is there (a substring test)."""
    return any(w in text for w in _multi_firsts())


@cache
def _multi_firsts() -> tuple[str, ...]:
    heads = words("disease_words.jsonl", "DISEASE_HEAD")
    return tuple({h.split()[0] for h in heads if " " in h})


@cache
def _generic_heads() -> frozenset[str]:
    """Heads that name no disease on their own ('disease', 'cancers', 'failure')."""
    return frozenset(words("disease_words.jsonl", "GENERIC_HEAD"))


@cache
def _disease_stop() -> frozenset[str]:
    """Words that end the walk back from a disease head: articles, 'patients', 'treat'."""
    return frozenset(words("disease_words.jsonl", "DISEASE_STOP"))


@cache
def _disease_modifiers() -> frozenset[str]:
    """Participles that do belong to a disease's name ('X-linked', 'relapsed')."""
    return frozenset(words("disease_words.jsonl", "DISEASE_MODIFIER"))


@cache
def _side_effect() -> re.Pattern[str]:
    """'to avoid graft-versus-host disease', 'reduces the risk of CRS': not indications."""
    cues = word_rx("disease_words.jsonl", "SIDE_EFFECT_CUE").pattern
    return re.compile(rf"(?:{cues})\s+(?:the\s+)?$", re.I)


def diseases_in(doc: DocState, s: Sentence, a: int, b: int) -> list[str]:
    """Disease names in [a, b) of a sentence: vocabulary first, then disease-head phrases."""
    if not _may_name_a_disease(doc, s):
        return []
    found: list[tuple[int, str]] = []
    taken: list[tuple[int, int]] = []
    blocked = [
        (sp.start, sp.end) for sp in doc.spans[s.idx] if sp.label in {"DESIGNATION", "REGULATOR"}
    ]
    text = doc.article.text
    for sp in doc.spans[s.idx]:
        if sp.label == "DISEASE" and a <= sp.start < b:
            name = doc.abbrev.get(sp.text) or sp.id
            st = a + _modifiers_start(text[a : sp.start], sp.start - a)
            if st < sp.start and name.lower() == sp.text.lower():
                name = text[st : sp.start] + name  # 'extensive-stage small cell' + 'lung cancer'
            found.append((st, name))
            taken.append((st, sp.end))
    for pos, short in doc.abbrev_hits(s) if doc.abbrev else ():
        long = doc.abbrev[short]
        st = s.start + pos
        if a <= st < b and not any(x <= st < y for x, y in taken) and disease_heads(long):
            found.append((st, long))
            taken.append((st, st + len(short)))
    seg = doc.article.text[a:b]
    phrases: list[tuple[int, int]] = []  # (start, end) in seg of each head's phrase
    for h_start, h_end in _heads_of(doc, s):
        h_start, h_end = h_start + s.start - a, h_end + s.start - a
        if h_start < 0 or h_end > len(seg):
            continue
        st = _modifiers_start(seg, h_start)
        if st == h_start and seg[st:h_end].lower() in _generic_heads():
            continue  # a bare 'disease' or 'cancers' names nothing ('glioblastoma' does)
        phrases.append((st, h_end))
    for st, end in phrases:
        # 'neuromyelitis' inside 'neuromyelitis optica spectrum disorder': the longer name
        if any(x <= st and end <= y and (x, y) != (st, end) for x, y in phrases):
            continue
        phrase = seg[st:end]
        st += a
        if any(x < st + len(phrase) and st < y for x, y in taken + blocked):
            continue
        if (s.headline or s.heading) and title_cased(s.text):
            phrase = _as_in_body(text, phrase, s.end)
        found.append((st, phrase))
        taken.append((st, st + len(phrase)))
    text_all = doc.article.text
    # 'to avoid graft-versus-host disease', 'reduces the risk of CRS': side effects, not indications
    found = [
        (st, name)
        for st, name in found
        if not _side_effect().search(text_all[max(0, st - 30) : st])
    ]
    out: list[str] = []
    names = [name for _, name in sorted(found)]
    for name in names:
        low = name.lower()
        if low in {o.lower() for o in out}:
            continue
        if any(
            low != n.lower() and re.search(rf"(?<!\w){re.escape(low)}(?!\w)", n.lower())
            for n in names
        ):
            continue  # 'acute lymphoblastic leukemia' inside 'T-cell acute lymphoblastic leukemia'
        out.append(name)
    return out


def _heads_of(doc: DocState, s: Sentence) -> list[tuple[int, int]]:
    """A sentence's disease heads, found once (every product and act then reads its part)."""
    heads = doc.disease_heads.get(s.idx)
    if heads is None:
        text = s.text
        if (s.headline or s.heading) and title_cased(text) and len(text.lower()) == len(text):
            text = text.lower()  # 'for Extremity Vascular Trauma': a headline's capitals
        heads = doc.disease_heads[s.idx] = disease_heads(text)
    return heads


def _as_in_body(text: str, phrase: str, after: int) -> str:
    """A Title Case headline's disease name as the body writes it, if the body repeats it."""
    at = text.lower().find(phrase.lower(), after)
    return text[at : at + len(phrase)] if at >= 0 else phrase


def disease_class(name: str) -> bool:
    """'a rare genetic disorder', 'blood cancers': a class of diseases, which names none."""
    return all(w in _class_words() for w in name.lower().split())


@cache
def _class_words() -> frozenset[str]:
    return frozenset(words("disease_words.jsonl", "CLASS_WORD"))


def title_cased(text: str) -> bool:
    """Most words of four letters or more start with a capital: a Title Case headline, whose
    capitals say nothing about names."""
    long = [w for w in _WORD_RUN.findall(text) if len(w) >= 4 and w[0].isalpha()]
    return len(long) >= 3 and sum(w[0].isupper() for w in long) >= 0.7 * len(long)


def _may_name_a_disease(doc: DocState, s: Sentence) -> bool:
    """Whether a sentence holds any disease word at all."""
    return (
        bool(_heads_of(doc, s))
        or any(sp.label == "DISEASE" for sp in doc.spans[s.idx])
        or bool(doc.abbrev and doc.abbrev_hits(s))
    )


def _modifiers_start(seg: str, head: int) -> int:
    """Walk back from a disease head over at most three modifier words ('X-linked severe')."""
    start = _walk_back(seg, head)
    both = _BOTH_BEFORE.search(seg, max(0, start - 40), start)
    return both.start() if both and start < head else start


_BOTH_BEFORE = re.compile(r"(?:relapsed|recurrent)\s+(?:or|and/or|and)\s+\Z")


def _word_before(seg: str, end: int) -> tuple[int, str] | None:
    """(start, word) of the word that spaces separate from `end`; a plain backward scan, not
    a regex anchored at the end (which would retry from every earlier position)."""
    j = end
    while j > 0 and seg[j - 1].isspace():
        j -= 1
    i = j
    while i > 0 and (seg[i - 1].isalnum() or seg[i - 1] in "_'’/.+-"):
        i -= 1
    if j == end or i == j:
        return None
    return i, seg[i:j]


def _walk_back(seg: str, head: int) -> int:
    start = head
    for _ in range(4):
        m = _word_before(seg, start)
        if not m or m[1].lower() in _disease_stop() or m[1][0].isdigit():
            break
        if (
            m[1].endswith(("ed", "ing", "ies"))
            and m[1].lower() not in _disease_modifiers()
            and "-" not in m[1]  # 'X-linked', 'limb-threatening', 'steroid-refractory'
        ):
            break
        start = m[0]
    return start


def read_mentions(doc: DocState) -> None:
    """Product names in every sentence, vocabulary spans in the sentences worth reading,
    and the abbreviations the document defines."""
    sentences = doc.frame.sentences
    nlp = shared_nlp()
    reject = reject_words()
    firms = _company_words(doc)
    studies: set[str] = set()
    for s in sentences:
        doc.products[s.idx] = (
            []
            if s.legal
            else [
                m
                for m in find_products(s.text, s.start, reject, studies)
                if m.kind == "code" or norm(m.name) not in firms
            ]
        )
    for s in sentences:
        if s.cells:
            extra = descriptive_product(s, doc.products[s.idx])
            if extra:
                doc.products[s.idx] = sorted([*doc.products[s.idx], extra], key=lambda m: m.start)
    _short_names(doc, reject)
    # capital letters joined by a hyphen ('TG-C') name a product where the text presents them
    # as one ('TG-C, the cell and gene therapy'); elsewhere they are too like 'CAR-T'
    text = doc.article.text
    letter_codes = []
    for name in _letter_codes(text):
        # 'CAR-T', 'BCMA-CAR', 'TCR-NK': vocabulary words joined name no product
        parts = [p for p in name.split("-") if len(p) > 1]
        if not (
            norm(name) in reject
            or all(norm(p) in reject for p in parts)
            or not _presented_as_product(text, name)
        ):
            letter_codes.append(name)
    mark_names(doc, letter_codes, "code")
    # a code the text also presents as a product ('Astellas' AT132', 'AT132, an AAV8-based
    # gene therapy') is the product its 'AT132 trial' tests, not a study's name
    studies = {x for x in studies if not _presented_as_product(doc.article.text, x)}
    if studies:
        # a study named anywhere is no product anywhere, nor are its sister studies
        # ('HGB-206 and HGB-210 studies' make 'HGB-207' a study too)
        names = {norm(x) for x in studies}
        families = {study_family(x) for x in studies if "-" in x}
        for s in sentences:
            doc.products[s.idx] = [
                m
                for m in doc.products[s.idx]
                if norm(m.name) not in names
                and not (m.kind == "code" and "-" in m.name and study_family(m.name) in families)
            ]
    # quotes, headings and boilerplate sections state no events and describe no product:
    # the vocabulary pass (the costly part) reads only the other sentences
    rescan_names(doc)
    known = {norm(m.name) for ms in doc.products.values() for m in ms}
    # product sentences and the two after them in their paragraph (anaphora: 'It is ...')
    near_product: set[int] = set()
    for s in sentences:
        if doc.products[s.idx]:
            near_product.update(x.idx for x in sentences[s.idx : s.idx + 3] if x.para == s.para)
    words = cue_words()
    intros = {s.table_intro for s in sentences if s.table_intro is not None}
    read = [
        s
        for s in sentences
        if (not s.heading or s.headline or s.idx in intros or doc.products[s.idx])
        and not s.quote
        and not s.legal
        and (not s.boilerplate or about_known(s, known))
        and (
            s.idx in near_product
            or about_known(s, known)
            or not words.isdisjoint(WORD.findall(s.text.lower()))
            or ANAPHOR_START.match(s.text)
        )
    ]
    for s in sentences:
        doc.spans[s.idx] = []
    doc.read = {s.idx for s in read}
    assign_spans(doc, chunks(read), nlp)
    if object_brands(doc, read, firms):
        rescan_names(doc)
    for s in sentences:
        if "(" in s.text:
            learn_abbreviations(s.text, doc.abbrev)
    for s in sentences:
        if any(sp.label == "ACTION" for sp in doc.spans[s.idx]):
            s.clause_breaks = clause_breaks(s, doc.spans[s.idx])  # others: found when needed


# 'TG-C', 'HEMO-CAR-T', 'ZEN-TIL': capitals joined by hyphens, no digit
_LETTER_CODE = re.compile(r"(?<![\w-])([A-Z]{2,6}(?:-[A-Z]{1,5}){1,2})(?![\w-])")
_HYPHEN_CAPITAL = re.compile(r"-[A-Z]")


def _letter_codes(text: str) -> set[str]:
    """What `_LETTER_CODE` finds, reached from each hyphen before a capital (a pattern that
    starts with a look-behind is tried at every character)."""
    out = set()
    for h in _HYPHEN_CAPITAL.finditer(text):
        i = h.start()
        while i > 0 and i > h.start() - 6 and "A" <= text[i - 1] <= "Z":
            i -= 1
        m = _LETTER_CODE.match(text, i)
        if m:
            out.add(m.group(1))
    return out


def _presented_as_product(text: str, name: str) -> bool:
    """Does the text present the name as a product: a possessive, a product noun or an
    apposition before or after it, or a preposition that takes a product? (Each place the
    name stands is looked at, not the whole text once per pattern.)"""
    owner_or_noun, preposition, after = _presentation()
    at = text.find(name)
    while at >= 0:
        end = at + len(name)
        whole = (at == 0 or not text[at - 1].isalnum()) and (
            end == len(text) or not text[end].isalnum()
        )
        window = max(0, at - 40)
        if whole and (
            owner_or_noun.search(text, window, at)
            or after.match(text, end, end + 40)
            or (preposition.search(text, window, at) and not _STUDY_NEXT.match(text, end, end + 20))
        ):
            return True
        at = text.find(name, end)
    return False


_STUDY_NEXT = re.compile(r"\s+(?:trial|study|studies)\b", re.I)


@cache
def _presentation() -> tuple[re.Pattern[str], re.Pattern[str], re.Pattern[str]]:
    """What stands before and after a name that presents it as a product: an owner or a
    product noun before it, a preposition that takes a product, an apposition after it."""
    nouns = alternation("grammar.jsonl", "PRODUCT_NOUN")
    return (
        re.compile(rf"(?:'s|’s|s'|s’|\b(?:{nouns}))\s+$"),
        re.compile(r"\b(?:of|with|for|to|dose)\s+$"),
        re.compile(r",\s+(?:an?|its|our|the)\s|\s+(?:is|was)\s+(?:an?|the|our|its)\s"),
    )


def _company_words(doc: DocState) -> set[str]:
    """Names of the companies a text presents (a legal name's first word, the announcer):
    'BioMarin®' in a trademark line is the company, not a product."""
    names = [*legal_names(doc.article.text), doc.frame.announcer or ""]
    out = set()
    for name in names:
        if name:
            out.add(norm(name))
            out.add(norm(name.split()[0]))
    return out


_CAPS_WORD = re.compile(r"[A-Z]{3,}")


def _short_names(doc: DocState, reject: Collection[str]) -> None:
    """'ELPIS Human Umbilical Cord Mesenchymal Stem Cell Injection' is 'ELPIS' where the text
    names it short ('ELPIS injection: ...'): a capitalized first word of a descriptive
    product name stands for the product wherever it stands alone."""
    shorts = {}
    for ms in doc.products.values():
        for m in ms:
            first = m.name.split()[0] if m.kind == "descriptive" and " " in m.name else ""
            if _CAPS_WORD.fullmatch(first) and norm(first) not in reject:
                shorts[first] = m.name
    mark_names(doc, list(shorts), "short")
    doc.short_names.update(shorts)


def descriptive_product(s: Sentence, found: list[ProductMention]) -> ProductMention | None:
    """A row's product cell that holds no code or brand names the product by its description
    ('Human iPSC-Derived Cardiomyocyte Injection'): that description, brackets left out."""
    c = cell(s, "product")
    if c is None or any(c.start <= m.start < c.end for m in found):
        return None
    name = re.sub(r"\s*[(\[][^()\[\]]*[)\]]\s*$", "", c.text).strip()  # a closing aside
    if len(name) < 3 or not any(ch.isalpha() for ch in name):
        return None
    return ProductMention(c.start, c.start + len(name), name, "descriptive")


def about_product(s: Sentence, doc: DocState, mention_of: dict[str, int]) -> bool:
    """'About CT041' sections describe the product itself: read them."""
    return about_known(s, mention_of.keys())


def about_known(s: Sentence, known: Collection[str]) -> bool:
    if not s.section or not s.section.lower().startswith("about"):
        return False
    return any(x in known for x in _heading_names(s.section))


@cache
def _heading_names(section: str) -> frozenset[str]:
    """Normalized one- to three-word spans of a heading, to compare with product names."""
    words = re.findall(r"[\w®™-]+", section)
    return frozenset(
        norm(" ".join(words[i:j]))
        for i in range(len(words))
        for j in range(i + 1, min(len(words), i + 3) + 1)
    )
