"""LayerStack semantics: hook order, short-circuits, result replacement (DESIGN.md, layers).

The unit tests drive a real LayerStack with layers that write what they see
into a shared trace; the session test shows the same semantics around a real
tool in a real turn (a short-circuit means the file is never written).
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

from tests.turns import AllowAll, Recorder, scripted_session, tool_results
from zeph_tui.core.events import ToolCall
from zeph_tui.core.layers.base import Layer, LayerStack, ToolInvocation
from zeph_tui.core.layers.stack import standard_stack
from zeph_tui.core.providers.base import MessageStop, ModelRequest, TextPart, Usage
from zeph_tui.core.safety.paths import WorkspaceRoots
from zeph_tui.core.safety.policy import PermissionPolicy
from zeph_tui.core.safety.redact import Redactor
from zeph_tui.core.tools.base import ToolResult
from zeph_tui.core.tools.files import WriteFile


class Traced(Layer):
    """Appends ``name.hook`` to ``trace``; may short-circuit or replace results."""

    def __init__(
        self, name: str, trace: list[str], *, short: str | None = None, tag: bool = False
    ) -> None:
        self.name, self.trace, self.short, self.tag = name, trace, short, tag

    async def before_model(self, request: ModelRequest) -> ModelRequest:
        self.trace.append(f"{self.name}.before_model")
        return replace(request, system=f"{request.system}>{self.name}")

    async def after_model(self, stop: MessageStop) -> MessageStop:
        self.trace.append(f"{self.name}.after_model")
        return replace(stop, parts=(*stop.parts, TextPart(self.name)))

    async def before_tool(self, invocation: ToolInvocation) -> ToolResult | None:
        self.trace.append(f"{self.name}.before_tool")
        return None if self.short is None else ToolResult(self.short, is_error=True)

    async def after_tool(self, invocation: ToolInvocation, result: ToolResult) -> ToolResult:
        self.trace.append(f"{self.name}.after_tool(ran={invocation.ran}, {result.text})")
        return replace(result, text=f"{result.text}+{self.name}") if self.tag else result


def invocation() -> ToolInvocation:
    call = ToolCall("call_1", title="Write x", kind="edit", status="pending", name="write_file")
    return ToolInvocation(call, WriteFile(), {"path": "x", "content": ""}, "sess_1", "bypass")


async def test_model_hooks_run_in_order_then_in_reverse() -> None:
    trace: list[str] = []
    stack = LayerStack([Traced("A", trace), Traced("B", trace), Traced("C", trace)])
    request = await stack.before_model(ModelRequest(system="S", messages=[], tools=[]))
    stop = await stack.after_model(MessageStop("end_turn", Usage(), (TextPart("reply"),)))
    assert request.system == "S>A>B>C"  # each layer got the previous one's request
    assert [p.text for p in stop.parts] == ["reply", "C", "B", "A"]  # type: ignore[union-attr]
    assert trace == [
        "A.before_model",
        "B.before_model",
        "C.before_model",
        "C.after_model",
        "B.after_model",
        "A.after_model",
    ]


async def test_a_short_circuit_skips_later_before_hooks_but_every_after_hook_runs() -> None:
    trace: list[str] = []
    stack = LayerStack(
        [Traced("A", trace, tag=True), Traced("B", trace, short="denied"), Traced("C", trace)]
    )
    inv = invocation()
    short = await stack.before_tool(inv)
    assert short is not None and short.text == "denied"
    final = await stack.after_tool(inv, short)
    assert trace == [
        "A.before_tool",
        "B.before_tool",  # C.before_tool never ran
        "C.after_tool(ran=False, denied)",
        "B.after_tool(ran=False, denied)",
        "A.after_tool(ran=False, denied)",
    ]
    assert final.text == "denied+A" and final.is_error


async def test_after_hooks_see_and_replace_each_others_results() -> None:
    trace: list[str] = []
    stack = LayerStack(
        [Traced("A", trace, tag=True), Traced("B", trace), Traced("C", trace, tag=True)]
    )
    inv = invocation()
    assert await stack.before_tool(inv) is None
    inv.ran = True
    final = await stack.after_tool(inv, ToolResult("out"))
    assert trace[3:] == [
        "C.after_tool(ran=True, out)",
        "B.after_tool(ran=True, out+C)",  # B got C's replacement
        "A.after_tool(ran=True, out+C)",
    ]
    assert final.text == "out+C+A"


async def test_an_empty_stack_passes_everything_through() -> None:
    stack = LayerStack()
    request = ModelRequest(system="S", messages=[], tools=[])
    assert await stack.before_model(request) is request
    inv = invocation()
    assert await stack.before_tool(inv) is None
    result = ToolResult("out")
    assert await stack.after_tool(inv, result) is result


def test_the_standard_order(tmp_path: Path) -> None:
    roots = WorkspaceRoots(tmp_path)
    stack = standard_stack(
        policy=PermissionPolicy.from_config({"mode": "ask"}),
        approver=AllowAll(),
        roots=roots,
        redactor=Redactor(),
        audit_path=tmp_path / "audit.jsonl",
        rename_preview=True,
        extra=[Traced("X", [])],
    )
    assert [type(layer).__name__ for layer in stack.layers] == [
        "RenamePreviewLayer",
        "PermissionLayer",
        "AuditLayer",
        "RateLimitLayer",
        "RedactionLayer",
        "Traced",
        "SanitizeLayer",
    ]


async def test_in_a_turn_a_short_circuit_keeps_the_tool_from_running(
    runtime: Any, workspace: Path, anthropic_env: None
) -> None:
    trace: list[str] = []
    runtime.extra_layers.extend([Traced("A", trace, short="held by A"), Traced("B", trace)])
    write = {"type": "tool_use", "name": "write_file", "input": {"path": "x.txt", "content": "x"}}
    script: list[dict[str, Any]] = [
        {"blocks": [write]},
        {"blocks": [{"type": "text", "text": "ok"}]},
    ]
    async with scripted_session(runtime, workspace, script, sink=Recorder()) as (session, fake):
        assert await session.prompt(["write x"]) == "end_turn"
    assert not (workspace / "x.txt").exists()
    (result,) = tool_results(fake.requests[1])
    assert result == {"text": "held by A", "is_error": True}
    tool_trace = [t for t in trace if "_tool" in t]
    assert tool_trace == [
        "A.before_tool",
        "B.after_tool(ran=False, held by A)",
        "A.after_tool(ran=False, held by A)",
    ]
    # both model calls of the turn passed both layers, in order and in reverse
    assert [t for t in trace if "_model" in t] == [
        "A.before_model",
        "B.before_model",
        "B.after_model",
        "A.after_model",
    ] * 2
