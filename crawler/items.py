"""Items the spider yields: one fetched article page, handed to the pipelines as is."""

from dataclasses import dataclass

from archive.db import PageRecord
from archive.derived import Prepared
from archive.pipeline import FetchedPage


@dataclass
class ArticlePageItem:
    """A fetched article page; the pipelines fill ``record``, ``article`` and ``prepared``."""

    page: FetchedPage
    record: PageRecord | None = None
    article: dict | None = None
    prepared: Prepared | None = None  # what the archive derives from the article, computed off the reactor

    def __repr__(self) -> str:  # Scrapy logs items: never the page bytes
        outcome = self.record.outcome if self.record else "pending"
        return f"ArticlePageItem({self.page.url!r}, source={self.page.source!r}, status={self.page.status}, {outcome})"
