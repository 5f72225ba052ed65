"""StatusBar: provider, model, mode, tokens, cost, context fill, progress, warm-up, unconfined shell."""

from __future__ import annotations

from rich.text import Text
from textual.reactive import reactive
from textual.widgets import Static

from zeph_tui.ui.format import human_count

__all__ = ["StatusBar"]


class StatusBar(Static):
    """One line at the bottom of the chat.

    Attributes down (all reactive): ``provider``, ``model``, ``mode``,
    ``input_tokens``, ``output_tokens``, ``cost_usd``, ``context_percent``,
    ``progress`` (e.g. ``loading local model SmolLM2 (105 MB)``; '' for none),
    ``busy`` (a turn is running), ``warming`` (what the session still warms
    up, e.g. ``["provider", "skills"]``: shown as ``◌ warming provider, skills…``),
    ``failure`` (a failed warm-up or session open, shown as ``✗ …``; ''
    for none) and ``unconfined`` (the marker
    :data:`~zeph_tui.core.safety.sandbox.NOT_SANDBOXED` when ``bash`` runs
    outside the sandbox, shown first; '' when confined).
    """

    DEFAULT_CSS = """
    StatusBar {
        height: 1;
        background: $panel;
        color: $text;
        padding: 0 1;
    }
    """

    provider: reactive[str] = reactive("")
    model: reactive[str] = reactive("")
    mode: reactive[str] = reactive("")
    input_tokens: reactive[int] = reactive(0)
    output_tokens: reactive[int] = reactive(0)
    cost_usd: reactive[float] = reactive(0.0)
    context_percent: reactive[float] = reactive(0.0)
    progress: reactive[str] = reactive("")
    busy: reactive[bool] = reactive(False)
    unconfined: reactive[str] = reactive("")
    warming: reactive[list[str]] = reactive(list)
    failure: reactive[str] = reactive("")

    def render(self) -> Text:
        text = Text(no_wrap=True, overflow="ellipsis")
        if self.unconfined:
            text.append(self.unconfined, style="bold yellow")
            text.append("  ")
        if self.busy or self.progress:
            label = self.progress or "working… (esc to cancel)"
            text.append(f"● {label}", style="bold")
            text.append("  ")
        if self.failure:
            text.append(f"✗ {self.failure}", style="bold reverse")
            text.append("  ")
        elif self.warming:
            text.append(f"◌ warming {', '.join(self.warming)}…", style="italic")
            text.append("  ")
        if not self.provider and (self.warming or self.failure):
            return text
        text.append(self.provider or "no provider", style="bold")
        if self.model:
            text.append(f" · {self.model}")
        if self.mode:
            text.append(f" · mode {self.mode}")
        text.append(
            f" · {human_count(self.input_tokens)} in / {human_count(self.output_tokens)} out"
        )
        text.append(f" · ${self.cost_usd:.4f}")
        text.append(f" · ctx {self.context_percent:.0f}%")
        return text
