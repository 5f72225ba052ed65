"""The dashboard controller's prompt queue and session open path, without a screen.

Real parts: the runtime and its SQLite store, the openai-compatible provider
against the loopback fake (held with its gate where a turn must stay
running), the SmolLM2 GGUF loaded by llama.cpp, a git workspace. No timing
asserts: every wait is on an event.
"""

from __future__ import annotations

import asyncio
import os
import sys
import threading
from pathlib import Path
from typing import Any

import pytest

from tests.fakes.openai_api import MODEL, FakeOpenAI
from tests.procs import child_pids
from tests.turns import AllowAll, Recorder
from tests.ui.test_controller import RecordingView
from zeph_tui.core.providers.local import LocalProvider
from zeph_tui.core.providers.openai_compat import OpenAICompatProvider
from zeph_tui.ui.controller import AppConfig, DashboardController


class QueueView(RecordingView):
    """A RecordingView that also keeps turns and warm-up states."""

    def __init__(self) -> None:
        super().__init__()
        self.turns: list[str] = []
        self.ended = 0
        self.turn_over = asyncio.Event()
        self.warming: list[tuple[list[str], str]] = []
        self.started = asyncio.Event()

    def turn_started(self, text: str) -> None:
        self.turns.append(text)
        self.started.set()

    def turn_ended(self) -> None:
        self.ended += 1
        self.turn_over.set()

    def warming_changed(self, warming: list[str], failure: str) -> None:
        self.warming.append((list(warming), failure))


def children() -> set[str]:
    """This process's live child processes, as ``"pid command line"``."""
    out: set[str] = set()
    for pid in child_pids(os.getpid()):
        try:
            cmd = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            cmd = "?"
        out.add(f"{pid} {cmd.strip()}")
    return out


def other_tasks() -> set[asyncio.Task[Any]]:
    return asyncio.all_tasks() - {asyncio.current_task()}  # type: ignore[operator]


def openai_controller(
    workspace: Path, runtime: Any, fake: FakeOpenAI
) -> tuple[DashboardController, QueueView, OpenAICompatProvider]:
    """A controller on the shared runtime whose provider is the fake OpenAI-compatible server."""
    provider = OpenAICompatProvider(MODEL, base_url=fake.base_url)
    view = QueueView()
    config = AppConfig(workspace, runtime=runtime, provider=provider)
    return DashboardController(config, view, Recorder(), AllowAll()), view, provider


async def test_a_prompt_queued_before_open_is_sent_exactly_once(
    workspace: Path, runtime: Any
) -> None:
    with FakeOpenAI() as fake:
        controller, view, provider = openai_controller(workspace, runtime, fake)
        assert controller.submit_prompt("first words") is True  # no session yet: queued
        assert controller.submit_prompt("second words") is False  # the one deliverer sends it
        assert controller.queue.items == ["first words", "second words"]
        deliverer = asyncio.create_task(controller.deliver())
        await asyncio.sleep(0)
        assert controller.queue.items == ["first words", "second words"]  # waits for the open
        assert fake.requests == []
        session = await controller.open(None)
        assert session is not None
        await deliverer
        assert view.turns == ["first words", "second words"] and view.ended == 2
        assert controller.queue.items == []
        assert [r.user_texts for r in fake.requests] == [
            ["first words"],
            ["first words", "second words"],
        ]
        assert controller.claim_delivery() is False  # nothing waits: no second delivery
        await controller.aclose()
        await provider.aclose()


async def test_prompts_during_a_turn_wait_and_cancel_spares_the_queue(
    workspace: Path, runtime: Any
) -> None:
    gate = threading.Event()
    with FakeOpenAI(gate=gate) as fake:
        controller, view, provider = openai_controller(workspace, runtime, fake)
        assert await controller.open(None) is not None
        assert controller.submit_prompt("long one")
        deliverer = asyncio.create_task(controller.deliver())
        assert await asyncio.to_thread(fake.wait_requests, 1)  # held at the gate: the turn runs
        assert controller.submit_prompt("next") is False
        assert controller.submit_prompt("dropped") is False
        assert controller.submit_prompt("edited") is False
        assert controller.queue.remove(1) == "dropped"
        assert controller.queue.take_last() == "edited"
        assert controller.queue.items == ["next"]
        controller.cancel()  # Esc: the running turn only
        async with asyncio.timeout(30):
            await view.turn_over.wait()
        assert controller.last_stop_reason == "cancelled"  # "next" now waits at the gate
        gate.set()
        await deliverer
        assert view.turns == ["long one", "next"]
        assert fake.requests[-1].user_texts[-1] == "next"
        assert all("dropped" not in r.user_texts for r in fake.requests)
        await controller.aclose()
        await provider.aclose()


async def test_a_model_that_cannot_load_is_reported_not_awaited_forever(
    workspace: Path, runtime: Any, tmp_path: Path
) -> None:
    broken = tmp_path / "broken.gguf"
    broken.write_bytes(b"this is not a GGUF file\n" * 64)
    provider = LocalProvider(broken)
    view = QueueView()
    controller = DashboardController(
        AppConfig(workspace, runtime=runtime, provider=provider), view, Recorder(), AllowAll()
    )
    session = await controller.open(None)
    assert session is not None
    assert view.warming[0] == (["session"], "")
    async with asyncio.timeout(120):
        await controller.watch_warmup()
    failures = [failure for _, failure in view.warming if failure]
    assert failures and failures[-1].startswith("provider: ProviderError: local: cannot load")
    assert controller.submit_prompt("hi")
    async with asyncio.timeout(120):
        await controller.deliver()
    assert controller.last_stop_reason == "error"
    assert any(n.startswith("error: local: cannot load") for n in view.notices)
    await controller.aclose()
    await provider.aclose()


async def test_an_open_that_fails_keeps_the_prompt_and_says_why(
    workspace: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ZEPH_PROVIDER", "no-such-provider")
    view = QueueView()
    controller = DashboardController(AppConfig(workspace), view, Recorder(), AllowAll())
    assert controller.submit_prompt("keep me")
    deliverer = asyncio.create_task(controller.deliver())
    assert await controller.open(None) is None
    await deliverer
    assert controller.queue.items == ["keep me"]  # not lost, not sent
    assert view.turns == []
    assert controller.open_error is not None and "no-such-provider" in controller.open_error
    assert view.warming[-1][1].startswith("cannot open a session: ")
    assert any("your prompt is kept" in n for n in view.notices)
    await controller.aclose()


async def test_closing_while_the_model_loads_leaves_no_task_or_child(workspace: Path) -> None:
    before = children()  # session fixtures (a llama server) may have children already
    loading = asyncio.Event()
    view = QueueView()
    controller = DashboardController(
        AppConfig(workspace, provider_name="local"),
        view,
        Recorder(),
        AllowAll(),
        on_progress=lambda line: loading.set(),
    )
    assert await controller.open(None) is not None  # the controller starts its own runtime
    assert controller.submit_prompt("hi")
    deliverer = asyncio.create_task(controller.deliver())
    async with asyncio.timeout(120):
        await loading.wait()  # the warm-up is inside the worker thread loading the GGUF
    assert "provider" in controller.warming()
    await controller.aclose()
    await deliverer
    assert other_tasks() == set()
    assert children() - before == set()


async def test_closing_while_the_session_opens_leaves_no_task(workspace: Path) -> None:
    view = QueueView()
    controller = DashboardController(AppConfig(workspace), view, Recorder(), AllowAll())
    opening = asyncio.create_task(controller.open(None))
    await asyncio.sleep(0)  # inside Runtime.start
    await controller.aclose()
    assert opening.cancelled()
    assert controller.current is None
    assert other_tasks() == set()


async def test_a_replaced_or_closed_session_has_its_warm_ups_stopped(
    workspace: Path, runtime: Any
) -> None:
    with FakeOpenAI() as fake:
        controller, _view, provider = openai_controller(workspace, runtime, fake)
        first = await controller.open(None)
        assert first is not None
        assert f"provider:{first.id}" in runtime.warmup.status()
        second = await controller.open(None)  # Ctrl+N
        assert second is not None and second.id != first.id
        keys = runtime.warmup.status()
        assert f"provider:{first.id}" not in keys  # cancelled and awaited (close_session)
        assert f"provider:{second.id}" in keys
        assert controller.submit_prompt("after the switch")
        await controller.deliver()
        assert [r.user_texts for r in fake.requests] == [["after the switch"]]
        async with asyncio.timeout(60):
            await controller.watch_warmup()  # the workspace's warm-ups are the runtime's
        await controller.aclose()  # the runtime is the test's: only the session's warm-ups stop
        assert f"provider:{second.id}" not in runtime.warmup.status()
        await provider.aclose()


async def test_a_provider_sdk_that_cannot_be_imported_is_reported_not_awaited_forever(
    workspace: Path, runtime: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "httpx2", None)  # ``import httpx2`` raises ImportError
    provider = OpenAICompatProvider(MODEL, base_url="http://127.0.0.1:9")
    view = QueueView()
    controller = DashboardController(
        AppConfig(workspace, runtime=runtime, provider=provider), view, Recorder(), AllowAll()
    )
    assert controller.submit_prompt("hi")  # before the session is ready
    deliverer = asyncio.create_task(controller.deliver())
    assert await controller.open(None) is not None
    async with asyncio.timeout(60):
        await controller.watch_warmup()
        await deliverer
    failures = [failure for _, failure in view.warming if failure]
    assert (
        failures
        and "provider: ProviderError: openai-compatible: cannot load httpx2" in (failures[-1])
    )
    assert view.turns == ["hi"] and controller.last_stop_reason == "error"
    assert any(n.startswith("error: openai-compatible: cannot load httpx2") for n in view.notices)
    await controller.aclose()
    await provider.aclose()
