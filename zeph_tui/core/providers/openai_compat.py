"""OpenAI-compatible chat completions provider over httpx2 (streaming SSE).

Works with any server speaking ``POST {base_url}/chat/completions`` with
``stream: true`` (OpenAI, Ollama, vLLM, llama.cpp server, LM Studio,
OpenRouter). ``base_url`` includes the version prefix, like the OpenAI SDK's
``OPENAI_BASE_URL`` (e.g. ``http://127.0.0.1:11434/v1``).

Mapping (OpenAI chat completions API):
  * system prompt -> a leading ``system`` message;
  * user text/images -> ``user`` content (string, or text + ``image_url``
    data-URL parts); tool results -> one ``tool`` message each (errors are
    prefixed ``ERROR:``), placed right after the assistant's ``tool_calls``;
  * assistant text + tool uses -> ``content`` + ``tool_calls``; thinking is
    dropped (these servers take no signatures back);
  * streamed ``delta.tool_calls`` are accumulated by ``index``;
    ``delta.reasoning_content`` / ``delta.reasoning`` become ThinkingDelta;
  * ``finish_reason``: stop->end_turn, tool_calls->tool_use,
    length->max_tokens, content_filter->refusal (tool_use whenever tool calls
    were streamed);
  * usage comes from the final chunk when the server honours
    ``stream_options.include_usage``, else it is estimated as chars / 4.

The HTTP client is ``httpx2`` (the httpx line the ``anthropic`` SDK uses; unlike
``httpx`` 0.28 it does not import its command-line client, and with it
``rich`` and ``pygments``, at import), imported lazily (see :mod:`.lazy`): by
:meth:`OpenAICompatProvider.warm`, which also asks ``/models`` when no model
is set, or by the first stream.
"""

from __future__ import annotations

import json
import os
from collections.abc import AsyncGenerator
from contextlib import aclosing
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from zeph_tui.core.errors import ProviderError
from zeph_tui.core.providers import base
from zeph_tui.core.providers.lazy import LazyResource
from zeph_tui.core.providers.pricing import Price

if TYPE_CHECKING:
    import httpx2 as httpx

__all__ = [
    "DEFAULT_BASE_URL",
    "OpenAICompatProvider",
    "estimate_tokens",
    "to_openai_messages",
]

DEFAULT_BASE_URL = "https://api.openai.com/v1"
_FINISH: dict[str, base.ProviderStopReason] = {
    "stop": "end_turn",
    "tool_calls": "tool_use",
    "function_call": "tool_use",
    "length": "max_tokens",
    "content_filter": "refusal",
}


def estimate_tokens(text: str) -> int:
    """Rough token count (4 characters per token, at least 1 for non-empty text)."""
    return (len(text) + 3) // 4


def _user_messages(parts: list[base.Part]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for part in parts:
        if isinstance(part, base.ToolResultPart):
            text = f"ERROR: {part.content}" if part.is_error else part.content
            out.append({"role": "tool", "tool_call_id": part.tool_use_id, "content": text})
    content: list[dict[str, Any]] = []
    for part in parts:
        if isinstance(part, base.TextPart) and part.text:
            content.append({"type": "text", "text": part.text})
        elif isinstance(part, base.ImagePart):
            url = f"data:{part.media_type};base64,{part.data}"
            content.append({"type": "image_url", "image_url": {"url": url}})
    if len(content) == 1 and content[0]["type"] == "text":
        out.append({"role": "user", "content": content[0]["text"]})
    elif content:
        out.append({"role": "user", "content": content})
    return out


def _assistant_message(parts: list[base.Part]) -> dict[str, Any] | None:
    text = "".join(p.text for p in parts if isinstance(p, base.TextPart))
    calls = [
        {
            "id": p.id,
            "type": "function",
            "function": {"name": p.name, "arguments": json.dumps(p.input)},
        }
        for p in parts
        if isinstance(p, base.ToolUsePart)
    ]
    if not text and not calls:
        return None
    message: dict[str, Any] = {"role": "assistant", "content": text or None}
    if calls:
        message["tool_calls"] = calls
    return message


def to_openai_messages(system: str, messages: list[base.Message]) -> list[dict[str, Any]]:
    """Our conversation as chat completions ``messages`` (see module doc)."""
    out: list[dict[str, Any]] = [{"role": "system", "content": system}] if system else []
    for message in messages:
        if message.role == "user":
            out.extend(_user_messages(message.parts))
        elif (assistant := _assistant_message(message.parts)) is not None:
            out.append(assistant)
    return out


def _request_body(model: str, request: base.ModelRequest) -> dict[str, Any]:
    body: dict[str, Any] = {
        "model": model,
        "messages": to_openai_messages(request.system, request.messages),
        "max_tokens": request.max_tokens,
        "stream": True,
        "stream_options": {"include_usage": True},
    }
    if request.tools:
        body["tools"] = [
            {
                "type": "function",
                "function": {
                    "name": t.name,
                    "description": t.description,
                    "parameters": t.input_schema,
                },
            }
            for t in request.tools
        ]
        if request.tool_choice == "none":
            body["tool_choice"] = "none"
    return body


@dataclass(slots=True)
class _Call:
    id: str = ""
    name: str = ""
    arguments: list[str] = field(default_factory=list)


@dataclass(slots=True)
class _Turn:
    text: list[str] = field(default_factory=list)
    thinking: list[str] = field(default_factory=list)
    calls: dict[int, _Call] = field(default_factory=dict)
    finish: str | None = None
    usage: base.Usage | None = None

    def on_chunk(self, chunk: dict[str, Any]) -> list[base.StreamEvent]:
        if "error" in chunk:
            raise ProviderError(f"openai-compatible stream error: {chunk['error']}")
        if chunk.get("usage"):
            u = chunk["usage"]
            cached = int((u.get("prompt_tokens_details") or {}).get("cached_tokens") or 0)
            prompt = int(u.get("prompt_tokens") or 0)
            self.usage = base.Usage(
                prompt - cached, int(u.get("completion_tokens") or 0), cached, 0
            )
        events: list[base.StreamEvent] = []
        for choice in chunk.get("choices") or []:
            delta = choice.get("delta") or {}
            thought = delta.get("reasoning_content") or delta.get("reasoning")
            if thought:
                self.thinking.append(thought)
                events.append(base.ThinkingDelta(thought))
            if delta.get("content"):
                self.text.append(delta["content"])
                events.append(base.TextDelta(delta["content"]))
            for tc in delta.get("tool_calls") or []:
                call = self.calls.setdefault(int(tc.get("index", len(self.calls))), _Call())
                fn = tc.get("function") or {}
                call.id = tc.get("id") or call.id
                call.name = fn.get("name") or call.name
                if fn.get("arguments"):
                    call.arguments.append(fn["arguments"])
            self.finish = choice.get("finish_reason") or self.finish
        return events

    def tool_parts(self) -> list[base.ToolUsePart]:
        return [
            base.ToolUsePart(
                c.id or f"call_{i}",
                c.name,
                base.parse_tool_input("".join(c.arguments)),
                "".join(c.arguments),
            )
            for i, c in sorted(self.calls.items())
        ]


class OpenAICompatProvider:
    """A :class:`~zeph_tui.core.providers.base.Provider` for OpenAI-compatible servers.

    Args:
        model: model id; ``""``/``None`` = the first entry of ``GET {base_url}/models``,
            asked on the first :meth:`stream` (``model`` is filled in then).
        base_url: API root including ``/v1``; defaults to ``OPENAI_BASE_URL`` or OpenAI.
        api_key: bearer token; defaults to ``OPENAI_API_KEY`` (none sent when unset).
        timeout_s: connect/read timeout in seconds.
        context_window_tokens: the model's context window (servers do not report it).
        price: dollars per million tokens, for :meth:`cost_usd` (``None`` = free).
        name: provider name shown in the status bar.
        transport: httpx2 transport (proxies, Unix sockets, tests); ``None`` = TCP.
    """

    def __init__(
        self,
        model: str | None = None,
        *,
        base_url: str | None = None,
        api_key: str | None = None,
        timeout_s: float = 600.0,
        context_window_tokens: int = 32_768,
        price: Price | None = None,
        name: str = "openai",
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.name = name
        self.model = model or ""
        self.context_window_tokens = context_window_tokens
        self.base_url = (base_url or os.environ.get("OPENAI_BASE_URL") or DEFAULT_BASE_URL).rstrip(
            "/"
        )
        self._price = price
        key = api_key if api_key is not None else os.environ.get("OPENAI_API_KEY")
        headers = {"authorization": f"Bearer {key}"} if key else {}

        def build() -> httpx.AsyncClient:
            import httpx2 as httpx

            timeout = httpx.Timeout(timeout_s, connect=10.0)
            return httpx.AsyncClient(headers=headers, timeout=timeout, transport=transport)

        self._client = LazyResource(build, what="openai-compatible: cannot load httpx2")

    async def warm(self) -> None:
        """Import httpx2, build the client and learn the model (``/models``) now.

        Raises:
            ProviderError: httpx2 cannot be imported, or no model can be listed.
        """
        await self._ensure_model()

    async def _ensure_model(self) -> str:
        client = await self._client.get()
        if self.model:
            return self.model
        import httpx2 as httpx

        try:
            response = await client.get(f"{self.base_url}/models")
            response.raise_for_status()
            models = response.json().get("data") or []
        except (httpx.HTTPError, ValueError) as exc:
            raise ProviderError(
                f"openai-compatible: cannot list models at {self.base_url}: {exc}"
            ) from exc
        if not models:
            raise ProviderError(f"openai-compatible: {self.base_url}/models lists no model")
        self.model = str(models[0]["id"])
        return self.model

    async def _chunks(self, body: dict[str, Any]) -> AsyncGenerator[dict[str, Any], None]:
        """POST ``body`` and yield each decoded SSE ``data:`` JSON until ``[DONE]``."""
        import httpx2 as httpx

        url = f"{self.base_url}/chat/completions"
        client = await self._client.get()
        try:
            async with client.stream("POST", url, json=body) as response:
                if response.status_code >= 400:
                    detail = (await response.aread()).decode(errors="replace")[:1000]
                    raise ProviderError(f"openai-compatible: HTTP {response.status_code}: {detail}")
                async for line in response.aiter_lines():
                    if not line.startswith("data:"):
                        continue
                    data = line[5:].strip()
                    if data == "[DONE]":
                        return
                    yield json.loads(data)
        except httpx.HTTPError as exc:
            raise ProviderError(f"openai-compatible: {type(exc).__name__}: {exc}") from exc
        except ValueError as exc:
            raise ProviderError(f"openai-compatible: malformed SSE data: {exc}") from exc

    async def stream(self, request: base.ModelRequest) -> AsyncGenerator[base.StreamEvent, None]:
        """Stream one chat completion (see module doc for the mapping).

        Yields:
            TextDelta / ThinkingDelta as they arrive, ToolUse for each tool call
            once the stream finished, then exactly one MessageStop.

        Raises:
            ProviderError: HTTP error status, connection failure, malformed SSE,
                an ``error`` chunk, or no model to use.
        """
        body = _request_body(await self._ensure_model(), request)
        turn = _Turn()
        async with aclosing(self._chunks(body)) as chunks:  # closes the HTTP stream on early exit
            async for chunk in chunks:
                for event in turn.on_chunk(chunk):
                    yield event
        tool_parts = turn.tool_parts()
        for part in tool_parts:
            yield base.ToolUse(part)
        parts: list[base.Part] = []
        if turn.thinking:
            parts.append(base.ThinkingPart("".join(turn.thinking)))
        if turn.text:
            parts.append(base.TextPart("".join(turn.text)))
        parts.extend(tool_parts)
        stop: base.ProviderStopReason = _FINISH.get(turn.finish or "stop", "end_turn")
        if tool_parts:
            stop = "tool_use"
        usage = turn.usage or self._estimate(body, parts)
        yield base.MessageStop(stop, usage, tuple(parts))

    @staticmethod
    def _estimate(body: dict[str, Any], parts: list[base.Part]) -> base.Usage:
        prompt = json.dumps(body["messages"]) + json.dumps(body.get("tools", []))
        out = "".join(
            p.text if isinstance(p, base.TextPart | base.ThinkingPart) else p.raw_input
            for p in parts
            if isinstance(p, base.TextPart | base.ThinkingPart | base.ToolUsePart)
        )
        return base.Usage(estimate_tokens(prompt), estimate_tokens(out))

    def cost_usd(self, usage: base.Usage) -> float:
        """Dollar cost of ``usage`` at the configured price (0.0 when none)."""
        p = self._price
        if p is None:
            return 0.0
        return p.cost_usd(usage)

    async def aclose(self) -> None:
        """Close the HTTP connection pool (stops an httpx2 import still in flight)."""
        client = await self._client.aclose()
        if client is not None:
            await client.aclose()
