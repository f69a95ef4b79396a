"""Exactly once with real worker processes on SQLite: 200 posts, 4 accounts, 2 daemons.

The workers are separate ``socialbot run`` processes using the real channels against the
practice platform; the queue is one SQLite file. What the platform received is the truth.
"""

from __future__ import annotations

import pytest
from test_store_helpers import (
    SCENARIO_TIMEOUT_S,
    assert_exactly_once,
    exactly_once_scenario,
    practice_settings,
)

from socialbot_practice import PracticePlatform

pytestmark = pytest.mark.timeout(SCENARIO_TIMEOUT_S)


@pytest.fixture
def platform():
    with PracticePlatform(port=0) as p:
        yield p


def test_two_sqlite_workers_deliver_every_approved_post_exactly_once(tmp_path, platform,
                                                                     children):
    settings = practice_settings(tmp_path, platform)
    result = exactly_once_scenario(tmp_path, platform, settings, children, workers=2)
    assert_exactly_once(result, workers=2)
