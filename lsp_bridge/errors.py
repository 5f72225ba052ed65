"""The exception tree of lsp_bridge (it knows nothing of zeph_tui).

    LspBridgeError            root; the integrator maps it to its own errors
    ├── ServerConfigError     a user server definition is invalid (names the field)
    ├── ServerUnavailable     the server is missing, broken or crashed too often
    └── LspRequestError       a request failed, timed out or the server died

Foreign exceptions (pygls ``JsonRpcException``, ``OSError``, timeouts) are mapped
at the boundary with ``raise ... from``.
"""

from __future__ import annotations

__all__ = ["LspBridgeError", "LspRequestError", "ServerConfigError", "ServerUnavailable"]


class LspBridgeError(Exception):
    """Root of every error lsp_bridge raises on purpose."""


class ServerConfigError(LspBridgeError):
    """A ``[lsp.servers.NAME]`` table is invalid; the message names the field."""


class ServerUnavailable(LspBridgeError):
    """No usable server: missing, broken binary, or restarted too often."""


class LspRequestError(LspBridgeError):
    """An LSP request failed, timed out, or the server exited while it was pending."""
