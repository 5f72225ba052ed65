"""A stdlib-only ACP echo agent used by the acp tests (run as a script).

Prompt commands (first text block; the first word picks the behaviour):
    echo WORDS...       stream each word as an agent_message_chunk, end_turn
    wait                stream "waiting", wait for session/cancel, stopReason cancelled
    hang                wait forever, ignoring session/cancel (for $/cancel_request)
    read PATH           fs/read_text_file through the client, stream the content
                        ("error CODE" if the client answers an error)
    read-timeout PATH   same with timeout_s=0.3, streams "timeout" when unanswered
    permit              session/request_permission, stream the outcome
    boom                raise RuntimeError (-> -32603)
    print               print(), a child process and os.write(1) inside the handler
    size TEXT           stream "size=<len of the whole first text block>"
Extension methods: _ping -> {"pong": true}; _echo -> params; _client -> what the
client proxy recorded from initialize; _barrier
{"name", "parties"} returns once ``parties`` calls of that name are running at once.
"""

from __future__ import annotations

import asyncio
import itertools
import os
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

import acp
from acp import messages as m
from acp import updates


class EchoAgent(acp.BaseAgent):
    def __init__(self, client: acp.Client) -> None:
        super().__init__(client)
        self._ids = itertools.count(1)
        self._sessions: set[str] = set()
        self._cancelled: dict[str, asyncio.Event] = {}
        self._barriers: dict[str, asyncio.Barrier] = {}

    async def initialize(self, params: m.InitializeRequest) -> m.InitializeResponse:
        return {
            "protocolVersion": acp.PROTOCOL_VERSION,
            "agentCapabilities": {"loadSession": False, "promptCapabilities": {}},
            "authMethods": [],
            "agentInfo": {"name": "echo-agent", "version": "0.1"},
        }

    async def new_session(self, params: m.NewSessionRequest) -> m.NewSessionResponse:
        session_id = f"sess-{next(self._ids)}"
        self._sessions.add(session_id)
        return {"sessionId": session_id}

    async def cancel(self, params: m.CancelNotification) -> None:
        event = self._cancelled.get(params["sessionId"])
        if event is not None:
            event.set()

    async def ext_method(self, method: str, params: dict[str, Any]) -> Any:
        if method == "_ping":
            return {"pong": True}
        if method == "_echo":
            return params
        if method == "_client":
            return {
                "capabilities": self.client.capabilities,
                "info": self.client.client_info,
                "canRead": self.client.can("fs", "readTextFile"),
                "canTerminal": self.client.can("terminal"),
            }
        if method == "_barrier":
            name, parties = str(params["name"]), int(params["parties"])
            barrier = self._barriers.setdefault(name, asyncio.Barrier(parties))
            await barrier.wait()
            return {"passed": name}
        raise acp.RequestError.method_not_found(method)

    async def prompt(self, params: m.PromptRequest) -> m.PromptResponse:
        session_id = params["sessionId"]
        if session_id not in self._sessions:
            raise acp.RequestError.resource_not_found(f"session {session_id}")
        text = next((b["text"] for b in params["prompt"] if b["type"] == "text"), "")
        command, _, rest = text.partition(" ")
        self._cancelled[session_id] = cancelled = asyncio.Event()

        async def say(chunk: str) -> None:
            await self.client.session_update(session_id, updates.agent_message_chunk(chunk))

        if command == "echo":
            for word in rest.split():
                await say(word)
        elif command == "wait":
            await say("waiting")
            await cancelled.wait()
            return {"stopReason": "cancelled"}
        elif command == "hang":
            await asyncio.Event().wait()
        elif command in ("read", "read-timeout"):
            timeout_s = 0.3 if command == "read-timeout" else 10.0
            try:
                await say(await self.client.read_text_file(session_id, rest, timeout_s=timeout_s))
            except acp.RequestError as exc:
                await say(f"error {exc.code}")
            except acp.RequestTimeoutError:
                await say("timeout")
        elif command == "permit":
            options: list[m.PermissionOption] = [
                {"optionId": "yes", "name": "Allow", "kind": "allow_once"},
                {"optionId": "no", "name": "Reject", "kind": "reject_once"},
            ]
            tool = updates.tool_call_update("call-1", title="touch file", kind="edit")
            del tool["sessionUpdate"]
            answer = await self.client.request_permission(session_id, tool, options)
            await say(str(answer["outcome"].get("optionId", answer["outcome"]["outcome"])))
        elif command == "boom":
            raise RuntimeError("secret detail that must not reach stdout")
        elif command == "print":
            print("STRAY-PRINT from a handler")
            child = await asyncio.create_subprocess_exec(
                "sh", "-c", "echo CHILD-STDOUT; echo CHILD-STDERR >&2"
            )
            await child.wait()
            os.write(1, b"RAW-FD1 write\n")
            await say("printed")
        elif command == "size":
            await say(f"size={len(text)}")
        return {"stopReason": "end_turn"}


if __name__ == "__main__":
    asyncio.run(acp.run_agent_stdio(EchoAgent))
