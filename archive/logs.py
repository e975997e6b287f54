"""Logging for the command-line programs: human-readable on stderr, or one JSON object a line."""

from __future__ import annotations

import json
import logging
import sys

HUMAN_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


class JsonFormatter(logging.Formatter):
    """``{"time", "level", "logger", "message"}`` (+ ``exc`` when there is a traceback)."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {"time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S%z"), "level": record.levelname,
                 "logger": record.name, "message": record.getMessage()}
        if record.exc_info:
            entry["exc"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


def setup_logging(json_lines: bool = False, level: str = "INFO") -> None:
    """Send every log record to stderr, formatted for people or as JSON lines."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter() if json_lines else logging.Formatter(HUMAN_FORMAT))
    # Scrapy gives its own loggers level DEBUG (one "Scraped from" record with the item a page):
    # the handler's level is what keeps a fleet crawl's log to the level asked for
    handler.setLevel(level)
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
