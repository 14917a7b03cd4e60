"""The known-resources index on a real redis-server: what a full scan drops, what a narrow one adds."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
import redis

from sandbox.redis_server import RedisServer
from workers.audit.known_resources import known_scope, record_seen
from workers.platform.config import AppConfig

pytestmark = [pytest.mark.integration]
AT = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)


@pytest.fixture
def connection() -> Iterator[redis.Redis]:
    with RedisServer() as server:
        yield redis.Redis.from_url(server.url)


def test_nothing_known_before_the_first_scan(connection: redis.Redis) -> None:
    known = known_scope(connection, AppConfig())
    assert known.scanned_at is None and not known.resources
    assert "eu-west-1" in known.regions  # botocore's region list, no AWS call


def test_a_full_scan_replaces_its_place_and_a_narrow_one_only_adds(connection: redis.Redis) -> None:
    record_seen(connection, "111111111111", "eu-west-1", ["a", "b"], complete=True, at=AT)
    record_seen(connection, "111111111111", "us-east-1", ["c"], complete=True, at=AT)
    record_seen(connection, "111111111111", "eu-west-1", ["a"], complete=True, at=AT)
    record_seen(connection, "111111111111", "us-east-1", ["d"], complete=False, at=AT)
    known = known_scope(connection, AppConfig())
    assert known.resources == {
        "a": "111111111111/eu-west-1",
        "c": "111111111111/us-east-1",
        "d": "111111111111/us-east-1",
    }
    assert known.accounts == frozenset({"111111111111"})
    assert known.scanned_at == "2026-12-07T09:00:00+00:00"
