"""Fuzzing: decoding, extraction and cleaning never raise on arbitrary input and always return valid
text; the sources loader never raises anything but its own clear error. Bounded for CI."""

from __future__ import annotations

import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from archive import clean
from archive.decode import decode_html
from archive.extract import extract_article
from archive.links import extract_links, feed_links, sitemap_links
from archive.sources import SourcesError, parse_sources

FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
INVALID_TEXT = re.compile("[\ufffd\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")

TAGS = ["div", "p", "span", "table", "tr", "td", "ruby", "rt", "rp", "script", "style", "a", "h1", "br",
        "meta", "title", "html", "body", "head", "ul", "li", "font", "center", "section"]
CHINESE = st.text(alphabet=st.sampled_from(list("招商引资项目签约亿元吉林省長春時間來源责任编辑：，。、“”（）0123456789 \n")),
                  max_size=40)


@st.composite
def html_soup(draw, depth=0):
    """Plausible-to-broken HTML: nested tags (some unclosed), Chinese text, attributes, junk."""
    parts = []
    for _ in range(draw(st.integers(0, 6 if depth < 3 else 1))):
        kind = draw(st.integers(0, 5))
        if kind == 0 and depth < 4:
            tag = draw(st.sampled_from(TAGS))
            attr = draw(st.sampled_from(["", ' class="TRS_Editor"', ' id="zoom"', ' style="display:none"',
                                         ' charset="gb2312"', ' href="javascript:;"', ' content="2022年11月24日"']))
            inner = draw(html_soup(depth + 1))
            close = draw(st.booleans())
            parts.append(f"<{tag}{attr}>{inner}" + (f"</{tag}>" if close else ""))
        elif kind == 1:
            parts.append(draw(CHINESE))
        elif kind == 2:
            parts.append(draw(st.text(max_size=20)))
        else:
            parts.append(draw(st.sampled_from(["<!--", "-->", "<![CDATA[", "]]>", "&nbsp;", "&#0;", "&#xD800;",
                                               "<?xml?>", "</html>", "<body>", "\x00", "\ufeff", "下一页"])))
    return "".join(parts)


def check_extraction(ex):
    assert isinstance(ex.text, str) and isinstance(ex.text_original, str)
    assert not INVALID_TEXT.search(ex.text)
    assert (ex.content_hash is None) == (ex.text == "")
    assert ex.title is None or isinstance(ex.title, str)


@FUZZ
@given(st.binary(max_size=4096), st.sampled_from([None, "text/html", "text/html; charset=gb2312",
                                                   "text/html; charset=big5", "text/html; charset=x-nonsense"]))
def test_decode_never_raises(body, ctype):
    decoded = decode_html(body, ctype)
    assert isinstance(decoded.text, str)
    decoded.text.encode("utf-8", "surrogatepass")


@FUZZ
@given(st.binary(max_size=4096))
def test_extract_arbitrary_bytes(body):
    check_extraction(extract_article([(body, "http://www.example.cn/a/content_1.html")]))


@FUZZ
@given(html_soup(), st.sampled_from(["utf-8", "gb18030", "big5hkscs"]))
def test_extract_html_soup(soup, encoding):
    page = f"<html><head><title>标题_网</title></head><body>{soup}</body></html>"
    body = page.encode(encoding, "replace")
    check_extraction(extract_article([(body, "http://www.example.cn/a/t20220911_1.html"), (body, None)]))
    extract_links(page, "http://www.example.cn/list/index.html")


@FUZZ
@given(st.text(max_size=2000))
def test_clean_text_arbitrary(text):
    out = clean.clean_text(text)
    assert isinstance(out, str) and not INVALID_TEXT.search(out)
    clean.suspect_encoding(out)


@FUZZ
@given(st.binary(max_size=2048))
def test_sitemaps_and_feeds_never_raise(data):
    pages, children = sitemap_links(data)
    assert isinstance(pages, list) and isinstance(children, list)
    assert isinstance(feed_links(data), list)


def test_deeply_nested_page_does_not_overflow():
    depth = 200_000
    page = b"<html><body>" + b"<div>" * depth + "招商引资项目签约".encode() + b"</div>" * depth + b"</body></html>"
    check_extraction(extract_article([(page, "http://www.example.cn/deep.html")]))


# --- the sources loader -----------------------------------------------------------------------
VALUES = st.one_of(st.text(max_size=12), st.integers(), st.floats(allow_nan=False), st.booleans(),
                   st.lists(st.text(max_size=8), max_size=3), st.just("http://127.0.0.1:9/x"),
                   st.just("[("), st.just("0 8 * * 7"), st.just("99 * *"))
KEYS = st.sampled_from(["name", "outlet", "region", "start_urls", "article_pattern", "next_page_pattern",
                        "schedule", "boilerplate", "max_list_pages", "enabled", "colour", "relevance_threshold"])


def toml_value(v) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, float)):
        return repr(v)
    if isinstance(v, list):
        return "[" + ", ".join(toml_value(x) for x in v) + "]"
    return '"' + v.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


@FUZZ
@given(st.lists(st.dictionaries(KEYS, VALUES, max_size=8), max_size=3))
def test_sources_loader_raises_only_its_own_error(tables):
    text = "\n".join("[[source]]\n" + "".join(f"{k} = {toml_value(v)}\n" for k, v in t.items()) for t in tables)
    try:
        parse_sources(text)
    except SourcesError as exc:
        assert "\n" not in str(exc)


@FUZZ
@given(st.text(max_size=500))
def test_sources_loader_on_arbitrary_text(text):
    try:
        parse_sources(text)
    except SourcesError as exc:
        assert "\n" not in str(exc)
