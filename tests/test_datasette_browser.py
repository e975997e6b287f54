"""Datasette in a real headless Chromium: search a two-character term, open an article, see the charts
(articles per month; signed investment by place; targets beside achievements).

The archive is a real crawl of the sample portals; ``python -m archive serve`` runs as a child
process on a free port. Chromium is Debian's (``/usr/bin/chromium``, installed by .ci/run);
Playwright drives it. The screenshots go to tests/artifacts/ and their paths are printed.
"""

from __future__ import annotations

import json
import os
import urllib.request
from pathlib import Path

import pytest
from playwright import sync_api

from tests.access_helpers import REPO, crawl_sample, free_port, start_server, stop_server

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--headless", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
ARTIFACTS = REPO / "tests" / "artifacts"

if not Path(CHROMIUM).exists() and not os.environ.get("CI"):
    pytest.skip("no /usr/bin/chromium (apt-get install chromium; .ci/run does)", allow_module_level=True)


# Investment stories of 2019 (no sample article is of that year), written for this test in the manner of
# the real ones: a 吉林市 story first archived from a Hong Kong mirror, then from the city's paper; an
# 安庆 report. Achieved signings: 300 (吉林市) and 420 (安庆市) 亿元; a target of 500 for 2020 and one of 600
# for 2019; 150 in negotiation and 186 arrived (到位) that no signing chart may count.
JILIN_2019 = ("吉林市今年前10個月新簽約招商項目60個，總投資額達300億元，其中億元以上項目41個。\n"
              "力爭明年簽約億元以上項目80個，協議引資500億元。另有正在洽談的重大項目20個，計劃投資150億元。")
ANQING_2019 = ("今年1-9月份，我市新签约亿元以上项目95个，协议引资达420亿元，实际到位资金186亿元。"
               "全年目标任务是签约引资600亿元。")


def add_investment_stories(db: Path) -> None:
    from archive.db import Archive, PageRecord
    from archive.normalize import content_hash, to_simplified

    with Archive.open(db) as archive:
        for i, (text, region, outlet, published) in enumerate((
                (JILIN_2019, "香港特别行政区", "香江商讯", "2019-11-22"),
                ("来源：江城日报\n" + to_simplified(JILIN_2019), "吉林省吉林市", "江城日报", "2019-11-21"),
                (ANQING_2019, "安徽省安庆市", "安庆日报", "2019-10-15"))):
            simple = to_simplified(text)
            page = PageRecord(url=f"http://research.test/{i}", source="research", status=200,
                              fetched_at=f"2019-11-2{i + 2}T08:00:00+08:00", outcome="archived")
            archive.record_page(page, {"content_hash": content_hash(simple), "title": f"招商引资{i}", "text": simple,
                                       "text_original": text, "region": region, "outlet": outlet,
                                       "published_at": published, "relevance": 10.0})


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    work = tmp_path_factory.mktemp("browser")
    db = work / "archive.db"
    crawl_sample(db, work)
    add_investment_stories(db)
    port = free_port()
    proc = start_server(db, port)
    yield f"http://127.0.0.1:{port}"
    stop_server(proc)


def shot(page, name: str) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / name
    page.screenshot(path=str(path), full_page=True)
    print(f"screenshot: {path}")
    return path


def test_search_article_and_chart(server):
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        page = browser.new_page(viewport={"width": 1280, "height": 900}, locale="zh-CN")
        errors = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))

        # the home page links to search and the chart
        page.goto(server + "/")
        assert page.locator("a[href='/archive/search']").count() >= 1

        # search a two-character term with the search box
        page.goto(server + "/archive/search")
        page.fill("input[name=q]", "签约")
        page.locator("form.sql input[type=submit]").click()
        page.wait_for_selector("table.rows-and-columns")
        marks = page.locator("td.col-snippet mark")
        assert marks.count() >= 1 and marks.first.inner_text() == "签约"
        assert page.locator("table.rows-and-columns tbody tr").count() >= 3
        title = page.locator("td.col-title").first.inner_text()
        shot(page, "datasette_search.png")

        # open the first article: title, date, outlet, text and every URL
        page.locator("a.article-link").first.click()
        page.wait_for_selector("article.zh-article")
        assert page.locator("article h1.title").inner_text() == title
        assert page.locator("article .published").inner_text()[:2] == "20"
        assert page.locator("article .outlet").inner_text().strip()
        assert "签约" in page.locator("article .text").inner_text()
        assert page.locator("article ul.urls li a").count() >= 1
        shot(page, "datasette_article.png")

        # a syndicated story shows every URL it was seen at
        page.goto(server + "/archive/several_urls")
        page.locator("a.article-link").first.click()
        page.wait_for_selector("article.zh-article")
        assert page.locator("article ul.urls li a").count() >= 2

        # the chart: articles per month by region, drawn from the canned query's JSON
        page.goto(server + "/chart")
        page.wait_for_selector("#chart[data-ready='1'] svg rect.bar", timeout=15000)
        bars = page.locator("svg rect.bar")
        assert bars.count() >= 5
        regions = {bars.nth(i).get_attribute("data-region") for i in range(bars.count())}
        assert {"吉林市", "安庆市"} <= regions
        path = shot(page, "datasette_chart.png")
        assert path.stat().st_size > 10_000

        # raw pages are never rendered: the body column shows a size
        page.goto(server + "/archive/pages?_size=5")
        cells = page.locator("td.col-body")
        assert cells.count() == 5
        assert all("bytes, compressed raw page" in cells.nth(i).inner_text() for i in range(5))
        assert page.locator("td.col-body a, td.col-body div, td.col-body p").count() == 0
        assert not errors, errors
        browser.close()


def test_investment_charts_count_achieved_signings_by_place(server):
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        page = browser.new_page(viewport={"width": 1280, "height": 900}, locale="zh-CN")
        errors = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))

        page.goto(server + "/investment")
        page.wait_for_selector("#chart[data-ready='1'] svg rect.bar", timeout=15000)
        bars = page.locator("svg rect.bar[data-year='2019']")
        got = {bars.nth(i).get_attribute("data-region"): float(bars.nth(i).get_attribute("data-value"))
               for i in range(bars.count())}
        # the Hong Kong mirror archived the 吉林 story first: still 吉林市's, counted once; no target
        # (500), nothing in negotiation (150), no money that arrived (186)
        assert got == {"吉林省 吉林市": 300.0, "安徽省 安庆市": 420.0}
        assert not any("香港" in r for r in got)
        shot(page, "datasette_investment.png")

        page.goto(server + "/targets")
        page.wait_for_selector("#chart[data-ready='1'] svg rect.bar", timeout=15000, state="attached")
        bars = page.locator("svg rect.bar")
        got = {(bars.nth(i).get_attribute("data-place"), bars.nth(i).get_attribute("data-year"),
                bars.nth(i).get_attribute("data-status")): float(bars.nth(i).get_attribute("data-value"))
               for i in range(bars.count())}
        assert got[("吉林省 吉林市", "2019", "done")] == 300.0
        assert got[("吉林省 吉林市", "2020", "target")] == 500.0
        assert got[("安徽省 安庆市", "2019", "target")] == 600.0
        assert got[("安徽省 安庆市", "2019", "done")] == 420.0
        shot(page, "datasette_targets.png")
        assert not errors, errors
        browser.close()


def test_facets_and_table_search(server):
    with urllib.request.urlopen(server + "/archive/article_list.json?_zh=%E7%AD%BE%E7%BA%A6&_shape=objects") as r:
        data = json.load(r)
    assert data["rows"] and all(set(r) >= {"month", "region", "outlet", "source"} for r in data["rows"])
    facets = data["facet_results"]
    facets = facets.get("results", facets)
    assert {"month", "region", "outlet", "source"} <= set(facets)
