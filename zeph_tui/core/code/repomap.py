"""Repository map: a ranked outline of a source tree that fits a token budget.

In the manner of aider's repo map. :func:`build_repo_map` walks the tree,
outlines each source file with :mod:`zeph_tui.core.code.outline`, ranks files and
symbols, and renders as many as the budget allows::

    src/server.py:
      class Server
        def start(self, port: int) -> None
      def main() -> int

Ranking (see :func:`build_repo_map`):

- references: file A links to file B when A mentions a name B defines
  (weighted ``1/len(definers)``); a personalised PageRank (power iteration
  with numpy) runs over that graph.
- task relevance: BM25 (``bm25s``) of the task text against each file's path,
  symbol names and identifiers, split into sub-words (``parseHTTPRequest``
  gives ``parse``, ``http``, ``request``); names quoted exactly in the task
  weigh more.
- focus paths (files being edited) seed the PageRank and rank first.

Token estimate: ``ceil(len(text) / 4)`` characters per token, the usual
rule of thumb for English and code with BPE tokenizers; the rendered text
never exceeds the budget under that estimate.

Which files and what each holds (the walk, ``.gitignore`` handling and the
outline cache) live in ``_repomap_scan``. Outlines are cached in memory per
file, keyed by ``(path, mtime_ns, size)``.
The function is synchronous and CPU-bound: call it through
``asyncio.to_thread`` from async code.
"""

from __future__ import annotations

import math
import os
import re
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from zeph_tui.core.code._repomap_scan import (
    CLASS_KINDS,
    MAX_FILE_BYTES,
    SKIP_DIRS,
    WORD,
    FileInfo,
    file_info,
    subwords,
    walk,
)
from zeph_tui.core.code.outline import Symbol
from zeph_tui.core.errors import ZephError

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

__all__ = [
    "CHARS_PER_TOKEN",
    "MAX_FILE_BYTES",
    "SKIP_DIRS",
    "RankedFile",
    "RankedSymbol",
    "RepoMap",
    "build_repo_map",
    "estimate_tokens",
]

CHARS_PER_TOKEN = 4
"""Characters per token used by :func:`estimate_tokens`."""

_STOPWORDS = frozenset(
    {
        "the", "and", "for", "with", "that", "this", "from", "into", "when", "what", "which",
        "where", "how", "why", "are", "was", "were", "has", "have", "not", "but", "all", "any",
        "can", "should", "would", "will", "its", "our", "your", "their", "then", "than", "there",
        "these", "those", "does", "did", "use", "using", "make", "sure", "please", "also", "only",
        "just",
    }
)  # fmt: skip
_MAX_DEFINERS = 25
_WORKERS = min(4, os.cpu_count() or 1)


@dataclass(frozen=True, slots=True)
class RankedFile:
    """A source file with its rank scores.

    Attributes:
        path: Relative to the map's root.
        score: Combined score used for ordering (higher first).
        reference_score: PageRank over the reference graph, scaled so the best file has 1.0.
        task_score: BM25 relevance to the task, scaled so the best file has 1.0 (0 without task).
    """

    path: Path
    score: float
    reference_score: float
    task_score: float


@dataclass(frozen=True, slots=True)
class RankedSymbol:
    """A symbol shown in the map. ``path`` is relative to the map's root."""

    path: Path
    symbol: Symbol
    score: float


@dataclass(frozen=True, slots=True)
class RepoMap:
    """A rendered repository map.

    Attributes:
        text: The outline: ``path:`` lines, then symbol signatures indented
            two spaces per nesting level; ``""`` when nothing fits.
        files: Every source file found, best first.
        symbols: The symbols rendered in ``text``, best first.
        budget_tokens: The budget the text was fitted to.
    """

    text: str
    files: tuple[RankedFile, ...]
    symbols: tuple[RankedSymbol, ...]
    budget_tokens: int

    @property
    def tokens(self) -> int:
        """Estimated tokens of :attr:`text` (:func:`estimate_tokens`)."""
        return estimate_tokens(self.text)


def estimate_tokens(text: str) -> int:
    """Estimate the tokens of ``text`` as ``ceil(len(text) / CHARS_PER_TOKEN)``."""
    return -(-len(text) // CHARS_PER_TOKEN)


# --------------------------------------------------------------------------- ranking


def _pagerank(
    edges: dict[tuple[int, int], float], personal: npt.NDArray[np.float64], damping: float = 0.85
) -> npt.NDArray[np.float64]:
    """Personalised PageRank by power iteration; dangling mass goes back to ``personal``."""
    import numpy as np

    n = len(personal)
    p: npt.NDArray[np.float64] = personal / personal.sum()
    if not edges:
        return p
    src = np.fromiter((e[0] for e in edges), dtype=np.int64, count=len(edges))
    dst = np.fromiter((e[1] for e in edges), dtype=np.int64, count=len(edges))
    weight = np.fromiter(edges.values(), dtype=np.float64, count=len(edges))
    out_weight = np.bincount(src, weights=weight, minlength=n)
    share = weight / out_weight[src]
    dangling = out_weight == 0
    rank: npt.NDArray[np.float64] = p.copy()
    for _ in range(100):
        flow = np.bincount(dst, weights=rank[src] * share, minlength=n)
        new: npt.NDArray[np.float64] = (
            damping * (flow + rank[dangling].sum() * p) + (1 - damping) * p
        )
        done = float(np.abs(new - rank).sum()) < 1e-9
        rank = new
        if done:
            break
    return rank


def _task_scores(docs: list[list[str]], task_tokens: list[str]) -> npt.NDArray[np.float64]:
    import numpy as np

    if not task_tokens or not docs:
        return np.zeros(len(docs))
    import bm25s

    retriever = bm25s.BM25()
    retriever.index(docs, show_progress=False)
    return np.asarray(retriever.get_scores(task_tokens), dtype=np.float64)


def _scaled(values: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    top = float(values.max()) if len(values) else 0.0
    return values / top if top > 0 else values * 0.0


def _document(path: Path, info: FileInfo) -> list[str]:
    tokens = [t for part in path.with_suffix("").parts for t in subwords(part) * 3]
    tokens.extend(info.tokens)
    return tokens


def _symbol_score(
    symbol: Symbol, file_score: float, refs: int, max_refs: int, task: tuple[set[str], set[str]]
) -> float:
    task_words, task_tokens = task
    importance = 0.6 if symbol.parent is None else 0.3
    importance += 0.5 * math.log1p(refs) / math.log1p(max(max_refs, 1))
    if task_tokens:
        name_tokens = set(subwords(symbol.name))
        importance += len(name_tokens & task_tokens) / max(len(name_tokens), 1)
    if symbol.name in task_words:
        importance += 2.0
    if symbol.name.startswith("_"):
        importance *= 0.5
    return file_score * importance


# --------------------------------------------------------------------------- rendering


def _render(
    chosen: Sequence[RankedSymbol], file_order: dict[Path, int], extra_files: Sequence[Path]
) -> str:
    by_file: dict[Path, set[Symbol]] = {}
    for item in chosen:
        by_file.setdefault(item.path, set()).add(item.symbol)
    lines: list[str] = []
    for path in sorted(by_file, key=file_order.__getitem__):
        symbols = by_file[path]
        lines.append(f"{path.as_posix()}:")
        for symbol in sorted(symbols, key=lambda s: (s.line_start, s.parent is not None)):
            indent = "    " if symbol.parent else "  "
            lines.append(indent + symbol.signature)
    lines.extend(f"{path.as_posix()}:" for path in extra_files)
    return "\n".join(lines) + "\n" if lines else ""


def _with_parents(
    prefix: Sequence[RankedSymbol], owners: dict[tuple[Path, str], RankedSymbol]
) -> list[RankedSymbol]:
    """Add the class line of every chosen member whose class was not chosen."""
    chosen = list(prefix)
    seen = {(item.path, item.symbol) for item in chosen}
    for item in prefix:
        if item.symbol.parent is None:
            continue
        owner = owners.get((item.path, item.symbol.parent))
        if owner is not None and (owner.path, owner.symbol) not in seen:
            seen.add((owner.path, owner.symbol))
            chosen.append(owner)
    return chosen


def _fit(
    ranked: list[RankedSymbol], files: Sequence[RankedFile], budget_tokens: int
) -> tuple[str, list[RankedSymbol]]:
    """Largest prefix of ``ranked`` whose rendering fits, then file names that still fit."""
    order = {f.path: i for i, f in enumerate(files)}
    owners = {
        (r.path, r.symbol.name): r
        for r in ranked
        if r.symbol.parent is None and r.symbol.kind in CLASS_KINDS
    }
    low, high = 0, len(ranked)
    while low < high:  # invariant: a prefix of ``low`` symbols fits
        mid = (low + high + 1) // 2
        text = _render(_with_parents(ranked[:mid], owners), order, ())
        if estimate_tokens(text) <= budget_tokens:
            low = mid
        else:
            high = mid - 1
    chosen = _with_parents(ranked[:low], owners)
    text = _render(chosen, order, ())
    shown = {item.path for item in chosen}
    extra: list[Path] = []
    used_chars = len(text)
    for ranked_file in files:
        line_chars = len(ranked_file.path.as_posix()) + 2
        if ranked_file.path in shown:
            continue
        if estimate_tokens("x" * (used_chars + line_chars)) > budget_tokens:
            break
        extra.append(ranked_file.path)
        used_chars += line_chars
    text = _render(chosen, order, extra)
    chosen.sort(key=lambda item: -item.score)
    return text, chosen


# --------------------------------------------------------------------------- entry point


def _task_terms(task: str) -> tuple[set[str], list[str]]:
    """Exact identifiers quoted in the task, and its lower-case sub-word tokens."""
    words = set(WORD.findall(task))
    tokens = [
        token
        for word in re.findall(r"[A-Za-z0-9_]+", task)
        for token in subwords(word)
        if token not in _STOPWORDS
    ]
    return words, tokens


def _reference_graph(
    infos: Sequence[FileInfo],
) -> tuple[dict[tuple[int, int], float], dict[str, int], dict[str, int]]:
    """Edges ``(mentioning file, defining file) -> weight``; mentions and definers per name."""
    definers: dict[str, list[int]] = {}
    for index, info in enumerate(infos):
        for symbol in info.symbols:
            if len(symbol.name) < 3 or symbol.name.startswith("__"):
                continue
            owners = definers.setdefault(symbol.name, [])
            if not owners or owners[-1] != index:
                owners.append(index)
    # A name defined in very many files (``render``, ``run``) says little about which.
    names = frozenset(name for name, owners in definers.items() if len(owners) <= _MAX_DEFINERS)
    edges: dict[tuple[int, int], float] = {}
    mentions: dict[str, int] = {}
    for index, info in enumerate(infos):
        for name in info.words & names:
            mentions[name] = mentions.get(name, 0) + 1
            owners = definers[name]
            weight = 1.0 / len(owners)
            for owner in owners:
                if owner != index:
                    edges[index, owner] = edges.get((index, owner), 0.0) + weight
    return edges, mentions, {name: len(owners) for name, owners in definers.items()}


def build_repo_map(
    root: Path,
    *,
    task: str = "",
    budget_tokens: int = 2048,
    focus_paths: Sequence[Path] = (),
) -> RepoMap:
    """Build a ranked outline of the source files under ``root`` within a token budget.

    Walks ``root`` (skipping :data:`SKIP_DIRS`, ``*.egg-info``, paths matched
    by a ``.gitignore`` (root or nested; needs ``pathspec``), files over :data:`MAX_FILE_BYTES`, binary
    files and files of no known language), outlines every file, ranks them
    and fits the rendering to ``budget_tokens``.

    File score: ``0.5 * reference + task + mention + 2 * focus`` where
    ``reference`` is a PageRank over the reference graph personalised by task
    relevance and focus, ``task`` the BM25 score of the task text (both
    scaled to ``[0, 1]``), ``mention`` 1 when the task names one of the
    file's symbols or its file name exactly, ``focus`` 1 for a focus path.
    Symbols are ranked by their file's score times their own importance
    (top level over members, references from other files, overlap with the
    task, exact mention, a penalty for ``_private`` names); the longest
    prefix of that ranking that fits is rendered (a member brings its class
    line along), then file names that still fit.

    Args:
        root: Directory to map.
        task: Free text of the current task; empty ranks by references only.
        budget_tokens: Maximum of :func:`estimate_tokens` of the text.
        focus_paths: Files being worked on, absolute or relative to ``root``.

    Returns:
        The map; ``RepoMap.tokens <= budget_tokens`` always holds.

    Raises:
        ZephError: ``root`` is not a directory, or ``budget_tokens`` is negative.
    """
    import numpy as np

    if budget_tokens < 0:
        raise ZephError(f"repo map budget must be >= 0 tokens, got {budget_tokens}")
    root = Path(root).resolve()
    if not root.is_dir():
        raise ZephError(f"repo map root is not a directory: {root}")
    paths: list[Path] = []
    infos: list[FileInfo] = []
    found = list(walk(root))
    with ThreadPoolExecutor(max_workers=_WORKERS) as pool:  # parsing releases the GIL
        read = list(pool.map(lambda entry: file_info(*entry), found))
    for (path, _), info in zip(found, read, strict=True):
        if info is not None:
            paths.append(path.relative_to(root))
            infos.append(info)
    if not paths:
        return RepoMap("", (), (), budget_tokens)

    task_words, task_tokens = _task_terms(task)
    task_score = _scaled(
        _task_scores([_document(p, i) for p, i in zip(paths, infos, strict=True)], task_tokens)
    )
    focus_set = {(root / f).resolve() for f in focus_paths}
    focus = np.array([float(root / p in focus_set) for p in paths])
    mention = np.array(
        [
            float(
                p.stem in task_words
                or p.name in task
                or any(s.name in task_words for s in i.symbols)
            )
            for p, i in zip(paths, infos, strict=True)
        ]
    )
    edges, mentions, definer_counts = _reference_graph(infos)
    personal = 1.0 + 5.0 * task_score + 5.0 * mention + 10.0 * focus
    reference = _scaled(_pagerank(edges, personal))
    score = 0.5 * reference + task_score + mention + 2.0 * focus

    files = sorted(
        (
            RankedFile(path, float(score[i]), float(reference[i]), float(task_score[i]))
            for i, path in enumerate(paths)
        ),
        key=lambda f: (-f.score, f.path),
    )
    refs = {n: max(c - definer_counts.get(n, 0), 0) for n, c in mentions.items()}
    max_refs = max(refs.values(), default=0)
    terms = (task_words, set(task_tokens))
    ranked = sorted(
        (
            RankedSymbol(
                path, s, _symbol_score(s, float(score[i]), refs.get(s.name, 0), max_refs, terms)
            )
            for i, (path, info) in enumerate(zip(paths, infos, strict=True))
            for s in info.symbols
        ),
        key=lambda r: (-r.score, r.path, r.symbol.line_start),
    )
    text, chosen = _fit(ranked, files, budget_tokens)
    return RepoMap(text, tuple(files), tuple(chosen), budget_tokens)
