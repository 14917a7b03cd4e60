from __future__ import annotations

from collections.abc import Iterator

import pytest

from sandbox.alert_stack import ALERTS, OTHER, AlertStack


@pytest.fixture(scope="module")
def alerts() -> Iterator[AlertStack]:
    with AlertStack(rate_limit_per_minute=600) as running:
        assert "alerts are on" in running.command("alerts on", ALERTS)
        assert "alerts are on" in running.command("alerts on region=eu-west-1", OTHER)
        yield running
