"""`zeph-tui run` text output and an empty prompt, as a script would see them."""

from __future__ import annotations

from pathlib import Path

from tests.faces.cli.mistakes import assert_one_line
from tests.faces.cli.test_cli_run import SCRIPT, run_cli
from tests.fakes.anthropic_api import FakeAnthropic


async def test_an_empty_prompt_is_one_line_and_exit_2_and_nothing_is_sent(
    workspace: Path,
) -> None:
    async with FakeAnthropic([]) as fake:
        for prompt in ("", "   "):
            code, out, err = await run_cli(["run", prompt], fake.base_url, workspace)
            assert_one_line(code, out, err, "the prompt is empty")
            assert out == ""
    assert fake.requests == []


async def test_text_output_ends_the_message_before_a_tool_call(workspace: Path) -> None:
    async with FakeAnthropic(SCRIPT) as fake:
        code, out, err = await run_cli(["run", "--yes", "write notes"], fake.base_url, workspace)
    assert code == 0, err
    assert out == "Writing it.\nDone.\n"
