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
