"""The crawl's extraction pool: real worker processes over pipes, a dead worker replaced, nothing left behind."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys

import pytest

from archive.extract import ExtractOptions
from crawler.extract_pool import ExtractPool, PoolBroken, WorkerDied
from crawler.extract_worker import extract_page
from tests.test_extract_batch import page


def jobs(n: int, start: int = 0) -> list[tuple]:
    options = ExtractOptions(outlet="样例日报")
    return [(page(f"http://a.example.cn/{i}.html"), options, "吉林省") for i in range(start, start + n)]


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    with open(f"/proc/{pid}/stat") as f:
        return f.read().rsplit(")", 1)[1].split()[0] != "Z"


def test_pool_returns_what_extract_page_returns_and_a_bad_page_fails_alone():
    work = jobs(20)
    work[7] = (page("http://a.example.cn/bad.html", body=None), *work[7][1:])  # process_page raises on it

    async def run():
        pool = ExtractPool(2, batch_max=4)
        await pool.start()
        pids = pool.pids
        results = await asyncio.gather(*(pool.extract(args) for args in work), return_exceptions=True)
        await pool.close()
        return pids, results

    pids, results = asyncio.run(run())
    assert len(pids) == 2
    for i, (args, result) in enumerate(zip(work, results)):
        if i == 7:
            assert isinstance(result, Exception) and not isinstance(result, WorkerDied)
        else:
            assert result[:2] == extract_page(*args)[:2]
            assert result[2].facts == extract_page(*args)[2].facts
    assert not any(alive(pid) for pid in pids)  # closed: the workers have exited


def test_a_killed_worker_fails_only_its_pages_and_is_replaced():
    async def run():
        pool = ExtractPool(2, batch_max=8)
        await pool.start()
        first = pool.pids
        futures = [pool.extract(args) for args in jobs(48)]
        await asyncio.sleep(0.05)  # both workers hold batches now
        os.kill(first[0], signal.SIGKILL)
        results = await asyncio.gather(*futures, return_exceptions=True)
        later = await asyncio.gather(*(pool.extract(args) for args in jobs(6, start=100)))
        replaced = pool.pids
        await pool.close()
        return first, replaced, results, later

    first, replaced, results, later = asyncio.run(run())
    died = [r for r in results if isinstance(r, Exception)]
    assert died and all(isinstance(r, WorkerDied) and "SIGKILL" in str(r) for r in died)
    assert len(died) < len(results)  # the other worker's pages came back
    assert all(r[1] is not None for r in later)  # a replacement worker took the later pages
    assert first[0] not in replaced and first[1] in replaced and len(replaced) == 2


def test_workers_that_cannot_start_break_the_pool_with_a_clear_error():
    async def run():
        pool = ExtractPool(1, command=(sys.executable, "-c", "import sys; sys.exit(3)"))
        await pool.start()
        results = await asyncio.gather(*(pool.extract(args) for args in jobs(3)), return_exceptions=True)
        while pool.broken is None:  # the restarts run on the event loop
            await asyncio.sleep(0.05)
        after = await asyncio.gather(pool.extract(jobs(1)[0]), return_exceptions=True)
        await pool.close()
        return pool.broken, results + after

    broken, results = asyncio.run(run())
    assert isinstance(broken, PoolBroken) and "code 3" in str(broken)
    assert all(isinstance(r, (WorkerDied, PoolBroken)) for r in results)
    assert isinstance(results[-1], PoolBroken)


def test_a_worker_exits_when_the_crawl_process_goes():
    # the crawl process killed: the worker's stdin reaches end of file and it exits, nothing orphaned
    proc = subprocess.Popen([sys.executable, "-m", "crawler.extract_worker"], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE)
    proc.stdin.close()
    assert proc.wait(timeout=60) == 0


def test_the_pool_needs_a_process():
    with pytest.raises(ValueError):
        ExtractPool(0)


def test_pages_handed_over_before_the_workers_are_up_wait_for_them():
    async def run():
        pool = ExtractPool(2)
        starting = asyncio.get_running_loop().create_task(pool.start())  # as the pipeline does
        results = await asyncio.gather(*(pool.extract(args) for args in jobs(5)))
        await starting
        await pool.close()
        return results

    assert all(article is not None for _, article, _ in asyncio.run(run()))


def test_a_worker_command_that_cannot_run_breaks_the_pool():
    async def run():
        pool = ExtractPool(1, command=("/nonexistent/python",))
        waiting = pool.extract(jobs(1)[0])
        await pool.start()
        results = await asyncio.gather(waiting, pool.extract(jobs(1)[0]), return_exceptions=True)
        await pool.close()
        return results

    assert all(isinstance(r, PoolBroken) and "cannot start" in str(r) for r in asyncio.run(run()))


def test_a_worker_answering_garbage_is_stopped_and_its_pages_fail():
    garbage = ("import sys, time; sys.stdin.buffer.read(8); "
               "sys.stdout.buffer.write((5).to_bytes(8, 'big') + b'junk!'); sys.stdout.flush(); time.sleep(60)")

    async def run():
        pool = ExtractPool(1, command=(sys.executable, "-c", garbage))
        await pool.start()
        results = await asyncio.wait_for(
            asyncio.gather(*(pool.extract(args) for args in jobs(3)), return_exceptions=True), 60)
        while pool.broken is None:  # three workers that never answered properly
            pool.extract(jobs(1)[0])
            await asyncio.sleep(0.1)
        await pool.close()
        return results

    results = asyncio.run(run())
    assert all(isinstance(r, WorkerDied) and "SIGKILL" in str(r) for r in results)
