"""The database commands through CliRunner: query (filters, sort, --sql), export, stats,
reextract, init. Checked through the library where they write."""

from __future__ import annotations

import csv
import io
import json
import shutil
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest
from test_store import make_article, make_event
from typer.testing import CliRunner, Result

from cgtextract import cli
from cgtextract.models import SCHEMA_FIELDS, Article, Event
from cgtextract.store import SCHEMA_REVISION, Store

runner = CliRunner()
DUMP = Path(__file__).parent / "data" / "schema_v0_1_0.sql"


def invoke(*args: str) -> Result:
    return runner.invoke(cli.app, list(args))


def one_error_line(result: Result) -> str:
    assert result.exit_code == 2, result.output
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("cgtextract:")
    assert "Traceback" not in result.output
    return lines[0]


@pytest.fixture(autouse=True)
def no_env_db(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("CGTEXTRACT_DB", raising=False)
    monkeypatch.chdir(tmp_path)


@pytest.fixture(scope="session")
def filled_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Three events from two articles, stored once; each test gets a copy."""
    path = tmp_path_factory.mktemp("cli") / "events.db"
    with Store(f"sqlite:///{path}") as store:
        store.save(
            make_article("a.html"),
            [
                make_event(),
                make_event(
                    product="ide-cel",
                    product_aliases=["Abecma"],
                    company="Bristol Myers Squibb",
                    regulator="FDA",
                    event_type="approval",
                    date="2021-03-26",
                    indications=["relapsed or refractory multiple myeloma"],
                    evidence_start=5,
                ),
            ],
        )
        store.save(
            make_article("b.html", published=date_(2020, 10, 1)),
            [
                make_event(
                    source="b.html",
                    product="BBM-H901",
                    company="Belief BioMed",
                    target="F9",
                    modality="aav",
                    allogeneic=None,
                    regulator="FDA",
                    event_type="designation",
                    designation="rmat",
                    date="2020-09",
                    date_precision="month",
                    indications=["hemophilia B"],
                )
            ],
        )
    return path


@pytest.fixture
def db(filled_template: Path, tmp_path: Path) -> str:
    path = tmp_path / "events.db"
    shutil.copyfile(filled_template, path)
    return str(path)


def date_(*args: int) -> object:
    from datetime import date

    return date(*args)


def products(result: Result) -> list[str]:
    assert result.exit_code == 0, result.output
    return [json.loads(line)["product"] for line in result.stdout.splitlines()]


# --- query ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ([], ["CT0596", "ide-cel", "BBM-H901"]),
        (["--target", "F9"], ["BBM-H901"]),
        (["--target", "TNFRSF17"], ["CT0596", "ide-cel"]),
        (["--modality", "aav"], ["BBM-H901"]),
        (["--designation", "rmat"], ["BBM-H901"]),
        (["--indication", "hemophilia"], ["BBM-H901"]),
        (["--product", "abecma"], ["ide-cel"]),
        (["--published-since", "2026"], ["CT0596", "ide-cel"]),
        (["--published-until", "2020-12"], ["BBM-H901"]),
        (["--sort", "product"], ["BBM-H901", "CT0596", "ide-cel"]),
        (["--sort", "product", "--desc"], ["ide-cel", "CT0596", "BBM-H901"]),
        (["--asc"], ["BBM-H901", "ide-cel", "CT0596"]),
        (["--sort", "company", "--limit", "1"], ["BBM-H901"]),
        (["--regulator", "fda", "--since", "2021"], ["ide-cel"]),
    ],
)
def test_query_options(db: str, args: list[str], expected: list[str]) -> None:
    assert products(invoke("query", *args, "--db", db, "--format", "jsonl")) == expected


def test_query_jsonl_is_the_schema_form(db: str) -> None:
    result = invoke("query", "--db", db, "--format", "jsonl")
    assert all(tuple(json.loads(line)) == SCHEMA_FIELDS for line in result.stdout.splitlines())


def test_query_csv(db: str) -> None:
    result = invoke("query", "--db", db, "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [r["product"] for r in rows] == ["CT0596", "ide-cel", "BBM-H901"]


def test_query_table_fits_80_columns(db: str) -> None:
    result = invoke("query", "--db", db)
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["date", "regulator", "kind", "product", "company"]
    assert max(len(line) for line in lines) <= 80
    assert lines[-1] == "3 event(s)"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--regulator", "FAD"], "unknown regulator"),
        (["--sort", "size"], "sort must be one of"),
        (["--since", "yesterday"], "since must be an ISO date"),
        (["--modality", "cars"], "unknown modality"),
    ],
)
def test_query_bad_option_is_one_line_exit_2(db: str, args: list[str], message: str) -> None:
    assert message in one_error_line(invoke("query", *args, "--db", db))


# --- query --sql ----------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["table", "jsonl", "csv", "json"])
def test_sql_select(db: str, fmt: str) -> None:
    sql = "SELECT regulator, COUNT(*) AS n FROM events_flat GROUP BY regulator ORDER BY regulator"
    result = invoke("query", "--sql", sql, "--db", db, "--format", fmt)
    assert result.exit_code == 0, result.output
    if fmt == "jsonl":
        assert [json.loads(x) for x in result.stdout.splitlines()] == [
            {"regulator": "FDA", "n": 2},
            {"regulator": "NMPA", "n": 1},
        ]
    elif fmt == "csv":
        assert result.stdout.splitlines() == ["regulator,n", "FDA,2", "NMPA,1"]
    elif fmt == "json":
        assert json.loads(result.stdout)[0] == {"regulator": "FDA", "n": 2}
    else:
        assert result.stdout.splitlines()[-1] == "2 row(s)"


def test_sql_table_of_a_wide_row_fits_80_columns(db: str) -> None:
    result = invoke("query", "--sql", "SELECT * FROM events_flat", "--db", db)
    assert result.exit_code == 0, result.output
    assert max(len(line) for line in result.stdout.splitlines()) <= 80


def test_sql_blob_column_is_shown_not_dumped(db: str) -> None:
    result = invoke("query", "--sql", "SELECT raw_html, url FROM articles", "--db", db)
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize(
    "sql",
    [
        "DELETE FROM events",
        "DROP TABLE events",
        "SELECT 1; DELETE FROM events",
        "WITH x AS (SELECT 1) DELETE FROM events",
        "UPDATE events SET product = 'x'",
    ],
)
def test_sql_that_writes_is_refused(db: str, sql: str) -> None:
    line = one_error_line(invoke("query", "--sql", sql, "--db", db))
    assert "read-only" in line or "single" in line
    with closing(sqlite3.connect(db)) as conn:
        assert conn.execute("SELECT COUNT(*), MIN(product) FROM events").fetchone() == (
            3,
            "BBM-H901",
        )


# --- export and stats -----------------------------------------------------------------------


def test_export_jsonl_to_stdout(db: str) -> None:
    result = invoke("export", "--db", db)
    assert result.exit_code == 0, result.output
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["product"] for r in records] == ["CT0596", "ide-cel", "BBM-H901"]
    assert records[0]["mentions"][0]["source"] == "a.html"
    assert result.stderr.strip() == "exported 3 event(s)"


def test_export_csv_to_file(db: str, tmp_path: Path) -> None:
    out = tmp_path / "events.csv"
    result = invoke("export", "--format", "csv", "--out", str(out), "--db", db)
    assert result.exit_code == 0, result.output
    with out.open(encoding="utf-8", newline="") as stream:
        rows = list(csv.DictReader(stream))
    assert [(r["product"], r["mention_source"]) for r in rows] == [
        ("CT0596", "a.html"),
        ("ide-cel", "a.html"),
        ("BBM-H901", "b.html"),
    ]
    assert rows[1]["product_aliases"] == "Abecma"
    assert json.loads(rows[0]["field_sources"])["product"] == "a.html"
    assert result.stderr.strip() == f"exported 3 event(s) to {out}"


def test_export_rejects_table_format(db: str) -> None:
    one_error_line(invoke("export", "--format", "table", "--db", db))


def test_export_to_unwritable_file(db: str, tmp_path: Path) -> None:
    one_error_line(invoke("export", "--out", str(tmp_path / "no" / "dir.jsonl"), "--db", db))


def test_stats_table(db: str) -> None:
    result = invoke("stats", "--db", db)
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert out.splitlines()[0] == "2 articles, 3 events, 3 mentions"
    for heading in ("by regulator", "by kind", "by modality", "by month"):
        assert f"events {heading}:" in out
    assert max(len(line) for line in out.splitlines()) <= 80


def test_stats_json(db: str) -> None:
    result = invoke("stats", "--db", db, "--format", "json")
    data = json.loads(result.stdout)
    assert data["by_regulator"] == {"FDA": 2, "NMPA": 1}
    assert data["by_month"] == {"2020-09": 1, "2021-03": 1, "2025-12": 1}
    assert data["by_modality"] == {"car_t": 2, "aav": 1}


# --- reextract ------------------------------------------------------------------------------


def test_reextract_prints_the_changes(db: str, monkeypatch: pytest.MonkeyPatch) -> None:
    answers: dict[str, list[Event]] = {
        "a.html": [make_event(target="CD19")],
        "b.html": [],
    }

    def new_extractor(article: Article) -> list[Event]:
        return answers[article.source]

    monkeypatch.setattr(cli, "extract_events", new_extractor)
    result = invoke("reextract", "--db", db)
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        '~ 2025-12-29 NMPA ind_submission CT0596 (target: "BCMA" -> "CD19")',
        "- 2021-03-26 FDA approval ide-cel",
        "- 2020-09 FDA rmat BBM-H901",
    ]
    assert "re-read 2 article(s)" in result.stderr
    assert "0 added, 1 changed, 2 retired; 0 failed" in result.stderr


def test_reextract_since(db: str, monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[str] = []

    def spy(article: Article) -> list[Event]:
        seen.append(article.source)
        raise ValueError("boom")

    monkeypatch.setattr(cli, "extract_events", spy)
    result = invoke("reextract", "--since", "2026-01", "--db", db)
    assert seen == ["a.html"]
    assert result.exit_code == 2  # every article it tried failed
    assert "cgtextract: a.html: internal error (ValueError: boom)" in result.stderr


def test_reextract_with_the_real_extractor(tmp_path: Path) -> None:
    seed = Path(__file__).resolve().parents[1] / "fixtures" / "seed" / "seed-article.txt"
    db = str(tmp_path / "seed.db")
    assert invoke("run", str(seed), "--db", db).exit_code == 0
    result = invoke("reextract", "--db", db)
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    assert "0 added, 0 changed, 0 retired; 0 failed" in result.stderr


# --- init -----------------------------------------------------------------------------------


def test_init_creates_then_reports_up_to_date(tmp_path: Path) -> None:
    db = str(tmp_path / "new.db")
    first = invoke("init", "--db", db)
    assert first.exit_code == 0, first.output
    assert first.stdout.strip().endswith(f"schema {SCHEMA_REVISION} (created)")
    again = invoke("init", "--db", db)
    assert again.stdout.strip().endswith("(up to date)")


def test_init_upgrade_of_an_old_database(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    with closing(sqlite3.connect(path)) as conn:
        conn.executescript(DUMP.read_text(encoding="utf-8"))
    line = one_error_line(invoke("init", "--db", str(path)))
    assert "cgtextract init --upgrade" in line
    result = invoke("init", "--upgrade", "--db", str(path))
    assert result.exit_code == 0, result.output
    assert "upgraded from 0001" in result.stdout
    with Store(f"sqlite:///{path}") as store:
        assert store.counts() == {"articles": 4, "events": 2, "mentions": 3}


def test_other_commands_upgrade_an_old_database_by_themselves(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    with closing(sqlite3.connect(path)) as conn:
        conn.executescript(DUMP.read_text(encoding="utf-8"))
    assert products(invoke("query", "--db", str(path), "--format", "jsonl")) == [
        "CT0596",
        "ide-cel",
    ]


@pytest.mark.parametrize("command", ["query", "export", "stats", "reextract", "init"])
def test_help(command: str) -> None:
    result = invoke(command, "--help")
    assert result.exit_code == 0
    assert "Example" in result.stdout


def test_every_database_command_is_in_the_readme() -> None:
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    for name in ("query", "export", "stats", "reextract", "init"):
        assert f"cgtextract {name}" in readme, name
