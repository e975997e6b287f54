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
