"""A flood of >= 10,000 hostile frames into ONE ``zeph-tui acp`` process.

A seeded generator (reproducible: the seed is in the failure message) writes
batches mixing deep nesting, lone surrogates, NULs, truncated and split frames,
id collisions, responses to requests the agent never sent, wrong types, garbage
bytes, and cancel storms around real prompt turns (fake Messages API). Every
line the agent writes is decoded and checked against the ACP v1 schema by the
peer; at the end, each request has exactly the number of answers it must have
(one per request with that id, one ``id: null`` answer per unparsable line),
notifications and stray responses none, and the session still works.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import random
from collections import Counter
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from tests.fakes.anthropic_api import FakeAnthropic
from tests.fixtures_acp.peer import running
from tests.fixtures_acp.zeph_agent import INIT_NONE, ZephPeer, agent_env

SEED = 1313
FRAMES = int(os.environ.get("FLOOD_FRAMES", "10000"))
BATCH = 60
METHODS = ("session/list", "session/set_mode", "session/new", "_ext", "session/load", "nope")


def reply(body: dict[str, Any], index: int) -> dict[str, Any]:
    return {"blocks": [{"type": "text", "text": "flood reply"}]}


@pytest.fixture
async def fake() -> AsyncIterator[FakeAnthropic]:
    async with FakeAnthropic(reply) as server:
        yield server


def dumps(value: Any) -> bytes:
    return json.dumps(value).encode()


class Flood:
    """Generates frames and records how many answers each id must get."""

    def __init__(self, rng: random.Random, sid: str, cwd: str) -> None:
        self.rng = rng
        self.sid = sid
        self.cwd = cwd
        self.expected: Counter[str] = Counter()  # json(id) -> answers due
        self.frames = 0
        self._n = 0

    def _id(self) -> str:
        self._n += 1
        return f"f-{self._n}"

    def request(self, method: str, params: Any, request_id: Any = None) -> bytes:
        rid = self._id() if request_id is None else request_id
        self.expected[json.dumps(rid)] += 1
        frame = {"jsonrpc": "2.0", "id": rid, "method": method, "params": params}
        return dumps(frame)

    def null_answer(self, data: bytes) -> bytes:
        self.expected["null"] += 1
        return data

    def batch(self) -> list[bytes]:
        makers = [
            self.nested,
            self.surrogate,
            self.nul,
            self.truncated,
            self.collision,
            self.stray_response,
            self.wrong_types,
            self.garbage,
            self.notification,
        ]
        out: list[bytes] = []
        while len(out) < BATCH:
            out.extend(self.rng.choice(makers)())
        self.frames += len(out)
        return out

    def nested(self) -> list[bytes]:
        depth = self.rng.choice((1500, 3000, 10_000))
        if self.rng.random() < 0.5:
            return [self.null_answer(b"[" * depth + b"]" * depth)]
        head = b'{"jsonrpc":"2.0","id":"deep","method":"_x","params":'
        shallow = self.rng.randint(50, 400)  # parses: answered with its id
        params = b'{"a":' * shallow + b"1" + b"}" * shallow
        deep = self.null_answer(head + b"[" * depth + b"]" * depth + b"}")
        rid = self._id()
        self.expected[json.dumps(rid)] += 1
        return [
            deep,
            b'{"jsonrpc":"2.0","id":"'
            + rid.encode()
            + b'","method":"_x","params":'
            + params
            + b"}",
        ]

    def surrogate(self) -> list[bytes]:
        escape = self.rng.choice(("\\ud800", "\\udfff", "\\ud83d"))
        rid = self._id()
        self.expected[json.dumps(rid)] += 1
        where = self.rng.choice(("text", "sid", "cwd"))
        if where == "text":
            params = f'{{"sessionId":"{self.sid}","prompt":[{{"type":"text","text":"x{escape}"}}]}}'
            method = "session/prompt"
        elif where == "sid":
            params = f'{{"sessionId":"s{escape}","prompt":[]}}'
            method = "session/prompt"
        else:
            params = f'{{"cwd":"/tmp/{escape}","mcpServers":[]}}'
            method = "session/new"
        frame = f'{{"jsonrpc":"2.0","id":"{rid}","method":"{method}","params":{params}}}'
        bad_id = self.null_answer(f'{{"jsonrpc":"2.0","id":"{escape}","method":"_x"}}'.encode())
        return [frame.encode(), bad_id]

    def nul(self) -> list[bytes]:
        escaped = self.request(
            "session/prompt",
            {"sessionId": "sess_missing\u0000", "prompt": [{"type": "text", "text": "a\u0000b"}]},
        )
        raw = self.null_answer(b'{"jsonrpc":"2.0","id":"r","method":"_x","params":"a\x00b"}')
        return [escaped, raw, self.null_answer(b"\x00")]

    def truncated(self) -> list[bytes]:
        whole = dumps({"jsonrpc": "2.0", "id": "t", "method": "session/list", "params": {}})
        return [self.null_answer(whole[: self.rng.randint(1, len(whole) - 2)])]

    def collision(self) -> list[bytes]:
        rid = f"dup-{self._id()}"
        method = self.rng.choice(METHODS)
        params = {"sessionId": self.sid, "modeId": "bypass"} if method != "_ext" else {}
        return [self.request(method, params, rid) for _ in range(self.rng.randint(2, 3))]

    def stray_response(self) -> list[bytes]:
        rid: Any = self.rng.choice((999_999, "f-0", 0, None))
        if self.rng.random() < 0.5:
            return [dumps({"jsonrpc": "2.0", "id": rid, "result": {"content": "x"}})]
        return [dumps({"jsonrpc": "2.0", "id": rid, "error": {"code": -1, "message": "no"}})]

    def wrong_types(self) -> list[bytes]:
        sid, cwd = self.sid, self.cwd
        choices: list[tuple[str, Any]] = [
            ("session/new", {"cwd": 5, "mcpServers": []}),
            ("session/new", {"cwd": cwd, "mcpServers": [{"name": "m", "command": "x", "env": 5}]}),
            ("session/prompt", {"sessionId": sid, "prompt": "hi"}),
            ("initialize", {"protocolVersion": "one"}),
            ("session/set_config_option", {"sessionId": sid, "configId": 7}),
            ("float-id", None),
            ("old-jsonrpc", None),
        ]
        method, params = self.rng.choice(choices)
        if method == "float-id":
            return [self.null_answer(dumps({"jsonrpc": "2.0", "id": 1.5, "method": "_x"}))]
        if method == "old-jsonrpc":
            rid = self._id()
            self.expected[json.dumps(rid)] += 1
            return [dumps({"jsonrpc": "1.0", "id": rid, "method": "_x"})]
        return [self.request(method, params)]

    def garbage(self) -> list[bytes]:
        alphabet = b'abcxyz019 :,[]"\\\xff\xfe\x80'
        size = self.rng.randint(1, 200)
        data = bytes(self.rng.choice(alphabet) for _ in range(size))
        data = b"#" + data  # never blank, never an object
        return [self.null_answer(data)]

    def notification(self) -> list[bytes]:
        choices = [
            {"jsonrpc": "2.0", "method": "session/cancel", "params": {"sessionId": self.sid}},
            {"jsonrpc": "2.0", "method": "session/cancel", "params": 5},
            {"jsonrpc": "2.0", "method": "$/cancel_request", "params": {"requestId": "f-1"}},
            {"jsonrpc": "2.0", "method": "$/cancel_request", "params": [1]},
            {"jsonrpc": "2.0", "method": "_note", "params": [1]},
            {"jsonrpc": "2.0", "method": "session/update", "params": {}},
        ]
        return [dumps(self.rng.choice(choices))]

    def cancel_storm(self) -> list[bytes]:
        rid = self._id()
        self.expected[json.dumps(rid)] += 1
        prompt = {"sessionId": self.sid, "prompt": [{"type": "text", "text": "storm"}]}
        frames = [
            dumps({"jsonrpc": "2.0", "id": rid, "method": "session/prompt", "params": prompt})
        ]
        for _ in range(self.rng.randint(5, 20)):
            if self.rng.random() < 0.7:
                frames.append(
                    dumps(
                        {
                            "jsonrpc": "2.0",
                            "method": "session/cancel",
                            "params": {"sessionId": self.sid},
                        }
                    )
                )
            else:
                frames.append(
                    dumps(
                        {
                            "jsonrpc": "2.0",
                            "method": "$/cancel_request",
                            "params": {"requestId": rid},
                        }
                    )
                )
        self.frames += len(frames)
        return frames


async def write_split(peer: ZephPeer, rng: random.Random, frames: list[bytes]) -> None:
    """Write the frames as one stream cut at random byte offsets (frames split across writes)."""
    data = b"".join(frame + b"\n" for frame in frames)
    start = 0
    while start < len(data):
        end = min(len(data), start + rng.randint(1, 64 * 1024))
        await peer.send_bytes(data[start:end])
        start = end


def counted(peer: ZephPeer) -> Counter[str]:
    frames = [json.loads(line) for line in peer.lines]
    return Counter(json.dumps(f.get("id")) for f in frames if "method" not in f)


async def test_ten_thousand_hostile_frames_in_one_process(
    fake: FakeAnthropic, workspace: Path
) -> None:
    rng = random.Random(SEED)
    async with running(ZephPeer(agent_env(fake.base_url))) as peer:
        await peer.ok("initialize", INIT_NONE)
        sid = (await peer.ok("session/new", {"cwd": str(workspace), "mcpServers": []}))["sessionId"]
        flood = Flood(rng, sid, str(workspace))
        baseline = counted(peer)
        rounds = 0
        while flood.frames < FRAMES:
            frames = flood.batch()
            if rounds % 8 == 0:
                frames.extend(flood.cancel_storm())
            await write_split(peer, rng, frames)
            rounds += 1
            sentinel = await peer.request("_sentinel", {}, check=False, timeout_s=60)
            assert sentinel["error"]["code"] == -32601, (SEED, rounds)
            flood.expected[json.dumps(sentinel["id"])] += 1
        with contextlib.suppress(TimeoutError):  # the comparison below names what is missing
            async with asyncio.timeout(60):
                while True:
                    got = counted(peer) - baseline
                    if all(got[key] >= due for key, due in flood.expected.items()):
                        break
                    await asyncio.sleep(0.2)
        await asyncio.sleep(0.5)  # nothing extra trickles in
        got = counted(peer) - baseline
        assert flood.frames >= FRAMES
        wrong = {k: (got[k], v) for k, v in flood.expected.items() if got[k] != v}
        extra = {k: n for k, n in got.items() if k not in flood.expected}
        assert not wrong and not extra, (SEED, wrong, extra)
        result = await peer.ok(
            "session/prompt", {"sessionId": sid, "prompt": [{"type": "text", "text": "after"}]}
        )
        assert result == {"stopReason": "end_turn"}
