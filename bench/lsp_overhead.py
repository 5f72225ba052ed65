"""How much time the LSP bridge adds on top of the server's own diagnostics latency.

Copies a real package (``textual`` from the running interpreter's
site-packages, a few hundred files) into a temporary project, then for N
edits of one module that alternately introduce and remove a type error:

* raw: a minimal client (``LspClient``, no bridge logic) sends didChange and
  times the arrival of publishDiagnostics for that version;
* bridge: ``LspBridge.open_or_change`` from call to report (didChange,
  didSave, wait, settle, delta, rendering).

Prints both medians and the overhead (bridge - raw); the target is <= 30 ms.

Usage: ``.venv/bin/python bench/lsp_overhead.py [--edits 30] [--server basedpyright]``
"""

from __future__ import annotations

import argparse
import asyncio
import importlib.util
import shutil
import statistics
import tempfile
import time
from pathlib import Path

from lsprotocol import types

from lsp_bridge import BUILTIN_SERVERS, LspBridge, detect
from lsp_bridge.client import LspClient

TARGET = "widgets/_button.py"
BAD_LINE = "_bench_error: int = 'not an int'\n"


def make_project(parent: Path) -> tuple[Path, Path]:
    spec = importlib.util.find_spec("textual")
    if spec is None or spec.origin is None:
        raise SystemExit("textual is not installed in this interpreter")
    root = parent / "proj"
    shutil.copytree(
        Path(spec.origin).parent, root / "textual", ignore=shutil.ignore_patterns("__pycache__")
    )
    (root / "pyproject.toml").write_text('[project]\nname = "bench"\nversion = "0"\n')
    return root, root / "textual" / TARGET


def texts(base: str, count: int) -> list[str]:
    """Alternately broken and clean versions, each distinct."""
    return [(BAD_LINE if i % 2 == 0 else "") + base + f"# edit {i}\n" for i in range(count)]


async def measure_raw(
    server_name: str, root: Path, path: Path, base: str, edits: list[str]
) -> list[float]:
    server = BUILTIN_SERVERS[server_name]
    detection = await detect(server)
    assert detection.executable is not None, detection.describe()
    client = LspClient(server, detection.executable, root)
    await client.start(timeout_s=60)
    uri = path.as_uri()
    try:
        item = types.TextDocumentItem(uri, "python", 1, base)
        client.notify(types.TEXT_DOCUMENT_DID_OPEN, types.DidOpenTextDocumentParams(item))
        await _wait_version(client, uri, 1, 0)
        samples: list[float] = []
        for version, text in enumerate(edits, start=2):
            seq0 = client.last_seq()
            ident = types.VersionedTextDocumentIdentifier(uri=uri, version=version)
            change = types.TextDocumentContentChangeWholeDocument(text=text)
            started = time.perf_counter()
            client.notify(
                types.TEXT_DOCUMENT_DID_CHANGE, types.DidChangeTextDocumentParams(ident, [change])
            )
            await _wait_version(client, uri, version, seq0)
            samples.append((time.perf_counter() - started) * 1000)
        return samples
    finally:
        await client.aclose()


async def _wait_version(client: LspClient, uri: str, version: int, seq0: int) -> None:
    deadline_s = time.monotonic() + 120
    while not any(p.seq > seq0 and p.version == version for p in client.publishes.get(uri, ())):
        if not await client.wait_changed(deadline_s):
            raise SystemExit(f"no publish for version {version}")


async def measure_bridge(
    server_name: str, root: Path, path: Path, base: str, edits: list[str]
) -> list[float]:
    samples: list[float] = []
    async with LspBridge(root, [server_name], diagnostics_timeout_s=120) as bridge:
        await bridge.open_or_change(path, base)
        for i, text in enumerate(edits):
            started = time.perf_counter()
            report = await bridge.open_or_change(path, text)
            samples.append((time.perf_counter() - started) * 1000)
            if report.pending:
                raise SystemExit(f"edit {i}: {report.text}")
            if i % 2 == 0 and not report.errors:
                raise SystemExit(f"edit {i}: the type error was not reported:\n{report.text}")
    return samples


async def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--edits", type=int, default=30)
    parser.add_argument("--server", default="basedpyright", choices=["basedpyright", "pyright"])
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root, path = make_project(Path(tmp))
        files = sum(1 for _ in root.rglob("*.py"))
        base = path.read_text()
        edits = texts(base, args.edits)
        raw = await measure_raw(args.server, root, path, base, edits)
        bridged = await measure_bridge(args.server, root, path, base, edits)
    # The first edits pay for the settle window the bridge has not yet learned away.
    raw_ms, bridge_ms = statistics.median(raw), statistics.median(bridged)
    print(f"project: textual copy, {files} .py files; server: {args.server}; edits: {args.edits}")
    print(
        f"raw didChange -> publishDiagnostics  median {raw_ms:7.1f} ms  (min {min(raw):.1f}, max {max(raw):.1f})"
    )
    print(
        f"bridge open_or_change -> report      median {bridge_ms:7.1f} ms  (min {min(bridged):.1f}, max {max(bridged):.1f})"
    )
    overhead = bridge_ms - raw_ms
    print(
        f"overhead (median bridge - median raw): {overhead:.1f} ms  target <= 30 ms: {'OK' if overhead <= 30 else 'OVER'}"
    )


if __name__ == "__main__":
    asyncio.run(main())
