"""The dashboard's status bar shows which routed model answered each turn."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.core.providers.test_routing_session import cheap_script, strong_script
from tests.fakes.anthropic_api import FakeAnthropic
from tests.ui_helpers import type_text, wait_until
from zeph_tui.core.providers.resolve import build_routing
from zeph_tui.ui import create_app

ENV = {"ANTHROPIC_API_KEY": "sk-ant-test-key-not-real"}


async def test_the_status_bar_names_the_model_that_answered(workspace: Path, runtime: Any) -> None:
    async with FakeAnthropic(cheap_script) as cheap, FakeAnthropic(strong_script) as strong:
        router = build_routing(
            {
                "models": {
                    "small": {
                        "provider": "anthropic",
                        "model": "m-small",
                        "base_url": cheap.base_url,
                        "input_per_mtok": 1.0,
                    },
                    "big": {
                        "provider": "anthropic",
                        "model": "m-big",
                        "base_url": strong.base_url,
                        "input_per_mtok": 10.0,
                    },
                }
            },
            env=ENV,
        )
        app = create_app(workspace, runtime=runtime, provider=router, mode="bypass")
        try:
            async with app.run_test(size=(140, 40)) as pilot:
                await wait_until(pilot, lambda: app.session is not None)
                await type_text(pilot, "first")
                await pilot.press("enter")
                await wait_until(pilot, lambda: app.status.model == "big:m-big")  # escalated
                await wait_until(pilot, lambda: app.last_stop_reason is not None)
                app.last_stop_reason = None
                await type_text(pilot, "second")
                await pilot.press("enter")
                await wait_until(pilot, lambda: app.status.model == "small:m-small")
                assert "small:m-small" in str(app.status.render())
        finally:
            await router.aclose()
