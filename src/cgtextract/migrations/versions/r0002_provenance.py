"""Provenance, conflicts, extractor versions, raw HTML, alias lookup, query indexes.

- articles: `raw_html` (zlib-compressed page), `extractor_version`, `extracted_at`.
- events: `field_sources`, `conflicts`, `extractor_version`, `first_published`; the UNIQUE
  identity key goes (a refined date must be able to update a row in place; writers
  serialize instead), and indexes for the common filters come.
- mentions: `reported` (the event as that article reported it), `extractor_version`.
- event_names: every normalized name (product and aliases) of each event.
- events_flat: the new columns appended; the old ones keep their order.

Existing rows are backfilled: each mention's `reported` is its event row (the best that is
known), `field_sources` points every known field at the event's first mention, and
`event_names` and `first_published` are computed. Nothing is deleted.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25
"""

from __future__ import annotations

import json
import re
from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

# Frozen copies: a migration must not change when the live code does.
_PRODUCT_NOISE = re.compile(r"[\s\-\u2010-\u2015.®™]+")

_VIEW_V1 = """
SELECT
    e.id, e.company, e.product, e.product_aliases, e.target, e.modality, e.allogeneic,
    e.regulator, e.event_type, e.designation, e.date, e.date_precision, e.indications,
    e.first_seen_at, e.updated_at,
    (SELECT COUNT(*) FROM mentions m WHERE m.event_id = e.id) AS mention_count,
    (SELECT a.url FROM mentions m JOIN articles a ON a.id = m.article_id
      WHERE m.event_id = e.id ORDER BY m.id LIMIT 1) AS first_source,
    (SELECT m.evidence FROM mentions m
      WHERE m.event_id = e.id ORDER BY m.id LIMIT 1) AS first_evidence
FROM events e
"""

_VIEW_V2 = """
SELECT
    e.id, e.company, e.product, e.product_aliases, e.target, e.modality, e.allogeneic,
    e.regulator, e.event_type, e.designation, e.date, e.date_precision, e.indications,
    e.first_seen_at, e.updated_at,
    (SELECT COUNT(*) FROM mentions m WHERE m.event_id = e.id) AS mention_count,
    (SELECT a.url FROM mentions m JOIN articles a ON a.id = m.article_id
      WHERE m.event_id = e.id ORDER BY m.id LIMIT 1) AS first_source,
    (SELECT m.evidence FROM mentions m
      WHERE m.event_id = e.id ORDER BY m.id LIMIT 1) AS first_evidence,
    e.kind, e.date_start, e.date_end, e.first_published, e.conflicts, e.field_sources,
    e.extractor_version
FROM events e
"""

# For the filters `query` offers, measured with scripts/bench_query.py at 100,000 events.
# Newest first, undated last is DESC NULLS LAST: on PostgreSQL an index read backwards gives
# that only when it is NULLS FIRST (postgresql_ops is written after the column; SQLite has
# NULLs last in DESC already and ignores the option).
_NEW_EVENT_INDEXES = {
    "ix_events_regulator_date_start": ["regulator", "date_start"],
    "ix_events_kind_date_start": ["kind", "date_start"],
    "ix_events_first_published": ["first_published"],
}
_PG_NULLS_FIRST = {"date_start": "NULLS FIRST"}


def _normalize_product(name: str) -> str:
    return _PRODUCT_NOISE.sub("", name).lower()


def upgrade() -> None:
    """Add the columns and table, backfill them, recreate the view."""
    op.execute("DROP VIEW IF EXISTS events_flat")

    op.add_column("articles", sa.Column("raw_html", sa.LargeBinary(), nullable=True))
    op.add_column("articles", sa.Column("extractor_version", sa.String(64), nullable=True))
    op.add_column("articles", sa.Column("extracted_at", sa.DateTime(timezone=True), nullable=True))

    # SQLite cannot drop a constraint in place: batch mode rebuilds the table (the store
    # switches foreign keys off around migrations, so mentions keep their rows).
    with op.batch_alter_table("events") as batch:
        batch.drop_constraint("uq_events_identity", type_="unique")
        batch.add_column(sa.Column("field_sources", sa.Text(), nullable=False, server_default="{}"))
        batch.add_column(sa.Column("conflicts", sa.Text(), nullable=True))
        batch.add_column(sa.Column("extractor_version", sa.String(64), nullable=True))
        batch.add_column(sa.Column("first_published", sa.Date(), nullable=True))
    for name, columns in _NEW_EVENT_INDEXES.items():
        op.create_index(name, "events", columns, postgresql_ops=_PG_NULLS_FIRST)
    if op.get_bind().dialect.name == "postgresql":
        # 0001's plain index cannot serve "newest first, undated last" there (see above)
        op.drop_index("ix_events_date_start", table_name="events")
        op.create_index(
            "ix_events_date_start", "events", ["date_start"], postgresql_ops=_PG_NULLS_FIRST
        )

    op.add_column("mentions", sa.Column("reported", sa.Text(), nullable=True))
    op.add_column("mentions", sa.Column("extractor_version", sa.String(64), nullable=True))

    op.create_table(
        "event_names",
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("name_key", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["event_id"], ["events.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("event_id", "name_key"),
    )
    op.create_index("ix_event_names_name_key", "event_names", ["name_key"])

    _backfill(op.get_bind())
    op.execute(f"CREATE VIEW events_flat AS {_VIEW_V2}")


def _backfill(conn: sa.Connection) -> None:
    events = sa.table(
        "events",
        sa.column("id", sa.Integer()),
        sa.column("product_key", sa.Text()),
        sa.column("company", sa.Text()),
        sa.column("product", sa.Text()),
        sa.column("product_aliases", sa.Text()),
        sa.column("target", sa.Text()),
        sa.column("modality", sa.Text()),
        sa.column("allogeneic", sa.Boolean()),
        sa.column("date", sa.Text()),
        sa.column("date_precision", sa.Text()),
        sa.column("indications", sa.Text()),
        sa.column("field_sources", sa.Text()),
        sa.column("first_published", sa.Date()),
    )
    mentions = sa.table(
        "mentions",
        sa.column("id", sa.Integer()),
        sa.column("event_id", sa.Integer()),
        sa.column("article_id", sa.Integer()),
        sa.column("reported", sa.Text()),
    )
    articles = sa.table(
        "articles",
        sa.column("id", sa.Integer()),
        sa.column("url", sa.Text()),
        sa.column("published", sa.Date()),
    )
    names = sa.table("event_names", sa.column("event_id", sa.Integer()), sa.column("name_key"))

    first_source = dict(
        conn.execute(
            sa.select(mentions.c.event_id, articles.c.url)
            .join(articles, articles.c.id == mentions.c.article_id)
            .where(
                mentions.c.id.in_(
                    sa.select(sa.func.min(mentions.c.id)).group_by(mentions.c.event_id)
                )
            )
        ).all()
    )
    published: dict[int, Any] = dict(
        conn.execute(
            sa.select(mentions.c.event_id, sa.func.min(articles.c.published))
            .join(articles, articles.c.id == mentions.c.article_id)
            .group_by(mentions.c.event_id)
        ).all()
    )
    rows = conn.execute(sa.select(events)).mappings().all()
    name_rows: list[dict[str, Any]] = []
    event_rows: list[dict[str, Any]] = []
    reported: dict[int, str] = {}
    for row in rows:
        aliases = json.loads(row["product_aliases"] or "[]")
        indications = json.loads(row["indications"] or "[]")
        keys = {row["product_key"], *(_normalize_product(a) for a in aliases)} - {""}
        name_rows += [{"event_id": row["id"], "name_key": k} for k in sorted(keys)]
        report = {
            "company": row["company"],
            "product": row["product"],
            "product_aliases": aliases,
            "target": row["target"],
            "modality": row["modality"],
            "allogeneic": row["allogeneic"],
            "date": row["date"],
            "date_precision": row["date_precision"],
            "indications": indications,
        }
        reported[row["id"]] = json.dumps(report, ensure_ascii=False)
        source = first_source.get(row["id"])
        sources: dict[str, Any] = {}
        if source is not None:
            sources = {
                k: source
                for k in ("product", "company", "target", "modality", "allogeneic", "date")
                if report[k] is not None
            }
            if aliases:
                sources["product_aliases"] = {a: source for a in aliases}
            if indications:
                sources["indications"] = {i: source for i in indications}
        event_rows.append(
            {
                "_id": row["id"],
                "_sources": json.dumps(sources, ensure_ascii=False),
                "_published": published.get(row["id"]),
            }
        )
    # executemany: one statement per table, not one round trip per row
    if event_rows:
        conn.execute(
            events.update()
            .where(events.c.id == sa.bindparam("_id"))
            .values(
                field_sources=sa.bindparam("_sources"),
                first_published=sa.bindparam("_published"),
            ),
            event_rows,
        )
    if name_rows:
        conn.execute(names.insert(), name_rows)
    if reported:
        conn.execute(
            mentions.update()
            .where(mentions.c.event_id == sa.bindparam("_id"))
            .values(reported=sa.bindparam("_reported")),
            [{"_id": k, "_reported": v} for k, v in reported.items()],
        )


def downgrade() -> None:
    """Back to 0.1.0's schema; fails if two events now share 0.1.0's identity key."""
    op.execute("DROP VIEW IF EXISTS events_flat")
    op.drop_index("ix_event_names_name_key", table_name="event_names")
    op.drop_table("event_names")
    with op.batch_alter_table("mentions") as batch:
        batch.drop_column("extractor_version")
        batch.drop_column("reported")
    for name in _NEW_EVENT_INDEXES:
        op.drop_index(name, table_name="events")
    if op.get_bind().dialect.name == "postgresql":
        op.drop_index("ix_events_date_start", table_name="events")
        op.create_index("ix_events_date_start", "events", ["date_start"])
    with op.batch_alter_table("events") as batch:
        batch.drop_column("first_published")
        batch.drop_column("extractor_version")
        batch.drop_column("conflicts")
        batch.drop_column("field_sources")
        batch.create_unique_constraint(
            "uq_events_identity", ["product_key", "regulator", "kind", "date_key"]
        )
    with op.batch_alter_table("articles") as batch:
        batch.drop_column("extracted_at")
        batch.drop_column("extractor_version")
        batch.drop_column("raw_html")
    op.execute(f"CREATE VIEW events_flat AS {_VIEW_V1}")
