"""The app factory: one place that wires settings, store, provider and sessions.

Used by every face (CLI, dashboard, ACP, LSP face) and by the tests, so
what runs in a test is what runs for a person.

Session open path (DESIGN.md): :meth:`Runtime.open_session` builds only the
store row, the tool list and the layer stack; it imports no provider SDK,
loads no model, reads no skill and starts no language server. With
``warm=True`` (the default: dashboard, ACP) it then starts, in the runtime's
:class:`~zeph_tui.core.warmup.Warmup`, the provider's warm-up (SDK import or
model load), the skills index (when the catalog needs ranking) and the repo
map; the language-server bridge (``lsp_bridge``) loads when a tool or the face
first needs it. The first prompt awaits only what it needs: the provider call awaits the
provider's warm-up; the system prompt takes what is ready when the prompt
arrives (skills ranked once their index is built, in name order before; the
repo map once its warm-up has run, within
:data:`~zeph_tui.core.sections.REPO_MAP_WAIT_S`), so it
never waits for a warm-up that follows the provider's. ``zeph-tui run`` opens with ``warm=False``: nothing
runs in the background and the prompt pays for what it uses (skills listed
without ranking, no repo map, language servers only when a tool needs them).
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from zeph_tui.core.config import Settings, db_path, load_settings, zeph_home
from zeph_tui.core.layers.base import Layer
from zeph_tui.core.ports import Approver, Asker, ClientTerminal, EventSink, WorkspaceFS
from zeph_tui.core.providers.base import Provider
from zeph_tui.core.sections import library_read_roots, repo_map_section, standard_sections
from zeph_tui.core.session.options import SessionOptions
from zeph_tui.core.session.session import PromptSection, Session
from zeph_tui.core.store import Store, open_store
from zeph_tui.core.tools.base import CodeIntel, Tool
from zeph_tui.core.warmup import Warmup

if TYPE_CHECKING:
    from zeph_tui.core.agents.host import SubAgents
    from zeph_tui.core.code.intel import LspCodeIntel
    from zeph_tui.core.replay import TapeDeck
    from zeph_tui.core.safety.sandbox import Sandbox, SandboxNotice
    from zeph_tui.core.skills import SkillLibrary
    from zeph_tui.core.tools.repomap_tool import RepoMapSection

__all__ = ["Runtime", "replay_events"]


@dataclass(slots=True)
class Runtime:
    """Process-wide state shared by the sessions of one face.

    Attributes:
        home: ``ZEPH_HOME``.
        settings: loaded settings (config.toml + env).
        store: the open SQLite store.
        provider_name / model: overrides from the command line.
        sandbox: the shell sandbox from ``[sandbox]`` (see ``safety.sandbox``).
        warmup: owner of the background warm-ups (cancelled in :meth:`aclose`).
    """

    home: Path
    settings: Settings
    store: Store
    provider_name: str | None = None
    model: str | None = None
    extra_layers: list[Layer] = field(default_factory=list)
    libraries: dict[Path, SkillLibrary] = field(default_factory=dict)
    prompt_sections: list[PromptSection] = field(default_factory=list)
    repo_map: RepoMapSection | None = None
    code_intels: dict[Path, LspCodeIntel] = field(default_factory=dict)
    tapes: TapeDeck | None = None
    """--record / --replay of model calls (:mod:`zeph_tui.core.replay`); None = neither."""
    sandbox: Sandbox | None = None
    warmup: Warmup = field(default_factory=Warmup)

    @classmethod
    async def start(
        cls, *, provider: str | None = None, model: str | None = None, home: Path | None = None
    ) -> Runtime:
        """Load settings, open (and migrate) the database; old overflow is pruned behind.

        ``ZEPH_RECORD=PATH`` / ``ZEPH_REPLAY=PATH`` set :attr:`tapes` for every
        face (a face's ``--record`` / ``--replay`` flags replace it).

        Raises:
            ConfigError: invalid config.toml or environment.
            StoreError: the database cannot be opened.
            TapeError: ``ZEPH_RECORD`` / ``ZEPH_REPLAY`` are unusable.
        """
        home = home or zeph_home()
        settings = load_settings()
        tapes = _env_tapes()
        store = await open_store(db_path(home))
        _install_redaction()
        runtime = cls(home, settings, store, provider, model)
        runtime.tapes = tapes
        runtime.sandbox = _sandbox(settings, home)
        retention_s = settings.archive.retention_days * 86400
        runtime.warmup.start("prune", lambda: store.archive.prune(older_than_s=retention_s))
        return runtime

    def sandbox_notice(self) -> SandboxNotice | None:
        """The "shell not sandboxed" notice, for the first caller only (else None).

        Every face calls this once after start and shows what it gets (see
        :mod:`zeph_tui.core.safety.sandbox`); None when ``bash`` is confined or
        the notice was already taken. Probes bubblewrap: call it off the loop.
        """
        return None if self.sandbox is None else self.sandbox.take_notice()

    def build_provider(self, name: str | None = None, model: str | None = None) -> Provider:
        """Resolve the provider: argument > --provider > ``[routing]`` > env/config > keys > local."""
        from zeph_tui.core.providers.resolve import resolve_provider

        replayed = self.tapes.provider() if self.tapes else None
        if replayed is not None:
            return replayed
        from zeph_tui.core.safety.keys import taken_secrets

        routing = self.settings.routing
        if routing.enabled and routing.models and not (name or self.provider_name):
            from zeph_tui.core.providers.resolve import build_routing

            return build_routing(routing.model_dump(), env={**os.environ, **taken_secrets()})
        section = self.settings.provider
        config: dict[str, Any] = {}
        if section.name:
            config["provider"] = section.name
        if section.model:
            config["model"] = section.model
        env = {**os.environ, **taken_secrets()}  # the CLI moved the keys out of os.environ
        return resolve_provider(
            name or self.provider_name, model or self.model, env=env, config=config
        )

    def session_options(self, **overrides: Any) -> SessionOptions:
        from zeph_tui.core.safety.env import scrubbed_env
        from zeph_tui.core.safety.keys import taken_secrets

        limits = self.settings.limits
        perms = self.settings.permissions
        options = SessionOptions(
            max_turn_requests=limits.max_turn_requests,
            max_tokens=limits.max_tokens,
            model_copy_limit_bytes=limits.model_copy_limit_bytes,
            thinking_budget_tokens=self.settings.provider.thinking_budget_tokens,
            env=scrubbed_env({**os.environ, **taken_secrets()}, allow=perms.env_allowlist),
            extra_write_roots=tuple(perms.extra_write_roots),
            read_roots=tuple(perms.read_roots),
        )
        for key, value in overrides.items():
            setattr(options, key, value)
        return options

    async def open_session(
        self,
        *,
        workspace: Path,
        sink: EventSink,
        approver: Approver,
        mode: str | None = None,
        session_id: str | None = None,
        provider: Provider | None = None,
        tools: Sequence[Tool] | None = None,
        fs: WorkspaceFS | None = None,
        terminal: ClientTerminal | None = None,
        code_intel: CodeIntel | None = None,
        options: SessionOptions | None = None,
        warm: bool = True,
        asker: Asker | None = None,
    ) -> Session:
        """Create a session (or load ``session_id``) wired with the standard layers.

        The layer order is :func:`zeph_tui.core.layers.stack.standard_stack`'s.

        Args:
            warm: start the background warm-ups once the session exists (see
                the module doc); ``False`` for one-shot use (``zeph-tui run``).
            asker: the face's way to ask the person; with one the model gets the
                ``ask_user`` tool (:mod:`zeph_tui.core.tools.ask_tool`).
        """
        from zeph_tui.core.layers.stack import standard_stack
        from zeph_tui.core.safety.policy import PermissionPolicy
        from zeph_tui.core.session.system_prompt import build_system_prompt
        from zeph_tui.core.tools import default_tools

        perms = self.settings.permissions
        workspace = await asyncio.to_thread(Path(workspace).resolve)
        library = self.skill_library(workspace)
        subagents = None
        if tools is None:
            from zeph_tui.core.tools.repomap_tool import RepoMapTool
            from zeph_tui.core.tools.skill_tools import LoadSkill

            subagents = self._subagents(workspace, approver)
            tools = [
                *default_tools(self.sandbox),
                LoadSkill(library),
                RepoMapTool(),
                *self._memory_tools(),
                *subagents.tools(),
            ]
        if asker is not None:
            from zeph_tui.core.tools.ask_tool import AskUser

            tools = [*tools, AskUser(asker)]
        if options is None:
            options = self.session_options()
            options.read_roots = (*options.read_roots, *library_read_roots(library))
        if code_intel is None and self.settings.lsp.enabled:
            code_intel = self.code_intel(workspace)
            tools = [*tools, *_new_lsp_tools(code_intel, tools)]
            tools = [*tools, *_rename_tools(code_intel, tools)]
        session = await Session.open(
            session_id=session_id,
            workspace=workspace,
            provider=provider or self.build_provider(),
            store=self.store,
            sink=sink,
            tools=list(tools),
            fs=fs,
            terminal=terminal,
            code_intel=code_intel,
            options=options,
            mode=mode,
            default_mode=perms.mode,
            system_prompt=build_system_prompt,
            prompt_sections=[
                *standard_sections(library, self.warmup),
                *self._context_sections(),
                *self._memory_sections(),
                *self.prompt_sections,
            ],
        )
        session.layers = standard_stack(
            policy=PermissionPolicy.from_config({"mode": session.mode, "rules": perms.rules}),
            approver=approver,
            roots=session.roots,
            redactor=session.redactor,
            audit_path=self.home / "audit.jsonl",
            rename_preview="rename_symbol" in session.tools,
            extra=self.extra_layers,
            tape=self.tapes.layer(session) if self.tapes else None,
        )
        if subagents is not None:
            subagents.bind(session)
        if warm:
            self._warm(session, library)
        return session

    def _subagents(self, workspace: Path, approver: Approver) -> SubAgents:
        """The sub-agent host of a new session: children open like it, with its approver."""
        from zeph_tui.core.agents.host import SubAgents

        async def open_child(**kwargs: Any) -> Session:
            parent = host.parent
            code_intel = parent.code_intel if parent is not None else None
            return await self.open_session(
                workspace=workspace, approver=approver, code_intel=code_intel, warm=False, **kwargs
            )

        host = SubAgents(
            open_child,
            workspace=workspace,
            zeph_home=self.home,
            max_concurrent=self.settings.limits.max_concurrent_subagents,
            provider_for=lambda model: self.build_provider(model=model),
        )
        return host

    def warm(self, session: Session) -> None:
        """Start the background warm-ups of ``session`` (opened with ``warm=False``).

        For a face that answers first and warms after its answer is written
        (ACP: ``acp.after_response``), so the SDK import does not compete with
        the answer. Same warm-ups as ``open_session(warm=True)``.
        """
        self._warm(session, self.skill_library(session.workspace))

    def _warm(self, session: Session, library: SkillLibrary) -> None:
        """Start the warm-ups of ``session`` (they run after the caller's next await).

        In order, so they do not compete for the interpreter with what the first
        token needs: the provider (SDK import / model load) at once; then the
        skills index (only when the catalog needs ranking) and the repo map (a
        prompt does not wait for those: it takes what is ready). The
        language-server bridge is not warmed: ``lsp_bridge`` (and ``git``)
        load when a tool or the face first asks ``intel.bridge()``.
        """
        from zeph_tui.core.providers.lazy import Warmable

        provider, workspace, warmup = session.provider, session.workspace, self.warmup
        keys = [f"provider:{session.id}", f"skills:{workspace}", f"repo_map:{workspace}"]
        if isinstance(provider, Warmable):
            warmup.start(keys[0], provider.warm)

        async def after(done: list[str], work: Callable[[], Awaitable[object]]) -> None:
            for key in done:
                await warmup.wait(key)
            await work()

        window = provider.context_window_tokens  # the index only when the catalog needs ranking
        warmup.start(
            keys[1], lambda: after(keys[:1], lambda: asyncio.to_thread(library.warm, window))
        )
        warmup.start(keys[2], lambda: after(keys[:1], lambda: self.repo_map_text(workspace)))

    async def repo_map_text(self, workspace: Path) -> str:
        """The repo map section's text of ``workspace`` (starts or joins its build)."""
        if self.repo_map is None:
            return ""
        return await self.repo_map.text(workspace)

    def warming(self) -> list[str]:
        """What is still warming, e.g. ``["provider", "lsp"]`` (for a status bar)."""
        return sorted({key.split(":", 1)[0] for key in self.warmup.pending()} - {"prune"})

    def _memory_tools(self) -> list[Tool]:
        """``remember`` / ``recall`` on this database ([] with ``[memory] enabled = false``)."""
        if not self.settings.memory.enabled:
            return []
        from zeph_tui.core.memory import MemoryStore
        from zeph_tui.core.tools.memory_tools import memory_tools

        return memory_tools(MemoryStore(self.store.db))

    def _memory_sections(self) -> list[PromptSection]:
        """The relevant memories of each turn within ``[memory] budget_tokens``."""
        if not self.settings.memory.enabled:
            return []
        from zeph_tui.core.memory import MemoryStore
        from zeph_tui.core.memory.section import memory_section

        return [memory_section(MemoryStore(self.store.db), self.settings.memory.budget_tokens)]

    def _context_sections(self) -> list[PromptSection]:
        from zeph_tui.core.layers.safety import untrusted_content_section
        from zeph_tui.core.repo_map_worker import WorkerRepoMapSection

        if self.repo_map is None:
            self.repo_map = WorkerRepoMapSection()  # tree-sitter, numpy: in a child
        return [untrusted_content_section, repo_map_section(self.repo_map, self.warmup)]

    def skill_library(self, workspace: Path) -> SkillLibrary:
        """The skill library of ``workspace`` (one per workspace, reloaded on change)."""
        from zeph_tui.core.skills import SkillLibrary

        key = Path(workspace).resolve()
        if key not in self.libraries:
            self.libraries[key] = SkillLibrary(key, self.home)
        return self.libraries[key]

    def code_intel(self, workspace: Path) -> LspCodeIntel:
        """The language-server hooks of ``workspace`` (one per workspace; servers start lazily).

        Raises:
            ConfigError: an invalid ``[lsp.servers.NAME]`` table.
        """
        from zeph_tui.core.code.intel import LspCodeIntel

        key = Path(workspace).resolve()
        if key not in self.code_intels:
            self.code_intels[key] = LspCodeIntel.from_settings(key, self.settings.lsp)
        return self.code_intels[key]

    async def close_session(self, session: Session) -> None:
        """Cancel and await the warm-ups that belong to ``session`` alone (its provider's).

        The workspace's warm-ups (skills index, repo map, language servers) are
        shared by every session of that workspace and stop in :meth:`aclose`.
        The session itself and its provider are closed by the caller (a face).
        """
        await self.warmup.cancel(f"provider:{session.id}")

    async def aclose(self) -> None:
        """Cancel and await the warm-ups, close language servers and the store."""
        await self.warmup.aclose()
        if self.repo_map is not None:
            await self.repo_map.aclose()
        intels, self.code_intels = list(self.code_intels.values()), {}
        for intel in intels:
            await intel.aclose()
        await self.store.close()


def _new_lsp_tools(intel: LspCodeIntel, tools: Sequence[Tool]) -> list[Tool]:
    """The LSP tools whose names ``tools`` does not already have."""
    from zeph_tui.core.tools.lsp_tools import lsp_tools

    taken = {t.name for t in tools}
    return [t for t in lsp_tools(intel) if t.name not in taken]


def _rename_tools(intel: LspCodeIntel, tools: Sequence[Tool]) -> list[Tool]:
    """``rename_symbol`` over ``intel``'s bridge, unless ``tools`` already has one."""
    from zeph_tui.core.tools.rename_tool import RenameSymbol

    return [] if any(t.name == RenameSymbol.name for t in tools) else [RenameSymbol(intel)]


def _env_tapes() -> TapeDeck | None:
    record, replay = os.environ.get("ZEPH_RECORD"), os.environ.get("ZEPH_REPLAY")
    if not record and not replay:
        return None  # the common case imports nothing
    from zeph_tui.core.replay import open_tapes

    return open_tapes(record, replay)


def _sandbox(settings: Settings, home: Path) -> Sandbox:
    """The shell sandbox from ``[sandbox]``: ZEPH_HOME hidden, extra write roots writable."""
    from zeph_tui.core.safety.sandbox import Sandbox

    return Sandbox(
        enabled=settings.sandbox.enabled,
        network=settings.sandbox.network,
        hidden=(home,),
        extra_write=tuple(settings.permissions.extra_write_roots),
    )


def _install_redaction() -> None:
    """Seed the process redactor with the environment's secrets; redact every log record."""
    from zeph_tui.core.safety.wiring import default_redactor, install_log_redaction

    install_log_redaction(default_redactor(refresh_env=True))


async def replay_events(
    session_id: str, runtime: Runtime | None = None, *, home: Path | None = None
) -> AsyncIterator[dict[str, Any]]:
    """The stored ``session/update`` payloads of ``session_id``, oldest first, in pages.

    Uses ``runtime``'s store when given; otherwise opens only the store (no
    settings, provider or tools) and closes it at the end. Memory stays
    bounded by one page (see :meth:`SessionStore.replay`).

    Raises:
        StoreError: the database cannot be opened.
    """
    if runtime is None:
        path = db_path(home or zeph_home())
        if not await asyncio.to_thread(path.exists):
            return  # no database, no history (and no migration racing the runtime's)
        store = await open_store(path)
    else:
        store = runtime.store
    try:
        async for payload in store.sessions.replay(session_id):
            yield payload
    finally:
        if runtime is None:
            await store.close()
