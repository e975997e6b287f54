"""Stories (archive/stories.py) in a real archive: near-duplicates join, look-alikes stay apart,
exact copies stay one article, stories merge, re-extraction and migration keep them; search,
export and Datasette see them. The measured precision/recall is `make eval`'s, not asserted here."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys

import opencc
import pytest

from archive.db import Archive, PageRecord
from archive.normalize import content_hash, to_simplified
from archive.schema import SCHEMA_VERSION
from archive.stories import keys, minhash_values, same_story, sketch

STORY = """3月15日，长春新区举行新能源汽车零部件产业集中签约仪式，现场签约项目18个，总投资126.4亿元。
此次签约的项目涵盖动力电池壳体、电驱系统、车载传感器和轻量化底盘等领域，其中投资额超过10亿元的项目有5个。
长春新区管委会有关负责人介绍，今年以来新区聚焦汽车产业链上下游开展精准招商，一季度实际到位资金42.7亿元，同比增长23.5%。
下一步，新区将为签约企业提供“一企一专班”服务，推动项目早开工、早投产、早见效。"""
ROUNDUP = """{w}，长春市各地各部门持续推进招商引资工作，全市新签约招商项目{n}个，总投资{i}亿元，其中亿元以上项目{b}个。
本周签约的重点项目有：{p}项目，总投资{j}亿元。
本周新开工招商项目{s}个，新增到位资金{f}亿元。市合作交流办将继续做好已签约项目的跟踪服务，推动项目尽快落地。"""


def paras(text):
    return text.split("\n")


class Writer:
    def __init__(self, archive):
        self.archive, self.n = archive, 0

    def add(self, text, title="标题", region="吉林省长春市", outlet="长春日报", url=None):
        self.n += 1
        text = to_simplified(text)
        h = content_hash(text)
        page = PageRecord(url=url or f"http://s.test/{self.n}", source="s", status=200,
                          fetched_at=f"2024-03-{self.n:02d}T08:00:00+08:00", outcome="archived")
        out = self.archive.record_page(page, {"content_hash": h, "title": title, "text": text, "region": region,
                                              "outlet": outlet, "published_at": f"2024-03-{self.n:02d}"})
        return h, out

    def story(self, h):
        return self.archive.conn.execute("SELECT story_id FROM articles WHERE content_hash = ?", (h,)).fetchone()[0]


@pytest.fixture
def writer(tmp_path):
    with Archive.open(tmp_path / "a.db") as archive:
        yield Writer(archive)


def test_variants_join_the_story(writer):
    base, _ = writer.add(STORY)
    p = paras(STORY)
    variants = [
        "来源：长春日报\n" + STORY,                                   # an added 来源 line
        opencc.OpenCC("s2t").convert(STORY) + "\n（記者 孫曉明）",     # Traditional mirror with a by-line
        "\n".join([p[0], p[2], p[1]]),                              # reordered, last paragraph dropped
        "据长春日报报道，" + p[0] + "\n" + p[2],                      # a digest quoting half
    ]
    for v in variants:
        h, out = writer.add(v, outlet="别的报纸")
        assert out == "archived" and h != base
        assert writer.story(h) == writer.story(base)
    row = writer.archive.conn.execute("SELECT first_article, articles, outlets FROM stories").fetchall()
    assert row == [(base, 5, json.dumps(["长春日报", "别的报纸"], ensure_ascii=False))]


def test_exact_copy_stays_one_article(writer):
    h1, _ = writer.add(STORY)
    h2, out = writer.add(STORY + "\n", url="http://mirror.test/1")
    assert (h2, out) == (h1, "duplicate")
    assert writer.archive.conn.execute("SELECT count(*), sum(articles) FROM stories").fetchone() == (1, 1)


def test_weekly_roundups_with_other_figures_stay_apart(writer):
    a, _ = writer.add(ROUNDUP.format(w="3月第一周", n=17, i=83.6, b=11, p="一汽配套座椅骨架", j=12.5, s=6, f=21.3))
    b, _ = writer.add(ROUNDUP.format(w="3月第二周", n=23, i=112.4, b=15, p="净月数字文创基地", j=18.2, s=9, f=27.9))
    c, _ = writer.add(STORY)
    assert len({writer.story(a), writer.story(b), writer.story(c)}) == 3


def test_similarity_rules():
    full, digest = sketch(STORY), sketch("据报道，" + paras(STORY)[0] + paras(STORY)[2])
    assert same_story(full, digest)[0]
    other = sketch(STORY.replace("126.4", "98.1").replace("42.7", "37.5").replace("23.5", "19.8")
                   .replace("18个", "12个"))
    assert not same_story(full, other)[0]  # the template with other figures
    assert set(keys(full)) & set(keys(digest))  # a shared clause is a candidate key


def test_a_bridging_article_merges_stories(writer):
    p = paras(STORY)
    a, _ = writer.add("来源：新华网\n" + p[0] + "\n" + p[1])  # first half
    b, _ = writer.add(p[2] + "\n" + p[3] + "\n（记者 王立）")   # second half: not the same text as the first
    assert writer.story(a) != writer.story(b)
    c, _ = writer.add(STORY)                                    # the whole story contains both
    assert writer.story(a) == writer.story(b) == writer.story(c) == min(writer.story(a), writer.story(b))
    assert writer.archive.conn.execute("SELECT count(*), sum(articles) FROM stories").fetchone() == (1, 3)


def test_facts_and_places_are_stored(writer):
    h, _ = writer.add(STORY)
    facts = writer.archive.conn.execute(
        "SELECT kind, text, value, unit, signed, char_start, char_end FROM facts WHERE content_hash = ?"
        " ORDER BY char_start", (h,)).fetchall()
    text = writer.archive.get(h)["text"]
    assert ("money", "126.4亿元", 12640000000, "CNY", 1) in [f[:5] for f in facts]
    assert ("growth", "23.5%", 23.5, "%", 0) in [f[:5] for f in facts]
    assert all(text[s:e] == t for _, t, _, _, _, s, e in facts)
    places = writer.archive.conn.execute("SELECT role, name FROM article_places WHERE content_hash = ?",
                                         (h,)).fetchall()
    assert ("source", "吉林省") in places and ("source", "长春市") in places and ("mentioned", "长春市") in places


def test_search_collapses_stories(writer):
    writer.add(STORY)
    writer.add("来源：长春日报\n" + STORY)
    other, _ = writer.add(ROUNDUP.format(w="3月第一周", n=17, i=83.6, b=11, p="座椅骨架", j=12.5, s=6, f=21.3))
    assert len(list(writer.archive.search("签约"))) == 3
    collapsed = list(writer.archive.search("签约", collapse=True))
    assert len(collapsed) == 2 and sorted(r["story_articles"] for r in collapsed) == [1, 2]
    assert len(list(writer.archive.search("签约", collapse=True, limit=1, offset=1))) == 1


def test_reextract_removal_leaves_the_story(writer):
    from archive.reextract import _settle, Summary
    from archive.derived import underive

    a, _ = writer.add(STORY)
    b, _ = writer.add("来源：长春日报\n" + STORY)
    conn = writer.archive.conn
    sid = writer.story(a)
    # what reextract does when an article lost every URL
    conn.execute("DELETE FROM article_urls WHERE content_hash = ?", (a,))
    _settle(conn, writer.archive.get(a), Summary())
    assert conn.execute("SELECT count(*) FROM facts WHERE content_hash = ?", (a,)).fetchone() == (0,)
    assert conn.execute("SELECT first_article, articles FROM stories WHERE story_id = ?", (sid,)).fetchone() == (b, 1)
    underive(conn, b)
    assert conn.execute("SELECT count(*) FROM stories").fetchone() == (0,)


def test_migrating_a_version_2_archive_computes_stories(tmp_path):
    import sqlite_utils

    from archive.schema import MIGRATIONS

    path = tmp_path / "v2.db"
    db = sqlite_utils.Database(path)
    MIGRATIONS[1](db)
    MIGRATIONS[2](db)
    db["meta"].insert({"key": "schema_version", "value": "2"})
    for i, text in enumerate([STORY, "来源：长春日报\n" + STORY, ROUNDUP.format(
            w="本周", n=9, i=41.2, b=4, p="冷链物流中心", j=7.6, s=3, f=9.9)]):
        db["articles"].insert({"content_hash": content_hash(text), "title": "t", "text": text, "region": "吉林省长春市",
                               "outlet": "o", "source": "s", "url": f"http://t.test/{i}",
                               "first_seen": f"2024-01-0{i + 1}", "last_seen": f"2024-01-0{i + 1}"})
    db.conn.commit()
    db.conn.close()
    with Archive.open(path) as archive:
        assert archive.schema_version() == SCHEMA_VERSION
        conn = archive.conn
        assert conn.execute("SELECT count(*), sum(articles) FROM stories").fetchone() == (2, 3)
        assert conn.execute("SELECT count(*) FROM articles WHERE story_id IS NULL").fetchone() == (0,)
        assert conn.execute("SELECT count(*) FROM facts").fetchone()[0] >= 8
        assert conn.execute("SELECT count(*) FROM article_places WHERE role = 'source'").fetchone() == (6,)


def test_migrating_a_version_3_archive_recomputes_story_keys_and_keeps_stories(tmp_path):
    path = tmp_path / "v3.db"
    with Archive.open(path) as archive:
        w = Writer(archive)
        a, _ = w.add(STORY)
        b, _ = w.add("来源：长春日报\n" + STORY)
        c, _ = w.add(ROUNDUP.format(w="本周", n=9, i=41.2, b=4, p="冷链物流中心", j=7.6, s=3, f=9.9))
        conn = archive.conn
        stories_before = conn.execute("SELECT * FROM stories ORDER BY story_id").fetchall()
        # what a version 3 file holds: keys made by the old MinHash (here: other numbers), version 3
        conn.execute("UPDATE story_keys SET key = key + 1")
        conn.execute("UPDATE meta SET value = '3' WHERE key = 'schema_version'")
    with Archive.open(path) as archive:
        conn = archive.conn
        assert archive.schema_version() == SCHEMA_VERSION
        assert conn.execute("SELECT * FROM stories ORDER BY story_id").fetchall() == stories_before
        expected = {(k, sid) for h, text, sid in conn.execute("SELECT content_hash, text, story_id FROM articles")
                    for k in keys(sketch(text))}
        assert set(conn.execute("SELECT key, story_id FROM story_keys")) == expected
        d, _ = Writer(archive).add("据报道，" + STORY.replace("\n", ""), url="http://s.test/late")
        assert Writer(archive).story(d) == Writer(archive).story(a)


def test_prepared_in_the_workers_or_by_the_writer_the_archive_is_the_same(tmp_path):
    from archive.derived import prepare_article

    texts = [STORY, "来源：长春日报\n" + STORY, "据报道，" + paras(STORY)[0] + paras(STORY)[2],
             ROUNDUP.format(w="本周", n=9, i=41.2, b=4, p="冷链物流中心", j=7.6, s=3, f=9.9)]
    tables = []
    for prepared in (None, "facts and places", "all"):
        with Archive.open(tmp_path / f"{prepared}.db") as archive:
            for i, text in enumerate(texts):
                article = {"content_hash": content_hash(text), "title": "吉林市签约", "text": text,
                           "region": "吉林省吉林市", "outlet": "o", "published_at": "2024-03-01"}
                page = PageRecord(url=f"http://s.test/{i}", source="s", status=200,
                                  fetched_at=f"2024-03-0{i + 1}T08:00:00+08:00", outcome="archived")
                archive.record_page(page, article, prepared and prepare_article(article, story=prepared == "all"))
            tables.append([archive.conn.execute(f"SELECT * FROM {t} ORDER BY 1, 2").fetchall()
                           for t in ("stories", "story_keys", "facts", "article_places")])
    assert tables[0] == tables[1] == tables[2]
    assert len(tables[0][0]) == 2 and tables[0][2] and tables[0][3]


def test_minhash_is_datasketch_affine64():
    datasketch = pytest.importorskip("datasketch")
    for text in (STORY, paras(STORY)[1], "短文本", ""):
        sk = sketch(text)
        m = datasketch.MinHash(num_perm=len(minhash_values(sk)), seed=1, scheme="affine64", hashfunc=lambda x: x)
        m.update_batch([int(h) for h in sk.shingles])
        assert list(m.hashvalues) == list(minhash_values(sk))


def test_export_facts_and_stories_command(writer, tmp_path):
    writer.add(STORY)
    writer.add("来源：长春日报\n" + STORY)
    db = writer.archive.path
    out = tmp_path / "facts.jsonl"
    run = subprocess.run([sys.executable, "-m", "archive", "export", "--table", "facts", "--db", db, "--out",
                          str(out)], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    rows = [json.loads(line) for line in out.read_text("utf-8").splitlines()]
    assert {r["kind"] for r in rows} == {"money", "projects", "growth"}
    assert {r["value"] for r in rows if r["kind"] == "money"} == {12640000000, 4270000000}
    assert rows[0]["story_id"] is not None and rows[0]["region"] == "吉林省长春市"
    for fmt in ("csv", "parquet"):
        run = subprocess.run([sys.executable, "-m", "archive", "export", "--table", "facts", "--format", fmt,
                              "--db", db, "--out", str(tmp_path / f"facts.{fmt}")], capture_output=True, text=True)
        assert run.returncode == 0, run.stderr
    import pyarrow.parquet as pq

    assert pq.read_table(tmp_path / "facts.parquet").num_rows == len(rows)
    run = subprocess.run([sys.executable, "-m", "archive", "stories", "--db", db, "--json"],
                         capture_output=True, text=True)
    assert json.loads(run.stdout)[0]["articles"] == 2
    run = subprocess.run([sys.executable, "-m", "archive", "stories", "--db", db, "--rebuild"],
                         capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    run = subprocess.run([sys.executable, "-m", "archive", "search", "签约", "--collapse", "--db", db],
                         capture_output=True, text=True)
    assert run.returncode == 0 and len(run.stdout.strip().splitlines()) == 1


def test_datasette_canned_queries(writer):
    from archive.serve import build

    writer.add(STORY)
    writer.add("来源：长春日报\n" + STORY)
    writer.add("吉林市与一家碳纤维企业签订投资协议，项目总投资35.6亿元。", region="吉林省吉林市")
    writer.archive.conn.execute("PRAGMA wal_checkpoint")

    async def go():
        ds = build(writer.archive.path)
        await ds.invoke_startup()
        out = {}
        for name, url in (("signed", "/archive/signed_investment.json?_shape=array"),
                          ("largest", "/archive/largest_projects.json?_shape=array&unit=CNY"),
                          ("search", "/archive/search_stories.json?_shape=array&q=投资"),
                          ("page", "/investment"), ("stories", "/archive/story_list.json?_shape=array")):
            r = await ds.client.get(url)
            assert r.status_code == 200, (url, r.text[:300])
            out[name] = r.text if name == "page" else r.json()
        return out

    out = asyncio.run(go())
    # by the place each figure belongs to (长春新区 is in 长春市), the story's two articles counted once
    assert out["signed"] == [
        {"province": "吉林省", "prefecture": "吉林市", "year": "2024", "unit": "CNY", "total_yi": 35.6, "amounts": 1,
         "stories": 1},
        {"province": "吉林省", "prefecture": "长春市", "year": "2024", "unit": "CNY", "total_yi": 126.4, "amounts": 1,
         "stories": 1}]
    assert [r["yi"] for r in out["largest"]] == [35.6]  # 126.4亿元 is the total of 18 projects
    assert [r["articles"] for r in out["search"]] == [2, 1] or sorted(r["articles"] for r in out["search"]) == [1, 2]
    assert "signed_investment.json" in out["page"]
    assert len(out["stories"]) == 2


def test_sketch_cache_is_bounded_and_reads_what_it_does_not_hold(writer):
    from archive.stories import SketchCache

    a, _ = writer.add(STORY)
    cache = SketchCache(max_shingles=2 * sketch(STORY).size)
    for i in range(5):
        cache.put(f"h{i}", sketch(STORY + f"\n第{i}段"))
        assert cache.held <= cache.max_shingles
    assert list(cache._items) == ["h4"]  # the oldest went first
    got = cache.get(writer.archive.conn, a)  # not held: sketched from the archive's text
    assert list(got.shingles) == list(sketch(STORY).shingles) and got.numbers == sketch(STORY).numbers
    assert cache.get(writer.archive.conn, "no such article") is None


def test_candidates_count_shared_keys_and_ignore_stock_phrases(writer):
    from archive.stories import KEY_CAP, MAX_CANDIDATES, _candidates

    conn = writer.archive.conn
    stock, shared, rare = 101, 202, 303
    rows = [(stock, sid) for sid in range(1, KEY_CAP + 2)]  # one key more than KEY_CAP stories hold
    rows += [(shared, 7), (shared, 8), (rare, 8)] + [(1000 + k, 9) for k in range(40)]
    conn.executemany("INSERT INTO story_keys (key, story_id) VALUES (?, ?)", rows)
    # story 8 shares two keys, 7 one; the stock key's stories are not candidates
    assert _candidates(conn, [stock, shared, rare]) == [8, 7]
    # more keys than one statement looks up, in any chunk position
    assert _candidates(conn, [1000 + k for k in range(40)] + [shared]) == [9, 7, 8]
    assert len(_candidates(conn, [stock])) == 0 and MAX_CANDIDATES >= 3
