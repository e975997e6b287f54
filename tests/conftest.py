"""Shared fixtures: paths to the repository, the seeds and the labelled real pages."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
SEEDS = SHARED / "seeds"


def seed_texts() -> dict[str, str]:
    """The five real scraped seed texts by file stem prefix ("000" ... "004")."""
    if not SEEDS.is_dir():
        return {}
    return {p.name[:3]: p.read_text("utf-8") for p in sorted(SEEDS.glob("*.txt"))}


@pytest.fixture(scope="session")
def seeds() -> dict[str, str]:
    texts = seed_texts()
    if not texts:
        pytest.skip("../shared/seeds/ is not beside the checkout")
    return texts


# --- the faults table (make faults) -----------------------------------------------------------
FAULT_ROWS: list[tuple[str, int, int, int]] = []


@pytest.fixture(scope="session")
def fault_report():
    """``fault_report(fault, runs, survived, lost)`` adds a row to the table printed at the end."""

    def record(fault: str, runs: int, survived: int, lost: int) -> None:
        FAULT_ROWS.append((fault, runs, survived, lost))

    return record


def pytest_terminal_summary(terminalreporter):
    if not FAULT_ROWS:
        return
    rows = [("fault", "runs", "survived", "articles lost")] + [tuple(map(str, r)) for r in FAULT_ROWS]
    widths = [max(len(r[i]) for r in rows) for i in range(4)]
    terminalreporter.section("faults")
    for r in rows:
        terminalreporter.write_line("  ".join(c.ljust(w) for c, w in zip(r, widths)))
    total = sum(r[1] for r in FAULT_ROWS), sum(r[2] for r in FAULT_ROWS), sum(r[3] for r in FAULT_ROWS)
    terminalreporter.write_line(f"{len(FAULT_ROWS)} faults, {total[0]} runs, {total[1]} survived, "
                                f"{total[2]} articles lost")
