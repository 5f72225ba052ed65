"""The one place the production layer order is decided.

:func:`standard_stack` builds, outermost first::

    RecordLayer or        (only with --record / --replay) sees the model call
    ReplayLayer           as the provider gets it, after every before_model hook
    RenamePreviewLayer    (only with a rename_symbol tool) plans the rename so
                          the permission request can show its diffs
    PermissionLayer       confinement, policy, then the person
    AuditLayer            one JSON line per call, refused ones included
    RateLimitLayer        token buckets and the failure breaker
    RedactionLayer        secrets out of the model's copy
    *extra                layers a face or a test adds (Runtime.extra_layers)
    SanitizeLayer         innermost: cleans and wraps untrusted output first

``before_tool`` hooks run top to bottom and ``after_tool`` bottom to top
(:mod:`zeph_tui.core.layers.base`), so a refusal by the permission layer never
reaches the rate limiter, the audit line sees the final (sanitised, redacted)
result, and a tool's output is sanitised before it is redacted.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from zeph_tui.core.layers.audit import AuditLayer
from zeph_tui.core.layers.base import Layer, LayerStack
from zeph_tui.core.layers.permission import PermissionLayer
from zeph_tui.core.layers.safety import RateLimitLayer, RedactionLayer, SanitizeLayer
from zeph_tui.core.ports import Approver
from zeph_tui.core.safety.paths import WorkspaceRoots
from zeph_tui.core.safety.policy import PermissionPolicy
from zeph_tui.core.safety.redact import Redactor

__all__ = ["standard_stack"]


def standard_stack(
    *,
    policy: PermissionPolicy,
    approver: Approver,
    roots: WorkspaceRoots,
    redactor: Redactor,
    audit_path: Path,
    rename_preview: bool = False,
    extra: Sequence[Layer] = (),
    tape: Layer | None = None,
) -> LayerStack:
    """The layer stack of a session, in the order of the module docstring.

    Args:
        policy: the session's permission policy (its mode follows the session).
        approver: the face's approver, asked when the policy says ``ask``.
        roots: the session's confinement (permission and rename preview).
        redactor: the session's redactor (audit lines and the model's copy).
        audit_path: the audit JSONL file (``$ZEPH_HOME/audit.jsonl``).
        rename_preview: the session has a ``rename_symbol`` tool.
        extra: more layers, placed just outside the sanitiser.
        tape: the record or replay layer (:mod:`zeph_tui.core.replay`), outermost.
    """
    layers: list[Layer] = [tape] if tape is not None else []
    if rename_preview:
        from zeph_tui.core.layers.rename_preview import RenamePreviewLayer  # tree-sitter, LSP

        layers.append(RenamePreviewLayer(roots))
    layers += [
        PermissionLayer(policy, approver, roots),
        AuditLayer(audit_path, redactor),
        RateLimitLayer(),
        RedactionLayer(redactor),
        *extra,
        SanitizeLayer(),
    ]
    return LayerStack(layers)
