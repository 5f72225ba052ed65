"""Child processes as ``/proc`` shows them (Linux), for tests that check nothing is left running."""

from __future__ import annotations

import contextlib
from pathlib import Path

__all__ = ["child_pids"]


def child_pids(pid: int) -> list[int]:
    """Pids of the live children of ``pid``, from every thread's ``/proc/PID/task/TID/children``.

    A thread or a child that ends while it is read is skipped, not an error.
    """
    pids: list[int] = []
    with contextlib.suppress(FileNotFoundError):
        for task in Path(f"/proc/{pid}/task").iterdir():
            with contextlib.suppress(FileNotFoundError, ProcessLookupError):
                pids += [int(p) for p in (task / "children").read_text().split()]
    return pids
