"""``LspCodeIntel``: the agent's :class:`~zeph_tui.core.tools.base.CodeIntel` over ``lsp_bridge``.

One per workspace, owned by the :class:`~zeph_tui.core.runtime.Runtime`
(created in ``open_session`` when ``[lsp] enabled``, closed in
``Runtime.aclose``). The :class:`~lsp_bridge.LspBridge` and its servers start
lazily, on the first file a tool touches (DESIGN.md, "LSP path"):

- ``after_write``: a new file is announced to every running server
  (``workspace/didChangeWatchedFiles`` Created, so a module written next
  can import it), then didOpen/didChange of the new text, wait for that version's
  diagnostics, render the delta for the model (introduced and fixed, errors
  first, at most ``max_items`` per file, ``path:line:col``, severity,
  source/code, the source line), "diagnostics pending from <server>" for a
  server that did not answer in time, the install hint of a missing server,
  and nothing at all when no server handles the language.
- ``after_read``: hover prefetch for identifiers of the lines read (found by
  tree-sitter) whose definition is in *another* file: at most
  ``hover_max_symbols`` symbols, ``hover_limit_chars`` characters and
  ``hover_budget_s`` seconds; workspace symbols first.
- ``files_changed``: after bash, files changed on disk (git status + stats of
  open documents) are re-synced, deleted ones closed.

Structured diagnostics for faces (the dashboard's diagnostics pane, ACP
``rawOutput``). ``write_file``/``edit_file`` emit, before their final
update, a ``ToolCallUpdate`` whose ``raw_output`` is::

    {"text": <result text so far>, "isError": False,
     "diagnostics": {
        "path": "pkg/util.py",          # workspace-relative POSIX (absolute if outside)
        "version": 3,                   # document version the set belongs to
        "items": [Item, ...],           # the file's full current set, errors first
        "new": [Item, ...],             # introduced by this write
        "fixed": [Item, ...],           # gone after this write (lines of the old text)
        "pending": ["basedpyright"],    # servers that did not answer in time
        "missing": ["ruff missing (...); install: pip install ruff"],
     }}

    Item = {"line": 1, "column": 5,     # 1-based, column in code points
            "severity": "error" | "warning" | "information" | "hint",
            "message": str, "source": str, "code": str}   # code '' when none

``Item`` has exactly the fields of ``zeph_tui.ui.widgets.diagnostics_pane.
Diagnostic``, so ``set_diagnostics(d["path"], [Diagnostic(**i) for i in
d["items"]])`` works. The final update then carries the rendered report as a
``TextContent`` next to the ``DiffContent``. :meth:`LspCodeIntel.payload`
gives the same dict for the last write of a path.

Nothing here raises for a missing or crashing server; bridge calls run in
tasks this object owns, so a cancelled turn never interrupts a server start
(the task finishes in the background and :meth:`aclose` reaps it).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Coroutine, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from zeph_tui.core.code.changes import ChangeTracker
from zeph_tui.core.code.render import (
    HoverEntry,
    diagnostics_payload,
    render_hovers,
    render_report,
)
from zeph_tui.core.config import DIAGNOSTICS_TIMEOUT_S
from zeph_tui.core.errors import ConfigError, ZephError
from zeph_tui.core.tasks import BackgroundTasks

if TYPE_CHECKING:  # lsp_bridge (pygls, lsprotocol) is imported on first use, not at start-up
    from lsp_bridge import (
        DiagnosticItem,
        DiagnosticsReport,
        HoverInfo,
        Location,
        LspBridge,
        ServerDef,
    )

__all__ = ["CodeIntelError", "LspCodeIntel"]

log = logging.getLogger(__name__)
T = TypeVar("T")


class CodeIntelError(ZephError):
    """A language-server query failed (no server could answer, or closed)."""


def _resolved(path: Path) -> Path:
    return path.resolve()


class LspCodeIntel:
    """Language-server feedback for one workspace.

    Args:
        workspace: the workspace root (absolute).
        servers: ``None`` for the defaults (per language the first installed
            of each group), else exactly these servers (``ServerDef`` or
            built-in names).
        user_servers: ``[lsp.servers.NAME]`` tables; a built-in NAME
            overrides that built-in, others are added.
        disabled: server names never to run.
        diagnostics_timeout_s: wait for each server's diagnostics of a write.
        request_timeout_s: timeout of hover/definition/references.
        max_items: cap of new + fixed diagnostics rendered per file.
        hover_max_symbols / hover_limit_chars / hover_budget_s: budget of the
            hover prefetch after a read (symbols, characters, seconds).
        sync_budget_s: how long ``files_changed`` waits before letting the
            re-sync finish in the background, seconds.

    Raises:
        ConfigError: a user server table is invalid (the message names the field).
    """

    def __init__(
        self,
        workspace: Path,
        *,
        servers: Sequence[ServerDef | str] | None = None,
        user_servers: Mapping[str, Mapping[str, Any]] | None = None,
        disabled: Sequence[str] = (),
        diagnostics_timeout_s: float = DIAGNOSTICS_TIMEOUT_S,
        request_timeout_s: float = 10.0,
        max_items: int = 20,
        hover_max_symbols: int = 5,
        hover_limit_chars: int = 1500,
        hover_budget_s: float = 1.5,
        sync_budget_s: float = 3.0,
    ) -> None:
        self.workspace = Path(workspace).resolve()
        self._user: list[ServerDef] = []
        if user_servers:  # validated now, so a bad table fails the session, not a write
            from lsp_bridge import LspBridgeError, parse_server_table

            try:
                self._user = [parse_server_table(n, t) for n, t in user_servers.items()]
            except LspBridgeError as exc:
                raise ConfigError(str(exc)) from exc
        self._servers = None if servers is None else list(servers)
        self._disabled = frozenset(disabled)
        self.diagnostics_timeout_s = diagnostics_timeout_s
        self.request_timeout_s = request_timeout_s
        self.max_items = max_items
        self.hover_max_symbols = hover_max_symbols
        self.hover_limit_chars = hover_limit_chars
        self.hover_budget_s = hover_budget_s
        self.sync_budget_s = sync_budget_s
        self.tracker = ChangeTracker(self.workspace)
        self._bridge: LspBridge | None = None
        self._explicit: list[ServerDef] | None = None
        self._lock = asyncio.Lock()
        self._tasks = BackgroundTasks(log, logging.DEBUG, "code intel task failed")
        self._payloads: dict[Path, dict[str, Any]] = {}
        #: Documents synced with a wait for diagnostics (their sets are known).
        self._analysed_paths: set[Path] = set()
        self._closed = False

    @classmethod
    def from_settings(cls, workspace: Path, lsp: Any) -> LspCodeIntel:
        """Build from the ``[lsp]`` settings section (``enabled`` is the caller's business).

        Raises:
            ConfigError: an invalid ``[lsp.servers.NAME]`` table.
        """
        return cls(
            workspace,
            user_servers=dict(lsp.servers),
            disabled=list(lsp.disabled),
            diagnostics_timeout_s=float(lsp.diagnostics_timeout_s),
        )

    # -- plumbing --------------------------------------------------------------------
    async def bridge(self) -> LspBridge:
        """The bridge, created on first use (servers still start lazily, per language).

        Raises:
            CodeIntelError: after :meth:`aclose`.
        """
        async with self._lock:
            if self._closed:
                raise CodeIntelError("code intel is closed")
            if self._bridge is None:
                from lsp_bridge import LspBridge

                self._explicit = await self._resolve_servers()
                self._bridge = LspBridge(
                    self.workspace,
                    self._explicit,
                    diagnostics_timeout_s=self.diagnostics_timeout_s,
                    request_timeout_s=self.request_timeout_s,
                    max_items=self.max_items,
                )
                await self.tracker.baseline()
            return self._bridge

    async def _resolve_servers(self) -> list[ServerDef] | None:
        """``None`` for the bridge's defaults, else the explicit list honouring config."""
        from lsp_bridge import BUILTIN_SERVERS, DEFAULT_CHOICES, detect

        if self._servers is not None:
            return [BUILTIN_SERVERS[s] if isinstance(s, str) else s for s in self._servers]
        if not self._user and not self._disabled:
            return None
        custom = {s.name: s for s in self._user}
        chosen = [s for s in self._user if s.name not in BUILTIN_SERVERS]
        groups = {group for groups in DEFAULT_CHOICES.values() for group in groups}
        for group in sorted(groups):
            candidates = [custom.get(n, BUILTIN_SERVERS[n]) for n in group]
            candidates = [s for s in candidates if s.name not in self._disabled]
            found = [s for s in candidates if (await detect(s)).available]
            pick = found[0] if found else (candidates[0] if candidates else None)
            if pick is not None and pick not in chosen:
                chosen.append(pick)  # a missing pick is reported as missing with its hint
        return [s for s in chosen if s.name not in self._disabled]

    def handles(self, path: Path) -> bool:
        """Whether some configured server serves ``path`` (known after the first ``bridge()``)."""
        from lsp_bridge import DEFAULT_CHOICES
        from lsp_bridge.registry import language_for_path as lsp_language

        if self._explicit is None:
            default_language = lsp_language(path)
            return default_language is not None and default_language in DEFAULT_CHOICES
        language = lsp_language(path, self._explicit)
        return any(s.matches(path) or language in s.languages for s in self._explicit)

    def _server_count(self, path: Path, report: DiagnosticsReport) -> int:
        from lsp_bridge import DEFAULT_CHOICES
        from lsp_bridge.registry import language_for_path as lsp_language

        if self._explicit is None:
            default_language = lsp_language(path) or ""
            return len(DEFAULT_CHOICES.get(default_language, ())) - len(report.missing)
        language = lsp_language(path, self._explicit)
        return sum(1 for s in self._explicit if s.matches(path) or language in s.languages)

    async def _run(self, work: Coroutine[Any, Any, T]) -> T:
        """Await ``work`` in an owned task; a cancelled caller leaves it running."""
        return await asyncio.shield(self._tasks.spawn(work))

    def _unavailable(self, bridge: LspBridge, pending: Sequence[str]) -> dict[str, str]:
        return {
            s.name: s.detail for s in bridge.status() if s.name in pending and s.state == "missing"
        }

    # -- CodeIntel -------------------------------------------------------------------
    async def after_write(self, path: Path, old_text: str | None, new_text: str) -> str:
        """Sync the new text and return the diagnostics delta ('' when no server handles it)."""
        from lsp_bridge import LspBridgeError

        path = _resolved(path)
        self._payloads.pop(path, None)
        try:
            bridge = await self.bridge()
            if not self.handles(path):
                return ""
            created = old_text is None  # announced first, so later imports of it resolve
            report = await self._run(
                bridge.open_or_change(path, new_text, previous_text=old_text, created=created)
            )
        except (CodeIntelError, LspBridgeError, OSError) as exc:
            log.warning("diagnostics after writing %s failed: %s", path, exc)
            return f"(no diagnostics: language server error: {exc})"
        self.tracker.remember(path)
        self._analysed_paths.add(path)
        unavailable = self._unavailable(bridge, report.pending)
        self._payloads[path] = diagnostics_payload(report, self.workspace, unavailable)
        return render_report(
            report,
            self.workspace,
            answered=self._server_count(path, report) - len(report.pending),
            unavailable=unavailable,
            timeout_s=self.diagnostics_timeout_s,
            max_items=self.max_items,
        )

    def payload(self, path: Path) -> dict[str, Any] | None:
        """The structured diagnostics of the last write of ``path`` (shape in the module doc)."""
        return self._payloads.get(path.resolve())

    async def after_read(self, path: Path, text: str, line_start: int, line_end: int) -> str:
        """Hover info for symbols of lines ``line_start..line_end`` defined in other files."""
        from zeph_tui.core.code.hover import prefetch_hovers

        try:
            bridge = await self.bridge()
        except CodeIntelError:
            return ""
        path = _resolved(path)
        if not self.handles(path):
            return ""
        found: list[tuple[int, HoverEntry]] = []
        task = self._tasks.spawn(
            prefetch_hovers(
                bridge, path, text, line_start, line_end, found,
                root=self.workspace, max_symbols=self.hover_max_symbols,
            )
        )  # fmt: skip
        await asyncio.wait({task}, timeout=self.hover_budget_s)
        self.tracker.remember(path)
        entries = [entry for _rank, entry in sorted(found, key=lambda f: f[0])]
        return render_hovers(
            entries,
            self.workspace,
            limit_chars=self.hover_limit_chars,
            max_symbols=self.hover_max_symbols,
        )

    async def files_changed(self, paths: list[Path]) -> None:
        """Re-sync files changed on disk (``paths`` plus what git and stats show)."""
        if self._bridge is None or self._closed:
            return  # nothing is open: servers read the disk when they start
        changed = await self.tracker.changed(paths)
        if not changed:
            return
        for path in changed:
            if not path.exists():
                self.tracker.forget(path)
                self._analysed_paths.discard(path)
        task = self._tasks.spawn(self._bridge.sync_from_disk(changed))
        await asyncio.wait({task}, timeout=self.sync_budget_s)

    # -- queries for the lsp tools ---------------------------------------------------
    async def diagnostics(self, path: Path | None = None) -> list[DiagnosticItem]:
        """Current merged diagnostics of ``path`` (opened and analysed if needed) or of all open.

        Raises:
            CodeIntelError: closed, or the file cannot be read.
        """
        bridge = await self.bridge()
        if path is None:
            return bridge.diagnostics()
        path = _resolved(path)
        if path in self._analysed_paths:
            return bridge.diagnostics(path)
        try:
            text = await asyncio.to_thread(path.read_text, encoding="utf-8", errors="replace")
        except OSError as exc:
            raise CodeIntelError(f"cannot read {path}: {exc}") from exc
        report = await self._query(bridge.open_or_change(path, text, save=False))
        self.tracker.remember(path)
        self._analysed_paths.add(path)
        return list(report.current)

    async def _query(self, work: Coroutine[Any, Any, T]) -> T:
        """Run a bridge call in an owned task, mapping bridge errors to CodeIntelError."""
        from lsp_bridge import LspBridgeError

        try:
            return await self._run(work)
        except LspBridgeError as exc:
            raise CodeIntelError(str(exc)) from exc

    async def _analysed(self, path: Path) -> LspBridge:
        """The bridge, once ``path`` is open and analysed.

        A cold server's first answers can be partial (pyright's references
        before its workspace scan), so a file is analysed before its first query.
        """
        bridge = await self.bridge()
        if _resolved(path) not in self._analysed_paths:
            await self.diagnostics(path)
        return bridge

    async def hover(self, path: Path, line: int, col: int) -> HoverInfo | None:
        """Hover at 1-based ``line``/``col``, ``None`` when empty.

        Raises:
            CodeIntelError: no server of the file could answer.
        """
        bridge = await self._analysed(path)
        return await self._query(bridge.hover(_resolved(path), line, col))

    async def definition(self, path: Path, line: int, col: int) -> list[Location]:
        """Definition locations of the symbol at 1-based ``line``/``col``.

        Raises:
            CodeIntelError: no server of the file could answer.
        """
        bridge = await self._analysed(path)
        return await self._query(bridge.definition(_resolved(path), line, col))

    async def references(self, path: Path, line: int, col: int) -> list[Location]:
        """References (declaration included) of the symbol at 1-based ``line``/``col``.

        Raises:
            CodeIntelError: no server of the file could answer.
        """
        bridge = await self._analysed(path)
        return await self._query(bridge.references(_resolved(path), line, col))

    async def aclose(self) -> None:
        """Stop every server, then reap the background tasks. Idempotent."""
        async with self._lock:
            self._closed = True
            bridge, self._bridge = self._bridge, None
        if bridge is not None:
            await bridge.aclose()  # waits for a server start in progress, then stops it
        await self._tasks.cancel_all()
