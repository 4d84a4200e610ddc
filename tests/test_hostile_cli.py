"""What a careless or hostile user does at the command line: every mistake is one line on
stderr and a non-zero exit, never a traceback, a box, or a silent default."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from cgtextract import cli
from cgtextract.store import Store

runner = CliRunner()


@pytest.fixture(autouse=True)
def no_env_db(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("CGTEXTRACT_DB", raising=False)
    monkeypatch.chdir(tmp_path)


@pytest.fixture
def db(tmp_path: Path) -> str:
    path = tmp_path / "events.db"
    Store(f"sqlite:///{path}").close()
    return str(path)


def invoke(*args: str, input: str | bytes | None = None) -> Result:
    return runner.invoke(cli.app, list(args), input=input)


def one_error_line(result: Result, code: int = 2) -> str:
    assert result.exit_code == code, (result.exit_code, result.output)
    assert isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in result.output
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("cgtextract: "), lines[0]
    return lines[0]


# -- dates out of range, numbers out of range: no traceback ----------------------------------


@pytest.mark.parametrize(
    "args",
    [
        ["query", "--published-until", "0000"],
        ["query", "--published-since", "0000"],
        ["query", "--since", "0000-01"],
        ["query", "--until", "0000-Q1"],
        ["reextract", "--since", "0000"],
    ],
)
def test_year_zero_is_one_line(db: str, args: list[str]) -> None:
    line = one_error_line(invoke(*args, "--db", db))
    assert "ISO date" in line or "year" in line


def test_a_huge_limit_is_one_line(db: str) -> None:
    line = one_error_line(invoke("query", "--limit", "100000000000000000000", "--db", db))
    assert "limit" in line


# -- usage errors are one line, like every other error ---------------------------------------


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["run", "x.txt", "--workers", "0"], "--workers"),
        (["query", "--limit", "abc"], "--limit"),
        (["runs", "--limit", "0"], "--limit"),
        (["query", "--no-such-option"], "--no-such-option"),
        (["no-such-command"], "no-such-command"),
        (["extract"], "sources"),
    ],
)
def test_usage_errors_are_one_line(args: list[str], words: str) -> None:
    line = one_error_line(invoke(*args))
    assert words in line
    assert "╭" not in line and "Usage:" not in line


def test_help_still_prints_help() -> None:
    result = invoke("query", "--help")
    assert result.exit_code == 0 and "Example:" in result.stdout


# -- empty values are errors, not "everything" -----------------------------------------------


@pytest.mark.parametrize(
    "option",
    [
        "--since",
        "--until",
        "--published-since",
        "--published-until",
        "--company",
        "--product",
        "--target",
        "--indication",
        "--regulator",
        "--type",
        "--designation",
        "--modality",
    ],
)
def test_an_empty_filter_is_an_error(db: str, option: str) -> None:
    line = one_error_line(invoke("query", option, "", "--db", db))
    assert "empty" in line and option.lstrip("-").replace("-", "_") in line.replace("-", "_")


def test_an_empty_db_is_an_error(tmp_path: Path) -> None:
    """A crontab's `--db "$DB"` with DB unset must not silently use ./cgtextract.db."""
    for args in (["query"], ["stats"], ["init"], ["run", "x.txt"], ["runs"]):
        line = one_error_line(invoke(*args, "--db", ""))
        assert "--db" in line and "empty" in line
    assert not (tmp_path / "cgtextract.db").exists()


# -- careless settings: every one has a range -------------------------------------------------


@pytest.mark.parametrize(
    ("line", "key"),
    [
        ("host_delay_s = 1e9", "host_delay_s"),
        ("timeout_s = 1e12", "timeout_s"),
        ("max_fetch_s = 1e300", "max_fetch_s"),
        ("retries = 1000", "retries"),
        ("backoff_s = 1e6", "backoff_s"),
        ("max_bytes = 0", "max_bytes"),
        ("max_redirects = 500", "max_redirects"),
        ("concurrency = 100000", "concurrency"),
        ("per_host = 1000", "per_host"),
        ("workers = 4096", "workers"),
        ("max_attempts = 0", "max_attempts"),
        ("max_run_s = 0", "max_run_s"),
        ('user_agent = "a\\nX-Injected: 1"', "user_agent"),
        ('user_agent = ""', "user_agent"),
    ],
)
def test_a_setting_out_of_range_is_one_line(tmp_path: Path, line: str, key: str) -> None:
    config = tmp_path / "sources.toml"
    config.write_text(
        f'[ingest]\n{line}\n[[sources]]\nurl = "http://127.0.0.1:9/feed"\ntype = "rss"\n',
        encoding="utf-8",
    )
    result = invoke("ingest", "--config", str(config), "--db", str(tmp_path / "e.db"))
    message = one_error_line(result)
    assert key in message and str(config) in message
    assert not (tmp_path / "e.db").exists()


@pytest.mark.parametrize("option", ["max_items = 0", "max_sitemaps = 100000"])
def test_a_source_setting_out_of_range_is_one_line(tmp_path: Path, option: str) -> None:
    config = tmp_path / "sources.toml"
    source = f'[[sources]]\nurl = "http://127.0.0.1:9/feed"\ntype = "sitemap"\n{option}\n'
    config.write_text(source, encoding="utf-8")
    result = invoke("ingest", "--config", str(config), "--db", str(tmp_path / "e.db"))
    assert option.split()[0] in one_error_line(result)


def test_settings_refuse_values_out_of_range() -> None:
    from cgtextract.errors import InputError
    from cgtextract.settings import Settings

    for bad in ({"timeout_s": -1.0}, {"timeout_s": float("nan")}, {"max_bytes": 10**12}):
        with pytest.raises(InputError, match=next(iter(bad))):
            Settings(**bad)  # type: ignore[arg-type]


def test_flags_out_of_range_are_usage_errors(tmp_path: Path) -> None:
    for args in (["--workers", "100000"], ["--concurrency", "100000"]):
        line = one_error_line(invoke("ingest", *args, "--db", str(tmp_path / "e.db")))
        assert args[0] in line


# -- standard input obeys the cap of a file ---------------------------------------------------


def test_standard_input_past_max_bytes_is_one_line() -> None:
    big = b"<p>" + b"a" * (5 * 1024 * 1024) + b"</p>"
    line = one_error_line(invoke("extract", "-", input=big))
    assert "standard input" in line and "max_bytes" in line


def test_binary_standard_input_is_one_line() -> None:
    line = one_error_line(invoke("extract", "-", input=b"\x7fELF\x02\x01\x01\x00" + bytes(4000)))
    assert "binary" in line


def test_endless_standard_input_stops_at_the_cap(tmp_path: Path) -> None:
    """`extract - < /dev/zero` used to read gigabytes before dying."""
    import resource
    import subprocess
    import sys

    with open("/dev/zero", "rb") as zero:
        done = subprocess.run(
            [sys.executable, "-m", "cgtextract", "extract", "-"],
            stdin=zero,
            capture_output=True,
            text=True,
            timeout=120,
            cwd=tmp_path,
        )
    assert done.returncode == 2
    lines = done.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("cgtextract: "), done.stderr
    peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    assert peak_mb < 1000  # the cap is 5 MiB; the pipeline itself takes ~150 MB


def test_a_file_past_max_bytes_is_one_line(tmp_path: Path) -> None:
    page = tmp_path / "big.html"
    page.write_bytes(b"<p>" + b"a" * (6 * 1024 * 1024) + b"</p>")
    line = one_error_line(invoke("extract", str(page)))
    assert "larger than" in line and "max_bytes" in line


# -- export never overwrites a database --------------------------------------------------------


def _filled(tmp_path: Path) -> Path:
    from test_store import make_article, make_event

    path = tmp_path / "events.db"
    with Store(f"sqlite:///{path}") as store:
        store.save(make_article(), [make_event()])
    return path


def test_export_refuses_to_write_over_the_database(tmp_path: Path) -> None:
    path = _filled(tmp_path)
    before = path.read_bytes()
    for out in (str(path), "events.db", f"./{path.name}"):
        line = one_error_line(invoke("export", "--format", "csv", "--out", out, "--db", str(path)))
        assert "database" in line
    assert path.read_bytes() == before
    with Store(f"sqlite:///{path}") as store:
        assert store.counts()["events"] == 1


def test_export_refuses_to_write_over_any_sqlite_file(tmp_path: Path) -> None:
    path = _filled(tmp_path)
    other = tmp_path / "other.sqlite"
    Store(f"sqlite:///{other}").close()
    before = other.read_bytes()
    line = one_error_line(invoke("export", "--out", str(other), "--db", str(path)))
    assert "SQLite" in line
    assert other.read_bytes() == before


def test_export_replaces_a_file_only_once_it_is_complete(tmp_path: Path) -> None:
    path = _filled(tmp_path)
    out = tmp_path / "events.jsonl"
    out.write_text("old export\n", encoding="utf-8")
    result = invoke("export", "--out", str(out), "--db", str(path))
    assert result.exit_code == 0, result.output
    assert out.read_text(encoding="utf-8").count("\n") == 1 and "CT0596" in out.read_text()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".events.jsonl")] == []


# -- one file, one article, however it is named --------------------------------------------


def test_a_file_named_two_ways_is_one_article(tmp_path: Path) -> None:
    from test_store import TEXT

    (tmp_path / "pages").mkdir()
    page = tmp_path / "pages" / "a.txt"
    page.write_text(TEXT, encoding="utf-8")
    db = str(tmp_path / "e.db")
    for name in ("pages/a.txt", str(page), "./pages/../pages/a.txt"):
        result = invoke("run", name, "--db", db)
        assert result.exit_code == 0, result.output
    with Store(f"sqlite:///{db}") as store:
        assert store.counts()["articles"] == 1
        assert [e.source for e in store.query()] == [str(page.resolve())] * len(store.query())


def test_an_article_stored_under_a_relative_path_is_kept(tmp_path: Path) -> None:
    """A database of an older version holds `pages/a.txt`: the next run adopts that row."""
    from test_store import TEXT, make_article, make_event

    (tmp_path / "pages").mkdir()
    (tmp_path / "pages" / "a.txt").write_text(TEXT, encoding="utf-8")
    db = tmp_path / "e.db"
    with Store(f"sqlite:///{db}") as store:
        store.save(make_article("pages/a.txt"), [make_event(source="pages/a.txt")])
    assert invoke("run", "pages/a.txt", "--db", str(db)).exit_code == 0
    with Store(f"sqlite:///{db}") as store:
        assert store.counts()["articles"] == 1
        assert store.read_sql("SELECT url FROM articles").rows == [
            (str((tmp_path / "pages" / "a.txt").resolve()),)
        ]
