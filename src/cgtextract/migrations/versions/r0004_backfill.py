"""backfill_warcs: one row per WARC file a backfill has read or is reading.

`cgtextract backfill` records each WARC's address, size and ETag, the extractor version that
read it, its counts (records seen, passed by the prefilter, read, failed; articles stored,
captures older than the stored article, events) and its status, so that a finished WARC is
skipped by the next run unless the extractor changed.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-05
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create backfill_warcs."""
    op.create_table(
        "backfill_warcs",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("uri", sa.Text, nullable=False),
        sa.Column("size", sa.BigInteger),
        sa.Column("etag", sa.String(256)),
        sa.Column("extractor_version", sa.String(64), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("records_seen", sa.Integer, nullable=False, server_default="0"),
        sa.Column("records_passed", sa.Integer, nullable=False, server_default="0"),
        sa.Column("records_read", sa.Integer, nullable=False, server_default="0"),
        sa.Column("records_failed", sa.Integer, nullable=False, server_default="0"),
        sa.Column("articles_stored", sa.Integer, nullable=False, server_default="0"),
        sa.Column("articles_older", sa.Integer, nullable=False, server_default="0"),
        sa.Column("events", sa.Integer, nullable=False, server_default="0"),
        sa.Column("seconds", sa.Float),
        sa.Column("error", sa.Text),
        sa.Column("started_at", sa.DateTime(timezone=True)),
        sa.Column("finished_at", sa.DateTime(timezone=True)),
    )
    op.create_index("ix_backfill_warcs_uri", "backfill_warcs", ["uri"], unique=True)


def downgrade() -> None:
    """Drop backfill_warcs (the events it stored stay)."""
    op.drop_index("ix_backfill_warcs_uri", table_name="backfill_warcs")
    op.drop_table("backfill_warcs")
