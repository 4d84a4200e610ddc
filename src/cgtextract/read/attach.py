"""Attachment: which product, agency, date and indications belong to each trigger."""

from __future__ import annotations

import re
from functools import cache

from cgtextract.read.companies import clean_company
from cgtextract.read.dates import DateMention
from cgtextract.read.document import Cue, DocState, Draft, Product, Span, Why
from cgtextract.read.layout import Sentence
from cgtextract.read.mentions import about_product, disease_class, diseases_in
from cgtextract.read.products import ProductMention, focus_mention, norm
from cgtextract.read.resolve import (
    all_diseases,
    described_product,
    new_product,
    product_segments,
    pronoun_product,
)
from cgtextract.read.triggers import clause_bounds, find_cues
from cgtextract.read.vocab import alternation, mapping, word_rx


@cache
def home_agencies() -> dict[str, str]:
    """The agency of a designation named without one (patterns/agencies.jsonl); '!' marks a
    designation that only that agency grants (PRIME)."""
    return mapping("agencies.jsonl", "HOME_AGENCY")


_IN_PLACE = re.compile(r"\s+(?:[\w-]+\s+){0,2}?in\s+(?:the\s+)?", re.I)


@cache
def _backfill_rx() -> re.Pattern[str]:
    """'the EC decision was taken on 21 August 2020', 'the agency's letter was dated ...',
    'the Commission adopted its decision on ...'."""
    nouns = alternation("grammar.jsonl", "BACKFILL_NOUN")
    verbs = alternation("grammar.jsonl", "BACKFILL_VERB")
    return re.compile(
        rf"\b(?:{nouns})\b[^.]{{0,60}}?\b(?:was|were|is)\s+(?:{verbs})"
        # 'The Commission adopted its decision on December 17, 2020'
        rf"|\b(?:{verbs})\s+(?:its|the|their|a)\s+(?:[\w-]+\s+){{0,2}}(?:{nouns})\b",
        re.I,
    )


_ALSO = re.compile(r"\balso\b", re.I)
_EARLIER = re.compile(r"\b(?:previously|earlier|already|formerly|prior)\b", re.I)
_HAS_ALSO = re.compile(r"\b(?:has|have)\s+(?:also\s+)?(?:been\s+)?(?:also\s+)?\w+", re.I)


_ALSO_ANNOUNCED = re.compile(
    r"\b(?:also|further|additionally)\s+(?:announced|reported|said)\s+(?:today\s+)?that\s+"
    r"(?:\w+\s+){0,8}?(?:has|have)\s+(?:been\s+)?(?:granted|received|cleared|approved|accepted)",
    re.I,
)


_SAME_DAY = re.compile(r"\b(?:on\s+)?(?:the|that)\s+same\s+(?:day|date)\b|\bsimultaneously\b", re.I)


def _vague(doc: DocState, s: Sentence) -> bool:
    """Neither a product, nor an agency, nor an anaphor: a general statement, not an event."""
    return (
        not doc.products[s.idx]
        and not any(sp.label in {"REGULATOR", "COUNTRY"} for sp in doc.spans[s.idx])
        and not pronoun_product().search(s.text)
        and not re.search(r"\bthe (?:agency|regulator)\b", s.text, re.I)
        # 'X submitted the IND on March 29': a definite application named before
        and not any(
            sp.label == "DOCTYPE"
            and re.search(r"\b(?:the|its|this|that)\s+$", s.text[: sp.start - s.start], re.I)
            for sp in doc.spans[s.idx]
        )
    )


def regulators_of(doc: DocState, s: Sentence, cue: Cue) -> list[str]:
    """The agency (or agencies) that did this act."""
    spans = doc.spans[s.idx]
    lo, hi = clause_bounds(s, cue.start)
    regs = [sp for sp in spans if sp.label == "REGULATOR"]
    home = home_agencies()
    if cue.kind in home and (
        home[cue.kind].startswith("!") or not any(lo <= r.start < hi for r in regs)
    ):
        cue.why["regulator"] = Why("attach", "home_agency_of_designation", cue.start, cue.end)
        return [home[cue.kind].lstrip("!")]  # PRIME is always the EMA's
    text = doc.article.text
    # 'provisional approval in Australia': the act's own place names its agency
    own = [
        c
        for c in spans
        if c.label == "COUNTRY"
        and cue.end <= c.start <= cue.end + 30
        and _IN_PLACE.fullmatch(text, cue.end, c.start)
    ]
    if own:
        # 'approved for marketing in the United States and Japan': each place coordinated
        places = [own[0]]
        for c in sorted((c for c in spans if c.label == "COUNTRY"), key=lambda c: c.start):
            if c.start > places[-1].start and _coordinated(doc, s, places[-1], c):
                places.append(c)
        cue.why["regulator"] = Why("attach", "country_of_the_act", own[0].start, places[-1].end)
        codes = [_regulator_code(c, cue) for c in places]
        return [c for i, c in enumerate(codes) if c not in codes[:i]]
    pool = [r for r in regs if lo <= r.start < hi] or regs
    if not pool:
        countries = [c for c in spans if c.label == "COUNTRY" and lo <= c.start < hi]
        countries = countries or [c for c in spans if c.label == "COUNTRY"]
        pool = countries
    if not pool:
        prev = _previous_regulator(doc, s)
        cue.why["regulator"] = Why("attach", "agency_named_before_or_sole_agency")
        return [prev] if prev else []
    best = min(
        pool,
        key=lambda r: (
            # 'designation from both the FDA and the EMA': the agency the act comes from
            0
            if r.start >= cue.end and _FROM_BY.fullmatch(doc.article.text, cue.end, r.start)
            else 1,
            abs(r.start - cue.start) if r.start < cue.start else abs(r.start - cue.end) * 0.8,
        ),
    )
    # 'approved by the FDA, Health Canada, the European Commission, the United Kingdom's MHRA
    # and Swissmedic': the agencies coordinated with it, link by link
    ordered = sorted(pool, key=lambda r: r.start)
    at = ordered.index(best)
    chosen = [best]
    for step in (1, -1):
        i = at
        while 0 <= i + step < len(ordered):
            a, b = sorted((ordered[i], ordered[i + step]), key=lambda x: x.start)
            if not _coordinated(doc, s, a, b):
                break
            chosen.append(ordered[i + step])
            i += step
    rule = "agency_in_clause" if lo <= best.start < hi else "agency_in_sentence"
    if best.label == "COUNTRY":
        rule = "country_in_sentence"
    cue.why["regulator"] = Why(
        "attach",
        rule + ("_coordinated" if len(chosen) > 1 else ""),
        min(r.start for r in chosen),
        max(r.end for r in chosen),
    )
    codes = []
    for r in chosen:
        code = _regulator_code(r, cue)
        if code not in codes:
            codes.append(code)
    return codes


_FROM_BY = re.compile(r"\s+(?:[\w-]+\s+){0,2}?(?:from|by)\s+(?:both\s+)?(?:the\s+)?")
# between two agencies of one act: an acronym in brackets, a scope ('for the EU and EEA'),
# then the conjunction
_PLACE_NAME = r"[A-Z][\w.-]*(?:\s+[A-Z][\w.-]*){0,3}"
_COORDINATION = re.compile(
    r"\s*\)?\s*(?:\([^)]*\))?"
    # a scope: 'for the EU and EEA', 'for the European Union and European Economic Area'
    rf"(?:\s*(?:for|in|across)\s+(?:the\s+)?{_PLACE_NAME}"
    rf"(?:\s+(?:and|&)\s+(?:the\s+)?{_PLACE_NAME})?)?"
    r"\s*(?:,|and|&|, and|as well as|or|and/or)\s+(?:both\s+)?"
    r"(?:(?:by|from|in|to|with)\s+)?(?:the\s+)?"
    # a place's possessive before the next agency: "the United Kingdom's MHRA"
    rf"(?:(?:{_PLACE_NAME})?(?:'s|’s)\s+)?"
    # a description before the agency's acronym: 'the European agency (EMA)'
    r"(?:(?:[A-Za-z][\w.-]*\s+){0,3}(?:agency|regulator|authority|authorities)\s*\(\s*)?"
)
_SAME_AGENCY = re.compile(r"\s*\(\s*")  # 'European Commission (EC': one agency, twice named


def _coordinated(doc: DocState, s: Sentence, a: Span, b: Span) -> bool:
    """'the European Commission and by the UK MHRA', 'FDA and EMA': two agencies of one act.
    A country word before the second agency ('the UK MHRA') belongs to it."""
    gap = doc.article.text[a.end : b.start]
    if (a.id == b.id and _SAME_AGENCY.fullmatch(gap)) or _COORDINATION.fullmatch(
        gap.rstrip() + " "
    ):
        return True
    for sp in doc.spans[s.idx]:
        if sp.label == "COUNTRY" and a.end <= sp.start and sp.end <= b.start:
            gap = gap.replace(sp.text, " ")
    return bool(_COORDINATION.fullmatch(gap.rstrip() + " "))


def _regulator_code(r: Span, cue: Cue) -> str:
    if (
        r.label == "COUNTRY"
        and r.id == "EC"
        and cue.event_type == "designation"
        and cue.kind != "orphan_drug"
    ):
        return "EMA"
    return r.id


def _previous_regulator(doc: DocState, s: Sentence) -> str | None:
    """'The agency had already granted ...': the agency named last before this sentence."""
    for x in reversed(doc.frame.sentences[: s.idx]):
        if x.para < s.para - 3 or (s.item and x.para != s.para):
            break  # a list item is its own story: no agency reaches it from another
        regs = [sp for sp in doc.spans[x.idx] if sp.label == "REGULATOR"]
        if regs:
            return regs[-1].id
    # a text about one agency only (a CDE notice, an exchange filing on an NMPA approval)
    return doc.sole_regulator


def draft_events(
    doc: DocState, products: dict[int, Product], mention_of: dict[str, int]
) -> list[Draft]:
    drafts: list[Draft] = []
    focus: int | None = None
    context: tuple[str, str, str] | None = (
        None  # (event_type, date, precision) of a summary sentence
    )
    for s in doc.frame.sentences:
        ments = doc.products[s.idx]
        skip = (
            s.heading
            or s.quote
            or bool(s.cells)
            or (s.boilerplate and not about_product(s, doc, mention_of))
        )
        if skip:
            if ments and not s.heading:
                focus = _refocus(s, ments, mention_of, focus)
            continue
        cues = find_cues(doc, s)
        made = 0
        vague = bool(cues) and _vague(doc, s)
        for cue in cues:
            targets = [] if vague else _cue_products(doc, s, cue, mention_of, products, focus)
            if not targets:
                when = _cue_date(doc, s, cue, cues)
                if when and when[2]:
                    context = (cue.event_type, when[0], when[1])
                continue
            regs = regulators_of(doc, s, cue)
            when = _cue_date(doc, s, cue, cues)
            date_, prec, own = when if when else (None, None, False)
            if date_ is None and drafts and _SAME_DAY.search(s.text):
                # 'on the same day': the date of the act told just before, as its own
                date_, prec, own = drafts[-1].date, drafts[-1].precision, True
                cue.why["date"] = Why("attach", "on_the_same_day_as_the_act_before")
            if date_ is None and context and context[0] == cue.event_type:
                date_, prec = context[1], context[2]
                cue.why["date"] = Why("attach", "date_of_the_summary_sentence")
            if (
                date_ is None
                and _ALSO.search(doc.article.text, *clause_bounds(s, cue.start))
                # 'X has also received ...' states a standing status, not the act just told
                and not _HAS_ALSO.search(
                    doc.article.text, clause_bounds(s, cue.start)[0], cue.start
                )
                and drafts
                and drafts[-1].sentence.idx >= s.idx - 2
            ):
                date_, prec = drafts[-1].date, drafts[-1].precision
                cue.why["date"] = Why("attach", "also_inherits_the_date_before")
            made += _add_drafts(
                drafts, doc, s, cue, targets, regs, (date_, prec, own), products, mention_of
            )
        if not cues and drafts and _backfill_rx().search(s.text):
            _backfill(doc, s, drafts)
        if ments:
            focus = _refocus(s, ments, mention_of, focus)
        if made:
            context = None
    return drafts


def specified_approvals(drafts: list[Draft]) -> list[Draft]:
    """'X was approved by the State Drug Administration. Approved by the CDE, included in
    breakthrough therapy varieties.': a bare approval that the next sentence, naming no
    product, specifies as a designation of the same agency is that designation (its date)."""
    out = list(drafts)
    for d in drafts:
        if d.event_type != "designation" or d.sentence.idx == 0:
            continue
        for a in drafts:
            if (
                a in out
                and a.event_type == "approval"
                and a.product == d.product
                and a.regulator == d.regulator
                and a.sentence.idx == d.sentence.idx - 1
                and _APPROVED_BY.search(d.sentence.text)
            ):
                out.remove(a)
                if d.date is None:
                    d.date, d.precision, d.own_date = a.date, a.precision, a.own_date
                    if "date" in a.why:
                        d.why["date"] = a.why["date"]
    return out


_APPROVED_BY = re.compile(r"^(?:It\s+was\s+|and\s+)?approved\s+by\b", re.I)


def date_round_up(doc: DocState, drafts: list[Draft]) -> None:
    """A monthly round-up's title month dates its undated 'received'/'announced' items."""
    if doc.frame.period:
        for d in drafts:
            verb = re.search(r"\b(?:received|announced|obtained|won|secured)\b", d.sentence.text)
            if (
                d.date is None
                and verb
                # 'the product earlier obtained ...' is not the month's news
                and not _EARLIER.search(d.sentence.text, max(0, verb.start() - 20), verb.start())
            ):
                d.date, d.precision = doc.frame.period
                d.why["date"] = Why("attach", "month_of_the_round_up")


def _refocus(
    s: Sentence, ments: list[ProductMention], mention_of: dict[str, int], focus: int | None
) -> int | None:
    m = focus_mention(s, ments)
    return mention_of[norm(m.name)] if m else focus


def _add_drafts(
    drafts: list[Draft],
    doc: DocState,
    s: Sentence,
    cue: Cue,
    targets: list[tuple[int, str, int | None]],
    regs: list[str],
    when: tuple[str | None, str | None, bool],
    products: dict[int, Product],
    mention_of: dict[str, int],
) -> int:
    """One draft per product and agency of a cue; returns how many were made."""
    made = 0
    for key, surface, at in targets:
        own = _event_indications(doc, s, cue, key, at, mention_of)
        named = [g for g in products[key].diseases if not all(map(disease_class, g))]
        if own and all(map(disease_class, own)) and named:
            own = []  # 'for a rare genetic disorder': the disease the text names elsewhere
        ind = own or (named or products[key].diseases or [[]])[0]
        why = {
            **cue.why,
            "event_type": Why("triggers", cue.rule, cue.start, cue.end),
            "indications": Why(
                "attach",
                "diseases_of_the_event_sentence" if own else "diseases_the_product_is_for",
                s.start if own else None,
                s.end if own else None,
            ),
        }
        if when[0] is None:
            why.pop("date", None)
        earlier = bool(_EARLIER.search(doc.article.text, *clause_bounds(s, cue.start)))
        for reg in regs:
            kind = cue.kind if cue.event_type == "designation" else None
            drafts.append(
                Draft(key, surface, reg, cue.event_type, kind, *when, s, ind, dict(why), earlier)
            )
            made += 1
    return made


def headline_drafts(
    doc: DocState, products: dict[int, Product], mention_of: dict[str, int], drafts: list[Draft]
) -> None:
    """Events the headline states about a product the body reports nothing on (where the
    body speaks of the product, it wins: a headline's 'approval' over a body's IND clearance
    is no approval)."""
    told = {d.product for d in drafts}
    for s in doc.frame.sentences:
        # the title, sub-headlines, and headings that name a product (a round-up's items)
        titled = s.headline or (s.heading and not s.boilerplate and doc.products[s.idx])
        if not titled or s.quote or s.cells:
            continue
        cues = find_cues(doc, s)
        for cue in cues:
            targets = [
                t
                for t in _cue_products(doc, s, cue, mention_of, products, None)
                if t[0] not in told
            ]
            if targets:
                when = _cue_date(doc, s, cue, cues) or (None, None, False)
                _add_drafts(
                    drafts,
                    doc,
                    s,
                    cue,
                    targets,
                    regulators_of(doc, s, cue),
                    when,
                    products,
                    mention_of,
                )


def _event_indications(
    doc: DocState, s: Sentence, cue: Cue, key: int, at: int | None, mention_of: dict[str, int]
) -> list[str]:
    """Diseases the act is for: from the act (or the product's name) to the end of that
    product's part of the sentence; a company's self-description before it does not count."""
    if at is None:
        lo, _ = clause_bounds(s, cue.start)
        return diseases_in(doc, s, lo, cue.until or s.end)
    lo, end = min(at, cue.start), s.end
    for k, a, b in product_segments(doc, s, mention_of):
        if k == key and a <= at < b:
            lo, end = (a if a > cue.start else lo), b
            break
    if cue.rule == "gapped_coordination":
        lo = cue.start  # the second conjunct: its own words only
    return diseases_in(doc, s, lo, min(end, cue.until or end))


def _dated_by_the_day(doc: DocState, d: Draft) -> bool:
    """Was the draft dated only by the text's own day ('today', the lead's present perfect)?"""
    why = d.why.get("date")
    if why is None:
        return False
    if why.start is None:
        return why.rule in {"today_is_the_text_date", "present_perfect_in_the_lead"}
    text = doc.article.text
    return text[why.start : why.end].lower() in {"today", "recently"} or bool(
        _reported_on().search(text, max(0, why.start - 30), why.start)
    )


@cache
def _reported_on() -> re.Pattern[str]:
    """'X said on Monday the FDA granted ...': a date that is the day of the report."""
    verbs = word_rx("grammar.jsonl", "REPORTING_VERB").pattern
    return re.compile(verbs + r"\s+(?:on\s+)?$", re.I)


def _backfill(doc: DocState, s: Sentence, drafts: list[Draft]) -> None:
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
            # an undated act, or one only the text's day dated ('today announced that X has
            # been granted'), which the decision's own date corrects
            if (d.date is None or _dated_by_the_day(doc, d)) and (not regs or d.regulator in regs):
                d.date, d.precision, d.own_date = r[0], r[1], True
                d.why["date"] = Why("attach", "date_told_in_a_later_sentence", s.start, s.end)
                return


def _cue_products(
    doc: DocState,
    s: Sentence,
    cue: Cue,
    mention_of: dict[str, int],
    products: dict[int, Product],
    focus: int | None,
) -> list[tuple[int, str, int | None]]:
    """Which product(s) the act is about: the nearest named in the clause, else the focus."""
    ments = doc.products[s.idx]
    lo, hi = clause_bounds(s, cue.start)
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
        if word_rx("grammar.jsonl", "EACH_SUBJECT").search(between):
            # 'X, ..., and Y, ..., were each granted Fast Track': every subject before the act
            seen_keys = {key}
            for m in ments:
                k = mention_of[norm(m.name)]
                if k not in seen_keys and m.end <= cue.start and m.kind != "short_inn":
                    seen_keys.add(k)
                    chosen.append(m)
        if cue.event_type in {"approval", "clinical_hold", "clinical_hold_lift"}:
            # 'approved A (...) for X, and B (...) for Y', 'placed a hold on A and B': every
            # product listed after the act (one hold on two products is two events)
            later = [c.start for c in find_cues(doc, s) if c.start > cue.start]
            stop = min(later, default=s.end)
            seen = {key}
            last = best.end
            for m in ments:
                k = mention_of[norm(m.name)]
                if k in seen or not cue.start < m.start < stop or m.kind == "short_inn":
                    continue
                # a hold's products are a plain list ('on A and B'), not the next clause's
                if cue.event_type != "approval" and not _PRODUCT_LIST.fullmatch(
                    doc.article.text, last, m.start
                ):
                    continue
                seen.add(k)
                chosen.append(m)
                last = m.end
        rule = "named_in_clause" if lo <= best.start < hi else "named_in_sentence"
        cue.why["product"] = Why("attach", rule, best.start, best.end)
        return [(mention_of[norm(m.name)], m.name, m.start) for m in chosen]
    # 'lifted the hold on its gene therapy. ... resume dosing RP-A501': a product described
    # before it is named, and named in the next sentence, the only one there (and named there
    # first, when another product is in focus)
    nxt = _next_sentence(doc, s)
    keys = {mention_of[norm(m.name)] for m in doc.products[nxt.idx]} if nxt else set()
    clause = doc.article.text[lo:hi]
    low = clause.lower()
    possessed = "its " in low or "their " in low or "our " in low or "'s " in low or "’s " in low
    described = described_product().search(clause) if nxt and possessed else None
    if nxt and described and len(keys) == 1:
        [key] = keys
        p = products[key]
        if focus is None or (key != focus and nxt.start <= p.first < nxt.end):
            first = doc.products[nxt.idx][0]
            cue.why["product"] = Why("attach", "described_then_named_next", first.start, first.end)
            owner = clean_company(described.group(1)) if described.group(1) else None
            if owner and p.owner is None:  # "Gamida Cell's cell therapy": its owner too
                p.owner = owner
                a, b = described.span(1)
                p.owner_why = Why("attach", "owner_of_the_described_product", lo + a, lo + b)
            return [(key, _display(p), None)]
    diseases = [d.lower() for d in diseases_in(doc, s, s.start, s.end)]
    if diseases:
        hits = []
        for key, p in products.items():
            names = {x.lower() for group in all_diseases(doc, p) for x in group}
            if names & set(diseases):
                hits.append(key)
        if hits and (
            len(hits) == 1
            or re.search(r"\b(?:therapies|studies|programs|products|trials)\b", s.text)
        ):
            cue.why["product"] = Why("attach", "product_of_the_disease_named")
            return [(k, _display(products[k]), None) for k in hits]
    if focus is not None and (
        pronoun_product().search(s.text) or not new_product().search(doc.article.text, lo, hi)
    ):
        cue.why["product"] = Why("attach", "product_in_focus_anaphora")
        return [(focus, _display(products[focus]), None)]
    return []


def _next_sentence(doc: DocState, s: Sentence) -> Sentence | None:
    """The sentence after `s` in the body (not a heading), within the next paragraph."""
    sentences = doc.frame.sentences
    if s.idx + 1 >= len(sentences):
        return None
    t = sentences[s.idx + 1]
    return None if t.heading or t.para > s.para + 1 else t


_PRODUCT_LIST = re.compile(r"\s*(?:\([^()]*\))?\s*(?:,\s*(?:and\s+)?|and\s+|&\s+)")


def _display(p: Product) -> str:
    codes = [n for n in p.names if re.search(r"\d", n)]
    return codes[0] if codes else p.names[0]


def _cue_date(
    doc: DocState, s: Sentence, cue: Cue, cues: list[Cue]
) -> tuple[str, str, bool] | None:
    """The date of this act: its own clause's, else the sentence's lead date, else 'today'."""
    dates = s.dates
    lo, hi = clause_bounds(s, cue.start)
    rel_cue = cue.start - s.start

    def ok(d: DateMention) -> tuple[str, str] | None:
        # anchored to the nearest full date before it: the sentence's own, the paragraph's,
        # else the dateline or publication date
        return (
            d.resolve(None)
            if d.absolute
            else d.resolve(doc.frame.anchor(s.para, s.start + d.start))
        )

    def found(
        rule: str, r: tuple[str, str], own: bool, d: DateMention | None = None
    ) -> tuple[str, str, bool]:
        span = (s.start + d.start, s.start + d.end) if d else (None, None)
        cue.why["date"] = Why("attach", rule, *span)
        return r[0], r[1], own

    if _named_act(doc, cue):
        # the day of the text (its dateline, 'today') is not the day of an act it refers to
        head = _dateline_end(doc, s)
        dates = [d for d in dates if d.kind != "today" and d.start >= head]
    # 'has received IND clearance and plans to begin a study in 2024': a planned step's date
    dates = [d for d in dates if not _planned_between(s.text, rel_cue, d.start)]
    # the first date after the act in its clause: 'granted ... on December 22'
    after = [d for d in dates if rel_cue <= d.start and s.start + d.start < hi]
    for d in after:
        r = ok(d)
        if r and not _is_target_date(s.text, d):
            # 'March 6, 2025 - The FDA approved X ... in 2025': the item's own day, which
            # the coarser date agrees with, is the finer statement of the same date
            first = dates[0] if dates and dates[0].start < 3 and dates[0] is not d else None
            fine = ok(first) if first else None
            if fine and fine[1] == "day" and r[1] != "day" and fine[0].startswith(r[0][:4]):
                return found("date_leading_the_sentence", fine, True, first)
            return found("date_after_the_act_in_its_clause", r, True, d)
    if _ALREADY_BEFORE.search(s.text, 0, rel_cue):
        # '25 October 2016 - Fast Track added to the already granted Orphan Drug': a status,
        # which only a date of its own (after it) dates
        return None
    before = [d for d in dates if d.end <= rel_cue and s.start + d.start >= lo]
    for d in reversed(before):
        r = ok(d)
        if r and not _is_target_date(s.text, d):
            if _standing_status(doc, s, d, rel_cue):
                return None
            return found("date_before_the_act_in_its_clause", r, True, d)
    lead = [d for d in dates if d.start < 30 or (s.lead and d.start < 160)]
    for d in lead:
        r = ok(d)
        if r:
            return found("date_leading_the_sentence", r, True, d)
    day = doc.frame.announced or doc.frame.published
    if re.search(r"\btoday\b", s.text, re.I) and day and not _named_act(doc, cue):
        return found("today_is_the_text_date", (day.isoformat(), "day"), True)
    if doc.frame.announced and _ALSO_ANNOUNCED.search(s.text):
        # 'X also announced that the FDA has granted ...' in a dated release: the same day
        return found(
            "also_announced_on_the_text_date", (doc.frame.announced.isoformat(), "day"), True
        )
    for d in dates:
        # 'shares rose Tuesday after it said the FDA lifted the hold', '..., the company said
        # this month': the report's date, outside the act's clause, dates the act weakly
        d_lo, d_hi = clause_bounds(s, s.start + d.start)
        clause = doc.article.text[d_lo:d_hi]
        if d.kind != "weekday" and not word_rx("grammar.jsonl", "REPORTING_VERB").search(clause):
            continue
        r = ok(d)
        if r and not _is_target_date(s.text, d):
            return found("date_of_the_report", r, False, d)
    announces = s.opening or _announces_now().search(doc.article.text, s.start, cue.start)
    if (
        day
        and announces
        and (
            _PRESENT_PERFECT.search(doc.article.text, lo, cue.start)
            # 'has accepted the BLA and granted Priority Review': one auxiliary, two verbs
            or _SHARED_AUXILIARY.search(doc.article.text, s.start, cue.start)
        )
        # 'has also been approved by ...': a standing status, not the day's news
        and not _STATUS.search(doc.article.text, lo, cue.start)
    ):
        # the lead's 'the FDA has granted ...' is the news of the day the text is dated (a
        # weak date: an act dated elsewhere in the text keeps its own)
        return found("present_perfect_in_the_lead", (day.isoformat(), "day"), False)
    return None


def _planned_between(text: str, act: int, at: int) -> bool:
    """A plan or an expectation stands between the act and a date after it."""
    return at > act and bool(_plan_words().search(text, act, at))


@cache
def _plan_words() -> re.Pattern[str]:
    """The hedges that put what follows them in the future (plans, expectations)."""
    table = mapping("assertion.jsonl", "HEDGE")
    future = sorted((w for w, i in table.items() if i in {"future", "plan", "expected"}), key=len)
    return re.compile(
        r"(?<![\w-])(?:" + "|".join(re.escape(w) for w in reversed(future)) + r")(?![\w-])", re.I
    )


@cache
def _announces_now() -> re.Pattern[str]:
    """'The Board is pleased to announce that the NMPA has accepted ...', 'X announces that':
    an announcement in the present tense is the news of the text's own day, wherever it stands."""
    moods = alternation("grammar.jsonl", "ANNOUNCE_MOOD")
    return re.compile(rf"\b(?:(?:is|are)\s+(?:{moods})\s+to\s+announce|announces)\s+that\b", re.I)


_PRESENT_PERFECT = re.compile(
    r"\b(?:has|have)\s+(?:now\s+|recently\s+|officially\s+|also\s+)?(?:been\s+)?\w*\s*$", re.I
)


_OWNED_BEFORE = re.compile(r"\b(?:its|their|our)\s+(?:[\w-]+\s+){0,3}$", re.I)
# 'Following a Priority Review, Health Canada has approved ...': the path, not the news
_PATH_BEFORE = re.compile(
    r"\b(?:following|after|under|through|via)\s+(?:an?\s+|the\s+|its\s+)?(?:[\w-]+\s+){0,2}$",
    re.I,
)


@cache
def _object_after() -> re.Pattern[str]:
    """'the acceptance of X', 'approval for Y': an act followed by a phrase of its own."""
    return re.compile(rf"\s+(?:{alternation('grammar.jsonl', 'OBJECT_PREP')})\b", re.I)


def _named_act(doc: DocState, cue: Cue) -> bool:
    """'further to its NDA filing acceptance': an act named as a thing the company has, with
    nothing of its own after it, is referred to, not reported on the day of the text."""
    text = doc.article.text
    if cue.rule == "hold_in_place":
        return True  # 'remains on clinical hold': a status, not the day's act
    if _object_after().match(text, cue.end):
        return False  # 'the acceptance of X': the act has words of its own
    before = max(0, cue.start - 60)
    if _PATH_BEFORE.search(text, before, cue.start):
        return True
    word = text[cue.start : cue.end].lower()
    return word.endswith(("ance", "ion", "al", "ing")) and bool(
        _OWNED_BEFORE.search(text, before, cue.start)
    )


_ALREADY_BEFORE = re.compile(
    r"\b(?:the|an?|its|their)\s+(?:already|previously|formerly)\s+(?:[\w-]+\s+){0,2}$", re.I
)
_SHARED_AUXILIARY = re.compile(
    r"\b(?:has|have)\s+(?:now\s+|recently\s+|also\s+)?\w+ed\b[^.;]{0,160}?\s(?:and|as\s+well\s+as)"
    r"\s+(?:also\s+)?(?:\w+ed\b)?(?:\s+[\w-]+){0,3}\s*$",
    re.I,
)
_STATUS = re.compile(r"\b(?:also|already|previously|earlier|formerly)\b", re.I)


def _standing_status(doc: DocState, s: Sentence, d: DateMention, rel_cue: int) -> bool:
    """'CITY, May 2, 2024 - X said its therapy has also been approved by ...': the dateline
    dates the report, and 'also'/'already' make the act a standing status, not its news."""
    end = _dateline_end(doc, s)
    return d.end <= end and bool(_STATUS.search(s.text, end, rel_cue))


def _dateline_end(doc: DocState, s: Sentence) -> int:
    """Where the dateline the frame found ends in this sentence (0 for one without it)."""
    end = doc.frame.dateline_end
    if not s.lead or end is None or not s.start < end:
        return 0
    return min(end - s.start, len(s.text))


def _is_target_date(text: str, d: DateMention) -> bool:
    """'a target action date of March 27, 2021', 'assigned November 25, 2023 as the target
    action date': a PDUFA date is not when anything happened."""
    return bool(
        re.search(
            r"(?:action date|PDUFA|goal date|target date|cutoff)\D{0,20}$", text[: d.start], re.I
        )
        or _TARGET_AFTER.match(text, d.end)
    )


_TARGET_AFTER = re.compile(
    r"\s*,?\s*(?:as|for)\s+(?:the|its|a)\s+(?:[\w-]+\s+){0,2}?"
    r"(?:target|PDUFA|goal|action)\b",
    re.I,
)
