"""Keys out of children's reach: the agent's own secrets leave its environment after start.

A child process (``bash``, a language server, an MCP server) could otherwise
read the agent's keys from ``/proc/<agent pid>/environ``, which shows the
environment the agent was *started* with, whatever ``os.environ`` holds now.
:func:`protect_process_secrets` closes that in three steps (Linux; elsewhere
only the first step applies):

1. Secret-looking variables (:func:`~zeph_tui.core.safety.env.is_secret_name`,
   minus the user's ``env_allowlist``) are removed from ``os.environ`` (and so
   from the C ``environ`` that every later child inherits) and returned, for the
   runtime to hand to the providers.
2. Every secret value (same names) is overwritten with ``*`` in the process's
   initial environment block (the memory between ``env_start`` and ``env_end`` of
   ``/proc/self/stat``, which ``/proc/<pid>/environ`` reads). After step 1 no
   ``environ`` entry points into that block for these names, so nothing reads
   the old value again; Python copied the environment at start-up.
3. The process is made non-dumpable (``prctl(PR_SET_DUMPABLE, 0)`` through
   ``ctypes``): ``/proc/<pid>/environ``, ``mem`` and ``ptrace`` are then refused
   to processes of the same user that lack ``CAP_SYS_PTRACE`` (every non-root
   child, and root children in the shell sandbox, which drops all capabilities).
   A side effect: no core dumps of the agent.

What stays possible: a process with ``CAP_SYS_PTRACE`` (root outside the
sandbox) can still read the agent's *memory*; the environment file shows the
masked values only.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import sys
from collections.abc import Iterable, MutableMapping
from dataclasses import dataclass
from pathlib import Path

from zeph_tui.core.safety.env import is_secret_name

__all__ = ["ProtectedSecrets", "make_undumpable", "protect_process_secrets", "taken_secrets"]

_PR_SET_DUMPABLE = 4
_ENV_START_FIELD = 50  # 1-based field numbers of /proc/<pid>/stat (proc(5))
_ENV_END_FIELD = 51
_taken: dict[str, str] = {}
"""Variables :func:`protect_process_secrets` moved out of ``os.environ`` (this process)."""


def taken_secrets() -> dict[str, str]:
    """A copy of the variables moved out of ``os.environ``, name -> value.

    ``Runtime.build_provider`` merges them back for the providers, and
    ``Runtime.session_options`` for the names the user allow-listed for children.
    """
    return dict(_taken)


@dataclass(frozen=True, slots=True)
class ProtectedSecrets:
    """What :func:`protect_process_secrets` did.

    Attributes:
        values: the removed variables, name -> value (for the providers).
        masked: how many values were overwritten in the initial environment block.
        undumpable: whether ``PR_SET_DUMPABLE`` 0 was set.
    """

    values: dict[str, str]
    masked: int
    undumpable: bool


def make_undumpable() -> bool:
    """``prctl(PR_SET_DUMPABLE, 0)`` on this process; False where that is unavailable."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return int(libc.prctl(_PR_SET_DUMPABLE, 0, 0, 0, 0)) == 0
    except (OSError, AttributeError):
        return False


def _initial_environ_block() -> tuple[int, int] | None:
    """``(env_start, env_end)`` addresses of this process, or None when unknown."""
    try:
        stat = Path("/proc/self/stat").read_text()
    except OSError:
        return None
    fields = stat.rsplit(")", 1)[1].split()  # fields from 3 (state) on
    try:
        start = int(fields[_ENV_START_FIELD - 3])
        end = int(fields[_ENV_END_FIELD - 3])
    except (IndexError, ValueError):
        return None
    return (start, end) if 0 < start < end else None


def _mask_initial_environ(allow: tuple[str, ...]) -> int:
    """Overwrite every secret value in the initial environment block with ``*``.

    Names matched by ``allow`` are left alone (they are still in ``environ``).
    """
    block = _initial_environ_block()
    if block is None:
        return 0
    start, end = block
    data = ctypes.string_at(start, end - start)
    masked, offset = 0, 0
    for entry in data.split(b"\0"):
        name, sep, value = entry.partition(b"=")
        if sep and value.strip(b"*") and is_secret_name(name.decode("utf-8", "replace"), allow):
            at = start + offset + len(name) + 1
            ctypes.memset(at, ord("*"), len(value))
            masked += 1
        offset += len(entry) + 1
    return masked


def protect_process_secrets(
    environ: MutableMapping[str, str] | None = None, allow: Iterable[str] = ()
) -> ProtectedSecrets:
    """Move secret variables out of the environment, mask them, make the process undumpable.

    Called by the CLI entry point (every face) right after parsing arguments,
    before any thread or child starts. The process redactor
    (:func:`~zeph_tui.core.safety.wiring.default_redactor`) learns the values
    from :func:`taken_secrets`, so they stay redacted everywhere. Imports
    nothing heavy (ACP ``initialize`` stays lean).

    Args:
        environ: the mapping to take them from; ``os.environ`` when None. Only
            with ``os.environ`` is the initial block masked, prctl called and
            :func:`taken_secrets` updated.
        allow: fnmatch patterns of names to leave in place.

    Returns:
        The removed values and what was done (see :class:`ProtectedSecrets`).
    """
    live = environ is None
    env = os.environ if environ is None else environ
    allow = tuple(allow)
    taken = {k: v for k, v in list(env.items()) if is_secret_name(k, allow)}
    for name in taken:
        with contextlib.suppress(KeyError):
            del env[name]
    if not live:
        return ProtectedSecrets(taken, 0, False)
    _taken.update(taken)  # the process redactor learns them from here (wiring.default_redactor)
    masked = _mask_initial_environ(allow) if sys.platform.startswith("linux") else 0
    return ProtectedSecrets(taken, masked, make_undumpable())
