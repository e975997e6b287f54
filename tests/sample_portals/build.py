"""Render sites/ and expected.json from articles.py: `python -m tests.sample_portals.build`."""

import html
import json
import posixpath
import shutil
from datetime import datetime
from pathlib import Path
from string import Template
from urllib.robotparser import RobotFileParser

import opencc

from .articles import ARTICLES, PINYIN, RELEVANCE_WORDS, SITES
from .templates import TEMPLATES

HERE = Path(__file__).parent
SITES_DIR = HERE / "sites"
EXPECTED = HERE / "expected.json"
S2T, T2S = opencc.OpenCC("s2t"), opencc.OpenCC("t2s")
CONVERTERS = {name: opencc.OpenCC(name) for s in SITES.values() for name in s["traditional"]}
BODY = "@@BODY@@"  # ASCII placeholder: survives the s2t conversion of the page
RUBY = {S2T.convert(k): f"<ruby>{S2T.convert(k)}<rp>(</rp><rt>{v}</rt><rp>)</rp></ruby>"
        for k, v in PINYIN.items()}
esc = html.escape


def opt(site, key, value):
    """Render the optional snippet `key` of a site, or '' when the value is missing."""
    snippet = TEMPLATES[site]["opt"].get(key)
    return snippet.format(esc(value)) if snippet and value else ""


def href(site, from_path, to_path):
    """Link from one page to another in the site's style (relative or absolute path)."""
    if TEMPLATES[site]["href"] in ("rel", "trs"):
        rel = posixpath.relpath(to_path, posixpath.dirname(from_path))
        return "./" + rel if TEMPLATES[site]["href"] == "trs" else rel
    return "/" + to_path


def script(site, text):
    """Convert Simplified text to the site's script."""
    for name in SITES[site]["traditional"]:
        text = CONVERTERS[name].convert(text)
    return text


def body_text(site, text):
    """One body paragraph as it appears in the page: Traditional and ruby-annotated if needed."""
    text = esc(script(site, text))
    return "".join(RUBY.get(c, c) for c in text) if SITES[site]["ruby"] else text


def page(site, title, main, body="", crumb="", head="", hot=""):
    """Wrap `main` in the site frame, convert script, insert the body, encode."""
    s, t = SITES[site], TEMPLATES[site]
    html_text = Template(t["frame"]).substitute(
        page_title=esc(title + s["title_sep"] + s["name"]) if title else esc(s["name"]),
        main=main, crumb=crumb, head=head, hot=hot, icp=s["icp"])
    return script(site, html_text).replace(BODY, body).encode(s["codec"])


def hot_list(site, exclude=None, limit=5):
    """Sidebar entries pointing at other articles of the same site."""
    others = [a for a in ARTICLES if a["site"] == site and a is not exclude][:limit]
    return "\n".join(TEMPLATES[site]["hot"].format(path=a["path"], title=esc(a["title"])) for a in others)


def render_article(a):
    """The bytes of one article page."""
    site, s, t = a["site"], SITES[a["site"]], TEMPLATES[a["site"]]
    when = datetime.fromisoformat(a["published_at"])
    assert "%S" in s["time_format"] or when.second == 0, a["path"]
    fields = {
        "title": esc(a["title"]), "outlet": esc(a["outlet"]), "time": when.strftime(s["time_format"]),
        "iso": a["published_at"], "pubdate": when.strftime("%Y-%m-%d %H:%M"),
        "desc": esc(a["paragraphs"][0][:60]), "body": BODY, "editor_name": esc(a["editor"] or ""),
        "author": opt(site, "author", a["author"]), "editor": opt(site, "editor", a["editor"]),
        "byline": opt(site, "byline", a["byline"]), "orig": opt(site, "orig", a["original_title"]),
        "related": hot_list(site, a, limit=3), **{k: esc(v) for k, v in a["extra"].items()},
    }
    fields.setdefault("duty", "")
    fields.setdefault("tid", "")
    body = "\n".join(t["para"].format(body_text(site, p)) for p in a["paragraphs"])
    main = Template(t["article"]).substitute(fields)
    return page(site, a["title"], main, body, t["opt"]["crumb"],
                Template(t["head"]).substitute(fields), hot_list(site, a))


def render_list(site, index):
    """The bytes of list page `index` of a site, with its pagination links."""
    s, t = SITES[site], TEMPLATES[site]
    lists, path = s["lists"], s["lists"][index]
    items = [a for a in ARTICLES if a["site"] == site and a["list"] == index]
    link = lambda i: href(site, path, lists[i])  # noqa: E731
    main = Template(t["list"]).substitute(
        items="\n".join(t["item"].format(href=href(site, path, a["path"]), title=esc(a["title"]),
                                         date=a["published_at"][:10]) for a in items),
        first=link(0), pages=len(lists), cur=index, total=sum(a["site"] == site for a in ARTICLES),
        prev=opt(site, "prev", index and link(index - 1)),
        next=opt(site, "next", index + 1 < len(lists) and link(index + 1)))
    return page(site, t["section"], main, hot=hot_list(site))


def render_home(site):
    """The site's front page, linking only to its first list page."""
    first = SITES[site]["lists"][0]
    main = f'<div class="home"><h2><a href="/{first}">{TEMPLATES[site]["section"]}</a></h2></div>'
    return page(site, "", main, hot=hot_list(site))


def robots(site):
    """robots.txt rules of a site (allow-all when it has none)."""
    parser = RobotFileParser()
    parser.parse((SITES[site]["robots"] or "").splitlines())
    return parser


def noise(a, data):
    """Markers present on the page outside the body (Simplified), checked against the bytes."""
    orig = a["original_title"] and "原标题：" + a["original_title"]
    marks = TEMPLATES[a["site"]]["noise"] + [m for m in (a["byline"], orig, a["extra"].get("tid")) if m]
    if SITES[a["site"]]["ruby"]:
        marks.append(next(PINYIN[c] for c in a["paragraphs"][0] if c in PINYIN))
    text = data.decode(SITES[a["site"]]["codec"])
    for m in marks:
        assert script(a["site"], m) in text, (a["path"], m)
        assert not any(m in p for p in a["paragraphs"]), (a["path"], m)
    return marks


def check(a, data):
    """Invariants of the hand-written data that the tests and the crawler rely on."""
    s = SITES[a["site"]]
    if not a["relevant"]:
        assert not any(w in x for w in RELEVANCE_WORDS for x in [a["title"], *a["paragraphs"]]), a["path"]
    if s["traditional"]:
        for x in [a["title"], a["outlet"], a["author"], a["editor"], *a["paragraphs"]]:
            assert x is None or T2S.convert(script(a["site"], x)) == x, (a["path"], x)
    if s["ruby"]:
        assert all(sum(c in PINYIN for c in p) >= 2 for p in a["paragraphs"]), a["path"]
    if s["charset"] == "big5":
        data.decode("big5")  # plain Big5 is enough, so strict decoders work too


def expected_entry(a, data):
    keys = ("site", "path", "title", "published_at", "outlet", "author", "editor", "paragraphs", "relevant")
    entry = {k: a[k] for k in keys}
    entry["disallowed_by_robots"] = not robots(a["site"]).can_fetch("*", "/" + a["path"])
    entry["syndicated_group"] = a["syndicated_group"]
    entry["noise"] = noise(a, data)
    return entry


def build(out=SITES_DIR, expected=EXPECTED):
    """Write every site under `out` and the expectations to `expected`."""
    shutil.rmtree(out, ignore_errors=True)
    files = {}
    for site, s in SITES.items():
        files[f"{site}/index.html"] = render_home(site)
        files.update({f"{site}/{p}": render_list(site, i) for i, p in enumerate(s["lists"])})
        if s["robots"]:
            files[f"{site}/robots.txt"] = s["robots"].encode("ascii")
    entries = []
    for a in ARTICLES:
        data = files[f"{a['site']}/{a['path']}"] = render_article(a)
        check(a, data)
        entries.append(expected_entry(a, data))
    groups = {}
    for e in entries:
        if e["syndicated_group"]:
            groups.setdefault(e["syndicated_group"], []).append(e["paragraphs"])
    assert all(len(g) > 1 and all(p == g[0] for p in g) for g in groups.values())
    for rel, data in files.items():
        (out / rel).parent.mkdir(parents=True, exist_ok=True)
        (out / rel).write_bytes(data)
    expected.write_text(json.dumps(entries, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return entries


if __name__ == "__main__":
    done = build()
    print(f"{len(done)} articles ({sum(e['relevant'] for e in done)} relevant) -> {SITES_DIR}")
