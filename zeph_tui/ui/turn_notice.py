"""Tell the terminal when a long turn ends: OSC 9 (a desktop notification where the
terminal supports it: iTerm2, WezTerm, kitty, foot, Windows Terminal) and a bell.

Turns shorter than ``ZEPH_NOTIFY_AFTER_S`` seconds (default 10) stay silent;
``ZEPH_NOTIFY_AFTER_S=0`` turns the notice off. Terminals without OSC 9
ignore the sequence (its BEL terminates it and does not ring), so a plain
BEL follows it.
"""

from __future__ import annotations

import os
from typing import Any

__all__ = ["DEFAULT_AFTER_S", "announce_turn_end", "notify_after_s", "turn_end_sequence"]

DEFAULT_AFTER_S = 10.0


def notify_after_s() -> float:
    """``ZEPH_NOTIFY_AFTER_S`` in seconds (``0``: off); an unreadable value is the default."""
    raw = os.environ.get("ZEPH_NOTIFY_AFTER_S", "")
    try:
        value = float(raw) if raw.strip() else DEFAULT_AFTER_S
    except ValueError:
        return DEFAULT_AFTER_S
    return max(0.0, value)


def turn_end_sequence(stop_reason: str | None, elapsed_s: float) -> str:
    """OSC 9 ``zeph-tui: turn ended (end_turn) after 42 s`` then BEL."""
    text = f"zeph-tui: turn ended ({stop_reason or 'unknown'}) after {elapsed_s:.0f} s"
    return f"\x1b]9;{text}\x07\a"


def announce_turn_end(app: Any, elapsed_s: float, stop_reason: str | None) -> str | None:
    """Write :func:`turn_end_sequence` to ``app``'s terminal when the turn was long.

    Args:
        app: a running Textual app (its driver writes to the terminal).
        elapsed_s: how long the turn took.
        stop_reason: how it ended.

    Returns:
        The sequence written, or None (a short turn, notices off, no driver).
    """
    after_s = notify_after_s()
    driver = getattr(app, "_driver", None)
    if after_s == 0 or elapsed_s < after_s or driver is None:
        return None
    sequence = turn_end_sequence(stop_reason, elapsed_s)
    driver.write(sequence)
    driver.flush()
    return sequence
