"""Long-term memory: notes and facts across sessions (store, ranking, validator, entity graph, prompt section)."""

from __future__ import annotations

from zeph_tui.core.memory.store import (
    Memory,
    MemoryStore,
    Recalled,
    Related,
    UnknownMemory,
    Written,
)
from zeph_tui.core.memory.validate import MemoryDraft, MemoryRejected

__all__ = [
    "Memory",
    "MemoryDraft",
    "MemoryRejected",
    "MemoryStore",
    "Recalled",
    "Related",
    "UnknownMemory",
    "Written",
]
