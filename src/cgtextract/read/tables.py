"""Table rows: each row of a regulatory table is one unit whose columns say which cell is the
product, the company, the agency, the date and the act.

Round-ups end with summary tables, regulators publish lists of accepted applications and
licences, releases give a product's regulatory history as a table. A row's act comes from its
action cell, else from the line that introduces the table ('Part B. Implied clinical trial
licences'); its date from its date column, resolved against the text's date.
"""

from __future__ import annotations

import re

from cgtextract.read.attach import regulators_of
from cgtextract.read.companies import clean_company
from cgtextract.read.document import Cue, DocState, Draft, Product, Why
from cgtextract.read.layout import Sentence, cell
from cgtextract.read.mentions import diseases_in
from cgtextract.read.products import ProductMention, norm
from cgtextract.read.triggers import find_cues


def table_drafts(
    doc: DocState, products: dict[int, Product], mention_of: dict[str, int]
) -> list[Draft]:
    """One draft per act and product of every table row."""
    drafts: list[Draft] = []
    for s in doc.frame.sentences:
        if not s.cells or s.boilerplate:
            continue
        names = _row_products(doc, s)
        if not names:
            continue
        key = mention_of[norm(names[0].name)]
        company = cell(s, "company")
        if company and products[key].owner is None:
            products[key].owner = clean_company(re.split(r"\s+/\s+|;", company.text)[0])
            products[key].owner_why = Why("tables", "company_column", company.start, company.end)
        date_cell = cell(s, "date")
        for cue in _row_cues(doc, s):
            when = _row_date(doc, s)
            indication = cell(s, "indication")
            inds = [indication.text] if indication else diseases_in(doc, s, s.start, s.end)
            # a row that names no disease is about what the product is for in the text
            fallback = not inds and bool(products[key].diseases)
            inds = inds or list(products[key].diseases[0]) if fallback else inds
            kind = cue.kind if cue.event_type == "designation" else None
            why = {
                "event_type": Why("tables", cue.rule, cue.start, cue.end),
                "product": Why("tables", "product_column", names[0].start, names[0].end),
                "indications": Why(
                    "tables",
                    "indication_column"
                    if indication
                    else ("diseases_the_product_is_for" if fallback else "row"),
                ),
            }
            if when[0] and date_cell:
                why["date"] = Why("tables", "date_column", date_cell.start, date_cell.end)
            for reg in regulators_of(doc, s, cue) or _intro_regulators(doc, s, cue):
                why["regulator"] = cue.why.get("regulator", Why("tables", "introduction_agency"))
                draft = Draft(key, names[0].name, reg, cue.event_type, kind, *when, s, inds)
                draft.why = dict(why)
                drafts.append(draft)
    return drafts


def _row_products(doc: DocState, s: Sentence) -> list[ProductMention]:
    """The product column's names; a table without one ('Regulatory history of VELTRA in
    Japan': Date | Milestone) is about the product its introduction, else the text, names."""
    product_cell = cell(s, "product")
    if product_cell is not None:
        return [m for m in doc.products[s.idx] if product_cell.start <= m.start < product_cell.end]
    if s.table_intro is not None:
        for x in reversed(doc.frame.sentences[: s.table_intro + 1]):
            if doc.products[x.idx] and not x.cells:
                return doc.products[x.idx][:1]
    return []


def _row_cues(doc: DocState, s: Sentence) -> list[Cue]:
    """The row's own acts, else those of the line that introduces its table."""
    cues = find_cues(doc, s)
    if cues or s.table_intro is None:
        return cues
    intro = doc.frame.sentences[s.table_intro]
    return [
        Cue(c.kind, c.event_type, c.start, c.end, "table_introduction")
        for c in find_cues(doc, intro)
    ]


def _intro_regulators(doc: DocState, s: Sentence, cue: Cue) -> list[str]:
    if s.table_intro is None:
        return []
    intro = doc.frame.sentences[s.table_intro]
    return regulators_of(doc, intro, cue)


def _row_date(doc: DocState, s: Sentence) -> tuple[str | None, str | None, bool]:
    """The date column's date, resolved against the nearest anchor; else none."""
    c = cell(s, "date")
    if c is None:
        return None, None, False
    anchor = doc.frame.anchor(s.para, s.start)
    for d in s.dates:
        if c.start <= s.start + d.start < c.end:
            r = d.resolve(None) if d.absolute else d.resolve(anchor)
            if r:
                return r[0], r[1], True
    year = re.fullmatch(r"((?:19|20)\d{2})", c.text.strip())
    if year:  # a bare year in a date column
        return year.group(1), "year", True
    return None, None, False
