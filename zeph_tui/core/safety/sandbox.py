"""The shell sandbox: ``bash`` confined with bubblewrap (``bwrap``) where the platform has it.

Inside the sandbox (:meth:`Sandbox.wrap`):

* the whole file system is mounted read-only (``--ro-bind / /``), with a
  fresh ``/dev`` and a ``/proc`` of a new PID namespace (the agent and every
  other host process are invisible, so ``/proc/<agent pid>/environ`` cannot be
  read);
* the workspace and the extra write roots are writable (``--bind``);
* ``/tmp`` is a private, empty tmpfs (``TMPDIR=/tmp``), discarded afterwards;
* the agent's data dir (``ZEPH_HOME``: database, audit log, config) is covered
  by an empty tmpfs, so it cannot be read or written;
* every capability is dropped (``--cap-drop ALL``): as root, a process that
  kept ``CAP_SYS_ADMIN`` could remount ``/`` read-write (checked: it can);
* the network is shared or, with ``network = false``, a new empty network
  namespace (``--unshare-net``: loopback only);
* the sandbox dies with its parent (``--die-with-parent``) and the command
  stays in bwrap's process group, so the tool's process-group kill on
  timeout or cancel reaches every process inside.

Mounts are applied shallowest path first, so a workspace under ``/tmp`` is
bound over the private tmpfs, and a ``ZEPH_HOME`` inside the workspace is still
hidden.

Where bubblewrap is missing, cannot create namespaces (the probe runs it once
and keeps its error), or the platform is not Linux (macOS: ``sandbox-exec`` is
deprecated by Apple and not used), ``bash`` runs unconfined. The setting
``[sandbox] enabled = false`` turns confinement off on purpose. Either way every
face announces it exactly once, from one :class:`SandboxNotice` handed out by
:meth:`Sandbox.take_notice` (the first call only): the dashboard puts
:data:`NOT_SANDBOXED` in its status bar (and a toast), ACP sends a ``notice``
``session/update`` (an agent message where the client lacks ``session.notices``)
after the first session answer, ``zeph-tui run`` prints one ``zeph-tui:`` line on
stderr and, with ``--json``, :meth:`SandboxNotice.to_acp` as a line of its own.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = ["NOT_SANDBOXED", "Sandbox", "SandboxNotice", "SandboxStatus"]

NOT_SANDBOXED = "⚠ shell: not sandboxed"
"""The status-bar marker, and the title of the notice every face shows once."""
_ANNOUNCE_LOCK = threading.Lock()

_PROBE_TIMEOUT_S = 10.0
_probe_errors: dict[str, str] = {}
"""Probe result per bwrap binary (``""`` = works), shared by every Sandbox of the process."""


@dataclass(frozen=True, slots=True)
class SandboxStatus:
    """Whether commands are confined, and one line saying how or why not.

    Attributes:
        confined: True when ``bash`` runs inside bubblewrap.
        text: a one-line description for the status bar, ``run`` and ACP.
    """

    confined: bool
    text: str


@dataclass(frozen=True, slots=True)
class SandboxNotice:
    """The announcement that ``bash`` runs unconfined (one per process, see the module doc).

    Attributes:
        marker: :data:`NOT_SANDBOXED`, the status-bar form.
        text: why, one line (:attr:`SandboxStatus.text`: bubblewrap missing or not
            usable, a non-Linux platform, or ``[sandbox] enabled = false``).
    """

    marker: str
    text: str

    @property
    def line(self) -> str:
        """``marker: text``, the form printed on stderr and logged."""
        return f"{self.marker}: {self.text}"

    def to_acp(self) -> dict[str, Any]:
        """The ``notice`` ``session/update`` payload (severity ``warning``)."""
        return {
            "sessionUpdate": "notice",
            "severity": "warning",
            "title": self.marker,
            "description": self.text,
        }


@dataclass(slots=True)
class Sandbox:
    """How ``bash`` is confined; one per runtime (built from ``[sandbox]`` settings).

    Args:
        enabled: confine commands (the default, in every permission mode).
        network: allow network access inside the sandbox.
        hidden: folders covered by an empty tmpfs (``ZEPH_HOME``).
        extra_write: folders writable besides the workspace.
        bwrap: path of the bubblewrap binary; looked up on ``PATH`` when None.
    """

    enabled: bool = True
    network: bool = True
    hidden: tuple[Path, ...] = ()
    extra_write: tuple[Path, ...] = ()
    bwrap: str | None = None
    _status: SandboxStatus | None = field(default=None, init=False, repr=False)
    _announced: bool = field(default=False, init=False, repr=False)

    def status(self) -> SandboxStatus:
        """Probe once (a trivial command in bwrap, about 5 ms) and describe the result."""
        if self._status is None:
            self._status = self._probe()
        return self._status

    def notice(self) -> str | None:
        """The line to announce once when commands are NOT confined, else None."""
        status = self.status()
        return None if status.confined else status.text

    def take_notice(self) -> SandboxNotice | None:
        """The notice to show, on the first call only and only when NOT confined.

        Probes like :meth:`status` (so call it off the event loop). Thread-safe:
        of concurrent callers exactly one gets the notice; every later call and
        every call on a confined sandbox returns None.
        """
        status = self.status()
        with _ANNOUNCE_LOCK:
            if status.confined or self._announced:
                return None
            self._announced = True
        return SandboxNotice(NOT_SANDBOXED, status.text)

    def wrap(self, argv: Sequence[str], workspace: Path) -> list[str]:
        """The command line that runs ``argv`` in the sandbox, or ``argv`` when unconfined.

        Args:
            argv: the command, e.g. ``["bash", "-c", "make test"]``.
            workspace: the writable project folder; also the working directory.
        """
        if not self.status().confined:
            return list(argv)
        assert self.bwrap is not None
        return [self.bwrap, *self._arguments(Path(workspace)), "--", *argv]

    def _arguments(self, workspace: Path) -> list[str]:
        mounts: list[tuple[int, int, list[str]]] = [(0, 0, ["--ro-bind", "/", "/"])]

        def add(path: Path, order: int, args: list[str]) -> None:
            mounts.append((len(path.parts), order, args))

        add(Path("/dev"), 0, ["--dev", "/dev"])
        add(Path("/proc"), 0, ["--proc", "/proc"])
        add(Path("/tmp"), 0, ["--tmpfs", "/tmp"])
        for root in (workspace, *self.extra_write):
            real = os.path.realpath(root)
            if os.path.isdir(real):
                add(Path(real), 1, ["--bind", real, real])
        for hidden in self.hidden:
            real = os.path.realpath(hidden)
            if os.path.isdir(real):
                add(Path(real), 2, ["--tmpfs", real])
        args = [a for _, _, group in sorted(mounts, key=lambda m: (m[0], m[1])) for a in group]
        args += ["--unshare-pid", "--unshare-ipc", "--unshare-uts", "--cap-drop", "ALL"]
        args += ["--die-with-parent", "--setenv", "TMPDIR", "/tmp"]
        if not self.network:
            args.append("--unshare-net")
        args += ["--chdir", os.path.realpath(workspace)]
        return args

    def _probe(self) -> SandboxStatus:
        if not self.enabled:
            return SandboxStatus(
                False,
                "sandbox off ([sandbox] enabled = false): bash can read and write "
                "anything your user can",
            )
        if not sys.platform.startswith("linux"):
            return SandboxStatus(
                False,
                f"sandbox unavailable on {sys.platform} (bubblewrap is Linux-only; "
                "macOS sandbox-exec is deprecated and not used): bash is not confined",
            )
        self.bwrap = self.bwrap or shutil.which("bwrap")
        if self.bwrap is None:
            return SandboxStatus(
                False,
                "sandbox unavailable: bubblewrap (bwrap) is not installed "
                "(apt-get install bubblewrap): bash is not confined",
            )
        error = _probe_errors.get(self.bwrap)
        if error is None:
            error = _run_probe([self.bwrap, *self._arguments(Path("/")), "--", "true"])
            _probe_errors[self.bwrap] = error
        if error:
            return SandboxStatus(
                False, f"sandbox unavailable: {self.bwrap} failed ({error}): bash is not confined"
            )
        hidden = ", ".join(str(h) for h in self.hidden) or "nothing"
        net = "on" if self.network else "off"
        return SandboxStatus(
            True,
            f"sandbox: bubblewrap (workspace and a private /tmp writable, the rest read-only, "
            f"hidden: {hidden}, network {net})",
        )


def _run_probe(argv: list[str]) -> str:
    """``""`` when ``argv`` exits 0, else bwrap's first error line (or the exit status)."""
    try:
        done = subprocess.run(
            argv,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=_PROBE_TIMEOUT_S,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"{type(exc).__name__}: {exc}"
    if done.returncode == 0:
        return ""
    lines = done.stderr.strip().splitlines()
    return lines[0] if lines else f"exit status {done.returncode}"
