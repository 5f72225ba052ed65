"""Tell the terminal when a long turn ends: OSC 9 (a desktop notification where the
terminal supports it: iTerm2, WezTerm, kitty, foot, Windows Terminal) and a bell.

Turns shorter than ``[dashboard] notify_after_s`` seconds of config.toml
(default 10, :data:`zeph_tui.core.config.NOTIFY_AFTER_S`) stay silent; ``0``
turns the notice off. Terminals without OSC 9 ignore the sequence (its BEL
terminates it and does not ring), so a plain BEL follows it.
"""

from __future__ import annotations

from typing import Any

__all__ = ["announce_turn_end", "turn_end_sequence"]


def turn_end_sequence(stop_reason: str | None, elapsed_s: float) -> str:
    """OSC 9 ``zeph-tui: turn ended (end_turn) after 42 s`` then BEL."""
    text = f"zeph-tui: turn ended ({stop_reason or 'unknown'}) after {elapsed_s:.0f} s"
    return f"\x1b]9;{text}\x07\a"


def announce_turn_end(
    app: Any, elapsed_s: float, stop_reason: str | None, after_s: float
) -> str | None:
    """Write :func:`turn_end_sequence` to ``app``'s terminal when the turn was long.

    Args:
        app: a running Textual app (its driver writes to the terminal).
        elapsed_s: how long the turn took.
        stop_reason: how it ended.
        after_s: ``[dashboard] notify_after_s``: shorter turns stay silent; 0: never.

    Returns:
        The sequence written, or None (a short turn, notices off, no driver).
    """
    driver = getattr(app, "_driver", None)
    if after_s == 0 or elapsed_s < after_s or driver is None:
        return None
    sequence = turn_end_sequence(stop_reason, elapsed_s)
    driver.write(sequence)
    driver.flush()
    return sequence
