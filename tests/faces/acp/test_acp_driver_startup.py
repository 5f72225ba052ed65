"""``zeph-tui acp`` start-up: ``initialize`` is answered before any heavy import.

The agent runs as ``python -X importtime -m zeph_tui acp``; the import log on
stderr up to the ``initialize`` response must name none of the shared
:data:`tests.heavy_modules.HEAVY_MODULES` (nor the core runtime); see
test_acp_session_open.py for what ``session/new`` may load.
"""

from __future__ import annotations

import asyncio
import json
import re

from tests.acp_schema import CLIENT_TO_AGENT, validate_frame
from tests.fixtures_acp.argv_peer import ArgvPeer
from tests.fixtures_acp.zeph_agent import INIT_FULL, agent_env
from tests.heavy_modules import HEAVY_MODULES

HEAVY = (*HEAVY_MODULES, "zeph_tui.core.runtime")


def ImportTimePeer(env: dict[str, str]) -> ArgvPeer:
    """The agent under ``python -X importtime -m zeph_tui acp`` (the log goes to stderr)."""
    return ArgvPeer(env, ["-X", "importtime", "-m", "zeph_tui", "acp"])


def imported(log: bytes) -> set[str]:
    """Module names in a ``-X importtime`` log."""
    pattern = rb"^import time:\s+\d+ \|\s+\d+ \|\s*([\w.]+)\s*$"
    return {m.group(1).decode() for m in re.finditer(pattern, log, re.MULTILINE)}


async def test_initialize_before_heavy_imports() -> None:
    peer = await ImportTimePeer(agent_env("http://127.0.0.1:9")).start()
    try:
        init = await peer.request("initialize", INIT_FULL)
        assert init["result"]["protocolVersion"] == 1
        # the stderr pipe may lag: a second round trip flushes what came before
        await peer.request("session/list", {"cwd": "/nonexistent"})
    finally:
        await peer.close()
    peer.check_all()
    log = bytes(peer.stderr)
    # the first core module after the driver marks the first session request (the lazy
    # runtime import reports its own line only once all its children are done, possibly
    # after EOF); the CLI's start-up (safety.keys) loads a few light core modules before
    driver = re.search(rb"\| +zeph_tui\.drivers\.acp\s*$", log, re.MULTILINE)
    assert driver is not None, "the ACP driver was never imported"
    core = re.compile(rb"\| +zeph_tui\.core(\.|\s*$)", re.MULTILINE).search(log, driver.end())
    cut = core.start() if core else -1
    before = log[:cut] if cut >= 0 else log
    modules = imported(before)
    assert "acp" in modules
    assert "zeph_tui.drivers.acp" in modules
    heavy = sorted(m for m in modules if any(m == h or m.startswith(h + ".") for h in HEAVY))
    assert heavy == [], heavy
    assert cut >= 0, "session/list should have loaded the core"


async def test_first_write_with_several_frames() -> None:
    """initialize answered early; frames read along with it are still served, in order."""
    peer = await ImportTimePeer(agent_env("http://127.0.0.1:9")).start()
    try:
        init = peer.expect_response(1)
        ext = peer.expect_response(2)
        listed = peer.expect_response(3)
        frames = [
            {"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": INIT_FULL},
            {"jsonrpc": "2.0", "id": 2, "method": "_nope", "params": {}},
            {"jsonrpc": "2.0", "id": 3, "method": "session/list", "params": {}},
        ]
        for frame in frames:
            validate_frame(CLIENT_TO_AGENT, frame, peer.pending_methods)
        await peer.send_bytes(b"".join(json.dumps(f).encode() + b"\n" for f in frames))
        assert (await asyncio.wait_for(init, 15))["result"]["agentInfo"]["name"] == "zeph-tui"
        assert (await asyncio.wait_for(ext, 15))["error"]["code"] == -32601
        assert (await asyncio.wait_for(listed, 15))["result"] == {"sessions": []}
        assert [json.loads(line)["id"] for line in peer.lines] == [1, 2, 3]
    finally:
        assert await peer.close() == 0
    peer.check_all()
