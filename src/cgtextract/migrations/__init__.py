"""Alembic migrations of the cgtextract database, shipped inside the package.

`Store(url)` runs them programmatically (`upgrade head`); `cgtextract init --upgrade` does
the same on request. Revision 0001 is the schema cgtextract 0.1.0 created before Alembic was
used, so such a database is stamped 0001 and then upgraded. New revision files go in
`versions/`, named `NNNN_what.py`, and `store.SCHEMA_REVISION` names the newest one.
"""
