"""Make a (copied) sample portal grow: publish new jlcity articles linked from its first list page."""

from __future__ import annotations

from pathlib import Path


def publish_articles(root: Path, count: int, start: int = 300001) -> list[str]:
    """Write ``count`` new relevant jlcity articles (distinct texts) under ``root/jlcity/jj``, link them
    from the first list page, and return their paths ("/jj/content_N.html")."""
    folder = Path(root) / "jlcity" / "jj"
    template = (folder / "content_289892.html").read_text("utf-8")
    assert "前10个月" in template
    paths = []
    for i in range(count):
        name = f"content_{start + i}.html"
        (folder / name).write_text(template.replace("前10个月", f"前10个月（第{start + i}号通报）"), "utf-8")
        paths.append(f"/jj/{name}")
    index = (folder / "index.html").read_text("utf-8")
    links = "".join(f'<li><a href="{p.rsplit("/", 1)[1]}">新文章{i}</a></li>' for i, p in enumerate(paths))
    (folder / "index.html").write_text(index.replace("<ul", f"<ul>{links}</ul><ul", 1), "utf-8")
    return paths


def published_paragraphs(expected_entry: dict, number: int) -> list[str]:
    """The paragraphs of article ``number`` published from ``expected_entry`` (content_289892's)."""
    return [p.replace("前10个月", f"前10个月（第{number}号通报）") for p in expected_entry["paragraphs"]]
