"""The archive's ``facts`` table: its columns and rows (schema versions 3 and 6, docs/schema.md)."""

from __future__ import annotations

FACT_COLUMNS = ("content_hash", "kind", "text", "value", "value_max", "unit", "qualifier", "wording", "signed",
                "sentence", "char_start", "char_end", "status", "measure", "period", "period_start", "period_end",
                "place", "adcode", "province", "prefecture", "part_of")


def create_table(conn) -> None:
    """The ``facts`` table as this version writes it (the columns of version 7 last, as its migration adds them)."""
    conn.execute("""CREATE TABLE IF NOT EXISTS facts (
        id INTEGER PRIMARY KEY,
        content_hash TEXT NOT NULL REFERENCES articles(content_hash),
        kind TEXT NOT NULL, text TEXT NOT NULL, value NUMERIC, value_max NUMERIC, unit TEXT,
        qualifier TEXT, wording TEXT, signed INTEGER NOT NULL DEFAULT 0, sentence TEXT,
        char_start INTEGER NOT NULL, char_end INTEGER NOT NULL,
        status TEXT, measure TEXT, period TEXT, period_start TEXT, period_end TEXT,
        place TEXT, adcode TEXT, province TEXT, prefecture TEXT, part_of INTEGER)""")
    conn.execute("CREATE INDEX IF NOT EXISTS facts_content_hash ON facts (content_hash)")
    conn.execute("CREATE INDEX IF NOT EXISTS facts_kind_value ON facts (kind, value)")
    conn.execute("CREATE INDEX IF NOT EXISTS facts_status_measure ON facts (status, measure, kind)")


def fact_rows(text: str | None, published: str | None = None, region: str | None = None) -> list[tuple]:
    """The ``facts`` rows of an article (every column after ``content_hash``)."""
    from . import analyse

    return [(f.kind, f.text, f.value, f.value_max, f.unit, f.qualifier, f.wording, int(f.signed), f.sentence,
             f.start, f.end, f.status, f.measure, f.period, f.period_start, f.period_end, f.place, f.adcode,
             f.province, f.prefecture, f.part_of) for f in analyse(text, published, region)]
