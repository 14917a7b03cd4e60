"""The steps of an RBAC password rotation: each user first holds both passwords, then one.

`modify_user` replaces a user's password list, so every send here is idempotent; the
passwords are read from each user's secret inside the call that hands them to AWS.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from posture.resources import User
from posture.rotation import Phase, Rotation, SecretRef, advance, wait_seconds
from workers.aws.auth_tokens import TokenCallError, describe_user, set_user_passwords
from workers.aws.secrets import CURRENT
from workers.rotation.steps import (
    RotationTools,
    Step,
    StepFailed,
    StepResult,
    Wait,
    deprecate_pending,
    require_previous,
    write_pending,
)


def _user_of(ref: SecretRef) -> str:
    if not ref.user_id:
        raise StepFailed(f"the secret {ref.name} is not tied to a user.")
    return ref.user_id


def _users(tools: RotationTools, rotation: Rotation) -> list[User]:
    found = []
    for ref in rotation.secrets:
        user = describe_user(tools.elasticache, _user_of(ref))
        if user is None:
            raise StepFailed(f"the user {ref.user_id} no longer exists in {rotation.region}.")
        found.append(user)
    return found


def _settled(tools: RotationTools, rotation: Rotation) -> bool:
    return all(user.status in (None, "active") for user in _users(tools, rotation))


@dataclass(frozen=True)
class SetPasswords:
    """Give every user the listed versions' values as its passwords (None: AWSCURRENT)."""

    versions: str  # "current+pending", "pending" or "current"
    to: Phase

    def _version_ids(self, ref: SecretRef) -> list[str | None]:
        pick: dict[str, str | None] = {"current": None, "pending": ref.pending_version_id}
        return [pick[name] for name in self.versions.split("+")]

    def __call__(self, tools: RotationTools, rotation: Rotation) -> StepResult:
        for ref in rotation.secrets:
            user_id = _user_of(ref)
            if "current" in self.versions:
                require_previous(tools, ref)
            tools.record(
                rotation, "aws.call", operation="ModifyUser", user=user_id, passwords=self.versions
            )
            try:
                tools.vault.with_values(
                    ref.name,
                    self._version_ids(ref),
                    lambda *values, uid=user_id: set_user_passwords(tools.elasticache, uid, values),
                )
            except TokenCallError as exc:
                raise StepFailed(
                    f"AWS refused the new passwords of {user_id} ({exc.code}: {exc.message})."
                ) from None
        return advance(rotation, self.to, tools.now(), note=f"passwords: {self.versions}")


@dataclass(frozen=True)
class AwaitUsers:
    to: Phase
    promote: bool = False

    def __call__(self, tools: RotationTools, rotation: Rotation) -> StepResult:
        if not _settled(tools, rotation):
            return Wait(wait_seconds(rotation.waits), "users are modifying")
        if self.promote:
            for ref in rotation.secrets:
                tools.vault.promote(ref.name, ref.pending_version_id)
                tools.record(rotation, "secret.promoted", secret=ref.name, to=CURRENT)
        return advance(rotation, self.to, tools.now())


@dataclass(frozen=True)
class Skip:
    to: Phase

    def __call__(self, tools: RotationTools, rotation: Rotation) -> StepResult:
        return advance(rotation, self.to, tools.now())


def verify_users(tools: RotationTools, rotation: Rotation) -> StepResult:
    for user in _users(tools, rotation):
        count = user.authentication.password_count if user.authentication else None
        if count != 1:
            raise StepFailed(f"the user {user.user_id} holds {count} passwords instead of one.")
    for ref in rotation.secrets:
        if CURRENT not in tools.vault.describe(ref.name).labels_of(ref.pending_version_id):
            raise StepFailed(
                f"the secret {ref.name} does not serve the new password as AWSCURRENT."
            )
    return advance(rotation, Phase.DONE, tools.now(), note="verified")


RBAC_STEPS: Mapping[Phase, Step] = MappingProxyType(
    {
        Phase.APPROVED: write_pending,
        Phase.SECRET_PENDING: Skip(Phase.ROTATE_SENDING),
        Phase.ROTATE_SENDING: SetPasswords("current+pending", Phase.ROTATE_APPLIED),
        Phase.ROTATE_APPLIED: AwaitUsers(Phase.BOTH_VALID),
        Phase.FINALIZE_APPROVED: Skip(Phase.SET_SENDING),
        Phase.SET_SENDING: SetPasswords("pending", Phase.SET_APPLIED),
        Phase.SET_APPLIED: AwaitUsers(Phase.SECRET_PROMOTED, promote=True),
        Phase.SECRET_PROMOTED: verify_users,
        Phase.CANCEL_REQUESTED: Skip(Phase.ROLLBACK_SET_SENDING),
        Phase.ROLLBACK_SET_SENDING: SetPasswords("current", Phase.ROLLBACK_SET_APPLIED),
        Phase.ROLLBACK_SET_APPLIED: AwaitUsers(Phase.ROLLED_BACK),
        Phase.ROLLED_BACK: deprecate_pending,
    }
)
