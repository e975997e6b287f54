"""Story assignment cost per article at 10,000 and 100,000 archived articles (it must stay flat).

    python -m bench.bench_stories [--sizes 10000 100000] [--samples 300] [--json]

An archive of ``n`` generated articles is built once (``bench/work/stories_<n>.db``, kept between
runs): each article recombines 8-14 sentences of the sample portals with its own random figures
and a company name, so stock sentences recur across thousands of articles (their clause keys
hit ``KEY_CAP``) while figures keep articles apart; every tenth article is a variant of an earlier one
(a 来源 line, a dropped sentence) and shares its story. The articles and their ``story_keys`` are
written in bulk (keys computed in worker processes), as the migration would leave them.

Then ``samples`` new articles — half of them variants of archived ones, half new — are each
written with ``Archive.record_page`` (the crawler's write, in its own transaction) and timed:
``assign_story`` alone (candidates, verification, keys), and the whole ``record_page``
(article, search index, story, facts, places). Figures: median and p95 in ms, and the ratio of the
100k median to the 10k median (≈ 1 means flat). ``run(results)`` for ``make bench``.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sqlite3
import statistics
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

WORK = REPO / "bench" / "work"
GENERATOR_VERSION = "2"  # 2: story keys from the numpy MinHash
COMPANIES = ["华信", "恒丰", "东岳", "汇川", "锐能", "北方", "天合", "正泰", "长盈", "宏达", "金桥", "海川", "瑞康",
             "中科", "博远", "启明", "联创", "鼎盛", "华晟", "嘉元"]
PRODUCTS = ["新材料", "智能装备", "储能电池", "生物医药", "汽车零部件", "数据中心", "冷链物流", "光电器件", "精细化工"]


def _pool() -> list[str]:
    from tests.sample_portals.articles import ARTICLES

    paras = [p for a in ARTICLES for p in a["paragraphs"]]
    return [s for p in paras for s in re.findall(r"[^。！？]+[。！？]?", p) if len(s) > 5]


def _refigure(sentence: str, rnd: random.Random) -> str:
    return re.sub(r"\d+(?:\.\d+)?", lambda m: str(round(rnd.uniform(1, 999), rnd.choice((0, 1, 2)))), sentence)


def make_article(pool: list[str], rnd: random.Random) -> str:
    picked = rnd.sample(pool, rnd.randint(8, 14))
    company = rnd.choice(COMPANIES) + rnd.choice(COMPANIES) + rnd.choice(PRODUCTS)
    lead = (f"{rnd.randint(1, 12)}月{rnd.randint(1, 28)}日，{company}项目签约，总投资{rnd.randint(2, 300)}."
            f"{rnd.randint(0, 9)}亿元，达产后年产值{rnd.randint(5, 500)}亿元。")
    body = [_refigure(s, rnd) for s in picked]
    paras = [lead] + ["".join(body[i:i + 3]) for i in range(0, len(body), 3)]
    return "\n".join(paras)


def make_variant(text: str, rnd: random.Random) -> str:
    paras = text.split("\n")
    if len(paras) > 3 and rnd.random() < 0.5:
        paras.pop(rnd.randrange(1, len(paras)))
    return "\n".join(["来源：" + rnd.choice(("新华网", "吉林日报", "中国产业经济信息网"))] + paras)


def _keys(text: str) -> list[int]:
    from archive.stories import keys, sketch

    return keys(sketch(text))


def generate(path: Path, n: int, seed: int = 1) -> None:
    from archive.db import Archive
    from archive.normalize import content_hash

    rnd = random.Random(seed)
    pool = _pool()
    if path.exists():
        path.unlink()
    archive = Archive.open(path)
    conn = archive.conn
    texts: list[str] = []
    story_of: list[int] = []
    for i in range(n):
        if i % 10 == 9:
            src = rnd.randrange(len(texts))
            texts.append(make_variant(texts[src], rnd))
            story_of.append(story_of[src])
        else:
            texts.append(make_article(pool, rnd))
            story_of.append(i + 1)
    with ProcessPoolExecutor(2) as ex:
        all_keys = list(ex.map(_keys, texts, chunksize=200))
    conn.execute("BEGIN")
    seen = set()
    for i, (text, sid, ks) in enumerate(zip(texts, story_of, all_keys)):
        h = content_hash(text)
        if h in seen:
            continue
        seen.add(h)
        day = f"2023-{1 + i * 12 // n:02d}-{1 + i % 28:02d}"
        conn.execute("INSERT INTO articles (content_hash, title, text, published_at, outlet, region, source, url,"
                     " first_seen, last_seen, relevance, story_id) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
                     (h, f"标题{i}", text, day, "生成", "吉林省长春市", "gen", f"http://gen.test/{i}",
                      day + "T08:00:00+08:00", day + "T08:00:00+08:00", 10.0, sid))
        conn.execute("INSERT INTO stories (story_id, first_article, title, first_seen, published_at, articles,"
                     " outlets) VALUES (?, ?, ?, ?, ?, 1, '[\"生成\"]') ON CONFLICT(story_id) DO UPDATE SET"
                     " articles = articles + 1", (sid, h, f"标题{i}", day, day))
        conn.executemany("INSERT OR IGNORE INTO story_keys (key, story_id) VALUES (?, ?)", [(k, sid) for k in ks])
    conn.execute("INSERT INTO meta (key, value) VALUES ('bench_stories', ?) ON CONFLICT(key) DO UPDATE"
                 " SET value = excluded.value", (f"{GENERATOR_VERSION}:{n}",))
    conn.execute("COMMIT")
    archive.close()


def archive_for(n: int) -> Path:
    WORK.mkdir(parents=True, exist_ok=True)
    path = WORK / f"stories_{n}.db"
    if path.exists():
        try:
            with sqlite3.connect(path) as c:
                row = c.execute("SELECT value FROM meta WHERE key = 'bench_stories'").fetchone()
            if row and row[0] == f"{GENERATOR_VERSION}:{n}":
                return path
        except sqlite3.DatabaseError:
            pass
    print(f"  generating {n:,} articles into {path.relative_to(REPO)} …", flush=True)
    started = time.perf_counter()
    generate(path, n)
    print(f"  generated in {time.perf_counter() - started:.0f} s", flush=True)
    return path


def measure(path: Path, samples: int, seed: int = 5) -> dict:
    """Time ``assign_story`` and ``record_page`` for ``samples`` new articles; rolled back afterwards
    (a copy-free measurement: the archive stays at its size), after reading the keys and texts once
    (warm page cache, as the other parts measure)."""
    import archive.derived as derived
    import archive.stories as stories
    from archive.db import Archive, PageRecord
    from archive.normalize import content_hash

    rnd = random.Random(seed)
    pool = _pool()
    archive = Archive.open(path)
    conn = archive.conn
    n = conn.execute("SELECT count(*) FROM articles").fetchone()[0]
    # warm page cache (as the other parts measure): the keys index and the texts read once
    conn.execute("SELECT count(*), sum(key % 7) FROM story_keys").fetchone()
    conn.execute("SELECT sum(length(text)), count(story_id) FROM articles").fetchone()
    ids = [r[0] for r in conn.execute("SELECT content_hash FROM articles ORDER BY random() LIMIT ?", (samples,))]
    assign_times: list[float] = []
    original = stories.assign_story  # derive imports it from archive.stories at each call

    def timed(c, h, *args):
        t = time.perf_counter()
        try:
            return original(c, h, *args)
        finally:
            assign_times.append(time.perf_counter() - t)

    stories.assign_story = timed
    page_times, joined = [], 0
    written, added_keys = [], set()

    def posted(ks):
        marks = ", ".join("?" * len(ks))
        return set(conn.execute(f"SELECT key, story_id FROM story_keys WHERE key IN ({marks})", ks).fetchall())

    try:
        for i in range(samples):
            if i % 2:
                base = conn.execute("SELECT text, story_id FROM articles WHERE content_hash = ?",
                                    (ids[i % len(ids)],)).fetchone()
                text, expect = make_variant(base[0], rnd), base[1]
            else:
                text, expect = make_article(pool, rnd), None
            h = content_hash(text)
            ks = _keys(text)
            before = posted(ks)
            page = PageRecord(url=f"http://bench.test/{i}", source="bench", status=200,
                              fetched_at="2024-06-01T08:00:00+08:00", outcome="archived")
            t = time.perf_counter()
            archive.record_page(page, {"content_hash": h, "title": f"样本{i}", "text": text, "region": "吉林省长春市",
                                       "outlet": "bench", "published_at": "2024-06-01", "relevance": 10.0})
            page_times.append(time.perf_counter() - t)
            written.append(h)
            added_keys |= posted(ks) - before
            if expect is not None:
                got = conn.execute("SELECT story_id FROM articles WHERE content_hash = ?", (h,)).fetchone()[0]
                joined += got == expect
    finally:
        stories.assign_story = original
        from archive.db import write_transaction
        from archive.search import unindex_article

        with write_transaction(conn):  # leave the archive as generated
            for h in written:
                unindex_article(conn, h)
                derived.underive(conn, h)
                conn.execute("DELETE FROM article_urls WHERE content_hash = ?", (h,))
                conn.execute("DELETE FROM articles WHERE content_hash = ?", (h,))
            conn.execute("DELETE FROM pages WHERE source = 'bench'")
            conn.executemany("DELETE FROM story_keys WHERE key = ? AND story_id = ?", sorted(added_keys))
        archive.close()

    def ms(xs, q):
        xs = sorted(xs)
        return round(1000 * (statistics.median(xs) if q == 50 else xs[min(len(xs) - 1, int(0.95 * len(xs)))]), 2)

    return {"articles": n, "samples": samples, "assign_median_ms": ms(assign_times, 50),
            "assign_p95_ms": ms(assign_times, 95), "record_median_ms": ms(page_times, 50),
            "record_p95_ms": ms(page_times, 95), "variants_joined": f"{joined}/{samples // 2}",
            "keys_rows": sqlite3.connect(path).execute("SELECT count(*) FROM story_keys").fetchone()[0]}


def run(results: list, sizes: tuple[int, ...] = (10_000, 100_000), samples: int = 300) -> list[dict]:
    rows = []
    for n in sizes:
        m = measure(archive_for(n), samples)
        rows.append(m)
        note = (f"p95 {m['assign_p95_ms']} ms; whole record_page median {m['record_median_ms']} ms, p95 "
                f"{m['record_p95_ms']} ms; variants joined {m['variants_joined']}; {m['keys_rows']:,} story_keys rows")
        results.append({"name": f"stories: assign per article @{n // 1000}k", "value": m["assign_median_ms"],
                        "unit": "ms median", "note": note})
    if len(rows) >= 2:
        ratio = rows[-1]["assign_median_ms"] / rows[0]["assign_median_ms"]
        results.append({"name": f"stories: assign {sizes[-1] // 1000}k / {sizes[0] // 1000}k", "value": round(ratio, 2),
                        "unit": "ratio", "note": "≈ 1: the cost does not grow with the archive"})
    return rows


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    ap.add_argument("--samples", type=int, default=300)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    results: list = []
    rows = run(results, tuple(args.sizes), args.samples)
    if args.json:
        print(json.dumps(rows, ensure_ascii=False, indent=2))
    else:
        for r in results:
            print(f"{r['name']:<32} {r['value']:>8} {r['unit']:<10} {r['note']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
