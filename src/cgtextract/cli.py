"""The `cgtextract` command: thin wrappers over the library functions."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from cgtextract.errors import CgtextractError, InputError
from cgtextract.output import FORMATS, render
from cgtextract.pipeline import process, run
from cgtextract.settings import Settings, normalize_db_url
from cgtextract.store import Store

app = typer.Typer(
    help=(
        "Read cell and gene therapy news and press releases; keep their regulatory events.\n\n"
        "Example: cgtextract extract release.html --format jsonl"
    ),
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)

DbOption = Annotated[
    str | None,
    typer.Option("--db", help="SQLAlchemy URL or SQLite file (default: $CGTEXTRACT_DB or ./cgtextract.db)."),
]
FormatOption = Annotated[str, typer.Option("--format", "-f", help=f"Output format: {', '.join(FORMATS)}.")]


def _fail(message: str, code: int) -> typer.Exit:
    typer.echo(f"cgtextract: {message}", err=True)
    return typer.Exit(code)


def _check_format(fmt: str, allowed: tuple[str, ...] = FORMATS) -> None:
    if fmt not in allowed:
        raise _fail(f"unknown format {fmt!r} (choose from {', '.join(allowed)})", 2)


def _settings(db: str | None) -> Settings:
    return Settings.from_env(db_url=normalize_db_url(db) if db else None)


def _open_store(settings: Settings) -> Store:
    try:
        return Store(settings.db_url)
    except CgtextractError as exc:
        raise _fail(str(exc), 2) from None


@app.command()
def extract(
    sources: Annotated[list[str], typer.Argument(help="Files (.html, .htm, .txt), '-' for stdin, or http(s) URLs.")],
    fmt: FormatOption = "table",
) -> None:
    """Print the events of each input without touching a database.

    Example: cgtextract extract fixtures/seed/page.html --format jsonl
    """
    _check_format(fmt)
    settings = _settings(None)
    failed = 0
    events = []
    for source in sources:
        try:
            _, found = process(source, settings)
        except CgtextractError as exc:
            typer.echo(f"cgtextract: {exc}", err=True)
            failed += 1
            continue
        events.extend(found)
    sys.stdout.write(render(events, fmt))
    if failed:
        raise typer.Exit(2 if failed == len(sources) else 1)


@app.command("run")
def run_cmd(
    sources: Annotated[list[str], typer.Argument(help="Files, '-' for stdin, or http(s) URLs.")],
    db: DbOption = None,
    fmt: FormatOption = "table",
) -> None:
    """Fetch, clean, extract and store each input, then print what was stored.

    Each input is stored in its own transaction; running twice stores nothing twice.

    Example: cgtextract run https://example.com/press-release.html --db events.db
    """
    _check_format(fmt)
    settings = _settings(db)
    with _open_store(settings) as store:
        report = run(sources, settings, store)
    for source, error in report.failed:
        typer.echo(f"cgtextract: {error}" if source in error else f"cgtextract: {source}: {error}", err=True)
    sys.stdout.write(render(report.events, fmt))
    new = sum(r.new_events for _, r in report.stored)
    typer.echo(f"stored {len(report.stored)} article(s), {new} new event(s); {len(report.failed)} failed", err=True)
    if report.failed:
        raise typer.Exit(2 if not report.stored else 1)


@app.command()
def query(
    company: Annotated[str | None, typer.Option(help="Company name contains this text.")] = None,
    product: Annotated[str | None, typer.Option(help="Product name or alias contains this text.")] = None,
    regulator: Annotated[str | None, typer.Option(help="Regulator code, e.g. FDA, NMPA, EMA.")] = None,
    type_: Annotated[str | None, typer.Option("--type", help="Event type or designation, e.g. approval, rmat.")] = None,
    since: Annotated[str | None, typer.Option(help="Events on or after this date (YYYY[-MM[-DD]]).")] = None,
    until: Annotated[str | None, typer.Option(help="Events on or before this date.")] = None,
    limit: Annotated[int | None, typer.Option(help="At most this many events.")] = None,
    db: DbOption = None,
    fmt: FormatOption = "table",
) -> None:
    """Read stored events back, newest first.

    Example: cgtextract query --regulator FDA --type rmat --since 2025-01 --format csv
    """
    _check_format(fmt, ("table", "jsonl", "csv", "json"))
    settings = _settings(db)
    with _open_store(settings) as store:
        try:
            events = store.query(company=company, product=product, regulator=regulator,
                                 event_type=type_, since=since, until=until, limit=limit)
        except InputError as exc:
            raise _fail(str(exc), 2) from None
    sys.stdout.write(render(events, fmt))


def main() -> None:
    """Console-script entry point."""
    app()
