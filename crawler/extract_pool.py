"""Extraction worker processes fed over pipes from the crawl's event loop.

``ExtractPool(n)`` starts ``n`` processes running ``python -m crawler.extract_worker``; ``await
pool.extract(args)`` hands one page to them and returns ``extract_worker.extract_page(*args)``
(or raises what it raised). Pages that wait while the workers are busy leave together as one batch
(up to ``batch_max``), each worker holding at most ``depth`` batches (one it works on, one queued
in its pipe), so a worker never waits for the reactor and the crawl process pays the per-batch
cost once for several pages.

Why not ``concurrent.futures.ProcessPoolExecutor`` (used before): it adds multiprocessing's
resource-tracker process (13 MiB) and two threads in the crawl process (a manager and a queue
feeder) that take the GIL from the reactor for every batch, and a worker that dies breaks the
whole pool. Here the pipes are read and written by the event loop itself, and a dead worker is
replaced (the pages it held fail with ``WorkerDied``; the crawl records them as errors and goes
on). Twisted's ampoule, loky and pebble were considered: ampoule's workers import Twisted (+23 MiB
each), loky and pebble are built on multiprocessing and its resource tracker.
"""

from __future__ import annotations

import asyncio
import logging
import pickle
import signal
import sys
from collections import deque

from .frames import FRAME, widen_pipe

log = logging.getLogger(__name__)

WORKER_COMMAND = (sys.executable, "-m", "crawler.extract_worker")
MAX_FAILED_STARTS = 3  # workers that die in a row before answering anything: the pool gives up


class WorkerDied(RuntimeError):
    """An extraction worker exited while it held the page."""


class PoolBroken(RuntimeError):
    """The workers cannot be started (they keep dying before their first answer)."""


class _Worker:
    def __init__(self, proc: asyncio.subprocess.Process):
        self.proc = proc
        self.in_flight: deque[list[asyncio.Future]] = deque()  # batches sent, oldest first
        self.answered = False
        self.reader: asyncio.Task | None = None


def _exit_reason(code: int | None) -> str:
    if code is not None and code < 0:
        try:
            return f"killed by {signal.Signals(-code).name}"
        except ValueError:
            return f"killed by signal {-code}"
    return f"exited with code {code}"


class ExtractPool:
    """``processes`` extraction workers; see the module docstring."""

    def __init__(self, processes: int, batch_max: int = 8, depth: int = 2,
                 command: tuple[str, ...] = WORKER_COMMAND):
        if processes < 1:
            raise ValueError("an extraction pool needs at least one process")
        self.processes = processes
        self.batch_max = max(1, batch_max)
        self.depth = max(1, depth)
        self.command = command
        self.broken: PoolBroken | None = None
        self._workers: list[_Worker] = []
        self._waiting: list[tuple[tuple, asyncio.Future]] = []
        self._failed_starts = 0
        self._closing = False

    @property
    def pids(self) -> list[int]:
        """The live workers' process ids."""
        return [w.proc.pid for w in self._workers]

    async def start(self) -> None:
        """Start the workers; pages handed over meanwhile wait and go as soon as one is up."""
        try:
            for _ in range(self.processes):
                await self._spawn()
                self._pump()
        except Exception as exc:  # noqa: BLE001  (no interpreter to run, no processes left ...)
            self._break(PoolBroken(f"cannot start extraction workers: {exc}"))

    def _break(self, error: PoolBroken) -> None:
        """Fail every waiting page and every later one with ``error``."""
        self.broken = error
        log.error("%s: every page left fails", error)
        waiting, self._waiting = self._waiting, []
        for _, future in waiting:
            if not future.done():
                future.set_exception(error)

    async def _spawn(self) -> None:
        proc = await asyncio.create_subprocess_exec(*self.command, stdin=asyncio.subprocess.PIPE,
                                                    stdout=asyncio.subprocess.PIPE)
        widen_pipe(proc.stdin.transport.get_extra_info("pipe"))  # the worker widens its results pipe
        worker = _Worker(proc)
        worker.reader = asyncio.get_running_loop().create_task(self._read(worker))
        self._workers.append(worker)

    def extract(self, args: tuple) -> asyncio.Future:
        """A future of ``extract_page(*args)`` as computed by a worker."""
        future = asyncio.get_running_loop().create_future()
        if self.broken is not None:
            future.set_exception(self.broken)
            return future
        self._waiting.append((args, future))
        self._pump()
        return future

    def _pump(self) -> None:
        """Send waiting pages to the least busy workers while they hold fewer than ``depth`` batches."""
        while self._waiting and self._workers:
            worker = min(self._workers, key=lambda w: len(w.in_flight))
            if len(worker.in_flight) >= self.depth:
                return
            batch, self._waiting = self._waiting[:self.batch_max], self._waiting[self.batch_max:]
            batch = [(args, future) for args, future in batch if not future.done()]  # cancelled meanwhile
            if not batch:
                continue
            try:
                payload = pickle.dumps([args for args, _ in batch], protocol=pickle.HIGHEST_PROTOCOL)
            except Exception as exc:  # noqa: BLE001  (an unpicklable page fails alone, not its batch)
                retry = []
                for args, future in batch:
                    try:
                        pickle.dumps(args)
                    except Exception:  # noqa: BLE001
                        future.set_exception(exc)
                    else:
                        retry.append((args, future))
                self._waiting[:0] = retry
                continue
            worker.proc.stdin.write(FRAME.pack(len(payload)))
            worker.proc.stdin.write(payload)
            worker.in_flight.append([future for _, future in batch])

    async def _read(self, worker: _Worker) -> None:
        """Deliver the worker's answers in order; when it exits, fail what it held and replace it."""
        stream = worker.proc.stdout
        try:
            while True:
                head = await stream.readexactly(FRAME.size)
                results = pickle.loads(await stream.readexactly(FRAME.unpack(head)[0]))
                worker.answered = True
                self._failed_starts = 0
                for future, (ok, value) in zip(worker.in_flight.popleft(), results):
                    if future.done():  # cancelled meanwhile
                        continue
                    if ok:
                        future.set_result(value)
                    else:
                        future.set_exception(value)
                self._pump()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass  # the worker exited
        except Exception:  # noqa: BLE001  (an answer that does not unpickle: the worker is not to be trusted)
            log.exception("extraction worker %d sent an unreadable answer: stopping it", worker.proc.pid)
            worker.proc.kill()
        code = await worker.proc.wait()
        self._workers.remove(worker)
        if self._closing and not worker.in_flight:
            return
        error = WorkerDied(f"extraction worker {worker.proc.pid} {_exit_reason(code)}")
        log.error("%s; %d page(s) it held fail", error, sum(map(len, worker.in_flight)))
        for batch in worker.in_flight:
            for future in batch:
                if not future.done():
                    future.set_exception(error)
        worker.in_flight.clear()
        if self._closing:
            return
        if not worker.answered:
            self._failed_starts += 1
        if self._failed_starts >= MAX_FAILED_STARTS:
            self._break(PoolBroken(f"extraction workers keep dying before their first answer ({error})"))
            return
        await self._spawn()
        self._pump()

    async def close(self, timeout: float = 30.0) -> None:
        """Let the workers finish what they hold, then end them (their stdin closed; killed after
        ``timeout`` seconds)."""
        while self._waiting and self._workers and self.broken is None:
            await asyncio.sleep(0.05)  # pages still waiting: the readers send them on
        self._closing = True
        waiting, self._waiting = self._waiting, []
        for _, future in waiting:
            if not future.done():
                future.set_exception(WorkerDied("the extraction pool closed before the page was sent"))
        workers = list(self._workers)
        for worker in workers:
            worker.proc.stdin.close()
        try:
            await asyncio.wait_for(asyncio.gather(*(w.reader for w in workers), return_exceptions=True), timeout)
        except asyncio.TimeoutError:
            for worker in workers:
                if worker.proc.returncode is None:
                    log.warning("extraction worker %d did not stop: killing it", worker.proc.pid)
                    worker.proc.kill()
            await asyncio.gather(*(w.reader for w in workers), return_exceptions=True)
