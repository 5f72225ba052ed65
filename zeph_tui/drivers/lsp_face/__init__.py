"""``zeph-tui lsp``: a language server an editor attaches next to its usual one.

It serves the editor's own rename with call sites (``textDocument/prepareRename``
and ``textDocument/rename``, :mod:`~zeph_tui.drivers.lsp_face.native`) and a
``refactor.rename`` code action (:mod:`~zeph_tui.drivers.lsp_face.actions`),
both through the core rename flow. The real language servers run behind it
through :mod:`lsp_bridge`, warm for its whole life. Speaks LSP on stdio; logs
go to stderr.
"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

__all__ = ["main"]


def main(args: argparse.Namespace) -> int:
    """Serve LSP on stdin/stdout until the client exits; returns the exit code.

    Args:
        args: ``args.workspace`` (may be ``None``: the client's root is used).
    """
    from zeph_tui.drivers.lsp_face.server import build_server

    logging.basicConfig(stream=sys.stderr, level=logging.WARNING)
    workspace = getattr(args, "workspace", None)
    server = build_server(Path(workspace).resolve() if workspace else None)
    server.start_io()
    return 0
