"""ACP over WebSocket and HTTP+SSE: ``zeph-tui acp --listen`` as a real server subprocess.

- a whole turn over each transport;
- a client that disconnects, reconnects and ``session/load``s its session
  (sessions outlive connections);
- a non-loopback bind (``0.0.0.0``, reached only via 127.0.0.1) refuses a
  missing or wrong bearer token and accepts the right one; without a token
  configured the server refuses to start (exit 2, one line);
- an oversize message is refused (WebSocket close 1009, HTTP 413);
- an idle WebSocket is pinged; a client that stops answering pings is closed
  (1011, keepalive ping timeout) after ``[network] ping_timeout_s``, and its
  session loads on a new connection;
- 20 concurrent sessions over one server.
Every agent frame is validated against the ACP v1 schema by the peers.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import websockets

from tests.fakes.anthropic_api import FakeAnthropic
from tests.fixtures_acp.network_peer import ListenServer, RawWsPeer, SsePeer, WsPeer
from tests.fixtures_acp.peer import REPO_ROOT
from tests.fixtures_acp.zeph_agent import INIT_NONE, agent_env, last_user_text

TOKEN = "s3cret-token-for-tests"


def echo(body: dict[str, Any], _index: int) -> dict[str, Any]:
    return {"blocks": [{"type": "text", "text": f"echo: {last_user_text(body)}"}]}


@pytest.fixture
async def fake() -> AsyncIterator[FakeAnthropic]:
    async with FakeAnthropic(echo) as server:
        yield server


@pytest.fixture
async def server(fake: FakeAnthropic) -> AsyncIterator[ListenServer]:
    listening = await ListenServer(agent_env(fake.base_url)).start()
    try:
        yield listening
    finally:
        code = await listening.stop()
        assert code in (0, 130), listening.stderr.decode(errors="replace")[-3000:]
        assert b"Traceback" not in listening.stderr, listening.stderr.decode()[-3000:]


def reply_text(updates: list[dict[str, Any]]) -> str:
    return "".join(
        u["content"]["text"] for u in updates if u["sessionUpdate"] == "agent_message_chunk"
    )


async def turn(peer: WsPeer | SsePeer | RawWsPeer, workspace: Path, text: str) -> str:
    await peer.ok("initialize", INIT_NONE)
    sid: str = (await peer.ok("session/new", {"cwd": str(workspace), "mcpServers": []}))[
        "sessionId"
    ]
    params = {"sessionId": sid, "prompt": [{"type": "text", "text": text}]}
    assert (await peer.ok("session/prompt", params)) == {"stopReason": "end_turn"}
    assert reply_text(peer.updates) == f"echo: {text}"
    return sid


async def load_and_prompt(server: ListenServer, workspace: Path, sid: str, first: str) -> None:
    """On a new WebSocket: ``session/load`` replays ``first``, and a next prompt runs."""
    again = await WsPeer.connect(server.url("/acp/ws", "ws"))
    try:
        await again.ok("initialize", INIT_NONE)
        await again.ok("session/load", {"sessionId": sid, "cwd": str(workspace), "mcpServers": []})
        replayed = [u for u in again.updates if u["sessionUpdate"] == "user_message_chunk"]
        assert replayed[0]["content"]["text"] == first
        again.updates.clear()
        params = {"sessionId": sid, "prompt": [{"type": "text", "text": "after reconnect"}]}
        assert (await again.ok("session/prompt", params)) == {"stopReason": "end_turn"}
        assert reply_text(again.updates) == "echo: after reconnect"
    finally:
        await again.close()


async def test_turn_over_websocket_then_reconnect_and_load(
    server: ListenServer, workspace: Path
) -> None:
    first = await WsPeer.connect(server.url("/acp/ws", "ws"))
    sid = await turn(first, workspace, "over websocket")
    await first.close()
    await load_and_prompt(server, workspace, sid, "over websocket")


async def test_turn_over_sse_then_reconnect_and_load(server: ListenServer, workspace: Path) -> None:
    first = await SsePeer.connect(server.url(""))
    sid = await turn(first, workspace, "over sse")
    await first.close()
    again = await SsePeer.connect(server.url(""))
    try:
        await again.ok("initialize", INIT_NONE)
        await again.ok("session/load", {"sessionId": sid, "cwd": str(workspace), "mcpServers": []})
        assert any(
            u["sessionUpdate"] == "agent_message_chunk" and "over sse" in u["content"]["text"]
            for u in again.updates
        )
    finally:
        await again.close()


async def test_oversize_messages_are_refused(server: ListenServer) -> None:
    big = "x" * (9 * 1024 * 1024)  # the limit is 8 MiB
    peer = await WsPeer.connect(server.url("/acp/ws", "ws"))
    await peer.ws.send('{"jsonrpc":"2.0","id":1,"method":"_x","params":"' + big + '"}')
    assert peer.reader is not None
    await peer.reader
    assert peer.ws.close_code == 1009
    sse = await SsePeer.connect(server.url(""))
    try:
        response = await sse.http.post(server.url(sse.endpoint), content=big)
        assert response.status_code == 413
        assert await sse.request("_still_there", {}) is not None  # the connection serves on
    finally:
        await sse.close()


PING_INTERVAL_S, PING_TIMEOUT_S = 0.2, 1.0


async def test_idle_websocket_is_pinged_and_a_silent_client_closed(
    fake: FakeAnthropic, workspace: Path, zeph_home: Path
) -> None:
    (zeph_home / "config.toml").write_text(
        f"[network]\nping_interval_s = {PING_INTERVAL_S}\nping_timeout_s = {PING_TIMEOUT_S}\n"
    )
    server = await ListenServer(agent_env(fake.base_url)).start()
    loop = asyncio.get_running_loop()
    try:
        peer = await RawWsPeer.connect(server.url("/acp/ws", "ws"))
        sid = await turn(peer, workspace, "before the pings")
        # idle, answering every ping: pinged again and again, open well past the timeout
        async with asyncio.timeout(30):
            await peer.wait_for_pings(peer.pings + round(2 * PING_TIMEOUT_S / PING_INTERVAL_S))
        assert not peer.closed.done()
        assert "result" in await peer.request("session/list", {})
        # silent from the next ping on: closed by the server, with the keepalive code
        peer.answering = False
        silent_from, silent_at = peer.pings, loop.time()
        async with asyncio.timeout(30):
            await peer.wait_for_pings(silent_from + 1)
        unanswered_at = loop.time()
        async with asyncio.timeout(30):
            assert await peer.closed == (1011, "keepalive ping timeout")
        waited_s = loop.time() - unanswered_at
        assert peer.pings == silent_from + 1  # no ping after the unanswered one
        assert waited_s >= 0.8 * PING_TIMEOUT_S, waited_s  # not before the timeout
        assert loop.time() - silent_at > PING_TIMEOUT_S
        await peer.close()
        await load_and_prompt(server, workspace, sid, "before the pings")
    finally:
        code = await server.stop()
        assert code in (0, 130), server.stderr.decode(errors="replace")[-3000:]
        assert b"Traceback" not in server.stderr, server.stderr.decode()[-3000:]


async def test_network_limits_come_from_the_config_section(zeph_home: Path) -> None:
    from zeph_tui.core import ConfigError, load_settings
    from zeph_tui.drivers.acp.network import NetworkOptions

    (zeph_home / "config.toml").write_text("[network]\nping_timeout_s = 3.5\nqueue_frames = 8\n")
    options = NetworkOptions.from_settings(load_settings().network, "tok")
    assert options == NetworkOptions(token="tok", ping_timeout_s=3.5, queue_frames=8)
    (zeph_home / "config.toml").write_text("[network]\nping_timeout_s = -1\n")
    with pytest.raises(ConfigError, match=r"network\.ping_timeout_s"):
        load_settings()


async def test_twenty_concurrent_sessions_over_one_server(
    server: ListenServer, workspace: Path
) -> None:
    peers = [await WsPeer.connect(server.url("/acp/ws", "ws")) for _ in range(20)]
    try:
        sids = await asyncio.gather(
            *(turn(peer, workspace, f"client {n}") for n, peer in enumerate(peers))
        )
        assert len(set(sids)) == 20
    finally:
        for peer in peers:
            await peer.close()


async def test_non_loopback_bind_needs_a_token(fake: FakeAnthropic, workspace: Path) -> None:
    env = agent_env(fake.base_url)
    refused = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "zeph_tui",
        "acp",
        "--listen",
        "0.0.0.0:0",
        env={k: v for k, v in env.items() if k != "ZEPH_ACP_TOKEN"},
        cwd=REPO_ROOT,
        stderr=asyncio.subprocess.PIPE,
    )
    _, err = await refused.communicate()
    assert refused.returncode == 2
    assert (
        err.decode()
        .strip()
        .endswith("set ZEPH_ACP_TOKEN (clients send it as 'Authorization: Bearer TOKEN')")
    )
    assert len(err.decode().strip().splitlines()) == 1
    guarded = await ListenServer(dict(env, ZEPH_ACP_TOKEN=TOKEN), host="0.0.0.0").start()
    try:
        for token in (None, "wrong-token"):
            with pytest.raises(websockets.InvalidStatus) as info:
                await WsPeer.connect(guarded.url("/acp/ws", "ws"), token)
            assert info.value.response.status_code == 403
            headers = {"Authorization": f"Bearer {token}"} if token else {}
            async with httpx.AsyncClient(headers=headers) as http:
                assert (await http.get(guarded.url("/acp/sse"))).status_code == 401
                post = await http.post(guarded.url("/acp/messages?connection=x"), content="{}")
                assert post.status_code == 401
        peer = await WsPeer.connect(guarded.url("/acp/ws", "ws"), TOKEN)
        try:
            await turn(peer, workspace, "with the token")
        finally:
            await peer.close()
        sse = await SsePeer.connect(guarded.url(""), TOKEN)
        try:
            await turn(sse, workspace, "sse with the token")
        finally:
            await sse.close()
    finally:
        await guarded.stop()


async def test_busy_or_malformed_address_is_one_line_and_exit_2(server: ListenServer) -> None:
    for listen in (f"127.0.0.1:{server.port}", "no-port"):
        proc = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "zeph_tui",
            "acp",
            "--listen",
            listen,
            env=server.env,
            cwd=REPO_ROOT,
            stderr=asyncio.subprocess.PIPE,
        )
        _, err = await proc.communicate()
        assert proc.returncode == 2, err
        lines = err.decode().strip().splitlines()
        assert len(lines) == 1, lines
        assert lines[0].startswith("zeph-tui acp: "), lines


async def test_queue_sink_back_pressure_and_stalled_reader() -> None:
    from zeph_tui.drivers.acp.network import QueueSink

    sink = QueueSink(limit_frames=4, stall_timeout_s=0.5)
    for n in range(4):
        sink.write(b"%d\n" % n)
    blocked = asyncio.create_task(sink.drain())
    await asyncio.sleep(0.05)
    assert not blocked.done()  # the writer waits for the reader
    for _ in range(3):
        sink.queue.get_nowait()
        sink.taken()
    await asyncio.wait_for(blocked, 1)
    for n in range(4):
        sink.write(b"%d\n" % n)
    with pytest.raises(ConnectionResetError):  # nobody reads: the connection is dropped
        await sink.drain()
    assert sink.closed
    with pytest.raises(ConnectionResetError):
        sink.write(b"late\n")
