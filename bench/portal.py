"""A generated sample portal for the benchmarks: N article pages and list pages of 50 links.

Texts are recombined from the project's own sample articles (tests/sample_portals and the eval
corpus; `corpus_paragraphs` lives with the shape portals' generator, tests/sample_portals/shapes),
so every page is a realistic Chinese news page with a distinct body.
"""

from __future__ import annotations

import html
import random
from pathlib import Path

from tests.sample_portals.shapes.corpus import corpus_paragraphs

REPO = Path(__file__).resolve().parents[1]
PER_LIST = 50

ARTICLE = """<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>{title}_样例新闻网</title>
<meta name="PubDate" content="{date}"></head>
<body><div class="nav"><a href="/">首页</a> <a href="/news/index.html">要闻</a></div>
<div class="article"><h1>{title}</h1>
<div class="info">时间：{date} 来源：样例日报 作者：{author}</div>
<div class="TRS_Editor">{paragraphs}
<p>（样例日报记者 {author}）</p>
<p>版权声明：本网站所刊登的各种新闻，版权均属样例日报社所有，未经授权不得转载。</p></div>
<div class="editor">责任编辑：{editor}</div>
<div class="share">分享到：微信 微博</div></div>
<div class="footer">样例新闻网 版权所有 吉ICP备00000000号</div></body></html>
"""
LIST = """<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>要闻_样例新闻网</title></head><body>
<ul class="list">{items}</ul>
<div class="page">{next}</div></body></html>
"""
NAMES = ["王立新", "李晓", "赵强", "陈思远", "刘洋", "张楠", "孙桂芳", "周敏", "吴迪", "郑凯"]


def build_portal(root: Path, articles: int, seed: int = 7) -> dict:
    """Write ``articles`` article pages and their list pages under ``root``; returns a summary."""
    rng = random.Random(seed)
    paras = list(corpus_paragraphs())
    news = root / "news"
    news.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(articles):
        body = rng.sample(paras, rng.randint(4, 8))
        title = f"{body[0][:14].rstrip('，。、')}（{i}）"
        day = 1 + i % 28
        page = ARTICLE.format(
            title=html.escape(title), date=f"2024-{1 + i % 12:02d}-{day:02d} 09:{i % 60:02d}:00",
            author=rng.choice(NAMES), editor=rng.choice(NAMES),
            paragraphs="".join(f"<p>{html.escape(p)}</p>" for p in body))
        name = f"content_{100000 + i}.html"
        (news / name).write_text(page, "utf-8")
        paths.append(name)
    lists = [paths[i:i + PER_LIST] for i in range(0, len(paths), PER_LIST)]
    for n, chunk in enumerate(lists):
        items = "".join(f'<li><a href="{p}">文章{p[8:-5]}</a></li>' for p in chunk)
        nxt = f'<a href="index_{n + 1}.html">下一页</a>' if n + 1 < len(lists) else ""
        name = "index.html" if n == 0 else f"index_{n}.html"
        (news / name).write_text(LIST.format(items=items, next=nxt), "utf-8")
    return {"articles": articles, "list_pages": len(lists)}


def sources_toml(base_url: str, name: str = "bench", **extra) -> str:
    """A sources file for the generated portal served at ``base_url``."""
    lines = [
        "[[source]]", f"name = '{name}'", "outlet = '样例日报'", "region = '吉林省'",
        f"start_urls = ['{base_url}/news/index.html']",
        "article_pattern = '/news/content_\\d+\\.html$'", "next_page_pattern = '/news/index_\\d+\\.html$'",
    ]
    lines += [f"{k} = {v!r}" if not isinstance(v, bool) else f"{k} = {str(v).lower()}" for k, v in extra.items()]
    return "\n".join(lines) + "\n"
