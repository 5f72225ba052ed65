"""The ACP face: ``zeph-tui acp`` serves the Agent Client Protocol on stdio.

Spec: https://agentclientprotocol.com/protocol/v1 (initialization, session
setup, prompt turn, tool calls, file system, terminals, session modes, session
config options, slash commands).

Public API:

- :func:`main` ``(args) -> int``: the body of ``zeph-tui acp`` (``args`` has
  ``.provider`` and ``.model``). Guards stdout (protocol frames only), logs to
  stderr, serves until the client closes stdin; returns 0.
- :class:`ZephAgent`: the :class:`acp.Agent` mapping ACP sessions onto
  :class:`zeph_tui.core.session.Session` (one Runtime per process, one Session
  per ACP session).

Start-up stays lean: this package imports only :mod:`acp` and the standard
library; :mod:`zeph_tui.core.runtime` (pydantic, anthropic, SQLite...) is
imported on the first ``session/new``, ``session/load``, ``session/list`` or
``session/resume``, never for ``initialize``.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys

from zeph_tui.drivers.acp.agent import ZephAgent

__all__ = ["ZephAgent", "main"]


def _configure_logging() -> None:
    level_name = os.environ.get("ZEPH_LOG_LEVEL", "WARNING").upper()
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(getattr(logging, level_name, logging.WARNING))


def main(args: argparse.Namespace) -> int:
    """Serve ACP on stdin/stdout until EOF.

    Args:
        args: parsed ``zeph-tui acp`` arguments; ``provider`` and ``model``
            (both optional strings) override the provider resolution.

    Returns:
        The process exit code: 0 after a clean EOF, 1 on an unexpected error
        (logged to stderr).
    """
    import acp

    _configure_logging()
    provider = getattr(args, "provider", None)
    model = getattr(args, "model", None)

    def factory(client: acp.Client) -> ZephAgent:
        return ZephAgent(client, provider=provider, model=model)

    async def serve() -> None:
        agent_box: list[ZephAgent] = []

        def owned_factory(client: acp.Client) -> ZephAgent:
            agent = factory(client)
            agent_box.append(agent)
            return agent

        try:
            await acp.run_agent_stdio(owned_factory)
        finally:
            for agent in agent_box:
                await agent.aclose()

    try:
        asyncio.run(serve())
    except KeyboardInterrupt:
        return 130
    except Exception:
        logging.getLogger(__name__).exception("zeph-tui acp failed")
        return 1
    return 0
