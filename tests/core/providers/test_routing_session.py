"""A routed session end to end: ``[routing]`` in config.toml, the session's cost per model,
and which model answered each turn in ACP ``usage_update`` ``_meta`` and ``run --json``.

Two loopback fakes of the Messages API stand for a cheap and a strong model;
the cheap one refuses the first prompt (the cascade escalates) and answers the
second.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from tests.acp_schema import validate
from tests.fakes.anthropic_api import FakeAnthropic
from tests.turns import AllowAll, Recorder, run_zeph
from zeph_tui.core.commands.builtin import switch_model
from zeph_tui.core.commands.host import CommandError
from zeph_tui.core.events import UsageUpdate

CHEAP_PRICE = (1.0, 2.0)  # dollars per million tokens in / out
STRONG_PRICE = (10.0, 50.0)


def cheap_script(body: dict[str, Any], index: int) -> dict[str, Any]:
    """Refuses the first request, answers every later one."""
    reply = "I'm sorry, I can't help with that." if index == 0 else "Cheap answer."
    return {
        "blocks": [{"type": "text", "text": reply}],
        "usage": {"input_tokens": 100, "output_tokens": 10},
    }


def strong_script(body: dict[str, Any], index: int) -> dict[str, Any]:
    return {
        "blocks": [{"type": "text", "text": "Strong answer."}],
        "usage": {"input_tokens": 200, "output_tokens": 20},
    }


def write_config(home: Path, cheap: FakeAnthropic, strong: FakeAnthropic) -> None:
    (home / "config.toml").write_text(
        f"""
[routing]
strategy = "cascade"

[routing.models.big]
provider = "anthropic"
model = "m-big"
base_url = "{strong.base_url}"
input_per_mtok = {STRONG_PRICE[0]}
output_per_mtok = {STRONG_PRICE[1]}

[routing.models.small]
provider = "anthropic"
model = "m-small"
base_url = "{cheap.base_url}"
input_per_mtok = {CHEAP_PRICE[0]}
output_per_mtok = {CHEAP_PRICE[1]}
"""
    )


def usd(tokens_in: int, tokens_out: int, price: tuple[float, float]) -> float:
    return (tokens_in * price[0] + tokens_out * price[1]) / 1e6


SMALL_CALL = usd(100, 10, CHEAP_PRICE)
BIG_CALL = usd(200, 20, STRONG_PRICE)


async def test_cost_per_model_per_turn_and_per_session(
    zeph_home: Path, workspace: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from zeph_tui.core.runtime import Runtime

    monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-ant-test-key-not-real")
    async with FakeAnthropic(cheap_script) as cheap, FakeAnthropic(strong_script) as strong:
        write_config(zeph_home, cheap, strong)
        runtime = await Runtime.start()
        sink = Recorder()
        try:
            provider = runtime.build_provider()
            assert provider.name == "routing"
            session = await runtime.open_session(
                workspace=workspace, sink=sink, approver=AllowAll(), provider=provider, warm=False
            )
            await session.prompt(["please do the thing"])
            first = sink.of(UsageUpdate)[-1]
            await session.prompt(["and again"])
            second = sink.of(UsageUpdate)[-1]
            with pytest.raises(CommandError, match=r"routed: its models are set in .*\[routing\]"):
                await switch_model(session, runtime, "some-model")  # /model in a routed session
        finally:
            await runtime.aclose()
    assert first.model == "big:m-big"  # the cheap model refused: escalated
    assert [(m.model, m.calls) for m in first.turn_models] == [
        ("small:m-small", 1),
        ("big:m-big", 1),
    ]
    assert first.turn_cost_usd == pytest.approx(SMALL_CALL + BIG_CALL)
    assert second.model == "small:m-small"  # the cheap model's answer passed the check
    assert [(m.model, m.calls) for m in second.turn_models] == [("small:m-small", 1)]
    assert second.turn_cost_usd == pytest.approx(SMALL_CALL)
    by_model = {m.model: m for m in second.models}
    assert by_model["small:m-small"].calls == 2
    assert by_model["small:m-small"].cost_usd == pytest.approx(2 * SMALL_CALL)
    assert by_model["big:m-big"].cost_usd == pytest.approx(BIG_CALL)
    assert second.cost_usd == pytest.approx(2 * SMALL_CALL + BIG_CALL)
    assert (second.input_tokens, second.output_tokens) == (400, 40)  # every call is counted
    assert second.used_tokens == 110  # the answering call measures the context fill
    update = second.to_acp()
    validate("SessionNotification", {"sessionId": "s", "update": update})
    assert update["_meta"]["model"] == "small:m-small"
    assert update["_meta"]["models"][1] == {
        "model": "big:m-big",
        "calls": 1,
        "inputTokens": 200,
        "outputTokens": 20,
        "costUsd": round(BIG_CALL, 6),
    }


async def test_run_json_shows_which_model_answered(zeph_home: Path, workspace: Path) -> None:
    async with FakeAnthropic(cheap_script) as cheap, FakeAnthropic(strong_script) as strong:
        write_config(zeph_home, cheap, strong)
        env = {k: v for k, v in os.environ.items() if not k.startswith(("ANTHROPIC_", "ZEPH_PROV"))}
        env |= {"ZEPH_HOME": str(zeph_home), "ANTHROPIC_API_KEY": "sk-ant-test-key-not-real"}
        code, out, err = await run_zeph(["run", "--json", "do the thing"], workspace, env, 120)
    assert code == 0, err
    lines = [json.loads(line) for line in out.splitlines() if line.strip()]
    usages = [line for line in lines if line.get("sessionUpdate") == "usage_update"]
    assert usages, lines
    for update in usages:
        validate("SessionNotification", {"sessionId": "s", "update": update})
    meta = usages[-1]["_meta"]
    assert meta["model"] == "big:m-big"
    assert [m["model"] for m in meta["turn"]["models"]] == ["small:m-small", "big:m-big"]
    text = "".join(
        line["content"]["text"]
        for line in lines
        if line.get("sessionUpdate") == "agent_message_chunk"
    )
    assert text == "Strong answer."


def test_a_bad_routing_key_is_one_line(zeph_home: Path) -> None:
    from zeph_tui.core.config import load_settings
    from zeph_tui.core.errors import ConfigError

    (zeph_home / "config.toml").write_text('[routing]\nstrategy = "fastest"\n')
    with pytest.raises(ConfigError) as caught:
        load_settings()
    message = str(caught.value)
    assert "\n" not in message
    assert 'routing.strategy = "fastest"' in message and "cascade" in message
