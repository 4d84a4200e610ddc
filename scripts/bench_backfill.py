#!/usr/bin/env python3
"""Throughput, prefilter pass rates and recall, memory and scaling of `cgtextract backfill`.

    python scripts/bench_backfill.py                      # 20,000 records in 20 WARCs
    python scripts/bench_backfill.py --n 4000 --json      # smaller, machine-readable
    python scripts/bench_backfill.py --out bench-warcs    # keep the WARCs and shards

Generates a WARC mix of realistic 20-60 KB news pages: 1 % CGT regulatory releases (the
press-release generator of scripts/bench.py), 5 % other pharma and biotech news that mentions
the FDA, approvals and trials (small molecules, antibodies, readouts, deals), 94 % general
news (politics, sport, business, weather, tech, culture, science, health), each with the
chrome of a news site: navigation, inline scripts and styles, most-read and related links.
The texts come from templates and word lists below. Then, each phase in a fresh process:

  read        FastWARC + decoding alone, then the prefilter on every HTML record: records/s,
              pass rate per class, recall on the releases
  local1/2    `--engine local` with 1 and 2 workers (reading, prefilter, reader, shards)
  dask1/2     `--engine dask` on a LocalCluster of 1 and 2 single-threaded workers
  noprefilter one WARC of 500 records through the reader without the prefilter
  lost        up to 400 rejected records of each class through the reader: events the
              prefilter cost (should be none)
  corpus      every page of the shared corpus (dev, dev2a, dev2b; --corpus) in a WARC with
              2,000 general pages: every page with a gold event must pass
  store       a whole `backfill` (--workers 2) into a fresh SQLite database

Work time is the span from the first task's start to the last task's end as the workers
saw it: pool and cluster start-up are left out. Needs the backfill and dask extras.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import platform
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from html import escape
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

DEFAULT_N = 20_000
DEFAULT_WARCS = 20
DEFAULT_SEED = 20261205
SHARES = (("cgt", 0.01), ("pharma", 0.05), ("general", 0.94))
ENGINE_PHASES = ("ceiling", "local1", "local2", "dask1", "dask2")
PHASES = (
    "read",
    "ceiling",
    "local1",
    "local2",
    "dask1",
    "dask2",
    "noprefilter",
    "lost",
    "corpus",
    "store",
)
DEFAULT_CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"

# ---------------------------------------------------------------------------------------------
# Vocabulary
# ---------------------------------------------------------------------------------------------
# fmt: off
_SITES = ["dailyledger", "metrotimes", "riverpost", "northstar-news", "citywire", "globepost",
          "harbortribune", "valleyherald", "capitalreport", "eveningstar"]
_PHARMA_SITES = ["pharmadaily", "biotechwire", "drugbusiness", "medpipeline", "lifescireport"]
_SECTIONS = ["politics", "sport", "business", "weather", "technology", "culture", "science",
             "health", "local", "world", "travel", "opinion"]
_FIRST = ["Anna", "Ben", "Carla", "David", "Elena", "Farid", "Grace", "Hiro", "Ines", "Jamal",
          "Katrin", "Luis", "Mei", "Noah", "Olga", "Pedro", "Quinn", "Rosa", "Sam", "Tariq"]
_LAST = ["Abbott", "Baker", "Costa", "Dunn", "Evans", "Fischer", "Gomez", "Hall", "Ito", "Jensen",
         "Khan", "Lopez", "Moreau", "Nakamura", "Okafor", "Petrov", "Quiroga", "Reyes", "Silva"]
_PLACES = ["Springfield", "Riverton", "Lakeside", "Oakmont", "Brookfield", "Fairview", "Greenville",
           "Hillcrest", "Kingsport", "Millbrook", "Northgate", "Westbury", "Ashford", "Clearwater"]
_ORGS = ["the city council", "the state legislature", "the county board", "the school district",
         "the transit authority", "the chamber of commerce", "the parks department",
         "the regional water utility", "the housing agency", "the port authority"]
_TEAMS = ["Rovers", "United", "Falcons", "Mariners", "Wolves", "Comets", "Pioneers", "Titans"]
_COMPANIES = ["Northwind Logistics", "Brightline Foods", "Keystone Retail", "Apex Motors",
              "Cobalt Software", "Summit Energy", "Harbor Bank", "Pinecrest Homes", "Vega Airlines"]
_PRODUCTS = ["electric pickup", "smartphone", "budget airline route", "streaming service",
             "solar farm", "data centre", "grocery chain", "battery plant", "office tower"]

_GENERAL = {
    "politics": [
        "{org_c} approved a {money} budget on {day} after a {n}-hour debate.",
        "Opponents said the plan would raise property taxes, while supporters argued it was the "
        "only way to keep {place}'s libraries and pools open.",
        "Mayor {person} said residents deserved to see their own neighbourhoods benefit first.",
        "The vote was {n} to {m}. A second reading is scheduled for next month.",
        "An application to rezone the former rail yard was put on hold pending a traffic study.",
        "Several members asked staff to file a report on the cost of the proposed bus lanes.",
    ],
    "sport": [
        "The {team} beat the {team2} {n}-{m} on {day}, their {ordinal} win in a row.",
        "{person} scored twice in the second half and was given a standing ovation.",
        "The coach said the squad had earned the result with their own hard work in training.",
        "The club said its captain would miss the next {n} games with a hamstring injury.",
        "Tickets for the final have sold out, and the league approved extra trains on match day.",
    ],
    "business": [
        "{company} said quarterly revenue rose {n} percent to {money}, ahead of forecasts.",
        "The company plans to open a {product} in {place} next year, creating {n}00 jobs.",
        "Regulators cleared the merger of {company} and {company2} after a {n}-month review.",
        "Shares closed up {n}.{m} percent. Analysts called the holiday outlook mixed.",
        "The bank granted a {money} credit line to fund the expansion.",
    ],
    "weather": [
        "Forecasters expect {n} centimetres of snow in {place} by {day}.",
        "A cold front will bring gusts of up to {n}0 km/h to the coast on {day}.",
        "The weather service issued a flood warning for low-lying areas along the river.",
        "Temperatures will climb back to {n} degrees by the weekend, with clear skies.",
    ],
    "technology": [
        "{company} unveiled a new {product} with a modified chip design and a larger battery.",
        "The update adds end-to-end encoding of messages, a feature users had asked for.",
        "Battery cells for the new model will be made at a plant near {place}.",
        "Critics say the universal charger rule will cut electronic waste by {n} percent.",
    ],
    "culture": [
        "The festival in {place} drew {n},000 visitors over {m} days.",
        "{person}'s new novel follows three generations of a family who run their own bakery.",
        "The museum received a grant of {money} to restore its nineteenth-century murals.",
        "The orchestra will tour {n} cities next spring, with a programme of new works.",
    ],
    "science": [
        "Researchers in {place} mapped the genes behind drought tolerance in wheat.",
        "The team used satellite data to track {n},000 seabirds across the North Atlantic.",
        "A new telescope camera captured the faint glow of a galaxy {n} billion light years away.",
        "The study was published on {day} and peer-reviewed by {n} independent experts.",
    ],
    "health": [
        "Hospital waiting times in {place} fell by {n} percent after a new triage system.",
        "Doctors urge residents to get their flu shots before the winter peak.",
        "A study of {n},000 adults linked regular walking to a lower risk of heart disease.",
        "The clinic will extend its opening hours from {day} to meet demand.",
    ],
    "local": [
        "Residents of {place} packed a community hall on {day} to discuss the new bypass.",
        "Police said a {n}-year-old man was released on bail after a court hearing.",
        "Volunteers planted {n}00 trees along the riverbank over the weekend.",
        "The bridge will be closed for repairs from {day}; detours are in place.",
    ],
    "world": [
        "Leaders met in {place} on {day} to discuss trade and energy security.",
        "The European Union and Japan signed a digital trade agreement after {n} years of talks.",
        "Aid agencies said {n}0,000 people had been displaced by the floods.",
        "The two governments agreed to hold further talks next month.",
    ],
    "travel": [
        "{place} is one of the cheapest weekend breaks this autumn, with rooms from {money}.",
        "The airline added {n} weekly flights and said it would hold fares for members.",
        "Hikers can now walk the full {n}0-kilometre coastal path after a new bridge opened.",
    ],
    "opinion": [
        "It is time {org} stopped treating public transport as an afterthought.",
        "Families in {place} have waited long enough for their own school to be rebuilt.",
        "The debate over the stadium has been held behind closed doors for too long.",
    ],
}
_HEALTH_LINKS = [
    "FDA warns of contamination in recalled eye drops",
    "FDA approves first over-the-counter hearing aids",
    "New study links sleep to heart health",
    "Flu season arrives early, doctors say",
    "Why a daily walk may add years to your life",
    "Hospital opens new cancer wing",
]
_DRUG_STEMS = [("tinib", "kinase inhibitor"), ("ciclib", "CDK4/6 inhibitor"),
               ("gliflozin", "SGLT2 inhibitor"), ("prazole", "proton pump inhibitor"),
               ("vir", "antiviral"), ("mab", "monoclonal antibody"), ("lisib", "PI3K inhibitor"),
               ("gepant", "CGRP receptor antagonist"), ("semide", "diuretic")]
_DRUG_HEADS = ["zor", "vel", "mira", "tela", "quo", "ren", "sapo", "lino", "dara", "feno", "ola"]
_PHARMA_COS = ["Meridian Pharma", "Aldgate Therapeutics", "Corvane Biosciences", "Halvard Labs",
               "Estrel Pharmaceuticals", "Okonite Bio", "Pravia Health", "Tamsin Biotech"]
_INDICATIONS = ["type 2 diabetes", "chronic migraine", "non-small cell lung cancer",
                "HER2-positive breast cancer", "hepatitis B", "heart failure", "psoriasis",
                "major depressive disorder", "chronic kidney disease", "ulcerative colitis"]
_PHARMA = {
    "approval": [
        "The U.S. Food and Drug Administration (FDA) approved {co}'s {drug}, a once-daily "
        "{klass}, for adults with {ind}, the company said on {day}.",
        "The approval was based on the Phase 3 {trial} trial, in which {drug} cut the risk of "
        "disease progression by {n} percent compared with placebo.",
        "{co} expects to launch {drug} in the United States within {n} weeks, at a list price "
        "of {money} a year.",
        "The FDA had granted the New Drug Application priority review in {month}.",
    ],
    "readout": [
        "{co} said {drug} met the primary endpoint of its Phase 3 {trial} study in {ind}.",
        "Patients on the {klass} saw a {n}.{m}-point improvement at week {n2}, and the safety "
        "profile was consistent with earlier trials.",
        "The company plans to file a New Drug Application with the FDA in the first half of "
        "next year.",
        "Shares of {co} rose {n} percent in early trading.",
    ],
    "deal": [
        "{co} agreed to acquire {co2} for {money} in cash, adding a late-stage {klass} for "
        "{ind} to its pipeline.",
        "The deal is expected to close in the {ordinal} quarter, subject to regulatory clearance.",
        "{co2}'s lead drug, {drug}, is in a Phase 3 trial, with data expected next year.",
        "Analysts said the price reflected the crowded market for {ind} treatments.",
    ],
    "crl": [
        "The FDA issued a complete response letter for {co}'s {drug}, citing questions about "
        "a manufacturing site.",
        "The agency did not ask for new clinical trials, the company said.",
        "{co} plans to meet with the FDA and resubmit the application within {n} months.",
    ],
    "earnings": [
        "{co} reported quarterly sales of {money}, up {n} percent, driven by its {klass} {drug}.",
        "The company raised its full-year guidance and said it expects {n} FDA decisions in 2026.",
        "Research spending rose to {money} as three Phase 3 trials enrolled patients.",
    ],
}
# What pharma news also says, now and then, that a keyword test cannot tell from CGT news
_PHARMA_ASIDES = [
    (0.10, "The company also has an early-stage gene therapy program for a rare eye disease."),
    (0.08, "The antibody helps the patient's T cells recognize and attack tumor cells."),
    (0.05, "{co} is also developing an mRNA vaccine against seasonal influenza."),
    (0.04, "A modified-release version of the tablet is in development."),
    (0.04, "Last year {co} licensed a CAR-T cell therapy platform from an academic group."),
]
_CGT_LINKS = [
    "Gene therapy maker raises $120 million",
    "Cell therapy manufacturing: the bottlenecks",
    "CAR-T pioneer names new chief executive",
]
_NAV = ["Home", "News", "Politics", "Business", "Markets", "Sport", "Weather", "Opinion",
        "Culture", "Travel", "Science", "Health", "Technology", "Podcasts", "Newsletters",
        "Puzzles", "Obituaries", "Subscribe", "Sign in", "Contact us", "Advertise", "Careers"]
# fmt: on


def _fill(rng: random.Random, template: str, extra: dict[str, str] | None = None) -> str:
    values = {
        "org": rng.choice(_ORGS),
        "org_c": rng.choice(_ORGS).capitalize(),
        "money": f"${rng.randint(2, 950)} million",
        "day": rng.choice(["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"]),
        "month": rng.choice(["January", "March", "May", "July", "September", "November"]),
        "n": str(rng.randint(2, 9)),
        "n2": str(rng.randint(12, 52)),
        "m": str(rng.randint(1, 9)),
        "ordinal": rng.choice(["second", "third", "fourth", "fifth"]),
        "person": f"{rng.choice(_FIRST)} {rng.choice(_LAST)}",
        "place": rng.choice(_PLACES),
        "team": rng.choice(_TEAMS),
        "team2": rng.choice(_TEAMS),
        "company": rng.choice(_COMPANIES),
        "company2": rng.choice(_COMPANIES),
        "product": rng.choice(_PRODUCTS),
    }
    values.update(extra or {})
    return template.format(**values)


def _chrome(rng: random.Random, site: str, target_bytes: int, body: str, title: str) -> str:
    """A news site's page around `body`, grown with scripts and links to `target_bytes`."""
    nav = "".join(f'<li><a href="/{n.lower().replace(" ", "-")}">{n}</a></li>' for n in _NAV)
    most_read = [_headline(rng, rng.choice(_SECTIONS)) for _ in range(8)]
    if rng.random() < 0.15:
        most_read[rng.randrange(8)] = rng.choice(_HEALTH_LINKS)
    sidebar = "".join(
        f'<li><a href="/story/{rng.randrange(10**7)}">{escape(h)}</a></li>' for h in most_read
    )
    head = (
        f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>{escape(title)} | '
        f'{site}</title><meta name="viewport" content="width=device-width">'
        f'<script type="application/ld+json">{{"@context":"https://schema.org","@type":"NewsArticle",'
        f'"headline":{json.dumps(title)},"publisher":{{"name":"{site}"}}}}</script>'
    )
    page = (
        f"{head}</head><body><header><nav><ul>{nav}</ul></nav></header><main><article>"
        f'<h1>{escape(title)}</h1><p class="byline">By {rng.choice(_FIRST)} {rng.choice(_LAST)}'
        f"</p>{body}</article><aside><h3>Most read</h3><ul>{sidebar}</ul></aside></main>"
        f"<footer><p>&copy; 2026 {site}. All rights reserved.</p></footer>"
    )
    filler = []
    size = len(page)
    while size < target_bytes:
        block = (
            "<script>window.__ads=window.__ads||[];__ads.push("
            + json.dumps(
                {
                    "slot": f"div-{rng.randrange(10**9)}",
                    "sizes": [[300, 250], [728, 90]],
                    "targeting": {"section": rng.choice(_SECTIONS), "pos": rng.randint(1, 9)},
                    "keys": [rng.choice(_LAST).lower() for _ in range(12)],
                }
            )
            + ");</script>\n"
        )
        filler.append(block)
        size += len(block)
    return page + "".join(filler) + "</body></html>"


def _headline(rng: random.Random, section: str) -> str:
    return _fill(rng, rng.choice(_GENERAL[section])).split(",")[0].rstrip(".")[:90]


def general_page(rng: random.Random) -> str:
    section = rng.choice(_SECTIONS)
    paras = [_fill(rng, rng.choice(_GENERAL[section])) for _ in range(rng.randint(6, 16))]
    body = "".join(f"<p>{escape(p)}</p>" for p in paras)
    return _chrome(
        rng, rng.choice(_SITES), rng.randint(20_000, 60_000), body, _headline(rng, section)
    )


def pharma_page(rng: random.Random) -> str:
    kind = rng.choice(list(_PHARMA))
    stem, klass = rng.choice(_DRUG_STEMS)
    co, co2 = rng.sample(_PHARMA_COS, 2)
    extra = {
        "co": co,
        "co2": co2,
        "klass": klass,
        "ind": rng.choice(_INDICATIONS),
        "drug": (rng.choice(_DRUG_HEADS) + rng.choice(["a", "e", "o", "i"]) + stem).capitalize(),
        "trial": rng.choice(["HORIZON", "ATLAS", "BEACON", "SUMMIT", "VANTAGE"])
        + f"-{rng.randint(1, 4)}",
    }
    paras = [_fill(rng, t, extra) for t in _PHARMA[kind]]
    for share, aside in _PHARMA_ASIDES:
        if rng.random() < share:
            paras.insert(rng.randint(1, len(paras)), _fill(rng, aside, extra))
    body = "".join(f"<p>{escape(p)}</p>" for p in paras)
    if rng.random() < 0.10:
        body += "<h3>Related</h3><ul>" + "".join(f"<li>{h}</li>" for h in _CGT_LINKS) + "</ul>"
    title = paras[0].split(",")[0][:100]
    return _chrome(rng, rng.choice(_PHARMA_SITES), rng.randint(20_000, 60_000), body, title)


def mix(n: int, seed: int) -> list[str]:
    """The class of each record, in archive order: exact shares, shuffled."""
    classes = []
    for name, share in SHARES[:-1]:
        classes += [name] * round(n * share)
    classes += [SHARES[-1][0]] * (n - len(classes))
    random.Random(seed).shuffle(classes)
    return classes


def page(kind: str, seed: int, i: int) -> tuple[str, str, int]:
    """(uri, html, events written into it) of record `i`."""
    rng = random.Random(f"{seed}-{kind}-{i}")
    if kind == "cgt":
        from bench import make_page

        html, events = make_page(seed, i)
        return f"https://www.newswire.example/news-releases/cgt/{i}.html", html, events
    if kind == "pharma":
        return f"https://www.{rng.choice(_PHARMA_SITES)}.example/pharma/{i}", pharma_page(rng), 0
    return f"https://www.{rng.choice(_SITES)}.example/general/{i}", general_page(rng), 0


def kind_of(uri: str) -> str:
    return "cgt" if "/cgt/" in uri else "pharma" if "/pharma/" in uri else "general"


# ---------------------------------------------------------------------------------------------
# Writing WARCs
# ---------------------------------------------------------------------------------------------


def write_warc(path: Path, records: list[tuple[str, bytes]]) -> None:
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    with path.open("wb") as handle:
        writer = WARCWriter(handle, gzip=True)
        for uri, body in records:
            http = StatusAndHeaders(
                "200 OK", [("Content-Type", "text/html; charset=utf-8")], protocol="HTTP/1.1"
            )
            record = writer.create_warc_record(
                uri,
                "response",
                payload=io.BytesIO(body),
                length=len(body),
                http_headers=http,
                warc_headers_dict={"WARC-Date": "2026-01-15T08:00:00Z"},
            )
            writer.write_record(record)


def generate(out: Path, n: int, warcs: int, seed: int, corpus: Path) -> dict[str, Any]:
    started = time.perf_counter()
    (out / "mix").mkdir(parents=True, exist_ok=True)
    classes = mix(n, seed)
    per = -(-n // warcs)
    planted, sizes = 0, []
    for w in range(warcs):
        records = []
        for i in range(w * per, min(n, (w + 1) * per)):
            uri, html, events = page(classes[i], seed, i)
            data = html.encode("utf-8")
            planted += events
            sizes.append(len(data))
            records.append((uri, data))
        write_warc(out / "mix" / f"mix-{w:03d}.warc.gz", records)
    # 500 records of the same mix for the reader without the prefilter
    sample = [page(k, seed + 1, i) for i, k in enumerate(mix(500, seed + 1))]
    write_warc(out / "sample.warc.gz", [(u, h.encode()) for u, h, _ in sample])
    corpus_pages = _corpus_pages(corpus)
    rng = random.Random(seed + 2)
    unrelated = [
        (f"https://www.{rng.choice(_SITES)}.example/general/c{i}", general_page(rng).encode())
        for i in range(2000)
    ]
    mixed = unrelated + [
        (f"https://corpus.example/{d}/{p.name}", p.read_bytes()) for d, p in corpus_pages
    ]
    rng.shuffle(mixed)
    write_warc(out / "corpus.warc.gz", mixed)
    manifest = {
        "records": n,
        "warcs": warcs,
        "seed": seed,
        "planted_events": planted,
        "classes": dict(Counter(classes)),
        "mean_kb": round(sum(sizes) / len(sizes) / 1024, 1),
        "min_kb": round(min(sizes) / 1024, 1),
        "max_kb": round(max(sizes) / 1024, 1),
        "corpus_pages": len(corpus_pages),
        "generate_s": round(time.perf_counter() - started, 1),
    }
    (out / "manifest.json").write_text(json.dumps(manifest))
    return manifest


def _corpus_pages(corpus: Path) -> list[tuple[str, Path]]:
    return [(d, p) for d in ("dev", "dev2a", "dev2b") for p in sorted((corpus / d).glob("*.html"))]


def _gold_pages(corpus: Path) -> set[str]:
    gold = set()
    for d in ("dev", "dev2a", "dev2b"):
        for line in (corpus / d / "gold.jsonl").read_text().splitlines():
            if line.strip():
                gold.add(f"https://corpus.example/{d}/{json.loads(line)['source']}")
    return gold


# ---------------------------------------------------------------------------------------------
# Phases (each in its own process)
# ---------------------------------------------------------------------------------------------


def _mix_warcs(out: Path) -> list[Path]:
    return sorted((out / "mix").glob("*.warc.gz"))


def _captures(path: Path) -> Any:
    from contextlib import closing

    from cgtextract.backfill.warc import HostFilter, RecordCounts, captures, open_warc
    from cgtextract.settings import Settings

    with closing(open_warc(str(path), Settings(), 1 << 36)) as stream:
        yield from captures(stream, RecordCounts(), HostFilter(), Settings().max_bytes)


def _rss_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def phase_read(out: Path) -> dict[str, Any]:
    from cgtextract.backfill.prefilter import ENGINE, Prefilter

    prefilter = Prefilter.from_patterns()
    started, records, body_bytes = time.perf_counter(), 0, 0
    for warc in _mix_warcs(out):
        for capture in _captures(warc):
            records += 1
            body_bytes += len(capture.body)
    read_s = time.perf_counter() - started
    seen, first, passed, missed = Counter(), Counter(), Counter(), []
    filter_s, started = 0.0, time.perf_counter()
    for warc in _mix_warcs(out):
        for capture in _captures(warc):
            kind = kind_of(capture.uri)
            seen[kind] += 1
            t = time.perf_counter()
            ok = prefilter.passes_bytes(capture.body)
            if ok:
                first[kind] += 1
                ok = prefilter.passes_text(capture.body)
            filter_s += time.perf_counter() - t
            if ok:
                passed[kind] += 1
            elif kind == "cgt":
                missed.append(capture.uri)
    both_s = time.perf_counter() - started
    return {
        "records": records,
        "mb": round(body_bytes / 2**20, 1),
        "regex_engine": ENGINE,
        "read_records_per_s": round(records / read_s),
        "read_and_filter_records_per_s": round(records / both_s),
        "prefilter_us_per_record": round(1e6 * filter_s / records, 1),
        "seen": dict(seen),
        "passed_raw_bytes": dict(first),
        "passed": dict(passed),
        "pass_rate_raw_bytes": {k: round(first[k] / seen[k], 4) for k in seen},
        "pass_rate": {k: round(passed[k] / seen[k], 4) for k in seen},
        "recall_releases": round(passed["cgt"] / seen["cgt"], 4) if seen["cgt"] else None,
        "missed_releases": missed[:10],
        "peak_rss_mb": _rss_mb(),
    }


def phase_engine(out: Path, engine: str, workers: int) -> dict[str, Any]:
    from cgtextract.backfill.engines import results
    from cgtextract.backfill.shards import read_items
    from cgtextract.backfill.worker import WarcTask
    from cgtextract.settings import Settings
    from cgtextract.store import extractor_version

    shards = out / "shards" / f"{engine}{workers}"
    shutil.rmtree(shards, ignore_errors=True)
    version = extractor_version()
    tasks = [
        WarcTask(str(w), str(shards / (w.name + ".jsonl.gz")), version, Settings())
        for w in _mix_warcs(out)
    ]
    started = time.perf_counter()
    done = list(results(tasks, engine=engine, workers=workers, memory_limit="2GiB"))
    wall = time.perf_counter() - started
    errors = [r.error for r in done if r.error]
    work = max(r.finished for r in done) - min(r.started for r in done)
    records = sum(r.counts.seen for r in done)
    events, read = Counter(), Counter()
    for r in done:
        if r.shard:
            for item in read_items(Path(r.shard)):
                read[kind_of(item.article.source)] += 1
                events[kind_of(item.article.source)] += len(item.events)
    rss: dict[int, float] = defaultdict(float)
    for r in done:
        rss[r.pid] = max(rss[r.pid], r.peak_rss_mb)
    return {
        "engine": engine,
        "workers": workers,
        "errors": errors[:5],
        "records": records,
        "passed": sum(r.counts.passed for r in done),
        "read": dict(read),
        "events": dict(events),
        "record_failures": sum(r.counts.failed for r in done),
        "work_s": round(work, 2),
        "task_s": round(sum(r.seconds for r in done), 2),
        "task_cpu_s": round(sum(r.cpu_seconds for r in done), 2),
        "wall_s": round(wall, 2),
        "records_per_s": round(records / work),
        "records_per_s_per_core": round(records / work / workers),
        "worker_peak_rss_mb": sorted(round(v, 1) for v in rss.values()),
        "process_peak_rss_mb": _rss_mb(),
    }


def _burn(n: int) -> float:
    started = time.perf_counter()
    x = 0
    for i in range(n):
        x += i * i
    return time.perf_counter() - started


def phase_ceiling(n: int = 20_000_000) -> dict[str, Any]:
    """What the machine offers two processes right now: the same pure-Python work twice, one
    after the other in one process, then at once in two. On a host shared with other virtual
    machines this is often well under 2x, and no engine can beat it."""
    import multiprocessing

    one = _burn(n) + _burn(n)
    with multiprocessing.get_context("spawn").Pool(2) as pool:
        pool.map(_burn, [1000, 1000])  # started and warm
        started = time.perf_counter()
        pool.map(_burn, [n, n])
        two = time.perf_counter() - started
    return {"one_s": round(one, 2), "two_s": round(two, 2), "speedup": round(one / two, 2)}


def phase_noprefilter(out: Path) -> dict[str, Any]:
    from cgtextract.backfill.worker import WarcTask, read_warc
    from cgtextract.settings import Settings
    from cgtextract.store import extractor_version

    figures = {}
    for name, on in (("with", True), ("without", False)):
        task = WarcTask(
            str(out / "sample.warc.gz"),
            str(out / f"sample-{name}.jsonl.gz"),
            extractor_version(),
            Settings(),
            prefilter=on,
        )
        read_warc(
            WarcTask(
                task.uri,
                task.shard + ".warm",
                task.extractor,
                prefilter=False,
                max_warc_bytes=task.max_warc_bytes,
            )
        ) if name == "with" else None
        result = read_warc(task)
        figures[name] = {
            "records": result.counts.seen,
            "read": result.counts.read,
            "seconds": round(result.seconds, 2),
            "records_per_s": round(result.counts.seen / result.seconds, 1),
        }
    return {"sample": figures, "peak_rss_mb": _rss_mb()}


def phase_lost(out: Path, per_class: int = 400) -> dict[str, Any]:
    """Rejected records of each class read anyway: the events the prefilter cost, and how
    many of them name a cell or gene therapy modality (the others are small molecules and
    antibodies, outside what the prefilter is for)."""
    from cgtextract.backfill.prefilter import Prefilter
    from cgtextract.errors import CgtextractError
    from cgtextract.pipeline import process_body

    prefilter = Prefilter.from_patterns()
    per_kind, checked, events = Counter(), Counter(), Counter()
    with_modality, unreadable = Counter(), Counter()
    products: dict[str, Counter[str]] = defaultdict(Counter)
    for warc in _mix_warcs(out):
        for capture in _captures(warc):
            kind = kind_of(capture.uri)
            if kind == "cgt" or per_kind[kind] >= per_class or prefilter.passes(capture.body):
                continue
            per_kind[kind] += 1
            stage = "raw bytes" if not prefilter.passes_bytes(capture.body) else "main text"
            key = f"{kind}, rejected on the {stage}"
            checked[key] += 1
            try:
                _, found = process_body(
                    capture.body,
                    capture.uri,
                    charset=capture.charset,
                    content_type=capture.content_type,
                    url=capture.uri,
                )
            except CgtextractError:
                unreadable[key] += 1
                continue
            events[key] += len(found)
            with_modality[key] += sum(e.modality is not None for e in found)
            products[key].update(f"{e.product} ({e.kind})" for e in found)
        if all(per_kind[k] >= per_class for k in ("general", "pharma")):
            break
    return {
        "rejected_checked": dict(checked),
        "events_in_rejected": dict(events),
        "events_with_a_modality": dict(with_modality),
        "products": {k: dict(v.most_common(5)) for k, v in products.items()},
        "unreadable": dict(unreadable),
    }


def phase_corpus(out: Path, corpus: Path) -> dict[str, Any]:
    from cgtextract.backfill.prefilter import Prefilter

    prefilter = Prefilter.from_patterns()
    gold = _gold_pages(corpus)
    seen, first, passed, missed = Counter(), Counter(), Counter(), []
    for capture in _captures(out / "corpus.warc.gz"):
        kind = (
            "gold"
            if capture.uri in gold
            else ("corpus, no gold event" if "corpus.example" in capture.uri else "general")
        )
        seen[kind] += 1
        if prefilter.passes_bytes(capture.body):
            first[kind] += 1
        if prefilter.passes(capture.body):
            passed[kind] += 1
        elif kind == "gold":
            missed.append(capture.uri)
    return {
        "seen": dict(seen),
        "passed_raw_bytes": dict(first),
        "passed": dict(passed),
        "missed_gold": missed,
        "recall_gold": round(passed["gold"] / seen["gold"], 4) if seen["gold"] else None,
    }


def phase_store(out: Path) -> dict[str, Any]:
    from cgtextract.backfill import BackfillOptions, backfill
    from cgtextract.settings import Settings
    from cgtextract.store import Store

    db = out / "store.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    options = BackfillOptions(workers=2, shards=out / "shards" / "store")
    with Store(f"sqlite:///{db}") as store:
        report = backfill([str(w) for w in _mix_warcs(out)], store, Settings(), options)
        stored = store.counts()
    return {
        "summary_line": report.summary_line(),
        "report": report.model_dump(),
        "counts": stored,
        "records_per_s": round(report.records_seen / report.seconds),
        "peak_rss_mb": _rss_mb(),
    }


def run_phase(name: str, out: Path, corpus: Path) -> dict[str, Any]:
    if name == "read":
        return phase_read(out)
    if name == "ceiling":
        return phase_ceiling()
    if name in ("local1", "local2", "dask1", "dask2"):
        return phase_engine(out, name[:-1], int(name[-1]))
    if name == "noprefilter":
        return phase_noprefilter(out)
    if name == "lost":
        return phase_lost(out)
    if name == "corpus":
        return phase_corpus(out, corpus)
    if name == "store":
        return phase_store(out)
    raise SystemExit(f"unknown phase {name}")


def _subprocess_phase(name: str, out: Path, corpus: Path) -> dict[str, Any]:
    argv = [
        sys.executable,
        str(Path(__file__).resolve()),
        "--phase",
        name,
        "--out",
        str(out),
        "--corpus",
        str(corpus),
    ]
    proc = subprocess.run(argv, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        sys.stderr.write(proc.stderr[-4000:])
        raise SystemExit(f"bench_backfill: phase {name} exited {proc.returncode}")
    result: dict[str, Any] = json.loads(proc.stdout.strip().splitlines()[-1])
    return result


# ---------------------------------------------------------------------------------------------
# Report
# ---------------------------------------------------------------------------------------------


def _table(report: dict[str, Any]) -> str:
    m, p, machine = report["manifest"], report["phases"], report["machine"]
    lines = [
        f"cgtextract bench_backfill: {m['records']} records in {m['warcs']} WARCs "
        f"(seed {m['seed']}), "
        f"{m['classes']}, {m['min_kb']}-{m['max_kb']} KB (mean {m['mean_kb']} KB), "
        f"{m['planted_events']} events written into the releases",
        f"machine: {machine['cpus']} CPUs, load average {machine['load_before']} "
        f"before, {machine['load_after']} after (a shared machine: wall figures vary)",
    ]
    if "read" in p:
        r = p["read"]
        lines += [
            "",
            f"read only (FastWARC): {r['read_records_per_s']} records/s; read + prefilter "
            f"({r['regex_engine']}, {r['prefilter_us_per_record']} us/record): "
            f"{r['read_and_filter_records_per_s']} records/s",
            "prefilter pass rate, raw bytes then main text: "
            + ", ".join(
                f"{k} {100 * r['pass_rate_raw_bytes'][k]:.2f} % then {100 * v:.2f} %"
                for k, v in r["pass_rate"].items()
            )
            + f"; recall on the releases {100 * r['recall_releases']:.1f} %",
        ]
    engines = [k for k in ("local1", "local2", "dask1", "dask2") if k in p]
    if engines:
        lines += [
            "",
            f"{'engine':<10} {'work s':>7} {'rec/s':>7} {'rec/s/core':>10} {'speed-up':>8} "
            f"{'events (releases)':>17}  worker peak RSS MB",
        ]
        for k in engines:
            e = p[k]
            base = p.get(k[:-1] + "1")
            speed = f"{base['work_s'] / e['work_s']:.2f}x" if base and k.endswith("2") else ""
            lines.append(
                f"{k:<10} {e['work_s']:>7} {e['records_per_s']:>7} "
                f"{e['records_per_s_per_core']:>10} {speed:>8} {e['events'].get('cgt', 0):>17}  "
                f"{e['worker_peak_rss_mb']}"
            )
    if engines and any(len(p[k].get("runs", [])) > 1 for k in engines):
        lines.append(
            "work s of each run (the fastest is shown): "
            + ", ".join(f"{k} {p[k]['runs']}" for k in engines)
        )
        lines.append(
            "each round, in turn (work s; task s / task CPU s: > 1 when the host was busy):"
        )
        by_round: dict[int, dict[str, Any]] = defaultdict(dict)
        for row in report.get("rounds", []):
            by_round[row["round"]][row["phase"]] = row
        for n, rows in sorted(by_round.items()):
            parts = []
            for k in engines:
                r = rows.get(k)
                if r and r["work_s"]:
                    parts.append(f"{k} {r['work_s']} s ({r['task_s'] / r['task_cpu_s']:.2f})")
            for e in ("local", "dask"):
                one, two = rows.get(e + "1"), rows.get(e + "2")
                if one and two:
                    parts.append(f"{e} speed-up {one['work_s'] / two['work_s']:.2f}x")
            if "ceiling" in rows:
                parts.append(f"two pure-Python processes {rows['ceiling']['speedup']:.2f}x")
            lines.append(f"  round {n}: " + ", ".join(parts))
    if "noprefilter" in p:
        s = p["noprefilter"]["sample"]
        lines += [
            "",
            f"500-record sample: {s['with']['records_per_s']} records/s with the prefilter, "
            f"{s['without']['records_per_s']} without (every HTML record read)",
        ]
    if "lost" in p:
        x = p["lost"]
        lines.append(
            f"rejected records read anyway: {x['rejected_checked']}; events found in them: "
            f"{x['events_in_rejected'] or 0}, with a CGT modality: {x['events_with_a_modality']}"
        )
    if "corpus" in p:
        c = p["corpus"]
        lines.append(
            f"shared corpus in a WARC with 2,000 general pages: {c['seen']}, passed {c['passed']}; "
            f"recall on pages with a gold event {100 * c['recall_gold']:.1f} % "
            f"{c['missed_gold'] or ''}"
        )
    if "store" in p:
        s = p["store"]
        r = s["report"]
        lines.append(
            f"backfill --workers 2 into SQLite: {s['records_per_s']} records/s end to end, "
            f"{r['articles_stored']} articles, {r['events_new']} events; {s['counts']}"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--n", type=int, default=DEFAULT_N, help="records in the mix")
    parser.add_argument("--warcs", type=int, default=DEFAULT_WARCS, help="WARC files of the mix")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument(
        "--out", type=Path, help="keep the WARCs here (default: a temporary directory)"
    )
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS, help="the shared corpus")
    parser.add_argument("--phases", default=",".join(PHASES), help="comma-separated subset")
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    parser.add_argument(
        "--repeat",
        type=int,
        default=1,
        help="run the engine phases K times in turn, keep each one's shortest work time",
    )
    parser.add_argument("--phase", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.phase:
        print(json.dumps(run_phase(args.phase, args.out, args.corpus)))
        return 0
    out = args.out or Path(tempfile.mkdtemp(prefix="cgt-bench-backfill-"))
    out.mkdir(parents=True, exist_ok=True)
    manifest_path = out / "manifest.json"
    wanted = {"records": args.n, "warcs": args.warcs, "seed": args.seed}
    manifest = json.loads(manifest_path.read_text()) if manifest_path.exists() else {}
    if any(manifest.get(k) != v for k, v in wanted.items()):
        print(f"generating {args.n} records in {out} ...", file=sys.stderr)
        manifest = generate(out, args.n, args.warcs, args.seed, args.corpus)
    report: dict[str, Any] = {
        "manifest": manifest,
        "machine": {
            "cpus": os.cpu_count(),
            "platform": platform.platform(),
            "load_before": round(os.getloadavg()[0], 2),
        },
        "phases": {},
    }
    names = [x for x in args.phases.split(",") if x]
    for round_ in range(max(1, args.repeat)):
        for name in names:
            if round_ and name not in ENGINE_PHASES:
                continue
            print(f"phase {name} ({round_ + 1}) ...", file=sys.stderr)
            result = _subprocess_phase(name, out, args.corpus)
            report.setdefault("rounds", []).append(
                {
                    "round": round_ + 1,
                    "phase": name,
                    **{k: result.get(k) for k in ("work_s", "task_s", "task_cpu_s", "speedup")},
                }
            )
            best = report["phases"].get(name)
            if best is None or result.get("work_s", 0) < best.get("work_s", 0):
                result["runs"] = (best or {}).get("runs", []) + [result.get("work_s")]
                report["phases"][name] = result
            else:
                best["runs"].append(result.get("work_s"))
    report["machine"]["load_after"] = round(os.getloadavg()[0], 2)
    print(json.dumps(report, indent=2) if args.json else _table(report))
    if not args.out:
        shutil.rmtree(out, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
