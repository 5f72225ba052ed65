"""The model-facing copy of a long tool output: head and tail within a byte budget.

The full output goes to the overflow archive (:mod:`zeph_tui.core.store.overflow`);
the model gets :class:`HeadTail`'s rendering, which names the ``overflow_id`` to
page it back with ``read_overflow``.
"""

from __future__ import annotations

from collections import deque

__all__ = ["HeadTail"]


class HeadTail:
    """The model's copy of a long output: head and tail within ``limit_bytes``.

    Feed bytes with :meth:`feed`; :meth:`render` returns the text the model
    sees, with a truncation notice naming ``overflow_id`` when bytes were dropped.
    """

    def __init__(self, limit_bytes: int = 16 * 1024) -> None:
        self.limit_bytes = limit_bytes
        self._head = bytearray()
        self._tail: deque[bytes] = deque()
        self._tail_bytes = 0
        self.total_bytes = 0
        self.total_lines = 0

    def feed(self, data: bytes) -> None:
        self.total_bytes += len(data)
        self.total_lines += data.count(b"\n")
        head_room = self.limit_bytes // 2 - len(self._head)
        if head_room > 0:
            self._head += data[:head_room]
            data = data[head_room:]
        if not data:
            return
        self._tail.append(data)
        self._tail_bytes += len(data)
        tail_budget = self.limit_bytes - self.limit_bytes // 2
        while self._tail and self._tail_bytes - len(self._tail[0]) >= tail_budget:
            self._tail_bytes -= len(self._tail.popleft())

    @property
    def truncated(self) -> bool:
        return self.total_bytes > self.limit_bytes

    def render(self, overflow_id: str | None) -> str:
        if not self.truncated:
            return (bytes(self._head) + b"".join(self._tail)).decode("utf-8", "replace")
        tail_budget = self.limit_bytes - self.limit_bytes // 2
        tail = b"".join(self._tail)[-tail_budget:]
        head_text = bytes(self._head).decode("utf-8", "ignore")
        tail_text = tail.decode("utf-8", "ignore")
        # cut at line boundaries so the model never sees half a line
        head_text = head_text[: head_text.rfind("\n") + 1] or head_text
        tail_text = tail_text[tail_text.find("\n") + 1 :] or tail_text
        omitted = self.total_bytes - len(head_text.encode()) - len(tail_text.encode())
        ref = f"overflow_id={overflow_id}" if overflow_id else "not archived"
        notice = (
            f"[output truncated: {self.total_bytes} bytes, {self.total_lines} lines in total; "
            f"{omitted} bytes omitted between head and tail; full output archived as {ref}. "
            f"Use read_overflow(id, offset, limit) to page it or read_overflow(id, grep=REGEX) "
            f"to search it.]"
        )
        return f"{head_text}\n[... {omitted} bytes omitted ...]\n{tail_text}\n{notice}"
