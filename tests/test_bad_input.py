"""Bad sources files and unusable archives: one clear line, exit 2 (3 for a full disk), archive untouched."""

from __future__ import annotations

import hashlib
import shutil
import sqlite3
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from tests.conftest import REPO
from tests.sample_portals.server import serve_portals

GOOD = """
[[source]]
name = "jlcity"
outlet = "江城日报"
region = "吉林省吉林市"
start_urls = ["http://127.0.0.1:9/jj/index.html"]
article_pattern = '/content_\\d+\\.html$'
"""
MISTAKES = {
    "missing key": (("outlet = \"江城日报\"\n", ""), "source 'jlcity': missing key 'outlet'"),
    "unknown key": (("region =", "colour = 'red'\nregion ="), "source 'jlcity': unknown key 'colour'"),
    "bad regex": (("'/content_\\d+\\.html$'", "'/content_(\\d+'"), "source 'jlcity': key 'article_pattern'"),
    "bad cron": (("region = \"吉林省吉林市\"", "region = \"吉林省吉林市\"\nschedule = \"every day\""),
                 "source 'jlcity': key 'schedule'"),
    "duplicate name": (("[[source]]", GOOD.strip() + "\n\n[[source]]"), "source 'jlcity': key 'name' is a duplicate"),
    "non-http start URL": (("http://127.0.0.1:9", "ftp://127.0.0.1:9"), "source 'jlcity': key 'start_urls'"),
    "wrong type": (("region = \"吉林省吉林市\"", "region = 12"), "source 'jlcity': key 'region' must be a string"),
}


def run(*args: str, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(REPO / "scheduler.py"), *args], cwd=REPO, capture_output=True,
                          text=True, timeout=timeout)


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest() if path.exists() else "absent"


@pytest.fixture(scope="module")
def small_archive(tmp_path_factory):
    """An archive with the aqnews sample portal crawled into it."""
    tmp = tmp_path_factory.mktemp("small")
    with serve_portals(sites=["aqnews"]) as portals:
        portals.write_sources(str(tmp / "sources.toml"))
        done = run("--once", "--sources", str(tmp / "sources.toml"), "--db", str(tmp / "archive.db"))
        assert done.returncode == 0, done.stderr[-2000:]
    conn = sqlite3.connect(tmp / "archive.db")
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    return tmp / "archive.db"


@pytest.mark.parametrize("mistake", list(MISTAKES))
def test_sources_mistake_one_line_exit_2_archive_untouched(tmp_path, small_archive, mistake, fault_report):
    (old, new), message = MISTAKES[mistake]
    text = GOOD.replace(old, new, 1)
    assert text != GOOD
    sources = tmp_path / "sources.toml"
    sources.write_text(text, "utf-8")
    db = tmp_path / "archive.db"
    shutil.copy(small_archive, db)
    before = digest(db)
    for args in (["--once"], []):  # cron and daemon
        result = run(*args, "--sources", str(sources), "--db", str(db))
        lines = result.stderr.strip().splitlines()
        ok = result.returncode == 2 and len(lines) == 1 and message in lines[0] and digest(db) == before
        assert result.returncode == 2, result.stderr
        assert len(lines) == 1 and message in lines[0], result.stderr
        assert digest(db) == before and not (tmp_path / "archive.db-wal").exists()
    fresh = tmp_path / "fresh.db"
    assert run("--once", "--sources", str(sources), "--db", str(fresh)).returncode == 2
    assert not fresh.exists()  # a bad sources file creates no archive
    fault_report(f"sources.toml: {mistake}", 2, 2 * int(ok), 0)


def test_not_sqlite(tmp_path, fault_report):
    db = tmp_path / "archive.db"
    db.write_bytes(b"this is a spreadsheet, not an archive\n" * 100)
    before = digest(db)
    result = run("--once", "--sources", str(REPO / "sources.toml"), "--db", str(db))
    assert result.returncode == 2 and result.stderr.count("\n") == 1
    assert "not a usable SQLite archive" in result.stderr and str(db) in result.stderr
    assert digest(db) == before
    cli = subprocess.run([sys.executable, "-m", "archive", "runs", "--db", str(db)], cwd=REPO,
                         capture_output=True, text=True)
    assert cli.returncode == 2 and cli.stderr.count("\n") == 1
    fault_report("--db: not SQLite", 1, 1, 0)


def test_newer_schema_version(tmp_path, small_archive, fault_report):
    db = tmp_path / "archive.db"
    shutil.copy(small_archive, db)
    conn = sqlite3.connect(db)
    conn.execute("UPDATE meta SET value = '999' WHERE key = 'schema_version'")
    conn.commit()
    conn.close()
    before = digest(db)
    result = run("--once", "--sources", str(REPO / "sources.toml"), "--db", str(db))
    assert result.returncode == 2 and "schema version 999 is newer" in result.stderr
    assert result.stderr.count("\n") == 1
    assert digest(db) == before
    fault_report("--db: newer schema version", 1, 1, 0)


@pytest.fixture
def mounted(tmp_path):
    """A small tmpfs of our own (root is needed to mount; skipped elsewhere)."""
    mnt = tmp_path / f"fs-{uuid.uuid4().hex[:6]}"
    mnt.mkdir()
    mounted_ok = []

    def mount(size: str):
        res = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(mnt)], capture_output=True)
        if res.returncode != 0:
            pytest.skip(f"cannot mount a tmpfs here: {res.stderr.decode().strip()}")
        mounted_ok.append(True)
        return mnt

    yield mount
    if mounted_ok:
        subprocess.run(["umount", "-l", str(mnt)], capture_output=True)


def test_read_only_file_system(small_archive, mounted, fault_report):
    mnt = mounted("4m")
    db = mnt / "archive.db"
    shutil.copy(small_archive, db)
    before = digest(db)
    assert subprocess.run(["mount", "-o", "remount,ro", str(mnt)], capture_output=True).returncode == 0
    result = run("--once", "--sources", str(REPO / "sources.toml"), "--db", str(db))
    assert result.returncode == 2, result.stderr
    assert result.stderr.count("\n") == 1 and str(db) in result.stderr and "read-only" in result.stderr
    assert digest(db) == before
    fault_report("--db: read-only", 1, 1, 0)


def test_full_disk_stops_the_crawl_and_keeps_the_archive(small_archive, mounted, tmp_path, fault_report):
    size = small_archive.stat().st_size
    mnt = mounted(f"{size + 96 * 1024}")  # room for the copy and a little more
    db = mnt / "archive.db"
    shutil.copy(small_archive, db)
    conn = sqlite3.connect(small_archive)
    before = conn.execute("SELECT content_hash, text FROM articles ORDER BY 1").fetchall()
    conn.close()
    with serve_portals() as portals:  # every other sample portal: far more than the space left
        portals.write_sources(str(tmp_path / "sources.toml"))
        result = run("--once", "--sources", str(tmp_path / "sources.toml"), "--db", str(db), timeout=300)
    assert result.returncode == 3, result.stderr[-3000:]
    assert "database or disk is full" in result.stderr and "nothing archived before was lost" in result.stderr
    conn = sqlite3.connect(db)
    assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    after = {h: t for h, t in conn.execute("SELECT content_hash, text FROM articles")}
    assert all(after.get(h) == t for h, t in before)  # every article archived before is intact
    orphans = conn.execute("SELECT count(*) FROM articles WHERE content_hash NOT IN "
                           "(SELECT content_hash FROM article_urls)").fetchone()[0]
    conn.close()
    assert orphans == 0
    fault_report("--db: disk full", 1, 1, 0)


@pytest.mark.parametrize("url", ["nonsense://", "redis://127.0.0.1:1/0"])
def test_unreachable_redis_one_line_exit_2(url, fault_report):
    for cmd in ([sys.executable, str(REPO / "scheduler.py"), "--once", "--redis", url, "--sources",
                 str(REPO / "sources.toml")],
                [sys.executable, "-m", "archive", "ingest", "--redis", url, "--db", "/nonexistent/x.db"]):
        result = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True, timeout=60)
        assert result.returncode == 2, result.stderr
        assert result.stderr.count("\n") == 1 and "Redis" in result.stderr
    fault_report(f"--redis {url}", 2, 2, 0)


@pytest.mark.parametrize("setting", ["ARCHIVE_WRITE_GROUP=abc", "EXTRACT_PROCESSES=two", "ARCHIVE_WRITE_DELAY=soon"])
def test_a_non_number_for_a_numeric_setting_is_one_line_and_exit_2(tmp_path, setting):
    db = tmp_path / "a.db"
    proc = subprocess.run([sys.executable, "-m", "crawler", "--sources", str(REPO / "sources.toml"), "--db", str(db),
                           "--set", setting], cwd=REPO, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2
    name = setting.split("=")[0]
    assert proc.stderr.strip().splitlines() == [proc.stderr.strip()] and f"--set {name} expects" in proc.stderr
    if db.exists():  # the archive is checked first; no crawl ran
        with sqlite3.connect(db) as conn:
            assert conn.execute("SELECT count(*) FROM crawl_runs").fetchone() == (0,)
