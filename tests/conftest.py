from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.clock import FakeClock
from tests.harness import OPEN_HOURS, Office, make_settings


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(OPEN_HOURS)


@pytest.fixture
async def office(tmp_path, clock) -> AsyncIterator[Office]:
    """No staff chat: cards go to each staff member's private chat."""
    office = await Office(tmp_path / "minqing.sqlite3", make_settings(), clock).start()
    yield office
    await office.stop()
    office.check_errors()


@pytest.fixture
async def forum_office(tmp_path, clock) -> AsyncIterator[Office]:
    """A staff supergroup with forum topics: one topic per case."""
    office = await Office(tmp_path / "minqing.sqlite3", make_settings(staff_chat_id=-100777),
                          clock).start()
    yield office
    await office.stop()
    office.check_errors()


@pytest.fixture
async def group_office(tmp_path, clock) -> AsyncIterator[Office]:
    """A plain staff group (no topics): case cards, answered by replying to them."""
    office = Office(tmp_path / "minqing.sqlite3", make_settings(staff_chat_id=-100888), clock)
    office.api.forum_chats = set()
    await office.start()
    yield office
    await office.stop()
    office.check_errors()
