"""Benchmark: rename with call sites end to end vs the bare server's rename request.

Generates a Python project with ``--modules`` modules (default 48), each
calling ``core.compute`` and defining a class whose method is also named
``compute`` (must stay untouched), then measures with basedpyright (or the
default Python server) in one run:

- bare: the server's own ``textDocument/prepareRename`` + ``textDocument/rename``
  through one :class:`~lsp_bridge.LspBridge` (one hop), warm, and cold (a
  new bridge that opens the file and waits for its analysis first: a rename
  sent right after didOpen returns a partial edit); the warm bare runs are
  taken both before and after the face's, on the same files;
- dry run, cold (new bridge, servers starting) and warm (same bridge);
- applied, cold and warm: plan + atomic write of every file + server sync
  + diagnostics delta;
- the LSP face (``zeph-tui lsp`` in a subprocess, a real pygls client):
  cold (face just started, ``prepareRename`` + ``rename`` sent right after
  didOpen, so the reply includes the servers' start and index) and warm
  (after the face said the document is analysed): the ``rename`` reply
  alone, and ``prepareRename`` + ``rename`` as Neovim sends them. The
  client answers the Apply/Cancel question at once, applies the edit,
  saves, and waits for the face's diagnostics line before the next rename.

Each face figure is printed with its ratio to the bare server's (paired, same
run). Usage: ``.venv/bin/python bench/rename.py [--modules N] [--repeat R]
[--cold N] [--server NAME]``. Targets: warm applied end to end <= 1.5 s; LSP
face warm prepareRename + rename <= 1 s and <= 1.3x the bare server's.
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from lsp_bridge import LspBridge
from tests.faces.lsp.face_client import FaceClient
from zeph_tui.core.code.rename import apply_rename, plan_rename
from zeph_tui.drivers.lsp_face.server import WARM_PREFIX

_DIAGNOSED = "diagnostics after renaming"


def generate(root: Path, modules: int) -> Path:
    pkg = root / "app"
    pkg.mkdir(parents=True)
    (root / "pyproject.toml").write_text('[project]\nname = "app"\nversion = "0"\n')
    (pkg / "__init__.py").write_text("")
    (pkg / "core.py").write_text(
        "def compute(x: int) -> int:\n    return x * 2\n\n\n"
        "class Engine:\n    def compute(self) -> int:\n        return compute(3)\n"
    )
    for i in range(modules):
        (pkg / f"mod{i:03d}.py").write_text(
            f"from app.core import compute\n\n\n"
            f"class Worker{i}:\n"
            f"    def __init__(self) -> None:\n        self.compute = {i}\n\n"
            f"    def run(self, n: int) -> int:\n        return compute(n) + self.compute\n\n\n"
            f"def helper{i}(n: int) -> int:\n    return compute(n + {i})\n"
        )
    return pkg / "core.py"


async def timed(work: Callable[[], Awaitable[object]]) -> float:
    start = time.perf_counter()
    await work()
    return (time.perf_counter() - start) * 1000


async def face_cold(root: Path, core: Path, new: str) -> float:
    """A fresh face: prepareRename + rename right after didOpen, ms to the rename reply."""
    face = FaceClient(root)
    await face.start()
    try:
        uri = face.open(core)
        start = time.perf_counter()
        await face.prepare(uri, 0, 4)
        edit = await face.rename(uri, 0, 4, new)
        elapsed_ms = (time.perf_counter() - start) * 1000
        assert edit is not None, face.messages
        face.apply(edit)
        await face.wait_log(_DIAGNOSED)
    finally:
        await face.stop()
    return elapsed_ms


async def face_warm(
    root: Path, core: Path, names: Iterator[str], repeat: int, add: Callable[[str, float], None]
) -> str:
    """One face, warm: each rename's reply times; returns the last name."""
    face = FaceClient(root)
    await face.start()
    new = ""
    try:
        uri = face.open(core)
        await face.wait_log(WARM_PREFIX)
        for i in range(repeat):
            new = next(names)
            start = time.perf_counter()
            await face.prepare(uri, 0, 4)
            prepared = time.perf_counter()
            edit = await face.rename(uri, 0, 4, new)
            done = time.perf_counter()
            assert edit is not None, face.messages
            add("face warm, rename", (done - prepared) * 1000)
            add("face warm, prep+rename", (done - start) * 1000)
            face.apply(edit)
            await face.wait_log(_DIAGNOSED, count=i + 1)
    finally:
        await face.stop()
    return new


async def bare_cold(root: Path, core: Path, servers: list[str] | None, new: str) -> float:
    """A fresh bridge: open the file, wait for its analysis, prepareRename + rename (ms)."""
    start = time.perf_counter()
    async with LspBridge(root, servers) as bridge:
        text = await asyncio.to_thread(core.read_text)
        await bridge.open_or_change(core, text, save=False)
        await bridge.prepare_rename(core, 1, 5)
        await bridge.rename(core, 1, 5, new)
        return (time.perf_counter() - start) * 1000


async def bare_warm(bridge: LspBridge, core: Path, add: Callable[[str, float], None]) -> None:
    """The server's own requests through one warm bridge, as a client sends them."""
    start = time.perf_counter()
    await bridge.prepare_rename(core, 1, 5)
    prepared = time.perf_counter()
    await bridge.rename(core, 1, 5, "x_new")
    done = time.perf_counter()
    add("bare warm, rename", (done - prepared) * 1000)
    add("bare warm, prep+rename", (done - start) * 1000)


async def run(
    modules: int, repeat: int, cold: int, servers: list[str] | None
) -> dict[str, list[float]]:
    figures: dict[str, list[float]] = {}

    def add(name: str, ms: float) -> None:
        figures.setdefault(name, []).append(ms)

    with tempfile.TemporaryDirectory() as tmp:
        core = generate(Path(tmp) / "proj", modules)
        root = core.parents[1]
        names = iter(f"compute_v{i}" for i in range(1000))
        current = "compute"
        for _ in range(cold):  # cold: a fresh bridge or face each time, paired
            add("bare cold, prep+rename", await bare_cold(root, core, servers, "x_new"))
            new = next(names)
            add("face cold, prep+rename", await face_cold(root, core, new))
            current = new
            async with LspBridge(root, servers) as bridge:
                add("dry run, cold", await timed(lambda: plan_rename(bridge, core, 1, 5, "x_new")))
            async with LspBridge(root, servers) as bridge:
                new = next(names)

                async def applied(bridge: LspBridge = bridge, new: str = new) -> None:
                    plan = await plan_rename(bridge, core, 1, 5, new)
                    await apply_rename(bridge, plan)

                add("applied, cold", await timed(applied))
                current = new
        async with LspBridge(root, servers) as bridge:
            await plan_rename(bridge, core, 1, 5, "warmup")
            for _ in range(repeat):
                await bare_warm(bridge, core, add)
                add("dry run, warm", await timed(lambda: plan_rename(bridge, core, 1, 5, "x_new")))
                new = next(names)

                async def applied_warm(bridge: LspBridge = bridge, new: str = new) -> None:
                    plan = await plan_rename(bridge, core, 1, 5, new)
                    outcome = await apply_rename(bridge, plan)
                    assert len(outcome.files_changed) == modules + 1, outcome.files_changed
                    assert not [d for d in outcome.new if d.severity == "error"], outcome.new

                add("applied, warm", await timed(applied_warm))
                current = new
            # the face's warm renames, each followed by the bare server's on the same files
            face_names = [next(names) for _ in range(repeat)]
            current = await face_warm(root, core, iter(face_names), repeat, add)
            for _ in range(repeat):
                await bridge.sync_from_disk(sorted(root.rglob("*.py")))
                await bare_warm(bridge, core, add)
        text = (root / "app" / "mod000.py").read_text()
        assert f"return {current}(n) + self.compute" in text, text
        shutil.rmtree(root)
    return figures


def _ratio(figures: dict[str, list[float]], face: str, bare: str) -> tuple[float, float, float]:
    f, b = statistics.median(figures[face]), statistics.median(figures[bare])
    return f, b, f / b if b else float("inf")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--modules", type=int, default=48)
    parser.add_argument("--repeat", type=int, default=5, help="warm runs of each measure")
    parser.add_argument("--cold", type=int, default=2, help="cold runs (new bridge / new face)")
    parser.add_argument("--server", default="basedpyright", help="'' for the defaults")
    args = parser.parse_args()
    servers = [args.server] if args.server else None
    figures = asyncio.run(run(args.modules, args.repeat, max(args.cold, 1), servers))
    print(
        f"rename across {args.modules + 1} files, {args.repeat} warm and {args.cold} cold runs, "
        f"server {args.server}"
    )
    print(f"{'measure':<24} {'median ms':>10} {'min ms':>8} {'max ms':>8}")
    for name, values in sorted(figures.items()):
        print(
            f"{name:<24} {statistics.median(values):>10.0f} {min(values):>8.0f} {max(values):>8.0f}"
        )
    warm = statistics.median(figures["applied, warm"])
    print(f"warm applied end to end: {warm:.0f} ms (target <= 1500 ms): "
          f"{'OK' if warm <= 1500 else 'OVER'}")  # fmt: skip
    for what, face, bare, target in (
        ("warm prepareRename + rename", "face warm, prep+rename", "bare warm, prep+rename", 1.3),
        ("warm rename reply", "face warm, rename", "bare warm, rename", 1.3),
        ("cold prepareRename + rename", "face cold, prep+rename", "bare cold, prep+rename", None),
    ):
        f, b, ratio = _ratio(figures, face, bare)
        verdict = ""
        if target is not None:
            ok = f <= 1000 and ratio <= target
            verdict = f" (targets <= 1000 ms and <= {target}x): {'OK' if ok else 'OVER'}"
        print(f"LSP face {what}: {f:.0f} ms = {ratio:.2f}x the bare server's {b:.0f} ms{verdict}")


if __name__ == "__main__":
    main()
