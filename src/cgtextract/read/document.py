"""The per-article state the reading stages share: vocabulary spans, products, cues, drafts."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

from cgtextract.models import Article
from cgtextract.read.layout import (
    Frame,
    Sentence,
    build_frame,
)
from cgtextract.read.products import ProductMention, norm


@dataclass(frozen=True)
class Why:
    """Where a field's value came from: the stage and rule that chose it, and the text span
    (absolute offsets) it was read from; what `extract --explain` shows."""

    stage: str
    rule: str
    start: int | None = None
    end: int | None = None


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
    # (offset, cue, weight, end); targets and genes: (score, symbol, start, end)
    cues: list[tuple[int, str, int, int]] = field(default_factory=list)
    targets: list[tuple[int, str, int, int]] = field(default_factory=list)
    genes: list[tuple[int, str, int, int]] = field(default_factory=list)
    diseases: list[list[str]] = field(default_factory=list)
    # parts of sentences about the product whose diseases are read only when asked for (the
    # first group found is what the product is for; the rest serves a rarer question)
    unread: list[tuple[int, int, int]] = field(default_factory=list)
    owner: str | None = None
    owner_why: Why | None = None
    why: dict[str, Why] = field(default_factory=dict)  # company, modality, target, ...


@dataclass
class Cue:
    """A candidate event inside one sentence, before regulator/product/date are fixed."""

    kind: str  # designation value or event type
    event_type: str
    start: int
    end: int
    rule: str = "trigger"
    why: dict[str, Why] = field(default_factory=dict)  # product, regulator, date, ...
    # 'approved X in 2021 for A, and in 2022 for B': where the act's own words end (the next
    # conjunct's start), so that each conjunct keeps its own indications
    until: int | None = None


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
    why: dict[str, Why] = field(default_factory=dict)
    earlier: bool = False  # told as an earlier act ('previously granted'), not the news


class DocState:
    """All per-article state of one extraction run."""

    def __init__(self, article: Article) -> None:
        self.article = article
        self.frame: Frame = build_frame(article.text, article.title, article.published)
        self.spans: dict[int, list[Span]] = {}
        self.products: dict[int, list[ProductMention]] = {}
        self.companies: dict[str, str] = {}
        self.read: set[int] = set()  # the sentences worth reading (the spaCy pass's)
        # sentence -> where its disease heads stand (sentence offsets), found once
        self.disease_heads: dict[int, list[tuple[int, int]]] = {}
        # short name -> the descriptive product name it stands for ('ELPIS' -> 'ELPIS Human ...')
        self.short_names: dict[str, str] = {}
        self.abbrev: dict[str, str] = {}
        self._abbrev_hits: dict[int, list[tuple[int, str]]] = {}

    @cached_property
    def home_regulator(self) -> str | None:
        """The agency the text names most, for acts whose sentence names none."""
        counts: dict[str, int] = {}
        for spans in self.spans.values():
            for sp in spans:
                if sp.label == "REGULATOR":
                    counts[sp.id] = counts.get(sp.id, 0) + 1
        return max(counts, key=lambda k: counts[k]) if counts else None

    @cached_property
    def sole_regulator(self) -> str | None:
        """The one agency a text names, if it names exactly one."""
        ids = {sp.id for spans in self.spans.values() for sp in spans if sp.label == "REGULATOR"}
        return ids.pop() if len(ids) == 1 else None

    def product_keys(self) -> set[str]:
        """Every product name of the text, normalized (found once)."""
        if self._product_keys is None:
            self._product_keys = {norm(m.name) for ms in self.products.values() for m in ms}
        return self._product_keys

    _product_keys: set[str] | None = None

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
