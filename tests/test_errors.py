"""One exception tree, one Failure shape, one wrapper, one exit-code mapping, one line format."""

from __future__ import annotations

import importlib
import inspect
import pkgutil

import pytest

import cgtextract
from cgtextract import errors
from cgtextract.errors import (
    EXIT_FAILED,
    EXIT_LOCKED,
    EXIT_OK,
    EXIT_SOME_FAILED,
    KINDS,
    CgtextractError,
    ConfigError,
    Disallowed,
    Failure,
    FetchError,
    IngestLocked,
    InputError,
    StorageError,
    attempt,
    batch_exit_code,
    error_line,
    exit_code,
    kind_of,
)


def _modules() -> list[str]:
    names = [cgtextract.__name__]
    for info in pkgutil.walk_packages(cgtextract.__path__, prefix="cgtextract."):
        if ".migrations" not in info.name and not info.name.endswith("__main__"):
            names.append(info.name)
    return names


def test_every_exception_class_lives_in_errors_py() -> None:
    elsewhere = []
    for name in _modules():
        module = importlib.import_module(name)
        for attr, value in vars(module).items():
            if (
                inspect.isclass(value)
                and issubclass(value, BaseException)
                and value.__module__ == name
                and name != errors.__name__
            ):
                elsewhere.append(f"{name}.{attr}")
    # fetch's _Transient is a private retry signal that never leaves fetch.py
    assert elsewhere == ["cgtextract.fetch._Transient"]


def test_every_class_of_the_tree_has_its_own_kind() -> None:
    classes = [
        v
        for v in vars(errors).values()
        if inspect.isclass(v) and issubclass(v, CgtextractError) and v is not CgtextractError
    ]
    kinds = [kind_of(cls("x")) for cls in classes]
    assert len(set(kinds)) == len(classes) and "internal" not in kinds
    assert set(kinds) | {"internal"} == set(KINDS)


@pytest.mark.parametrize(
    ("exc", "kind"),
    [
        (InputError("a.txt: no such file"), "input"),
        (ConfigError("s.toml: invalid TOML"), "config"),
        (Disallowed("u: disallowed by robots.txt"), "disallowed"),
        (FetchError("u: HTTP 404"), "fetch"),
        (StorageError("cannot save"), "storage"),
        (IngestLocked("another ingest"), "locked"),
        (ValueError("boom"), "internal"),
    ],
)
def test_kind_follows_the_tree(exc: Exception, kind: str) -> None:
    assert Failure.of("src", exc).kind == kind


def test_a_bug_is_told_in_one_line_with_its_type() -> None:
    failure = Failure.of("a.html", KeyError("x"))
    assert failure == Failure("a.html", "internal", "internal error (KeyError: 'x')")
    assert Failure.of("a.html", MemoryError()).message == "internal error (MemoryError)"


def test_the_line_names_the_source_once() -> None:
    assert Failure("a.txt", "input", "a.txt: no such file").line == "a.txt: no such file"
    assert Failure("a.txt", "input", "no such file").line == "a.txt: no such file"
    saved = Failure("b.html", "storage", "cannot save b.html in sqlite:///x.db: full")
    assert saved.line == "cannot save b.html in sqlite:///x.db: full"


def test_only_the_first_line_of_a_message_is_kept() -> None:
    failure = Failure.of("u", FetchError("u: broken\nTraceback (most recent call last):\n ..."))
    assert failure.message == "u: broken"


def test_attempt_returns_the_value_or_the_failure() -> None:
    assert attempt("s", int, "12") == 12
    assert attempt("s", int, "x").kind == "internal"  # type: ignore[union-attr]

    def refuse() -> None:
        raise FetchError("s: refused: 127.0.0.1 is a loopback address")

    assert attempt("s", refuse) == Failure(
        "s", "fetch", "s: refused: 127.0.0.1 is a loopback address"
    )


def test_attempt_lets_interrupts_through() -> None:
    def interrupted() -> None:
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        attempt("s", interrupted)


def test_exit_codes() -> None:
    assert exit_code("locked") == EXIT_LOCKED == 3
    assert all(exit_code(k) == EXIT_FAILED == 2 for k in KINDS if k != "locked")
    assert batch_exit_code(0, 5) == EXIT_OK == 0
    assert batch_exit_code(2, 3) == EXIT_SOME_FAILED == 1
    assert batch_exit_code(2, 0) == EXIT_FAILED


def test_error_line_is_one_line() -> None:
    assert error_line("a\nb  c") == "cgtextract: a b c"
    missing = Failure("a.txt", "input", "no such file")
    assert error_line(missing) == "cgtextract: a.txt: no such file"
    assert error_line(StorageError("locked\nSQL: ...")) == "cgtextract: locked"
