"""The listener's contract with SQS, over fakeredis and a recording stand-in for the queue."""

from __future__ import annotations

import json
from typing import Any

import fakeredis

from posture.alert_iam import LISTENER_CALLS, listen_policy
from posture.alerts import ApiCallEvent
from tests.unit.alerts.events import envelope
from workers.alerts.listener import Listener, queue_region
from workers.alerts.metrics import ListenerMetrics
from workers.platform.config import AlertsConfig

CONFIG = AlertsConfig(queue_url="https://sqs.eu-west-1.amazonaws.com/123456789012/q", dlq_url="dlq")


class RecordingQueue:
    def __init__(self, bodies: list[str]) -> None:
        self.bodies = bodies
        self.calls: list[str] = []
        self.deleted: list[str] = []

    def receive_message(self, **params: Any) -> dict[str, Any]:
        self.calls.append("receive_message")
        assert params["WaitTimeSeconds"] <= 20 and params["MaxNumberOfMessages"] <= 10
        batch, self.bodies = self.bodies[:10], self.bodies[10:]
        return {
            "Messages": [
                {
                    "ReceiptHandle": f"h{n}-{body[:8]}",
                    "Body": body,
                    "Attributes": {"SentTimestamp": "1"},
                }
                for n, body in enumerate(batch)
            ]
        }

    def delete_message_batch(self, **params: Any) -> dict[str, Any]:
        self.calls.append("delete_message_batch")
        assert len(params["Entries"]) <= 10
        self.deleted += [e["ReceiptHandle"] for e in params["Entries"]]
        return {"Successful": params["Entries"], "Failed": []}

    def change_message_visibility_batch(self, **params: Any) -> dict[str, Any]:
        self.calls.append("change_message_visibility_batch")
        return {}

    def get_queue_attributes(self, **params: Any) -> dict[str, Any]:
        self.calls.append("get_queue_attributes")
        return {"Attributes": {"ApproximateNumberOfMessages": "3"}}


def _event(event_id: str, group: str | None = None) -> str:
    group = group or event_id.split("-")[0]
    raw = json.loads(envelope("ModifyReplicationGroup", {"replicationGroupId": group}))
    raw["detail"]["eventID"] = event_id
    return json.dumps(raw)


def test_handled_and_duplicate_messages_are_deleted_malformed_and_failed_ones_stay() -> None:
    handled: list[str] = []

    def handler(events: list[ApiCallEvent]) -> None:
        if events[0].event_id == "boom-0000-0000":
            raise RuntimeError("AWS said no")
        handled.extend(e.event_id for e in events)

    queue = RecordingQueue([_event("aaaa-1111-2222"), _event("aaaa-1111-2222"), "{not json",
                            _event("boom-0000-0000")])  # fmt: skip
    metrics = ListenerMetrics()
    connection = fakeredis.FakeRedis(server=fakeredis.FakeServer())
    listener = Listener(queue, connection, CONFIG, metrics, handler, threads=1)
    assert listener.poll_once() == 4
    assert handled == ["aaaa-1111-2222"]
    assert sorted(h.split("-")[0] for h in queue.deleted) == ["h0", "h1"]
    assert metrics.deduplicated._value.get() == 1  # type: ignore[attr-defined]
    assert metrics.dlq_depth._value.get() == 3  # type: ignore[attr-defined]
    # the failed event's claim is released, so its redelivery runs
    assert connection.get("cw:alerts:event:boom-0000-0000") is None
    assert connection.get("cw:alerts:event:aaaa-1111-2222") == b"done"
    assert metrics.healthy(metrics._last_poll)


def test_the_generated_iam_policy_covers_exactly_the_calls_the_listener_makes() -> None:
    queue = RecordingQueue([_event("bbbb-1111-2222"), "junk"])
    config = CONFIG.model_copy(update={"visibility_seconds": 10})
    slow = Listener(queue, fakeredis.FakeRedis(), config, ListenerMetrics(), _slow, threads=1)
    slow.poll_once()
    assert set(queue.calls) == set(LISTENER_CALLS)
    actions = {a for s in listen_policy()["Statement"] for a in s["Action"]}
    assert actions == set(LISTENER_CALLS.values())


def _slow(events: list[ApiCallEvent]) -> None:
    import time

    time.sleep(5.5)  # past half the visibility timeout: the keeper extends it once


def test_the_queue_region_comes_from_the_url_unless_configured() -> None:
    assert queue_region(CONFIG, "us-east-1") == "eu-west-1"
    local = AlertsConfig(queue_url="http://127.0.0.1:5000/123456789012/q")
    assert queue_region(local, "us-east-1") == "us-east-1"
    assert (
        queue_region(local.model_copy(update={"queue_region": "ap-south-1"}), "x") == "ap-south-1"
    )


def test_events_about_one_resource_are_handled_together_and_all_deleted() -> None:
    calls: list[list[str]] = []
    queue = RecordingQueue([_event("cccc-0001-0000", "orders"), _event("cccc-0002-0000", "orders"),
                            _event("dddd-0001-0000", "billing")])  # fmt: skip
    connection = fakeredis.FakeRedis(server=fakeredis.FakeServer())
    listener = Listener(queue, connection, CONFIG, ListenerMetrics(),
                        lambda events: calls.append([e.event_id for e in events]), threads=2)  # fmt: skip
    listener.poll_once()
    assert sorted(calls) == [["cccc-0001-0000", "cccc-0002-0000"], ["dddd-0001-0000"]]
    assert len(queue.deleted) == 3


def test_cli_prints_the_listen_policy(capsys: Any) -> None:
    from bot.cli import main

    assert main(["iam-policy", "listen"]) == 0
    assert json.loads(capsys.readouterr().out) == listen_policy()


def test_a_backlog_is_read_in_several_receives_and_deleted_ten_at_a_time() -> None:
    queue = RecordingQueue([_event(f"eeee-{n:04d}-0000", "orders") for n in range(35)])
    connection = fakeredis.FakeRedis(server=fakeredis.FakeServer())
    seen: list[int] = []
    listener = Listener(queue, connection, CONFIG, ListenerMetrics(),
                        lambda events: seen.append(len(events)), threads=2)  # fmt: skip
    assert listener.poll_once() == 35
    assert seen == [35]  # one re-read answers every event about the group
    assert queue.calls.count("receive_message") == 5  # 10, 10, 10, 5, then an empty one
    assert len(queue.deleted) == 35
