"""The `cgtextract` command: thin wrappers over the library functions."""

from __future__ import annotations

import os
import signal
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any, Literal

import typer
from typer.core import TyperGroup

from cgtextract.errors import (
    CgtextractError,
    Failure,
    attempt,
    batch_exit_code,
    error_line,
    exit_code,
    kind_of,
)
from cgtextract.models import Event
from cgtextract.output import (
    EXPORT_FORMATS,
    FORMATS,
    STATS_FORMATS,
    EventWriter,
    export_to_file,
    render,
    render_explained,
    render_reextract,
    render_rows,
    render_stats,
    write_export,
)
from cgtextract.pipeline import load, process, run
from cgtextract.pipeline import reextract as reextract_stored
from cgtextract.read import Why
from cgtextract.read import explain as explain_events
from cgtextract.read import extract as extract_events
from cgtextract.settings import Settings, normalize_db_url
from cgtextract.store import SORTS, Store, init_database

# click's exception base, found through typer's own BadParameter: typer may use click or a
# copy of it inside typer, and this is the class its usage errors come from either way.
_ClickException: type[Exception] = next(
    c for c in typer.BadParameter.__mro__ if c.__name__ == "ClickException"
)


class _OneLineErrors(TyperGroup):
    """Usage errors (unknown option, bad value, missing argument) as one line on stderr and
    exit 2, like every other error, instead of click's usage box."""

    def main(
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        windows_expand_args: bool = True,
        **extra: Any,
    ) -> Any:
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, False, windows_expand_args, **extra)
        try:
            code = super().main(args, prog_name, complete_var, False, windows_expand_args, **extra)
        except _ClickException as exc:
            if type(exc).__name__ == "NoArgsIsHelpError":  # `cgtextract` alone: the help
                exc.show()  # type: ignore[attr-defined]
            else:
                typer.echo(error_line(exc.format_message()), err=True)  # type: ignore[attr-defined]
            sys.exit(exc.exit_code)  # type: ignore[attr-defined]
        except typer.Abort:
            typer.echo(error_line("aborted"), err=True)
            sys.exit(1)
        sys.exit(code if isinstance(code, int) else 0)


app = typer.Typer(
    cls=_OneLineErrors,
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
    typer.Option(
        "--db", help="SQLAlchemy URL or SQLite file (default: $CGTEXTRACT_DB or ./cgtextract.db)."
    ),
]
FormatOption = Annotated[
    str, typer.Option("--format", "-f", help=f"Output format: {', '.join(FORMATS)}.")
]


def _fail(error: str | CgtextractError, code: int | None = None) -> typer.Exit:
    """Tell one error on stderr; the Exit to raise (code: from the error's kind, else 2)."""
    typer.echo(error_line(error), err=True)
    if code is None:
        code = exit_code(kind_of(error)) if isinstance(error, CgtextractError) else 2
    return typer.Exit(code)


@contextmanager
def _stoppable() -> Iterator[None]:
    """SIGTERM (cron's `timeout`, a service stop) and Ctrl-C end `run` and `ingest` at once:
    the run records how it ended, queued work is dropped, worker processes end (they watch
    this process), and the process exits without waiting for fetches still on the network.
    Nothing is left half-stored: every article is stored in its own transaction."""
    got: list[int] = []

    def terminated(signum: int, _frame: object) -> None:
        got.append(signum)
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, terminated)
    try:
        yield
    except KeyboardInterrupt:
        typer.echo(error_line("interrupted"), err=True)
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(128 + (got[0] if got else signal.SIGINT))
    finally:
        signal.signal(signal.SIGTERM, previous)


def _tell(failures: list[Failure]) -> None:
    for failure in failures:
        typer.echo(error_line(failure), err=True)


def _check_format(fmt: str, allowed: tuple[str, ...] = FORMATS) -> None:
    if fmt not in allowed:
        raise _fail(f"unknown format {fmt!r} (choose from {', '.join(allowed)})", 2)


def _settings(db: str | None) -> Settings:
    if db is not None and not db.strip():
        # `--db "$DB"` in a crontab with DB unset: never fall back to ./cgtextract.db
        raise _fail("--db is empty (give a SQLite file or a SQLAlchemy URL)")
    return Settings.from_env(db_url=normalize_db_url(db) if db else None)


def _open_store(settings: Settings, check: Literal["quick"] | None = None) -> Store:
    try:
        return Store(settings.db_url, check=check)
    except CgtextractError as exc:
        raise _fail(exc) from None


def _explain_one(source: str, settings: Settings) -> list[tuple[Event, dict[str, Why], str]]:
    """One input's events, each with where its fields came from and the text they point into."""
    article = load(source, settings)
    return [(e, why, article.text) for e, why in explain_events(article)]


@app.command()
def extract(
    sources: Annotated[
        list[str], typer.Argument(help="Files (.html, .htm, .txt), '-' for stdin, or http(s) URLs.")
    ],
    fmt: FormatOption = "table",
    explain: Annotated[
        bool,
        typer.Option(
            "--explain",
            help="Also show, for each field, the stage and rule that chose it and the text "
            "it was read from.",
        ),
    ] = False,
) -> None:
    """Print the events of each input without touching a database.

    Example: cgtextract extract fixtures/seed/page.html --format jsonl
    """
    _check_format(fmt)
    settings = _settings(None)
    failed: list[Failure] = []
    events = []
    explained: list[tuple[Event, dict[str, Why], str]] = []
    for source in sources:
        if explain:
            told = attempt(source, _explain_one, source, settings)
            if isinstance(told, Failure):
                _tell([told])
                failed.append(told)
            else:
                explained += told
            continue
        outcome = attempt(source, process, source, settings)
        if isinstance(outcome, Failure):
            _tell([outcome])
            failed.append(outcome)
        else:
            events.extend(outcome[1])
    sys.stdout.write(render_explained(explained, fmt) if explain else render(events, fmt))
    if failed:
        raise typer.Exit(batch_exit_code(len(failed), len(sources) - len(failed)))


@app.command("run")
def run_cmd(
    sources: Annotated[list[str], typer.Argument(help="Files, '-' for stdin, or http(s) URLs.")],
    db: DbOption = None,
    fmt: FormatOption = "table",
    workers: Annotated[
        int,
        typer.Option(min=1, max=64, help="Processes that fetch, clean and extract (default 1)."),
    ] = 1,
) -> None:
    """Fetch, clean, extract and store each input, then print what was stored.

    Each input is stored in its own transaction; running twice stores nothing twice.

    Example: cgtextract run https://example.com/press-release.html --db events.db
    """
    _check_format(fmt)
    settings = _settings(db)
    printed = EventWriter(fmt, sys.stdout)
    with _stoppable(), _open_store(settings, "quick") as store:
        # events are printed as each batch is stored, not kept for the end
        report = run(
            sources, settings, store, workers=workers, keep_events=False, on_stored=printed.write
        )
    printed.close()
    _tell(report.failed)
    new = sum(r.new_events for _, r in report.stored)
    typer.echo(
        f"stored {len(report.stored)} article(s), {new} new event(s); {len(report.failed)} failed",
        err=True,
    )
    if report.failed:
        raise typer.Exit(batch_exit_code(len(report.failed), len(report.stored)))


@app.command()
def query(
    company: Annotated[str | None, typer.Option(help="Company name contains this text.")] = None,
    product: Annotated[
        str | None, typer.Option(help="Product name or any alias contains this text.")
    ] = None,
    target: Annotated[
        str | None, typer.Option(help="Target antigen or gene, e.g. BCMA (aliases count).")
    ] = None,
    modality: Annotated[str | None, typer.Option(help="Modality code, e.g. car_t, aav.")] = None,
    regulator: Annotated[
        str | None, typer.Option(help="Regulator code, e.g. FDA, NMPA, EMA.")
    ] = None,
    type_: Annotated[
        str | None,
        typer.Option("--type", help="Event type or designation, e.g. approval, rmat."),
    ] = None,
    designation: Annotated[
        str | None, typer.Option(help="Designation, e.g. orphan_drug, rmat.")
    ] = None,
    indication: Annotated[
        str | None, typer.Option(help="An indication contains this text.")
    ] = None,
    since: Annotated[
        str | None, typer.Option(help="Events dated on or after this (YYYY[-MM[-DD]], YYYY-Qn).")
    ] = None,
    until: Annotated[str | None, typer.Option(help="Events dated on or before this.")] = None,
    published_since: Annotated[
        str | None, typer.Option(help="First reported in an article published on or after this.")
    ] = None,
    published_until: Annotated[
        str | None, typer.Option(help="First reported on or before this.")
    ] = None,
    sort: Annotated[str, typer.Option(help=f"Sort by: {', '.join(SORTS)}.")] = "date",
    desc: Annotated[
        bool | None,
        typer.Option(
            "--desc/--asc",
            help="Direction (default: newest first; names A to Z).",
            show_default=False,
        ),
    ] = None,
    limit: Annotated[int | None, typer.Option(help="At most this many events.")] = None,
    sql: Annotated[
        str | None,
        typer.Option(help="Run one read-only SELECT instead of filters (e.g. on events_flat)."),
    ] = None,
    db: DbOption = None,
    fmt: FormatOption = "table",
) -> None:
    """Read stored events back, newest first, or run a read-only SQL query.

    Dates at any precision (2025, 2025-Q1, 2025-03, 2025-03-14); an event is kept when
    the period its date names overlaps the range. --sql takes one SELECT or WITH statement
    and runs it read-only; filters do not apply to it.

    Example: cgtextract query --regulator FDA --type rmat --since 2025-01 --format csv

    Example: cgtextract query --sql "SELECT regulator, COUNT(*) FROM events_flat GROUP BY 1"
    """
    _check_format(fmt, ("table", "jsonl", "csv", "json"))
    settings = _settings(db)
    with _open_store(settings) as store:
        try:
            if sql is not None:
                result = store.read_sql(
                    sql,
                    timeout_s=settings.sql_timeout_s,
                    max_rows=settings.sql_max_rows,
                    max_bytes=settings.sql_max_bytes,
                )
                sys.stdout.write(render_rows(result, fmt))
                return
            events = store.query(
                company=company,
                product=product,
                target=target,
                modality=modality,
                regulator=regulator,
                event_type=type_,
                designation=designation,
                indication=indication,
                since=since,
                until=until,
                published_since=published_since,
                published_until=published_until,
                sort=sort,
                descending=desc,
                limit=limit,
            )
        except CgtextractError as exc:
            raise _fail(exc) from None
    sys.stdout.write(render(events, fmt))


@app.command()
def export(
    fmt: Annotated[
        str, typer.Option("--format", "-f", help=f"Output format: {', '.join(EXPORT_FORMATS)}.")
    ] = "jsonl",
    out: Annotated[
        Path | None, typer.Option("--out", "-o", help="Write here instead of standard output.")
    ] = None,
    db: DbOption = None,
) -> None:
    """Write every stored event with all its mentions.

    jsonl: one event per line with a `mentions` list; csv: one row per mention.

    Example: cgtextract export --format csv --out events.csv
    """
    _check_format(fmt, EXPORT_FORMATS)
    settings = _settings(db)
    with _open_store(settings) as store:
        try:
            if out is None:
                count = write_export(store.export(), fmt, sys.stdout)
            else:
                count = export_to_file(store.export(), fmt, out)
        except CgtextractError as exc:
            raise _fail(exc) from None
    typer.echo(f"exported {count} event(s){f' to {out}' if out else ''}", err=True)


@app.command()
def stats(
    db: DbOption = None,
    fmt: Annotated[
        str, typer.Option("--format", "-f", help=f"Output format: {', '.join(STATS_FORMATS)}.")
    ] = "table",
) -> None:
    """Count stored events by regulator, kind, modality and month.

    Example: cgtextract stats --db events.db
    """
    _check_format(fmt, STATS_FORMATS)
    settings = _settings(db)
    with _open_store(settings) as store:
        try:
            result = store.stats()
        except CgtextractError as exc:
            raise _fail(exc) from None
    sys.stdout.write(render_stats(result, fmt))


@app.command()
def reextract(
    since: Annotated[
        str | None,
        typer.Option(help="Only articles published on or after this date (else fetched)."),
    ] = None,
    db: DbOption = None,
) -> None:
    """Re-run the current extractor over the stored articles, without fetching.

    Prints each event added (+), changed (~, with the fields) and retired (-), then a
    summary on standard error. Use it after a change to patterns/ or to the extractor.

    Example: cgtextract reextract --since 2025-01 --db events.db
    """
    settings = _settings(db)
    with _open_store(settings) as store:
        try:
            report = reextract_stored(store, extract_events, since=since)
        except CgtextractError as exc:
            raise _fail(exc) from None
    sys.stdout.write(render_reextract(report))
    _tell(report.failed)
    typer.echo(
        f"re-read {report.articles} article(s) with extractor {report.extractor_version}: "
        f"{len(report.added)} added, {len(report.changed)} changed, "
        f"{len(report.retired)} retired; {len(report.failed)} failed",
        err=True,
    )
    if report.failed:
        raise typer.Exit(batch_exit_code(len(report.failed), report.articles - len(report.failed)))


@app.command()
def init(
    db: DbOption = None,
    upgrade: Annotated[
        bool, typer.Option("--upgrade", help="Upgrade a database made by an older version.")
    ] = False,
) -> None:
    """Create the database, or with --upgrade bring an older one to the current schema.

    Every other command upgrades an older database by itself; without --upgrade, init
    only reports that one needs it (exit 2). Data is kept.

    Example: cgtextract init --upgrade --db events.db
    """
    settings = _settings(db)
    try:
        report = init_database(settings.db_url, upgrade=upgrade)
    except CgtextractError as exc:
        raise _fail(exc) from None
    typer.echo(report.describe())


@app.command("ingest")
def ingest_cmd(
    config: Annotated[
        str, typer.Option("--config", "-c", help="TOML source list (see sources.example.toml).")
    ] = "sources.toml",
    db: DbOption = None,
    json_out: Annotated[
        bool, typer.Option("--json", help="Print the run summary as JSON on stdout.")
    ] = False,
    workers: Annotated[
        int | None,
        typer.Option(min=1, max=64, help="Processes that clean and extract (default 1)."),
    ] = None,
    concurrency: Annotated[
        int | None,
        typer.Option(min=1, max=64, help="Pages fetched at once over all hosts (default 8)."),
    ] = None,
    allow_private_addresses: Annotated[
        bool | None,
        typer.Option(
            "--allow-private-addresses",
            help="Let links found in feeds reach loopback/private addresses on other origins.",
        ),
    ] = None,
) -> None:
    """Fetch what is new in every source of the list (feeds, sitemaps, pages); store its events.

    Stored articles are not fetched again unless their source says they changed. Prints
    one summary line (or --json); each failure is one line on stderr and is retried by
    the next run. Exit codes: 0 all went well, 1 some feeds or articles failed (the rest
    were stored), 2 bad config or database, 3 another ingest is running on this database.

    Example: cgtextract ingest --config sources.toml --db cgtextract.db --workers 2
    """
    from cgtextract import ingest as ingestion

    try:
        cfg = ingestion.load_config(config)
    except CgtextractError as exc:
        raise _fail(exc) from None
    settings = cfg.apply(_settings(db))
    options = cfg.options.with_flags(
        workers=workers, concurrency=concurrency, allow_private_addresses=allow_private_addresses
    )
    progress = ingestion.TerminalProgress(sys.stderr) if sys.stderr.isatty() else None
    with _stoppable(), _open_store(settings, "quick") as store:
        try:
            report = ingestion.ingest(cfg, settings, store, options=options, progress=progress)
        except CgtextractError as exc:
            raise _fail(exc) from None
    for line in report.failure_lines():
        typer.echo(error_line(line), err=True)
    typer.echo(report.model_dump_json() if json_out else report.summary_line())
    raise typer.Exit(report.exit_code)


@app.command("runs")
def runs_cmd(
    db: DbOption = None,
    limit: Annotated[int, typer.Option(min=1, help="Show this many runs, newest first.")] = 20,
    json_out: Annotated[bool, typer.Option("--json", help="JSON Lines, one run a line.")] = False,
) -> None:
    """List the `ingest` runs: when, how each ended, what it counted (the `runs` table).

    Example: cgtextract runs --db cgtextract.db --limit 5
    """
    from cgtextract import ingest as ingestion

    with _open_store(_settings(db)) as store:
        try:
            history = ingestion.run_history(store, limit)
        except CgtextractError as exc:
            raise _fail(exc) from None
    sys.stdout.write(ingestion.format_runs(history, json_lines=json_out))


@app.command("backfill")
def backfill_cmd(
    warcs: Annotated[
        list[str] | None,
        typer.Argument(
            help="WARC files (.warc, .warc.gz) or http(s) URLs of them.", show_default=False
        ),
    ] = None,
    paths_file: Annotated[
        str | None,
        typer.Option("--paths-file", help="A warc.paths listing (plain or gzip), one WARC a line."),
    ] = None,
    base_url: Annotated[
        str, typer.Option("--base-url", help="Prefix of the --paths-file lines that are not URLs.")
    ] = "https://data.commoncrawl.org/",
    db: DbOption = None,
    engine: Annotated[
        str, typer.Option(help="local (a process pool here) or dask (a Dask cluster).")
    ] = "local",
    scheduler: Annotated[
        str | None,
        typer.Option(help="Dask scheduler address (tcp://HOST:8786); default: start a local one."),
    ] = None,
    workers: Annotated[
        int, typer.Option(min=1, help="Processes (local) or local Dask workers (default 1).")
    ] = 1,
    shards: Annotated[
        Path, typer.Option(help="Directory of the per-WARC shard files (shared with the workers).")
    ] = Path("backfill-shards"),
    force: Annotated[
        bool, typer.Option("--force", help="Read WARCs again that this extractor already read.")
    ] = False,
    allow_host: Annotated[
        list[str] | None,
        typer.Option("--allow-host", help="Only pages of this host (and subdomains); repeatable."),
    ] = None,
    deny_host: Annotated[
        list[str] | None,
        typer.Option("--deny-host", help="Never pages of this host (and subdomains); repeatable."),
    ] = None,
    no_prefilter: Annotated[
        bool, typer.Option("--no-prefilter", help="Read every HTML record (slow; for measuring).")
    ] = False,
    json_out: Annotated[
        bool, typer.Option("--json", help="Print the run summary as JSON on stdout.")
    ] = False,
) -> None:
    """Read regulatory events from web archives (WARC files), one task per WARC.

    Only records that pass a keyword prefilter built from patterns/ reach the reader. A WARC
    already read by this extractor version is skipped (unless --force); a killed run resumes.
    Exit codes: 0 all read, 1 some WARCs failed (the others were stored), 2 bad usage,
    database or engine, or every WARC failed.

    Example: cgtextract backfill CC-NEWS-20240101000000-00000.warc.gz --db events.db --workers 2

    Example: cgtextract backfill --paths-file warc.paths.gz --engine dask --scheduler tcp://10.0.0.5:8786
    """
    from cgtextract import backfill as bf

    sources = list(warcs or [])
    try:
        if paths_file is not None:
            sources += bf.warc_paths(paths_file, base_url)
        if not sources:
            raise CgtextractError("give WARC files or URLs, or --paths-file")
        if engine not in bf.ENGINES:
            raise CgtextractError(
                f"unknown engine {engine!r} (choose from {', '.join(bf.ENGINES)})"
            )
    except CgtextractError as exc:
        raise _fail(str(exc), 2) from None
    options = bf.BackfillOptions(
        engine=engine,
        workers=workers,
        scheduler=scheduler,
        shards=shards,
        force=force,
        prefilter=not no_prefilter,
        hosts=bf.HostFilter(allow=tuple(allow_host or ()), deny=tuple(deny_host or ())),
    )
    settings = _settings(db)
    progress = bf.TerminalProgress() if sys.stderr.isatty() else None
    with _open_store(settings) as store:
        try:
            report = bf.backfill(sources, store, settings, options, progress=progress)
        except CgtextractError as exc:
            raise _fail(str(exc), 2) from None
        finally:
            if progress is not None:
                progress.close()
    for line in report.failures:
        typer.echo(f"cgtextract: {line}", err=True)
    typer.echo(report.model_dump_json() if json_out else report.summary_line())
    raise typer.Exit(report.exit_code)


def main() -> None:
    """Console-script entry point."""
    app()
