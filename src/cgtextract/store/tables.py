"""The store's tables: articles, events, mentions, event_names (and the events_flat view,
made by the migrations).

These classes are the head schema: Alembic's autogenerate compares them with the migrations
(a test checks they match), and the store reads and writes through the Core tables below.
They are private to the store package: callers get the Pydantic models of `models.py`.
"""

from __future__ import annotations

from datetime import date as Date
from datetime import datetime
from typing import cast

from sqlalchemy import (
    Boolean,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

__all__ = [
    "ARTICLES",
    "EVENTS",
    "EVENT_NAMES",
    "MENTIONS",
    "OWN_TABLES",
    "ArticleRow",
    "Base",
    "EventNameRow",
    "EventRow",
    "MentionRow",
    "metadata",
]


class Base(DeclarativeBase):
    """The declarative base of the store's tables."""


metadata = Base.metadata
"""The head schema, for Alembic's autogenerate and for the test that migrations match it."""


class ArticleRow(Base):
    __tablename__ = "articles"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # The source as given (path or URL): the same string events carry in `source`.
    url: Mapped[str] = mapped_column(Text, unique=True)
    final_url: Mapped[str | None] = mapped_column(Text)
    title: Mapped[str | None] = mapped_column(Text)
    published: Mapped[Date | None]
    fetched_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    content_hash: Mapped[str | None] = mapped_column(String(64))
    text: Mapped[str | None] = mapped_column(Text)
    etag: Mapped[str | None] = mapped_column(Text)
    last_modified: Mapped[str | None] = mapped_column(Text)
    http_status: Mapped[int | None] = mapped_column(Integer)
    error: Mapped[str | None] = mapped_column(Text)
    # The page as fetched, zlib-compressed UTF-8 (NULL for plain-text inputs).
    raw_html: Mapped[bytes | None] = mapped_column(LargeBinary)
    extractor_version: Mapped[str | None] = mapped_column(String(64))
    extracted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


_PG_NULLS_FIRST = {"date_start": "NULLS FIRST"}


class EventRow(Base):
    __tablename__ = "events"
    __table_args__ = (
        Index("ix_events_regulator", "regulator"),
        Index("ix_events_event_type", "event_type"),
        Index("ix_events_date", "date"),
        Index("ix_events_date_start", "date_start", postgresql_ops=_PG_NULLS_FIRST),
        Index("ix_events_company", "company"),
        Index("ix_events_product_key", "product_key"),
        # --regulator / --type with a date range, newest first: walk one index backwards
        # and stop at --limit (query() adds a date_start bound that these can use).
        # "Newest first, undated last" is DESC NULLS LAST: SQLite's DESC already puts
        # NULLs last, PostgreSQL's puts them first, so there the index is NULLS FIRST and
        # read backwards (postgresql_ops is the text after the column; SQLite ignores it).
        Index(
            "ix_events_regulator_date_start",
            "regulator",
            "date_start",
            postgresql_ops=_PG_NULLS_FIRST,
        ),
        Index("ix_events_kind_date_start", "kind", "date_start", postgresql_ops=_PG_NULLS_FIRST),
        Index("ix_events_first_published", "first_published"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    product_key: Mapped[str] = mapped_column(Text)
    regulator: Mapped[str] = mapped_column(String(32))
    kind: Mapped[str] = mapped_column(String(64))
    # The date, or '' when undated (0.1.0's identity column; kept so old SQL still runs).
    date_key: Mapped[str] = mapped_column(String(16), default="")
    company: Mapped[str | None] = mapped_column(Text)
    product: Mapped[str] = mapped_column(Text)
    product_aliases: Mapped[str] = mapped_column(Text, default="[]")
    target: Mapped[str | None] = mapped_column(Text)
    modality: Mapped[str | None] = mapped_column(String(32))
    allogeneic: Mapped[bool | None] = mapped_column(Boolean)
    event_type: Mapped[str] = mapped_column(String(32))
    designation: Mapped[str | None] = mapped_column(String(64))
    date: Mapped[str | None] = mapped_column(String(16))
    date_precision: Mapped[str | None] = mapped_column(String(16))
    # First and last day the date can mean (YYYY-MM-DD): for --since/--until and sorting.
    date_start: Mapped[str | None] = mapped_column(String(10))
    date_end: Mapped[str | None] = mapped_column(String(10))
    indications: Mapped[str] = mapped_column(Text, default="[]")
    first_seen_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    # JSON: field -> the article (source) its value came from; list fields: item -> source.
    field_sources: Mapped[str] = mapped_column(Text, default="{}", server_default="{}")
    # JSON: field -> [{"value", "source"}] that other articles gave; NULL when all agree.
    conflicts: Mapped[str | None] = mapped_column(Text)
    extractor_version: Mapped[str | None] = mapped_column(String(64))
    # The earliest publication date among the articles that report the event.
    first_published: Mapped[Date | None]


class EventNameRow(Base):
    """Every normalized name an event is known by: finds the row for any alias in one lookup."""

    __tablename__ = "event_names"
    __table_args__ = (Index("ix_event_names_name_key", "name_key"),)

    event_id: Mapped[int] = mapped_column(
        ForeignKey("events.id", ondelete="CASCADE"), primary_key=True
    )
    name_key: Mapped[str] = mapped_column(Text, primary_key=True)


class MentionRow(Base):
    __tablename__ = "mentions"
    __table_args__ = (
        UniqueConstraint("event_id", "article_id", "evidence_start", name="uq_mentions_place"),
        Index("ix_mentions_article_id", "article_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"))
    evidence: Mapped[str] = mapped_column(Text)
    # Not `start`/`end`: END is a reserved word, and these names match `Event`.
    evidence_start: Mapped[int | None] = mapped_column(Integer)
    evidence_end: Mapped[int | None] = mapped_column(Integer)
    # JSON: the event as this article reported it (company, product, aliases, target,
    # modality, allogeneic, date, date_precision, indications).
    reported: Mapped[str | None] = mapped_column(Text)
    extractor_version: Mapped[str | None] = mapped_column(String(64))


ARTICLES = cast(Table, ArticleRow.__table__)
EVENTS = cast(Table, EventRow.__table__)
MENTIONS = cast(Table, MentionRow.__table__)
EVENT_NAMES = cast(Table, EventNameRow.__table__)

OWN_TABLES = frozenset({*metadata.tables, "alembic_version"})
"""The tables the store owns; the ingest keeps its own beside them (cgtextract.ingest.state)."""
