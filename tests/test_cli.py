"""The `cgtextract` command through CliRunner, checked through the library (and once for real)."""

from __future__ import annotations

import csv
import io
import json
import shutil
import subprocess
import sys
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pytest
from server import LocalServer
from typer.testing import CliRunner, Result

from cgtextract import cli
from cgtextract.models import SCHEMA_FIELDS
from cgtextract.settings import Settings
from cgtextract.store import Store

SEED = Path(__file__).resolve().parents[1] / "fixtures" / "seed"
SEED_TXT = str(SEED / "seed-article.txt")
SEED_HTML = str(SEED / "page.html")

runner = CliRunner()


@pytest.fixture(autouse=True)
def fast_cli(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No retries or backoff in CLI runs, and no default database in the working directory."""
    original: Callable[[str | None], Settings] = cli._settings
    monkeypatch.setattr(
        cli, "_settings", lambda db: replace(original(db), timeout_s=2.0, retries=0, backoff_s=0.0)
    )
    monkeypatch.delenv("CGTEXTRACT_DB", raising=False)
    monkeypatch.chdir(tmp_path)


def invoke(*args: str, input: str | None = None) -> Result:
    return runner.invoke(cli.app, list(args), input=input)


def jsonl(result: Result) -> list[dict[str, object]]:
    return [json.loads(line) for line in result.stdout.splitlines()]


def assert_one_error_line(result: Result) -> None:
    assert result.exit_code != 0
    assert isinstance(result.exception, SystemExit)
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("cgtextract:")
    assert "Traceback" not in result.output


# -- extract ------------------------------------------------------------------------------


def test_extract_jsonl_has_schema_fields() -> None:
    result = invoke("extract", SEED_TXT, "--format", "jsonl")
    assert result.exit_code == 0, result.output
    rows = jsonl(result)
    assert len(rows) == 6
    assert all(tuple(row) == SCHEMA_FIELDS for row in rows)
    assert {row["source"] for row in rows} == {SEED_TXT}


def test_extract_json() -> None:
    result = invoke("extract", SEED_HTML, "--format", "json")
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert len(rows) == 6
    assert all(set(SCHEMA_FIELDS) <= set(row) for row in rows)


def test_extract_csv() -> None:
    result = invoke("extract", SEED_TXT, "--format", "csv")
    assert result.exit_code == 0, result.output
    reader = csv.DictReader(io.StringIO(result.stdout))
    assert tuple(reader.fieldnames or ()) == SCHEMA_FIELDS
    assert len(list(reader)) == 6


@pytest.mark.parametrize("args", [["--format", "table"], []])
def test_extract_table(args: list[str]) -> None:
    result = invoke("extract", SEED_TXT, *args)
    assert result.exit_code == 0, result.output
    assert "NouvNeu001" in result.stdout
    assert result.stdout.rstrip().endswith("6 event(s)")


def test_extract_stdin() -> None:
    text = (SEED / "seed-article.txt").read_text(encoding="utf-8")
    result = invoke("extract", "-", "--format", "jsonl", input=text)
    assert result.exit_code == 0, result.output
    rows = jsonl(result)
    assert len(rows) == 6
    assert {row["source"] for row in rows} == {"-"}


def test_extract_stdin_one_sentence_without_title() -> None:
    """A single line on stdin is all body: its event is read, not taken for a title."""
    text = (
        "Halvern Bio said the FDA granted Orphan Drug designation to HVB-77 for Batten disease.\n"
    )
    result = invoke("extract", "-", "--format", "jsonl", input=text)
    assert result.exit_code == 0, result.output
    rows = jsonl(result)
    assert [(r["product"], r["regulator"], r["designation"]) for r in rows] == [
        ("HVB-77", "FDA", "orphan_drug")
    ]


def test_extract_url(http_server: LocalServer) -> None:
    http_server.route("/news/seed.html", body=(SEED / "page.html").read_bytes())
    url = http_server.url("/news/seed.html")
    result = invoke("extract", url, "--format", "jsonl")
    assert result.exit_code == 0, result.output
    rows = jsonl(result)
    assert len(rows) == 6
    assert {row["source"] for row in rows} == {url}
    assert http_server.hits["/news/seed.html"] == 1


# -- help ---------------------------------------------------------------------------------


@pytest.mark.parametrize("command", [[], ["extract"], ["run"], ["query"]])
def test_help(command: list[str]) -> None:
    result = invoke(*command, "--help")
    assert result.exit_code == 0
    assert "Example" in result.stdout


def test_no_args_shows_help() -> None:
    result = invoke()
    assert "extract" in result.output and "query" in result.output


# -- bad inputs ---------------------------------------------------------------------------


def _missing(tmp: Path) -> str:
    return str(tmp / "missing.html")


def _directory(tmp: Path) -> str:
    (tmp / "folder").mkdir()
    return str(tmp / "folder")


def _binary(tmp: Path) -> str:
    (tmp / "blob.html").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x01")
    return str(tmp / "blob.html")


def _empty_html(tmp: Path) -> str:
    (tmp / "empty.html").write_text("", encoding="utf-8")
    return str(tmp / "empty.html")


def _nav_only(tmp: Path) -> str:
    (tmp / "nav.html").write_text(
        "<html><body><nav><a href='/'>Home</a> <a href='/news'>News</a>"
        "<a href='/about'>About Us</a></nav></body></html>",
        encoding="utf-8",
    )
    return str(tmp / "nav.html")


def _unreachable(_tmp: Path) -> str:
    return "http://127.0.0.1:9/"  # the discard port: nothing listens there


BAD_INPUTS = {
    "missing": _missing,
    "directory": _directory,
    "binary": _binary,
    "empty-html": _empty_html,
    "nav-only": _nav_only,
    "unreachable": _unreachable,
}


@pytest.mark.parametrize("make", BAD_INPUTS.values(), ids=BAD_INPUTS.keys())
def test_extract_bad_input(tmp_path: Path, make: Callable[[Path], str]) -> None:
    source = make(tmp_path)
    result = invoke("extract", source, "--format", "jsonl")
    assert_one_error_line(result)
    assert source in result.stderr
    assert result.stdout == ""


@pytest.mark.parametrize("command", ["extract", "run", "query"])
def test_unknown_format(tmp_path: Path, command: str) -> None:
    args = [] if command == "query" else [SEED_TXT]
    db = [] if command == "extract" else ["--db", str(tmp_path / "e.db")]
    result = invoke(command, *args, *db, "--format", "xml")
    assert_one_error_line(result)
    assert "xml" in result.stderr


def test_query_bad_date(tmp_path: Path) -> None:
    result = invoke("query", "--db", str(tmp_path / "e.db"), "--since", "last tuesday")
    assert_one_error_line(result)


# -- run and query ------------------------------------------------------------------------


def test_run_twice_stores_nothing_new(tmp_path: Path) -> None:
    db = tmp_path / "events.db"
    first = invoke("run", SEED_HTML, "--db", str(db), "--format", "jsonl")
    assert first.exit_code == 0, first.output
    assert len(jsonl(first)) == 6
    with Store(f"sqlite:///{db}") as store:
        after_first = store.counts()
    assert after_first == {"articles": 1, "events": 6, "mentions": 6}

    second = invoke("run", SEED_HTML, "--db", str(db), "--format", "jsonl")
    assert second.exit_code == 0, second.output
    assert "0 new event(s)" in second.stderr
    with Store(f"sqlite:///{db}") as store:
        assert store.counts() == after_first


def test_run_db_from_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    db = tmp_path / "env.db"
    monkeypatch.setenv("CGTEXTRACT_DB", f"sqlite:///{db}")
    result = invoke("run", SEED_TXT, "--format", "jsonl")
    assert result.exit_code == 0, result.output
    with Store(f"sqlite:///{db}") as store:
        assert store.counts()["events"] == 6


def test_run_mixed_good_and_bad(tmp_path: Path) -> None:
    db = tmp_path / "events.db"
    missing = str(tmp_path / "missing.txt")
    result = invoke("run", missing, SEED_TXT, "--db", str(db), "--format", "jsonl")
    assert result.exit_code == 1
    assert isinstance(result.exception, SystemExit)
    errors = [ln for ln in result.stderr.splitlines() if ln.startswith("cgtextract:")]
    assert len(errors) == 1 and missing in errors[0]
    assert "Traceback" not in result.output
    assert len(jsonl(result)) == 6
    with Store(f"sqlite:///{db}") as store:
        assert store.counts()["events"] == 6


@pytest.mark.parametrize("make", BAD_INPUTS.values(), ids=BAD_INPUTS.keys())
def test_run_bad_input(tmp_path: Path, make: Callable[[Path], str]) -> None:
    result = invoke("run", make(tmp_path), "--db", str(tmp_path / "e.db"))
    assert result.exit_code == 2
    assert isinstance(result.exception, SystemExit)
    assert "Traceback" not in result.output
    assert result.stderr.splitlines()[0].startswith("cgtextract:")


def test_query_by_regulator(tmp_path: Path) -> None:
    db = str(tmp_path / "events.db")
    assert invoke("run", SEED_TXT, "--db", db).exit_code == 0
    result = invoke("query", "--regulator", "FDA", "--db", db, "--format", "jsonl")
    assert result.exit_code == 0, result.output
    rows = jsonl(result)
    assert len(rows) == 5
    assert {row["regulator"] for row in rows} == {"FDA"}
    assert all(tuple(row) == SCHEMA_FIELDS for row in rows)


@pytest.mark.parametrize(
    ("args", "products"),
    [
        (["--type", "rmat"], ["NouvNeu001"]),
        (["--regulator", "nmpa"], ["CT0596"]),
        (["--product", "bbm d101"], ["BBM-D101"] * 3),
        (["--since", "2025-08", "--until", "2025-12"], ["CT0596", "NouvNeu001", "NouvNeu001"]),
    ],
)
def test_query_filters(tmp_path: Path, args: list[str], products: list[str]) -> None:
    db = str(tmp_path / "events.db")
    assert invoke("run", SEED_TXT, "--db", db).exit_code == 0
    result = invoke("query", *args, "--db", db, "--format", "jsonl")
    assert result.exit_code == 0, result.output
    assert sorted(row["product"] for row in jsonl(result)) == products  # type: ignore[type-var]


# -- the installed executable -------------------------------------------------------------


def _executable() -> str:
    beside = Path(sys.executable).parent / "cgtextract"
    found = str(beside) if beside.exists() else shutil.which("cgtextract")
    if found is None:
        pytest.fail("the cgtextract console script is not installed")
    return found


def test_installed_executable() -> None:
    proc = subprocess.run(
        [_executable(), "extract", SEED_TXT, "--format", "jsonl"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert len(lines) == 6
    assert all(tuple(json.loads(line)) == SCHEMA_FIELDS for line in lines)


def test_installed_executable_error() -> None:
    proc = subprocess.run(
        [_executable(), "extract", "no-such-file.html"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert proc.returncode == 2
    assert proc.stderr.splitlines() == ["cgtextract: no-such-file.html: no such file"]
