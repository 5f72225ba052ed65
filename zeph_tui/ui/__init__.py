"""The Textual dashboard (``zeph-tui`` with no subcommand).

Public API::

    main(args) -> int                      # CLI entry: args.workspace/provider/model/yes/resume
    create_app(workspace, **options) -> ZephApp   # the one app factory (CLI and tests)

Textual is imported only when these run, never by ``import zeph_tui.ui``'s callers
that do not use them.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from zeph_tui.ui.app import ZephApp

__all__ = ["create_app", "main"]


def create_app(*args: Any, **kwargs: Any) -> ZephApp:
    """See :func:`zeph_tui.ui.app.create_app`."""
    from zeph_tui.ui.app import create_app as factory

    return factory(*args, **kwargs)


def main(args: argparse.Namespace) -> int:
    """Run the dashboard in ``args.workspace`` until the person quits; returns the exit code.

    ``args`` fields used: ``workspace`` (dir), ``provider``, ``model``, ``yes``
    (permission mode ``bypass``), ``resume`` (None, '' for the latest, or an id).
    """
    from pathlib import Path

    workspace = Path(getattr(args, "workspace", ".") or ".")
    if not workspace.is_dir():
        import sys

        print(f"zeph-tui: no such directory: {workspace}", file=sys.stderr)
        return 2
    app = create_app(
        workspace,
        provider_name=getattr(args, "provider", None),
        model=getattr(args, "model", None),
        mode="bypass" if getattr(args, "yes", False) else None,
        resume=getattr(args, "resume", None),
    )
    result = app.run()
    return int(result or 0) if app.return_code is None else int(app.return_code)
