"""The one list of heavy modules the import-cost tests share, and how to find them.

Start-up paths (``zeph-tui --version``, ACP ``initialize``, the ``acp``
library alone) import none of :data:`HEAVY_MODULES`. ACP ``session/new``
imports none of them outside the background warm-ups either, except
:data:`SESSION_OPEN_NEEDS` (the store: what a session row needs; pydantic only
when there are settings to validate).
The warm-ups themselves import only what the chosen provider uses
(:data:`PROVIDER_MODULES`).
"""

from __future__ import annotations

from collections.abc import Iterable

__all__ = [
    "HEAVY_MODULES",
    "PROVIDER_MODULES",
    "SESSION_OPEN_NEEDS",
    "WARMUPS_DO_NOT_LOAD",
    "heavy_in",
    "import_recorder",
]

HEAVY_MODULES: tuple[str, ...] = (
    "anthropic",
    "llama_cpp",
    "httpx",
    "httpx2",
    "textual",
    "rich",
    "pygls",
    "lsprotocol",
    "lsp_bridge",
    "tree_sitter",
    "git",
    "bm25s",
    "numpy",
    "rapidfuzz",
    "mcp",
    "pydantic",
    "pydantic_settings",
    "aiosqlite",
)
"""Packages (top-level import names) that cost tens of ms or MB each."""

SESSION_OPEN_NEEDS: tuple[str, ...] = ("aiosqlite",)
"""Heavy packages ``session/new`` may import before it answers with no config.toml
and no ``ZEPH_PROVIDER`` / ``ZEPH_MODEL`` (the store; settings are the defaults)."""

WARMUPS_DO_NOT_LOAD: tuple[str, ...] = (
    "lsp_bridge",
    "pygls",
    "lsprotocol",
    "git",
    "tree_sitter",
    "bm25s",
)
"""What no warm-up loads in the agent: language servers until a tool or the face needs
them; the repo map (tree-sitter, bm25s, numpy) builds in a child process; skills rank
in plain Python."""

PROVIDER_MODULES: dict[str, tuple[str, ...]] = {
    "anthropic": ("anthropic", "httpx2", "pydantic"),
    "openai": ("httpx2",),
    "local": ("llama_cpp",),
}
"""What each provider's warm-up imports; another provider's modules never load."""


def heavy_in(modules: Iterable[str], *, allow: Iterable[str] = ()) -> list[str]:
    """The top-level names of ``modules`` in :data:`HEAVY_MODULES`, minus ``allow``, sorted."""
    allowed = set(allow)
    tops = {name.split(".", 1)[0] for name in modules}
    return sorted(tops & set(HEAVY_MODULES) - allowed)


def import_recorder(log_path: str) -> str:
    """Python source that records every import, then runs ``python -m zeph_tui`` with argv.

    Each import is logged as ``[module, warm-up key or null]`` (the key of
    :data:`zeph_tui.core.warmup.WARMING` in the importing task or thread), as
    a JSON list written to ``log_path`` at exit.
    """
    return f"""
import atexit, json, runpy, sys
_seen = []
def _hook(event, args):
    if event == "import":
        warmup = sys.modules.get("zeph_tui.core.warmup")
        _seen.append([args[0], warmup.WARMING.get() if warmup is not None else None])
sys.addaudithook(_hook)
def _dump():
    with open({log_path!r}, "w") as fh:
        json.dump(_seen, fh)
atexit.register(_dump)
sys.argv = ["zeph-tui", *sys.argv[1:]]
runpy.run_module("zeph_tui", run_name="__main__", alter_sys=True)
"""
