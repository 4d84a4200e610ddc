"""The exception tree. The CLI maps each to one line on stderr and an exit code.

CgtextractError
├── InputError      bad file, path, or argument given by the user
├── FetchError      an HTTP fetch failed (network, status, type, size, timeout)
├── NoContentError  the page has no article text to read
├── PatternError    a vocabulary file in patterns/ is malformed
└── StorageError    the database could not be opened or written
"""

from __future__ import annotations


class CgtextractError(Exception):
    """Base of every error cgtextract raises on purpose."""


class InputError(CgtextractError):
    """A file, path or argument given by the user cannot be used."""


class FetchError(CgtextractError):
    """An HTTP fetch failed."""


class NoContentError(CgtextractError):
    """The document has no article text."""


class PatternError(CgtextractError):
    """A vocabulary or pattern file is malformed."""


class StorageError(CgtextractError):
    """The database could not be opened, migrated or written."""
