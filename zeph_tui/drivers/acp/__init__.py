"""The ACP face: ``zeph-tui acp`` serves the Agent Client Protocol on stdio.

Spec: https://agentclientprotocol.com/protocol/v1 (initialization, session
setup, prompt turn, tool calls, file system, terminals, session modes, session
config options, slash commands).

Public API:

- :func:`main` ``(args) -> int``: the body of ``zeph-tui acp`` (``args`` has
  ``.provider`` and ``.model``). Guards stdout (protocol frames only), logs to
  stderr (level from ``ZEPH_LOG_LEVEL``, default WARNING), serves until the
  client closes stdin; returns 0.
- :class:`ZephAgent`: the :class:`acp.Agent` mapping ACP sessions onto
  :class:`zeph_tui.core.session.session.Session` (one Runtime per process, one Session
  per ACP session). Imported lazily.

Start-up stays lean: a well-formed first ``initialize`` is answered by
:mod:`.fastinit` (standard library only, before the rest of the agent is
imported; asyncio is imported first, see :func:`main`); then
:mod:`acp` serves the stream. :mod:`zeph_tui.core.runtime` (settings, SQLite)
is imported and started once that answer is written (``SharedRuntime.prestart``),
or on the first session request when fastinit did not answer; a session's
warm-ups (provider SDK, skills, repo map) start once its answer is written.
"""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import argparse

    import acp
    from zeph_tui.drivers.acp.agent import ZephAgent

__all__ = ["ZephAgent", "main"]


def __getattr__(name: str) -> Any:
    if name == "ZephAgent":
        from zeph_tui.drivers.acp.agent import ZephAgent

        return ZephAgent
    raise AttributeError(name)


def _configure_logging() -> None:
    import logging

    level_name = os.environ.get("ZEPH_LOG_LEVEL", "WARNING").upper()
    level = getattr(logging, level_name, logging.WARNING)
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    # The handler filters too: libraries that set their own logger to DEBUG (bm25s)
    # must not reach stderr below the chosen level.
    handler.setLevel(level)
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)


async def _serve(
    args: argparse.Namespace, out_fd: int, pending: bytes, init: dict[str, Any] | None
) -> None:
    import acp
    from zeph_tui.drivers.acp.agent import ZephAgent

    agents: list[ZephAgent] = []

    def factory(client: acp.Client) -> ZephAgent:
        agent = ZephAgent(
            client, provider=getattr(args, "provider", None), model=getattr(args, "model", None)
        )
        agents.append(agent)
        return agent

    in_fd = acp.guard_stdin()
    # bytes read past the first frame are served first, even if stdin is already closed
    reader, writer = await acp.open_fd_streams(in_fd, out_fd, prefix=pending)
    connection = acp.AgentSideConnection(factory, reader, writer)
    if init is not None:  # answered by fastinit: record what the client offered
        for agent in agents:
            agent.prestart()  # the runtime starts while the client prepares session/new
        capabilities = init.get("clientCapabilities")
        connection.client.capabilities = capabilities if isinstance(capabilities, dict) else {}
        info = init.get("clientInfo")
        connection.client.client_info = info if isinstance(info, dict) else None
    try:
        await connection.run()
    finally:
        for agent in agents:
            await agent.aclose()
        writer.close()


def _listen(args: argparse.Namespace) -> int:
    """``zeph-tui acp --listen HOST:PORT``: ACP over HTTP+SSE and WebSocket (see :mod:`.network`)."""
    import asyncio

    host, sep, port_text = str(args.listen).rpartition(":")
    if not sep or not port_text.isdigit() or not host:
        sys.stderr.write(f"zeph-tui acp: --listen: expected HOST:PORT, got {args.listen!r}\n")
        return 2
    _configure_logging()
    from zeph_tui.core.safety.keys import taken_secrets
    from zeph_tui.drivers.acp import network

    # the CLI moved secret-looking variables out of os.environ at start (safety.keys)
    token = os.environ.get("ZEPH_ACP_TOKEN") or taken_secrets().get("ZEPH_ACP_TOKEN") or None
    if not network.is_loopback(host) and token is None:
        sys.stderr.write(
            f"zeph-tui acp: --listen {host} is not a loopback address: set ZEPH_ACP_TOKEN"
            " (clients send it as 'Authorization: Bearer TOKEN')\n"
        )
        return 2
    from zeph_tui.core import ZephError, load_settings

    try:
        options = network.NetworkOptions.from_settings(load_settings().network, token)
    except ZephError as exc:
        sys.stderr.write(f"zeph-tui acp: {exc}\n")
        return 2
    from zeph_tui.drivers.acp.agent import SharedRuntime, ZephAgent

    shared = SharedRuntime(getattr(args, "provider", None), getattr(args, "model", None))

    def factory(client: acp.Client) -> ZephAgent:
        return ZephAgent(client, shared=shared)

    async def run() -> None:
        try:
            await network.serve(
                factory,
                host.strip("[]"),
                int(port_text),
                options,
                ready=lambda port: network.announce(port, host),
            )
        finally:
            await shared.aclose()

    try:
        asyncio.run(run())
    except KeyboardInterrupt:
        return 130
    except OSError as exc:
        sys.stderr.write(f"zeph-tui acp: cannot listen on {args.listen}: {exc.strerror or exc}\n")
        return 2
    return 0


def main(args: argparse.Namespace) -> int:
    """Serve ACP on stdin/stdout until EOF.

    Args:
        args: parsed ``zeph-tui acp`` arguments; ``provider`` and ``model``
            (both optional strings) override the provider resolution.

    Returns:
        The process exit code: 0 after a clean EOF, 130 on Ctrl-C, 1 on an
        unexpected error (logged to stderr).
    """
    if getattr(args, "listen", None):
        return _listen(args)
    # Before the first frame: whatever loads after the initialize answer delays the
    # session/new a client sends right behind it; asyncio (~25 ms) serves every session.
    import asyncio

    from zeph_tui.drivers.acp import fastinit

    out_fd = fastinit.guard_stdout()
    first = fastinit.read_first_frame(0)
    answered = fastinit.try_initialize(first.line) if first.line else None
    if answered is not None:
        fastinit.write_all(out_fd, answered[0])
        pending = first.pending
    else:
        pending = first.line + b"\n" + first.pending if first.line else first.pending
    _configure_logging()
    import logging

    try:
        asyncio.run(_serve(args, out_fd, pending, answered[1] if answered else None))
    except KeyboardInterrupt:
        return 130
    except Exception:
        logging.getLogger(__name__).exception("zeph-tui acp failed")
        return 1
    return 0
