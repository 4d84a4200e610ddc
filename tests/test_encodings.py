"""Pages in the encodings real sites use come out right, or are skipped with a reason."""

from __future__ import annotations

import pytest

from cgtextract.clean import clean_html, decode_html
from cgtextract.errors import NoContentError

BODY = (
    "<html><head>{meta}<title>Release</title></head><body><article><p>{text}</p></article>"
    "</body></html>"
)
LATIN = "“Smart quotes” and café — the FDA granted Orphan Drug Designation to AB-123 in 2020."
CHINESE = "上海细胞治疗公司宣布，国家药品监督管理局已批准其新药临床试验申请，公司将继续推进研究。"
JAPANESE = "日本の厚生労働省は遺伝子治療薬を承認しました。これは患者にとって大きな進歩です。"


@pytest.mark.parametrize(
    ("text", "codec", "meta", "header"),
    [
        (LATIN, "utf-8", "", "utf-8"),
        (LATIN, "utf-8", "", None),
        (LATIN, "cp1252", "<meta charset='windows-1252'>", None),  # declared only in a meta tag
        (LATIN, "cp1252", "<meta charset='windows-1252'>", "utf-8"),  # header is wrong
        (LATIN, "utf-8", "", "iso-8859-1"),  # header is wrong the other way
        (
            CHINESE,
            "gb18030",
            "<meta http-equiv='Content-Type' content='text/html; charset=gbk'>",
            None,
        ),
        (CHINESE, "gbk", "", "gbk"),
        (CHINESE, "gbk", "", None),  # no declaration at all: detected
        (JAPANESE, "shift_jis", "<meta charset='shift_jis'>", None),
        (LATIN, "utf-16", "", None),  # BOM
    ],
)
def test_text_comes_out_right(text: str, codec: str, meta: str, header: str | None) -> None:
    raw = BODY.format(meta=meta, text=text).encode(codec)
    assert text in decode_html(raw, header)
    assert text in clean_html(decode_html(raw, header), "page.html").text


def test_invalid_bytes_never_crash() -> None:
    raw = BODY.format(meta="", text=LATIN).encode("utf-8") + b"\xff\xfe\x80\x81 trailing"
    decode_html(raw, "utf-8")  # returns text; no exception


def test_mojibake_is_skipped_with_a_reason() -> None:
    garbled = LATIN.encode("utf-8").decode("latin-1") * 5
    with pytest.raises(NoContentError, match="garbled"):
        clean_html(BODY.format(meta="", text=garbled), "bad.html")


def test_page_over_the_size_bound_is_skipped() -> None:
    with pytest.raises(NoContentError, match="larger than"):
        clean_html(BODY.format(meta="", text=LATIN * 100), "big.html", max_chars=1000)


def test_text_over_the_length_bound_is_skipped() -> None:
    with pytest.raises(NoContentError, match="longer than"):
        clean_html(BODY.format(meta="", text=LATIN * 100), "long.html", max_text_chars=500)


def test_deeply_nested_markup_ends_in_a_readable_failure() -> None:
    page = "<div>" * 100_000 + "hello" + "</div>" * 100_000
    with pytest.raises(NoContentError):
        clean_html(page, "deep.html")
