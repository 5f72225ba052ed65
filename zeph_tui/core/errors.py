"""The one exception tree of zeph-tui.

    ZephError
    ├── ConfigError            bad config.toml or environment
    ├── PromptInProgress       the session is busy with a prompt turn
    ├── ProviderError          a model provider failed (network, HTTP, bad stream)
    ├── ToolError              a tool call failed; the message is shown to the model
    │   ├── ToolInputError     arguments missing, wrong type or invalid JSON
    │   ├── PathOutsideWorkspace  a path resolves outside the workspace roots
    │   └── PermissionDenied   policy or the user refused the call
    ├── StoreError             the SQLite store failed: full disk, read-only or damaged
    │   │                      file, unusable ZEPH_HOME (the message names the path and
    │   │                      says what to do; raised from the sqlite3 error)
    │   └── OverflowNotFound   unknown overflow id
    ├── SkillError             invalid or unknown skill
    └── AgentError             invalid or unknown sub-agent definition, invalid task graph

Foreign exceptions are mapped at the boundary with ``raise ... from``.
"""

from __future__ import annotations

__all__ = [
    "AgentError",
    "ConfigError",
    "NotFound",
    "OverflowNotFound",
    "PathOutsideWorkspace",
    "PermissionDenied",
    "PromptInProgress",
    "ProviderError",
    "SkillError",
    "StorageUnavailable",
    "StoreError",
    "ToolError",
    "ToolInputError",
    "UnknownGraph",
    "UnknownSkill",
    "ZephError",
]


class ZephError(Exception):
    """Root of every error zeph-tui raises on purpose."""


class ConfigError(ZephError):
    """config.toml or an environment override is invalid."""


class PromptInProgress(ZephError):
    """The session is running a prompt turn; one turn at a time (ACP ``session/prompt``).

    Raised by :meth:`~zeph_tui.core.session.session.Session.prompt` and by
    ``/compact`` while a turn runs. Faces catch the class, never the message.
    """


class ProviderError(ZephError):
    """A model provider failed: transport, HTTP status, or a malformed stream."""


class NotFound(ZephError):
    """The person named something that does not exist: a skill, agent, memory,
    task graph or overflow id. Headless commands answer it as a user's mistake
    (one line, exit 2); the message names what was asked for.
    """


class ToolError(ZephError):
    """A tool call failed. ``str(err)`` is the text the model receives."""


class ToolInputError(ToolError):
    """Tool arguments are missing, of the wrong type, or not valid JSON."""


class PathOutsideWorkspace(ToolError):
    """A path resolves (after ``..`` and symlinks) outside every allowed root."""


class PermissionDenied(ToolError):
    """The permission policy or the user refused the tool call."""


class StoreError(ZephError):
    """The SQLite store failed or holds unexpected data."""


class StorageUnavailable(StoreError):
    """The store cannot write: a full disk, a read-only database or a disk I/O error.

    Raised by :func:`zeph_tui.core.store.failures.store_error` for SQLite's
    ``SQLITE_FULL``, ``SQLITE_READONLY``/``PERM``/``CANTOPEN`` and ``SQLITE_IOERR``
    (https://sqlite.org/rescode.html). A turn cannot go on without its record:
    the tool call that met it ends ``failed`` and the turn ends with the message
    (stop reason ``refusal``), see :mod:`zeph_tui.core.session.dispatch`.
    """


class OverflowNotFound(StoreError, ToolError, NotFound):
    """No overflow archive has the requested id."""


class SkillError(ZephError):
    """A skill is invalid (reason in the message) or unknown."""


class AgentError(ZephError):
    """An invalid or unknown sub-agent definition, or an invalid task graph."""


class UnknownSkill(SkillError, NotFound):
    """No skill has that name; the message lists close matches."""


class UnknownGraph(AgentError, NotFound):
    """No task graph has that id, or none is left unfinished to resume."""
