"""AUTH token (or RBAC password) rotation as a persisted state machine. Pure.

    requested -> approved -> secret_pending -> rotate_sending -> rotate_applied -> both_valid
    both_valid -> finalize_requested -> finalize_approved -> set_sending -> set_applied
        -> secret_promoted -> done
    both_valid | finalize_requested -> cancel_requested -> rollback_rotate_sending
        -> rollback_rotate_applied -> rollback_set_sending -> rollback_set_applied
        -> rolled_back -> cancelled
    requested -> ended (denied or expired: nothing changed); any live phase -> failed

The record holds ids, names, phases and dates, never a token: the token lives only in
Secrets Manager and in the one function that hands it to AWS. A `*_sending` phase is
written before the AWS call, with the group's token date at that moment as a baseline,
so a re-run can tell whether the call already landed (see `judge`).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from enum import StrEnum
from types import MappingProxyType
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

from posture.approvals import Approvers
from posture.conversations import ConversationRef, legacy_conversation

# What a rotation acts on (`Rotation.resource_kind`).
REPLICATION_GROUP = "replication_group"
CACHE_CLUSTER = "cache_cluster"  # a standalone Redis OSS / Valkey cluster: AUTH token only


class RotationMode(StrEnum):
    AUTH_TOKEN = "auth_token"  # the group's AUTH token: ROTATE then SET
    RBAC_USERS = "rbac_users"  # passwords of the users in the group's user group


class Phase(StrEnum):
    REQUESTED = "requested"
    APPROVED = "approved"
    SECRET_PENDING = "secret_pending"
    ROTATE_SENDING = "rotate_sending"
    ROTATE_APPLIED = "rotate_applied"
    BOTH_VALID = "both_valid"
    FINALIZE_REQUESTED = "finalize_requested"
    FINALIZE_APPROVED = "finalize_approved"
    SET_SENDING = "set_sending"
    SET_APPLIED = "set_applied"
    SECRET_PROMOTED = "secret_promoted"
    DONE = "done"
    CANCEL_REQUESTED = "cancel_requested"
    ROLLBACK_ROTATE_SENDING = "rollback_rotate_sending"
    ROLLBACK_ROTATE_APPLIED = "rollback_rotate_applied"
    ROLLBACK_SET_SENDING = "rollback_set_sending"
    ROLLBACK_SET_APPLIED = "rollback_set_applied"
    ROLLED_BACK = "rolled_back"
    CANCELLED = "cancelled"
    ENDED = "ended"
    FAILED = "failed"


FINAL_PHASES = frozenset({Phase.DONE, Phase.CANCELLED, Phase.ENDED, Phase.FAILED})
WAITING_FOR_PEOPLE = frozenset({Phase.REQUESTED, Phase.BOTH_VALID, Phase.FINALIZE_REQUESTED})
CANCELLABLE = frozenset({Phase.BOTH_VALID, Phase.FINALIZE_REQUESTED})

_P = Phase
ALLOWED: Mapping[Phase, frozenset[Phase]] = MappingProxyType(
    {
        _P.REQUESTED: frozenset({_P.APPROVED, _P.ENDED}),
        _P.APPROVED: frozenset({_P.SECRET_PENDING}),
        _P.SECRET_PENDING: frozenset({_P.ROTATE_SENDING}),
        _P.ROTATE_SENDING: frozenset({_P.ROTATE_APPLIED, _P.BOTH_VALID}),
        _P.ROTATE_APPLIED: frozenset({_P.BOTH_VALID, _P.ROTATE_SENDING}),
        _P.BOTH_VALID: frozenset({_P.FINALIZE_REQUESTED, _P.CANCEL_REQUESTED}),
        _P.FINALIZE_REQUESTED: frozenset(
            {_P.FINALIZE_APPROVED, _P.FINALIZE_REQUESTED, _P.CANCEL_REQUESTED}
        ),
        _P.FINALIZE_APPROVED: frozenset({_P.SET_SENDING}),
        _P.SET_SENDING: frozenset({_P.SET_APPLIED, _P.SECRET_PROMOTED}),
        _P.SET_APPLIED: frozenset({_P.SECRET_PROMOTED, _P.SET_SENDING}),
        _P.SECRET_PROMOTED: frozenset({_P.DONE}),
        _P.CANCEL_REQUESTED: frozenset({_P.ROLLBACK_ROTATE_SENDING, _P.ROLLBACK_SET_SENDING}),
        _P.ROLLBACK_ROTATE_SENDING: frozenset(
            {_P.ROLLBACK_ROTATE_APPLIED, _P.ROLLBACK_SET_SENDING}
        ),
        _P.ROLLBACK_ROTATE_APPLIED: frozenset(
            {_P.ROLLBACK_SET_SENDING, _P.ROLLBACK_ROTATE_SENDING}
        ),
        _P.ROLLBACK_SET_SENDING: frozenset({_P.ROLLBACK_SET_APPLIED, _P.ROLLED_BACK}),
        _P.ROLLBACK_SET_APPLIED: frozenset({_P.ROLLED_BACK, _P.ROLLBACK_SET_SENDING}),
        _P.ROLLED_BACK: frozenset({_P.CANCELLED}),
    }
)


class InvalidTransition(ValueError):
    """A phase change the state machine does not allow (a stale or duplicate step)."""


class SecretRef(BaseModel):
    """Where a credential lives; the version id is chosen before anything is written."""

    model_config = ConfigDict(frozen=True)

    name: str
    arn: str = ""
    pending_version_id: str = Field(pattern=r"^[a-f0-9]{32}$")
    previous_known: bool  # an AWSCURRENT version existed when the rotation was requested
    user_id: str | None = None  # RBAC: the user whose password this is


class PhaseChange(BaseModel):
    model_config = ConfigDict(frozen=True)

    phase: Phase
    at: datetime
    note: str = ""


class Rotation(BaseModel):
    """One rotation of one replication group: ids, names, phases and dates only."""

    model_config = ConfigDict(frozen=True)

    rotation_id: str = Field(pattern=r"^[a-z0-9]{8,32}$")
    mode: RotationMode
    account: str
    region: str
    group_id: str  # the replication group, or the serverless cache whose users rotate
    engine: str
    requester: str
    conversation: ConversationRef  # where it was asked; `thread` is the rotation's thread
    # or "cache_cluster" (standalone, AUTH token only), "serverless_cache" (RBAC users only)
    resource_kind: str = REPLICATION_GROUP
    secrets: tuple[SecretRef, ...]
    phase: Phase = Phase.REQUESTED
    seq: int = 0  # bumped on every change; names the next job so re-enqueues collapse
    waits: int = 0  # checks spent waiting in the current phase
    baseline_token_date: datetime | None = None
    original_token_date: datetime | None = None
    finalize_request_id: str = ""
    failed_in: Phase | None = None
    problem: str = ""
    correlation_id: str = ""
    created_at: datetime
    updated_at: datetime
    history: tuple[PhaseChange, ...] = ()

    @property
    def is_final(self) -> bool:
        return self.phase in FINAL_PHASES

    @property
    def credential(self) -> str:
        return "token" if self.mode is RotationMode.AUTH_TOKEN else "password"

    @property
    def can_cancel(self) -> bool:
        """Rolling back needs the previous credential, which only AWSCURRENT can supply."""
        return self.phase in CANCELLABLE and all(ref.previous_known for ref in self.secrets)

    @model_validator(mode="before")
    @classmethod
    def _read_slack_fields(cls, data: Any) -> Any:
        """Rotations stored before references existed carried a Slack channel and thread ts."""
        if not isinstance(data, dict) or "conversation" in data or "channel" not in data:
            return data
        doc = dict(data)
        channel, thread = str(doc.pop("channel") or ""), str(doc.pop("thread_ts", "") or "")
        doc["conversation"] = legacy_conversation(channel, thread)
        return doc


def may_act(rotation: Rotation, actor: str, approvers: Approvers) -> bool:
    """Finalize only opens a request someone else approves: the requester or any approver."""
    return actor == rotation.requester or approvers.allows(actor)


def cancel_refusal(rotation: Rotation, actor: str, approvers: Approvers) -> str | None:
    """Cancel sends ROTATE and SET to AWS at once, so it needs a second person (four-eyes):
    an approver who is not the one who asked for the rotation. None when `actor` may."""
    if actor == rotation.requester:
        return (
            "You asked for this rotation, so an approver other than you must cancel it "
            "(four-eyes rule: Cancel changes the token in AWS). Nothing was changed."
        )
    if not approvers.allows(actor):
        return "Only an approver can cancel a rotation; nothing was changed."
    return None


def advance(
    rotation: Rotation, to: Phase, now: datetime, note: str = "", **changes: object
) -> Rotation:
    """The rotation in phase `to`; refuses any change the table does not list."""
    if to not in ALLOWED.get(rotation.phase, frozenset()):
        raise InvalidTransition(f"{rotation.phase} -> {to} is not a rotation step")
    waits = 0 if to is not rotation.phase else rotation.waits
    return rotation.model_copy(
        update={
            **changes,
            "phase": to,
            "seq": rotation.seq + 1,
            "waits": waits,
            "updated_at": now,
            "history": (*rotation.history, PhaseChange(phase=to, at=now, note=note)),
        }
    )


def fail(rotation: Rotation, problem: str, now: datetime) -> Rotation:
    """Stop for good, remembering where: the words for that phase say what the group is in."""
    if rotation.is_final:
        raise InvalidTransition(f"the rotation already ended ({rotation.phase})")
    return rotation.model_copy(
        update={
            "phase": Phase.FAILED,
            "failed_in": rotation.phase,
            "problem": problem,
            "seq": rotation.seq + 1,
            "updated_at": now,
            "history": (*rotation.history, PhaseChange(phase=Phase.FAILED, at=now, note=problem)),
        }
    )


def waited(rotation: Rotation, now: datetime) -> Rotation:
    """One more check spent waiting; `seq` moves so the next check gets a fresh job id."""
    return rotation.model_copy(
        update={"waits": rotation.waits + 1, "seq": rotation.seq + 1, "updated_at": now}
    )


class Verdict(StrEnum):
    LANDED = "landed"  # the change is complete and the group is available
    IN_FLIGHT = "in_flight"  # AWS accepted it and the group is applying it
    NOT_APPLIED = "not_applied"  # the group is available and unchanged: safe to send
    BUSY = "busy"  # the group is busy with something else: wait, do not send


class GroupView(BaseModel):
    """The few fields of a replication group (or RBAC users) the rotation watches."""

    model_config = ConfigDict(frozen=True)

    status: str
    auth_token_status: str | None = None
    token_date: datetime | None = None


def judge(view: GroupView, baseline: datetime | None, expected_status: str) -> Verdict:
    """Whether a token change sent after `baseline` has landed, is applying, or was never sent."""
    if view.status == "modifying" and view.auth_token_status == expected_status:
        return Verdict.IN_FLIGHT
    if view.status not in ("available", "active"):
        return Verdict.BUSY
    moved = view.token_date is not None and (baseline is None or view.token_date > baseline)
    return Verdict.LANDED if moved else Verdict.NOT_APPLIED


MAX_WAITS = 150
_MAX_WAIT_SECONDS = 30


def wait_seconds(waits: int) -> int:
    """1, 2, 4, ... seconds, then every 30 s: quick in tests, gentle on a slow modify."""
    return int(min(_MAX_WAIT_SECONDS, 2 ** min(waits, 5)))


# What the group is in at each phase, with `{cred}` standing for "token" or "password".
_STATE_WORDS: Mapping[Phase, str] = MappingProxyType(
    {
        _P.REQUESTED: "Waiting for approval. Nothing has changed: only the current {cred} works.",
        _P.APPROVED: "Approved. Nothing has changed yet: only the current {cred} works.",
        _P.SECRET_PENDING: "The new {cred} is stored in Secrets Manager, staged AWSPENDING. "
        "AWS has not seen it: only the current {cred} works.",
        _P.ROTATE_SENDING: "Asking AWS to add the new {cred} (ROTATE). Until that lands, only "
        "the current {cred} works.",
        _P.ROTATE_APPLIED: "AWS is adding the new {cred} (ROTATE). The current {cred} keeps "
        "working throughout.",
        _P.BOTH_VALID: "Both {cred}s work now. Move every client to the secret's pending "
        "version (AWSPENDING), then press Finalize.",
        _P.FINALIZE_REQUESTED: "Both {cred}s work. Finalize is waiting for approval; after it "
        "only the new {cred} will work.",
        _P.FINALIZE_APPROVED: "Finalize approved. Both {cred}s still work; SET comes next and "
        "will leave only the new {cred}.",
        _P.SET_SENDING: "Asking AWS to keep only the new {cred} (SET). Both {cred}s work until "
        "that lands.",
        _P.SET_APPLIED: "AWS is removing the old {cred} (SET). Clients still using it will "
        "fail once this lands.",
        _P.SECRET_PROMOTED: "Only the new {cred} works, and Secrets Manager serves it as "
        "AWSCURRENT (the old one is AWSPREVIOUS). Checking the result.",
        _P.DONE: "Done. Only the new {cred} works, and the secret serves it as AWSCURRENT.",
        _P.CANCEL_REQUESTED: "Cancelling. Both {cred}s still work; the previous {cred} is "
        "being made the only one again.",
        _P.ROLLBACK_ROTATE_SENDING: "Cancelling: asking AWS to rotate the previous {cred} back "
        "in (ROTATE). Both {cred}s work.",
        _P.ROLLBACK_ROTATE_APPLIED: "Cancelling: AWS is rotating the previous {cred} back in. "
        "Both {cred}s work.",
        _P.ROLLBACK_SET_SENDING: "Cancelling: asking AWS to keep only the previous {cred} "
        "(SET). Both {cred}s work until that lands.",
        _P.ROLLBACK_SET_APPLIED: "Cancelling: AWS is removing the new {cred} (SET). The "
        "previous {cred} keeps working.",
        _P.ROLLED_BACK: "Only the previous {cred} works again. Retiring the new secret version.",
        _P.CANCELLED: "Cancelled. Only the previous {cred} works, still served as AWSCURRENT; "
        "the new secret version is deprecated.",
        _P.ENDED: "Closed without any change: the request was not approved. Only the current "
        "{cred} works.",
    }
)

_HEADLINES: Mapping[Phase, str] = MappingProxyType(
    {
        _P.REQUESTED: "requested",
        _P.APPROVED: "approved",
        _P.SECRET_PENDING: "new {cred} stored",
        _P.ROTATE_SENDING: "adding the new {cred}",
        _P.ROTATE_APPLIED: "adding the new {cred}",
        _P.BOTH_VALID: "both {cred}s work",
        _P.FINALIZE_REQUESTED: "finalize requested",
        _P.FINALIZE_APPROVED: "finalize approved",
        _P.SET_SENDING: "removing the old {cred}",
        _P.SET_APPLIED: "removing the old {cred}",
        _P.SECRET_PROMOTED: "secret promoted",
        _P.DONE: "done",
        _P.CANCEL_REQUESTED: "cancelling",
        _P.ROLLBACK_ROTATE_SENDING: "cancelling",
        _P.ROLLBACK_ROTATE_APPLIED: "cancelling",
        _P.ROLLBACK_SET_SENDING: "cancelling",
        _P.ROLLBACK_SET_APPLIED: "cancelling",
        _P.ROLLED_BACK: "cancelling",
        _P.CANCELLED: "cancelled",
        _P.ENDED: "closed",
        _P.FAILED: "stopped",
    }
)


def state_words(rotation: Rotation) -> str:
    """What the group is in right now, in one or two sentences."""
    cred = rotation.credential
    if rotation.phase is Phase.FAILED:
        where = rotation.failed_in or Phase.REQUESTED
        before = _STATE_WORDS.get(where, "").format(cred=cred)
        return f"Stopped: {rotation.problem} Where it stopped: {before}".strip()
    return _STATE_WORDS[rotation.phase].format(cred=cred)


class RotationAction(StrEnum):
    FINALIZE = "finalize"
    CANCEL = "cancel"


class SecretView(BaseModel):
    """A secret as chat shows it: names and ARNs only."""

    model_config = ConfigDict(frozen=True)

    name: str
    arn: str
    user_id: str | None = None


class RotationUpdate(BaseModel):
    """A platform-neutral message about a rotation; renderers draw it, jobs build it."""

    model_config = ConfigDict(frozen=True)

    rotation_id: str
    group_id: str
    account: str
    region: str
    mode: RotationMode
    phase: Phase
    headline: str
    state: str
    secrets: tuple[SecretView, ...]
    actions: tuple[RotationAction, ...] = ()
    note: str = ""  # e.g. why Cancel is not offered
    correlation_id: str = ""


def rotation_update(rotation: Rotation, note: str = "") -> RotationUpdate:
    actions: tuple[RotationAction, ...] = ()
    if rotation.phase is Phase.BOTH_VALID:
        actions = (RotationAction.FINALIZE,)
        if rotation.can_cancel:
            actions = (RotationAction.FINALIZE, RotationAction.CANCEL)
        else:
            note = note or (
                f"Cancel is not offered: the previous {rotation.credential} was never stored in "
                "Secrets Manager, so it cannot be rotated back in."
            )
    return RotationUpdate(
        rotation_id=rotation.rotation_id,
        group_id=rotation.group_id,
        account=rotation.account,
        region=rotation.region,
        mode=rotation.mode,
        phase=rotation.phase,
        headline=_HEADLINES[rotation.phase].format(cred=rotation.credential),
        state=state_words(rotation),
        secrets=tuple(
            SecretView(name=s.name, arn=s.arn, user_id=s.user_id) for s in rotation.secrets
        ),
        actions=actions,
        note=note,
        correlation_id=rotation.correlation_id,
    )
