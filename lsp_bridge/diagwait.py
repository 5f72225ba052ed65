"""Wait for one server's diagnostics of one document version (push or pull).

Push (LSP 3.17 §textDocument/publishDiagnostics): a publish counts when it
arrived after the change was sent and names that version (or a newer one,
which supersedes it), or names none. After the first one the wait goes on for
the slot's settle time while more arrive; an empty first set from a server
known to publish "empty, then real" waits a grace period for the real one.
Pull (§textDocument/diagnostic): one request, retried when the server
cancels it with ``retriggerRequest``.
"""

from __future__ import annotations

import time

from lsprotocol import types

from .client import LspClient
from .errors import LspRequestError
from .supervisor import ServerSlot

__all__ = ["ServerDied", "collect"]

Diags = tuple[types.Diagnostic, ...]


class ServerDied(Exception):
    """The server exited while we waited (internal: the bridge restarts it)."""


async def collect(
    slot: ServerSlot,
    client: LspClient,
    uri: str,
    version: int,
    seq0: int,
    deadline_s: float,
    *,
    settle_ms: int,
    empty_grace_s: float,
    previous: Diags | None,
) -> Diags | None:
    """Return the server's diagnostics for ``uri`` at ``version``, or ``None`` if late.

    Args:
        slot: the server's slot (its learned settle time).
        client: the running client.
        uri: document URI.
        version: the version sent in the didOpen/didChange being answered.
        seq0: ``client.last_seq()`` just before that notification was sent.
        deadline_s: absolute ``time.monotonic()`` deadline, seconds.
        settle_ms: default settle window, milliseconds.
        empty_grace_s: extra wait after an empty first publish, seconds.
        previous: the last pull result (for ``unchanged`` reports).

    Raises:
        ServerDied: the server exited during the wait.
    """
    if client.capabilities.diagnostic_provider is not None:
        return await _pull(client, uri, deadline_s, previous)
    while True:  # push: the latest publish of this version once it settles
        if client.exited.is_set():
            raise ServerDied(slot.server.name)
        candidates = [
            p
            for p in client.publishes.get(uri, ())
            if p.seq > seq0 and (p.version is None or p.version >= version)
        ]
        now = time.monotonic()
        wake_s = deadline_s
        if candidates:
            latest = candidates[-1]
            if latest.version is not None and latest.version > version:
                return latest.diagnostics
            settle = slot.settle_s(settle_ms)
            quirky = slot.server.empty_first_publish or slot.timing.empty_first_seen
            if not latest.diagnostics and len(candidates) == 1 and quirky:
                settle = max(settle, empty_grace_s)
            quiet_s = latest.arrived_s + settle
            if now >= quiet_s or now >= deadline_s:
                return latest.diagnostics
            wake_s = min(quiet_s, deadline_s)
        elif now >= deadline_s:
            return None
        await client.wait_changed(wake_s)


async def _pull(
    client: LspClient, uri: str, deadline_s: float, previous: Diags | None
) -> Diags | None:
    provider = client.capabilities.diagnostic_provider
    identifier = getattr(provider, "identifier", None)
    for _attempt in range(3):
        remaining = deadline_s - time.monotonic()
        if remaining <= 0:
            return None
        params = types.DocumentDiagnosticParams(
            text_document=types.TextDocumentIdentifier(uri=uri), identifier=identifier
        )
        try:
            report = await client.request(
                types.TEXT_DOCUMENT_DIAGNOSTIC, params, timeout_s=remaining
            )
        except LspRequestError as exc:
            if client.exited.is_set():
                raise ServerDied(client.server.name) from exc
            if isinstance(exc.__cause__, TimeoutError):
                return None
            continue  # ServerCancelled / ContentModified: ask again
        if isinstance(
            report, types.RelatedFullDocumentDiagnosticReport | types.FullDocumentDiagnosticReport
        ):
            return tuple(report.items)
        return previous if previous is not None else ()
    return None
