"""ElicitationModal: the model's question (``ask_user``) as a form the person fills in.

The form is built from the question's ACP ``requestedSchema`` (the
``ElicitationSchema`` subset, spec: https://agentclientprotocol.com/rfds/elicitation):
a ``string`` is a text input, a ``string`` with ``enum`` a list to pick from,
``number`` / ``integer`` a number input, ``boolean`` a checkbox. The modal
dismisses with an :class:`~zeph_tui.core.ports.ElicitationAnswer`: ``accept``
with the values, ``decline`` on Escape, ``cancel`` when the turn is cancelled
while it is open (:func:`ask_in_modal`).
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import Any, ClassVar

from textual import on
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widget import Widget
from textual.widgets import Button, Checkbox, Input, Label, OptionList, Static

from zeph_tui.core.ports import Elicitation, ElicitationAnswer

__all__ = ["ElicitationModal", "ask_in_modal"]

Value = str | int | float | bool


class _Toggle(Checkbox):
    """A checkbox where Space toggles and Enter submits the form (like every other field)."""

    BINDINGS: ClassVar[list[Binding | tuple[str, str] | tuple[str, str, str]]] = [
        Binding("enter", "screen.submit", "Answer", show=False),
    ]


class ElicitationModal(ModalScreen[ElicitationAnswer]):
    """The question, one field per property of the requested schema, Answer and Decline.

    Keys: Enter submits (``accept``; a required field left empty or a bad number
    shows one line and the modal stays), Escape declines, Tab moves between
    fields, Up/Down pick a choice, Space toggles a checkbox.
    """

    DEFAULT_CSS = """
    ElicitationModal { align: center middle; }
    ElicitationModal > Vertical {
        width: 90%; max-width: 100; height: auto; max-height: 90%;
        border: thick $accent; background: $surface; padding: 1 2;
    }
    ElicitationModal .ask--title { text-style: bold; width: 1fr; }
    ElicitationModal .ask--message { margin: 1 0 0 0; }
    ElicitationModal VerticalScroll { height: auto; max-height: 24; }
    ElicitationModal .ask--field { margin: 1 0 0 0; text-style: bold; }
    ElicitationModal .ask--help { color: $text-muted; }
    ElicitationModal OptionList { height: auto; max-height: 10; }
    ElicitationModal .ask--error { color: $error; height: auto; }
    ElicitationModal Horizontal { height: auto; margin: 1 0 0 0; }
    ElicitationModal Button { margin: 0 1 0 0; }
    """

    BINDINGS: ClassVar[list[Binding | tuple[str, str] | tuple[str, str, str]]] = [
        Binding("escape", "decline", "Decline"),
    ]

    def __init__(self, request: Elicitation) -> None:
        super().__init__()
        self.request = request
        properties = request.requested_schema.get("properties")
        self.fields: list[tuple[str, Mapping[str, Any]]] = [
            (str(name), spec)
            for name, spec in (properties.items() if isinstance(properties, Mapping) else ())
            if isinstance(spec, Mapping)
        ]
        required = request.requested_schema.get("required")
        self.required = {str(n) for n in required} if isinstance(required, list) else set()

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label("The assistant asks", classes="ask--title")
            yield Static(self.request.message, classes="ask--message", markup=False)
            with VerticalScroll():
                for index, (name, spec) in enumerate(self.fields):
                    yield from self._field(index, name, spec)
            yield Label("", id="ask-error", classes="ask--error", markup=False)
            with Horizontal():
                yield Button("Answer (Enter)", id="accept", variant="primary")
                yield Button("Decline (Esc)", id="decline")

    def _field(self, index: int, name: str, spec: Mapping[str, Any]) -> ComposeResult:
        title = str(spec.get("title") or name)
        if title != self.request.message or len(self.fields) > 1:
            mark = " *" if name in self.required else ""
            yield Label(title + mark, classes="ask--field", markup=False)
        if spec.get("description"):
            yield Label(str(spec["description"]), classes="ask--help", markup=False)
        yield _widget(f"ask-field-{index}", spec)

    def on_mount(self) -> None:
        if self.fields:
            self.query_one("#ask-field-0").focus()
        else:
            self.query_one("#accept", Button).focus()

    @on(Input.Submitted)
    @on(OptionList.OptionSelected)
    def _submitted(self, event: Input.Submitted | OptionList.OptionSelected) -> None:
        event.stop()
        if isinstance(event, OptionList.OptionSelected):
            event.option_list.highlighted = event.option_index
        self.action_submit()

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "accept":
            self.action_submit()
        else:
            self.action_decline()

    def action_decline(self) -> None:
        self.dismiss(ElicitationAnswer("decline"))

    def action_submit(self) -> None:
        content: dict[str, Value] = {}
        for index, (name, spec) in enumerate(self.fields):
            widget = self.query_one(f"#ask-field-{index}")
            try:
                value = _value(widget, spec)
            except ValueError as exc:
                self._error(f"{spec.get('title') or name}: {exc}")
                return
            if value is None and name in self.required:
                self._error(f"{spec.get('title') or name}: an answer is needed")
                return
            if value is not None:
                content[name] = value
        self.dismiss(ElicitationAnswer("accept", content))

    def _error(self, text: str) -> None:
        self.query_one("#ask-error", Label).update(text)


def _widget(widget_id: str, spec: Mapping[str, Any]) -> Widget:
    kind, default = spec.get("type"), spec.get("default")
    choices = spec.get("enum")
    if kind == "string" and isinstance(choices, list) and choices:
        options = OptionList(*(str(c) for c in choices), id=widget_id)
        if default in choices:
            options.highlighted = choices.index(default)
        return options
    if kind == "boolean":
        return _Toggle(str(spec.get("title") or "yes"), value=default is True, id=widget_id)
    if kind in ("number", "integer"):
        text = "" if default is None or isinstance(default, bool) else str(default)
        return Input(text, type="integer" if kind == "integer" else "number", id=widget_id)
    return Input("" if default is None else str(default), id=widget_id)


def _value(widget: Widget, spec: Mapping[str, Any]) -> Value | None:
    """The field's value (None when left empty); ValueError names what is wrong."""
    if isinstance(widget, Checkbox):
        return widget.value
    if isinstance(widget, OptionList):
        if widget.highlighted is None:
            return None
        return str(widget.get_option_at_index(widget.highlighted).prompt)
    assert isinstance(widget, Input)
    text = widget.value.strip() if spec.get("type") in ("number", "integer") else widget.value
    if not text:
        return None
    if spec.get("type") == "integer":
        number: int | float = _parse(int, text, "a whole number")
    elif spec.get("type") == "number":
        number = _parse(float, text, "a number")
    else:
        return text
    low, high = spec.get("minimum"), spec.get("maximum")
    if isinstance(low, int | float) and number < low:
        raise ValueError(f"at least {low}")
    if isinstance(high, int | float) and number > high:
        raise ValueError(f"at most {high}")
    return number


def _parse(kind: type[int] | type[float], text: str, what: str) -> int | float:
    try:
        return kind(text)
    except ValueError:
        raise ValueError(f"expected {what}, got {text!r}") from None


async def ask_in_modal(app: App[Any], request: Elicitation) -> ElicitationAnswer:
    """Show :class:`ElicitationModal` on ``app`` and wait for the person's answer.

    When the waiting task is cancelled (the turn was cancelled) the modal
    closes with ``cancel`` and the cancellation propagates.
    """
    future: asyncio.Future[ElicitationAnswer] = asyncio.get_running_loop().create_future()
    screen = ElicitationModal(request)

    def answered(answer: ElicitationAnswer | None) -> None:
        if not future.done():
            future.set_result(answer or ElicitationAnswer("cancel"))

    app.push_screen(screen, answered)
    try:
        return await future
    except asyncio.CancelledError:
        if app.screen is screen:
            screen.dismiss(ElicitationAnswer("cancel"))
        raise
