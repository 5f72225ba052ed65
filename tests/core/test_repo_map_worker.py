"""The runtime's repo map section: built by a child interpreter, killed on close."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path

from tests.procs import child_pids
from zeph_tui.core.code.repomap import build_repo_map
from zeph_tui.core.repo_map_worker import WorkerRepoMapSection

REPO = Path(__file__).resolve().parents[2]


async def test_child_builds_the_same_text_and_the_cache_holds(workspace: Path) -> None:
    section = WorkerRepoMapSection(budget_tokens=200)
    try:
        text = await section.text(workspace)
        assert "pkg/calc.py:" in text
        assert text == build_repo_map(workspace, budget_tokens=200).text
        assert await section.text(workspace) == text and section.builds == 1
    finally:
        await section.aclose()


async def test_close_kills_a_build_in_flight() -> None:
    def ours() -> set[int]:  # other tests' session fixtures may have children of their own
        return set(child_pids(os.getpid())) - before

    before = set(child_pids(os.getpid()))
    section = WorkerRepoMapSection(wait_s=60)
    build = asyncio.create_task(section.text(REPO))  # this repo: a build of about a second
    try:
        for _ in range(400):
            if ours():
                break
            await asyncio.sleep(0.01)
        assert ours(), "the build runs in a child"
    finally:
        await section.aclose()
    assert ours() == set()
    (outcome,) = await asyncio.gather(build, return_exceptions=True)
    assert outcome == "" or isinstance(outcome, asyncio.CancelledError), outcome


def test_worker_usage_error_exits_2() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "zeph_tui.core.repo_map_worker", "only-one-argument"],
        capture_output=True,
        text=True,
        check=False,
        cwd=REPO,
    )
    assert proc.returncode == 2
    assert proc.stderr.strip().splitlines() == [
        "usage: python -m zeph_tui.core.repo_map_worker ROOT BUDGET_TOKENS"
    ]
