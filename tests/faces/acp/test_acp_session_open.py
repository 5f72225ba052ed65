"""ACP ``session/new`` on the lean open path (DESIGN.md "Session open path").

The real agent runs under an audit hook that records every import with the
warm-up it belongs to (:func:`tests.heavy_modules.import_recorder`): before
and beside its answer ``session/new`` imports no heavy module but settings
and the store; the provider's SDK loads in the provider's warm-up; no module
of another provider ever loads. A provider whose SDK cannot be imported
answers ``session/new`` and reports the error on the first prompt.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import pytest

from tests.fakes.anthropic_api import FakeAnthropic
from tests.fakes.openai_api import MODEL, FakeOpenAI
from tests.fixtures_acp.argv_peer import ArgvPeer
from tests.fixtures_acp.peer import REPO_ROOT
from tests.fixtures_acp.zeph_agent import INIT_FULL, agent_env
from tests.heavy_modules import (
    PROVIDER_MODULES,
    SESSION_OPEN_NEEDS,
    WARMUPS_DO_NOT_LOAD,
    heavy_in,
    import_recorder,
)
from tests.procs import child_pids


class RecordingPeer(ArgvPeer):
    """``zeph-tui acp ARGS`` under the import recorder, its log at ``log``."""

    def __init__(self, env: dict[str, str], log: Path, args: list[str]) -> None:
        super().__init__(env, ["-c", import_recorder(str(log)), "acp", *args])
        self.log = log

    async def start(self, script: Path | None = None) -> RecordingPeer:
        await super().start(script)
        return self

    def imports(self) -> list[tuple[str, str | None]]:
        return [(name, key) for name, key in json.loads(self.log.read_text())]


async def first_prompt_error(env: dict[str, str], tmp_path: Path, args: list[str]) -> str:
    """Open a session and prompt it; the prompt must fail with -32603: its message.

    The agent still exits with 0 when the client closes.
    """
    peer = await RecordingPeer(env, tmp_path / "imports.json", args).start()
    try:
        frame = await _open_and_prompt(peer, tmp_path, prompt=True)
    finally:
        assert await peer.close() == 0
    assert frame is not None
    assert frame["error"]["code"] == -32603, frame
    return str(frame["error"]["message"])


async def _open_and_prompt(peer: RecordingPeer, cwd: Path, prompt: bool) -> dict[str, Any] | None:
    await peer.ok("initialize", INIT_FULL)
    new = await peer.ok("session/new", {"cwd": str(cwd), "mcpServers": []}, timeout_s=60)
    assert new["sessionId"].startswith("sess_")
    if not prompt:
        return None
    params = {"sessionId": new["sessionId"], "prompt": [{"type": "text", "text": "hi"}]}
    frame: dict[str, Any] = await peer.request("session/prompt", params, timeout_s=120)
    return frame


def _check_imports(imports: list[tuple[str, str | None]], provider: str) -> None:
    """Nothing heavy but settings and the store outside warm-ups; no foreign provider at all."""
    critical = [name for name, key in imports if key is None]
    assert heavy_in(critical, allow=SESSION_OPEN_NEEDS) == [], "imported outside warm-ups"
    own = set(PROVIDER_MODULES[provider])
    foreign = {m for p, mods in PROVIDER_MODULES.items() if p != provider for m in mods} - own
    loaded = set(heavy_in(name for name, _ in imports))
    assert not loaded & (foreign | {"textual", "rich"})
    assert not loaded & set(WARMUPS_DO_NOT_LOAD), "no language servers, repo map or BM25 here"


@pytest.mark.parametrize("provider", ["anthropic", "openai"])
async def test_session_new_defers_the_provider_sdk_to_its_warmup(
    provider: str, tmp_path: Path
) -> None:
    reply = {"blocks": [{"type": "text", "text": "hello"}]}
    async with FakeAnthropic([reply]) as fake_anthropic:
        with FakeOpenAI() as fake_openai:
            env = agent_env(fake_anthropic.base_url)
            env.update(ZEPH_HOME=str(tmp_path / "home"), OPENAI_BASE_URL=fake_openai.base_url)
            args = ["--provider", provider] + (["--model", MODEL] if provider == "openai" else [])
            peer = await RecordingPeer(env, tmp_path / "imports.json", args).start()
            try:
                frame = await _open_and_prompt(peer, tmp_path, prompt=True)
            finally:
                await peer.close()
    assert frame is not None
    assert frame["result"] == {"stopReason": "end_turn"}, frame
    imports = peer.imports()
    _check_imports(imports, provider)
    if provider == "anthropic":  # 200k window: the whole catalog fits, no BM25 index
        assert "bm25s" not in heavy_in(name for name, _ in imports)
    sdk = PROVIDER_MODULES[provider][0]
    keys = {key for name, key in imports if name.split(".", 1)[0] == sdk}
    assert len(keys) == 1  # the whole SDK (the lean import records its modules, not the package)
    assert (next(iter(keys)) or "").startswith("provider:"), keys  # loaded by the warm-up
    assert heavy_in(name for name, _ in imports) == sorted(
        {*SESSION_OPEN_NEEDS, *PROVIDER_MODULES[provider]}
    ), "nothing but the store and the provider's own modules (repo map: in a child)"


async def test_local_session_new_imports_no_remote_sdk(tmp_path: Path) -> None:
    env = agent_env("http://127.0.0.1:9")
    env["ZEPH_HOME"] = str(tmp_path / "home")
    peer = await RecordingPeer(env, tmp_path / "imports.json", ["--provider", "local"]).start()
    try:
        await _open_and_prompt(peer, tmp_path, prompt=False)
    finally:
        assert await peer.close() == 0
    _check_imports(peer.imports(), "local")


async def test_broken_sdk_answers_session_new_and_fails_the_first_prompt(tmp_path: Path) -> None:
    shadow = tmp_path / "shadow" / "anthropic"
    shadow.mkdir(parents=True)
    (shadow / "__init__.py").write_text('raise ImportError("the SDK is broken for this test")\n')
    env = agent_env("http://127.0.0.1:9")
    env.update(ZEPH_HOME=str(tmp_path / "home"), PYTHONPATH=f"{shadow.parent}:{REPO_ROOT}")
    message = await first_prompt_error(env, tmp_path, ["--provider", "anthropic"])
    assert "anthropic: cannot load the SDK" in message
    assert "the SDK is broken for this test" in message


def _user_texts(body: dict[str, Any]) -> list[str]:
    """The text of every user message block in one Messages API request body."""
    texts: list[str] = []
    for message in body["messages"]:
        if message["role"] != "user":
            continue
        content = message["content"]
        blocks = [{"type": "text", "text": content}] if isinstance(content, str) else content
        texts += [b["text"] for b in blocks if b.get("type") == "text"]
    return texts


async def test_prompts_sent_before_the_session_is_ready_reach_the_provider_once(
    tmp_path: Path,
) -> None:
    """A prompt right after ``session/new`` (the SDK still importing in its warm-up) and
    one pipelined behind ``session/load`` before its answer are each delivered once."""
    replies = [{"blocks": [{"type": "text", "text": t}]} for t in ("one", "two")]
    async with FakeAnthropic(replies) as fake:
        env = agent_env(fake.base_url)
        env["ZEPH_HOME"] = str(tmp_path / "home")
        args = ["--provider", "anthropic"]
        peer = await RecordingPeer(env, tmp_path / "imports.json", args).start()
        try:
            await peer.ok("initialize", INIT_FULL)
            new = await peer.ok("session/new", {"cwd": str(tmp_path), "mcpServers": []})
            sid = new["sessionId"]
            first = await peer.request(
                "session/prompt",
                {"sessionId": sid, "prompt": [{"type": "text", "text": "first"}]},
                timeout_s=120,
            )
            await peer.ok("session/close", {"sessionId": sid})
            load_params = {"sessionId": sid, "cwd": str(tmp_path), "mcpServers": []}
            _, loaded = await peer.start_request("session/load", load_params)
            _, second = await peer.start_request(
                "session/prompt", {"sessionId": sid, "prompt": [{"type": "text", "text": "second"}]}
            )
            async with asyncio.timeout(120):
                load_frame, second_frame = await asyncio.gather(loaded, second)
        finally:
            assert await peer.close() == 0
    assert first["result"] == {"stopReason": "end_turn"}, first
    assert "result" in load_frame, load_frame
    assert second_frame["result"] == {"stopReason": "end_turn"}, second_frame
    assert len(fake.requests) == 2
    assert _user_texts(fake.requests[0]) == ["first"]
    assert _user_texts(fake.requests[1]).count("second") == 1
    assert _user_texts(fake.requests[1]).count("first") == 1
    peer.check_all()


async def test_close_during_the_model_load_leaves_no_warmup_or_child(tmp_path: Path) -> None:
    """``session/close`` while the local model loads: the agent then has no child process,
    and EOF right after ends it cleanly (exit 0) with nothing left running."""
    env = agent_env("http://127.0.0.1:9")
    env["ZEPH_HOME"] = str(tmp_path / "home")
    peer = await RecordingPeer(env, tmp_path / "imports.json", ["--provider", "local"]).start()
    try:
        await peer.ok("initialize", INIT_FULL)
        new = await peer.ok("session/new", {"cwd": str(tmp_path), "mcpServers": []}, timeout_s=60)
        await peer.ok("session/close", {"sessionId": new["sessionId"]})
        assert peer.proc is not None
        assert child_pids(peer.proc.pid) == []
    finally:
        assert await peer.close() == 0
    assert peer.proc is not None and peer.proc.returncode == 0


async def test_broken_model_file_answers_session_new_and_fails_the_first_prompt(
    tmp_path: Path,
) -> None:
    """The local model's load (its warm-up) fails on a file that is no GGUF: the session
    still opens, and the first prompt ends with the load error instead of hanging."""
    broken = tmp_path / "broken.gguf"
    broken.write_bytes(b"this is not a GGUF model\n" * 64)
    env = agent_env("http://127.0.0.1:9")
    env["ZEPH_HOME"] = str(tmp_path / "home")
    args = ["--provider", "local", "--model", str(broken)]
    assert f"local: cannot load {broken}" in await first_prompt_error(env, tmp_path, args)


async def test_bad_config_fails_each_session_new_after_a_prestart(tmp_path: Path) -> None:
    """The runtime starts right after ``initialize``; a bad config.toml still fails each
    ``session/new`` with the one-line error (the pre-start swallows nothing for good)."""
    env = agent_env("http://127.0.0.1:9")
    env["ZEPH_HOME"] = str(tmp_path / "home")
    (tmp_path / "home").mkdir()
    (tmp_path / "home" / "config.toml").write_text("[limits]\nmax_tokens = 0\n")
    peer = await RecordingPeer(env, tmp_path / "imports.json", ["--provider", "local"]).start()
    try:
        await peer.ok("initialize", INIT_FULL)
        await asyncio.sleep(0.5)  # the pre-start has run (and failed)
        for _ in range(2):
            params = {"cwd": str(tmp_path), "mcpServers": []}
            frame = await peer.request("session/new", params, timeout_s=60)
            assert "limits.max_tokens = 0: must be greater than or equal to 1" in str(
                frame["error"]
            ), frame
    finally:
        assert await peer.close() == 0
