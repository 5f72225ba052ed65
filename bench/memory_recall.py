"""Benchmark memory retrieval: recall@3 on the labelled set, latency at 10,000 memories.

Run: .venv/bin/python bench/memory_recall.py [--memories N] [--queries N]

1. Quality: the 56 memories of ``bench/memory_recall_set.json`` are stored in
   a fresh database (project scope) and each of its labelled queries is
   searched; recall@1 and recall@3 (the expected memory among the first 1 / 3)
   are printed, with the misses. The set was written before the ranking was
   tuned (git history: the set's commit precedes the retrieval code's).
2. Speed: the same memories plus synthetic ones (10,000 in all by default) of
   random words, a third drawn from the labelled memories' own words so that
   they compete for the same queries, in two projects, aged 0..400 days; the median and p95 latency of
   ``MemoryStore.search`` over the labelled queries (target: p95 <= 20 ms),
   and recall@3 again at that size. The baseline measured in the same run is
   the latency at 56 memories; the ratio is printed.
3. The same figures for ``MemoryStore.recall`` (what the ``recall`` tool and
   the prompt section answer: the hits, then memories related through shared
   entities; recall@3 counts its first three), against ``search`` in the same
   run, and the one-time extraction of the graph of the bulk-loaded memories.
Exit code 0 (figures for reading, not a gate).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import statistics
import tempfile
import time
from pathlib import Path

from zeph_tui.core.memory import MemoryDraft, MemoryStore
from zeph_tui.core.store import open_store

SET = Path(__file__).with_name("memory_recall_set.json")
PROJECT = "/work/project-a"
OTHER = "/work/project-b"
_VOCAB = [
    "build",
    "cache",
    "deploy",
    "error",
    "flaky",
    "fixture",
    "graph",
    "index",
    "kernel",
    "ledger",
    "module",
    "network",
    "option",
    "parser",
    "queue",
    "render",
    "schema",
    "socket",
    "thread",
    "token",
    "update",
    "vector",
    "widget",
    "yaml",
    "alpha",
    "bravo",
    "charlie",
    "delta",
    "echo",
    "foxtrot",
    "golf",
    "hotel",
    "india",
    "juliet",
    "kilo",
    "lima",
    "mike",
    "november",
    "oscar",
    "papa",
    "quebec",
    "romeo",
    "sierra",
    "tango",
    "uniform",
    "victor",
    "whiskey",
    "xray",
    "yankee",
    "zulu",
]


async def _fill(store: MemoryStore, memories: dict[str, str]) -> dict[int, str]:
    ids = {}
    for key, text in memories.items():
        written = await store.remember(MemoryDraft(text), project=PROJECT)
        ids[written.memory.id] = key
    return ids


async def _synthetic(
    store: MemoryStore, count: int, rng: random.Random, labelled: dict[str, str]
) -> None:
    """Distractors: random words, a third of them from the labelled memories' own words."""
    now = time.time()
    real = sorted({w for text in labelled.values() for w in text.lower().split() if len(w) > 3})
    rows = []
    for i in range(count):
        pick = [
            rng.choice(real if rng.random() < 0.33 else _VOCAB) for _ in range(rng.randint(8, 20))
        ]
        words = " ".join(pick)
        project = PROJECT if i % 2 else OTHER
        age_s = rng.uniform(0, 400) * 86400
        rows.append(("project", project, "note", f"{words} #{i}", rng.random(), now - age_s))
    async with store.db.transaction() as conn:  # bulk load: the validator is not under test
        await conn.executemany(
            "INSERT INTO memories (scope, project, kind, text, importance, created_at, "
            "updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
            [(*r, r[-1]) for r in rows],
        )


async def _measure(
    store: MemoryStore, queries: list[list[str]], ids: dict[int, str], graph: bool = False
) -> tuple[float, float, list[float], list[str]]:
    hit1 = hit3 = 0
    latencies, misses = [], []
    for query, expected in queries:
        start = time.perf_counter()
        if graph:
            found = (await store.recall(query, project=PROJECT, limit=3)).memories[:3]
        else:
            found = await store.search(query, project=PROJECT, limit=3)
        latencies.append((time.perf_counter() - start) * 1000)
        keys = [ids.get(m.id, "?") for m in found]
        hit1 += keys[:1] == [expected]
        hit3 += expected in keys
        if expected not in keys:
            misses.append(f"{query!r}: expected {expected}, got {keys}")
    n = len(queries)
    return hit1 / n, hit3 / n, latencies, misses


def _p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[-1]


async def main(total: int, repeat: int) -> None:
    data = json.loads(SET.read_text())
    memories, queries = data["memories"], data["queries"]
    rng = random.Random(17)
    with tempfile.TemporaryDirectory() as tmp:
        store_db = await open_store(Path(tmp) / "zeph.db")
        store = MemoryStore(store_db.db)
        ids = await _fill(store, memories)
        print(f"labelled set: {len(memories)} memories, {len(queries)} queries")
        small = {}
        for graph in (False, True):
            r1, r3, small[graph], misses = await _measure(store, queries * repeat, ids, graph)
            name = "recall (graph)" if graph else "search"
            print(f"{name}: recall@1 = {r1:.3f}   recall@3 = {r3:.3f}")
            for miss in dict.fromkeys(misses):
                print(f"  miss {miss}")
        await _synthetic(store, max(0, total - len(memories)), rng, memories)
        start = time.perf_counter()
        extracted = await MemoryStore(store_db.db).ensure_graph()
        print(f"graph of {extracted} bulk-loaded memories: {time.perf_counter() - start:.2f} s")
        for graph in (False, True):
            big_r1, big_r3, lat, _ = await _measure(store, queries * repeat, ids, graph)
            base_med, med = statistics.median(small[graph]), statistics.median(lat)
            name = "recall (graph)" if graph else "search"
            print(f"{name} at {total}: recall@1 = {big_r1:.3f}   recall@3 = {big_r3:.3f}")
            print(
                f"  latency: median {med:.2f} ms, p95 {_p95(lat):.2f} ms "
                f"(baseline at {len(memories)} memories: median {base_med:.2f} ms, "
                f"p95 {_p95(small[graph]):.2f} ms; ratio {med / base_med:.1f}x)"
            )
        await store_db.close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--memories", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3, help="passes over the queries")
    args = parser.parse_args()
    asyncio.run(main(args.memories, args.repeat))
