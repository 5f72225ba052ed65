"""Property-based fuzzing of the acp agent over real pipes.

One echo-agent process receives thousands of random frames (raw bytes, random
text, random JSON, JSON-RPC-shaped objects with wrong types, truncated JSON,
unicode). After each example a ``_ping`` sentinel proves the agent is alive and
that every line it wrote so far is valid JSON-RPC 2.0 / ACP v1.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import os
import queue
import signal
import subprocess
import sys
import tempfile
import threading
from typing import IO, Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.acp_schema import AGENT_TO_CLIENT, CLIENT_TO_AGENT, validate_frame
from tests.fixtures_acp.peer import ECHO_AGENT, REPO_ROOT

EXAMPLES = 1500

_scalars = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=30)
)
json_values = st.recursive(
    _scalars,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4)
    ),
    max_leaves=12,
)
methods = (
    st.sampled_from(
        [
            "initialize",
            "authenticate",
            "session/new",
            "session/load",
            "session/list",
            "session/prompt",
            "session/cancel",
            "session/set_mode",
            "session/set_config_option",
            "session/update",
            "$/cancel_request",
            "fs/read_text_file",
            "",
            "_",
        ]
    )
    | st.text(max_size=20)
    | json_values
)
ids = st.none() | st.integers() | st.text(max_size=10) | st.floats() | st.booleans() | json_values
plausible_params = st.fixed_dictionaries(
    {},
    optional={
        "protocolVersion": st.integers(-5, 70000) | json_values,
        "sessionId": st.sampled_from(["sess-1", "sess-2"]) | json_values,
        "cwd": st.sampled_from(["/tmp"]) | json_values,
        "mcpServers": st.just([]) | json_values,
        "prompt": st.lists(
            st.fixed_dictionaries(
                {}, optional={"type": st.just("text") | json_values, "text": json_values}
            ),
            max_size=3,
        )
        | json_values,
        "requestId": ids,
        "modeId": json_values,
    },
)
rpc_like = st.fixed_dictionaries(
    {},
    optional={
        "jsonrpc": st.sampled_from(["2.0", "2.0", "1.0", 2, None]),
        "id": ids,
        "method": methods,
        "params": plausible_params | json_values,
        "result": json_values,
        "error": json_values,
    },
)


def _dump(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False).encode("utf-8", "surrogatepass")


frames = st.one_of(
    st.binary(max_size=300),
    st.text(max_size=200).map(lambda t: t.encode("utf-8", "surrogatepass")),
    json_values.map(_dump),
    rpc_like.map(_dump),
    st.tuples(rpc_like.map(_dump), st.integers(0, 400)).map(lambda p: p[0][: p[1]]),
    st.binary(max_size=50).map(lambda b: b'{"jsonrpc":"2.0","id":' + b + b"}"),
)


class FuzzAgent:
    """The echo agent under synchronous control, its stdout read by a thread."""

    def __init__(self) -> None:
        self.stderr_file: IO[bytes] = tempfile.TemporaryFile()  # noqa: SIM115 - closed in close()
        env = dict(os.environ, PYTHONPATH=str(REPO_ROOT))
        self.proc = subprocess.Popen(
            [sys.executable, str(ECHO_AGENT)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self.stderr_file,
            env=env,
            cwd=REPO_ROOT,
            start_new_session=True,
        )
        self.lines: queue.Queue[bytes] = queue.Queue()
        self.pending: dict[tuple[str, str], str] = {}
        self.seen = 0
        self._ids = itertools.count()
        self._thread = threading.Thread(target=self._pump, daemon=True)
        self._thread.start()

    def _pump(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.lines.put(line)
        self.lines.put(b"")

    def send(self, data: bytes) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write(data)
        self.proc.stdin.flush()

    def ping(self) -> None:
        """Send a sentinel request; check every line up to its answer."""
        sentinel = {"jsonrpc": "2.0", "id": f"sentinel-{next(self._ids)}", "method": "_ping"}
        validate_frame(CLIENT_TO_AGENT, sentinel, self.pending)
        self.send(json.dumps(sentinel).encode() + b"\n")
        while True:
            line = self.lines.get(timeout=20)
            assert line, "agent closed stdout"
            assert line.endswith(b"\n")
            frame = json.loads(line)  # valid UTF-8 JSON, one object per line
            validate_frame(AGENT_TO_CLIENT, frame, self.pending)
            self.seen += 1
            if frame.get("id") == sentinel["id"]:
                assert frame["result"] == {"pong": True}
                return

    def close(self) -> int:
        try:
            assert self.proc.stdin is not None
            self.proc.stdin.close()
            return self.proc.wait(timeout=10)
        finally:
            if self.proc.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
            self._thread.join(timeout=5)
            self.stderr_file.close()


def test_random_frames_never_corrupt_stdout_or_kill_the_agent() -> None:
    agent = FuzzAgent()
    sent = 0
    try:
        agent.ping()

        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        @given(batch=st.lists(frames, min_size=1, max_size=4))
        def fuzz(batch: list[bytes]) -> None:
            nonlocal sent
            agent.send(b"".join(frame + b"\n" for frame in batch))
            sent += len(batch)
            agent.ping()

        fuzz()
        assert agent.proc.poll() is None, "agent died"
        agent.send(
            b'{"jsonrpc":"2.0","id":"last","method":"session/new","params":{"cwd":"/tmp","mcpServers":[]}}\n'
        )
        agent.ping()
        assert sent >= 2 * EXAMPLES
        assert agent.seen >= EXAMPLES
    finally:
        code = agent.close()
    assert code == 0
