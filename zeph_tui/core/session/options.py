"""Session options and permission modes: what a session may do and how far it may go.

- :data:`MODES`: the permission modes (ACP ``session/set_mode``; README "Modes").
- :func:`normalise_mode`: ACP and legacy names onto :data:`MODES`.
- :class:`SessionOptions`: the limits of one session (requests per turn, tokens, budgets).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from zeph_tui.core.errors import ZephError

__all__ = ["MODES", "SessionOptions", "normalise_mode"]

MODES = ("ask", "accept-edits", "plan", "bypass")
_MODE_ALIASES = {"code": "accept-edits", "accept_edits": "accept-edits"}  # see README


@dataclass(slots=True)
class SessionOptions:
    """Limits of a session.

    Attributes:
        max_turn_requests: model calls per prompt before ``max_turn_requests``.
        max_tokens: output tokens per model call.
        model_copy_limit_bytes: budget of the model's copy of long tool output.
        thinking_budget_tokens: extended thinking budget (0 = off).
        env: environment for child processes (scrub it before passing).
        extra_write_roots / read_roots: confinement beyond the workspace.
        auto_compact: compact the context at 70 % / 85 % fill (see :mod:`zeph_tui.core.session.context`).
    """

    max_turn_requests: int = 50
    max_tokens: int = 8192
    model_copy_limit_bytes: int = 16 * 1024
    thinking_budget_tokens: int = 0
    env: Mapping[str, str] = field(default_factory=dict)
    extra_write_roots: Sequence[Path] = ()
    read_roots: Sequence[Path] = ()
    auto_compact: bool = True


def normalise_mode(mode: str) -> str:
    """Map ACP/legacy names onto :data:`MODES`; raises ZephError for unknown ones."""
    mode = _MODE_ALIASES.get(mode, mode)
    if mode not in MODES:
        raise ZephError(f"unknown mode {mode!r}; valid modes: {', '.join(MODES)}")
    return mode
