"""Stories: the same news item archived as several articles (near-duplicates), one ``story_id``.

A content hash merges only identical texts; a story republished with a new headline, an extra
来源/记者 line, a trimmed or reordered paragraph, in Traditional characters, or as a short digest
quoting half of it has another hash. ``assign_story`` gives each new article the story of the most
similar earlier article, or a new story.

How (measured on tests/data/eval/stories, ``python -m bench.eval_stories``; docs/schema.md):

1. **Basis**: the article text with by-line lines (来源, 记者, 编辑, 原标题 …) dropped, NFKC, only Han
   characters, Latin letters and digits kept (the archive's text is already Simplified, so a
   Traditional mirror is the same basis). **Shingles**: its character ``SHINGLE``-grams.
2. **Candidates** from two kinds of keys, kept in the indexed table ``story_keys (key, story_id)``:
   - MinHash LSH (datasketch's affine64 scheme over the shingle hashes, ``NUM_PERM`` permutations,
     ``BANDS`` bands of ``ROWS`` rows):
     one key per band, so articles whose shingle sets have Jaccard similarity ≳ 0.5 share a key;
   - one key per clause of ``CLAUSE_MIN`` characters or more (the text split at ，。；！？ and line
     ends): a short digest quoting half of a story shares whole clauses with it although its Jaccard
     similarity with the full text is low. A key already held by more than ``KEY_CAP`` stories
     (a stock phrase) is ignored.
   Lookups are one indexed read per key with ``LIMIT KEY_CAP + 1``, and at most ``MAX_CANDIDATES``
   stories (most shared keys first) are verified against at most ``MEMBERS`` of their articles: the
   cost of assigning an article does not grow with the archive.
3. **Verification** on the exact shingle sets: same story when Jaccard ≥ ``JACCARD`` or, for the
   shorter text, containment |A∩B|/|A| ≥ ``CONTAINMENT`` (with at least ``MIN_SHINGLES`` shingles) —
   *and* the figures agree: of the shorter text's numbers (two digits or more, years left out), at
   least ``FIGURES`` of them must occur in the other. Two weekly round-ups of one city written on the
   same template differ in exactly those figures, and stay apart.

Exact copies never reach this module: they are one article (the content hash).
"""

from __future__ import annotations

import hashlib
import json
import re
import sqlite3
import unicodedata
from collections import OrderedDict
from dataclasses import dataclass

import numpy as np

SHINGLE = 5
NUM_PERM = 64
BANDS, ROWS = 16, 4
SCHEME = "affine64-poly5"  # MinHash scheme and shingle hash, pinned: the band keys are stored
CLAUSE_MIN = 10
KEY_CAP = 50
MAX_CANDIDATES = 8
MEMBERS = 4
JACCARD = 0.5
CONTAINMENT = 0.7
MIN_SHINGLES = 40
FIGURES = 0.5
STORIES_VERSION = "2"
PARAMS = {"version": STORIES_VERSION, "shingle": SHINGLE, "num_perm": NUM_PERM, "bands": BANDS, "rows": ROWS,
          "scheme": SCHEME, "clause_min": CLAUSE_MIN, "key_cap": KEY_CAP, "jaccard": JACCARD, "containment": CONTAINMENT,
          "min_shingles": MIN_SHINGLES, "figures": FIGURES}

_BYLINE = re.compile(r"来源|记者|编辑|通讯员|原标题|作者|供稿|摄影|责编|审核|校对|总值班|本报讯|转载|图片|图/|文/")
_PAREN_BYLINE = re.compile(r"[（(][^（）()]{0,40}(?:记者|通讯员|编辑|来源)[^（）()]{0,40}[）)]")
_KEEP = re.compile(r"[^0-9a-z\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
_CLAUSE_SPLIT = re.compile(r"[，。；！？：,;!?:\n、]+")
_NUMBER = re.compile(r"\d+(?:\.\d+)?")
_YEAR = re.compile(r"(?:19|20)\d\d")


@dataclass
class Sketch:
    """What the story module needs of one text: its shingles (sorted distinct 64-bit hashes of
    its ``SHINGLE``-grams), figures and long clauses."""

    shingles: np.ndarray
    numbers: frozenset
    clauses: tuple[str, ...]

    @property
    def size(self) -> int:
        return len(self.shingles)


def _clean_lines(text: str) -> list[str]:
    out = []
    for line in unicodedata.normalize("NFKC", text or "").lower().split("\n"):
        line = line.strip()
        if not line:
            continue
        if len(line) <= 60 and _BYLINE.search(line) and not line.endswith(("。", "！", "？")):
            continue
        out.append(_PAREN_BYLINE.sub("", line))
    return out


_POLY = np.uint64(0x100000001B3)  # the FNV-1 64-bit prime: an odd multiplier for the polynomial hash


def shingle_hashes(basis: str) -> np.ndarray:
    """Sorted distinct 64-bit hashes of the ``SHINGLE``-character substrings of ``basis`` (the whole
    of a shorter non-empty basis as one): a polynomial over the code points, computed for all
    shingles at once in numpy (a Python set of substrings costs ~10× more)."""
    codes = np.frombuffer(basis.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    if not len(codes):
        return np.empty(0, dtype=np.uint64)
    width = min(SHINGLE, len(codes))
    n = len(codes) - width + 1
    h = np.zeros(n, dtype=np.uint64)
    for k in range(width):  # arithmetic wraps modulo 2^64, as intended
        h = h * _POLY + codes[k:k + n]
    h.sort()
    distinct = np.empty(n, dtype=bool)  # np.unique does the same, at ~6× the cost on short arrays
    distinct[0] = True
    np.not_equal(h[1:], h[:-1], out=distinct[1:])
    return h[distinct]


def sketch(text: str | None) -> Sketch:
    """Shingles, figures and clauses of an article text (see the module docstring)."""
    lines = _clean_lines(text or "")
    joined = "\n".join(lines)
    numbers = frozenset(n for n in _NUMBER.findall(joined)
                        if (len(n) >= 2 or "." in n) and not (len(n) == 4 and _YEAR.fullmatch(n)))
    clauses = []
    for c in _CLAUSE_SPLIT.split(joined):
        c = _KEEP.sub("", c)
        if len(c) >= CLAUSE_MIN:
            clauses.append(c)
    return Sketch(shingle_hashes(_KEEP.sub("", joined)), numbers, tuple(dict.fromkeys(clauses)))


def similarity(a: Sketch, b: Sketch) -> tuple[float, float, float]:
    """(Jaccard, containment of the smaller set, share of the smaller text's figures in the other)."""
    if not a.size or not b.size:
        return 0.0, 0.0, 0.0
    inter = len(np.intersect1d(a.shingles, b.shingles, assume_unique=True))
    small, large = (a, b) if a.size <= b.size else (b, a)
    jac = inter / (a.size + b.size - inter)
    cont = inter / small.size
    figs = len(small.numbers & large.numbers) / len(small.numbers) if small.numbers else 1.0
    return jac, cont, figs


def same_story(a: Sketch, b: Sketch) -> tuple[bool, float]:
    """Whether two texts are the same story, and a score to choose between several matches."""
    jac, cont, figs = similarity(a, b)
    small = min(a.size, b.size)
    if len(a.numbers if a.size <= b.size else b.numbers) >= 2 and figs < FIGURES:
        return False, 0.0
    ok = jac >= JACCARD or (cont >= CONTAINMENT and small >= MIN_SHINGLES)
    return ok, (jac + cont) / 2 if ok else 0.0


# --- keys: MinHash LSH bands and clauses --------------------------------------------------------
# MinHash is datasketch's "affine64" scheme (seed 1): each shingle hash is mixed by the MurmurHash3
# finalizer, then permuted by h -> a*h + b mod 2^64 with odd a. Written out here rather than
# calling ``datasketch.MinHash`` because importing datasketch imports its whole package, scipy
# included (+60 MiB in every crawl and extraction process), and its ``update_batch`` hashes each
# shingle in a Python loop; tests/test_stories.py checks the values equal datasketch's.
_FMIX = (np.uint64(33), np.uint64(0xFF51AFD7ED558CCD), np.uint64(0xC4CEB9FE1A85EC53))
_rng = np.random.RandomState(1)  # datasketch's permutation parameters for seed 1
_PERM_A = (_rng.randint(0, 1 << 63, NUM_PERM, dtype=np.uint64) * np.uint64(2) + np.uint64(1)).astype(np.uint64)
_PERM_B = _rng.randint(0, 1 << 64, NUM_PERM, dtype=np.uint64)
del _rng


def _fmix64(h: np.ndarray) -> np.ndarray:
    shift, m1, m2 = _FMIX
    h = h ^ (h >> shift)
    h = h * m1
    h = h ^ (h >> shift)
    h = h * m2
    return h ^ (h >> shift)


def minhash_values(sk: Sketch) -> np.ndarray:
    """The ``NUM_PERM`` MinHash values of a sketch's shingles (all 2^64-1 for an empty text)."""
    if not sk.size:
        return np.full(NUM_PERM, np.iinfo(np.uint64).max, dtype=np.uint64)
    mixed = _fmix64(sk.shingles)[:, None]
    return (mixed * _PERM_A + _PERM_B).min(axis=0)


def _key(data: bytes) -> int:
    return int.from_bytes(hashlib.blake2b(data, digest_size=8).digest(), "big", signed=True)


def keys(sk: Sketch) -> list[int]:
    """The story keys of a text: one per LSH band, one per long clause."""
    out = []
    if sk.size:
        hv = minhash_values(sk)
        for band in range(BANDS):
            out.append(_key(b"b%d:" % band + hv[band * ROWS:(band + 1) * ROWS].tobytes()))
    out.extend(_key(b"c:" + c.encode("utf-8")) for c in sk.clauses)
    return list(dict.fromkeys(out))


# --- the archive's tables ----------------------------------------------------------------------------
def create_tables(conn: sqlite3.Connection) -> None:
    conn.execute("""CREATE TABLE IF NOT EXISTS stories (
        story_id INTEGER PRIMARY KEY, first_article TEXT, title TEXT, first_seen TEXT, published_at TEXT,
        articles INTEGER NOT NULL DEFAULT 0, outlets TEXT)""")
    conn.execute("CREATE TABLE IF NOT EXISTS story_keys (key INTEGER NOT NULL, story_id INTEGER NOT NULL,"
                 " PRIMARY KEY (key, story_id)) WITHOUT ROWID")
    cols = {r[1] for r in conn.execute("PRAGMA table_info(articles)")}
    if "story_id" not in cols:
        conn.execute("ALTER TABLE articles ADD COLUMN story_id INTEGER")
    conn.execute("CREATE INDEX IF NOT EXISTS articles_story_id ON articles (story_id)")
    write_params(conn)


def write_params(conn: sqlite3.Connection) -> None:
    """Record the parameters the stored story keys were made with (``meta.stories_params``)."""
    conn.execute("INSERT INTO meta (key, value) VALUES ('stories_params', ?)"
                 " ON CONFLICT(key) DO UPDATE SET value = excluded.value", (json.dumps(PARAMS, sort_keys=True),))


def create_views(conn: sqlite3.Connection) -> None:
    """``story_list``: one row per story (its first article's title and date, how many articles, outlets)."""
    conn.execute("""CREATE VIEW IF NOT EXISTS story_list AS
        SELECT s.story_id, s.title, s.published_at, substr(s.published_at, 1, 7) AS month, s.first_seen,
               s.articles, s.outlets, s.first_article, a.region, a.source, a.url
        FROM stories s LEFT JOIN articles a ON a.content_hash = s.first_article""")


_CHUNK = 16  # keys looked up per statement: one statement text, so SQLite prepares it once
# one row, a column per key: its stories (at most KEY_CAP + 1) as "id,id,…", built inside SQLite
# (a stock phrase's 51 rows cost Python nothing)
_LOOKUP = "SELECT " + ", ".join(
    f"(SELECT group_concat(story_id) FROM (SELECT story_id FROM story_keys WHERE key = ? LIMIT {KEY_CAP + 1}))"
    for _ in range(_CHUNK))


def _candidates(conn: sqlite3.Connection, ks: list[int]) -> list[int]:
    hits: dict[int, int] = {}
    for start in range(0, len(ks), _CHUNK):
        chunk = ks[start:start + _CHUNK]
        # a short chunk is padded with its first key; the padding's columns are ignored
        row = conn.execute(_LOOKUP, chunk + chunk[:1] * (_CHUNK - len(chunk))).fetchone()
        for ids in row[:len(chunk)]:
            if ids is None or ids.count(",") >= KEY_CAP:
                continue  # no story, or a stock phrase: says nothing about the story
            for sid in map(int, ids.split(",")):
                hits[sid] = hits.get(sid, 0) + 1
    return [sid for sid, _ in sorted(hits.items(), key=lambda x: (-x[1], x[0]))[:MAX_CANDIDATES]]


def _members(conn: sqlite3.Connection, story_id: int, exclude: str) -> list[str]:
    """Content hashes of the articles a new article is compared with: the story's first and its
    ``MEMBERS`` latest."""
    first = conn.execute("SELECT first_article FROM stories WHERE story_id = ?", (story_id,)).fetchone()
    rows = conn.execute("SELECT content_hash FROM articles WHERE story_id = ? AND content_hash != ?"
                        " ORDER BY rowid DESC LIMIT ?", (story_id, exclude, MEMBERS)).fetchall()
    hashes = [h for (h,) in rows]
    if first and first[0] and first[0] != exclude and first[0] not in hashes:
        hashes.insert(0, first[0])
    return hashes[:MEMBERS + 1]


class SketchCache:
    """Sketches of recently written or compared articles by content hash (a content hash names one
    text), so an article is not sketched again each time a new one is compared with it.
    Bounded by the shingles held (8 bytes each), least recently used out first."""

    def __init__(self, max_shingles: int = 400_000):
        self.max_shingles = max_shingles
        self.held = 0
        self._items: OrderedDict[str, Sketch] = OrderedDict()

    def get(self, conn: sqlite3.Connection, content_hash: str) -> Sketch | None:
        sk = self._items.get(content_hash)
        if sk is not None:
            self._items.move_to_end(content_hash)
            return sk
        row = conn.execute("SELECT text FROM articles WHERE content_hash = ?", (content_hash,)).fetchone()
        if row is None:
            return None
        return self.put(content_hash, sketch(row[0]))

    def put(self, content_hash: str, sk: Sketch) -> Sketch:
        sk = Sketch(sk.shingles, sk.numbers, ())  # clauses are only for keys: not kept
        old = self._items.pop(content_hash, None)
        self.held += sk.size - (old.size if old else 0)
        self._items[content_hash] = sk
        while self.held > self.max_shingles and len(self._items) > 1:
            _, dropped = self._items.popitem(last=False)
            self.held -= dropped.size
        return sk


SKETCHES = SketchCache()  # per process: ~3 MiB of shingles, a few thousand news articles


def find_stories(conn: sqlite3.Connection, sk: Sketch, ks: list[int], exclude: str = "") -> list[int]:
    """The stories (ids, ascending) an article of sketch ``sk`` and keys ``ks`` belongs to; empty: a
    new story. A candidate story counts from its first member that is the same story."""
    found = []
    for sid in _candidates(conn, ks):
        for h in _members(conn, sid, exclude):
            other = SKETCHES.get(conn, h)
            if other is not None and same_story(sk, other)[0]:
                found.append(sid)
                break
    return sorted(found)


def assign_story(conn: sqlite3.Connection, content_hash: str, sk: Sketch | None = None,
                 ks: list[int] | None = None) -> int:
    """Give the article ``content_hash`` its story (joining one or starting one); returns the story id.

    ``sk`` and ``ks`` are the sketch and keys of its text when already computed (``archive.derived``
    computes them in the extraction workers). When the article is the same story as several existing
    stories (a full text arriving after a digest and a trimmed copy that did not match each other),
    those stories merge into the oldest. Call inside the transaction that writes the article.
    """
    row = conn.execute("SELECT title, text, outlet, first_seen, published_at FROM articles WHERE content_hash = ?",
                       (content_hash,)).fetchone()
    title, text, outlet, first_seen, published = row
    if sk is None:
        sk = sketch(text)
        ks = keys(sk)
    found = find_stories(conn, sk, ks, exclude=content_hash)
    SKETCHES.put(content_hash, sk)
    if not found:
        cur = conn.execute("INSERT INTO stories (first_article, title, first_seen, published_at, articles, outlets)"
                           " VALUES (?, ?, ?, ?, 0, '[]')", (content_hash, title, first_seen, published))
        sid = cur.lastrowid
    else:
        sid = found[0]
        if found[1:]:
            merge_stories(conn, sid, found[1:])
    conn.execute("UPDATE articles SET story_id = ? WHERE content_hash = ?", (sid, content_hash))
    conn.executemany("INSERT OR IGNORE INTO story_keys (key, story_id) VALUES (?, ?)", [(k, sid) for k in ks])
    refresh_story(conn, sid)
    return sid


def merge_stories(conn: sqlite3.Connection, into: int, others: list[int]) -> None:
    """Move the articles and keys of stories ``others`` to story ``into``; the others are deleted."""
    marks = ", ".join("?" * len(others))
    conn.execute(f"UPDATE articles SET story_id = ? WHERE story_id IN ({marks})", (into, *others))
    conn.execute(f"INSERT OR IGNORE INTO story_keys (key, story_id) SELECT key, ? FROM story_keys"
                 f" WHERE story_id IN ({marks})", (into, *others))
    conn.execute(f"DELETE FROM story_keys WHERE story_id IN ({marks})", others)
    conn.execute(f"DELETE FROM stories WHERE story_id IN ({marks})", others)


def refresh_story(conn: sqlite3.Connection, story_id: int) -> None:
    """Recompute a story's row from its articles (deleted when it has none left)."""
    members = conn.execute("SELECT content_hash, title, first_seen, published_at, outlet FROM articles"
                           " WHERE story_id = ? ORDER BY first_seen, content_hash", (story_id,)).fetchall()
    if not members:
        conn.execute("DELETE FROM stories WHERE story_id = ?", (story_id,))
        conn.execute("DELETE FROM story_keys WHERE story_id = ?", (story_id,))
        return
    h, title, first_seen, published, _ = members[0]
    outlets = list(dict.fromkeys(m[4] for m in members if m[4]))
    conn.execute("UPDATE stories SET first_article = ?, title = ?, first_seen = ?, published_at = ?, articles = ?,"
                 " outlets = ? WHERE story_id = ?",
                 (h, title, first_seen, published, len(members), json.dumps(outlets, ensure_ascii=False), story_id))


def leave_story(conn: sqlite3.Connection, content_hash: str) -> None:
    """Take an article out of its story (before it is deleted or its text changes)."""
    row = conn.execute("SELECT story_id FROM articles WHERE content_hash = ?", (content_hash,)).fetchone()
    if row and row[0] is not None:
        conn.execute("UPDATE articles SET story_id = NULL WHERE content_hash = ?", (content_hash,))
        refresh_story(conn, row[0])
