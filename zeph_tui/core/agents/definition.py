"""Sub-agent definitions: Markdown files with YAML front matter.

One file is one agent: the front matter names it and sets its limits, the
body is its system prompt. The format is Claude Code's ``.claude/agents/*.md``
(read as is), with a few zeph-tui keys on top::

    ---
    name: explorer                 # required; lower-case letters, digits, '-' and '_'
    description: Read-only search  # required; when the parent should use it
    tools: Read, Grep, Glob        # optional allow-list: comma/space separated or a list;
                                   # Claude Code names (Read, Bash, ...) or ours (read_file)
    model: inherit                 # optional: inherit | sonnet | opus | haiku | a model id
    permissionMode: default        # optional (Claude Code): default | acceptEdits | plan |
                                   # bypassPermissions; or ``mode:`` with our names
    max_turn_requests: 20          # optional (zeph-tui): model calls per task
    skills: pytest-testing, review # optional: the skills its catalog offers (of the parent's);
                                   # absent: the parent's skills; ``[]``: none
    ---
    You are a read-only explorer ...

Unknown keys (``color``, ...) are kept in :attr:`AgentDefinition.extra`.

Sources, in override order (a later source replaces an earlier agent of the
same name), see :func:`agent_sources`:

1. ``bundled``: ``zeph_tui/core/agents/bundled/``;
2. ``user``: ``$ZEPH_HOME/agents/``;
3. ``workspace``: ``.claude/agents/``, ``.agents/agents/``, ``.zeph/agents/`` under the
   workspace root, in that order (the project's own ``.zeph`` folder wins).

Invalid files are returned as :class:`AgentProblem`, never dropped silently.

Spec followed: Claude Code "Subagents", file format
(https://docs.anthropic.com/en/docs/claude-code/sub-agents).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from zeph_tui.core.errors import AgentError
from zeph_tui.core.front_matter import parse_front_matter
from zeph_tui.core.session.options import MODES

__all__ = ["AgentDefinition", "AgentProblem", "discover_agents", "parse_agent"]

AgentSource = Literal["bundled", "user", "workspace"]
WORKSPACE_AGENT_DIRS: tuple[str, ...] = (".claude/agents", ".agents/agents", ".zeph/agents")
"""Workspace folders searched for agents, lowest priority first."""
CLAUDE_TOOL_NAMES: Mapping[str, tuple[str, ...]] = {
    "read": ("read_file",),
    "write": ("write_file",),
    "edit": ("edit_file",),
    "multiedit": ("edit_file",),
    "glob": ("glob",),
    "ls": ("glob",),
    "grep": ("grep",),
    "bash": ("bash",),
    "todowrite": ("update_plan",),
    "notebookread": ("read_file",),
}
"""Claude Code tool names (lower-cased) mapped to zeph-tui tools; others are kept as given."""
_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
_MODES = {"default": "ask", "acceptedits": "accept-edits", "bypasspermissions": "bypass"} | {
    mode: mode for mode in MODES
}
"""Claude Code's ``permissionMode`` names (lower-cased) and zeph-tui's own, to zeph-tui's."""


@dataclass(frozen=True, slots=True)
class AgentDefinition:
    """One sub-agent.

    Attributes:
        name: unique name the ``task`` tool selects it by.
        description: when to use it (shown to the parent model).
        prompt: the system prompt (the file's body).
        tools: the allow-list as written (``()``: every tool the parent may use).
        model: ``inherit`` (the parent's provider), a Claude alias or a model id.
        mode: permission mode (:data:`~zeph_tui.core.session.session.MODES`), None = the parent's.
        max_turn_requests: model calls per task, None = the session default.
        skills: the skills its catalog offers (intersected with the parent's), None = the
            parent's skills, ``()`` = none.
        source / path: where it was found (``path`` None for built-in definitions).
        extra: front matter keys this module does not read.
    """

    name: str
    description: str
    prompt: str
    tools: tuple[str, ...] = ()
    model: str = "inherit"
    mode: str | None = None
    max_turn_requests: int | None = None
    skills: tuple[str, ...] | None = None
    source: AgentSource = "bundled"
    path: Path | None = None
    extra: Mapping[str, Any] = field(default_factory=dict)

    def allowed_tools(self, available: Iterable[str]) -> list[str]:
        """The tools of ``available`` this agent may use, in ``available``'s order.

        Claude Code names are mapped by :data:`CLAUDE_TOOL_NAMES`; an empty
        allow-list allows everything available. Names that match no tool are
        reported by :meth:`unknown_tools`.
        """
        names = list(available)
        if not self.tools:
            return names
        wanted = {m for t in self.tools for m in _map_tool(t)}
        return [n for n in names if n in wanted]

    def unknown_tools(self, available: Iterable[str]) -> list[str]:
        """Allow-list entries that match none of ``available`` (e.g. ``WebFetch``)."""
        names = set(available)
        return [t for t in self.tools if not any(m in names for m in _map_tool(t))]


@dataclass(frozen=True, slots=True)
class AgentProblem:
    """A definition file that could not be loaded, with the reason."""

    path: Path
    source: AgentSource
    reason: str


def _map_tool(name: str) -> tuple[str, ...]:
    base = name.split("(", 1)[0].strip()  # Claude Code allows ``Bash(git diff:*)`` patterns
    return CLAUDE_TOOL_NAMES.get(base.lower(), (base,))


def _names(value: object, key: str = "tools") -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return tuple(t for t in re.split(r"[,\s]+", value) if t)
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return tuple(v.strip() for v in value if v.strip())
    raise AgentError(f"'{key}' must be a comma-separated string or a list of strings")


def _skills(meta: Mapping[str, Any]) -> tuple[str, ...] | None:
    value = meta.get("skills")  # absent or empty (``skills:``): the parent's
    return None if value is None else _names(value, "skills")


def _text(meta: Mapping[str, Any], key: str) -> str:
    value = meta.get(key)
    if not isinstance(value, str) or not value.strip():
        raise AgentError(f"front matter needs a non-empty string '{key}'")
    return value.strip()


def _mode(meta: Mapping[str, Any]) -> str | None:
    value = meta.get("permissionMode", meta.get("mode"))
    if value is None:
        return None
    mode = _MODES.get(str(value).lower())
    if mode is None:
        raise AgentError(f"unknown permission mode {value!r}; use one of {', '.join(_MODES)}")
    return mode


def _limit(meta: Mapping[str, Any]) -> int | None:
    value = meta.get("max_turn_requests")
    if value is None:
        return None
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise AgentError("'max_turn_requests' must be a positive integer")
    return value


_KNOWN = {
    "name", "description", "tools", "model", "permissionMode", "mode", "max_turn_requests",
    "skills",
}  # fmt: skip


def parse_agent(
    text: str, *, source: AgentSource = "workspace", path: Path | None = None
) -> AgentDefinition:
    """Parse one definition file's text.

    Raises:
        AgentError: no front matter, bad YAML, or a missing/invalid key (message says which).
    """
    meta, body = parse_front_matter(text, what="the file", error=AgentError)
    name = _text(meta, "name")
    if not _NAME.match(name):
        raise AgentError(f"bad agent name {name!r}: use lower-case letters, digits, '-' and '_'")
    description = _text(meta, "description")
    prompt = body.strip()
    if not prompt:
        raise AgentError("the body (the agent's system prompt) is empty")
    model = meta.get("model") or "inherit"
    return AgentDefinition(
        name=name,
        description=description,
        prompt=prompt,
        tools=_names(meta.get("tools")),
        model=str(model),
        mode=_mode(meta),
        max_turn_requests=_limit(meta),
        skills=_skills(meta),
        source=source,
        path=path,
        extra={k: v for k, v in meta.items() if k not in _KNOWN},
    )


def bundled_agents_dir() -> Path:
    """The folder of the agents shipped with zeph-tui (inside the package)."""
    return Path(__file__).resolve().parent / "bundled"


def agent_sources(
    workspace: Path, zeph_home: Path, *, bundled_dir: Path | None = None
) -> list[tuple[AgentSource, Path]]:
    """The folders searched, lowest priority first (see the module doc)."""
    sources: list[tuple[AgentSource, Path]] = [
        ("bundled", bundled_dir or bundled_agents_dir()),
        ("user", zeph_home / "agents"),
    ]
    sources += [("workspace", workspace / rel) for rel in WORKSPACE_AGENT_DIRS]
    return sources


def discover_agents(
    workspace: Path, zeph_home: Path, *, bundled_dir: Path | None = None
) -> tuple[dict[str, AgentDefinition], list[AgentProblem]]:
    """Every agent by name (later sources override earlier ones) and the files that failed.

    Blocking (reads files): call it off the event loop.
    """
    agents: dict[str, AgentDefinition] = {}
    problems: list[AgentProblem] = []
    for source, folder in agent_sources(workspace, zeph_home, bundled_dir=bundled_dir):
        if not folder.is_dir():
            continue
        for path in sorted(folder.glob("*.md")):
            try:
                text = path.read_text(encoding="utf-8")
                agent = parse_agent(text, source=source, path=path)
            except (OSError, UnicodeDecodeError, AgentError) as exc:
                problems.append(AgentProblem(path, source, str(exc)))
                continue
            agents[agent.name] = agent
    return agents, problems
