"""The model's ``ask_user`` question in the dashboard: a modal, its answer as the tool result.

Pilot tests drive the real app, session, anthropic provider and SQLite against
the scripted fake Messages API: the model calls ``ask_user``, the modal
appears, the person types (or picks, or declines), and the next model request
holds what the person said. The form's field types (ACP ``ElicitationSchema``:
string, enum, integer, number, boolean) are checked on the modal itself.
"""

from __future__ import annotations

from typing import Any

from textual.app import App, ComposeResult
from textual.widgets import Label

from tests.turns import only_result, use
from tests.ui.test_ui_dashboard import dashboard
from tests.ui_helpers import screen_text, type_text, wait_until
from zeph_tui.core import Elicitation, ElicitationAnswer
from zeph_tui.ui.screens.elicitation_modal import ElicitationModal

QUESTION = "Which module name should the split-off code get?"


def script(**ask: Any) -> list[dict[str, Any]]:
    return [use("ask_user", question=QUESTION, **ask), {"blocks": [{"type": "text", "text": "ok"}]}]


async def test_the_typed_answer_is_the_tool_result(
    workspace: Any, runtime: Any, anthropic_env: None
) -> None:
    """In ``ask`` mode too: asking is read-only, no permission modal comes first."""
    async with dashboard(script(), workspace, runtime, mode="ask") as (app, pilot, fake):
        await type_text(pilot, "split the module")
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, ElicitationModal))
        shown = screen_text(app)
        assert "The assistant asks" in shown and QUESTION in shown
        await type_text(pilot, "calc_core")
        await pilot.press("enter")
        await wait_until(pilot, lambda: app.last_stop_reason is not None)
        assert app.last_stop_reason == "end_turn"
        assert "ask_user" in [tool["name"] for tool in fake.requests[0]["tools"]]
        assert only_result(fake.requests[1]) == {
            "text": "The person answered: calc_core",
            "is_error": False,
        }
        assert not isinstance(app.screen, ElicitationModal)


async def test_escape_declines(workspace: Any, runtime: Any, anthropic_env: None) -> None:
    async with dashboard(script(), workspace, runtime) as (app, pilot, fake):
        await type_text(pilot, "split the module")
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, ElicitationModal))
        await type_text(pilot, "half typed")
        await pilot.press("escape")
        await wait_until(pilot, lambda: app.last_stop_reason is not None)
        assert app.last_stop_reason == "end_turn"  # Esc answered the modal, not the turn
        result = only_result(fake.requests[1])
        assert result["text"].startswith("The person declined to answer")
        assert "half typed" not in result["text"]


async def test_a_choice_is_picked_with_the_arrows(
    workspace: Any, runtime: Any, anthropic_env: None
) -> None:
    choices = ["calc_core", "calc_ops", "arith"]
    async with dashboard(script(choices=choices), workspace, runtime) as (app, pilot, fake):
        await type_text(pilot, "split the module")
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, ElicitationModal))
        assert all(choice in screen_text(app) for choice in choices)
        await pilot.press("down", "enter")
        await wait_until(pilot, lambda: app.last_stop_reason is not None)
        assert only_result(fake.requests[1])["text"] == "The person answered: calc_ops"


async def test_cancelling_the_turn_closes_the_modal(
    workspace: Any, runtime: Any, anthropic_env: None
) -> None:
    async with dashboard(script(), workspace, runtime) as (app, pilot, fake):
        await type_text(pilot, "split the module")
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, ElicitationModal))
        app.controller.cancel()
        await wait_until(pilot, lambda: app.last_stop_reason is not None)
        assert app.last_stop_reason == "cancelled"
        assert not isinstance(app.screen, ElicitationModal)
        assert len(fake.requests) == 1  # the model was not asked again


FORM = {
    "type": "object",
    "properties": {
        "name": {"type": "string", "title": "Name", "description": "the release name"},
        "count": {"type": "integer", "title": "Copies", "minimum": 1},
        "ratio": {"type": "number", "title": "Ratio", "default": 0.5},
        "sign": {"type": "boolean", "title": "Sign it"},
        "channel": {"type": "string", "title": "Channel", "enum": ["stable", "beta"]},
    },
    "required": ["name", "count"],
}


class FormHost(App[None]):
    """An app that shows one form and keeps the answer."""

    def __init__(self) -> None:
        super().__init__()
        self.answers: list[ElicitationAnswer | None] = []

    def compose(self) -> ComposeResult:
        yield Label("host")

    def on_mount(self) -> None:
        request = Elicitation("Release settings?", FORM, "sess_1", "call_1")
        self.push_screen(ElicitationModal(request), self.answers.append)


def error_line(app: App[Any]) -> str:
    return str(app.screen.query_one("#ask-error", Label).render())


async def test_every_field_type_of_the_form() -> None:
    app = FormHost()
    async with app.run_test(size=(100, 40)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, ElicitationModal)
        shown = screen_text(app)
        assert "Name *" in shown and "the release name" in shown and "Copies *" in shown
        await pilot.press("enter")  # nothing typed: the required name is missing
        assert error_line(app) == "Name: an answer is needed" and not app.answers
        await type_text(pilot, "v2")
        await pilot.press("tab")
        await type_text(pilot, "0")
        await pilot.press("enter")
        assert error_line(app) == "Copies: at least 1" and not app.answers
        await pilot.press("backspace")
        await type_text(pilot, "3")
        await pilot.press("tab", "tab", "space", "tab", "down", "enter")
        await pilot.pause()
    assert app.answers == [
        ElicitationAnswer(
            "accept", {"name": "v2", "count": 3, "ratio": 0.5, "sign": True, "channel": "beta"}
        )
    ]


async def test_a_bad_number_is_refused_in_place() -> None:
    app = FormHost()
    async with app.run_test(size=(100, 40)) as pilot:
        await pilot.pause()
        await type_text(pilot, "v2")
        await pilot.press("tab")
        await type_text(pilot, "3")
        await pilot.press("tab", "end", "backspace", "backspace", "backspace")
        await type_text(pilot, "1e")
        await pilot.press("enter")
        assert error_line(app).startswith("Ratio: expected a number") and not app.answers
        await pilot.press("escape")
        await pilot.pause()
    assert app.answers == [ElicitationAnswer("decline")]
