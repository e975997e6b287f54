"""Benchmarks of reading the archive: Chinese search latency and export speed on generated archives.

``run(results)`` appends ``{"name", "value", "unit", "note"}`` dicts; ``python -m bench.bench_access``
prints them (``--json`` for JSON, ``--trigram`` to also measure an FTS5 trigram index for comparison).

The archive is generated (``bench/work/access_<n>.db``, kept between runs): articles recombine the
sample portals' sentences (~1,300 characters each), each carries a few random company and place
names, 招商 is in most articles, and 40 marker terms (20 of 2 characters, 20 of 4, made of
common characters) are each put in 0.5 % of the articles. It is written in bulk (10,000 articles
a transaction, no journal) into a file created by ``Archive.open``: the ``articles``,
``article_urls`` and ``pages`` rows ``Archive.record_page`` would write, and the search index
built by the pipeline's own ``archive.search.index_article``. Stories, facts and places are not
derived (``story_id`` is NULL): search and the article export do not need them, and deriving
them per article made generating the 100,000 articles take a quarter of an hour.

Targets (issue 6): at 100,000 articles, p95 ≤ 50 ms for terms in ≤ 1 % of the articles, ≤ 300 ms
for the first page of 招商; export ≥ 10,000 articles/s to JSONL, with peak memory independent of
the archive size.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import sqlite3
import statistics
import subprocess
import sys
import time
from itertools import islice
from pathlib import Path
from typing import Iterator

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from archive.db import Archive, compress  # noqa: E402
from archive.normalize import content_hash  # noqa: E402
from archive.schema import ARTICLE_COLUMNS  # noqa: E402
from archive.search import count, index_article, index_stats  # noqa: E402

WORK = REPO / "bench" / "work"
GENERATOR_VERSION = "3"  # bump when the generated archive changes: cached ones are then regenerated
RARE_SHARE = 0.005
BATCH = 10_000  # articles per transaction while generating
SOURCES = ["jlcity", "jlgov", "aqnews", "cinic", "lyg", "hkmirror"]
REGIONS = ["吉林省吉林市", "吉林省", "安徽省安庆市", "江苏省连云港市", "香港", "全国"]
PAGE_HEADERS = json.dumps({"content-type": "text/html; charset=utf-8"})
_INSERT_ARTICLE = (f"INSERT INTO articles ({', '.join(ARTICLE_COLUMNS)})"
                   f" VALUES ({', '.join('?' * len(ARTICLE_COLUMNS))})")
COMMON = "的一是在不了有和人这中大为上们国地到以说时要就出会可也你对生能而子那得于着下自之年过发后作里用道行所然家种事成方多经么去法学如都同现当没动面起看定天分还进好小部其些主样理心她本前开但因只从想实日军者意无力它与长把机十民第公此已工使情明性知全三又关点正业外将两高间由问很最重并物手应战向头文体政美相见被利什二等产或新己制身果加西斯月话合回特代内信表化老给世位次度门任常先海通教儿原东声提立及比员解水名真论处走义各入几口认条平系气题活尔更别打女变四神总何电数安少报才结反受目太量再感建务做接必场件计管期市直德资命山金指克许统区保至队形社便空决治展马科司五基眼书非则听白却界达光放强即像难且权思王象完设式色路记南品住告类求据程北边死张该交规万取拉格望觉术领共确传师观清今切院让识候带导争运笑飞风步改收根干造言联持组每济车亲极林服快办议往元英士证近失转夫令准布始怎呢存未远叫台单影具罗字爱击流备兵连调深商算质团集百需价花党华城石级整府离况亚请技际约示复病息究线似官火断精满支视消越器容照须九增研写称企八功吗包片史委乎查轻易早曾除农找装广显吧阿李标谈吃图念六引历首医局突专费号尽另周较注语仅考落青随选列武红响虽推势参希古众构房半节土投某案黑维革划敌致陈律足态护七兴派孩验责营星够章音跟志底站严巴例防族供效续施留讲型料终答紧黄绝奇察母京段依批群项故按河米围江织害斗双境客纪采举杀攻父苏密低朝友诉止细愿千值仍男钱破网热助倒育属坐帝限船脸职速刻乐否刚威毛状率甚独球般普怕弹校苦创假久错承印晚兰试股拿脑预谁益阳若哪微尼继送急血惊伤素药适波夜省初喜卫源食险待述陆习置居劳财环排福纳欢雷警获模充负云停木游龙树疑层冷洲冲射略范竟句室异激汉村哈策演简卡罪判担州静退既衣您宗积余痛检差富灵协角占配征修皮挥胜降阶审沉坚善妈刘读啊超免压银买皇养伊怀执副乱抗犯追帮宣佛岁航优怪香著田铁控税左右份穿艺背阵草脚概恶块顿敢守酒岛托央户烈洋哥索胡款靠评版宝座释景顾弟登货互付伯慢欧换闻危忙核暗姐介坏讨丽良序升监临亮露永呼味野架域沙掉括舰鱼杂误湾吉减编楚肯测败屋跑梦散温困剑渐封救贵枪缺楼县尚毫移娘朋画班智亦耳恩短掌恐遗固席松秘谢鲁遇康虑幸均销钟诗藏赶剧票损忽巨炮旧端探湖录叶春乡附吸予礼港雨呀板庭妇归睛饭额含顺输摇招婚脱补谓督毒油疗旅泽材灭逐莫笔亡鲜词圣择寻厂睡博勒烟授诺伦岸奥唐卖俄炸载洛健堂旁宫喝借君禁阴园谋宋避抓荣姑孙逃牙束跳顶玉镇雪午练迫爷篇肉嘴馆遍凡础洞卷坦牛宁纸诸训私庄祖丝翻暴森塔默握戏隐熟骨访弱蒙歌店鬼软典欲萨伙遭盘爸扩盖弄雄稳忘亿刺拥徒姆杨齐赛趣曲刀床迎冰虚玩析窗醒妻透购替塞努休虎扬途侵刑绿兄迅套贸毕唯谷轮库迹尤竞街促延震弃甲伟麻川申缓潜闪售灯针哲络抵朱埃抱鼓植纯夏忍页杰筑折郑贝尊吴秀混臣雅振染盛怒舞圆搞狂措姓残秋培迷诚宽宇猛摆梅毁伸摩盟末乃悲拍丁赵"
MARK_CHARS = "锂钴镍硅钒钛钨铟锗铌钽锶铷铯碲硒铋锑锆铪"


def _pool() -> list[str]:
    from tests.sample_portals.articles import ARTICLES

    paras = [p for a in ARTICLES for p in a["paragraphs"]]
    return [s for p in paras for s in re.findall(r"[^。！？]+[。！？]?", p) if len(s) > 5]


def marker_terms(pool_text: str) -> tuple[list[str], list[str]]:
    """20 two- and 20 four-character terms found nowhere in the sentence pool."""
    rnd = random.Random(7)
    two, four = [], []
    while len(two) < 20:
        t = rnd.choice(MARK_CHARS) + rnd.choice(COMMON[:400])
        if t not in pool_text and t not in two:
            two.append(t)
    while len(four) < 20:
        t = rnd.choice(COMMON[:300]) + rnd.choice(COMMON[:300]) + rnd.choice(MARK_CHARS) + rnd.choice(COMMON[:300])
        if t not in pool_text and t not in four and not any(t2 in t for t2 in two):
            four.append(t)
    return two, four


def articles(n: int, seed: int = 1) -> Iterator[tuple[dict, bytes]]:
    """``n`` generated articles, in order: (``articles`` row, raw HTML of its page).

    The row holds the ``archive.schema.ARTICLE_COLUMNS`` that ``Archive.record_page`` fills for a
    new article (author, editor and original_title stay NULL).
    """
    pool = _pool()
    two, four = marker_terms("".join(pool))
    zs = [s for s in pool if "招商" in s]
    rnd = random.Random(seed)
    for i in range(n):
        k = rnd.randrange(len(SOURCES))
        sents = rnd.sample(pool, rnd.randint(20, 36))
        if rnd.random() < 0.85:
            sents.insert(rnd.randrange(len(sents)), rnd.choice(zs))
        for _ in range(3):  # company and place names: the long tail of rare bigrams
            name = "".join(rnd.choice(COMMON) for _ in range(rnd.randint(2, 3)))
            sents.insert(rnd.randrange(len(sents)), f"{name}{rnd.choice(['科技有限公司', '产业园', '镇', '集团'])}")
        for term in two + four:
            if rnd.random() < RARE_SHARE:
                pos = rnd.randrange(len(sents))
                s = sents[pos]
                cut = rnd.randrange(len(s))
                sents[pos] = s[:cut] + term + s[cut:]
        paras, j = [], 0
        while j < len(sents):
            step = rnd.randint(3, 6)
            paras.append("".join(sents[j:j + step]))
            j += step
        text = "\n".join(paras)
        title = "".join(rnd.sample(pool, 1))[:28].rstrip("，。")
        day = f"20{rnd.randint(18, 25)}-{rnd.randint(1, 12):02d}-{rnd.randint(1, 28):02d}"
        fetched = f"{day}T12:00:00+08:00"
        row = {"content_hash": content_hash(text), "title": title, "text": text, "text_original": text,
               "published_at": f"{day}T09:30:00+08:00", "outlet": f"{SOURCES[k]}日报", "region": REGIONS[k],
               "source": SOURCES[k], "url": f"http://{SOURCES[k]}.example.cn/content_{i}.html",
               "first_seen": fetched, "last_seen": fetched, "relevance": 6.0, "suspect_encoding": 0,
               "extractor_version": "bench"}
        body = f"<html><head><title>{title}</title></head><body><p>{text}</p></body></html>".encode()
        yield row, body


def _write_batch(conn: sqlite3.Connection, batch: list[tuple[dict, bytes]]) -> None:
    """One transaction: the batch's ``articles``, search index, ``article_urls`` and ``pages`` rows."""
    conn.execute("BEGIN")
    conn.executemany(_INSERT_ARTICLE, [[row.get(c) for c in ARTICLE_COLUMNS] for row, _ in batch])
    for row, _ in batch:
        index_article(conn, row["content_hash"], row["title"], row["text"])
    conn.executemany("INSERT INTO article_urls (url, content_hash, source, first_seen) VALUES (?, ?, ?, ?)",
                     [(row["url"], row["content_hash"], row["source"], row["first_seen"]) for row, _ in batch])
    conn.executemany(
        "INSERT INTO pages (url, source, status, fetched_at, outcome, reason, content_hash, content_type, headers,"
        " body, body_size, encoding, final_url, attempts)"
        " VALUES (?, ?, 200, ?, 'archived', NULL, ?, 'text/html; charset=utf-8', ?, ?, ?, 'utf-8', ?, 1)",
        [(row["url"], row["source"], row["first_seen"], row["content_hash"], PAGE_HEADERS, compress(body), len(body),
          row["url"]) for row, body in batch])
    conn.execute("COMMIT")


def generate(path: Path, n: int, seed: int = 1) -> float:
    """Write an archive of ``n`` generated articles at ``path``, ``BATCH`` articles a transaction;
    returns the seconds taken.

    The rows are those ``Archive.record_page`` writes for a newly archived page (the search index
    through ``archive.search.index_article``, as there), without stories, facts and places.
    """
    if path.exists():
        path.unlink()
    Archive.open(path).close()  # the schema, at the version this program writes
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode = OFF")  # a new file nobody reads yet: regenerated if this fails
    conn.execute("PRAGMA synchronous = OFF")
    conn.execute("PRAGMA foreign_keys = ON")
    t0 = time.perf_counter()
    rows = articles(n, seed)
    while batch := list(islice(rows, BATCH)):
        _write_batch(conn, batch)
    seconds = time.perf_counter() - t0
    conn.execute("INSERT OR REPLACE INTO meta (key, value) VALUES ('bench_generator', ?)",
                 (f"{GENERATOR_VERSION}:{n}:{seed}",))
    conn.execute("PRAGMA journal_mode = WAL")  # as Archive.open leaves an archive
    conn.close()
    return seconds


GENERATED: dict[int, float] = {}  # articles -> seconds, for the archives generated in this process


def archive_for(n: int) -> Path:
    """The generated archive of ``n`` articles, generated once and kept in bench/work/."""
    WORK.mkdir(parents=True, exist_ok=True)
    path = WORK / f"access_{n}.db"
    if path.exists():
        try:
            conn = sqlite3.connect(path)
            row = conn.execute("SELECT value FROM meta WHERE key = 'bench_generator'").fetchone()
            conn.close()
            if row and row[0] == f"{GENERATOR_VERSION}:{n}:1":
                return path
        except sqlite3.Error:
            pass
    for suffix in ("-wal", "-shm"):
        Path(str(path) + suffix).unlink(missing_ok=True)
    seconds = GENERATED[n] = generate(path, n)
    print(f"generated {n} articles in {seconds:.1f} s ({n / seconds:.0f}/s, index included): {path}", file=sys.stderr)
    return path


def generated_note(n: int) -> str:
    """"; archive generated in … s" when ``archive_for(n)`` generated the archive in this process, else ""."""
    if n not in GENERATED:
        return ""
    return f"; archive generated in {GENERATED[n]:.1f} s ({n / GENERATED[n]:.0f} articles/s, index included)"


def p95(samples: list[float]) -> float:
    return statistics.quantiles(samples, n=20, method="inclusive")[18] if len(samples) > 1 else samples[0]


def _time_query(archive: Archive, q: str, reps: int) -> list[float]:
    times = []
    for _ in range(reps):
        t = time.perf_counter()
        list(archive.search(q, limit=20))
        times.append((time.perf_counter() - t) * 1000)
    return times


def bench_search(results: list, n: int = 100_000) -> None:
    path = archive_for(n)
    pool_text = "".join(_pool())
    two, four = marker_terms(pool_text)
    with Archive.open(path, readonly=True) as archive:
        stats = index_stats(archive.conn)
        results.append({"name": f"search index size ({n} articles)", "value": round(stats["index_bytes"] / 2**20, 1),
                        "unit": "MiB", "note": f"title+text {stats['text_bytes'] / 2**20:.1f} MiB UTF-8; "
                        f"index/text = {stats['index_bytes'] / stats['text_bytes']:.2f}" + generated_note(n)})
        list(archive.search("招商", limit=20))  # warm the page cache, as a running server would be
        for label, terms in (("2-char", two), ("4-char", four)):
            shares = [count(archive.conn, t) / n for t in terms]
            samples = [ms for t in terms for ms in _time_query(archive, t, 5)]
            results.append({"name": f"search p95, rare {label} terms ({n} articles)", "value": round(p95(samples), 1),
                            "unit": "ms", "note": f"{len(terms)} terms in {min(shares):.2%}-{max(shares):.2%} of "
                            f"articles, first page of 20, 5 runs each; target ≤ 50 ms"})
        share = count(archive.conn, "招商") / n
        samples = _time_query(archive, "招商", 20)
        results.append({"name": f"search p95, 招商 ({n} articles)", "value": round(p95(samples), 1), "unit": "ms",
                        "note": f"in {share:.0%} of articles, first page of 20 ranked by bm25, 20 runs; target ≤ 300 ms"})
        samples = _time_query(archive, "港", 10)
        results.append({"name": f"search p95, one character 港 ({n} articles)", "value": round(p95(samples), 1),
                        "unit": "ms", "note": f"in {count(archive.conn, '港') / n:.0%} of articles; no target"})
        samples = _time_query(archive, f"招商 {two[0]} -{four[0]}", 5)
        results.append({"name": f"search p95, 招商 {two[0]} -{four[0]} ({n} articles)", "value": round(p95(samples), 1),
                        "unit": "ms", "note": "AND of a common and a rare term, one exclusion"})


# ``python -m archive`` that prints its own peak RSS (VmHWM) on stderr as it exits. The child's
# ru_maxrss would not do: Linux carries the parent's peak over into it at exec, and the parent
# holds a batch of generated articles.
_EXPORT_CHILD = """import atexit, runpy, sys
atexit.register(lambda: sys.stderr.write(next(l for l in open("/proc/self/status") if l.startswith("VmHWM:"))))
sys.argv[0] = "archive"
runpy.run_module("archive", run_name="__main__", alter_sys=True)"""


def _export_run(db: Path, fmt: str) -> tuple[float, float, int, int]:
    """(export seconds, wall seconds, peak RSS in KiB, articles) of ``python -m archive export`` in a child."""
    t = time.perf_counter()
    proc = subprocess.run([sys.executable, "-c", _EXPORT_CHILD, "export", "--db", str(db), "--format", fmt,
                           "--out", os.devnull], cwd=REPO, stderr=subprocess.PIPE, text=True)
    wall = time.perf_counter() - t
    if proc.returncode != 0:
        raise RuntimeError(f"export failed: {proc.stderr}")
    m = re.search(r"exported (\d+) articles .* in ([\d.]+) s", proc.stderr)
    rss = re.search(r"VmHWM:\s*(\d+) kB", proc.stderr)
    return float(m.group(2)), wall, int(rss.group(1)), int(m.group(1))


def bench_export(results: list, sizes: tuple[int, ...] = (10_000, 100_000)) -> None:
    for n in sizes:
        db = archive_for(n)
        with open(db, "rb") as f:  # a warm page cache: the exporter is measured, not the disk
            while f.read(1 << 24):
                pass
        for fmt in ("jsonl", "csv", "parquet"):
            runs = sorted(_export_run(db, fmt) for _ in range(3))
            seconds, wall, rss, rows = runs[1]  # the median of three
            results.append({"name": f"export {fmt} ({n} articles)", "value": round(rows / seconds),
                            "unit": "articles/s", "note": f"median of 3: {seconds:.2f} s writing ({wall:.1f} s with start-up), "
                            f"peak RSS {rss / 1024:.0f} MiB"
                            + ("; target ≥ 10,000/s" + generated_note(n) if fmt == "jsonl" else "")})


def _p95_ms(conn: sqlite3.Connection, sql: str, args_list: list[tuple], reps: int = 5) -> float:
    samples = []
    for args in args_list:
        for _ in range(reps):
            t = time.perf_counter()
            conn.execute(sql, args).fetchall()
            samples.append((time.perf_counter() - t) * 1000)
    return round(p95(samples), 1)


def bench_trigram(results: list, n: int = 100_000) -> None:
    """For docs/search.md: the same articles in an FTS5 trigram index, and what short terms cost without ours."""
    from archive.search import fts_query

    src = archive_for(n)
    two, four = marker_terms("".join(_pool()))
    conn = sqlite3.connect(":memory:")
    conn.execute("ATTACH ? AS src", (f"file:{src}?mode=ro",))
    conn.execute("CREATE VIRTUAL TABLE tri USING fts5(title, text, content='', tokenize='trigram')")
    t = time.perf_counter()
    conn.execute("INSERT INTO tri (rowid, title, text) SELECT rowid, title, text FROM src.articles")
    build = time.perf_counter() - t
    size = conn.execute("SELECT sum(pgsize) FROM dbstat WHERE name LIKE 'tri%'").fetchone()[0]
    results.append({"name": f"trigram index size ({n} articles)", "value": round(size / 2**20, 1), "unit": "MiB",
                    "note": f"FTS5 trigram, contentless, same title+text; built in {build:.0f} s"})
    top = "SELECT rowid FROM {s}{t} WHERE {t} MATCH ? ORDER BY rank LIMIT 20"
    results.append({"name": f"trigram p95, rare 4-char, SQL only ({n} articles)",
                    "value": _p95_ms(conn, top.format(s="", t="tri"), [(f'"{w}"',) for w in four]), "unit": "ms",
                    "note": "first 20 by bm25"})
    results.append({"name": f"bigram p95, rare 4-char, SQL only ({n} articles)",
                    "value": _p95_ms(conn, top.format(s="src.", t="articles_fts"), [(fts_query(w),) for w in four]),
                    "unit": "ms", "note": "the same query on our index"})
    results.append({"name": f"bigram p95, 招商, SQL only ({n} articles)",
                    "value": _p95_ms(conn, top.format(s="src.", t="articles_fts"), [(fts_query("招商"),)]),
                    "unit": "ms", "note": "first 20 by bm25 of ~all articles"})
    scan = "SELECT count(*) FROM src.articles WHERE instr(title, ?) OR instr(text, ?)"
    results.append({"name": f"instr() scan p95, rare 2-char ({n} articles)",
                    "value": _p95_ms(conn, scan, [(w, w) for w in two[:5]], reps=2), "unit": "ms",
                    "note": "every match (needed to rank): the short-query fallback trigram would need"})
    conn.close()


def run(results: list) -> None:
    """The access benchmarks at 100k articles (search) and 10k/100k (export)."""
    bench_search(results)
    bench_export(results)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.bench_access", description=__doc__.splitlines()[0])
    ap.add_argument("--articles", type=int, default=100_000, help="archive size for the search bench")
    ap.add_argument("--trigram", action="store_true", help="also measure an FTS5 trigram index (docs/search.md)")
    ap.add_argument("--no-export", action="store_true")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    results: list = []
    bench_search(results, args.articles)
    if not args.no_export:
        bench_export(results, tuple(sorted({min(10_000, args.articles), args.articles})))
    if args.trigram:
        bench_trigram(results, args.articles)
    if args.json:
        print(json.dumps(results, ensure_ascii=False, indent=2))
    else:
        for r in results:
            print(f"{r['name']:<58} {r['value']:>10} {r['unit']:<11} {r['note']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
