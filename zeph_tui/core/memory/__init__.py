"""Long-term memory: notes and facts across sessions (store, ranking, validator, prompt section)."""

from __future__ import annotations

from zeph_tui.core.memory.store import Memory, MemoryStore, UnknownMemory, Written
from zeph_tui.core.memory.validate import MemoryDraft, MemoryRejected

__all__ = ["Memory", "MemoryDraft", "MemoryRejected", "MemoryStore", "UnknownMemory", "Written"]
