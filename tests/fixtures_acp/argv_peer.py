"""``ArgvPeer``: the zeph-tui ACP agent started with any interpreter arguments.

For the import-cost tests: ``python -X importtime -m zeph_tui acp`` or the
import recorder of :mod:`tests.heavy_modules` (``python -c <code> acp ...``).
"""

from __future__ import annotations

from tests.fixtures_acp.zeph_agent import ZephPeer

__all__ = ["ArgvPeer"]


class ArgvPeer(ZephPeer):
    """``sys.executable *argv`` over pipes (see :class:`ZephPeer`)."""

    def __init__(self, env: dict[str, str], argv: list[str]) -> None:
        super().__init__(env)
        self.argv = tuple(argv)
