"""cgtextract: regulatory events of cell and gene therapy products, read from news and releases."""

from cgtextract.clean import clean_html, clean_text
from cgtextract.errors import (
    CgtextractError,
    FetchError,
    InputError,
    NoContentError,
    PatternError,
    StorageError,
)
from cgtextract.models import Article, Event
from cgtextract.pipeline import load, process, run
from cgtextract.read import extract
from cgtextract.settings import Settings
from cgtextract.store import Store

__version__ = "0.1.0"

__all__ = [
    "Article",
    "CgtextractError",
    "Event",
    "FetchError",
    "InputError",
    "NoContentError",
    "PatternError",
    "Settings",
    "StorageError",
    "Store",
    "clean_html",
    "clean_text",
    "extract",
    "load",
    "process",
    "run",
]
