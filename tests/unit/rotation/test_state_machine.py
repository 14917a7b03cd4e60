"""The rotation state machine: which steps exist, what each phase says, when buttons show."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from posture.rotation import (
    ALLOWED,
    FINAL_PHASES,
    GroupView,
    InvalidTransition,
    Phase,
    Rotation,
    RotationAction,
    RotationMode,
    SecretRef,
    Verdict,
    advance,
    fail,
    judge,
    rotation_update,
    state_words,
    wait_seconds,
    waited,
)

NOW = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)
BEFORE = NOW - timedelta(days=40)


def _rotation(
    phase: Phase = Phase.REQUESTED, *, previous_known: bool = True, **extra: object
) -> Rotation:
    secret = SecretRef(
        name="cachewarden/auth/orders",
        arn="arn:aws:secretsmanager:us-east-1:111111111111:secret:cachewarden/auth/orders-AbCdEf",
        pending_version_id="0" * 32,
        previous_known=previous_known,
    )
    return Rotation(
        rotation_id="abcdef0123456789",
        mode=extra.pop("mode", RotationMode.AUTH_TOKEN),  # type: ignore[arg-type]
        account="111111111111",
        region="us-east-1",
        group_id="orders",
        engine="redis",
        requester="U_ENGINEER",
        channel="C_PLATFORM",
        secrets=(secret,),
        phase=phase,
        created_at=NOW,
        updated_at=NOW,
        **extra,  # type: ignore[arg-type]
    )


HAPPY_PATH = [
    Phase.APPROVED,
    Phase.SECRET_PENDING,
    Phase.ROTATE_SENDING,
    Phase.ROTATE_APPLIED,
    Phase.BOTH_VALID,
    Phase.FINALIZE_REQUESTED,
    Phase.FINALIZE_APPROVED,
    Phase.SET_SENDING,
    Phase.SET_APPLIED,
    Phase.SECRET_PROMOTED,
    Phase.DONE,
]
CANCEL_PATH = [
    Phase.CANCEL_REQUESTED,
    Phase.ROLLBACK_ROTATE_SENDING,
    Phase.ROLLBACK_ROTATE_APPLIED,
    Phase.ROLLBACK_SET_SENDING,
    Phase.ROLLBACK_SET_APPLIED,
    Phase.ROLLED_BACK,
    Phase.CANCELLED,
]


def test_the_happy_path_walks_from_request_to_done_keeping_history() -> None:
    rotation = _rotation()
    for step, phase in enumerate(HAPPY_PATH, start=1):
        rotation = advance(rotation, phase, NOW + timedelta(seconds=step))
    assert rotation.phase is Phase.DONE and rotation.is_final
    assert [change.phase for change in rotation.history] == HAPPY_PATH
    assert rotation.seq == len(HAPPY_PATH)


def test_the_cancel_path_walks_back_from_both_valid() -> None:
    rotation = _rotation(Phase.BOTH_VALID)
    for phase in CANCEL_PATH:
        rotation = advance(rotation, phase, NOW)
    assert rotation.phase is Phase.CANCELLED and rotation.is_final


@pytest.mark.parametrize("phase", list(Phase))
def test_every_phase_not_listed_as_a_next_step_is_refused(phase: Phase) -> None:
    allowed = ALLOWED.get(phase, frozenset())
    for target in Phase:
        if target in allowed:
            continue
        with pytest.raises(InvalidTransition):
            advance(_rotation(phase), target, NOW)


@pytest.mark.parametrize("phase", sorted(FINAL_PHASES))
def test_final_phases_go_nowhere(phase: Phase) -> None:
    assert not ALLOWED.get(phase)
    with pytest.raises(InvalidTransition):
        fail(_rotation(phase), "too late", NOW)


def test_skipping_the_secret_is_impossible() -> None:
    with pytest.raises(InvalidTransition):
        advance(_rotation(Phase.APPROVED), Phase.ROTATE_SENDING, NOW)
    with pytest.raises(InvalidTransition):
        advance(_rotation(Phase.BOTH_VALID), Phase.SET_SENDING, NOW)


def test_failing_remembers_where_and_says_what_the_group_is_in() -> None:
    failed = fail(_rotation(Phase.SET_APPLIED), "AWS refused SET (InvalidParameterValue).", NOW)
    assert failed.phase is Phase.FAILED and failed.failed_in is Phase.SET_APPLIED
    words = state_words(failed)
    assert words.startswith("Stopped: AWS refused SET")
    assert "removing the old token" in words


@pytest.mark.parametrize("mode", list(RotationMode))
@pytest.mark.parametrize("phase", [p for p in Phase if p is not Phase.FAILED])
def test_every_phase_says_in_words_what_the_group_is_in(phase: Phase, mode: RotationMode) -> None:
    words = state_words(_rotation(phase, mode=mode))
    assert len(words) > 30 and "{" not in words
    noun = "token" if mode is RotationMode.AUTH_TOKEN else "password"
    assert noun in words


def test_both_valid_offers_finalize_and_cancel_when_the_previous_token_is_known() -> None:
    update = rotation_update(_rotation(Phase.BOTH_VALID))
    assert update.actions == (RotationAction.FINALIZE, RotationAction.CANCEL)
    assert update.secrets[0].arn.startswith("arn:aws:secretsmanager:")
    assert "AWSPENDING" in update.state


def test_without_a_stored_previous_token_cancel_is_withheld_and_the_note_says_why() -> None:
    rotation = _rotation(Phase.BOTH_VALID, previous_known=False)
    update = rotation_update(rotation)
    assert update.actions == (RotationAction.FINALIZE,)
    assert not rotation.can_cancel
    assert "cannot be rotated back in" in update.note


@pytest.mark.parametrize("phase", [p for p in Phase if p is not Phase.BOTH_VALID])
def test_buttons_appear_only_while_both_tokens_work(phase: Phase) -> None:
    assert rotation_update(_rotation(phase)).actions == ()


@pytest.mark.parametrize(
    ("view", "verdict"),
    [
        (
            GroupView(status="modifying", auth_token_status="ROTATING", token_date=BEFORE),
            Verdict.IN_FLIGHT,
        ),
        (GroupView(status="modifying", auth_token_status=None, token_date=BEFORE), Verdict.BUSY),
        (
            GroupView(status="modifying", auth_token_status="SETTING", token_date=BEFORE),
            Verdict.BUSY,
        ),
        (GroupView(status="snapshotting", token_date=BEFORE), Verdict.BUSY),
        (GroupView(status="available", token_date=BEFORE), Verdict.NOT_APPLIED),
        (GroupView(status="available", token_date=NOW), Verdict.LANDED),
        (GroupView(status="available", token_date=None), Verdict.NOT_APPLIED),
    ],
)
def test_judge_tells_a_landed_change_from_one_never_sent(view: GroupView, verdict: Verdict) -> None:
    assert judge(view, BEFORE, "ROTATING") is verdict


def test_judge_without_a_baseline_counts_any_token_date_as_moved() -> None:
    assert judge(GroupView(status="available", token_date=NOW), None, "ROTATING") is Verdict.LANDED


def test_waiting_backs_off_and_moves_the_sequence() -> None:
    rotation = _rotation(Phase.ROTATE_APPLIED)
    seconds = []
    for _ in range(8):
        seconds.append(wait_seconds(rotation.waits))
        rotation = waited(rotation, NOW)
    assert seconds == [1, 2, 4, 8, 16, 30, 30, 30]
    assert rotation.seq == 8 and rotation.phase is Phase.ROTATE_APPLIED
    assert advance(rotation, Phase.BOTH_VALID, NOW).waits == 0


def test_the_record_has_no_field_that_could_hold_a_token() -> None:
    fields = set(Rotation.model_fields) | set(SecretRef.model_fields)
    assert not {name for name in fields if "token" in name and "date" not in name}
