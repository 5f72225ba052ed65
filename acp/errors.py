"""Errors of the ``acp`` library.

The tree, rooted at :class:`AcpError` (``acp`` knows nothing of ``zeph_tui``,
so it has its own root; the ACP driver maps it to ``ZephError``)::

    AcpError
    ├── RequestError          a JSON-RPC error object (code, message, data);
    │                         raised by handlers to answer with an error, and
    │                         raised by outgoing requests the peer answered
    │                         with an error
    ├── RequestTimeoutError   an outgoing request got no answer in time
    │                         (also a ``TimeoutError``)
    └── ConnectionClosedError the peer went away (EOF) or the connection closed

Error codes follow the ACP v1 schema's ``ErrorCode`` (JSON-RPC 2.0 codes, the
LSP ``-32800`` for a cancelled request, and ACP's ``-32000``/``-32002``).
"""

from __future__ import annotations

import enum
from typing import Any

__all__ = [
    "AcpError",
    "ConnectionClosedError",
    "ErrorCode",
    "RequestError",
    "RequestTimeoutError",
]


class ErrorCode(enum.IntEnum):
    """JSON-RPC error codes used by ACP v1 (schema ``$defs/ErrorCode``)."""

    PARSE_ERROR = -32700
    INVALID_REQUEST = -32600
    METHOD_NOT_FOUND = -32601
    INVALID_PARAMS = -32602
    INTERNAL_ERROR = -32603
    REQUEST_CANCELLED = -32800
    AUTH_REQUIRED = -32000
    RESOURCE_NOT_FOUND = -32002


class AcpError(Exception):
    """Root of every exception raised by the ``acp`` library."""


class RequestError(AcpError):
    """A JSON-RPC 2.0 error object (spec: JSON-RPC 2.0 section 5.1).

    Raise it from a handler to answer the request with this error; it is also
    raised by :meth:`acp.jsonrpc.Connection.send_request` when the peer answers
    with an error.

    Args:
        code: an integer error code, usually an :class:`ErrorCode`.
        message: one concise sentence.
        data: optional JSON-serialisable detail.
    """

    def __init__(self, code: int, message: str, data: Any = None) -> None:
        super().__init__(f"{message} ({code})")
        self.code = int(code)
        self.message = message
        self.data = data

    def to_dict(self) -> dict[str, Any]:
        """Return the wire shape ``{"code", "message", "data"?}`` (``$defs/Error``)."""
        error: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.data is not None:
            error["data"] = self.data
        return error

    @classmethod
    def parse_error(cls, data: Any = None) -> RequestError:
        """``-32700``: the frame is not valid JSON (or not UTF-8)."""
        return cls(ErrorCode.PARSE_ERROR, "Parse error", data)

    @classmethod
    def invalid_request(cls, detail: str = "Invalid request") -> RequestError:
        """``-32600``: the JSON is not a valid JSON-RPC 2.0 request object."""
        return cls(ErrorCode.INVALID_REQUEST, detail)

    @classmethod
    def method_not_found(cls, method: str) -> RequestError:
        """``-32601``: unknown method (the name is truncated to 100 characters)."""
        return cls(ErrorCode.METHOD_NOT_FOUND, f"Method not found: {method[:100]}")

    @classmethod
    def invalid_params(cls, detail: str) -> RequestError:
        """``-32602``: wrong params; ``detail`` names the field, e.g. ``"cwd: expected string"``."""
        return cls(ErrorCode.INVALID_PARAMS, f"Invalid params: {detail}")

    @classmethod
    def internal_error(cls, data: Any = None) -> RequestError:
        """``-32603``: the handler failed (no traceback is sent)."""
        return cls(ErrorCode.INTERNAL_ERROR, "Internal error", data)

    @classmethod
    def request_cancelled(cls) -> RequestError:
        """``-32800``: the request was cancelled by ``$/cancel_request`` or shutdown."""
        return cls(ErrorCode.REQUEST_CANCELLED, "Request cancelled")

    @classmethod
    def auth_required(cls) -> RequestError:
        """``-32000``: authentication is required before this operation."""
        return cls(ErrorCode.AUTH_REQUIRED, "Authentication required")

    @classmethod
    def resource_not_found(cls, what: str) -> RequestError:
        """``-32002``: a session, file or terminal was not found; ``what`` names it."""
        return cls(ErrorCode.RESOURCE_NOT_FOUND, f"Resource not found: {what[:200]}")


class RequestTimeoutError(AcpError, TimeoutError):
    """An outgoing request received no response within its ``timeout_s``."""


class ConnectionClosedError(AcpError):
    """The connection closed (peer EOF or local close) before an answer arrived."""
