"""clean_html and clean_text: the article text, title and publication date, and no chrome."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from cgtextract.clean import clean_html, clean_text
from cgtextract.errors import NoContentError
from cgtextract.models import Article

SEED = Path(__file__).resolve().parents[1] / "fixtures" / "seed"
TITLE = (
    "China Leads Global Cell and Gene Therapy Trials with Over 50% Share, "
    "Showcasing Innovative Pipeline"
)


@pytest.fixture(scope="module")
def page() -> Article:
    return clean_html((SEED / "page.html").read_bytes(), "fixtures/seed/page.html")


@pytest.fixture(scope="module")
def text_article() -> Article:
    return clean_text((SEED / "seed-article.txt").read_text(encoding="utf-8"), "seed-article.txt")


def test_html_metadata(page: Article) -> None:
    assert page.source == "fixtures/seed/page.html"
    assert page.title == TITLE
    assert page.published == date(2026, 1, 4)
    assert page.raw is not None and "<html" in page.raw


@pytest.mark.parametrize(
    "paragraph",
    [
        "【Pharmaceutical Network Industry Dynamics】In the wave of iterative upgrades",
        "On December 29, 2025, CARsgen Therapeutics announced that it had submitted two "
        "Investigational New Drug (IND) applications",
        "had been granted the Regenerative Medicine Advanced Therapy (RMAT) designation by the "
        "FDA on December 22.",
        "In August this year, the FDA also granted the drug Fast Track Designation (FTD) for the "
        "treatment of Parkinson's disease.",
        "In November 2024, this product received FDA Orphan Drug Designation (ODD) and Rare "
        "Pediatric Disease Designation (RPDD).",
        "Disclaimer: In any case,",
    ],
)
def test_html_keeps_article_paragraphs(page: Article, paragraph: str) -> None:
    assert paragraph in page.text


@pytest.mark.parametrize(
    "chrome",
    [
        "We use cookies",  # cookie banner
        "Accept all cookies",
        "Sign in",  # top bar
        "Clinical Trials\n",  # main nav
        "Search news",
        "Related News",  # sidebar
        "X-123",
        "QX0456",
        "European Commission approves first CRISPR",
        "Subscribe",
        "Privacy Policy",  # footer
        "ICP License",
        "Copyright",
    ],
)
def test_html_drops_chrome(page: Article, chrome: str) -> None:
    assert chrome not in page.text


def test_text_published_from_date_line(text_article: Article) -> None:
    assert text_article.published == date(2026, 1, 4)
    assert text_article.source == "seed-article.txt"
    assert "On December 29, 2025, CARsgen Therapeutics announced" in text_article.text


def test_text_title_is_first_line() -> None:
    text = "FDA clears IND\n\nJune 8, 2021\n\nAcme Bio said the FDA cleared it."
    article = clean_text(text, "a.txt")
    assert article.title == "FDA clears IND"
    assert article.published == date(2021, 6, 8)


def test_text_without_date_has_no_published() -> None:
    article = clean_text("FDA clears IND\nAcme Bio said the FDA cleared the IND for AB-1.", "a.txt")
    assert article.published is None


@pytest.mark.parametrize(
    "html",
    [
        "",
        "<html><body></body></html>",
        "<html><head><title>Only a title</title></head><body>   </body></html>",
        "<html><body><nav><a href='/'>Home</a> <a href='/news'>News</a></nav>"
        "<footer>Copyright 2026</footer></body></html>",
    ],
)
def test_html_without_article_text_raises(html: str) -> None:
    with pytest.raises(NoContentError, match="empty.html"):
        clean_html(html, "empty.html")


@pytest.mark.parametrize("text", ["", "   \n\n  ", "Too short."])
def test_text_without_article_text_raises(text: str) -> None:
    with pytest.raises(NoContentError, match="a.txt"):
        clean_text(text, "a.txt")


_META_PAGES = {
    "og-title": '<html><head><meta property="og:title" content="Acme wins approval">'
    '<meta property="article:published_time" content="2025-03-04T08:00:00Z"></head>'
    "<body><article><p>{body}</p></article></body></html>",
    "json-ld": '<html><head><script type="application/ld+json">{{"@type": "NewsArticle", '
    '"headline": "Beta gets RMAT", "datePublished": "2024-11-19"}}</script></head>'
    "<body><article><p>{body}</p></article></body></html>",
    "title-tag-and-time": "<html><head><title>Gamma clears IND | Newswire</title></head><body>"
    '<h1>Gamma clears IND</h1><time datetime="2023-06-30">June 30, 2023</time>'
    "<article><p>{body}</p></article></body></html>",
    "canonical-url-date": '<html><head><link rel="canonical" '
    'href="https://news.example.com/2022/01/17/delta-orphan.html"></head>'
    "<body><main><p>{body}</p></main></body></html>",
}
_BODY = (
    "The company said on Monday that the agency granted the designation to its lead "
    "product, an autologous cell therapy for a rare blood disease. " * 4
)


@pytest.mark.parametrize(
    "html",
    [pytest.param(p.read_bytes(), id=p.name) for p in sorted(SEED.parent.rglob("*.html"))]
    + [pytest.param(t.format(body=_BODY), id=name) for name, t in _META_PAGES.items()],
)
def test_title_date_and_text_as_trafilatura_with_metadata(html: str | bytes) -> None:
    """clean_html skips trafilatura's metadata step (authors, tags, licence) and takes the
    title and date with trafilatura's own functions: they must agree with the full step."""
    import trafilatura

    full = trafilatura.bare_extraction(html, with_metadata=True, deduplicate=False)
    article = clean_html(html, "page.html")
    assert full is not None
    assert article.title == (full.title or None)
    assert article.published == (date.fromisoformat(full.date[:10]) if full.date else None)
    assert article.text.replace("\u00a0", " ") == full.text.strip().replace("\u00a0", " ")


def test_of_several_date_lines_the_one_nearest_the_article() -> None:
    """A site's own 'today' line above the article's date line is not the article's date."""
    text = (
        "Tuesday, 19 March 2024\nRegulator approves a cell therapy\n10 March 2021 | News\n"
        "The agency has approved the therapy for a rare leukemia in adults and children."
    )
    assert clean_text(text, "page.txt").published == date(2021, 3, 10)


@pytest.mark.parametrize(
    ("text", "published"),
    [
        pytest.param(
            "On March 4, 2025, Corvane said the FDA cleared its IND for KB-101 in lupus.",
            None,
            id="an-act's-date-is-not-the-page's",
        ),
        pytest.param(
            "Corvane clears IND\nBy Jane Roe | March 4, 2025\nCorvane said the FDA cleared its"
            " IND for KB-101 in lupus on March 1.",
            date(2025, 3, 4),
            id="byline-date",
        ),
        pytest.param(
            "BOSTON, March 4, 2025 /PRNewswire/ -- Corvane said the FDA cleared its IND for"
            " KB-101 in lupus on March 1.",
            date(2025, 3, 4),
            id="dateline",
        ),
    ],
)
def test_publication_date_from_a_date_line_or_dateline(text: str, published: date | None) -> None:
    assert clean_text(text, "page.txt").published == published
