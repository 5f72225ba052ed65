"""Runtime layers: hooks around every tool call, in one order built in :mod:`.stack`.

- :mod:`.base`: :class:`~.base.Layer`, :class:`~.base.ToolInvocation`, :class:`~.base.LayerStack`.
- :mod:`.permission`: policy decision, then the person.
- :mod:`.safety`: rate limit and breaker, redaction, sanitising of untrusted output.
- :mod:`.audit`: one redacted JSON line per tool call.
- :mod:`.rename_preview`: the call sites and WorkspaceEdit preview before a rename is allowed.
- :mod:`.stack`: the one place the layer order is decided.
"""
