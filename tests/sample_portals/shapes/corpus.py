"""Generated 招商引资 articles with distinct texts, for the shape portals and the benchmarks.

Bodies recombine the project's own sample paragraphs (tests/sample_portals/expected.json and the
eval corpus under tests/data/eval) behind two generated paragraphs whose place, industry and
figures follow from the article's sequence number: every text is distinct (the archive merges
equal content hashes) and scores as 招商引资 (title and lead carry 招商/签约/总投资).
An article depends only on (seed, seq), so a portal can add newer ones at any time.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from functools import lru_cache
from pathlib import Path

REPO = Path(__file__).resolve().parents[3]
CST = timezone(timedelta(hours=8))
NAMES = ["王立新", "李晓", "赵强", "陈思远", "刘洋", "张楠", "孙桂芳", "周敏", "吴迪", "郑凯"]
PLACES = ["松原市", "四平市", "辽源市", "通化市", "白城市", "延吉市", "梅河口市", "公主岭市",
          "敦化市", "珲春市", "洮南市", "集安市", "舒兰市"]
INDUSTRIES = ["新能源汽车零部件", "化工新材料", "生物医药", "现代农业", "数字经济", "装备制造",
              "冰雪旅游", "碳纤维", "医药健康", "现代物流", "绿色食品", "光伏储能"]
EVENTS = [("招商推介会", "市会展中心"), ("重点项目集中签约仪式", "市政务服务中心"),
          ("专场对接会", "经济技术开发区"), ("投资合作洽谈会", "高新区管委会"),
          ("云招商签约活动", "市投资促进局"), ("驻外招商恳谈会", "长三角驻点招商办")]
OUTLETS = ["市投资促进局", "市商务局", "市发展和改革委员会", "市工业和信息化局", "市融媒体中心"]


@dataclass(frozen=True)
class Article:
    """One generated article; `seq` orders articles in time (higher = newer)."""

    seq: int
    title: str
    published: datetime  # Asia/Shanghai
    source: str           # the 来源 of the by-line
    author: str
    editor: str
    paragraphs: tuple[str, ...]

    @property
    def id(self) -> int:
        """A CMS-looking document number, increasing with `seq`."""
        return 5_123_456 + self.seq * 7


@lru_cache(maxsize=1)
def corpus_paragraphs() -> tuple[str, ...]:
    """Body paragraphs of the project's own sample and eval articles."""
    paras: list[str] = []
    for entry in json.loads((REPO / "tests/sample_portals/expected.json").read_text("utf-8")):
        paras += entry["paragraphs"]
    for path in sorted((REPO / "tests/data/eval").rglob("*.json")):
        data = json.loads(path.read_text("utf-8"))
        paras += data.get("paragraphs", [])
    return tuple(p for p in paras if len(p) > 20)


def make_article(seq: int, published: datetime, seed: int = 7) -> Article:
    """Article number `seq` (its text depends only on seed and seq)."""
    rng = random.Random(seed * 1_000_003 + seq)
    place = PLACES[seq % len(PLACES)]
    industry = INDUSTRIES[(seq // len(PLACES)) % len(INDUSTRIES)]
    event, venue = EVENTS[(seq // 7) % len(EVENTS)]
    projects = 3 + seq % 17
    amount = f"{10 + (seq * 7919) % 90000 / 100:.2f}"  # distinct for seq < 90000
    growth = 5 + seq % 23
    others = rng.sample(INDUSTRIES, 2)
    day = published - timedelta(days=1)
    lead = (f"{day.month}月{day.day}日，{place}{industry}产业{event}在{venue}举行，{projects}个项目现场签约，"
            f"总投资{amount}亿元，涉及{others[0]}、{others[1]}等领域。")
    second = (f"{place}投资促进局负责人介绍，今年以来全市新签约亿元以上项目{40 + seq % 61}个，招商引资到位资金"
              f"同比增长{growth}%，第{seq + 1}批重点招商项目清单已印发，由专班逐个跟踪推进。")
    body = rng.sample(corpus_paragraphs(), rng.randint(3, 5))
    title = f"{place}{industry}产业{event}签约{projects}个项目 总投资{amount}亿元"
    return Article(seq=seq, title=title, published=published, source=rng.choice(OUTLETS),
                   author=rng.choice(NAMES), editor=rng.choice(NAMES), paragraphs=(lead, second, *body))


class ArticleFactory:
    """Makes articles in time order: `initial(n)` the first n (newest `newest`), `more(k)` newer ones.
    Sequence numbers start at `first_seq` (give each portal its own range: texts stay distinct)."""

    def __init__(self, seed: int = 7, newest: datetime | None = None, step: timedelta = timedelta(hours=5, minutes=17),
                 first_seq: int = 0):
        self.seed, self.step, self.first_seq = seed, step, first_seq
        self.newest = newest or datetime(2022, 11, 24, 9, 30, tzinfo=CST)
        self.made = 0
        self._origin: datetime | None = None

    def next_seq(self) -> int:
        """Take the next sequence number (for articles dated by the caller)."""
        self.made += 1
        return self.first_seq + self.made - 1

    def initial(self, n: int) -> list[Article]:
        """The first n articles, oldest first; the last one is published at `newest`."""
        assert self.made == 0, "initial() once, before more()"
        self._origin = self.newest - self.step * max(n - 1, 0)
        return self.more(n)

    def more(self, k: int) -> list[Article]:
        """k articles newer than all made so far, oldest first."""
        if self._origin is None:
            self._origin = self.newest
        out = [make_article(self.first_seq + s, self._origin + self.step * s, self.seed)
               for s in range(self.made, self.made + k)]
        self.made += k
        return out
