"""Alembic environment: runs on the connection `cgtextract.store` hands in.

`Store` opens the transaction, takes the migration lock and passes its connection as
`config.attributes["connection"]`; everything then runs inside that one transaction, so a
failed upgrade leaves the database as it was. Run by hand (`alembic -x url=...` with a config
whose `script_location` is `cgtextract:migrations`), it opens its own engine.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection, create_engine

from cgtextract.ingest.state import metadata as ingest_metadata
from cgtextract.store import OWN_TABLES, metadata

config = context.config
MIGRATED_TABLES = OWN_TABLES | set(ingest_metadata.tables)
"""Every table the migrations make: the store's and the ingest's."""


def _include_name(name: str | None, type_: str, _parent: object) -> bool:
    # Other tools may keep their own tables in the same database; autogenerate must
    # neither drop nor alter them.
    return type_ != "table" or name in MIGRATED_TABLES


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=[metadata, ingest_metadata],
        include_name=_include_name,
        render_as_batch=connection.dialect.name == "sqlite",
    )
    with context.begin_transaction():
        context.run_migrations()


given = config.attributes.get("connection")
if given is not None:
    _run(given)
else:
    url = context.get_x_argument(as_dictionary=True).get("url") or config.get_main_option(
        "sqlalchemy.url"
    )
    if not url:
        raise SystemExit("give the database as: alembic -x url=sqlite:///cgtextract.db ...")
    engine = create_engine(url)
    with engine.connect() as conn:
        _run(conn)
    engine.dispose()
