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
  didOpen, so the reply includes the servers' start and index);
- warm, like for like, interleaved round by round (the order rotates), each
  side on its own copy of the project (same files, same names) so no side
  sees the other's writes:

  - bare: a client of the server alone (one :class:`~lsp_bridge.LspBridge`,
    one hop) sends ``prepareRename`` + ``rename`` ("reply") and applies the
    server's edit to the files ("complete");
  - face asks: ``zeph-tui lsp`` with a client without
    ``changeAnnotationSupport`` (Neovim, Helix): the face asks Apply/Cancel
    with ``window/showMessageRequest``, which the bench's client answers at
    once; a bare rename has no such question, hence also:
  - face annotations: a client with ``changeAnnotationSupport`` (VS Code):
    no question on the reply path (the client shows the confirmation).

  "complete" = reply + the same client-side apply (``apply_edit``) on both
  sides. Between rounds each side settles outside the timing: the face
  client waits for the face's diagnostics line; the bare client opens every
  changed file with its new text and waits for its diagnostics (the state
  the face's own servers reach), so every rename, bare or face, runs on a
  project its server re-analysed after the previous rename's writes.

Each face figure is printed with its ratio to the bare server's (medians of
the same run), and the median of the ratios round by round (each round's
three sides run back to back, so they share that moment's load). Usage: ``.venv/bin/python bench/rename.py [--modules N] [--repeat R]
[--cold N] [--server NAME] [--profile DIR]`` (``--profile``: each warm face
writes a cProfile to ``DIR/face-warm-asks.prof`` / ``face-warm-annotations.prof``).
Targets: warm applied end to end <= 1.5 s; LSP face warm complete rename
<= 1 s and <= 1.3x the bare server's complete rename.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from lsp_bridge import LspBridge
from tests.faces.lsp.face_client import FaceClient, apply_edit
from zeph_tui.core.code.rename import apply_rename, plan_rename
from zeph_tui.core.code.rename_sync import sync_target
from zeph_tui.drivers.lsp_face import PROFILE_ENV
from zeph_tui.drivers.lsp_face.server import WARM_PREFIX

_DIAGNOSED = "diagnostics after renaming"

Adder = Callable[[str, float], None]


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


async def bare_cold(root: Path, core: Path, servers: list[str] | None, new: str) -> float:
    """A fresh bridge: open the file, wait for its analysis, prepareRename + rename (ms)."""
    start = time.perf_counter()
    async with LspBridge(root, servers) as bridge:
        text = await asyncio.to_thread(core.read_text)
        await bridge.open_or_change(core, text, save=False)
        await bridge.prepare_rename(core, 1, 5)
        await bridge.rename(core, 1, 5, new)
        return (time.perf_counter() - start) * 1000


class Side:
    """One side of the warm comparison: its own copy of the project and its current name."""

    def __init__(self, label: str, core: Path) -> None:
        self.label = label
        self.core = core
        self.root = core.parents[1]
        self.current = "compute"
        self.renames = 0


def _add_round(
    add: Adder, label: str, start: float, prepared: float, replied: float, done: float
) -> None:
    add(f"{label}, rename", (replied - prepared) * 1000)
    add(f"{label}, reply", (replied - start) * 1000)
    add(f"{label}, complete", (done - start) * 1000)


async def bare_round(bridge: LspBridge, side: Side, new: str, add: Adder) -> None:
    """The server alone: prepareRename + rename, apply; then settle (untimed)."""
    start = time.perf_counter()
    await bridge.prepare_rename(side.core, 1, 5)
    prepared = time.perf_counter()
    edit = await bridge.rename(side.core, 1, 5, new)
    replied = time.perf_counter()
    texts = apply_edit(edit)
    done = time.perf_counter()
    _add_round(add, side.label, start, prepared, replied, done)
    side.current = new
    async with asyncio.TaskGroup() as group:  # what the face's own servers get too
        for path, text in texts.items():
            group.create_task(bridge.open_or_change(path, text, save=True))


async def face_round(face: FaceClient, side: Side, uri: str, new: str, add: Adder) -> None:
    """The face: prepareRename + rename as Neovim sends them, apply; then settle (untimed)."""
    start = time.perf_counter()
    await face.prepare(uri, 0, 4)
    prepared = time.perf_counter()
    edit = await face.rename(uri, 0, 4, new)
    replied = time.perf_counter()
    assert edit is not None, face.messages
    face.apply(edit)
    done = time.perf_counter()
    _add_round(add, side.label, start, prepared, replied, done)
    side.current = new
    side.renames += 1
    await face.wait_log(_DIAGNOSED, count=side.renames)


async def start_face(
    side: Side, profile: Path | None, *, annotations: bool
) -> tuple[FaceClient, str]:
    """A warm face on ``side``'s copy (its cProfile to ``profile`` when given)."""
    face = FaceClient(side.root, annotations=annotations)
    if profile is not None:
        os.environ[PROFILE_ENV] = str(profile / f"{side.label.replace(' ', '-')}.prof")
    try:
        await face.start()
    finally:
        os.environ.pop(PROFILE_ENV, None)
    uri = face.open(side.core)
    await face.wait_log(WARM_PREFIX)
    return face, uri


async def warm_rounds(
    tmp: Path,
    modules: int,
    repeat: int,
    servers: list[str] | None,
    profile: Path | None,
    add: Adder,
) -> list[Side]:
    """The three sides on their own copies: one untimed rename each, then ``repeat`` rounds."""
    bare = Side("bare warm", generate(tmp / "bare", modules))
    asks = Side("face warm asks", generate(tmp / "asks", modules))
    notes = Side("face warm annotations", generate(tmp / "annotations", modules))
    names = (f"compute_w{i}" for i in range(1000))
    async with LspBridge(bare.root, servers) as bridge:
        await sync_target(bridge, bare.core)  # opened, analysed, servers idle
        face_a, uri_a = await start_face(asks, profile, annotations=False)
        face_n, uri_n = await start_face(notes, profile, annotations=True)
        try:
            rounds: list[Callable[[str, Adder], Awaitable[None]]] = [
                lambda new, add: bare_round(bridge, bare, new, add),
                lambda new, add: face_round(face_a, asks, uri_a, new, add),
                lambda new, add: face_round(face_n, notes, uri_n, new, add),
            ]
            warmup = next(names)
            for work in rounds:  # the first rename of each side is not timed
                await work(warmup, lambda name, ms: None)
            for i in range(repeat):
                new = next(names)
                for work in rounds[i % 3 :] + rounds[: i % 3]:
                    await work(new, add)
        finally:
            await face_a.stop()
            await face_n.stop()
    return [bare, asks, notes]


async def run(
    modules: int, repeat: int, cold: int, servers: list[str] | None, profile: Path | None
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
                add("dry run, warm", await timed(lambda: plan_rename(bridge, core, 1, 5, "x_new")))
                new = next(names)

                async def applied_warm(bridge: LspBridge = bridge, new: str = new) -> None:
                    plan = await plan_rename(bridge, core, 1, 5, new)
                    outcome = await apply_rename(bridge, plan)
                    assert len(outcome.files_changed) == modules + 1, outcome.files_changed
                    assert not [d for d in outcome.new if d.severity == "error"], outcome.new

                add("applied, warm", await timed(applied_warm))
                current = new
        for side in await warm_rounds(Path(tmp), modules, repeat, servers, profile, add):
            text = (side.root / "app" / "mod000.py").read_text()
            assert f"return {side.current}(n) + self.compute" in text, (side.label, text)
        text = (root / "app" / "mod000.py").read_text()
        assert f"return {current}(n) + self.compute" in text, text
        shutil.rmtree(root)
    return figures


def _ratio(figures: dict[str, list[float]], face: str, bare: str) -> tuple[float, float, float]:
    f, b = statistics.median(figures[face]), statistics.median(figures[bare])
    return f, b, f / b if b else float("inf")


def _paired(figures: dict[str, list[float]], face: str, bare: str) -> float:
    """Median over the warm rounds of face / bare measured in the same round (load shared)."""
    return statistics.median(f / b for f, b in zip(figures[face], figures[bare], strict=True))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--modules", type=int, default=48)
    parser.add_argument("--repeat", type=int, default=5, help="warm runs of each measure")
    parser.add_argument("--cold", type=int, default=2, help="cold runs (new bridge / new face)")
    parser.add_argument("--server", default="basedpyright", help="'' for the defaults")
    parser.add_argument("--profile", type=Path, help="directory for the warm faces' cProfiles")
    args = parser.parse_args()
    servers = [args.server] if args.server else None
    if args.profile is not None:
        args.profile.mkdir(parents=True, exist_ok=True)
    figures = asyncio.run(run(args.modules, args.repeat, max(args.cold, 1), servers, args.profile))
    print(
        f"rename across {args.modules + 1} files, {args.repeat} warm rounds and {args.cold} cold "
        f"runs, server {args.server}, load {os.getloadavg()[0]:.2f}"
    )
    print(f"{'measure':<34} {'median ms':>10} {'min ms':>8} {'max ms':>8}")
    for name, values in sorted(figures.items()):
        print(
            f"{name:<34} {statistics.median(values):>10.0f} {min(values):>8.0f} {max(values):>8.0f}"
        )
    warm = statistics.median(figures["applied, warm"])
    print(f"warm applied end to end: {warm:.0f} ms (target <= 1500 ms): "
          f"{'OK' if warm <= 1500 else 'OVER'}")  # fmt: skip
    for face in ("face warm asks", "face warm annotations"):
        for what, target in (("complete", 1.3), ("reply", None), ("rename", None)):
            f, b, ratio = _ratio(figures, f"{face}, {what}", f"bare warm, {what}")
            paired = _paired(figures, f"{face}, {what}", f"bare warm, {what}")
            verdict = ""
            if target is not None:
                ok = f <= 1000 and ratio <= target
                verdict = f" (targets <= 1000 ms and <= {target}x): {'OK' if ok else 'OVER'}"
            print(
                f"{face}, {what}: {f:.0f} ms = {ratio:.2f}x the bare server's {b:.0f} ms"
                f" (round by round {paired:.2f}x){verdict}"
            )
    f, b, ratio = _ratio(figures, "face cold, prep+rename", "bare cold, prep+rename")
    print(
        f"face cold prepareRename + rename: {f:.0f} ms = {ratio:.2f}x the bare server's {b:.0f} ms"
    )


if __name__ == "__main__":
    main()
