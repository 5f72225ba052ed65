"""lsp_bridge: the LSP client side of zeph-tui (knows nothing of zeph_tui, textual or acp).

Spawns real language servers and gives the agent compiler truth: fresh
diagnostics after each write (as a delta against the pre-edit set), hover,
definition, references, prepareRename and rename edits.

Public API (positions are 1-based lines and 1-based columns in code points;
only :mod:`lsp_bridge.positions` converts to LSP's 0-based UTF-16 units)::

    bridge = LspBridge(root: Path, servers: Sequence[ServerDef | str] | None = None,
                       *, settle_ms=100, diagnostics_timeout_s=10.0,
                       request_timeout_s=10.0, ready_timeout_s=60.0,
                       empty_grace_ms=500, max_items=20,
                       max_restarts=5)
    await bridge.open_or_change(path, text, *, previous_text=None, save=True)
        -> DiagnosticsReport(path, version, new, fixed, current, pending,
                             missing, text)
    await bridge.close(path) -> None
    await bridge.sync_from_disk(paths) -> list[DiagnosticsReport]
    await bridge.wait_ready(path) -> list[str]   # servers still busy ($/progress)
    bridge.diagnostics(path=None) -> list[DiagnosticItem]
    await bridge.hover(path, line, col) -> HoverInfo | None
    await bridge.definition(path, line, col) -> list[Location]
    await bridge.references(path, line, col, *, include_declaration=True) -> list[Location]
    await bridge.prepare_rename(path, line, col) -> RenameTarget
    await bridge.rename(path, line, col, new_name) -> lsprotocol.types.WorkspaceEdit
    bridge.status() -> list[ServerStatus]
    await bridge.aclose()       # also: async with LspBridge(...) as bridge

    parse_server_table(name, table) -> ServerDef     # [lsp.servers.NAME] in config.toml
    await detect(server) -> Detection                # runs `--version`; cached per process

Missing or crashing servers never raise from ``open_or_change``: the report
lists them in ``missing`` (with the install hint) or ``pending``. Queries
raise :class:`LspRequestError` when no server could answer. All errors derive
from :class:`LspBridgeError`.
"""

from __future__ import annotations

from .detect import Detection, clear_detection_cache, detect
from .errors import LspBridgeError, LspRequestError, ServerConfigError, ServerUnavailable
from .manager import LspBridge
from .registry import BUILTIN_SERVERS, DEFAULT_CHOICES, ServerDef, parse_server_table
from .results import (
    DiagnosticItem,
    DiagnosticsReport,
    HoverInfo,
    Location,
    RenameTarget,
    ServerStatus,
)

__all__ = [
    "BUILTIN_SERVERS",
    "DEFAULT_CHOICES",
    "Detection",
    "DiagnosticItem",
    "DiagnosticsReport",
    "HoverInfo",
    "Location",
    "LspBridge",
    "LspBridgeError",
    "LspRequestError",
    "RenameTarget",
    "ServerConfigError",
    "ServerDef",
    "ServerStatus",
    "ServerUnavailable",
    "clear_detection_cache",
    "detect",
    "parse_server_table",
]
