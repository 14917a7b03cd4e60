"""The rebuild state machine: four eyes on every move that changes AWS, cancel only
before the delete, a denied delete keeps both caches."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from posture.rebuilds import (
    Rebuild,
    RebuildPhase,
    RebuildRefused,
    approve,
    cancel,
    decide_delete,
    deny,
    request_delete,
    wait_seconds,
)

NOW = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)


def _rebuild(**changes: object) -> Rebuild:
    base = Rebuild(
        rebuild_id="r1", account="111122223333", region="eu-west-1", rule_id="CW-103",
        source_id="orders", copy_id="orders-v2", snapshot_name="orders-cw-r1",
        final_snapshot_name="orders-cw-r1-final", params={}, diff=(),
        source_fingerprint="f", requester="U_DEV",
    )  # fmt: skip
    return base.model_copy(update=changes)


def test_the_requester_cannot_approve_and_another_person_can() -> None:
    with pytest.raises(RebuildRefused):
        approve(_rebuild(), "U_DEV", NOW)
    approved = approve(_rebuild(), "U_SEC", NOW)
    assert approved.phase is RebuildPhase.APPROVED and approved.version == 1


def test_deny_is_final_and_approving_twice_is_refused() -> None:
    assert deny(_rebuild(), "U_SEC", NOW).phase is RebuildPhase.DENIED
    with pytest.raises(RebuildRefused):
        approve(approve(_rebuild(), "U_SEC", NOW), "U_LEAD", NOW)


def test_delete_needs_a_verified_copy_and_a_person_who_did_not_ask() -> None:
    with pytest.raises(RebuildRefused):
        request_delete(_rebuild(phase=RebuildPhase.CREATING), "U_DEV", NOW)
    asked = request_delete(_rebuild(phase=RebuildPhase.CUTOVER_READY), "U_OWNER", NOW)
    with pytest.raises(RebuildRefused):
        decide_delete(asked, "U_OWNER", NOW, approved=True)
    kept = decide_delete(asked, "U_OWNER", NOW, approved=False)
    assert kept.phase is RebuildPhase.CUTOVER_READY
    assert decide_delete(asked, "U_SEC", NOW, approved=True).phase is RebuildPhase.DELETING


def test_cancel_before_the_delete_only_and_with_four_eyes_once_something_exists() -> None:
    nothing_yet = cancel(_rebuild(phase=RebuildPhase.APPROVED), "U_DEV", NOW)
    assert nothing_yet.phase is RebuildPhase.CANCELLING
    made = _rebuild(phase=RebuildPhase.CREATING, created=("snapshot:orders-cw-r1",))
    with pytest.raises(RebuildRefused):
        cancel(made, "U_DEV", NOW)
    assert cancel(made, "U_SEC", NOW).phase is RebuildPhase.CANCELLING
    for phase in (RebuildPhase.DELETING, RebuildPhase.DONE, RebuildPhase.CANCELLED):
        with pytest.raises(RebuildRefused):
            cancel(_rebuild(phase=phase), "U_SEC", NOW)


def test_checks_back_off_and_stay_bounded() -> None:
    assert [wait_seconds(n) for n in range(8)] == [1, 2, 4, 8, 16, 32, 60, 60]
