"""Checks of the sample portals: content, encodings, links, sources.toml and the server."""

import email.utils
import json
import re
import shutil
import tomllib
import urllib.error
import urllib.request
from html.parser import HTMLParser
from urllib.parse import urljoin

import opencc
import pytest

from tests.sample_portals.articles import RELEVANCE_WORDS, SITES
from tests.sample_portals.server import SITES_DIR, serve_portals

EXPECTED = json.loads((SITES_DIR.parent / "expected.json").read_text(encoding="utf-8"))
DECODERS = {"utf-8": "utf-8", "gb2312": "gb18030", "big5": "big5hkscs"}
T2S = opencc.OpenCC("t2s")


def declared_charset(data):
    return re.search(rb'charset="?([\w-]+)', data).group(1).decode().lower()


def page_text(site, path, root=SITES_DIR):
    data = (root / site / path).read_bytes()
    return data.decode(DECODERS[declared_charset(data)])


class ParagraphParser(HTMLParser):
    """Text of every <p>, without ruby annotations (<rt>, <rp>)."""

    def __init__(self):
        super().__init__()
        self.paragraphs, self.current, self.skip = [], None, 0

    def handle_starttag(self, tag, attrs):
        if tag == "p":
            self.current = []
        self.skip += tag in ("rt", "rp")

    def handle_endtag(self, tag):
        self.skip -= tag in ("rt", "rp")
        if tag == "p" and self.current is not None:
            self.paragraphs.append("".join(self.current).strip())
            self.current = None

    def handle_data(self, data):
        if self.current is not None and not self.skip:
            self.current.append(data)


def page_paragraphs(site, path):
    """The page's <p> texts, converted to Simplified on Traditional sites."""
    parser = ParagraphParser()
    parser.feed(page_text(site, path))
    return [T2S.convert(p) for p in parser.paragraphs] if SITES[site]["traditional"] else parser.paragraphs


def contains_run(haystack, needle):
    return any(haystack[i:i + len(needle)] == needle for i in range(len(haystack) - len(needle) + 1))


def list_links(site):
    """Absolute paths linked from the site's list pages."""
    links = set()
    for path in SITES[site]["lists"]:
        links |= {urljoin("/" + path, h) for h in re.findall(r'<a [^>]*href="([^"]+)"', page_text(site, path))}
    return links


def test_inventory():
    sites = {e["site"] for e in EXPECTED}
    assert len(sites) >= 6 and len(EXPECTED) >= 26
    assert all(sum(e["site"] == s for e in EXPECTED) >= 4 for s in sites)
    assert sum(not e["relevant"] for e in EXPECTED) >= 2
    assert any(e["relevant"] for e in EXPECTED if e["site"] == "rubymirror")
    assert len({(e["site"], e["path"]) for e in EXPECTED}) == len(EXPECTED)


def test_irrelevant_articles_avoid_keywords():
    for e in EXPECTED:
        if not e["relevant"]:
            assert not any(w in x for w in RELEVANCE_WORDS for x in [e["title"], *e["paragraphs"]]), e["path"]


@pytest.mark.parametrize("entry", EXPECTED, ids=lambda e: f"{e['site']}/{e['path']}")
def test_page_matches_expectation(entry):
    site, path = entry["site"], entry["path"]
    data = (SITES_DIR / site / path).read_bytes()
    assert declared_charset(data) == SITES[site]["charset"]
    text = T2S.convert(page_text(site, path)) if SITES[site]["traditional"] else page_text(site, path)
    assert contains_run(page_paragraphs(site, path), entry["paragraphs"])
    title = re.search(r"<title>(.*?)</title>", text).group(1)
    assert title.startswith(entry["title"]) and title != entry["title"]
    assert entry["published_at"].endswith("+08:00")
    day, clock = entry["published_at"][:10], entry["published_at"][11:16]
    assert (day in text or "{}年{}月{}日".format(*day.split("-")) in text) and clock in text
    for value in (entry["outlet"], entry["author"], entry["editor"]):
        assert value is None or value in text


def test_gbk_pages_need_more_than_gb2312():
    pages = [(SITES_DIR / e["site"] / e["path"]).read_bytes() for e in EXPECTED if e["site"] == "aqnews"]
    assert all(declared_charset(p) == "gb2312" for p in pages)
    failures = 0
    for page in pages:
        page.decode("gb18030")
        try:
            page.decode("gb2312")
        except UnicodeDecodeError:
            failures += 1
    assert failures >= 1


def test_big5_mirror_round_trips_to_jlcity():
    group = [e for e in EXPECTED if e["syndicated_group"] == "jl-interview"]
    jlcity = next(e for e in group if e["site"] == "jlcity")
    mirror = next(e for e in group if e["site"] == "big5mirror")
    assert {e["site"] for e in group} == {"jlcity", "cinic", "big5mirror"}
    assert all(e["paragraphs"] == jlcity["paragraphs"] for e in group)
    assert contains_run(page_paragraphs("big5mirror", mirror["path"]), jlcity["paragraphs"])
    assert "<ruby>" in page_text("rubymirror", next(e["path"] for e in EXPECTED if e["site"] == "rubymirror"))


def test_articles_are_linked_from_list_pages():
    for site in SITES:
        links = list_links(site)
        for e in EXPECTED:
            if e["site"] == site:
                assert "/" + e["path"] in links, e["path"]
    links = list_links("jlcity")
    assert "http://www.example.com/jj/content_1.html" in links
    assert any(link.startswith("mailto:") for link in links)


def test_jlgov_is_trs_with_a_javascript_pager():
    """jl.gov.cn runs TRS WCM: index.html, index_1.html, no <a> between them, ./-relative article links."""
    lists = SITES["jlgov"]["lists"]
    assert lists == ["zw/index.html", "zw/index_1.html"]
    for i, path in enumerate(lists):
        text = page_text("jlgov", path)
        assert f'createPageHTML({len(lists)}, {i}, "index", "html");' in text
        assert "<datastore>" not in text and "nextgroup" not in text
        assert not [h for h in list_links("jlgov") if re.search(r"/index_\d+\.html$", h)]
        assert re.findall(r'<li><a href="(\./\d{6}/t\d{8}_\d+\.html)"', text)


def test_robots_disallows_a_linked_article():
    blocked = [e for e in EXPECTED if e["disallowed_by_robots"]]
    assert [(e["site"], e["path"]) for e in blocked] == [("jlcity", "jj/content_999.html")]
    assert "Disallow: /jj/content_999.html" in (SITES_DIR / "jlcity" / "robots.txt").read_text()


def fetch(url, **headers):
    """(status, headers, body) of a GET, without raising on 304/404."""
    try:
        with urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=5) as r:
            return r.status, r.headers, r.read()
    except urllib.error.HTTPError as err:
        return err.code, err.headers, err.read()


@pytest.fixture
def portals(tmp_path):
    root = shutil.copytree(SITES_DIR, tmp_path / "sites")
    with serve_portals(root=root, log_path=tmp_path / "requests.jsonl") as running:
        yield running


def test_server_serves_files_and_conditional_gets(portals, tmp_path):
    root = tmp_path / "sites"
    assert portals.sites == list(SITES)
    status, headers, body = fetch(portals.url("jlcity") + "/jj/content_289892.html", **{"User-Agent": "t/1"})
    assert status == 200 and body == (root / "jlcity/jj/content_289892.html").read_bytes()
    assert headers["Content-Type"] == "text/html; charset=utf-8"
    assert fetch(portals.url("aqnews") + "/aqxw/index.html")[1]["Content-Type"] == "text/html"
    assert fetch(portals.url("big5mirror") + "/news/index.htm")[1]["Content-Type"] == "text/html"
    assert fetch(portals.url("jlcity") + "/robots.txt")[1]["Content-Type"].startswith("text/plain")
    url = portals.url("jlcity") + "/jj/index.html"
    _, first, _ = fetch(url)
    assert fetch(url, **{"If-None-Match": first["ETag"]})[0] == 304
    assert fetch(url, **{"If-Modified-Since": first["Last-Modified"]})[0] == 304
    assert fetch(url, **{"If-None-Match": '"stale"'})[0] == 200
    old = email.utils.formatdate(0, usegmt=True)
    assert fetch(url, **{"If-Modified-Since": old})[0] == 200
    assert fetch(portals.url("jlcity") + "/jj/missing.html")[0] == 404
    assert fetch(portals.url("jlcity") + "/../expected.json")[0] == 404
    (root / "cinic/xw/dfjj/1399999.html").write_text("<p>新</p>", encoding="utf-8")
    assert fetch(portals.url("cinic") + "/xw/dfjj/1399999.html")[0] == 200
    log = [json.loads(line) for line in (tmp_path / "requests.jsonl").read_text().splitlines()]
    assert log == portals.requests and len(log) == 12
    assert log[0]["user_agent"] == "t/1" and log[0]["site"] == "jlcity" and log[0]["method"] == "GET"
    assert [r["status"] for r in log if r["if_none_match"]] == [304, 200]
    assert set(log[0]) == {"site", "method", "path", "status", "if_none_match", "if_modified_since",
                           "user_agent", "time"}


def test_write_sources(portals, tmp_path):
    extra = {"*": {"enabled": True}, "jlgov": {"delay": 1}}
    path = portals.write_sources(tmp_path / "sources.toml", extra=extra)
    sources = tomllib.loads(path.read_text(encoding="utf-8"))["source"]
    assert [s["name"] for s in sources] == portals.sites
    assert sources[2]["delay"] == 1 and all(s["enabled"] for s in sources)
    for src in sources:
        base = portals.url(src["name"])
        articles = [base + "/" + e["path"] for e in EXPECTED if e["site"] == src["name"]]
        lists = [base + "/" + p for p in SITES[src["name"]]["lists"]]
        assert src["start_urls"] == lists[:1]
        assert all(re.match(src["article_pattern"], u) for u in articles)
        assert not any(re.match(src["article_pattern"], u) for u in lists)
        assert all(re.match(src["next_page_pattern"], u) for u in lists)
        assert not any(re.match(src["next_page_pattern"], u) for u in articles)
        assert not re.match(src["article_pattern"], "http://www.example.com/jj/content_1.html")


def test_no_seed_sentence_is_reused(seeds):
    """Facts may carry over from the real seed texts (conftest's `seeds`), sentences may not."""
    pinyin = r"\([a-zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜü]+\)"  # the seeds kept ruby text as "時(shí)"
    text = T2S.convert(re.sub(pinyin, "", "\n".join(seeds.values())))
    # clauses of 12+ characters; those carrying figures are facts, which may be reused
    clauses = {c.strip() for c in re.split(r"[,，。！？；;!?、：:\n]", text)
               if len(c.strip()) >= 12 and not re.search(r"\d", c)}
    markup = r"<rt>.*?</rt>|<rp>.*?</rp>|<[^>]+>"
    ours = "\n".join(T2S.convert(re.sub(markup, "", page_text(e["site"], e["path"]))) for e in EXPECTED)
    assert clauses and not [c for c in clauses if c in ours]
