"""Tables for the terminal: rich when stdout is a terminal, plain aligned text otherwise."""

from __future__ import annotations

import sys


def print_table(rows: list[dict], columns: list[str], title: str | None = None) -> None:
    """Print ``rows`` (dicts) under ``columns``."""
    if sys.stdout.isatty():
        from rich.console import Console
        from rich.table import Table

        table = Table(title=title)
        for col in columns:
            table.add_column(col)
        for row in rows:
            table.add_row(*("" if row.get(c) is None else str(row.get(c)) for c in columns))
        Console().print(table)
        return
    print(format_plain(rows, columns))


def format_plain(rows: list[dict], columns: list[str]) -> str:
    """``rows`` as plain text columns, left-aligned, two spaces apart."""
    cells = [columns] + [["" if r.get(c) is None else str(r.get(c)) for c in columns] for r in rows]
    widths = [max(_width(row[i]) for row in cells) for i in range(len(columns))]
    return "\n".join("  ".join(c + " " * (w - _width(c)) for c, w in zip(row, widths)).rstrip() for row in cells)


def _width(text: str) -> int:
    """Display width: CJK characters take two columns."""
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)
