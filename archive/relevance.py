"""Is a page about 招商引资? A scored keyword model, configurable in ``sources.toml``.

Each keyword has a weight; a keyword in the title counts ``title_weight`` times. Counts
are capped per keyword (``cap``) so one word repeated fifty times cannot carry a page.
A page is relevant when its score reaches ``threshold``. Simplified text in, so one
keyword list serves Traditional pages too.
"""

from __future__ import annotations

from dataclasses import dataclass, field

DEFAULT_KEYWORDS: dict[str, float] = {
    "招商引资": 3.0, "招商": 2.0, "引资": 2.0, "投资促进": 2.0, "招大引强": 2.0,
    "签约": 1.5, "落户": 1.0, "落地": 0.5, "投资": 1.0, "总投资": 1.5, "项目": 0.5,
    "开发区": 1.0, "产业园": 1.0, "营商环境": 1.0, "产业链": 0.5, "外资": 1.0,
    "到位资金": 2.0, "亿元": 0.5, "合作交流": 1.0, "产业集群": 0.5, "招引": 2.0, "合同引资": 2.0,
    "推介会": 1.5, "经贸合作": 1.5, "协议金额": 1.5, "洽谈": 1.0, "合作项目": 1.0, "入驻": 1.0,
    "投资额": 1.0, "重点项目": 1.0,
}


@dataclass(frozen=True)
class RelevanceModel:
    keywords: dict[str, float] = field(default_factory=lambda: dict(DEFAULT_KEYWORDS))
    threshold: float = 4.0
    title_weight: float = 3.0
    cap: int = 5

    def score(self, title: str, text: str) -> float:
        """Weighted, capped keyword count of ``title`` and ``text`` (Simplified)."""
        total = 0.0
        for word, weight in self.keywords.items():
            hits = min(text.count(word), self.cap) + self.title_weight * min(title.count(word), 1)
            total += weight * hits
        return round(total, 2)

    def is_relevant(self, score: float) -> bool:
        return score >= self.threshold
