"""Datasette in a real headless Chromium: search a two-character term, open an article, see the chart.

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


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    work = tmp_path_factory.mktemp("browser")
    db = work / "archive.db"
    crawl_sample(db, work)
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


def test_facets_and_table_search(server):
    with urllib.request.urlopen(server + "/archive/article_list.json?_zh=%E7%AD%BE%E7%BA%A6&_shape=objects") as r:
        data = json.load(r)
    assert data["rows"] and all(set(r) >= {"month", "region", "outlet", "source"} for r in data["rows"])
    facets = data["facet_results"]
    facets = facets.get("results", facets)
    assert {"month", "region", "outlet", "source"} <= set(facets)
