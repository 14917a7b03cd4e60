"""How many scans are in flight, from the ids of queued and started RQ jobs."""

from __future__ import annotations

import pytest

from workers.platform.limits import in_words, scans_in_flight


@pytest.mark.parametrize(
    ("job_ids", "scans"),
    [
        ([], 0),
        (["audit-aaa", "audit-bbb"], 2),
        # one fanned-out run: several parts and its finish count once
        (["part-run1-111111111111-us-east-1", "part-run1-111111111111-eu-west-1"], 1),
        (["part-run1-1-us-east-1", "finish-run1", "audit-ccc"], 2),
        # started-registry members carry `:<execution id>`
        (["audit-aaa:5f2c", "audit-aaa"], 1),
        # other jobs are not scans
        (["approved-req1", "digest-C1-20260504", "expire-req1", "rotation-r1-3"], 0),
    ],
)
def test_scans_in_flight(job_ids: list[str], scans: int) -> None:
    assert scans_in_flight(job_ids) == scans


@pytest.mark.parametrize(
    ("seconds", "words"), [(1, "1 second"), (45, "45 seconds"), (600, "10 minutes")]
)
def test_retry_times_in_words(seconds: int, words: str) -> None:
    assert in_words(seconds) == words
