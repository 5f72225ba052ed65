"""``zeph-tui lsp``: a language server an editor attaches next to its usual one.

It serves the editor's own rename with call sites (``textDocument/prepareRename``
and ``textDocument/rename``, :mod:`~zeph_tui.drivers.lsp_face.native`) and a
``refactor.rename`` code action (:mod:`~zeph_tui.drivers.lsp_face.actions`),
both through the core rename flow. The real language servers run behind it
through :mod:`lsp_bridge`, warm for its whole life. Speaks LSP on stdio; logs
go to stderr.

``ZEPH_LSP_PROFILE=PATH`` runs the face under :mod:`cProfile` and writes the
stats to ``PATH`` when it exits (read them with ``python -m pstats PATH``);
``bench/rename.py --profile DIR`` uses it.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from pathlib import Path

__all__ = ["PROFILE_ENV", "main"]

#: environment variable naming the file the face writes its cProfile stats to
PROFILE_ENV = "ZEPH_LSP_PROFILE"


def main(args: argparse.Namespace) -> int:
    """Serve LSP on stdin/stdout until the client exits; returns the exit code.

    Args:
        args: ``args.workspace`` (may be ``None``: the client's root is used).
    """
    from zeph_tui.core.config import DIAGNOSTICS_TIMEOUT_S
    from zeph_tui.drivers.lsp_face.build import build_server

    logging.basicConfig(stream=sys.stderr, level=logging.WARNING)
    workspace = getattr(args, "workspace", None)
    settings = getattr(args, "settings", None)  # checked by the CLI before the protocol starts
    timeout_s = DIAGNOSTICS_TIMEOUT_S if settings is None else settings.lsp.diagnostics_timeout_s
    server = build_server(Path(workspace).resolve() if workspace else None, float(timeout_s))
    profile_path = os.environ.get(PROFILE_ENV)
    if not profile_path:
        server.start_io()
        return 0
    import cProfile

    profiler = cProfile.Profile()
    try:
        profiler.runcall(server.start_io)
    finally:
        profiler.dump_stats(profile_path)
    return 0
