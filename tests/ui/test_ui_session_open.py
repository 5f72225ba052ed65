"""The dashboard paints first and never drops a prompt (issue 18, dashboard half; issue 15, queue).

Pilot tests of the real app, the real runtime and SQLite, the
openai-compatible provider against the loopback fake (its gate holds a turn
"running" without a sleep), and llama.cpp loading the bundled SmolLM2 GGUF
or failing to load a broken one. No timing asserts: speed is in
bench/dashboard_open.py.
"""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path
from typing import Any

from textual import events

from tests.fakes.openai_api import MODEL, FakeOpenAI
from tests.ui.test_controller_session_open import children, other_tasks
from tests.ui_helpers import screen_text, type_text, wait_until
from zeph_tui.core.providers.local import LocalProvider
from zeph_tui.core.providers.openai_compat import OpenAICompatProvider
from zeph_tui.ui import create_app
from zeph_tui.ui.demo import demo_app
from zeph_tui.ui.widgets.pending_prompts import PendingPrompt, PendingPrompts
from zeph_tui.ui.widgets.user_message import UserMessage


def user_messages(app: Any) -> list[str]:
    return [w.text for w in app.chat.query(UserMessage)]


def pending(app: Any) -> PendingPrompts:
    return app.main_widget(PendingPrompts)


async def test_a_prompt_sent_before_the_session_is_ready_waits_and_is_sent_once(
    workspace: Path, runtime: Any
) -> None:
    with FakeOpenAI() as fake:
        provider = OpenAICompatProvider(MODEL, base_url=fake.base_url)
        app = create_app(workspace, runtime=runtime, provider=provider, mode="bypass")
        release = asyncio.Event()
        real_open = app.controller.open

        async def open_when_released(resume: str | None) -> Any:
            await release.wait()  # the session stays "not ready" until the test says so
            return await real_open(resume)

        app.controller.open = open_when_released  # type: ignore[method-assign]
        async with app.run_test(size=(120, 36)) as pilot:
            assert app.focused is app.prompt_input  # typing works from the first paint
            assert "◌ warming session…" in screen_text(app)
            await type_text(pilot, "hello early")
            await pilot.press("enter")
            await wait_until(pilot, lambda: pending(app).prompts == ["hello early"])
            assert app.session is None and fake.requests == []
            assert user_messages(app) == []  # shown as pending, not yet in the chat
            assert "hello early" in screen_text(app)
            await type_text(pilot, "!echo hi")
            await pilot.press("enter")  # a command is not queued: it stays in the input
            assert app.prompt_input.text == "!echo hi"
            assert pending(app).prompts == ["hello early"]
            app.prompt_input.clear()
            release.set()
            await wait_until(pilot, lambda: app.last_stop_reason is not None)
            await app.workers.wait_for_complete()
            assert app.last_stop_reason == "end_turn"
            assert [r.user_texts for r in fake.requests] == [["hello early"]]  # exactly once
            assert user_messages(app) == ["hello early"]
            assert pending(app).prompts == [] and not pending(app).display
            await wait_until(pilot, lambda: not app.status.warming)
            assert "◌ warming" not in screen_text(app)
        await provider.aclose()


async def test_keys_typed_before_the_first_paint_reach_the_input(
    workspace: Path, runtime: Any
) -> None:
    """Keys the terminal delivers while the screen is still being built are kept.

    They are sent as the terminal driver sends them, from the app's compose
    (before mount, before any paint): Textual queues them behind Mount, and
    the prompt has the focus by then.
    """
    with FakeOpenAI() as fake:
        provider = OpenAICompatProvider(MODEL, base_url=fake.base_url)
        app = create_app(workspace, runtime=runtime, provider=provider, mode="bypass")
        real_compose = app.compose

        def compose_while_typing() -> Any:
            for key in ("h", "i", "enter"):
                event = events.Key(key, key if len(key) == 1 else None)
                event.set_sender(app)
                app._driver.send_message(event)  # type: ignore[union-attr]
            yield from real_compose()

        app.compose = compose_while_typing  # type: ignore[method-assign]
        async with app.run_test(size=(120, 36)) as pilot:
            await wait_until(pilot, lambda: app.last_stop_reason is not None)
            await app.workers.wait_for_complete()
            assert app.last_stop_reason == "end_turn"
            assert [r.user_texts for r in fake.requests] == [["hi"]]
            assert user_messages(app) == ["hi"]
        await provider.aclose()


async def test_prompts_sent_during_a_turn_queue_up_and_esc_cancels_only_the_turn(
    workspace: Path, runtime: Any
) -> None:
    gate = threading.Event()
    with FakeOpenAI(gate=gate) as fake:
        provider = OpenAICompatProvider(MODEL, base_url=fake.base_url)
        app = create_app(workspace, runtime=runtime, provider=provider, mode="bypass")
        async with app.run_test(size=(120, 36)) as pilot:
            await wait_until(pilot, lambda: app.session is not None)
            await type_text(pilot, "first")
            await pilot.press("enter")
            await wait_until(pilot, lambda: len(fake.requests) == 1)  # held: the turn runs
            for text in ("second", "third", "fourth"):
                await type_text(pilot, text)
                await pilot.press("enter")
            await wait_until(pilot, lambda: pending(app).prompts == ["second", "third", "fourth"])
            third = next(w for w in app.query(PendingPrompt) if w.text == "third")
            await pilot.click(third)  # a click removes it
            await wait_until(pilot, lambda: pending(app).prompts == ["second", "fourth"])
            await pilot.press("up")  # Up on the empty input takes the newest back
            assert app.prompt_input.text == "fourth"
            assert pending(app).prompts == ["second"]
            await pilot.press("escape")  # cancels "first"; "second" goes next
            await wait_until(pilot, lambda: len(fake.requests) == 2)
            assert fake.requests[1].user_texts[-1] == "second"
            assert pending(app).prompts == []
            gate.set()
            await wait_until(pilot, lambda: app.last_stop_reason == "end_turn")
            await app.workers.wait_for_complete()
            assert len(fake.requests) == 2
            assert all("third" not in r.user_texts for r in fake.requests)
            assert user_messages(app) == ["first", "second"]
            assert app.prompt_input.text == "fourth"  # still being edited, not sent
        await provider.aclose()


async def test_a_model_that_cannot_load_shows_in_the_status_bar_and_on_the_first_prompt(
    workspace: Path, runtime: Any, tmp_path: Path
) -> None:
    broken = tmp_path / "broken.gguf"
    broken.write_bytes(b"this is not a GGUF file\n" * 64)
    provider = LocalProvider(broken)
    app = create_app(workspace, runtime=runtime, provider=provider, mode="bypass")
    async with app.run_test(size=(160, 36)) as pilot:
        await wait_until(pilot, lambda: bool(app.status.failure), timeout_s=120)
        assert app.status.failure.startswith("provider: ProviderError: local: cannot load")
        assert "✗ provider: ProviderError: local: cannot load" in screen_text(app)
        await type_text(pilot, "hi")
        await pilot.press("enter")
        await wait_until(pilot, lambda: app.last_stop_reason is not None, timeout_s=120)
        assert app.last_stop_reason == "error"
        notices = [str(w.render()) for w in app.chat.query(".chat-log--notice")]
        assert any(n.startswith("error: local: cannot load") for n in notices)
    await provider.aclose()


async def test_quitting_while_the_model_loads_leaves_no_task_or_child(workspace: Path) -> None:
    before = children()
    app = create_app(workspace, provider_name="local", mode="bypass")  # the app owns it all
    async with app.run_test(size=(120, 36)) as pilot:

        def loading() -> bool:  # the model load starts before the session row is written
            return app.session is not None and app.status.progress.startswith("loading")

        await wait_until(pilot, loading, timeout_s=120)
        assert "provider" in app.status.warming
        await type_text(pilot, "hi")
        await pilot.press("enter")  # a prompt waiting for the model
        await pilot.press("ctrl+q")
    assert app.return_code == 0
    assert other_tasks() == set()
    assert children() - before == set()


async def _queue_three(pilot: Any) -> None:
    app = pilot.app
    await app.workers.wait_for_complete()
    for text in ("run the tests", "then fix what fails\nand explain", "update the changelog"):
        app.controller.queue.push(text)
    app.status.warming = ["provider", "skills"]
    await pilot.pause()


def test_pending_prompts_snapshot(snap_compare: Any) -> None:
    """Three waiting prompts under the chat, the status bar warming up."""
    assert snap_compare(demo_app("empty"), terminal_size=(100, 30), run_before=_queue_three)
