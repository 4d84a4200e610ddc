"""The reader: a cleaned article in, validated regulatory events out.

The stages run in order, each in its own module: layout (title, dateline, paragraphs,
sentences, sections), mentions (vocabulary spans, product names, diseases), resolve
(product clusters, owners and profiles), triggers and attach (each regulatory act with its
product, agency, date and indications; tables: the same for each table row), assemble
(validated events, duplicates collapsed).
"""

from __future__ import annotations

from cgtextract.models import Article, Event
from cgtextract.read.assemble import assemble
from cgtextract.read.attach import (
    date_round_up,
    draft_events,
    headline_drafts,
    specified_approvals,
)
from cgtextract.read.document import DocState, Why
from cgtextract.read.mentions import read_mentions
from cgtextract.read.resolve import cluster_products, profile_products
from cgtextract.read.tables import table_drafts

__all__ = ["Why", "explain", "extract"]


def extract(article: Article) -> list[Event]:
    """Read one article and return its events (SCHEMA.md), duplicates collapsed."""
    return [event for event, _ in explain(article)]


def explain(article: Article) -> list[tuple[Event, dict[str, Why]]]:
    """The events of an article, each with the stage, rule and text span that chose each of
    its fields (what `cgtextract extract --explain` prints)."""
    doc = DocState(article)
    read_mentions(doc)
    products, mention_of = cluster_products(doc)
    profile_products(doc, products, mention_of)
    drafts = draft_events(doc, products, mention_of)
    drafts += table_drafts(doc, products, mention_of)
    headline_drafts(doc, products, mention_of, drafts)
    drafts = specified_approvals(drafts)
    date_round_up(doc, drafts)
    return assemble(doc, products, drafts)
