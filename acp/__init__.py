"""Agent Client Protocol (ACP) v1, agent side, standard library only.

Spec: https://agentclientprotocol.com (protocol version 1). JSON-RPC 2.0 over
newline-delimited UTF-8 JSON on stdin/stdout. This package imports nothing
outside the standard library, so an agent answers ``initialize`` before any
heavy import. (The import name ``acp`` is shared with the
``agent-client-protocol`` SDK, which this project never installs.)

Public API:

- :class:`Agent` (``typing.Protocol``) and :class:`BaseAgent`: implement
  ``initialize``, ``new_session``, ``prompt``, ``cancel``... Each receives the
  params dict (already checked for required fields and types) and returns the
  result dict. Raise :class:`RequestError` to answer an error.
- :class:`AgentSideConnection` ``(agent_factory, reader, writer)``: serves one
  client; ``await conn.run()`` until EOF. ``agent_factory(client)`` builds the
  agent given a :class:`Client`.
- :func:`run_agent_stdio` ``(agent_factory)``: guard stdout/stdin, then serve
  on stdio until EOF. Use it as the body of ``zeph-tui acp``.
- :class:`Client`: calls from agent to client: ``session_update``,
  ``request_permission``, ``read_text_file``, ``write_text_file``,
  ``create_terminal``, ``terminal_output``, ``wait_for_terminal_exit``,
  ``kill_terminal``, ``release_terminal``, ``ext_method``.
- :func:`after_response` ``(callback)``: from a request handler, run
  ``callback()`` once that request's response has been written.
- :mod:`acp.updates`: builders for ``session/update`` payloads
  (``agent_message_chunk``, ``tool_call``, ``tool_call_update``, ``plan``...).
- :mod:`acp.messages`: method names and ``TypedDict`` shapes.
- Errors: :class:`AcpError` > :class:`RequestError`,
  :class:`RequestTimeoutError`, :class:`ConnectionClosedError`; codes in
  :class:`ErrorCode`.

Behaviour: requests run concurrently, one task each; ``session/cancel`` is
delivered to ``Agent.cancel`` at once, in order, by the reader (keep it quick:
set an event). ``$/cancel_request`` cancels that request's task, which then
answers ``-32800``; one that overtakes its request is remembered
(:mod:`acp.cancels`) and that request is answered ``-32800`` at once. Bad input is answered (``-32700``, ``-32600``, ``-32601``,
``-32602`` naming the field, ``-32603`` for handler exceptions, with the
traceback logged to stderr only) and the connection keeps serving.

Example::

    import asyncio
    import acp
    from acp import updates

    class EchoAgent(acp.BaseAgent):
        async def initialize(self, params):
            return {"protocolVersion": acp.PROTOCOL_VERSION, "agentCapabilities": {}}

        async def new_session(self, params):
            return {"sessionId": "s1"}

        async def prompt(self, params):
            for block in params["prompt"]:
                if block["type"] == "text":
                    await self.client.session_update(
                        params["sessionId"], updates.agent_message_chunk(block["text"])
                    )
            return {"stopReason": "end_turn"}

    asyncio.run(acp.run_agent_stdio(EchoAgent))
"""

from __future__ import annotations

from acp.agent import Agent, AgentFactory, AgentSideConnection, BaseAgent, run_agent_stdio
from acp.client import Client
from acp.errors import (
    AcpError,
    ConnectionClosedError,
    ErrorCode,
    RequestError,
    RequestTimeoutError,
)
from acp.jsonrpc import Connection, RequestId, after_response
from acp.messages import PROTOCOL_VERSION
from acp.transport import guard_stdin, guard_stdout, open_fd_streams

__all__ = [
    "PROTOCOL_VERSION",
    "AcpError",
    "Agent",
    "AgentFactory",
    "AgentSideConnection",
    "BaseAgent",
    "Client",
    "Connection",
    "ConnectionClosedError",
    "ErrorCode",
    "RequestError",
    "RequestId",
    "RequestTimeoutError",
    "after_response",
    "guard_stdin",
    "guard_stdout",
    "open_fd_streams",
    "run_agent_stdio",
]
