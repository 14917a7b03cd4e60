"""Fault matrix of issue 14 over real processes: Redis restarted mid-scan and mid-approval,
and Slack answering 429 and 5xx to every Web API method a scan and a fix use.

Scopes name one group each, so the tests do not collapse into one another's audits.
"""

from __future__ import annotations

import json
import threading
import time
from collections import Counter
from typing import Any

import pytest
import redis
from rq.registry import StartedJobRegistry

from sandbox.fake_aws import clear_faults, group_state, inject_fault
from sandbox.stack import Stack
from tests.integration.remediation.flow import (
    ACCOUNT,
    CHANNEL,
    REGION,
    SECURITY,
    decide,
    events,
    request_fix,
    request_id_of,
    result_message,
    run_audit,
    stored,
    text_of,
    thread,
    wait_state,
)
from workers.platform.enqueue import SCANS_QUEUE

pytestmark = [pytest.mark.integration, pytest.mark.xdist_group("fault-matrix")]
Message = dict[str, Any]


DOWN_SECONDS = 8.0  # longer than redis-py's own retries ride out (3, backoff from 1 s)


def _restart_while_a_part_runs(stack: Stack, seen: list[str]) -> threading.Thread:
    """Restart Redis while a scan part job runs in the worker's own process.

    AWS throttles the part's first read until Redis has stopped, so the part is surely
    still running (in botocore's backoff) when Redis goes away; then AWS answers, and the
    part's writes meet the outage."""

    def watch() -> None:
        started = StartedJobRegistry(SCANS_QUEUE, connection=redis.Redis.from_url(stack.redis.url))
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not seen:
            seen.extend(j for j in started.get_job_ids(cleanup=False) if j.startswith("part-"))
            time.sleep(0.02)
        if seen:
            stack.redis.restart(DOWN_SECONDS, while_down=lambda: clear_faults(stack.aws.url))

    restart = threading.Thread(target=watch)
    restart.start()
    return restart


def test_redis_restart_during_a_scan_the_scan_still_completes(stack: Stack) -> None:
    """Failed on the merged tree: the in-process part died with RQ's loop, which then quit
    (or waited for RQ's abandoned-job sweep). The audit must finish with its findings."""
    throttled = {"operation": "DescribeReplicationGroups", "count": None}
    inject_fault(stack.aws.url, "elasticache", "Throttling", **throttled)  # type: ignore[arg-type]
    seen: list[str] = []
    restart = _restart_while_a_part_runs(stack, seen)
    try:
        parent = run_audit(stack, "fm-scan")
    finally:
        restart.join()
        clear_faults(stack.aws.url)
    assert seen, "no scan part was seen running, so Redis was not restarted during the scan"
    shown = text_of([m.get("blocks") for m in thread(stack, parent)])
    assert "fm-scan" in shown and "CW-401" in shown


def test_redis_restart_during_an_approval_keeps_its_state(stack: Stack) -> None:
    """Failed on the old worker: RQ quit on the lost connection and nothing ran the fix."""
    parent = run_audit(stack, "fm-approval")
    message = request_fix(stack, parent, "fm-approval", "CW-401")
    request_id = request_id_of(message)
    stack.redis.restart()
    assert stored(stack, request_id).state == "pending"  # nothing lost
    assert decide(stack, message, "U_SECURITY").status == 200
    result = result_message(stack, parent, "fm-approval", "CW-401")
    assert result["text"].startswith("Verified"), result["text"]
    assert wait_state(stack, request_id, "done").decided_by == "U_SECURITY"
    assert (
        group_state(stack.aws.url, ACCOUNT, REGION, "fm-approval")["snapshot_retention_limit"] == 7
    )
    assert events(stack, request_id)[:3] == ["request.created", "request.approved", "job.started"]


SLACK_METHODS = (
    "chat.postMessage",
    "chat.update",
    "files.getUploadURLExternal",
    "files.completeUploadExternal",
    "usergroups.users.list",
)


def _posted(stack: Stack, since: dict[str, int]) -> Counter[str]:
    """Messages posted in the two channels since `since` (and their threads), by content."""
    seen: Counter[str] = Counter()
    for channel in (CHANNEL, SECURITY):
        for message in stack.emulator.messages(channel)[since[channel] :]:
            for reply in stack.emulator.thread(channel, message["ts"]) or [message]:
                files = [f.get("name") for f in reply.get("files") or []]
                content = [channel, reply.get("text"), reply.get("blocks"), files]
                seen[json.dumps(content)] += 1
    return seen


def test_slack_429_and_5xx_are_retried_and_nothing_is_posted_twice(stack: Stack) -> None:
    files_before = len(stack.emulator.files())
    since = {channel: len(stack.emulator.messages(channel)) for channel in (CHANNEL, SECURITY)}
    calls_before = {method: len(stack.emulator.calls(method)) for method in SLACK_METHODS}
    for method in SLACK_METHODS:
        stack.emulator.fail_next(method, status=429, retry_after=1)
        stack.emulator.fail_next(method, status=500)
    parent = run_audit(stack, "fm-slack")
    message = request_fix(stack, parent, "fm-slack", "CW-401")
    # Drop the approver cache an earlier test warmed, so the click reads the group from Slack.
    event = {"type": "subteam_members_changed", "subteam_id": "S_SECURITY"}
    assert stack.signed_client().event(event).status == 200
    decide(stack, message, "U_SECURITY")
    assert result_message(stack, parent, "fm-slack", "CW-401")["text"].startswith("Verified")
    for method in SLACK_METHODS:
        statuses = [call.status for call in stack.emulator.calls(method)[calls_before[method] :]]
        assert statuses[:3] == [429, 500, 200], (method, statuses)
    duplicates = [content for content, times in _posted(stack, since).items() if times > 1]
    assert duplicates == []
    assert len(stack.emulator.files()) == files_before + 2  # the CSV and the JSON, once each
