"""The repo map prompt section, built in a short-lived child interpreter.

Building a repo map (:func:`zeph_tui.core.code.repomap.build_repo_map`)
imports the tree-sitter grammars, ``numpy`` and ``bm25s`` and fills an outline
cache: about 30 MB of RSS that an agent process would hold for the rest of
its life, for a text of a few kB that changes only when the workspace does.
:class:`WorkerRepoMapSection` is the runtime's
:class:`~zeph_tui.core.tools.repomap_tool.RepoMapSection` (same cache, same
rebuild on change, same wait) with each build run as
``python -P -m zeph_tui.core.repo_map_worker ROOT BUDGET`` instead: the
child prints the map's text and exits, so the agent keeps the text alone, and
the build does not compete with the event loop for the interpreter lock.
Children get the agent's environment without its secrets
(:func:`~zeph_tui.core.safety.env.scrubbed_env`) and are killed by
:meth:`WorkerRepoMapSection.aclose`. The ``repo_map`` tool (the model's own
call, with a task to rank by) still builds in-process.
"""

from __future__ import annotations

import asyncio
import subprocess
import sys
import threading
from pathlib import Path

from zeph_tui.core.errors import ZephError
from zeph_tui.core.tools.repomap_tool import SECTION_BUDGET_TOKENS, SECTION_WAIT_S, RepoMapSection

__all__ = ["WorkerRepoMapSection", "main"]


class WorkerRepoMapSection(RepoMapSection):
    """A :class:`RepoMapSection` whose builds run in a child interpreter (module doc)."""

    def __init__(
        self, budget_tokens: int = SECTION_BUDGET_TOKENS, wait_s: float = SECTION_WAIT_S
    ) -> None:
        super().__init__(budget_tokens, wait_s)
        self._children: set[subprocess.Popen[bytes]] = set()
        self._lock = threading.Lock()
        self._closed = False

    def _build(self, root: Path) -> str:
        """Run one build in a child (blocking: called in a worker thread).

        Raises:
            ZephError: the child failed, or the section was closed.
        """
        from zeph_tui.core.safety.env import scrubbed_env

        cmd = [sys.executable, "-P", "-m", __name__, str(root), str(self.budget_tokens)]
        with self._lock:
            if self._closed:
                raise ZephError("repo map: closed")
            proc = subprocess.Popen(
                cmd,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                env=scrubbed_env(),
                cwd=root,
            )
            self._children.add(proc)
        try:
            out, err = proc.communicate()
        finally:
            with self._lock:
                self._children.discard(proc)
        if proc.returncode != 0:
            tail = err.decode("utf-8", "replace").strip().splitlines()[-1:] or ["no message"]
            raise ZephError(f"repo map worker exited with {proc.returncode}: {tail[0]}")
        return out.decode("utf-8")

    async def aclose(self) -> None:
        """Kill (and reap) the children still building, then close as :class:`RepoMapSection` does."""
        with self._lock:
            self._closed = True
            killed = list(self._children)
        for proc in killed:
            proc.kill()
        for proc in killed:
            await asyncio.to_thread(proc.wait)  # reaped: no zombie left behind
        await super().aclose()


def main(argv: list[str]) -> int:
    """``ROOT BUDGET_TOKENS``: print the repo map text of ``ROOT`` (exit 2 on bad arguments)."""
    if len(argv) != 2 or not argv[1].isdigit():
        print("usage: python -m zeph_tui.core.repo_map_worker ROOT BUDGET_TOKENS", file=sys.stderr)
        return 2
    from zeph_tui.core.code.repomap import build_repo_map

    text = build_repo_map(Path(argv[0]), budget_tokens=int(argv[1])).text
    sys.stdout.buffer.write(text.encode("utf-8"))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
