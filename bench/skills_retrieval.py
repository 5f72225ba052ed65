"""Benchmark skill retrieval: 500 synthetic skills, per-query latency and index build time.

Run: .venv/bin/python bench/skills_retrieval.py [--skills N] [--queries N]
Prints the index build time (SQLite FTS5), the median and p95 per-query latency
of ``SkillLibrary.search`` (target: <= 10 ms per query) and of ``catalog``, and
next to them ``bm25s`` (the ranking used before) on the same documents in the
same run: its import, build and query times and the ratios.
Exit code 0 (the figures are for reading, not a pass/fail gate).
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

_WORD_TEXT = (
    "test pytest fixture debug trace commit branch merge rebase review diff docs readme "
    "docstring package wheel build publish type mypy pyright profile memory cpu latency "
    "database sql migration schema index query cache redis http api client server rest "
    "graphql auth token oauth login session cookie docker container image kubernetes pod "
    "deploy release version changelog lint format ruff black style rename refactor extract "
    "module class function method variable async await task thread lock queue event stream "
    "file path json yaml toml csv parse serialize config env secret log metric alert error "
    "exception retry timeout network socket terminal shell bash script cron schedule email"
)
WORDS = _WORD_TEXT.split()


def bm25s_baseline(skills: list[Any], queries: list[str]) -> tuple[float, float, list[float]]:
    """Import, build and query times (ms) of ``bm25s`` over the same skills' text."""
    from zeph_tui.core.skills.retrieval import query_terms

    t0 = time.perf_counter()
    import bm25s

    import_ms = (time.perf_counter() - t0) * 1000
    docs = [
        query_terms(" ".join([s.name.replace("-", " "), s.description, *s.headings()]))
        for s in skills
    ]
    t0 = time.perf_counter()
    index = bm25s.BM25()
    index.index(docs, show_progress=False)
    build_ms = (time.perf_counter() - t0) * 1000
    vocab = index.vocab_dict
    search_ms: list[float] = []
    for q in queries:
        t0 = time.perf_counter()
        terms = [t for t in query_terms(q) if t in vocab]
        if terms:
            scores = index.get_scores(terms)
            scores.argsort()[::-1][:5]
        search_ms.append((time.perf_counter() - t0) * 1000)
    return import_ms, build_ms, search_ms


def make_skills(root: Path, count: int, rng: random.Random) -> None:
    for i in range(count):
        name = f"{rng.choice(WORDS)}-{rng.choice(WORDS)}-{i:04d}"
        desc = " ".join(rng.choice(WORDS) for _ in range(rng.randint(20, 45)))
        heads = "\n".join(f"## {rng.choice(WORDS)} {rng.choice(WORDS)}" for _ in range(5))
        folder = root / name
        folder.mkdir(parents=True)
        (folder / "SKILL.md").write_text(
            f"---\nname: {name}\ndescription: {desc}. Use when {rng.choice(WORDS)}.\n---\n"
            f"# {name}\n{heads}\n",
            encoding="utf-8",
        )


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--skills", type=int, default=500)
    parser.add_argument("--queries", type=int, default=300)
    args = parser.parse_args()

    from zeph_tui.core.skills import SkillLibrary

    rng = random.Random(1234)
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp)
        make_skills(base / "ws" / ".zeph" / "skills", args.skills, rng)
        t0 = time.perf_counter()
        lib = SkillLibrary(base / "ws", base / "home", bundled_dir=base / "no-bundled")
        load_ms = (time.perf_counter() - t0) * 1000
        assert len(lib.skills) == args.skills, (len(lib.skills), lib.problems[:3])

        t0 = time.perf_counter()
        lib.search("warm up the index")
        build_ms = (time.perf_counter() - t0) * 1000

        queries = [
            " ".join(rng.choice(WORDS) for _ in range(rng.randint(4, 25)))
            for _ in range(args.queries)
        ]
        search_ms: list[float] = []
        for q in queries:
            t0 = time.perf_counter()
            lib.search(q, k=5)
            search_ms.append((time.perf_counter() - t0) * 1000)
        catalog_ms: list[float] = []
        for q in queries[:100]:
            t0 = time.perf_counter()
            lib.catalog(q, 200_000)
            catalog_ms.append((time.perf_counter() - t0) * 1000)
        t0 = time.perf_counter()
        lib.reload_if_changed()
        check_ms = (time.perf_counter() - t0) * 1000
        base_import_ms, base_build_ms, base_search_ms = bm25s_baseline(
            list(lib.skills.values()), queries
        )

    print(f"skills: {args.skills}, queries: {len(queries)}")
    print(f"load (parse {args.skills} SKILL.md files): {load_ms:.1f} ms")
    print(f"index build, SQLite FTS5 (first search): {build_ms:.1f} ms")
    print(
        f"search latency: median {statistics.median(search_ms):.3f} ms, "
        f"p95 {pct(search_ms, 0.95):.3f} ms, max {max(search_ms):.3f} ms (target <= 10 ms)"
    )
    base_median = statistics.median(base_search_ms)
    print(
        f"baseline bm25s (same documents, same run): import {base_import_ms:.1f} ms, "
        f"build {base_build_ms:.1f} ms, search median {base_median:.3f} ms; "
        f"FTS5/bm25s: build {build_ms / (base_import_ms + base_build_ms):.2f}x (import included), "
        f"search {statistics.median(search_ms) / base_median:.2f}x"
    )
    print(
        f"catalog latency (200k window): median {statistics.median(catalog_ms):.3f} ms, "
        f"p95 {pct(catalog_ms, 0.95):.3f} ms"
    )
    print(f"reload_if_changed (no change): {check_ms:.2f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
