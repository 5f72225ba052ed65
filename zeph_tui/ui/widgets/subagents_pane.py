"""SubAgentsPane: the session's sub-agents (status, tokens, cost) and one's live transcript.

Shown under the plan (the task graph's node states are the Plan pane's
entries) once the session has started a sub-agent; hidden before, so the
dashboard looks as it did for sessions without any. It reads the runs of the
session's sub-agent host (:class:`zeph_tui.core.agents.host.ChildRun`, the
child sessions' live totals) twice a second; selecting a row shows that
child's transcript so far, from its session's history.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import DataTable, Static

if TYPE_CHECKING:
    from zeph_tui.core.agents.host import ChildRun
    from zeph_tui.core.session.session import Session

__all__ = ["SubAgentsPane"]

REFRESH_S = 0.5
"""How often the pane reads the runs (seconds)."""
TRANSCRIPT_MAX_CHARS = 4000
_MARKS = {"running": "◐", "completed": "●", "failed": "✗", "cancelled": "○"}


def _runs(session: Session | None) -> list[ChildRun]:
    if session is None:
        return []
    from zeph_tui.core.agents.host import SubAgents

    runner = getattr(session.tools.get("task"), "runner", None)
    return list(runner.runs) if isinstance(runner, SubAgents) else []


def transcript(run: ChildRun) -> str:
    """The child's conversation so far as plain text (its last characters)."""
    from zeph_tui.core.providers.base import TextPart, ToolResultPart, ToolUsePart

    lines: list[str] = []
    for message in run.session.history if run.session else []:
        for part in message.parts:
            if isinstance(part, TextPart) and part.text.strip():
                lines.append(f"{message.role}: {part.text.strip()}")
            elif isinstance(part, ToolUsePart):
                lines.append(f"→ {part.name} {part.input}")
            elif isinstance(part, ToolResultPart):
                mark = "✗" if part.is_error else "←"
                lines.append(f"{mark} {part.content[:200]}")
    text = "\n".join(lines)
    return text[-TRANSCRIPT_MAX_CHARS:] or "(nothing yet)"


class SubAgentsPane(Vertical):
    """Attribute down: :attr:`session` (None: nothing to show); refreshes itself."""

    DEFAULT_CSS = """
    SubAgentsPane { height: auto; display: none; }
    SubAgentsPane.-active { display: block; }
    SubAgentsPane > DataTable { height: auto; max-height: 12; }
    SubAgentsPane > #subagent-transcript { padding: 0 1; color: $text-muted; height: auto; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.session: Session | None = None
        self.selected: str | None = None
        self._shown: list[tuple[str, str, str, str, str, str]] = []

    def compose(self) -> ComposeResult:
        yield Static(Text("Sub-agents", style="bold"))
        table: DataTable[str | Text] = DataTable(cursor_type="row", zebra_stripes=True)
        table.add_columns("", "agent", "status", "tokens in/out", "cost", "session")
        yield table
        yield Static("", id="subagent-transcript")

    def on_mount(self) -> None:
        self.set_interval(REFRESH_S, self.refresh_runs)

    def rows(self) -> list[tuple[str, str, str, str, str, str]]:
        """One row per run: mark, agent, status, tokens, cost (USD), child session id."""
        out: list[tuple[str, str, str, str, str, str]] = []
        for run in _runs(self.session or getattr(self.app, "session", None)):
            child = run.session
            usage = child.usage if child is not None else run.usage
            cost = child.cost_usd if child is not None else run.cost_usd
            out.append(
                (
                    _MARKS.get(run.status, "?"),
                    run.agent,
                    run.status,
                    f"{usage.input_tokens}/{usage.output_tokens}",
                    f"${cost:.4f}",
                    run.run_id,
                )
            )
        return out

    def refresh_runs(self) -> None:
        """Read the runs again and redraw what changed."""
        rows = self.rows()
        self.set_class(bool(rows), "-active")
        table = self.query_one(DataTable)
        if rows != self._shown:
            table.clear()
            for row in rows:
                table.add_row(*row, key=row[-1])
            self._shown = rows
        self._show_transcript()

    def _show_transcript(self) -> None:
        runs = _runs(self.session or getattr(self.app, "session", None))
        run = next((r for r in runs if r.run_id == self.selected), None)
        text = f"{run.agent} · {run.run_id}\n{transcript(run)}" if run else ""
        self.query_one("#subagent-transcript", Static).update(text)

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        self.selected = str(event.row_key.value) if event.row_key.value else None
        self._show_transcript()

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        self.on_data_table_row_selected(event)  # type: ignore[arg-type]
