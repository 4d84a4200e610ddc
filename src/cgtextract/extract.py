"""Event assembly: cleaned article text in, validated regulatory events out.

The reading follows EXTRACTION.md: a document frame (sentences, sections, dateline),
mentions from the spaCy span ruler (regulators, designations, actions, targets,
modality cues, diseases) and from product-name shapes, product profiles collected over
the whole document, then one event per completed regulatory action in a sentence, with
the regulator, product, date and indications that belong to that action's clause.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass, field
from functools import cache

from spacy.language import Language
from spacy.tokens import Doc
from spacy.util import filter_spans

from cgtextract.dates import DateMention
from cgtextract.frame import (
    Frame,
    Sentence,
    build_frame,
    company_heads,
    strip_legal,
    subject_company,
)
from cgtextract.models import Article, Event
from cgtextract.products import COMMON_CAPS, ProductMention, alias_links, find_products, norm
from cgtextract.rules import SPANS_KEY, build_nlp, load_patterns, shared_nlp

# designations whose home agency is fixed (EXTRACTION.md, step 5)
HOME_REGULATOR = {
    "prime": "EMA",
    "rmat": "FDA",
    "fast_track": "FDA",
    "rare_pediatric_disease": "FDA",
    "sakigake": "MHLW",
    "innovation_passport": "MHRA",
    "promising_innovative_medicine": "MHRA",
}
# words that make the act before them not (yet) happen
_HEDGE = re.compile(
    r"\b(?:will|would|may|might|could|should|plans?|planned|planning|expects?|expected|"
    r"expecting|intends?|intended|aims?|aiming|anticipates?|anticipated|hopes?|seeks?|"
    r"seeking|potential(?:ly)?|possible|eligib\w*\s+for|qualif\w*|if|upcoming|future|apply|"
    r"applied|applying|requests?|requested|requesting|goal|on track|prepar\w*|not|no|never|"
    r"yet|routes?|path|pathway|towards?|unless|whether|once|pending|support|enable|"
    r"opinion|recommending|refus\w*|IRBs?|ethics|institutional|investigator-initiated)\b",
    re.I,
)
_HEDGE_AFTER = re.compile(
    r"\S*\s+(?:[\w-]+\s+){0,6}?(?:remains?|is|are|was|were)\s+(?:still\s+)?"
    r"(?:uncertain|unlikely|pending|not\s+yet|under\s+review|expected)\b",
    re.I,
)
_CLAUSE_BREAK = re.compile(
    r";|:\s|,\s+and\s+|,\s+but\s+|,\s+which\s+|,\s+while\s+|,\s+setting\s+|,?\s+after\s+|"
    r",\s+where\s+|,\s+although\s+|\s+now that\s+|\s+because\s+|,\s+when\s+|,\s+allowing\s+|"
    r",\s+following\s+|\s+—\s+|\s+--\s+|\s+and\s+(?=(?:the compan\w+|it|we|they|he|she|our)\s)"
)
_TRIAL_APPROVAL = re.compile(
    r"\s+(?:\w+\s+){0,2}?(?:for|of|to)\s+(?:the\s+|a\s+|its\s+)?(?:clinical\s+"
    r"(?:trials?|studies|study)|(?:begin|start|initiate|conduct|commence)\s+(?:a\s+|the\s+|its\s+)?"
    r"(?:Phase|clinical|first-in-human))",
    re.I,
)
_NOT_REGULATOR = re.compile(
    r"\b(?:ethics committees?|institutional review boards?|IRBs?|review boards?|data monitoring|"
    r"DSMB|board of directors|shareholders|hospital'?s?|investigator-initiated)\b",
    re.I,
)
_SEVERAL = re.compile(
    r"\b(?:several|multiple|many|various|numerous|other)\s+(?:countries|"
    r"jurisdictions|markets|regions)\b",
    re.I,
)
_ANAPHOR_ALL = re.compile(r"^(?:Both|The two|These|All (?:three|four|of these)|The three)\b")
_BACKFILL = re.compile(
    r"\b(?:decision|designation|approval|clearance|grant)\b[^.]{0,60}?"
    r"\b(?:was|were|is)\s+(?:taken|made|granted|issued|adopted|dated|effective)",
    re.I,
)
_RESTATED_DET = re.compile(r"\b(?:that|this|these|those|such)\s+$", re.I)
_GRANTED_INTRO = re.compile(
    r"\b(?:granted|received|awarded|obtained|holds?|has|have|earned|secured)\b", re.I
)
_ALSO = re.compile(r"\balso\b", re.I)
_ALSO_ANNOUNCED = re.compile(
    r"\b(?:also|further|additionally)\s+(?:announced|reported|said)\s+(?:today\s+)?that\s+"
    r"(?:\w+\s+){0,8}?(?:has|have)\s+(?:been\s+)?(?:granted|received|cleared|approved|accepted)",
    re.I,
)
_SAME_DAY = re.compile(r"\b(?:on\s+)?(?:the|that)\s+same\s+(?:day|date)\b|\bsimultaneously\b", re.I)
_PRONOUN_PRODUCT = re.compile(
    r"\b(?:the|this|that|its|our)\s+(?:drug|product|therapy|program|programme|candidate|"
    r"product candidate|treatment|medicine|injection|investigational therapy|gene therapy|"
    r"cell therapy)\b|\bit\b",
    re.I,
)
_MODAL_DESIG_CONTEXT = re.compile(
    r"\b(?:eligib\w*|apply|applied|request\w*|seek\w*)\s+(?:for\s+)?(?:an?\s+|the\s+)?$", re.I
)
_IN_VIVO = {
    "aav",
    "in_vivo_car",
    "mrna",
    "rna_therapy",
    "oncolytic_virus",
    "adenoviral",
    "lentiviral",
    "other_gene_therapy",
}
_GENE_MODALITIES = {
    "aav",
    "hsc_gene_therapy",
    "gene_editing",
    "lentiviral",
    "adenoviral",
    "other_gene_therapy",
    "rna_therapy",
    "mrna",
}
_DISEASE_HEAD = re.compile(
    r"\b(?:disease|diseases|syndrome|cancers?|tumou?rs|leukemias?|lymphomas?|myeloma|sarcomas?|"
    r"carcinomas?|adenocarcinoma|malignancies|dystrophy|atrophy|thalassemia|immunodeficiency|"
    r"deficiency|amyloidosis|anemia|hemophilia [AB]|burns|athymia|glioblastoma|melanoma|"
    r"neuroblastoma)\b"
)
_DISEASE_STOP = {
    "the",
    "a",
    "an",
    "of",
    "for",
    "with",
    "in",
    "and",
    "or",
    "to",
    "its",
    "their",
    "patients",
    "adults",
    "children",
    "people",
    "treatment",
    "treat",
    "who",
    "that",
    "which",
    "on",
    "from",
    "by",
    "as",
    "at",
    "is",
    "are",
    "has",
    "have",
    "such",
    "including",
    "other",
    "rare",
    "serious",
    "life-threatening",
    "this",
    "those",
    "these",
    "all",
    "was",
    "were",
    "be",
    "affected",
    "newly",
    "diagnosed",
    "advanced",
    "previously",
    "untreated",
    "third-line",
    "second-line",
    "avoid",
    "prevent",
    "preventing",
    "reduce",
    "reducing",
    "treating",
    "cause",
    "causing",
    "against",
    "risk",
    "called",
    "so-called",
    "like",
    "than",
}


@dataclass(frozen=True)
class Span:
    """A vocabulary mention with absolute offsets."""

    label: str
    id: str
    start: int
    end: int
    text: str


@dataclass
class Product:
    """One product (a cluster of names) and what the document says about it."""

    key: int
    names: list[str] = field(default_factory=list)
    first: int = 10**9
    cues: list[tuple[int, str]] = field(default_factory=list)
    targets: list[tuple[int, str]] = field(default_factory=list)
    genes: list[tuple[int, str]] = field(default_factory=list)
    diseases: list[list[str]] = field(default_factory=list)
    owner: str | None = None


@dataclass
class Cue:
    """A candidate event inside one sentence, before regulator/product/date are fixed."""

    kind: str  # designation value or event type
    event_type: str
    start: int
    end: int


@dataclass
class Draft:
    """An event under construction (not validated yet)."""

    product: int
    surface: str
    regulator: str
    event_type: str
    designation: str | None
    date: str | None
    precision: str | None
    own_date: bool
    sentence: Sentence
    indications: list[str]


class _Doc:
    """All per-article state of one extraction run."""

    def __init__(self, article: Article) -> None:
        self.article = article
        self.frame: Frame = build_frame(article.text, article.title, article.published)
        self.spans: dict[int, list[Span]] = {}
        self.products: dict[int, list[ProductMention]] = {}
        self.companies: dict[str, str] = {}
        self.abbrev: dict[str, str] = {}
        self._abbrev_hits: dict[int, list[tuple[int, str]]] = {}

    def abbrev_hits(self, s: Sentence) -> list[tuple[int, str]]:
        """Where the abbreviations this document defines occur in a sentence: (offset, short),
        leftmost first, the longer of two at one place (plain finds; no per-document regex)."""
        if s.idx in self._abbrev_hits:
            return self._abbrev_hits[s.idx]
        text = s.text
        hits: list[tuple[int, str]] = []
        for short in self.abbrev:
            pos = text.find(short)
            while pos >= 0:
                end = pos + len(short)
                if (pos == 0 or not _wordish(text[pos - 1])) and (
                    end == len(text) or not _wordish(text[end])
                ):
                    hits.append((pos, short))
                pos = text.find(short, pos + 1)
        hits.sort(key=lambda h: (h[0], -len(h[1])))
        out: list[tuple[int, str]] = []
        for pos, short in hits:
            if not out or pos >= out[-1][0] + len(out[-1][1]):
                out.append((pos, short))
        self._abbrev_hits[s.idx] = out
        return out


def _wordish(ch: str) -> bool:
    return ch.isalnum() or ch in "_-"


def extract(article: Article) -> list[Event]:
    """Read one article and return its events (SCHEMA.md), duplicates collapsed."""
    doc = _Doc(article)
    sentences = doc.frame.sentences
    nlp = shared_nlp()
    reject = _reject_words()
    for s in sentences:
        doc.products[s.idx] = find_products(s.text, s.start, reject)
    # quotes, headings and boilerplate sections state no events and describe no product:
    # the vocabulary pass (the costly part) reads only the other sentences
    _rescan_names(doc)
    known = {norm(m.name) for ms in doc.products.values() for m in ms}
    # product sentences and the two after them in their paragraph (anaphora: 'It is ...')
    near_product: set[int] = set()
    for s in sentences:
        if doc.products[s.idx]:
            near_product.update(x.idx for x in sentences[s.idx : s.idx + 3] if x.para == s.para)
    cue_words = _cue_words()
    read = [
        s
        for s in sentences
        if not s.heading
        and not s.quote
        and (not s.boilerplate or _about_known(s, known))
        and (
            s.idx in near_product
            or _about_known(s, known)
            or not cue_words.isdisjoint(_WORD.findall(s.text.lower()))
            or _ANAPHOR_START.match(s.text)
        )
    ]
    for s in sentences:
        doc.spans[s.idx] = []
    _assign_spans(doc, _chunks(read), nlp)
    if _object_brands(doc, read):
        _rescan_names(doc)
    for s in sentences:
        if "(" in s.text:
            _learn_abbreviations(s.text, doc.abbrev)
    products, mention_of = _cluster(doc)
    _profile(doc, products, mention_of)
    drafts = _events(doc, products, mention_of)
    return _finish(doc, products, drafts)


# ---------------------------------------------------------------- mentions


def _chunks(read: list[Sentence]) -> list[list[Sentence]]:
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


def _assign_spans(doc: _Doc, chunks: list[list[Sentence]], nlp: Language) -> None:
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


def _rescan_names(doc: _Doc) -> None:
    """A brand presented once ('Zolgensma®') is the same product wherever it recurs bare."""
    names = {m.name for ms in doc.products.values() for m in ms if m.kind in {"brand", "inn"}}
    if not names:
        return
    rx = re.compile(
        r"(?<![\w-])("
        + "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True))
        + r")(?![\w-])",
        re.I,
    )
    for s in doc.frame.sentences:
        have = doc.products[s.idx]
        extra = []
        for m in rx.finditer(s.text):
            st, en = s.start + m.start(), s.start + m.end()
            if not any(p.start < en and st < p.end for p in have):
                extra.append(ProductMention(st, en, m.group(1), "brand"))
        if extra:
            doc.products[s.idx] = sorted(have + extra, key=lambda p: p.start)


_OBJECT_BRAND = re.compile(
    r"\b(?:approved|approves|approval (?:of|for)|authori[sz]ed|authori[sz]ation (?:of|for)|"
    r"opinion (?:for|on)|cleared|launched)\s+(?:its\s+|the\s+)?([A-Z][a-z]{3,}[A-Za-z]*)\b"
)
_NOT_BRAND = {"Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"}


def _object_brands(doc: _Doc, read: list[Sentence]) -> bool:
    """'The TGA approved Yescarta', 'a positive opinion for Carvykti': a capitalized name
    that an approval acts on, and that no vocabulary knows, is a brand. True if any found."""
    found = False
    known = {m.name.lower() for ms in doc.products.values() for m in ms}
    company_words: set[str] | None = None  # read only when needed: naming them costs
    for s in read:
        for m in _OBJECT_BRAND.finditer(s.text):
            name = m.group(1)
            st, en = s.start + m.start(1), s.start + m.end(1)
            if name in COMMON_CAPS or name in _NOT_BRAND or name.lower() in known:
                continue
            if company_words is None:
                company_words = {
                    w.lower()
                    for who in [doc.frame.announcer or "", *doc.frame.para_announcer.values()]
                    for w in re.findall(r"[A-Z][\w-]+", who)
                }
            if (
                name.lower() in company_words
                or s.text[m.end(1) : m.end(1) + 2] in {"'s", "’s"}  # an owner: "approved X's Y"
                or s.text[m.end(1) : m.end(1) + 1] in {"'", "’"}
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


_ANAPHOR_START = re.compile(
    r"^(?:It|Its|This|These|Both|The (?:drug|therapy|product|candidate|program))\b"
)


_WORD = re.compile(r"\w[\w+/'’-]*(?:\.\w+)*")


@cache
def _cue_words() -> frozenset[str]:
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
            tokens = _WORD.findall(text.lower())
            if tokens:
                words.add(max(tokens, key=len))
    return frozenset(words)


@cache
def _reject_words() -> frozenset[str]:
    """Normalized vocabulary words that are never product names (genes, antigens, vectors)."""
    words: set[str] = set()
    for name in ("targets.jsonl", "modalities.jsonl", "regulators.jsonl", "diseases.jsonl"):
        for row in load_patterns(name):
            pat = row["pattern"]
            text = pat if isinstance(pat, str) else " ".join(str(t.get("TEXT", "")) for t in pat)
            words.add(norm(text))
    return frozenset(words)


def _learn_abbreviations(text: str, abbrev: dict[str, str]) -> None:
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


# ---------------------------------------------------------------- products


def _cluster(doc: _Doc) -> tuple[dict[int, Product], dict[str, int]]:
    """Group product names that the text presents as one product."""
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        while parent.setdefault(x, x) != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    def union(a: str, b: str) -> None:
        ra, rb = find(norm(a)), find(norm(b))
        if ra != rb:
            parent[rb] = ra

    surface: dict[str, str] = {}
    focus: ProductMention | None = None
    for s in doc.frame.sentences:
        ments = doc.products[s.idx]
        for m in ments:
            surface.setdefault(norm(m.name), m.name)
            find(norm(m.name))
        for a, b in alias_links(s.text, ments, s.start):
            union(a, b)
        # 'when the therapy was still known as bb2121': the anaphor is the focus product
        if focus is not None and ments and _PRONOUN_PRODUCT.search(s.text):
            for m in ments:
                before = s.text[: m.start - s.start]
                if (
                    re.search(
                        r"(?:known as|earlier name|brand name|formerly|previously)\s+$", before
                    )
                    and len({norm(x.name) for x in ments}) == 1
                ):
                    union(focus.name, m.name)
        if ments:
            focus = ments[-1]
    products: dict[int, Product] = {}
    mention_of: dict[str, int] = {}
    roots: dict[str, int] = {}
    for s in doc.frame.sentences:
        for m in doc.products[s.idx]:
            root = find(norm(m.name))
            key = roots.setdefault(root, len(roots))
            p = products.setdefault(key, Product(key))
            if m.name not in p.names and norm(m.name) not in {norm(n) for n in p.names}:
                p.names.append(m.name)
            if not s.heading:
                p.first = min(p.first, m.start)
            mention_of[norm(m.name)] = key
    return products, mention_of


def _segments(doc: _Doc, s: Sentence, mention_of: dict[str, int]) -> list[tuple[int, int, int]]:
    """Parts of a sentence that speak about each product: (product, start, end)."""
    ments = doc.products[s.idx]
    if not ments:
        return []
    text = doc.article.text
    # 'MB-107 and MB-207 are ...': coordinated names share what follows them
    groups: list[list[ProductMention]] = [[ments[0]]]
    for prev, m in zip(ments, ments[1:], strict=False):
        gap = text[prev.end : m.start]
        if re.fullmatch(r"\s*(?:,|and|,\s*and|&|or)\s*", gap):
            groups[-1].append(m)
        else:
            groups.append([m])
    out = []
    for i, group in enumerate(groups):
        start = s.start
        if i > 0:
            prev_end = groups[i - 1][-1].end
            gap = text[prev_end : group[0].start]
            cut = [m.end() for m in re.finditer(r",\s+(?:and\s+)?|;\s+|\s+and\s+", gap)]
            start = prev_end + cut[-1] if cut else group[0].start
        end = groups[i + 1][0].start if i + 1 < len(groups) else s.end
        for key in dict.fromkeys(mention_of[norm(m.name)] for m in group):
            out.append((key, start, end))
    return out


def _profile(doc: _Doc, products: dict[int, Product], mention_of: dict[str, int]) -> None:
    """Collect target, modality cues, owner and indications of every product."""
    focus: list[int] = []
    prev_keys: list[int] = []
    for s in doc.frame.sentences:
        if s.quote or (s.boilerplate and not _about_product(s, doc, mention_of)):
            continue
        segs = _segments(doc, s, mention_of)
        if not segs and not s.heading:
            if _ANAPHOR_ALL.match(s.text) and prev_keys:
                segs = [(k, s.start, s.end) for k in prev_keys]
            elif focus:
                segs = [(focus[-1], s.start, s.end)]
        keys_here = []
        for key, a, b in segs:
            p = products[key]
            keys_here.append(key)
            inside_names = [(m.start, m.end) for m in doc.products[s.idx]]
            for sp in doc.spans[s.idx]:
                if not (a <= sp.start < b) or any(x <= sp.start < y for x, y in inside_names):
                    continue
                if sp.label == "MODALITY":
                    p.cues.append((sp.start, sp.id))
                elif sp.label == "TARGET":
                    p.targets.append((_target_score(doc.article.text, sp), sp.id))
                    pair = _dual_target(doc, s, sp)
                    if pair:
                        p.targets.append((4, pair))
                elif sp.label == "GENE":
                    p.genes.append((_gene_score(doc.article.text, sp), sp.id))
            dis = _diseases(doc, s, a, b)
            if dis:
                p.diseases.append(dis)
            if p.owner is None:
                p.owner = _owner(doc.article.text[a:b], doc)
        if segs:
            focus = [segs[-1][0]]
            prev_keys = list(dict.fromkeys(k for k, _, _ in segs))


def _about_product(s: Sentence, doc: _Doc, mention_of: dict[str, int]) -> bool:
    """'About CT041' sections describe the product itself: read them."""
    return _about_known(s, mention_of.keys())


def _about_known(s: Sentence, known: Collection[str]) -> bool:
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


def _dual_target(doc: _Doc, s: Sentence, sp: Span) -> str | None:
    """'CD19/BCMA dual-targeting', 'targeting BCMA and CD19': two antigens, in the order written."""
    text = doc.article.text
    for other in doc.spans[s.idx]:
        if other.label != "TARGET" or other.start <= sp.start or other.id == sp.id:
            continue
        gap = text[sp.end : other.start]
        if gap.strip() == "/" or (
            gap.strip() == "and"
            and re.search(
                r"(?:targeting|against|directed (?:at|against))\s+$",
                text[max(0, sp.start - 25) : sp.start],
            )
        ):
            return f"{sp.id}/{other.id}"
        break
    return None


def _target_score(text: str, sp: Span) -> int:
    after = text[sp.end : sp.end + 30]
    before = text[max(0, sp.start - 30) : sp.start]
    if re.match(r"\s*(?:\)\s*)?(?:monoclonal\s+)?antibod", after) or re.match(
        r"-?\s*expressing", after
    ):
        return -5
    if re.match(
        r"\s*(?:-|\s)(?:directed|targeted|targeting|specific|positive|CAR|redirected)", after
    ) or re.search(
        r"(?:targeting|anti-|against|directed (?:at|against|to)|specific for|binder)\s*$", before
    ):
        return 3
    if re.match(r"\s*(?:\([^)]*\)\s*)?(?:-|\s)?(?:CAR|TCR|binder|-directed)", after):
        return 3
    return 1


def _gene_score(text: str, sp: Span) -> int:
    after = text[sp.end : sp.end + 25]
    if re.match(r"\s*(?:\([A-Z0-9]+\)\s*)?genes?\b", after) or re.match(r"\s*\)\s*gene\b", after):
        return 3
    if re.search(
        r"(?:encoding|copy of (?:the )?|copies of (?:a |the )?)\s*(?:modified |functional )?$",
        text[max(0, sp.start - 40) : sp.start],
    ):
        return 3
    return 1


def _owner(segment: str, doc: _Doc) -> str | None:
    """'developed by Belief BioMed', 'the CAR-T therapy from Bristol Myers Squibb (BMS)'."""
    if " by " not in segment and " from " not in segment:
        return None
    m = re.search(
        r"(?:developed|manufactured|discovered)\s+(?:independently\s+)?by\s+"
        r"((?:[A-Z][\w&.-]*\s?){1,4})",
        segment,
    )
    if not m:
        m = re.search(
            r"\b(?:therapy|product|candidate|treatment|drug)\s+from\s+"
            r"((?:[A-Z][\w&.-]*\s?){1,4})(?:\s*\(|\s+and\b|,)",
            segment,
        )
    if m:
        return _expand_company(strip_legal(m.group(1).strip()), doc)
    return None


def _possessive_owner(mention: ProductMention, s: Sentence, doc: _Doc) -> str | None:
    """'Curocell's anbalcabtagene autoleucel', 'BMS' CD19-directed CAR-T therapy Breyanzi'."""
    before = s.text[: mention.start - s.start]
    m = re.search(
        r"((?:[A-Z][\w&.-]*\s){0,3}[A-Za-z][\w&.-]*)(?:'s|’s|(?<=[sS])'|(?<=[sS])’)\s+"
        r"(?:self-developed\s+|own\s+|investigational\s+|lead\s+)?(?:[\w-]+\s+){0,5}$",
        before,
    )
    generic = {"company", "group", "partner", "agency", "firm", "drugmaker", "biotech", "sponsor"}
    if (
        m
        and any(c.isupper() for c in m.group(1))
        and m.group(1).lower() not in generic
        and not m.group(1).lower().startswith(("it", "the ", "a "))
    ):
        return _expand_company(strip_legal(m.group(1)), doc)
    return None


def _expand_company(name: str, doc: _Doc) -> str:
    """A short name ('iRegene', 'BMS') as the text gives it in full ('iRegene Therapeutics')."""
    if name in doc.companies:
        return doc.companies[name]
    text = doc.article.text
    full = doc.abbrev.get(name, name)
    best = full
    heads = _heads_rx()
    pos = text.find(full)
    while pos >= 0:
        m = heads.match(text, pos + len(full))
        if (
            m
            and (pos == 0 or not text[pos - 1].isalnum())
            and len(full) + len(m.group()) > len(best)
        ):
            best = full + m.group()
        pos = text.find(full, pos + 1)
    doc.companies[name] = best
    return best


@cache
def _heads_rx() -> re.Pattern[str]:
    """Company-name head words following a short name: ' Therapeutics', ' Bio Inc'."""
    alternation = "|".join(re.escape(h) for h in company_heads())
    return re.compile(rf"(?:[ \t]+(?:{alternation}))+\b")


# ---------------------------------------------------------------- diseases


def _diseases(doc: _Doc, s: Sentence, a: int, b: int) -> list[str]:
    """Disease names in [a, b) of a sentence: vocabulary first, then disease-head phrases."""
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
        if a <= st < b and not any(x <= st < y for x, y in taken) and _DISEASE_HEAD.search(long):
            found.append((st, long))
            taken.append((st, st + len(short)))
    seg = doc.article.text[a:b]
    for m in _DISEASE_HEAD.finditer(seg):
        st = _modifiers_start(seg, m.start())
        phrase = seg[st : m.end()]
        if st == m.start():
            continue  # a bare 'disease' or 'cancers' names nothing
        st += a
        if any(x < st + len(phrase) and st < y for x, y in taken + blocked):
            continue
        found.append((st, phrase))
        taken.append((st, st + len(phrase)))
    text_all = doc.article.text
    # 'to avoid graft-versus-host disease', 'reduces the risk of CRS': side effects, not indications
    found = [
        (st, name)
        for st, name in found
        if not re.search(
            r"(?:avoid|prevent|risk of|reduc\w+|toxicit\w+ such as)\s+(?:the\s+)?$",
            text_all[max(0, st - 30) : st],
        )
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


# ---------------------------------------------------------------- events


def _cues(doc: _Doc, s: Sentence) -> list[Cue]:
    """Completed regulatory acts in a sentence (assertion filtering included)."""
    spans = doc.spans[s.idx]
    text = s.text
    cues: list[Cue] = []
    actions = [sp for sp in spans if sp.label == "ACTION"]
    docs_ = [sp for sp in spans if sp.label == "DOCTYPE"]
    desigs = [sp for sp in spans if sp.label == "DESIGNATION"]
    for d in desigs:
        lo, hi = _clause(s, d.start)
        holds = bool(
            re.search(
                r"\b(?:has|have|holds|hold|had|with)\b", s.text[lo - s.start : d.start - s.start]
            )
        )
        # a list item under 'has previously been granted the following designations:'
        holds = holds or bool(s.intro and _GRANTED_INTRO.search(s.intro))
        if not holds and not any(
            lo - 40 <= a.start < hi + 40 and a.id in {"grant", "accept"} for a in actions
        ):
            continue
        if _MODAL_DESIG_CONTEXT.search(text[: d.start - s.start]):
            continue
        if _hedged(s, d.start, actions):
            continue
        if cues and cues[-1].kind == d.id and d.start - cues[-1].end < 25:
            continue  # 'Breakthrough Therapy Designation (BTD)'
        cues.append(Cue(d.id, "designation", d.start, d.end))
    desig_ranges = [(d.start, d.end) for d in desigs]
    for a in actions:
        if a.id == "grant":
            kind = None
            if any(dc.id == "crl" for dc in docs_):
                kind = "crl"
        else:
            kind = _action_kind(doc, s, a, docs_, desig_ranges)
        if kind is None:
            continue
        if _hedged(s, a.start, actions) or _SEVERAL.search(text):
            continue
        lo, hi = _clause(s, a.start)
        if _NOT_REGULATOR.search(doc.article.text[lo:hi]):
            continue  # an ethics committee or IRB approving a study is not a regulator's act
        if a.text.lower().endswith(("ance", "ion", "ing", "al")) and _RESTATED_DET.search(
            text[: a.start - s.start]
        ):
            continue
        if a.start - s.start < 12 and re.match(
            r"^(?:The|This|That)\s+\w+(?:ing|ance|ion|al)\b", text
        ):
            continue  # 'The lifting of the holds comes as ...' restates an act already told
        if _nominal(a) and not _named_in_clause(doc, s, a):
            continue  # 'Approval of allogeneic products remains ...': no agency, no product
        if any(
            c.kind == kind
            and _clause(s, c.start) == _clause(s, a.start)
            and not _agency_between(spans, c.end, a.start)
            for c in cues
        ):
            continue
        cues.append(Cue(kind, kind, a.start, a.end))
    for dc in docs_:
        if (
            dc.text.lower().startswith("clinical trial approval")
            and not any(c.kind == "ind_clearance" for c in cues)
            and not _hedged(s, dc.start, actions)
            and not _SEVERAL.search(text)
        ):
            cues.append(Cue("ind_clearance", "ind_clearance", dc.start, dc.end))
    return sorted(cues, key=lambda c: c.start)


def _vague(doc: _Doc, s: Sentence) -> bool:
    """Neither a product, nor an agency, nor an anaphor: a general statement, not an event."""
    return (
        not doc.products[s.idx]
        and not any(sp.label in {"REGULATOR", "COUNTRY"} for sp in doc.spans[s.idx])
        and not _PRONOUN_PRODUCT.search(s.text)
        and not re.search(r"\bthe (?:agency|regulator)\b", s.text, re.I)
    )


def _nominal(a: Span) -> bool:
    """An act named by a noun ('approval', 'clearance') rather than a verb."""
    return bool(re.search(r"(?:al|ance|ion|ions|als)$", a.text.lower()))


def _named_in_clause(doc: _Doc, s: Sentence, a: Span) -> bool:
    """A nominal act counts when its clause names the agency or the product."""
    lo, hi = _clause(s, a.start)
    if any(sp.label in {"REGULATOR", "COUNTRY"} and lo <= sp.start < hi for sp in doc.spans[s.idx]):
        return True
    if any(lo <= m.start < hi for m in doc.products[s.idx]):
        return True
    return bool(
        re.search(
            r"\b(?:the agency|the regulator|its|the drug|the therapy)\b",
            doc.article.text[lo:hi],
            re.I,
        )
    )


def _agency_between(spans: list[Span], lo: int, hi: int) -> bool:
    """'the FDA approval ... and the UK MHRA authorisation': two acts of one kind, two agencies."""
    return any(sp.label in {"REGULATOR", "COUNTRY"} and lo <= sp.start < hi for sp in spans)


def _action_kind(
    doc: _Doc, s: Sentence, a: Span, docs_: list[Span], desig_ranges: list[tuple[int, int]]
) -> str | None:
    """Which event an action word denotes, from the document types in its clause."""
    lo, hi = _clause(s, a.start)
    near = [dc for dc in docs_ if lo - 60 <= dc.start <= hi + 10]
    kinds = {dc.id for dc in near}
    if not kinds:
        kinds = _previous_doctypes(doc, s)
    act = a.id
    regs = [sp for sp in doc.spans[s.idx] if sp.label in {"REGULATOR", "COUNTRY"}]
    china = any(r.id == "NMPA" for r in regs)
    if (
        act in {"lift", "place"}
        and "hold" not in kinds
        and re.search(
            r"\b(?:it|the hold|the clinical hold)\s+(?:was|had been|has been)\s+$",
            s.text[: a.start - s.start],
        )
    ):
        # '... lifted the clinical hold in November, two months after it was imposed'
        kinds = kinds | {dc.id for dc in docs_ if dc.id == "hold"}
    if act == "lift":
        return "clinical_hold_lift" if "hold" in kinds else None
    if act == "place":
        if "hold" in kinds:
            return "clinical_hold"
        return "crl" if "crl" in kinds else None
    if "hold" in kinds and act in {"approve", "clear", "accept", "submit"}:
        kinds = kinds - {"hold"}
    if act == "submit":
        if kinds & {"ind", "cta"}:
            return "ind_submission"
        if kinds & {"marketing", "application"}:
            return "marketing_submission"
        return None
    if act == "accept":
        if not near and any(lo <= x <= hi for x, _ in desig_ranges):
            return None  # 'accepted into the PRIME scheme' is the designation itself
        if kinds & {"ind", "cta"}:
            return "ind_submission" if china else "ind_clearance"
        if kinds & {"marketing", "application"}:
            return "marketing_acceptance"
        return None
    if act == "clear":
        return "ind_clearance"
    if act == "effective":  # 'the CTN became effective': a notification scheme lets the trial start
        return "ind_clearance" if kinds & {"ind", "cta"} else None
    if act == "approve":
        if any(lo <= x <= hi for x, _ in desig_ranges):
            return None
        if kinds & {"ind", "cta"}:
            return "ind_clearance"
        if _TRIAL_APPROVAL.match(doc.article.text, a.end, hi):
            return "ind_clearance"  # 'approval for clinical trials', 'approved to start a trial'

        if a.text.lower() == "in place":
            return None
        return "approval"
    return None


def _previous_doctypes(doc: _Doc, s: Sentence) -> set[str]:
    """'That acceptance followed an earlier submission': the application named just before."""
    prev = [x for x in doc.frame.sentences if x.para in (s.para, s.para - 1) and x.idx < s.idx]
    for x in reversed(prev[-2:]):
        kinds = {
            sp.id
            for sp in doc.spans[x.idx]
            if sp.label == "DOCTYPE" and sp.id in {"ind", "cta", "marketing"}
        }
        if kinds:
            return kinds
    return set()


def _clause(s: Sentence, pos: int) -> tuple[int, int]:
    """Absolute bounds of the clause around `pos`."""
    rel = pos - s.start
    lo, hi = 0, len(s.text)
    if s.clause_breaks is None:
        s.clause_breaks = [(m.start(), m.end()) for m in _CLAUSE_BREAK.finditer(s.text)]
    for b_start, b_end in s.clause_breaks:
        if b_end <= rel:
            lo = b_end
        elif b_start >= rel:
            hi = b_start
            break
    return s.start + lo, s.start + hi


def _hedged(s: Sentence, pos: int, actions: list[Span]) -> bool:
    """A future, modal, conditional, negated or requested act: not an event."""
    lo, hi = _clause(s, pos)
    if _HEDGE_AFTER.match(s.text, pos - s.start, hi - s.start):
        return True  # 'Approval of allogeneic products remains uncertain'
    w_lo, w_hi = lo - s.start, pos - s.start
    window = s.text[w_lo:w_hi]
    for d in reversed(s.dates):  # 'In May 2020' is a date, not a modal
        if w_lo <= d.start and d.end <= w_hi:
            window = window[: d.start - w_lo] + " DATE " + window[d.end - w_lo :]
    words = window.split()
    if s.text.lstrip().lower().startswith(("if ", "when ", "once ", "should ", "upon ")):
        return True
    return bool(_HEDGE.search(" ".join(words[-8:])))


def _regulators(doc: _Doc, s: Sentence, cue: Cue) -> list[str]:
    """The agency (or agencies) that did this act."""
    spans = doc.spans[s.idx]
    lo, hi = _clause(s, cue.start)
    regs = [sp for sp in spans if sp.label == "REGULATOR"]
    if cue.kind == "prime":
        return ["EMA"]
    if cue.kind in HOME_REGULATOR and not any(lo <= r.start < hi for r in regs):
        return [HOME_REGULATOR[cue.kind]]
    pool = [r for r in regs if lo <= r.start < hi] or regs
    if not pool:
        countries = [c for c in spans if c.label == "COUNTRY" and lo <= c.start < hi]
        countries = countries or [c for c in spans if c.label == "COUNTRY"]
        pool = countries
    if not pool:
        prev = _previous_regulator(doc, s)
        return [prev] if prev else []
    best = min(
        pool,
        key=lambda r: (
            abs(r.start - cue.start) if r.start < cue.start else abs(r.start - cue.end) * 0.8
        ),
    )
    chosen = [best]
    for r in pool:
        if r is best or r.id == best.id:
            continue
        lo_, hi_ = sorted((r, best), key=lambda x: x.start)
        gap = doc.article.text[lo_.end : hi_.start]
        if re.fullmatch(r"\s*(?:\([^)]*\))?\s*(?:,|and|&|, and)\s+(?:the\s+|in\s+)?", gap):
            chosen.append(r)
    codes = []
    for r in chosen:
        code = _regulator_code(r, cue)
        if code not in codes:
            codes.append(code)
    return codes


def _regulator_code(r: Span, cue: Cue) -> str:
    if (
        r.label == "COUNTRY"
        and r.id == "EC"
        and cue.event_type == "designation"
        and cue.kind != "orphan_drug"
    ):
        return "EMA"
    return r.id


def _previous_regulator(doc: _Doc, s: Sentence) -> str | None:
    """'The agency had already granted ...': the agency named last before this sentence."""
    for x in reversed(doc.frame.sentences[: s.idx]):
        if x.para < s.para - 3:
            break
        regs = [sp for sp in doc.spans[x.idx] if sp.label == "REGULATOR"]
        if regs:
            return regs[-1].id
    return None


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
    for _ in range(3):
        m = _word_before(seg, start)
        if not m or m[1].lower() in _DISEASE_STOP or m[1][0].isdigit():
            break
        if m[1].endswith(("ed", "ing", "ies")) and m[1].lower() not in {
            "linked",
            "related",
            "associated",
            "advanced",
            "refractory",
            "relapsed",
            "inherited",
            "acquired",
            "transfusion-dependent",
        }:
            break
        start = m[0]
    return start


def _events(doc: _Doc, products: dict[int, Product], mention_of: dict[str, int]) -> list[Draft]:
    drafts: list[Draft] = []
    focus: int | None = None
    context: tuple[str, str, str] | None = (
        None  # (event_type, date, precision) of a summary sentence
    )
    for s in doc.frame.sentences:
        ments = doc.products[s.idx]
        skip = s.heading or s.quote or (s.boilerplate and not _about_product(s, doc, mention_of))
        if skip:
            if ments and not s.heading:
                focus = mention_of[norm(ments[-1].name)]
            continue
        cues = _cues(doc, s)
        made = 0
        vague = bool(cues) and _vague(doc, s)
        for cue in cues:
            targets = [] if vague else _cue_products(doc, s, cue, mention_of, products, focus)
            if not targets:
                when = _cue_date(doc, s, cue, cues)
                if when and when[2]:
                    context = (cue.event_type, when[0], when[1])
                continue
            regs = _regulators(doc, s, cue)
            when = _cue_date(doc, s, cue, cues)
            date_, prec, own = when if when else (None, None, False)
            if date_ is None and drafts and _SAME_DAY.search(s.text):
                # 'on the same day': the date of the act told just before, as its own
                date_, prec, own = drafts[-1].date, drafts[-1].precision, True
            if date_ is None and context and context[0] == cue.event_type:
                date_, prec = context[1], context[2]
            if (
                date_ is None
                and _ALSO.search(s.text)
                and drafts
                and drafts[-1].sentence.idx >= s.idx - 2
            ):
                date_, prec = drafts[-1].date, drafts[-1].precision
            for key, surface, at in targets:
                ind = _event_indications(doc, s, cue, key, at, mention_of) or next(
                    iter(products[key].diseases), []
                )
                for reg in regs:
                    drafts.append(
                        Draft(
                            key,
                            surface,
                            reg,
                            cue.event_type,
                            cue.kind if cue.event_type == "designation" else None,
                            date_,
                            prec,
                            own,
                            s,
                            ind,
                        )
                    )
                    made += 1
        if not cues and drafts and _BACKFILL.search(s.text):
            _backfill(doc, s, drafts)
        if ments:
            focus = mention_of[norm(ments[-1].name)]
        if made:
            context = None
    if doc.frame.period:
        for d in drafts:
            if d.date is None and re.search(
                r"\b(?:received|announced|obtained|won|secured)\b", d.sentence.text
            ):
                d.date, d.precision = doc.frame.period
    return drafts


def _event_indications(
    doc: _Doc, s: Sentence, cue: Cue, key: int, at: int | None, mention_of: dict[str, int]
) -> list[str]:
    """Diseases the act is for: from the act (or the product's name) to the end of that
    product's part of the sentence; a company's self-description before it does not count."""
    if at is None:
        lo, _ = _clause(s, cue.start)
        return _diseases(doc, s, lo, s.end)
    lo, end = min(at, cue.start), s.end
    for k, a, b in _segments(doc, s, mention_of):
        if k == key and a <= at < b:
            lo, end = (a if a > cue.start else lo), b
            break
    return _diseases(doc, s, lo, end)


def _backfill(doc: _Doc, s: Sentence, drafts: list[Draft]) -> None:
    """'the EC decision was taken on 21 August 2020' dates the event just reported."""
    regs = {sp.id for sp in doc.spans[s.idx] if sp.label == "REGULATOR"}
    anchor = doc.frame.anchor(s.para, s.start)
    for dm in s.dates:
        r = dm.resolve(anchor)
        if not r:
            continue
        for d in reversed(drafts):
            if d.sentence.idx < s.idx - 2:
                break
            if d.date is None and (not regs or d.regulator in regs):
                d.date, d.precision, d.own_date = r[0], r[1], True
                return


def _cue_products(
    doc: _Doc,
    s: Sentence,
    cue: Cue,
    mention_of: dict[str, int],
    products: dict[int, Product],
    focus: int | None,
) -> list[tuple[int, str, int | None]]:
    """Which product(s) the act is about: the nearest named in the clause, else the focus."""
    ments = doc.products[s.idx]
    lo, hi = _clause(s, cue.start)
    if ments:
        in_clause = [m for m in ments if lo <= m.start < hi]
        pool = in_clause or ments
        # coordinated objects: 'approved A (...) for X, and B (...) for Y' handled by one cue each
        best = min(
            pool,
            key=lambda m: (
                abs(m.start - cue.start) if m.start > cue.start else abs(cue.start - m.end) * 1.2
            ),
        )
        chosen = [best]
        key = mention_of[norm(best.name)]
        between = s.text[best.end - s.start : cue.start - s.start] if best.end <= cue.start else ""
        if re.search(r"\b(?:were|have been|are|both|each|all)\b", between):
            # 'X, ..., and Y, ..., were each granted Fast Track': every subject before the act
            seen_keys = {key}
            for m in ments:
                k = mention_of[norm(m.name)]
                if k not in seen_keys and m.end <= cue.start and m.kind != "short_inn":
                    seen_keys.add(k)
                    chosen.append(m)
        if cue.event_type == "approval":
            # 'approved A (...) for X, and B (...) for Y': every product listed after the act
            later = [c.start for c in _cues(doc, s) if c.start > cue.start]
            stop = min(later, default=s.end)
            seen = {key}
            for m in ments:
                k = mention_of[norm(m.name)]
                if k not in seen and cue.start < m.start < stop and m.kind != "short_inn":
                    seen.add(k)
                    chosen.append(m)
        return [(mention_of[norm(m.name)], m.name, m.start) for m in chosen]
    diseases = [d.lower() for d in _diseases(doc, s, s.start, s.end)]
    if diseases:
        hits = []
        for key, p in products.items():
            names = {x.lower() for group in p.diseases for x in group}
            if names & set(diseases):
                hits.append(key)
        if hits and (
            len(hits) == 1
            or re.search(r"\b(?:therapies|studies|programs|products|trials)\b", s.text)
        ):
            return [(k, _display(products[k]), None) for k in hits]
    if focus is not None:
        return [(focus, _display(products[focus]), None)]
    return []


def _display(p: Product) -> str:
    codes = [n for n in p.names if re.search(r"\d", n)]
    return codes[0] if codes else p.names[0]


def _cue_date(doc: _Doc, s: Sentence, cue: Cue, cues: list[Cue]) -> tuple[str, str, bool] | None:
    """The date of this act: its own clause's, else the sentence's lead date, else 'today'."""
    dates = s.dates
    lo, hi = _clause(s, cue.start)
    rel_cue = cue.start - s.start

    def ok(d: DateMention) -> tuple[str, str] | None:
        # anchored to the nearest full date before it: the sentence's own, the paragraph's,
        # else the dateline or publication date
        return (
            d.resolve(None)
            if d.absolute
            else d.resolve(doc.frame.anchor(s.para, s.start + d.start))
        )

    # the first date after the act in its clause: 'granted ... on December 22'
    after = [d for d in dates if rel_cue <= d.start and s.start + d.start < hi]
    for d in after:
        r = ok(d)
        if r and not _is_target_date(s.text, d):
            return r[0], r[1], True
    before = [d for d in dates if d.end <= rel_cue and s.start + d.start >= lo]
    for d in reversed(before):
        r = ok(d)
        if r and not _is_target_date(s.text, d):
            return r[0], r[1], True
    lead = [d for d in dates if d.start < 30 or (s.lead and d.start < 160)]
    for d in lead:
        r = ok(d)
        if r:
            return r[0], r[1], True
    if re.search(r"\btoday\b", s.text, re.I) and (doc.frame.announced or doc.frame.published):
        day = doc.frame.announced or doc.frame.published
        assert day is not None
        return day.isoformat(), "day", True
    if doc.frame.announced and _ALSO_ANNOUNCED.search(s.text):
        # 'X also announced that the FDA has granted ...' in a dated release: the same day
        return doc.frame.announced.isoformat(), "day", True
    return None


def _is_target_date(text: str, d: DateMention) -> bool:
    """'a target action date of March 27, 2021' or a PDUFA date is not when anything happened."""
    return bool(
        re.search(
            r"(?:action date|PDUFA|goal date|target date|cutoff)\D{0,20}$", text[: d.start], re.I
        )
    )


# ---------------------------------------------------------------- output


def _modality(p: Product) -> tuple[str | None, bool | None]:
    cls = {c for _, c in p.cues}
    cell_words = {
        "ipsc",
        "nk",
        "tcell",
        "til",
        "treg",
        "macrophage",
        "msc",
        "vst",
        "car",
        "tcr",
        "car_nk",
    }
    if "in_vivo_car" in cls:
        mod = "in_vivo_car"
    elif "macrophage" in cls:
        mod = "macrophage"  # CAR-M: an engineered receptor on a macrophage
    elif "car_nk" in cls or ("car" in cls and "nk" in cls and "tcell" not in cls):
        mod = "car_nk"
    elif "car" in cls:
        mod = "car_t"
    elif "tcr" in cls:
        mod = "tcr_t"
    elif "edit" in cls and not (cls & cell_words):
        mod = "gene_editing"
    elif "hsc" in cls and cls & {"genemod", "edit"}:
        mod = "hsc_gene_therapy"
    elif "aav" in cls:
        mod = "aav"
    elif "adeno" in cls:
        mod = "adenoviral"
    elif "oncolytic" in cls:
        mod = "oncolytic_virus"
    elif "mrna" in cls and "edit" not in cls:
        mod = "mrna"
    elif "rna" in cls:
        mod = "rna_therapy"
    elif "ipsc" in cls:
        mod = "ipsc_derived"
    elif "vst" in cls:
        mod = "t_cell_other"
    elif "til" in cls:
        mod = "til"
    elif "nk" in cls:
        mod = "nk_cell"
    elif "treg" in cls:
        mod = "treg"
    elif "msc" in cls:
        mod = "msc"
    elif "vst" in cls:
        mod = "t_cell_other"
    elif cls & {"stem", "esc"}:
        mod = "stem_cell_other"
    elif "othercell" in cls or "tcell" in cls:
        mod = "other_cell_therapy"
    elif "genemod" in cls:
        mod = "other_gene_therapy"
    else:
        mod = None
    allo: bool | None = None
    if mod not in _IN_VIVO and not (mod == "gene_editing" and "hsc" not in cls):
        order = [c for _, c in sorted(p.cues) if c in {"allo", "auto"}]
        if order:
            allo = (
                order.count("allo") >= order.count("auto")
                if order.count("allo") != order.count("auto")
                else order[0] == "allo"
            )
    return mod, allo


def _target(p: Product, modality: str | None) -> str | None:
    """The gene for gene therapies and editing; else the antigen a binding phrase names."""
    pool = p.genes if modality in _GENE_MODALITIES else [t for t in p.targets if t[0] > 0]
    if not pool:
        return None
    best = max(pool, key=lambda t: t[0])
    return best[1] if best[0] > 0 else None


def _company(doc: _Doc, p: Product) -> str | None:
    frame = doc.frame
    first = next((s for s in frame.sentences if s.start <= p.first < s.end + 1), None)
    if first is not None:
        # "Curocell's anbalcabtagene autoleucel": an owner named where the product first appears
        for m in doc.products[first.idx]:
            if norm(m.name) in {norm(n) for n in p.names}:
                who = _possessive_owner(m, first, doc)
                if who:
                    return who
                break
    if frame.announcer:
        return frame.announcer  # the dateline names the announcer in full
    if p.owner:
        return p.owner
    names = {norm(n) for pr in products_names(doc) for n in pr}
    if first is not None:
        # 'Cellectis announced that the FDA placed a clinical hold on UCART22'
        who = subject_company(first.text)
        if (
            who
            and not any(norm(w) in names for w in re.findall(r"[\w-]+", who))
            and not _is_agency(doc, who)
        ):
            return _expand_company(who, doc)
    announcers = [
        (para, who)
        for para, who in sorted(frame.para_announcer.items())
        if not any(norm(w) in names for w in re.findall(r"[\w-]+", who))
    ]
    if first is not None:
        # the announcer of the product's paragraph, else the latest one before it
        before = [who for para, who in announcers if para <= first.para]
        if before:
            return _expand_company(before[-1], doc)
    return _expand_company(announcers[0][1], doc) if announcers else None


def _is_agency(doc: _Doc, name: str) -> bool:
    """True when a would-be company is a regulator ('The FDA', 'Health Canada')."""
    sdoc = build_nlp()(name)
    return any(sp.label_ in {"REGULATOR", "COUNTRY"} for sp in sdoc.spans[SPANS_KEY])


def products_names(doc: _Doc) -> list[list[str]]:
    """Every product name found in the document, sentence by sentence."""
    return [[m.name for m in ms] for ms in doc.products.values()]


def _finish(doc: _Doc, products: dict[int, Product], drafts: list[Draft]) -> list[Event]:
    """Merge restatements, attach product profiles, validate."""
    groups: dict[tuple[int, str, str], list[Draft]] = defaultdict(list)
    for d in drafts:
        groups[(d.product, d.regulator, d.designation or d.event_type)].append(d)
    events: list[Event] = []
    profiles: dict[int, tuple[str | None, bool | None, str | None, str | None]] = {}
    for key, p in products.items():
        mod, allo = _modality(p)
        profiles[key] = (mod, allo, _target(p, mod), _company(doc, p))
    for (key, reg, _kind), group in groups.items():
        dated = [d for d in group if d.date and d.own_date]
        keep: list[Draft] = []
        by_date: dict[str, Draft] = {}
        for d in dated:
            by_date.setdefault(d.date or "", d)
        keep = list(by_date.values()) or [
            max(group, key=lambda d: (d.date is not None, -d.sentence.idx))
        ]
        for d in keep:
            # the same grant told twice with its own date (three Fast Track designations on one
            # day for three diseases) unites its indications; a restatement only fills a gap
            inds: list[str] = []
            same_day = [d] + [x for x in group if x is not d and x.own_date and x.date == d.date]
            restated = [
                x for x in group if x not in same_day and (x.date is None or x.date == d.date)
            ]
            for g in same_day + ([] if any(x.indications for x in same_day) else restated):
                for i in g.indications:
                    if i.lower() not in {x.lower() for x in inds}:
                        inds.append(i)
                if inds and g not in same_day:
                    break
            mod, allo, target, company = profiles[key]
            p = products[key]
            aliases = [n for n in p.names if norm(n) != norm(d.surface)]
            # validation turns the plain values into the vocabularies' enums (and rejects
            # anything outside them)
            events.append(
                Event.model_validate(
                    {
                        "source": doc.article.source,
                        "company": company,
                        "product": d.surface,
                        "product_aliases": aliases,
                        "target": target,
                        "modality": mod,
                        "allogeneic": allo,
                        "regulator": reg,
                        "event_type": d.event_type,
                        "designation": d.designation,
                        "date": d.date,
                        "date_precision": d.precision,
                        "indications": inds,
                        "evidence": d.sentence.text,
                        "published": doc.article.published,
                        "evidence_start": d.sentence.start,
                        "evidence_end": d.sentence.end,
                    }
                )
            )
    events.sort(key=lambda e: e.evidence_start or 0)
    return events
