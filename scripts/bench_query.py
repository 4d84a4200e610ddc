#!/usr/bin/env python3
"""Query latency of the event database at 100,000 events.

    python scripts/bench_query.py                       # SQLite file in a temp dir
    python scripts/bench_query.py --db postgresql+psycopg://user:pw@127.0.0.1/db --json
    python scripts/bench_query.py --events 20000 --runs 10

Fills a fresh database with N generated events (one article per 5 events, one mention per
event, the alias table; bulk INSERTs in one transaction, not `Store.save`, so filling takes
seconds), runs ANALYZE, then times `Store.query(...)` for a few typical filters: the median,
and the 90th percentile, over `--runs` runs after one warm-up. Each query builds the
`Event` models, as the CLI does. On SQLite it also times the checks `run` and `ingest`
(`PRAGMA quick_check`) and `init` (`PRAGMA integrity_check`) make when they open the file,
each on a fresh connection. Prints a table, or JSON with `--json`.

On PostgreSQL give a database (or schema) of its own: the script empties nothing first and
refuses a database that already has events.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import insert, text

from cgtextract.names import normalize_product
from cgtextract.store import Store
from cgtextract.store.identity import date_bounds
from cgtextract.store.tables import ARTICLES, EVENT_NAMES, EVENTS, MENTIONS

REGULATORS = {
    "FDA": 45,
    "EMA": 12,
    "NMPA": 12,
    "EC": 6,
    "PMDA": 5,
    "MHLW": 5,
    "MHRA": 4,
    "HC": 3,
    "TGA": 2,
    "MFDS": 2,
    "ANVISA": 1,
    "Swissmedic": 1,
    "CDSCO": 1,
    "other": 1,
}
EVENT_TYPES = {
    "designation": 40,
    "ind_submission": 12,
    "ind_clearance": 18,
    "marketing_submission": 5,
    "marketing_acceptance": 5,
    "approval": 8,
    "crl": 2,
    "clinical_hold": 5,
    "clinical_hold_lift": 5,
}
DESIGNATIONS = [
    "orphan_drug",
    "rare_pediatric_disease",
    "fast_track",
    "breakthrough_therapy",
    "rmat",
    "prime",
    "priority_review",
]
MODALITIES = [
    "car_t",
    "car_nk",
    "tcr_t",
    "til",
    "nk_cell",
    "msc",
    "ipsc_derived",
    "aav",
    "lentiviral",
    "gene_editing",
    "hsc_gene_therapy",
    "in_vivo_car",
    None,
]
TARGETS = ["BCMA", "CD19", "CD19/BCMA", "GPC3", "CLDN18.2", "SMN1", "F9", "HBB", None]
COMPANIES = [
    f"{a} {b}"
    for a in ("Alpha", "Beta", "Gamma", "Delta", "Sigma", "Nova", "Cell", "Gene", "Bio", "Thera")
    for b in ("Therapeutics", "Bio", "Biotech", "Pharma", "Medicines")
]
FIRST_DAY = date(2010, 1, 1)
DAYS = (date(2025, 12, 31) - FIRST_DAY).days

QUERY_INDEXES = (
    "ix_events_regulator_date_start",
    "ix_events_kind_date_start",
    "ix_event_names_name_key",
)
QUERIES: dict[str, dict[str, Any]] = {
    "regulator=FDA, since=2025-01 (all rows)": {"regulator": "FDA", "since": "2025-01"},
    "regulator=FDA, since=2025-01, limit 50": {"regulator": "FDA", "since": "2025-01", "limit": 50},
    "type=rmat, since=2024": {"event_type": "rmat", "since": "2024"},
    "product=P0042 (substring, aliases)": {"product": "P0042"},
    "newest 50, no filter": {"limit": 50},
}


def pick(weights: dict[str, int], rng: random.Random) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def a_date(rng: random.Random) -> tuple[str | None, str | None]:
    day = FIRST_DAY + timedelta(days=rng.randrange(DAYS))
    roll = rng.random()
    if roll < 0.70:
        return day.isoformat(), "day"
    if roll < 0.90:
        return f"{day.year}-{day.month:02d}", "month"
    if roll < 0.95:
        return f"{day.year}-Q{(day.month - 1) // 3 + 1}", "quarter"
    if roll < 0.98:
        return str(day.year), "year"
    return None, None


def fill(store: Store, n: int, seed: int = 7) -> float:
    """Insert n events with their articles, mentions and names; returns seconds taken."""
    rng = random.Random(seed)
    now = datetime.now(UTC)
    articles, events, mentions, names = [], [], [], []
    for a in range(1, n // 5 + 2):
        published = FIRST_DAY + timedelta(days=rng.randrange(DAYS))
        articles.append(
            {
                "id": a,
                "url": f"https://news.example/{a}.html",
                "title": f"Release {a}",
                "published": published,
                "fetched_at": now,
                "text": "Generated.",
            }
        )
    for i in range(1, n + 1):
        regulator, event_type = pick(REGULATORS, rng), pick(EVENT_TYPES, rng)
        designation = rng.choice(DESIGNATIONS) if event_type == "designation" else None
        day, precision = a_date(rng)
        start, end = date_bounds(day) if day else (None, None)
        product = f"P{rng.randrange(n // 4):04d}"
        article_id = (i - 1) // 5 + 1
        source = articles[article_id - 1]["url"]
        events.append(
            {
                "id": i,
                "product_key": normalize_product(product),
                "regulator": regulator,
                "kind": designation or event_type,
                "date_key": day or "",
                "company": rng.choice(COMPANIES),
                "product": product,
                "product_aliases": "[]",
                "target": rng.choice(TARGETS),
                "modality": rng.choice(MODALITIES),
                "allogeneic": rng.choice([True, False, None]),
                "event_type": event_type,
                "designation": designation,
                "date": day,
                "date_precision": precision,
                "date_start": start,
                "date_end": end,
                "indications": json.dumps(["multiple myeloma"]),
                "first_seen_at": now,
                "updated_at": now,
                "field_sources": json.dumps({"product": source}),
                "conflicts": None,
                "extractor_version": "bench",
                "first_published": articles[article_id - 1]["published"],
            }
        )
        mentions.append(
            {
                "id": i,
                "event_id": i,
                "article_id": article_id,
                "evidence": f"Sentence {i}.",
                "evidence_start": i % 500,
                "evidence_end": i % 500 + 11,
                "reported": None,
                "extractor_version": "bench",
            }
        )
        names.append({"event_id": i, "name_key": normalize_product(product)})
    started = time.perf_counter()
    with store.engine.connect() as conn:
        conn.execution_options(cgt_write=True)
        with conn.begin():
            for table, rows in (
                (ARTICLES, articles),
                (EVENTS, events),
                (MENTIONS, mentions),
                (EVENT_NAMES, names),
            ):
                for k in range(0, len(rows), 5000):
                    conn.execute(insert(table), rows[k : k + 5000])
        with conn.begin():
            conn.execute(text("ANALYZE"))
    if store.engine.dialect.name == "postgresql":
        # ids were given explicitly: move the sequences past them for later inserts
        with store.engine.connect() as conn, conn.begin():
            for table in ("articles", "events", "mentions"):
                conn.execute(
                    text(
                        f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                        f"(SELECT MAX(id) FROM {table}))"
                    )
                )
    return time.perf_counter() - started


def bench(store: Store, runs: int) -> list[dict[str, Any]]:
    results = []
    for label, filters in QUERIES.items():
        rows = len(store.query(**filters))  # warm-up, and the result size
        times = []
        for _ in range(runs):
            started = time.perf_counter()
            store.query(**filters)
            times.append((time.perf_counter() - started) * 1000)
        times.sort()
        results.append(
            {
                "query": label,
                "rows": rows,
                "median_ms": round(statistics.median(times), 2),
                "p90_ms": round(times[int(0.9 * (len(times) - 1))], 2),
            }
        )
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", help="SQLAlchemy URL (default: a SQLite file in a temp dir)")
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--json", action="store_true", help="print JSON")
    parser.add_argument(
        "--drop-indexes",
        action="store_true",
        help="drop the query indexes added in schema 0002 (ix_events_regulator_date_start, "
        "ix_events_kind_date_start, ix_event_names_name_key) first, "
        "to see what they are worth",
    )
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory() as tmp:
        url = args.db or f"sqlite:///{Path(tmp) / 'bench.db'}"
        with Store(url) as store:
            if store.counts()["events"]:
                print(
                    "bench_query: the database already has events; give an empty one",
                    file=sys.stderr,
                )
                return 2
            fill_s = fill(store, args.events)
            if args.drop_indexes:
                with store.engine.connect() as conn, conn.begin():
                    for name in QUERY_INDEXES:
                        conn.execute(text(f"DROP INDEX {name}"))
            results = bench(store, args.runs)
            checks = time_checks(store)
            report = {
                "backend": store.engine.dialect.name,
                "events": args.events,
                "runs": args.runs,
                "fill_s": round(fill_s, 2),
                "indexes": not args.drop_indexes,
                "queries": results,
                "checks": checks,
                "file_mb": round(Path(url.removeprefix("sqlite:///")).stat().st_size / 1e6, 1)
                if store.engine.dialect.name == "sqlite"
                else None,
            }
    if args.json:
        print(json.dumps(report, indent=2))
        return 0
    print(
        f"{report['backend']}: {args.events} events filled in {report['fill_s']} s"
        f"{'' if report['indexes'] else ', query indexes dropped'}; "
        f"Store.query median of {args.runs} runs:"
    )
    for r in results:
        print(
            f"  {r['query']:<44} {r['rows']:>6} rows  {r['median_ms']:>8.2f} ms "
            f"(p90 {r['p90_ms']:.2f})"
        )
    for name, ms in checks.items():
        print(f"  PRAGMA {name} of the {report['file_mb']} MB file: {ms:.0f} ms (median of 3)")
    return 0


def time_checks(store: Store) -> dict[str, float]:
    """Milliseconds of Store.check_integrity (quick, then full), each the median of three
    runs on a fresh connection, so the page cache of the queries above does not help it."""
    if store.engine.dialect.name != "sqlite":
        return {}
    out: dict[str, float] = {}
    for name, full in (("quick_check", False), ("integrity_check", True)):
        times = []
        for _ in range(3):
            store.engine.dispose()
            start = time.perf_counter()
            store.check_integrity(full=full)
            times.append((time.perf_counter() - start) * 1000)
        out[name] = round(statistics.median(times), 1)
    return out


if __name__ == "__main__":
    sys.exit(main())
