"""Importing ``acp`` and answering ``initialize`` pulls in no heavy package."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

from tests.acp_schema import validate
from tests.fixtures_acp.peer import REPO_ROOT
from tests.heavy_modules import HEAVY_MODULES

HEAVY = (*HEAVY_MODULES, "zeph_tui")

SCRIPT = textwrap.dedent(
    """
    import asyncio, json, sys, time
    started = time.perf_counter()
    import acp
    imported_ms = (time.perf_counter() - started) * 1000

    class Trivial(acp.BaseAgent):
        pass

    class Sink:
        def __init__(self):
            self.data = bytearray()
        def write(self, data):
            self.data.extend(data)
        async def drain(self):
            pass
        def close(self):
            pass

    async def main():
        reader = asyncio.StreamReader()
        reader.feed_data(b'{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":1}}\\n')
        reader.feed_eof()
        sink = Sink()
        await acp.AgentSideConnection(Trivial, reader, sink).run()
        return sink.data

    out = asyncio.run(main())
    heavy = sorted({name.split(".")[0] for name in sys.modules} & set(HEAVY))
    print(json.dumps({"response": json.loads(out), "heavy": heavy, "import_ms": imported_ms}))
    """
)


def test_acp_initialize_imports_nothing_heavy() -> None:
    completed = subprocess.run(
        [sys.executable, "-c", f"HEAVY = {HEAVY!r}\n{SCRIPT}"],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    report = json.loads(completed.stdout)
    assert report["heavy"] == []
    response = report["response"]
    assert response["id"] == 1
    validate("InitializeResponse", response["result"])
    assert response["result"]["protocolVersion"] == 1
    assert report["import_ms"] < 1000
