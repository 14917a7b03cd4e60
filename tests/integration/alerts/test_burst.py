"""A burst of 1,000 messages: 10% duplicates, 5% malformed -> one post per transition,
the malformed ones in the DLQ, the listener still healthy."""

from __future__ import annotations

import random
from collections.abc import Iterator

import pytest

from sandbox.alert_stack import (
    ALERTS,
    REGION,
    AlertStack,
    healthy_group,
    text_of,
    wait_for,
)
from sandbox.fake_aws.events import api_call_detail, emit_api_calls, queue_depth, send_raw

GROUPS = ("burst-a", "burst-b", "burst-c")
MALFORMED = 50
DUPLICATES = 100
TOTAL = 1000


@pytest.fixture(scope="module")
def burst() -> Iterator[AlertStack]:
    with AlertStack(max_receive_count=2, rate_limit_per_minute=600) as running:
        assert "alerts are on" in running.command("alerts on", ALERTS)
        yield running


def _junk(n: int) -> str:
    kinds = ["{not json", "[]", '{"detail-type": "AWS API Call via CloudTrail", "detail": 7}',
             '{"detail-type": "AWS API Call via CloudTrail", "detail": {"eventName": "Nope"}}', ""]  # fmt: skip
    return kinds[n % len(kinds)] or f"junk {n}"


def test_a_burst_posts_one_alert_per_transition_and_dead_letters_the_malformed(
    burst: AlertStack,
) -> None:
    ec = burst.elasticache()
    for group in GROUPS:
        healthy_group(ec, group)
    emit_api_calls(burst.url, [
        api_call_detail("CreateReplicationGroup", {"replicationGroupId": g}, region=REGION) for g in GROUPS
    ])  # fmt: skip
    burst.settle()
    before = len(burst.messages())
    for group in GROUPS:  # the risky change, then a storm of events about it
        ec.modify_replication_group(
            ReplicationGroupId=group, SnapshotRetentionLimit=0, ApplyImmediately=True
        )
    rng = random.Random(16)
    unique = [
        api_call_detail(
            "ModifyReplicationGroup",
            {"replicationGroupId": GROUPS[n % len(GROUPS)], "snapshotRetentionLimit": 0},
            region=REGION,
        )
        for n in range(TOTAL - DUPLICATES - MALFORMED)
    ]
    valid = unique + [rng.choice(unique) for _ in range(DUPLICATES)]
    rng.shuffle(valid)
    for n in range(MALFORMED):
        send_raw(burst.url, burst.plumbing.queue_url, REGION, _junk(n))
    emit_api_calls(burst.url, valid)

    wait_for(lambda: queue_depth(burst.url, burst.plumbing.dlq_url, REGION)[0] >= MALFORMED,
             300, "the malformed messages in the DLQ")  # fmt: skip
    burst.settle(timeout=300)
    new = burst.messages()[before:]
    risks = [m for m in new if "New risk" in text_of(m)]
    assert sorted(g for g in GROUPS for m in risks if g in text_of(m)) == sorted(GROUPS)
    assert len(new) == len(GROUPS)
    assert queue_depth(burst.url, burst.plumbing.dlq_url, REGION)[0] == MALFORMED
    assert burst.listener is not None and burst.listener.poll() is None
    assert burst.health() == 200
    assert burst.metric('cachewarden_alert_events_total{result="malformed"}') >= MALFORMED
    # at least every duplicate; a slow batch's redelivered copy counts too, and posts nothing
    assert burst.metric("cachewarden_alert_events_deduplicated_total") >= DUPLICATES
