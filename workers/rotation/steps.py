"""The steps of an AUTH token rotation. Each reads AWS, acts at most once, returns what next.

A step returns the rotation in its next phase (the caller persists it) or a `Wait`. A
step that sends a token first checks whether its change already landed (`judge`), so a
step re-run after a crash never sends twice. The token is read from Secrets Manager
inside the call that hands it to ElastiCache and goes nowhere else.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from types import MappingProxyType
from typing import Any

from posture.rotation import (
    GroupView,
    Phase,
    Rotation,
    SecretRef,
    Verdict,
    advance,
    judge,
    wait_seconds,
)
from posture.rotation_plan import secret_description, secret_tags
from posture.tokens import TokenPolicy, generate_token
from workers.aws.auth_tokens import (
    TokenCallError,
    send_auth_token,
    target_view,
    token_operation,
)
from workers.aws.secrets import CURRENT, CredentialVault, NewSecret
from workers.trail.log import AuditLog


@dataclass(frozen=True)
class Wait:
    """Check again later; `reason` is for the log, never shown as a failure."""

    seconds: int
    reason: str


class StepFailed(RuntimeError):
    """The rotation cannot go on; the message says why in words safe to post."""


@dataclass(frozen=True)
class RotationTools:
    """The clients and helpers one rotation's steps use (one account and region)."""

    elasticache: Any
    vault: CredentialVault
    policy: TokenPolicy
    audit: AuditLog
    now: Callable[[], datetime]

    def record(self, rotation: Rotation, event: str, **details: str) -> None:
        self.audit.append(
            event,
            rotation_id=rotation.rotation_id,
            account=rotation.account,
            region=rotation.region,
            target=f"{rotation.resource_kind}/{rotation.group_id}",
            **details,
        )


StepResult = Rotation | Wait
Step = Callable[[RotationTools, Rotation], StepResult]


def _wait(rotation: Rotation, reason: str) -> Wait:
    return Wait(wait_seconds(rotation.waits), reason)


def write_pending(tools: RotationTools, rotation: Rotation) -> StepResult:
    """Store every new credential in Secrets Manager (AWSPENDING) before AWS sees it."""
    refs = []
    for ref in rotation.secrets:
        new_secret = NewSecret(
            description=secret_description(rotation.group_id, ref.user_id, rotation.resource_kind),
            tags=secret_tags(
                rotation.account,
                rotation.region,
                rotation.group_id,
                ref.user_id,
                kind=rotation.resource_kind,
            ),
        )
        state = tools.vault.store_pending(
            ref.name,
            ref.pending_version_id,
            lambda recent: generate_token(tools.policy, recent),
            new_secret,
        )
        tools.record(
            rotation, "secret.pending_written", secret=ref.name, version_id=ref.pending_version_id
        )
        refs.append(ref.model_copy(update={"arn": state.arn}))
    return advance(rotation, Phase.SECRET_PENDING, tools.now(), secrets=tuple(refs))


def observe(tools: RotationTools, rotation: Rotation) -> GroupView:
    """The target's status and token date: a replication group or a standalone cluster."""
    view = target_view(tools.elasticache, rotation.resource_kind, rotation.group_id)
    if view is None:
        raise StepFailed(
            f"{rotation.group_id} no longer exists in {rotation.account}/{rotation.region}."
        )
    return view


@dataclass(frozen=True)
class Begin:
    """Note the group's token date, the baseline that tells later whether a call landed."""

    to: Phase

    def __call__(self, tools: RotationTools, rotation: Rotation) -> StepResult:
        view = observe(tools, rotation)
        if view.status != "available":
            return _wait(rotation, f"group is {view.status}")
        return advance(rotation, self.to, tools.now(), baseline_token_date=view.token_date)


@dataclass(frozen=True)
class Change:
    """One ROTATE or SET: which token, which phases, and what AWS shows while it applies."""

    strategy: str  # ROTATE or SET
    from_pending: bool  # the new token (AWSPENDING) or, to roll back, the AWSCURRENT one
    sending: Phase
    applied: Phase
    landed: Phase

    @property
    def shown_status(self) -> str:
        return "ROTATING" if self.strategy == "ROTATE" else "SETTING"


def _landed(tools: RotationTools, rotation: Rotation, change: Change, view: GroupView) -> Rotation:
    now = tools.now()
    if change.landed is Phase.SECRET_PROMOTED:
        for ref in rotation.secrets:
            tools.vault.promote(ref.name, ref.pending_version_id)
            tools.record(rotation, "secret.promoted", secret=ref.name, to=CURRENT)
    if change.landed is Phase.ROLLBACK_SET_SENDING:
        return advance(rotation, change.landed, now, baseline_token_date=view.token_date)
    return advance(rotation, change.landed, now, note=f"{change.strategy} landed")


def require_previous(tools: RotationTools, ref: SecretRef) -> None:
    """Rolling back needs an AWSCURRENT version that is not the new one."""
    if tools.vault.describe(ref.name).version_with(CURRENT) in (None, ref.pending_version_id):
        raise StepFailed(
            f"the previous credential is not stored in {ref.name}, so it cannot return."
        )


def _send(tools: RotationTools, rotation: Rotation, change: Change) -> Wait | None:
    ref = rotation.secrets[0]
    version = ref.pending_version_id if change.from_pending else None
    if version is None:
        require_previous(tools, ref)
    tools.record(
        rotation,
        "aws.call",
        operation=token_operation(rotation.resource_kind),
        strategy=change.strategy,
        secret=ref.name,
        version=version or CURRENT,
    )
    try:
        tools.vault.with_values(
            ref.name,
            [version],
            lambda token: send_auth_token(
                tools.elasticache,
                rotation.group_id,
                token,
                change.strategy,
                rotation.resource_kind,
            ),
        )
    except TokenCallError as exc:
        if exc.code in ("InvalidReplicationGroupState", "InvalidCacheClusterState"):
            return _wait(rotation, "group became busy")
        raise StepFailed(f"AWS refused {change.strategy} ({exc.code}: {exc.message}).") from None
    return None


@dataclass(frozen=True)
class Send:
    """Send the change unless it is already applying or applied."""

    change: Change

    def __call__(self, tools: RotationTools, rotation: Rotation) -> StepResult:
        view = observe(tools, rotation)
        verdict = judge(view, rotation.baseline_token_date, self.change.shown_status)
        if verdict is Verdict.LANDED:
            return _landed(tools, rotation, self.change, view)
        if verdict is Verdict.BUSY:
            return _wait(rotation, f"group is {view.status}")
        if verdict is Verdict.NOT_APPLIED:
            refused = _send(tools, rotation, self.change)
            if refused is not None:
                return refused
        note = f"AWS accepted {self.change.strategy}"
        return advance(rotation, self.change.applied, tools.now(), note=note)


@dataclass(frozen=True)
class Await:
    """Wait until the change lands; if the group is back without it, send it again."""

    change: Change

    def __call__(self, tools: RotationTools, rotation: Rotation) -> StepResult:
        view = observe(tools, rotation)
        verdict = judge(view, rotation.baseline_token_date, self.change.shown_status)
        if verdict is Verdict.LANDED:
            return _landed(tools, rotation, self.change, view)
        if verdict is Verdict.NOT_APPLIED:
            note = f"{self.change.strategy} did not land; sending it again"
            return advance(rotation, self.change.sending, tools.now(), note=note)
        return _wait(rotation, f"group is {view.status}")


def verify(tools: RotationTools, rotation: Rotation) -> StepResult:
    """Done only when the group is available, its token date moved and the secret is promoted."""
    view = observe(tools, rotation)
    if view.status != "available":
        return _wait(rotation, f"group is {view.status}")
    original = rotation.original_token_date
    if view.token_date is None or (original is not None and view.token_date <= original):
        raise StepFailed("the group's AuthTokenLastModifiedDate did not move after SET.")
    for ref in rotation.secrets:
        if CURRENT not in tools.vault.describe(ref.name).labels_of(ref.pending_version_id):
            raise StepFailed(f"the secret {ref.name} does not serve the new token as AWSCURRENT.")
    return advance(rotation, Phase.DONE, tools.now(), note="verified")


def deprecate_pending(tools: RotationTools, rotation: Rotation) -> StepResult:
    """After a rollback, the abandoned version loses AWSPENDING (no label: deprecated)."""
    for ref in rotation.secrets:
        tools.vault.deprecate(ref.name, ref.pending_version_id)
        tools.record(
            rotation, "secret.deprecated", secret=ref.name, version_id=ref.pending_version_id
        )
    return advance(rotation, Phase.CANCELLED, tools.now())


_ROTATE = Change("ROTATE", True, Phase.ROTATE_SENDING, Phase.ROTATE_APPLIED, Phase.BOTH_VALID)
_SET = Change("SET", True, Phase.SET_SENDING, Phase.SET_APPLIED, Phase.SECRET_PROMOTED)
_BACK_ROTATE = Change(
    "ROTATE",
    False,
    Phase.ROLLBACK_ROTATE_SENDING,
    Phase.ROLLBACK_ROTATE_APPLIED,
    Phase.ROLLBACK_SET_SENDING,
)
_BACK_SET = Change(
    "SET", False, Phase.ROLLBACK_SET_SENDING, Phase.ROLLBACK_SET_APPLIED, Phase.ROLLED_BACK
)

AUTH_TOKEN_STEPS: Mapping[Phase, Step] = MappingProxyType(
    {
        Phase.APPROVED: write_pending,
        Phase.SECRET_PENDING: Begin(Phase.ROTATE_SENDING),
        Phase.ROTATE_SENDING: Send(_ROTATE),
        Phase.ROTATE_APPLIED: Await(_ROTATE),
        Phase.FINALIZE_APPROVED: Begin(Phase.SET_SENDING),
        Phase.SET_SENDING: Send(_SET),
        Phase.SET_APPLIED: Await(_SET),
        Phase.SECRET_PROMOTED: verify,
        Phase.CANCEL_REQUESTED: Begin(Phase.ROLLBACK_ROTATE_SENDING),
        Phase.ROLLBACK_ROTATE_SENDING: Send(_BACK_ROTATE),
        Phase.ROLLBACK_ROTATE_APPLIED: Await(_BACK_ROTATE),
        Phase.ROLLBACK_SET_SENDING: Send(_BACK_SET),
        Phase.ROLLBACK_SET_APPLIED: Await(_BACK_SET),
        Phase.ROLLED_BACK: deprecate_pending,
    }
)
