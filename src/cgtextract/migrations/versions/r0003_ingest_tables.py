"""The ingest tables under Alembic; product names keyed as the reader keys them.

- runs, feed_state, url_state: created here. Until now `ingest` made them itself on first
  use (SQLAlchemy's create_all), so a database that ran `ingest` already has them: they
  are adopted as they are, rows included (only a missing index is added).
- events.product_key and event_names.name_key: recomputed with the one product-name key of
  the project (`cgtextract.names.normalize_product`), which also drops underscores, commas,
  apostrophes, parentheses and the minus sign (`ABC_101` is `abc101`, as the reader has it).
  Two events stored apart only because their names differed that way stay two rows.

Downgrade puts back 0002's product keys and leaves the ingest tables: the 0002 code
creates them itself when they are missing and uses them as they are when present.

Revision ID: 0003
Revises: 0002
Create Date: 2027-01-10
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

# Frozen copies: a migration must not change when the live code does.
_NOISE_0002 = re.compile(r"[\s\-\u2010-\u2015.®™]+")
_NOISE_0003 = re.compile(r"[\s\-\u2010-\u2015\u2212_.,'\u2018\u2019()®™]+")
_COUNTERS = (
    "sources",
    "sources_failed",
    "discovered",
    "fetched",
    "unchanged",
    "skipped",
    "failed",
    "stored",
    "events_new",
    "events_updated",
)
_URL_STATE_INDEXES = {"ix_url_state_source": ["source"], "ix_url_state_status": ["status"]}


def _tables() -> dict[str, list[sa.Column[Any]]]:
    when = sa.DateTime(timezone=True)
    return {
        "runs": [
            sa.Column("id", sa.Integer(), primary_key=True),
            sa.Column("started_at", when, nullable=False),
            sa.Column("finished_at", when, nullable=True),
            sa.Column("status", sa.String(16), nullable=False),
            sa.Column("config", sa.Text(), nullable=True),
            sa.Column("pid", sa.Integer(), nullable=True),
            *(sa.Column(name, sa.Integer(), nullable=False) for name in _COUNTERS),
            sa.Column("seconds", sa.Float(), nullable=True),
            sa.Column("message", sa.Text(), nullable=True),
        ],
        "feed_state": [
            sa.Column("url", sa.Text(), primary_key=True),
            sa.Column("source", sa.Text(), nullable=False),
            sa.Column("etag", sa.Text(), nullable=True),
            sa.Column("last_modified", sa.Text(), nullable=True),
            sa.Column("http_status", sa.Integer(), nullable=True),
            sa.Column("items", sa.Integer(), nullable=True),
            sa.Column("checked_at", when, nullable=True),
            sa.Column("error", sa.Text(), nullable=True),
        ],
        "url_state": [
            sa.Column("url", sa.Text(), primary_key=True),
            sa.Column("fetch_url", sa.Text(), nullable=False),
            sa.Column("source", sa.Text(), nullable=False),
            sa.Column("status", sa.String(16), nullable=False),
            sa.Column("attempts", sa.Integer(), nullable=False),
            sa.Column("error", sa.Text(), nullable=True),
            sa.Column("final_url", sa.Text(), nullable=True),
            sa.Column("etag", sa.Text(), nullable=True),
            sa.Column("last_modified", sa.Text(), nullable=True),
            sa.Column("content_hash", sa.String(64), nullable=True),
            sa.Column("hint_seen", sa.Text(), nullable=True),
            sa.Column("hint_done", sa.Text(), nullable=True),
            sa.Column("first_seen_at", when, nullable=False),
            sa.Column("last_attempt_at", when, nullable=True),
            sa.Column("done_at", when, nullable=True),
            sa.Column("run_id", sa.Integer(), nullable=True),
        ],
    }


def upgrade() -> None:
    """Create or adopt the ingest tables; re-key the product names."""
    bind = op.get_bind()
    inspector = sa.inspect(bind)
    existing = set(inspector.get_table_names())
    for name, columns in _tables().items():
        if name not in existing:
            op.create_table(name, *columns)
    indexes = {i["name"] for i in sa.inspect(bind).get_indexes("url_state")}
    for index, indexed in _URL_STATE_INDEXES.items():
        if index not in indexes:
            op.create_index(index, "url_state", indexed)
    _rekey(bind, lambda name: _NOISE_0003.sub("", name).lower())


def downgrade() -> None:
    """0002's product keys again; the ingest tables stay (0002's ingest adopts them)."""
    _rekey(op.get_bind(), lambda name: _NOISE_0002.sub("", name).lower())


def _rekey(conn: sa.Connection, key: Callable[[str], str]) -> None:
    """Set every event's product_key and event_names to `key` of its product and aliases,
    writing only what changes."""
    events = sa.table(
        "events",
        sa.column("id", sa.Integer()),
        sa.column("product", sa.Text()),
        sa.column("product_key", sa.Text()),
        sa.column("product_aliases", sa.Text()),
    )
    names = sa.table(
        "event_names", sa.column("event_id", sa.Integer()), sa.column("name_key", sa.Text())
    )
    known: dict[int, set[str]] = {}
    for event_id, name_key in conn.execute(sa.select(names.c.event_id, names.c.name_key)):
        known.setdefault(event_id, set()).add(name_key)
    new_keys: list[dict[str, object]] = []
    dropped: list[dict[str, object]] = []
    added: list[dict[str, object]] = []
    for row in conn.execute(sa.select(events)).mappings():
        product_key = key(row["product"])
        if product_key != row["product_key"]:
            new_keys.append({"_id": row["id"], "_key": product_key})
        aliases = json.loads(row["product_aliases"] or "[]")
        wanted = {product_key, *(key(a) for a in aliases)} - {""}
        have = known.get(row["id"], set())
        dropped += [{"_id": row["id"], "_key": k} for k in sorted(have - wanted)]
        added += [{"event_id": row["id"], "name_key": k} for k in sorted(wanted - have)]
    if new_keys:
        conn.execute(
            events.update()
            .where(events.c.id == sa.bindparam("_id"))
            .values(product_key=sa.bindparam("_key")),
            new_keys,
        )
    if dropped:
        conn.execute(
            names.delete().where(
                names.c.event_id == sa.bindparam("_id"), names.c.name_key == sa.bindparam("_key")
            ),
            dropped,
        )
    if added:
        conn.execute(names.insert(), added)
