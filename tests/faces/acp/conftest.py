"""The ACP agent fixture: ``zeph-tui acp`` over real pipes, against each module's ``fake``."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from tests.fakes.anthropic_api import FakeAnthropic
from tests.fixtures_acp.peer import running
from tests.fixtures_acp.zeph_agent import ZephPeer, agent_env


@pytest.fixture
async def peer(fake: FakeAnthropic) -> AsyncIterator[ZephPeer]:
    """The agent behind the module's ``fake`` Messages API; its exit must be clean (code 0)."""
    async with running(ZephPeer(agent_env(fake.base_url))) as agent:
        yield agent
