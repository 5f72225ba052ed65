"""Background warm-ups of the session open path (core/warmup.py, core/runtime.py).

Real parts: the runtime with its SQLite store, the bundled SmolLM2 GGUF loaded
by llama.cpp, a git workspace. Closing while warm-ups run leaves no task and
no child process; a model that cannot load fails the first prompt with a
ProviderError (and shows in the warm-up status), it does not hang.
"""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

import pytest

from tests.procs import child_pids
from tests.turns import AllowAll, Recorder
from zeph_tui.core.errors import ProviderError
from zeph_tui.core.providers.local import LocalProvider
from zeph_tui.core.runtime import Runtime
from zeph_tui.core.warmup import Warmup


def _children() -> list[int]:
    """Pids of this process's live child processes."""
    return child_pids(os.getpid())


def _other_tasks() -> set[asyncio.Task[object]]:
    return asyncio.all_tasks() - {asyncio.current_task()}  # type: ignore[operator]


async def test_close_while_the_model_loads_leaves_no_task_or_child(
    runtime: Runtime, workspace: Path
) -> None:
    before = set(_children())  # session fixtures (a llama server) may have children already
    loading = asyncio.Event()
    provider = LocalProvider(on_progress=lambda line: loading.set())
    session = await runtime.open_session(
        workspace=workspace, sink=Recorder(), approver=AllowAll(), provider=provider
    )
    key = f"provider:{session.id}"
    async with asyncio.timeout(120):
        await loading.wait()  # the warm-up is inside the worker thread loading the GGUF
    assert runtime.warmup.status()[key] == "warming"
    assert set(runtime.warming()) >= {"provider", "skills", "repo_map"}
    assert "lsp" not in runtime.warming()  # lsp_bridge loads on first use, not warmed
    await runtime.aclose()
    await provider.aclose()
    assert runtime.warmup.status() == {}
    assert _other_tasks() == set()
    assert set(_children()) - before == set()


async def test_close_before_warmups_start_cancels_them(runtime: Runtime, workspace: Path) -> None:
    before = set(_children())
    session = await runtime.open_session(workspace=workspace, sink=Recorder(), approver=AllowAll())
    assert f"provider:{session.id}" in runtime.warmup.pending()
    await runtime.aclose()
    await session.provider.aclose()
    assert _other_tasks() == set()
    assert set(_children()) - before == set()


@pytest.mark.parametrize("warm", [True, False])
async def test_model_that_cannot_load_fails_the_first_prompt(
    runtime: Runtime, workspace: Path, tmp_path: Path, warm: bool
) -> None:
    broken = tmp_path / "broken.gguf"
    broken.write_bytes(b"this is not a GGUF file\n" * 64)
    provider = LocalProvider(broken)
    session = await runtime.open_session(
        workspace=workspace, sink=Recorder(), approver=AllowAll(), provider=provider, warm=warm
    )
    key = f"provider:{session.id}"
    if warm:
        async with asyncio.timeout(120):
            await runtime.warmup.wait(key)
        assert runtime.warmup.status()[key].startswith("failed: ProviderError: local: cannot load")
    else:
        assert key not in runtime.warmup.status()
    async with asyncio.timeout(120):
        with pytest.raises(ProviderError, match=r"local: cannot load .*broken\.gguf"):
            await session.prompt(["hi"])
    await provider.aclose()


async def test_wait_is_bounded_and_never_cancels_the_work() -> None:
    warmup = Warmup()
    release = asyncio.Event()
    warmup.start("slow", release.wait)
    assert await warmup.wait("slow", timeout_s=0.01) is False
    assert warmup.status() == {"slow": "warming"}
    release.set()
    assert await warmup.wait("slow") is True
    assert warmup.status() == {"slow": "ready"}
    assert await warmup.wait("never started") is True
    await warmup.aclose()
    warmup.start("after close", release.wait)
    assert warmup.status() == {}
