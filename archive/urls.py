"""URL canonicalisation for the seen-check and the ``article_urls`` table."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

# Query parameters that only track how a reader arrived; they never select an article.
TRACKING_PARAMS = frozenset({
    "spm", "from", "isappinstalled", "scene", "share_token", "sharer_sharetime", "sharer_shareid",
    "fbclid", "gclid", "yclid", "mc_cid", "mc_eid", "_hsenc", "_hsmi", "share_from", "tt_from",
    "wxshare_count", "clicktime", "enterid", "subscene", "sessionid", "ref", "referer", "source_from",
})
_DEFAULT_PORTS = {"http": 80, "https": 443}


def is_tracking(name: str) -> bool:
    name = name.lower()
    return name in TRACKING_PARAMS or name.startswith("utm_")


def canonical_url(url: str) -> str:
    """``url`` without fragment, tracking parameters and default port; scheme and host lower-cased.

    The path and the remaining query keep their case and order (many CMSs are case-sensitive).
    """
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return url
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    try:
        port = parts.port
    except ValueError:
        port = None
    netloc = host if port is None or _DEFAULT_PORTS.get(scheme) == port else f"{host}:{port}"
    if parts.username:
        netloc = f"{parts.username}@{netloc}"
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not is_tracking(k)]
    return urlunsplit((scheme, netloc, parts.path or "/", urlencode(query, doseq=True), ""))
