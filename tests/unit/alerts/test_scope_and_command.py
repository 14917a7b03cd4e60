"""`/cache-audit alerts on|off [scope]`, the [alerts] section and which channels a change reaches."""

from __future__ import annotations

import pytest

from commands.errors import UsageError
from commands.requests import AlertsRequest, parse_command
from commands.scope import Scope
from workers.alerts.flow import scope_covers
from workers.platform.config import ConfigError, parse_config


def test_alerts_on_with_a_scope_and_off() -> None:
    on = parse_command("/cache-audit", "alerts on region=eu-west-1 engine=valkey")
    assert isinstance(on, AlertsRequest) and on.enabled
    assert on.scope.regions == ("eu-west-1",) and on.scope.engines == ("valkey",)
    off = parse_command("/cache-audit", "alerts off")
    assert isinstance(off, AlertsRequest) and not off.enabled
    for bad in ("alerts", "alerts maybe", "alerts off region=eu-west-1", "alerts on region=mars"):
        with pytest.raises(UsageError):
            parse_command("/cache-audit", bad)


def test_the_alerts_section_is_validated() -> None:
    config = parse_config('[alerts]\nminimum_severity = "high"\nquiet_hours = "22:00-06:30"\n')
    assert config.alerts.minimum_severity.value == "high"
    for bad in ('quiet_hours = "late"', "wait_seconds = 21", 'minimum_severity = "loud"'):
        with pytest.raises(ConfigError):
            parse_config(f"[alerts]\n{bad}\n")


def test_a_channel_scope_covers_by_account_region_name_engine_and_tags() -> None:
    args = ("123456789012", "eu-west-1", {"orders"}, "redis", {"team": "pay"})
    assert scope_covers(Scope(), *args)
    assert scope_covers(Scope(regions=("eu-west-1",), resource_ids=("orders",)), *args)
    assert not scope_covers(Scope(regions=("us-east-1",)), *args)
    assert not scope_covers(Scope(accounts=("210987654321",)), *args)
    assert not scope_covers(Scope(engines=("valkey",)), *args)
    assert not scope_covers(Scope(tags=(("team", "web"),)), *args)
    assert scope_covers(
        Scope(tags=(("team", "web"),)), "123456789012", "eu-west-1", {"x"}, None, None
    )
