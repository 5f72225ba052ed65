"""The agent session: the turn loop, its context budget and what goes into each request.

- :mod:`.session`: :class:`~.session.Session`, the turn loop every face drives.
- :mod:`.options`: permission modes and :class:`~.options.SessionOptions` (a session's limits).
- :mod:`.dispatch`: tool calls of one reply, in conflict-free concurrent batches.
- :mod:`.context`: context budgets and compaction (references at 70 %, summary at 85 %).
- :mod:`.system_prompt`, :mod:`.instructions`: the system prompt and AGENTS.md/CLAUDE.md.
- :mod:`.prompt_blocks`: what a person sends, shaped like ACP ``ContentBlock``.
- :mod:`.replay`: the compact event list stored for ``session/load``.
"""
