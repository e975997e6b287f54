"""Sources file validation, cron weekday translation, URL canonicalisation, source locks."""

from __future__ import annotations

import multiprocessing
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from archive.cron import cron_trigger, crontab_to_apscheduler
from archive.locks import SourceLock
from archive.sources import SourcesError, load_sources, parse_sources
from archive.urls import canonical_url

GOOD = """
[[source]]
name = "jlcity"
outlet = "江城日报"
region = "吉林省吉林市"
start_urls = ["http://www.example.cn/jj/index.html"]
article_pattern = '/content_\\d+\\.html$'
"""


def test_repository_sources_file_is_valid():
    sources = load_sources("sources.toml")
    assert {"jlnews", "chinajilin", "cinic", "jlgov", "jlrb", "lygfb", "aqnews"} <= {s.name for s in sources.sources}


@pytest.mark.parametrize("change, message", [
    (("name = \"jlcity\"", "name = \"JL City\""), "source 'JL City': key 'name' must match"),
    (("outlet = \"江城日报\"\n", ""), "source 'jlcity': missing key 'outlet'"),
    (("region =", "colour = 1\nregion ="), "source 'jlcity': unknown key 'colour'"),
    (("'/content_\\d+\\.html$'", "'/content_(\\d+.html$'"), "source 'jlcity': key 'article_pattern' is not a valid regex"),
    (("region = \"吉林省吉林市\"", "region = \"吉林省吉林市\"\nschedule = \"61 * * * *\""), "source 'jlcity': key 'schedule'"),
    (("region = \"吉林省吉林市\"", "region = \"吉林省吉林市\"\nschedule = \"0 8 * *\""), "expected 5 fields"),
    (("http://www.example.cn", "file:///etc"), "source 'jlcity': key 'start_urls' has a non-http(s) URL"),
    (("start_urls = [\"http://www.example.cn/jj/index.html\"]", "start_urls = \"http://x/\""),
     "source 'jlcity': key 'start_urls' must be a list"),
    (("region = \"吉林省吉林市\"", "region = \"吉林省吉林市\"\nmax_list_pages = true"),
     "key 'max_list_pages' must be an integer, got a boolean"),
    (("region = \"吉林省吉林市\"", "region = \"吉林省吉林市\"\nmax_run_seconds = 0"),
     "source 'jlcity': key 'max_run_seconds' must be at least 1"),
])
def test_each_mistake_names_the_source_and_the_key(change, message):
    text = GOOD.replace(*change)
    assert text != GOOD
    with pytest.raises(SourcesError) as err:
        parse_sources(text)
    assert message in str(err.value)
    assert "\n" not in str(err.value)


def test_duplicate_names_and_empty_files():
    with pytest.raises(SourcesError, match="source 'jlcity': key 'name' is a duplicate"):
        parse_sources(GOOD + GOOD)
    with pytest.raises(SourcesError, match="no \\[\\[source\\]\\] tables"):
        parse_sources("")
    with pytest.raises(SourcesError, match="not valid TOML"):
        parse_sources("[[source]\nname=")
    with pytest.raises(SourcesError, match="no such file"):
        load_sources("/nonexistent/sources.toml")


def test_hosts_and_ports_are_the_sources_own():
    src = parse_sources(GOOD.replace("http://www.example.cn", "http://127.0.0.1:8000")).sources[0]
    assert src.allows("http://127.0.0.1:8000/jj/content_1.html")
    assert not src.allows("http://127.0.0.1:8001/jj/content_1.html")  # another port
    assert not src.allows("http://127.0.0.2:8000/jj/content_1.html")  # another host
    assert not src.allows("ftp://127.0.0.1:8000/jj/content_1.html")
    real = parse_sources(GOOD).sources[0]
    assert real.allows("https://www.example.cn/x") and not real.allows("http://evil.example.cn.attacker.com/")


# --- cron ----------------------------------------------------------------------------------
SHANGHAI = ZoneInfo("Asia/Shanghai")


def next_fire(expr: str, after: datetime) -> datetime:
    return cron_trigger(expr, "Asia/Shanghai").get_next_fire_time(None, after)


@pytest.mark.parametrize("expr, weekday", [
    ("0 8 * * 0", "Sunday"), ("0 8 * * 7", "Sunday"), ("0 8 * * 1", "Monday"), ("0 8 * * 6", "Saturday"),
    ("0 8 * * sun", "Sunday"),
])
def test_weekdays_mean_what_crontab_says(expr, weekday):
    wednesday = datetime(2026, 11, 25, 9, 0, tzinfo=SHANGHAI)
    assert next_fire(expr, wednesday).strftime("%A") == weekday


def test_weekday_ranges_and_steps():
    assert crontab_to_apscheduler("0 8 * * 1-5") == "0 8 * * mon,tue,wed,thu,fri"
    assert crontab_to_apscheduler("0 8 * * 0-6/2") == "0 8 * * sun,tue,thu,sat"
    assert crontab_to_apscheduler("*/15 * * * *") == "*/15 * * * *"
    saturday = datetime(2026, 11, 28, 9, 0, tzinfo=SHANGHAI)
    assert next_fire("0 8 * * 1-5", saturday).strftime("%A %H:%M") == "Monday 08:00"
    with pytest.raises(ValueError):
        cron_trigger("0 8 * * 9", "Asia/Shanghai")


# --- URLs ----------------------------------------------------------------------------------
@pytest.mark.parametrize("url, canonical", [
    ("HTTP://WWW.Example.CN:80/jj/Content_1.html#top", "http://www.example.cn/jj/Content_1.html"),
    ("https://www.example.cn:443/a?id=5&utm_source=wx&spm=1.2&from=timeline&isappinstalled=0",
     "https://www.example.cn/a?id=5"),
    ("http://www.example.cn:8080/a?b=1&a=2", "http://www.example.cn:8080/a?b=1&a=2"),
    ("http://www.example.cn", "http://www.example.cn/"),
])
def test_canonical_url(url, canonical):
    assert canonical_url(url) == canonical


# --- locks ----------------------------------------------------------------------------------
def _hold_then_die(db, ready):
    lock = SourceLock(db, "jlcity")
    assert lock.acquire()
    ready.set()
    import os
    import time

    time.sleep(0.5)
    os._exit(9)  # a crash: no release


def test_lock_is_exclusive_and_dies_with_its_holder(tmp_path):
    db = str(tmp_path / "archive.db")
    ctx = multiprocessing.get_context("spawn")
    ready = ctx.Event()
    proc = ctx.Process(target=_hold_then_die, args=(db, ready))
    proc.start()
    assert ready.wait(30)
    assert not SourceLock(db, "jlcity").acquire()  # held by the other process
    assert SourceLock(db, "aqnews").acquire()  # other sources are free
    proc.join(30)
    lock = SourceLock(db, "jlcity")
    assert lock.acquire()  # the OS released the dead holder's lock
    lock.release()


def test_a_source_can_have_its_own_time_limit():
    sources = parse_sources(GOOD.replace("region = \"吉林省吉林市\"", "region = \"吉林省吉林市\"\nmax_run_seconds = 90"))
    assert sources.get("jlcity").max_run_seconds == 90
    assert parse_sources(GOOD).get("jlcity").max_run_seconds is None  # [settings] max_run_seconds applies
