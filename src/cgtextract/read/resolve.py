"""Document resolution: product clusters, the company holding each product, its profile."""

from __future__ import annotations

import re
from functools import cache, lru_cache

from cgtextract.read.companies import clean_company, company_heads, strip_legal, subject_company
from cgtextract.read.document import DocState, Product, Span, Why
from cgtextract.read.layout import Sentence, parse_dateline
from cgtextract.read.mentions import ANAPHOR_START, about_product, diseases_in
from cgtextract.read.products import (
    ProductMention,
    alias_cues,
    alias_links,
    focus_mention,
    inn_cues,
    norm,
)
from cgtextract.read.vocab import alternation, load_patterns, name_spans, words


@cache
def pronoun_product() -> re.Pattern[str]:
    """'the drug', 'this therapy', 'it': words that refer back to the product in focus."""
    nouns = alternation("grammar.jsonl", "PRODUCT_NOUN")
    return re.compile(rf"\b(?:the|this|that|its|our)\s+(?:{nouns})\b|\bit\b", re.I)


@cache
def new_product() -> re.Pattern[str]:
    """'a Chinese iPSC heart therapy', 'an allogeneic CAR-T candidate': an indefinite product
    noun phrase introduces a product not yet named, which no earlier name can stand for."""
    nouns = alternation("grammar.jsonl", "PRODUCT_NOUN")
    return re.compile(rf"\b(?:a|an|another)\s+(?:[\w-]+\s+){{0,4}}?(?:{nouns})\b", re.I)


_ANAPHOR_IS = re.compile(
    r"^(?:It|This|The (?:drug|therapy|product|candidate))\s+(?:is|was|has been)\b"
)
_ANAPHOR_ALL = re.compile(r"^(?:Both|The two|These|All (?:three|four|of these)|The three)\b")


@cache
def described_product() -> re.Pattern[str]:  # noqa: N802 - a pattern, read like a constant
    """'its gene therapy', "the company's experimental cell therapy", "Gamida Cell's cell
    therapy"."""
    nouns = alternation("grammar.jsonl", "PRODUCT_NOUN")
    return re.compile(
        rf"\b(?:its|their|our|the\s+company['’]s|(?-i:([A-Z][\w&.-]*(?:\s+[A-Z][\w&.-]*){{0,2}}))['’]s)"
        rf"\s+(?:[\w-]+\s+){{0,4}}?[\w-]*?(?:{nouns})\b",
        re.I,
    )


def cluster_products(doc: DocState) -> tuple[dict[int, Product], dict[str, int]]:
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
        if focus is not None and ments and pronoun_product().search(s.text):
            for m in ments:
                before = s.text[: m.start - s.start]
                if (
                    re.search(rf"(?:{alias_cues()})\s+$", before)
                    and len({norm(x.name) for x in ments}) == 1
                ):
                    union(focus.name, m.name)
        possessive = "'s" in s.text or "’s" in s.text
        described = None if ments or not possessive else described_product().search(s.text)
        if described and described.group(1):
            focus = None  # "Gamida Cell's cell therapy": another product, named later
        focus = focus_mention(s, ments) or focus
    for short, full in doc.short_names.items():
        union(full, short)  # 'ELPIS' for 'ELPIS Human Umbilical Cord ... Injection'
    # 'velo-cel' is the short form of 'velocabtagene autoleucel' wherever each stands: the
    # USAN short name keeps the first word's opening letters and the '-cel' of a cell product
    ments_all = [m for ms in doc.products.values() for m in ms]
    inns = {m.name for m in ments_all if m.kind == "inn" and m.name.lower().endswith("cel")}
    for m in ments_all:
        if m.kind == "short_inn":
            prefix = m.name.lower().split("-")[0]
            for inn in inns:
                if inn.lower().startswith(prefix):
                    union(inn, m.name)
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


def all_diseases(doc: DocState, p: Product) -> list[list[str]]:
    """Every group of diseases the text names beside the product, in order of the text."""
    for idx, a, b in p.unread:
        dis = diseases_in(doc, doc.frame.sentences[idx], a, b)
        if dis:
            p.diseases.append(dis)
    p.unread.clear()
    return p.diseases


def product_segments(
    doc: DocState, s: Sentence, mention_of: dict[str, int]
) -> list[tuple[int, int, int]]:
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


def profile_products(
    doc: DocState, products: dict[int, Product], mention_of: dict[str, int]
) -> None:
    """Collect target, modality cues, owner and indications of every product."""
    for ms in doc.products.values():
        for m in ms:
            if m.kind == "inn":
                # an INN's stems state the modality ('-cabtagene autoleucel', '-parvovec')
                cues = inn_cues(m.name)
                products[mention_of[norm(m.name)]].cues.extend((m.start, c, 3, m.end) for c in cues)
    focus: list[int] = []
    prev_keys: list[int] = []
    for s in doc.frame.sentences:
        if s.quote or (s.boilerplate and not about_product(s, doc, mention_of)):
            continue
        segs = product_segments(doc, s, mention_of)
        named = {k for k, _, _ in segs}
        if not segs and not s.heading and s.idx in doc.read:
            # a sentence that names no product speaks of the one in focus ('It is ...'), when
            # it was worth reading at all
            if _ANAPHOR_ALL.match(s.text) and prev_keys:
                segs = [(k, s.start, s.end) for k in prev_keys]
            elif focus:
                segs = [(focus[-1], s.start, s.end)]
        for key, a, b in segs:
            p = products[key]
            inside_names = [(m.start, m.end) for m in doc.products[s.idx]]
            own = _descriptions(doc, s, key, mention_of)
            for sp in doc.spans[s.idx]:
                if not (a <= sp.start < b):
                    continue
                if sp.label == "MODALITY" and not _transplant(doc, sp):
                    # weight: the product's own name or description 3, a sentence naming it
                    # 2, a sentence that only an anaphor ties to it 1
                    weight = 3 if any(x <= sp.start < y for x, y in own) else 2
                    # 'It is derived from iPSCs': a sentence whose subject is the product's
                    # pronoun describes it as surely as one naming it
                    told = key in named or bool(ANAPHOR_START.match(s.text))
                    if key not in named and _ANAPHOR_IS.match(s.text):
                        weight = 3  # 'It is derived from iPSCs': its own description
                    p.cues.append((sp.start, sp.id, weight if told else 1, sp.end))
                    continue
                if any(x <= sp.start < y for x, y in inside_names) and not _descriptive_at(
                    doc, s, sp.start
                ):
                    continue
                elif sp.label == "TARGET":
                    p.targets.append((_target_score(doc.article.text, sp), sp.id, sp.start, sp.end))
                    pair = _dual_target(doc, s, sp)
                    if pair:
                        p.targets.append((4, pair, sp.start, sp.end))
                elif sp.label == "GENE":
                    p.genes.append((_gene_score(doc.article.text, sp), sp.id, sp.start, sp.end))
            # 'a two-nucleotide deletion in the NCF1 gene': a symbol that 'gene' follows is a
            # gene even where no vocabulary lists it
            for gm in _symbol_gene().finditer(doc.article.text, a, b):
                known = any(g[2] == gm.start(1) for g in p.genes)
                if not known and not _knocked_out(doc, gm.end()):
                    p.genes.append((3, gm.group(1), gm.start(1), gm.end(1)))
            if p.diseases:
                p.unread.append((s.idx, a, b))
            else:
                dis = diseases_in(doc, s, a, b)
                if dis:
                    p.diseases.append(dis)
            if p.owner is None:
                p.owner = _owner(doc.article.text[a:b], doc)
                p.owner_why = Why("resolve", "developer_named_in_text", a, b)
        if segs:
            focus = [segs[-1][0]]
            prev_keys = list(dict.fromkeys(k for k, _, _ in segs))


_APPOSITION = re.compile(
    r"\s*(?:®|™)?\s*(?:\([^()]{0,80}\)\s*)?(?:,\s*(?:an?|the|its|our)\b|\s+(?:is|was|are)\s+"
    r"(?:an?|the|our|its)\b)"
)
_PREMODIFIER = re.compile(r"\b(?:an?|its|our|the|their)\s+[^,;.()]{0,80}$")


def _descriptions(
    doc: DocState, s: Sentence, key: int, mention_of: dict[str, int]
) -> list[tuple[int, int]]:
    """Where a sentence describes the product itself: its descriptive name, the apposition or
    copula after a mention ('X, an autologous CAR-T ...', 'X is an AAV-based ...') to the
    clause's end, and the words before it ('its allogeneic CAR-T cell therapy X')."""
    text = doc.article.text
    out = []
    for m in doc.products[s.idx]:
        if mention_of[norm(m.name)] != key:
            continue
        out.append((m.start, m.end))
        if _APPOSITION.match(text, m.end, s.end):
            out.append((m.end, min(s.end, m.end + 220)))
        pre = _PREMODIFIER.search(text, max(s.start, m.start - 90), m.start)
        if pre:
            out.append((pre.start(), m.start))
    return out


def _descriptive_at(doc: DocState, s: Sentence, pos: int) -> bool:
    """Is `pos` inside a descriptive product name ('HGF plasmid'), whose words describe it?"""
    return any(m.start <= pos < m.end and m.kind == "descriptive" for m in doc.products[s.idx])


def _transplant(doc: DocState, sp: Span) -> bool:
    """'autologous stem cell transplantation' is a procedure, not what the product is."""
    return bool(
        re.match(r"[\s-]*(?:transplant|rescue|mobiliz|harvest)", doc.article.text[sp.end :])
    )


def _dual_target(doc: DocState, s: Sentence, sp: Span) -> str | None:
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
        rf"\s*(?:-|\s)(?:{alternation('grammar.jsonl', 'BINDING_WORD')})", after
    ) or re.search(
        r"(?:targeting|anti-|against|directed (?:at|against|to)|specific for|binder)\s*$", before
    ):
        return 3
    if re.match(r"\s*(?:\([^)]*\)\s*)?(?:-|\s)?(?:CAR|TCR|binder|-directed)", after):
        return 3
    return 1


@cache
def _symbol_gene() -> re.Pattern[str]:
    """'the NCF1 gene': a symbol 'gene' follows, unless it names a vector or a platform
    ('AAV gene therapy') or 'gene' starts a product noun ('gene transfer')."""
    not_gene = alternation("precedence.jsonl", "NOT_GENE_BEFORE")
    product = alternation("precedence.jsonl", "GENE_AS_PRODUCT")
    return re.compile(
        rf"\b(?!(?:{not_gene})\b)([A-Z][A-Z0-9]{{1,7}}(?:-[A-Z0-9]{{1,3}})?)"
        rf"\s+genes?\b(?!\s+(?:{product}))"
    )


_KNOCKED_OUT = re.compile(
    r"[^.;]{0,40}\b(?:knock(?:ed)?[- ]?out|deleted|disrupted|inactivated|edited out)\b", re.I
)


def _knocked_out(doc: DocState, end: int) -> bool:
    """'whose CD7 gene has been knocked out': a gene removed for engineering is no target."""
    return bool(_KNOCKED_OUT.match(doc.article.text, end))


def _gene_score(text: str, sp: Span) -> int:
    after = text[sp.end : sp.end + 25]
    if re.match(r"\s*(?:\([A-Z0-9]+\)\s*)?genes?\b", after) or re.match(r"\s*\)\s*gene\b", after):
        return 3
    if re.search(
        r"(?:encod(?:ing|es)|copy of (?:the )?|copies of (?:a |the )?|(?:to )?(?:produce|express|"
        r"secrete)s?|producing|expressing|secreting|deliver(?:s|ing)?|carr(?:y|ies|ying))\s+"
        r"(?:a\s+|the\s+)?(?:modified |functional |human |truncated form of )?$",
        text[max(0, sp.start - 40) : sp.start],
    ):
        return 3
    return 1


@cache
def _owner_rx() -> re.Pattern[str]:
    """'developed by Belief BioMed', 'the CAR-T therapy from Bristol Myers Squibb (BMS)', 'an
    IND application from Shanghai-based Korvex Biotechnology for KX-201', 'marketed as Velzara
    by Halvern Therapeutics', 'a BLA that Veldren resubmitted on July 8'."""
    nouns = (
        alternation("grammar.jsonl", "PRODUCT_NOUN")
        + "|"
        + alternation("grammar.jsonl", "FILING_NOUN")
    )
    name = r"(?:[A-Z][\w&.’'-]*\s?){1,4}"
    return re.compile(
        r"(?:(?:developed|manufactured|discovered|marketed(?:\s+as\s+\S+)?|made|owned|sponsored)\s+"
        rf"(?:independently\s+|jointly\s+)?by|\b(?:{nouns})\s+(?:from|by))\s+"
        rf"((?:[A-Z][\w&.-]*-based\s+)?{name})(?=\s*\(|\s+and\b|\s+for\b|[,.;]|\s*$)"
        rf"|\b(?:that|which)\s+({name})\s+(?:re)?(?:submitted|filed)\b"
    )


def _owner(segment: str, doc: DocState) -> str | None:
    """The developer a segment names for its product, as a company name."""
    if not any(w in segment for w in (" by ", " from ", " that ", " which ")):
        return None  # the cheap test first: every form holds one of these words
    m = _owner_rx().search(segment)
    if m:
        who = clean_company(m.group(1) or m.group(2))
        return _expand_company(who, doc) if who else None
    return None


def _possessive_owner(mention: ProductMention, s: Sentence, doc: DocState) -> str | None:
    """'Korvane's velocabtagene autoleucel', 'Halvern Bio's CD19-directed CAR-T therapy Velzara'."""
    before = s.text[: mention.start - s.start]
    m = re.search(
        r"((?:[A-Z][\w&.-]*\s){0,3}[A-Za-z][\w&.-]*)(?:'s|’s|(?<=[sS])'|(?<=[sS])’)\s+"
        r"(?:self-developed\s+|own\s+|investigational\s+|lead\s+)?(?:[\w-]+,?\s+){0,7}$",
        before,
    )
    if (
        m
        and any(c.isupper() for c in m.group(1))
        and m.group(1).lower() not in words("grammar.jsonl", "NOT_OWNER")
        and not m.group(1).lower().startswith(("it", "the ", "a "))
        and not _is_agency(doc, m.group(1))  # "the FDA's clinical hold on X"
    ):
        return _expand_company(strip_legal(m.group(1)), doc)
    # 'KX-101, Korvex's non-engineered TIL product, ...': the owner in an apposition after it
    m = _apposed_owner().match(s.text, mention.end - s.start)
    if m and m.group(1).lower() not in words("grammar.jsonl", "NOT_OWNER"):
        return _expand_company(strip_legal(m.group(1)), doc)
    # 'approved Velzara (velo-cel) from Korvex for ...': the company the name comes from
    m = _FROM_OWNER.match(s.text, mention.end - s.start)
    if m:
        who = clean_company(m.group(1))
        if who and not _is_agency(doc, who):
            return _expand_company(who, doc)
    # 'Velzara (Korvex Therapeutics)', 'KX-1 (Velzara; Korvex S.p.A.)': a company in the
    # parenthesis after the name, known by its legal form or its head word
    m = _PAREN_OWNER.match(s.text, mention.end - s.start)
    if m:
        name = m.group(1)
        who = clean_company(name)
        if who and (strip_legal(name) != name or name.split()[-1] in company_heads()):
            return _expand_company(who, doc)
    return None


_FROM_OWNER = re.compile(
    r"(?:®|™)?\s*(?:\([^()]{1,80}\)\s*)?,?\s+(?:from|by)\s+([A-Z][\w&.-]*(?:\s+[A-Z][\w&.-]*){0,3})"
    r"(?=[\s,.;)]|$)"
)
_PAREN_OWNER = re.compile(
    r"\s*(?:®|™)?\s*\((?:[^();]{1,60};\s*)?([A-Z][\w&.,-]*(?:\s+[\w&.,-]+){0,4})\)"
)


@cache
def _apposed_owner() -> re.Pattern[str]:
    nouns = alternation("grammar.jsonl", "PRODUCT_NOUN")
    return re.compile(
        r"(?:®|™)?\s*(?:\([^()]{1,80}\)\s*)?,\s+((?:[A-Z][\w&.-]*\s){0,3}[A-Z][\w&.-]*)"
        r"(?:'s|’s|(?<=[sS])'|(?<=[sS])’)\s+"
        rf"(?:[\w-]+\s+){{0,4}}?[\w-]*?(?:{nouns})\b"
    )


def _expand_company(name: str, doc: DocState) -> str:
    """A short name ('iRegene', 'BMS') as the text gives it in full ('iRegene Therapeutics')."""
    if name in doc.companies:
        return doc.companies[name]
    text = doc.article.text
    full = doc.abbrev.get(name, name)
    best = full
    heads = _heads_rx()
    pos = text.find(full)
    while pos >= 0:
        # 'Rocket Pharma' where the lead says 'Rocket Pharmaceuticals': a clipped head word
        end = pos + len(full)
        while end < len(text) and text[end].isalpha():
            end += 1
        whole = text[pos:end]
        if whole != full and whole.split()[-1] not in company_heads():
            whole = full
        m = heads.match(text, end)
        if pos == 0 or not text[pos - 1].isalnum():  # a word's start, not inside another
            if whole != full and len(whole) > len(best):
                best = whole
            if m and len(whole) + len(m.group()) > len(best):
                best = whole + m.group()
        pos = text.find(full, pos + 1)
    doc.companies[name] = best
    return best


@cache
def _heads_rx() -> re.Pattern[str]:
    """Company-name head words following a short name: ' Therapeutics', ' Bio Inc'."""
    alternation = "|".join(re.escape(h) for h in company_heads())
    return re.compile(rf"(?:[ \t]+(?:{alternation}))+\b")


@cache
def _modality_rules() -> tuple[tuple[frozenset[str], frozenset[str], str], ...]:
    """SCHEMA.md's modality precedence as data (patterns/precedence.jsonl): in order, the
    cues a rule needs ('hsc+genemod') and those it forbids ('-edit'), and the modality."""
    out = []
    for r in load_patterns("precedence.jsonl"):
        need, *forbid = str(r["pattern"]).split("-")
        out.append((frozenset(need.split("+")), frozenset(forbid), str(r["id"])))
    return tuple(out)


def modality_of(cues: set[str]) -> str | None:
    """The first precedence rule the cues satisfy."""
    for need, forbid, modality in _modality_rules():
        if need <= cues and not (forbid & cues):
            return modality
    return None


@cache
def _refines() -> dict[str, frozenset[str]]:
    """A generic modality and the precise ones weaker evidence may turn it into
    (patterns/precedence.jsonl REFINES: 'other_gene_therapy>aav')."""
    out: dict[str, set[str]] = {}
    for pair in words("precedence.jsonl", "REFINES"):
        generic, precise = pair.split(">")
        out.setdefault(generic, set()).add(precise)
    return {k: frozenset(v) for k, v in out.items()}


def product_modality(p: Product) -> tuple[str | None, bool | None]:
    """The modality from the strongest cues that decide one (the product's own description
    before the rest of its sentences, those before what anaphora lend it), and whether it
    is allogeneic (the majority of allo/auto cues, the first on a tie)."""
    mod = None
    for weight in sorted({w for _, _, w, _ in p.cues}, reverse=True):
        tier = [x for x in p.cues if x[2] >= weight]
        found = modality_of({c for _, c, _, _ in tier})
        if found and (mod is None or found in _refines().get(mod, frozenset())):
            # weaker cues may only make a generic modality precise
            rule = "strongest_cues" if mod is None else "generic_made_precise"
            mod = found
            kinds = [x for x in tier if x[1] not in {"allo", "auto"}]
            p.why["modality"] = Why(
                "resolve",
                f"{rule}_weight_{weight}",
                min(x[0] for x in kinds),
                max(x[3] for x in kinds),
            )
    cls = {c for _, c, _, _ in p.cues}
    allo: bool | None = None
    cells_given = mod not in words("precedence.jsonl", "NOT_CELLS")
    if cells_given and not (mod == "gene_editing" and "hsc" not in cls):
        order = [x for x in sorted(p.cues) if x[1] in {"allo", "auto"}]
        if order:
            n_allo = sum(x[1] == "allo" for x in order)
            n_auto = len(order) - n_allo
            allo = n_allo > n_auto if n_allo != n_auto else order[0][1] == "allo"
            p.why["allogeneic"] = Why(
                "resolve", "majority_of_allo_auto_cues", order[0][0], order[-1][3]
            )
    return mod, allo


def product_target(p: Product, modality: str | None) -> str | None:
    """The gene for gene therapies and editing; else the antigen a binding phrase names."""
    gene = modality in words("precedence.jsonl", "GENE_TARGET")
    pool = p.genes if gene else [t for t in p.targets if t[0] > 0]
    rule = "gene_of_a_gene_therapy" if gene else "antigen_of_a_binding_phrase"
    if not pool and not gene:
        # cells engineered to make a protein ('chondrocytes that produce TGF-β1'): the gene
        pool, rule = [g for g in p.genes if g[0] >= 3], "gene_the_cells_carry"
    if not pool:
        return None
    best = max(pool, key=lambda t: t[0])
    if best[0] <= 0:
        return None
    p.why["target"] = Why("resolve", rule, best[2], best[3])
    return best[1]


def product_company(doc: DocState, p: Product) -> str | None:
    """The company that holds a product (SCHEMA.md): an owner named where it first appears
    ("Korvane's velocabtagene autoleucel"), else the company that opens that sentence
    ('Separately, Trenholm Biologics said the FDA placed a hold on TB-450') or closes it as
    its source, else the dateline's announcer, else one the text names as its developer,
    else the announcer of its paragraph or the latest before it; a possessive in a headline
    last. None rather than a guess."""
    frame = doc.frame
    first = next((s for s in frame.sentences if s.start <= p.first < s.end + 1), None)
    names = doc.product_keys()

    def chose(who: str, rule: str, s: Sentence | None = None, why: Why | None = None) -> str:
        span = (s.start, s.end) if s else (None, None)
        p.why["company"] = why or Why("resolve", rule, *span)
        return who

    if first is not None:
        for m in doc.products[first.idx]:
            if norm(m.name) in {norm(n) for n in p.names}:
                who = _possessive_owner(m, first, doc)
                if who:
                    return chose(who, "possessive_at_first_mention", first)
                break
        who = None if first.cells else _subject_owner(doc, first, names)
        if who and first.lead and frame.announcer:
            who = frame.announcer  # the dateline's company, as the frame settled it
        if who:
            return chose(who, "subject_of_first_mention_sentence", first)
        who = _attributed_owner(doc, first.text, names)
        if who:
            return chose(who, "source_of_first_mention_sentence", first)
    if frame.announcer:
        lead = next((s for s in frame.sentences if s.lead or s.opening), None)
        return chose(frame.announcer, "announcer_of_the_text", lead)
    if p.owner:
        return chose(p.owner, "named_as_developer", why=p.owner_why)
    announcers = [
        (para, who)
        for para, who in sorted(frame.para_announcer.items())
        if not any(norm(w) in names for w in re.findall(r"[\w-]+", who))
    ]
    if first is not None:
        # the announcer of the product's paragraph, else the latest one before it under the
        # same heading (a round-up's items each have their own company)
        heading = max(
            (x.para for x in frame.sentences if x.heading and x.para <= first.para), default=-1
        )
        before = [(para, who) for para, who in announcers if heading <= para <= first.para]
        if before:
            para = before[-1][0]
            s = next(x for x in frame.sentences if x.para == para)
            return chose(_expand_company(before[-1][1], doc), "announcer_of_the_paragraph", s)
    keys = {norm(n) for n in p.names}
    for s in frame.sentences:
        if s.headline or s.heading:  # a headline's or an item title's possessive
            for m in doc.products[s.idx]:
                if norm(m.name) in keys:
                    who = _possessive_owner(m, s, doc)
                    if who:
                        return chose(who, "possessive_in_a_headline", s)
    for s in frame.sentences:
        # "Swiss pharma giant Novartis' Kymriah" further down: the owner named later
        for m in doc.products[s.idx]:
            if norm(m.name) in keys and not s.quote:
                who = _possessive_owner(m, s, doc)
                if who:
                    return chose(who, "possessive_at_a_later_mention", s)
    return None


_ATTRIBUTION = re.compile(
    r"(?:,\s+|\baccording\s+to\s+(?:(?:a|the)\s+(?:[\w-]+\s+){0,2}?(?:from|by)\s+)?)"
    r"([A-Z][\w&.’'-]*(?:\s+[A-Z][\w&.’'-]*){0,4})"
    r"(?:\s+(?:said|says|announced|reported))?\s*[.!]?\s*$"
)
# 'According to a press release from X, the FDA ...': the source named first
_FRONTED_SOURCE = re.compile(
    r"^According\s+to\s+(?:(?:a|the)\s+(?:[\w-]+\s+){0,2}?(?:from|by)\s+)?"
    r"([A-Z][\w&.’'-]*(?:\s+[A-Z][\w&.’'-]*){0,4}),"
)


def _attributed_owner(doc: DocState, sentence: str, names: set[str]) -> str | None:
    """'..., Binhai Biotech said.', '... according to Kolon TissueGene': the company a
    sentence closes on as its source."""
    m = _FRONTED_SOURCE.match(sentence) or _ATTRIBUTION.search(sentence)
    if not m or not re.search(r"\b(?:said|says|announced|reported|according)\b", m.group(), re.I):
        return None
    return _as_owner(doc, clean_company(m.group(1)), names)


def _as_owner(doc: DocState, who: str | None, names: set[str]) -> str | None:
    """A company candidate in full, unless it is a product's name or an agency."""
    if (
        who
        and not any(norm(w) in names for w in re.findall(r"[\w-]+", who))
        and not _is_agency(doc, who)
    ):
        return _expand_company(who, doc)
    return None


def _subject_owner(doc: DocState, s: Sentence, names: set[str]) -> str | None:
    """'Cellectis announced that the FDA placed a clinical hold on UCART22': the company a
    sentence opens with, unless it is a product or an agency. Only a paragraph's first
    sentence can open with a dateline (a round-up item's own)."""
    sentence = s.text
    if doc.frame.para_first.get(s.para) == sentence:
        dateline = parse_dateline(sentence)
        sentence = dateline.rest if dateline else sentence
    return _as_owner(doc, subject_company(sentence), names)


def _is_agency(doc: DocState, name: str) -> bool:
    """True when a would-be company is a regulator ('The FDA', 'Health Canada')."""
    return _names_agency(name)


@lru_cache(maxsize=4096)  # bounded: a long run meets many names
def _names_agency(name: str) -> bool:
    return any(label in {"REGULATOR", "COUNTRY"} for label, _, _ in name_spans(name))
