"""The sources file (``sources.toml``): one ``[[source]]`` table per portal, plus ``[settings]``.

Loading validates everything up front and raises ``SourcesError`` with one line naming the
source and the key, so a typo never reaches a crawl (the CLIs exit 2 on it). Nothing else
is raised for a bad file, whatever its bytes.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from functools import cached_property
from datetime import date
from pathlib import Path
from urllib.parse import urlsplit

from .listing.edition import edition_url, template_problem
from .relevance import DEFAULT_KEYWORDS, RelevanceModel

NAME_RE = re.compile(r"^[a-z0-9_-]+$")


class SourcesError(ValueError):
    """A bad sources file: the message is one line naming the file, source and key."""


@dataclass(frozen=True)
class ListApi:
    """A JSON list endpoint (``list_api = {url, items, link, method, form, first_page}``)."""

    url: str
    items: str
    link: str
    method: str = "GET"
    form: tuple[tuple[str, str], ...] = ()
    first_page: int = 1


@dataclass(frozen=True)
class Source:
    name: str
    outlet: str
    region: str
    article_pattern: str
    start_urls: tuple[str, ...] = ()
    next_page_pattern: str | None = None
    schedule: str | None = None
    allowed_domains: tuple[str, ...] = ()
    boilerplate: tuple[str, ...] = ()
    relevance_threshold: float | None = None
    sitemap_urls: tuple[str, ...] = ()
    feed_urls: tuple[str, ...] = ()
    max_list_pages: int = 50
    max_article_pages: int = 2000
    max_run_seconds: int | None = None  # this source's part of a crawl; default [settings] max_run_seconds
    stop_on_known_page: bool = True
    enabled: bool = True
    list_api: ListApi | None = None
    edition_url: str | None = None
    edition_days: int = 7
    edition_from: date | None = None
    edition_until: date | None = None

    @property
    def article_re(self) -> re.Pattern:
        return _compiled(self.article_pattern)

    @property
    def next_page_re(self) -> re.Pattern | None:
        return _compiled(self.next_page_pattern) if self.next_page_pattern else None

    def hosts(self) -> frozenset[str]:
        """host[:port] values this source may fetch from (its start URLs' unless configured)."""
        if self.allowed_domains:
            return frozenset(d.lower() for d in self.allowed_domains)
        urls = self.start_urls + self.sitemap_urls + self.feed_urls
        if self.list_api:
            urls += (self.list_api.url,)
        if self.edition_url:
            urls += (edition_url(self.edition_url, date(2000, 1, 1)),)
        return frozenset(urlsplit(u).netloc.lower() for u in urls)

    def allows(self, url: str) -> bool:
        """True when ``url`` is http(s) on one of this source's hosts (same port too)."""
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https"):
            return False
        netloc = parts.netloc.lower().rsplit("@", 1)[-1]
        host = parts.hostname or ""
        for allowed in self.hosts():
            if netloc == allowed or (":" not in allowed and parts.port is None and
                                     (host == allowed or host.endswith("." + allowed))):
                return True
        return False


@dataclass(frozen=True)
class Settings:
    """Crawl-wide settings (``[settings]`` table)."""

    timezone: str = "Asia/Shanghai"
    default_schedule: str = "0 */6 * * *"
    max_parallel_crawls: int = 2
    max_run_seconds: int = 3600
    relevance_threshold: float = 4.0
    relevance_keywords: dict[str, float] = field(default_factory=lambda: dict(DEFAULT_KEYWORDS))

    def relevance_model(self, source: Source | None = None) -> RelevanceModel:
        threshold = self.relevance_threshold
        if source is not None and source.relevance_threshold is not None:
            threshold = source.relevance_threshold
        return RelevanceModel(keywords=dict(self.relevance_keywords), threshold=threshold)


@dataclass(frozen=True)
class SourcesFile:
    path: str
    settings: Settings
    sources: tuple[Source, ...]

    @cached_property
    def _by_name(self) -> dict[str, Source]:
        return {s.name: s for s in self.sources}

    def get(self, name: str) -> Source:
        """The source named ``name`` (a dict lookup: a fleet crawl asks for every request)."""
        found = self._by_name.get(name)
        if found is not None:
            return found
        raise SourcesError(f"{self.path}: no source named {name!r} (known: {', '.join(s.name for s in self.sources)})")

    def select(self, name: str | None = None) -> tuple[Source, ...]:
        """One source by name, or every enabled source."""
        return (self.get(name),) if name else tuple(s for s in self.sources if s.enabled)


_cache: dict[str, re.Pattern] = {}


def _compiled(pattern: str) -> re.Pattern:
    if pattern not in _cache:
        _cache[pattern] = re.compile(pattern)
    return _cache[pattern]


# key: (type(s), required)
_SOURCE_KEYS: dict[str, tuple[tuple[type, ...], bool]] = {
    "name": ((str,), True),
    "outlet": ((str,), True),
    "region": ((str,), True),
    "start_urls": ((list,), False),
    "article_pattern": ((str,), True),
    "next_page_pattern": ((str,), False),
    "schedule": ((str,), False),
    "allowed_domains": ((list,), False),
    "boilerplate": ((list,), False),
    "relevance_threshold": ((int, float), False),
    "sitemap_urls": ((list,), False),
    "feed_urls": ((list,), False),
    "max_list_pages": ((int,), False),
    "max_article_pages": ((int,), False),
    "max_run_seconds": ((int,), False),
    "stop_on_known_page": ((bool,), False),
    "enabled": ((bool,), False),
    "list_api": ((dict,), False),
    "edition_url": ((str,), False),
    "edition_days": ((int,), False),
    "edition_from": ((str, date), False),
    "edition_until": ((str, date), False),
}
# list_api = { url, items, link, method, form, first_page }: (types, required)
_LIST_API_KEYS: dict[str, tuple[tuple[type, ...], bool]] = {
    "url": ((str,), True), "items": ((str,), True), "link": ((str,), True),
    "method": ((str,), False), "form": ((dict,), False), "first_page": ((int,), False),
}
_STARTS = ("start_urls", "sitemap_urls", "feed_urls", "list_api", "edition_url")
_SETTINGS_KEYS: dict[str, tuple[type, ...]] = {
    "timezone": (str,),
    "default_schedule": (str,),
    "max_parallel_crawls": (int,),
    "max_run_seconds": (int,),
    "relevance_threshold": (int, float),
    "relevance_keywords": (dict,),
}
_LIST_OF_STR = {"start_urls", "allowed_domains", "boilerplate", "sitemap_urls", "feed_urls"}
_URL_LISTS = {"start_urls", "sitemap_urls", "feed_urls"}


def validate_cron(expr: str) -> str | None:
    """None when ``expr`` is a valid 5-field crontab expression, else the reason."""
    from .cron import cron_trigger  # APScheduler is imported only when schedules are checked

    try:
        cron_trigger(expr, "Asia/Shanghai")
    except ValueError as exc:
        return str(exc)
    return None


def _type_name(types: tuple[type, ...]) -> str:
    names = {str: "a string", list: "a list", int: "an integer", float: "a number", bool: "true or false",
             dict: "a table", date: "a date"}
    return " or ".join(names.get(t, t.__name__) for t in types)


def _check_type(where: str, key: str, value, types: tuple[type, ...]) -> None:
    # bool is an int in Python; TOML true must not pass as an integer
    if isinstance(value, bool) and bool not in types:
        raise SourcesError(f"{where}: key '{key}' must be {_type_name(types)}, got a boolean")
    if not isinstance(value, types):
        raise SourcesError(f"{where}: key '{key}' must be {_type_name(types)}, got {type(value).__name__}")


def _check_keys(where: str, table: dict, spec: dict[str, tuple[tuple[type, ...], bool]]) -> None:
    """Every key of ``table`` known to ``spec``, every required one present, each of its type."""
    for key in table:
        if key not in spec:
            raise SourcesError(f"{where}: unknown key '{key}' (known: {', '.join(spec)})")
    for key, (types, required) in spec.items():
        if key in table:
            _check_type(where, key, table[key], types)
        elif required:
            raise SourcesError(f"{where}: missing key '{key}'")


def _parse_source(path: str, index: int, table) -> Source:
    where = f"{path}: source #{index + 1}"
    if not isinstance(table, dict):
        raise SourcesError(f"{where}: each [[source]] must be a table")
    if isinstance(table.get("name"), str):
        where = f"{path}: source '{table['name']}'"
    _check_keys(where, table, _SOURCE_KEYS)
    for key in _LIST_OF_STR & table.keys():
        if not all(isinstance(v, str) for v in table[key]):
            raise SourcesError(f"{where}: key '{key}' must be a list of strings")
    if not NAME_RE.match(table["name"]):
        raise SourcesError(f"{where}: key 'name' must match [a-z0-9_-]+, got {table['name']!r}")
    for key in ("outlet", "region", "article_pattern"):
        if not table[key].strip():
            raise SourcesError(f"{where}: key '{key}' must not be empty")
    if not any(table.get(key) for key in _STARTS):
        problem = "must list at least one URL" if "start_urls" in table else "is missing"
        raise SourcesError(f"{where}: key 'start_urls' {problem} (or give sitemap_urls, feed_urls, list_api or "
                           "edition_url)")
    for key in _URL_LISTS:
        for url in table.get(key, []):
            parts = urlsplit(url)
            if parts.scheme not in ("http", "https") or not parts.netloc:
                raise SourcesError(f"{where}: key '{key}' has a non-http(s) URL {url!r}")
    for key in ("article_pattern", "next_page_pattern", "boilerplate"):
        patterns = table.get(key)
        for pattern in ([patterns] if isinstance(patterns, str) else patterns or []):
            try:
                re.compile(pattern)
            except re.error as exc:
                raise SourcesError(f"{where}: key '{key}' is not a valid regex ({exc}): {pattern!r}") from None
    if "schedule" in table:
        problem = validate_cron(table["schedule"])
        if problem:
            raise SourcesError(f"{where}: key 'schedule' is not a 5-field cron expression ({problem})")
    for key in ("max_list_pages", "max_article_pages", "max_run_seconds"):
        if key in table and table[key] < 1:
            raise SourcesError(f"{where}: key '{key}' must be at least 1")
    values = {k: tuple(v) if isinstance(v, list) else v for k, v in table.items()}
    if "list_api" in table:
        values["list_api"] = _parse_list_api(where, table["list_api"])
    for key in ("edition_from", "edition_until"):
        if key in table:
            values[key] = _parse_day(where, key, table[key])
    if "edition_url" in table:
        problem = template_problem(table["edition_url"])
        parts = urlsplit(edition_url(table["edition_url"], date(2000, 1, 1)))
        if problem is None and (parts.scheme not in ("http", "https") or not parts.netloc):
            problem = "is not an http(s) URL"
        if problem:
            raise SourcesError(f"{where}: key 'edition_url' {problem}: {table['edition_url']!r}")
    elif any(k in table for k in ("edition_days", "edition_from", "edition_until")):
        raise SourcesError(f"{where}: key 'edition_url' is missing (edition_days/edition_from/edition_until need it)")
    if table.get("edition_days", 1) < 1:
        raise SourcesError(f"{where}: key 'edition_days' must be at least 1")
    if values.get("edition_from") and values.get("edition_until") and values["edition_from"] > values["edition_until"]:
        raise SourcesError(f"{where}: key 'edition_from' is after 'edition_until'")
    return Source(**values)


def _parse_day(where: str, key: str, value) -> date:
    if isinstance(value, date) and not hasattr(value, "hour"):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise SourcesError(f"{where}: key '{key}' must be a date YYYY-MM-DD, got {value!r}") from None


def _parse_list_api(where: str, table: dict) -> ListApi:
    where = f"{where}: key 'list_api'"
    _check_keys(where, table, _LIST_API_KEYS)
    parts = urlsplit(table["url"])
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise SourcesError(f"{where}: key 'url' is not an http(s) URL: {table['url']!r}")
    if not table["link"].strip():
        raise SourcesError(f"{where}: key 'link' must not be empty")
    method = table.get("method", "GET").upper()
    if method not in ("GET", "POST"):
        raise SourcesError(f"{where}: key 'method' must be \"GET\" or \"POST\", got {table['method']!r}")
    form = table.get("form", {})
    if not all(isinstance(v, (str, int, float)) and not isinstance(v, bool) for v in form.values()):
        raise SourcesError(f"{where}: key 'form' must map field names to strings or numbers")
    if method == "GET" and form:
        raise SourcesError(f"{where}: key 'form' needs method = \"POST\"")
    if table.get("first_page", 1) < 0:
        raise SourcesError(f"{where}: key 'first_page' must be 0 or more")
    return ListApi(url=table["url"], items=table["items"], link=table["link"], method=method,
                   form=tuple((str(k), str(v)) for k, v in form.items()), first_page=table.get("first_page", 1))


def _parse_settings(path: str, table) -> Settings:
    where = f"{path}: [settings]"
    if not isinstance(table, dict):
        raise SourcesError(f"{where} must be a table")
    for key, value in table.items():
        if key not in _SETTINGS_KEYS:
            raise SourcesError(f"{where}: unknown key '{key}' (known: {', '.join(_SETTINGS_KEYS)})")
        _check_type(where, key, value, _SETTINGS_KEYS[key])
    if "default_schedule" in table:
        problem = validate_cron(table["default_schedule"])
        if problem:
            raise SourcesError(f"{where}: key 'default_schedule' is not a 5-field cron expression ({problem})")
    if "timezone" in table:
        try:
            from zoneinfo import ZoneInfo

            ZoneInfo(table["timezone"])
        except Exception:  # noqa: BLE001 - zoneinfo raises several types for junk names
            raise SourcesError(f"{where}: key 'timezone' is not a known time zone: {table['timezone']!r}") from None
    for key in ("max_parallel_crawls", "max_run_seconds"):
        if key in table and table[key] < 1:
            raise SourcesError(f"{where}: key '{key}' must be at least 1")
    kw = table.get("relevance_keywords")
    if kw is not None and not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in kw.values()):
        raise SourcesError(f"{where}: key 'relevance_keywords' must map words to numbers")
    return Settings(**table)


def parse_sources(text: str, path: str = "sources.toml") -> SourcesFile:
    """Parse and validate the text of a sources file."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise SourcesError(f"{path}: not valid TOML ({exc})") from None
    for key in data:
        if key not in ("source", "settings"):
            raise SourcesError(f"{path}: unknown top-level key '{key}' (expected [[source]] and [settings])")
    tables = data.get("source", [])
    if not isinstance(tables, list) or not tables:
        raise SourcesError(f"{path}: no [[source]] tables")
    sources = tuple(_parse_source(path, i, t) for i, t in enumerate(tables))
    seen: set[str] = set()
    for s in sources:
        if s.name in seen:
            raise SourcesError(f"{path}: source '{s.name}': key 'name' is a duplicate")
        seen.add(s.name)
    settings = _parse_settings(path, data.get("settings", {}))
    return SourcesFile(path, settings, sources)


def load_sources(path: str | Path) -> SourcesFile:
    """Read, parse and validate a sources file; ``SourcesError`` on any problem."""
    path = Path(path)
    try:
        text = path.read_bytes().decode("utf-8")
    except FileNotFoundError:
        raise SourcesError(f"{path}: no such file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise SourcesError(f"{path}: cannot be read ({exc})") from None
    return parse_sources(text, str(path))
