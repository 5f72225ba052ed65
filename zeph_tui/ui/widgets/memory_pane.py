"""MemoryPane: the long-term memories of the session's project (and the user's).

A filter box over a table (id, scope, importance, age, first line): empty, the
newest memories (:meth:`~zeph_tui.core.memory.MemoryStore.list`); with text,
what the model's ``recall`` finds for it (:meth:`~zeph_tui.core.memory.
MemoryStore.recall`: the hits, then the related memories, marked ``↳``).
The highlighted memory's entities and relations show below the table;
``Delete`` / ``x`` asks to forget it, ``y`` confirms, ``n`` or ``Esc`` keeps it.
Everything goes through the store of the session's ``recall`` tool, so the
pane says so when memory is off (``[memory] enabled = false``). It reloads
when shown and when the filter changes.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import DataTable, Input, Static

if TYPE_CHECKING:
    from zeph_tui.core.memory import Memory, MemoryStore
    from zeph_tui.core.session.session import Session

__all__ = ["MemoryPane", "age_text"]

LIST_LIMIT = 100
FIRST_LINE_CHARS = 60


def age_text(seconds: float) -> str:
    """``42s``, ``5m``, ``3h``, ``12d``: a short age."""
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size:
            return f"{int(seconds // size)}{unit}"
    return f"{max(int(seconds), 0)}s"


def _store(session: Session | None) -> MemoryStore | None:
    recall = session.tools.get("recall") if session is not None else None
    return getattr(recall, "store", None)


class MemoryPane(Vertical):
    """Attributes down: :attr:`session` (None: the app's current session), or
    :attr:`source` (a store and project path, which wins over the session)."""

    DEFAULT_CSS = """
    MemoryPane { height: 1fr; }
    MemoryPane > DataTable { height: 1fr; }
    MemoryPane > #memory-detail { padding: 0 1; height: auto; max-height: 12; }
    MemoryPane > #memory-detail.-confirm { color: $warning; text-style: bold; }
    """
    BINDINGS = [  # noqa: RUF012 (Textual's own type)
        Binding("delete,x", "forget", "Forget memory"),
        Binding("y", "confirm_forget", "Yes, forget it", show=False),
        Binding("n,escape", "keep", "No, keep it", show=False),
    ]

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.session: Session | None = None
        self.source: tuple[MemoryStore, str] | None = None
        self.memories: dict[int, tuple[Memory, str]] = {}  # shown: memory, related note
        self.confirming: int | None = None

    def compose(self) -> ComposeResult:
        yield Input(placeholder="search memories (empty: newest)", id="memory-filter")
        table: DataTable[str | Text] = DataTable(cursor_type="row", id="memory-table")
        table.add_columns("id", "scope", "imp", "age", "memory")
        yield table
        yield Static("", id="memory-detail")

    @property
    def store(self) -> MemoryStore | None:
        if self.source is not None:
            return self.source[0]
        return _store(self.session or getattr(self.app, "session", None))

    @property
    def project(self) -> str:
        if self.source is not None:
            return self.source[1]
        session = self.session or getattr(self.app, "session", None)
        return str(session.workspace) if session is not None else ""

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("confirm_forget", "keep"):
            return self.confirming is not None
        return True

    def on_show(self) -> None:
        self.reload()

    @on(Input.Changed, "#memory-filter")
    def _filter_changed(self) -> None:
        self.reload()

    @work(exclusive=True, group="memory-pane")
    async def reload(self) -> None:
        """Read the memories again (the filter's recall, or the newest)."""
        store, query = self.store, self.query_one("#memory-filter", Input).value.strip()
        if store is None:
            self._fill([], "Memory is off ([memory] enabled = false) or no session yet.")
            return
        if query:
            from zeph_tui.core.memory.command import related_note

            found = await store.recall(query, project=self.project, limit=LIST_LIMIT)
            rows = [(m, "") for m in found.hits]
            rows += [(r.memory, related_note(r)) for r in found.related]
            empty = f"No memory matches {query!r}."
        else:
            rows = [(m, "") for m in await store.list(project=self.project, limit=LIST_LIMIT)]
            empty = "No memories yet (the model keeps them with its remember tool)."
        self._fill(rows, empty)

    def _fill(self, rows: list[tuple[Memory, str]], empty: str) -> None:
        table = self.query_one(DataTable)
        table.clear()
        self.memories = {m.id: (m, note) for m, note in rows}
        now = time.time()
        for memory, note in rows:
            first = memory.text.splitlines()[0][:FIRST_LINE_CHARS]
            line = Text(f"↳ {first}", style="dim") if note else Text(first)
            table.add_row(
                str(memory.id),
                memory.scope,
                f"{memory.importance:.2f}",
                age_text(now - memory.updated_at),
                line,
                key=str(memory.id),
            )
        self.confirming = None
        if not rows:
            self._detail(empty)

    def _highlighted(self) -> int | None:
        table = self.query_one(DataTable)
        if not self.memories or table.row_count == 0:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        return int(key) if key is not None else None

    def _detail(self, text: str | Text, *, confirm: bool = False) -> None:
        detail = self.query_one("#memory-detail", Static)
        detail.set_class(confirm, "-confirm")
        detail.update(text)

    @on(DataTable.RowHighlighted)
    def _row_highlighted(self) -> None:
        self.confirming = None
        self.show_entities()

    @work(exclusive=True, group="memory-detail")
    async def show_entities(self) -> None:
        """Show the highlighted memory with its entities and relations."""
        memory_id, store = self._highlighted(), self.store
        if memory_id is None or store is None or memory_id not in self.memories:
            return
        memory, note = self.memories[memory_id]
        names, relations = await store.entities(memory_id)
        text = Text()
        text.append(f"[{memory.id}] {memory.scope} {memory.kind}", style="bold")
        text.append(f" · importance {memory.importance:.2f}")
        text.append(f" · {note}\n" if note else "\n", style="dim")
        text.append(memory.text + "\n")
        text.append("entities: ", style="bold")
        text.append((", ".join(names) or "none") + "\n")
        if relations:
            text.append("relations: ", style="bold")
            text.append("; ".join(f"{r.subject} {r.verb} {r.object}" for r in relations))
        self._detail(text)

    def action_forget(self) -> None:
        """Delete / x: ask whether to forget the highlighted memory."""
        memory_id = self._highlighted()
        if memory_id is None:
            return
        self.confirming = memory_id
        first = self.memories[memory_id][0].text.splitlines()[0][:FIRST_LINE_CHARS]
        self._detail(f"Forget memory {memory_id} ({first})? y forgets, n keeps", confirm=True)
        self.refresh_bindings()

    def action_keep(self) -> None:
        self.confirming = None
        self.refresh_bindings()
        self.show_entities()

    @work(exclusive=True, group="memory-detail")
    async def action_confirm_forget(self) -> None:
        """y: forget the memory asked about, then reload."""
        from zeph_tui.core.memory import UnknownMemory
        from zeph_tui.core.memory.command import forgot_line

        memory_id, store = self.confirming, self.store
        self.confirming = None
        self.refresh_bindings()
        if memory_id is None or store is None:
            return
        try:
            self.app.notify(forgot_line(await store.forget(memory_id)))
        except UnknownMemory as exc:  # forgotten elsewhere meanwhile
            self.app.notify(str(exc), severity="warning")
        self.reload()
