"""One list page read as a browser would: its links and how it paginates, whatever its CMS."""

from __future__ import annotations

from dataclasses import dataclass

from ..links import extract_links
from . import hanweb, trs


@dataclass
class ListPage:
    """A decoded list page: every link, and the pagers recognised on it."""

    url: str
    links: list[str]
    trs: trs.TrsPager | None = None
    jpage: hanweb.Jpage | None = None
    jpage_problem: str | None = None  # a jpage call that is there but unusable (missing fields)
    records: hanweb.Datastore | None = None  # the Hanweb datastore embedded in the page

    @property
    def shapes(self) -> list[str]:
        """Names of the shapes recognised (``trs``, ``hanweb``), in that order."""
        return [name for name, found in (("trs", self.trs), ("hanweb", self.jpage or self.records)) if found]

    def next_trs_page(self) -> str | None:
        """The TRS list page after this one (None without a TRS pager or on its last page)."""
        return trs.next_page(self.trs, self.url) if self.trs else None

    def first_hanweb_group(self) -> tuple[str, dict[str, str]] | None:
        """(URL, form) of the POST for the record group after the page's own, or None when there is none."""
        if self.jpage is None:
            return None
        start = (self.records.records if self.records else 0) + 1
        total = (self.records.total if self.records else None) or self.jpage.total
        if total is not None and start > total:
            return None
        return hanweb.group_request(self.jpage, self.url, start)


def read_list_page(html: str, url: str) -> ListPage:
    """Links and pagers of a decoded list page."""
    page = ListPage(url=url, links=extract_links(html, url), trs=trs.trs_pager(html, url))
    if "<record" in html or "<nextgroup" in html:
        page.records = hanweb.datastore(html)
    if "jpage" in html:
        try:
            page.jpage = hanweb.jpage_config(html)
        except hanweb.JpageError as exc:
            page.jpage_problem = str(exc)
    return page
