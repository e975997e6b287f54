"""End to end: real crawls (scheduler.py --once, a subprocess) of portals shaped like the CMSs that run
Chinese government sites and papers — TRS pagers, Hanweb jpage groups, onclick lists, JSON lists,
digital editions — asserted from the sample server's own request log and a real SQLite file.

Which articles must be archived comes from the portals' generator (``Portal.expected()``), never
from this program's output.
"""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from tests.conftest import REPO
from tests.sample_portals.shapes import UcapPortal, bad_portals, serve_shapes, shape_portals


def run_once(sources: Path, db: Path, *extra: str) -> subprocess.CompletedProcess:
    done = subprocess.run([sys.executable, str(REPO / "scheduler.py"), "--once", "--quiet", "--sources", str(sources),
                           "--db", str(db), *extra], cwd=REPO, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    return done


def archived_urls(db: Path) -> set[str]:
    with sqlite3.connect(db) as conn:
        return {u for (u,) in conn.execute("SELECT url FROM article_urls")}


def run_errors(db: Path) -> dict[str, int]:
    with sqlite3.connect(db) as conn:
        return dict(conn.execute("SELECT source, sum(errors) FROM crawl_runs GROUP BY source").fetchall())


def paths(entries: list[dict]) -> list[str]:
    return [e["path"] for e in entries]


@pytest.fixture(scope="module")
def shapes(tmp_path_factory):
    """The five shape portals crawled once, re-crawled unchanged, then after new articles appeared."""
    tmp = tmp_path_factory.mktemp("shapes")
    db, sources = tmp / "archive.db", tmp / "sources.toml"
    with serve_shapes(shape_portals()) as running:
        running.write_sources(sources)
        expected, tables = running.expected(), running.tables()
        run_once(sources, db)
        first = {p.name: list(p.requests) for p in running.portals}
        archived_first = archived_urls(db)
        running.clear_log()
        run_once(sources, db)
        second = {p.name: list(p.requests) for p in running.portals}
        running.clear_log()
        added = {name: running[name].add_articles(3) for name in ("trs", "hanweb", "xxgk", "ucap")}
        run_once(sources, db)
        third = {p.name: list(p.requests) for p in running.portals}
        yield {"running": running, "db": db, "first": first, "second": second, "third": third, "added": added,
               "archived_first": archived_first, "expected": expected, "tables": tables}


def requests_of(shapes, run, name, kind=None, method=None):
    return [r for r in shapes[run][name] if kind in (None, r["kind"]) and method in (None, r["method"])]


def test_every_article_of_every_shape_is_archived_once(shapes):
    for name, urls in shapes["expected"].items():
        assert urls, name
        missing = set(urls) - shapes["archived_first"]
        assert not missing, f"{name}: {len(missing)} of {len(urls)} articles not archived, e.g. {sorted(missing)[:3]}"
        fetched = Counter(paths(requests_of(shapes, "first", name, "article", "GET")))
        assert all(n == 1 for n in fetched.values()), f"{name}: an article page requested twice"


def test_trs_list_pages_behind_the_javascript_pager_are_followed(shapes):
    trs = shapes["running"]["trs"]
    lists = paths(requests_of(shapes, "first", "trs", "list"))
    for path in trs.list_paths():
        assert lists.count(path) == 1, path
    assert len(lists) == len(trs.list_paths())  # nothing beyond the pager's count


def test_hanweb_groups_are_posted_with_the_pages_form(shapes):
    hanweb = shapes["running"]["hanweb"]
    posts = requests_of(shapes, "first", "hanweb", "proxy", "POST")
    assert len(posts) >= 2
    starts = [int(p["query"]["startrecord"]) for p in posts]
    assert starts == [1 + hanweb.group_size * (i + 1) for i in range(len(posts))]
    for post in posts:
        assert post["form"] == hanweb.ajax_param()
        assert int(post["query"]["perpage"]) == 15
    assert len(requests_of(shapes, "first", "hanweb", "proxy", "GET")) == 0  # the POST form was usable


def test_onclick_list_pages_and_json_pages(shapes):
    xxgk = shapes["running"]["xxgk"]
    lists = paths(requests_of(shapes, "first", "xxgk", "list"))
    assert sorted(set(lists)) == sorted(xxgk.list_path(n) for n in range(1, xxgk.page_count() + 1))
    ucap = shapes["running"]["ucap"]
    pages = [int(r["query"]["page"]) for r in requests_of(shapes, "first", "ucap", "api")]
    full_pages = -(-len(ucap.expected()) // 20)
    assert pages[:full_pages] == list(range(1, full_pages + 1)) and len(pages) <= full_pages + 1


def test_digital_edition_days_and_their_layout_pages(shapes):
    paper = shapes["running"]["epaper"]
    editions = requests_of(shapes, "first", "epaper", "edition")
    got = Counter(e["path"] for e in editions if e["status"] == 200)
    assert set(got) == set(paper.node_paths()) and all(n == 1 for n in got.values())
    missing = [e for e in editions if e["status"] == 404]
    assert len(missing) == 1  # the day without an edition: asked once, recorded


def test_a_no_change_recrawl_requests_no_article_and_one_listing_per_start(shapes):
    for table in shapes["tables"]:
        name = table["name"]
        seen = shapes["second"][name]
        assert not [r for r in seen if r["kind"] == "article"], name
        listings = [r for r in seen if r["kind"] in ("list", "proxy", "api", "edition")]
        starts = len(table.get("start_urls", [])) + ("list_api" in table) + ("edition_url" in table)
        assert len(listings) <= starts, (name, paths(listings))
    # the e-paper's days were crawled in a finished run (and its empty day answered 404 after it ended)
    assert requests_of(shapes, "second", "epaper", "edition") == []


def test_new_articles_on_page_one_are_found_without_walking_further(shapes):
    archived = archived_urls(shapes["db"])
    for name, urls in shapes["added"].items():
        assert set(urls) <= archived, name
        fetched = paths(requests_of(shapes, "third", name, "article"))
        assert len(fetched) == len(urls), (name, fetched)
        listings = [r for r in shapes["third"][name] if r["kind"] in ("list", "proxy", "api")]
        table = next(t for t in shapes["tables"] if t["name"] == name)
        starts = len(table.get("start_urls", [])) + ("list_api" in table)
        # page 1 of each start, and the page after the one with new articles to see it holds none
        assert len(listings) <= 2 * starts, (name, paths(listings))


def test_bad_list_input_is_a_recorded_error_and_loses_nothing(tmp_path):
    db, sources = tmp_path / "archive.db", tmp_path / "sources.toml"
    with serve_shapes([UcapPortal(8, name="ucap_good", seed=3)] + bad_portals()) as running:
        running.write_sources(sources)
        run_once(sources, db)
        before = archived_urls(db)
        errors = run_errors(db)
        huge = running["trs_huge"]
        assert len(huge.requested("list")) <= 50  # max_list_pages, not the 10,000 the pager claims
        run_once(sources, db, "--refresh")
        after = archived_urls(db)
    assert set(running.expected()["ucap_good"]) <= before
    assert set(running.expected()["trs_huge"]) <= before
    assert set(running.expected()["hanweb_broken"]) <= before  # the first group, from the page itself
    assert errors.get("hanweb_broken", 0) >= 1  # the jpage call without its fields
    assert all(errors.get(f"ucap_bad_{kind}", 0) >= 1 for kind in ("html", "garbage"))  # and wrong-shaped JSON:
    assert before <= after


def test_edition_days_up_to_today_and_no_retry_of_a_missing_past_day(tmp_path):
    from tests.sample_portals.shapes import EpaperPortal

    db, sources = tmp_path / "archive.db", tmp_path / "sources.toml"
    with serve_shapes([EpaperPortal.last_days(20, days=4, missing_offsets=(2,))]) as running:
        running.write_sources(sources)
        text = sources.read_text("utf-8")
        assert "edition_from" not in text and "edition_days" in text
        run_once(sources, db)
        paper = running["epaper"]
        assert set(paper.expected()) <= archived_urls(db)
        assert len(paper.requested("edition", status=404)) == 1
        running.clear_log()
        run_once(sources, db)
        again = paper.requested("edition")
    # past days are done (the missing one too: its 404 came after it ended); today's page is asked again
    assert len(again) <= 1 and all(r["status"] in (200, 304) for r in again)


def test_probe_proposes_a_table_that_archives_the_whole_portal(tmp_path):
    from tests.sample_portals.shapes import EpaperPortal, HanwebPortal, TrsPortal, XxgkPortal

    portals = [TrsPortal(33, seed=5), HanwebPortal(100, seed=6), XxgkPortal(30, seed=8), UcapPortal(45, seed=9),
               UcapPortal(25, seed=10, method="POST", name="ucap_post"), EpaperPortal.last_days(15, days=3)]
    with serve_shapes(portals) as running:
        tables = []
        for table in running.tables():
            name = table["name"]
            if "start_urls" in table:
                urls = table["start_urls"]
            elif "list_api" in table:
                urls = [running[name].url("/tzcj/index.html")]  # the HTML shell, as a user finds it
            else:
                urls = [running[name].url(running[name].node_path(running[name].days[-1], 0))]
            for i, url in enumerate(urls):
                out = subprocess.run([sys.executable, "-m", "archive", "probe", url, "--name", f"{name}-{i}".lower()
                                      .replace("_", "-"), "--region", "吉林省"], cwd=REPO, capture_output=True,
                                     text=True, timeout=120)
                assert out.returncode == 0, out.stderr
                assert "[[source]]" in out.stdout and "# shape:" in out.stdout
                tables.append(out.stdout)
        sources = tmp_path / "sources.toml"
        sources.write_text("\n".join(tables), encoding="utf-8")
        run_once(sources, tmp_path / "archive.db")
        archived = archived_urls(tmp_path / "archive.db")
        for name, urls in running.expected().items():
            missing = set(urls) - archived
            assert not missing, f"{name}: probe's table missed {len(missing)} of {len(urls)}"


def test_check_sources_reports_matches_and_flags_a_broken_pattern(tmp_path):
    with serve_shapes(shape_portals()) as running:
        sources = running.write_sources(tmp_path / "sources.toml",
                                        extra={"xxgk": {"article_pattern": "/xxgk/old-template/\\d+\\.html$"}})
        out = subprocess.run([sys.executable, "-m", "archive", "check-sources", "--sources", str(sources), "--json"],
                             cwd=REPO, capture_output=True, text=True, timeout=120)
        one = subprocess.run([sys.executable, "-m", "archive", "check-sources", "--sources", str(sources),
                              "--source", "hanweb"], cwd=REPO, capture_output=True, text=True, timeout=120)
    import json

    assert out.returncode == 1, out.stderr  # a source is broken
    checks = {c["source"]: c for c in json.loads(out.stdout)}
    assert not checks["xxgk"]["ok"] and checks["xxgk"]["matched"] == 0 and "matches none" in checks["xxgk"]["problem"]
    for name in ("trs", "hanweb", "ucap", "epaper"):
        assert checks[name]["ok"] and checks[name]["matched"] > 0, checks[name]
    assert "TRS pager" in checks["trs"]["pagination"] and "jpage" in checks["hanweb"]["pagination"]
    assert one.returncode == 0 and one.stdout.startswith("ok  hanweb: 45/")
    bad = subprocess.run([sys.executable, "-m", "archive", "check-sources", "--sources", str(tmp_path / "none.toml")],
                         cwd=REPO, capture_output=True, text=True, timeout=60)
    assert bad.returncode == 2 and bad.stderr.count("\n") == 1
