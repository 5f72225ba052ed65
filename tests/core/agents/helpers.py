"""Helpers for sub-agent tests: agent files, request classification, a meeting layer."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path
from typing import Any

from zeph_tui.core.layers.base import Layer
from zeph_tui.core.providers.base import ModelRequest

GUARD_S = 15.0
"""How long the meeting waits for its partners before failing (a failure guard, not a timing)."""
_AGENT = re.compile(r"sub-agent '([a-z0-9_-]+)'")


def write_agent(
    workspace: Path, name: str, tools: str, body: str = "", folder: str = ".zeph/agents"
) -> Path:
    """Write a minimal definition file ``folder/name.md`` under ``workspace``."""
    path = workspace / folder / f"{name}.md"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        f"---\nname: {name}\ndescription: test agent {name}\ntools: {tools}\n---\n"
        f"{body or f'You are the {name} test agent.'}\n"
    )
    return path


def agent_of(body: dict[str, Any]) -> str | None:
    """The sub-agent a recorded Messages API request came from (None: the parent)."""
    system = body.get("system")
    text = system if isinstance(system, str) else "".join(b.get("text", "") for b in system or [])
    match = _AGENT.search(text)
    return match.group(1) if match else None


def tool_names(body: dict[str, Any]) -> list[str]:
    return [t["name"] for t in body.get("tools", [])]


class FirstRequestMeeting(Layer):
    """Holds the first model request of each of ``names`` until all of them are waiting.

    Put in ``runtime.extra_layers``, it proves the children run at once: run
    one after the other, the first would wait alone and fail after ``GUARD_S``.
    """

    def __init__(self, names: set[str], parties: int | None = None) -> None:
        self.names = names
        self.parties = parties or len(names)  # only the first ``parties`` arrivals meet
        self.seen: set[str] = set()
        self.barrier = asyncio.Barrier(self.parties)

    async def before_model(self, request: ModelRequest) -> ModelRequest:
        name = agent_of({"system": request.system})
        if name in self.names and name not in self.seen:
            self.seen.add(name)
            if len(self.seen) > self.parties:
                return request
            async with asyncio.timeout(GUARD_S):
                await self.barrier.wait()
        return request


_NODE = re.compile(r"\[node ([A-Za-z0-9_.-]+)\]")


def node_of(body: dict[str, Any]) -> str | None:
    """The graph node a recorded child request works on (``[node X]`` in its first message)."""
    first = body["messages"][0]["content"]
    text = first if isinstance(first, str) else "".join(b.get("text", "") for b in first)
    match = _NODE.search(text)
    return match.group(1) if match else None


class NodeMeeting(Layer):
    """Holds the first model request of each node of every group until its group is complete."""

    def __init__(self, *groups: set[str]) -> None:
        self.barriers: dict[str, asyncio.Barrier] = {}
        for group in groups:
            barrier = asyncio.Barrier(len(group))
            for name in group:
                self.barriers[name] = barrier
        self.seen: set[str] = set()

    async def before_model(self, request: ModelRequest) -> ModelRequest:
        first = request.messages[0] if request.messages else None
        text = "".join(getattr(p, "text", "") for p in first.parts) if first else ""
        match = _NODE.search(text)
        name = match.group(1) if match else None
        if name in self.barriers and name not in self.seen and len(request.messages) == 1:
            self.seen.add(name)
            async with asyncio.timeout(GUARD_S):
                await self.barriers[name].wait()
        return request
