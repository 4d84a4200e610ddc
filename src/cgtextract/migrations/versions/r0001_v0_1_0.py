"""The schema of cgtextract 0.1.0, exactly as its store created it before Alembic.

A database created by 0.1.0 has these tables but no `alembic_version`; the store stamps it
with this revision and upgrades from here. Frozen: never edit, add a revision instead.

Revision ID: 0001
Revises:
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

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


def upgrade() -> None:
    """Create articles, events, mentions, their indexes and the events_flat view."""
    op.create_table(
        "articles",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("final_url", sa.Text(), nullable=True),
        sa.Column("title", sa.Text(), nullable=True),
        sa.Column("published", sa.Date(), nullable=True),
        sa.Column("fetched_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("content_hash", sa.String(64), nullable=True),
        sa.Column("text", sa.Text(), nullable=True),
        sa.Column("etag", sa.Text(), nullable=True),
        sa.Column("last_modified", sa.Text(), nullable=True),
        sa.Column("http_status", sa.Integer(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("url"),
    )
    op.create_table(
        "events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("product_key", sa.Text(), nullable=False),
        sa.Column("regulator", sa.String(32), nullable=False),
        sa.Column("kind", sa.String(64), nullable=False),
        sa.Column("date_key", sa.String(16), nullable=False),
        sa.Column("company", sa.Text(), nullable=True),
        sa.Column("product", sa.Text(), nullable=False),
        sa.Column("product_aliases", sa.Text(), nullable=False),
        sa.Column("target", sa.Text(), nullable=True),
        sa.Column("modality", sa.String(32), nullable=True),
        sa.Column("allogeneic", sa.Boolean(), nullable=True),
        sa.Column("event_type", sa.String(32), nullable=False),
        sa.Column("designation", sa.String(64), nullable=True),
        sa.Column("date", sa.String(16), nullable=True),
        sa.Column("date_precision", sa.String(16), nullable=True),
        sa.Column("date_start", sa.String(10), nullable=True),
        sa.Column("date_end", sa.String(10), nullable=True),
        sa.Column("indications", sa.Text(), nullable=False),
        sa.Column("first_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint(
            "product_key", "regulator", "kind", "date_key", name="uq_events_identity"
        ),
    )
    for column in ("date", "regulator", "product_key", "company", "event_type", "date_start"):
        op.create_index(f"ix_events_{column}", "events", [column])
    op.create_table(
        "mentions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("article_id", sa.Integer(), nullable=False),
        sa.Column("evidence", sa.Text(), nullable=False),
        sa.Column("evidence_start", sa.Integer(), nullable=True),
        sa.Column("evidence_end", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("event_id", "article_id", "evidence_start", name="uq_mentions_place"),
        sa.ForeignKeyConstraint(["event_id"], ["events.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["article_id"], ["articles.id"], ondelete="CASCADE"),
    )
    op.create_index("ix_mentions_article_id", "mentions", ["article_id"])
    op.execute(f"CREATE VIEW events_flat AS {_VIEW_V1}")


def downgrade() -> None:
    """Drop everything 0.1.0 created."""
    op.execute("DROP VIEW IF EXISTS events_flat")
    op.drop_table("mentions")
    op.drop_table("events")
    op.drop_table("articles")
