"""Secrets Manager for rotated credentials: one secret per group (or RBAC user).

A new credential is written as a version staged AWSPENDING under a version id chosen in
advance, so writing it twice is a no-op. Values are read only inside `with_values`, which
hands them to the one function that passes them to AWS and returns only that function's
result; every value is masked in logs while it is held. Errors raised from here never
carry a value: they are rebuilt from the AWS error code and a redacted message.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from botocore.exceptions import BotoCoreError, ClientError

from workers.aws.errors import error_code
from workers.aws.errors import redact as redact_aws
from workers.platform.telemetry import masking, redact

T = TypeVar("T")
CURRENT, PENDING, PREVIOUS = "AWSCURRENT", "AWSPENDING", "AWSPREVIOUS"
MANAGED_TAG = "cachewarden:managed"


class SecretsError(RuntimeError):
    """Secrets Manager refused or failed; the message is safe to show and log."""

    def __init__(self, operation: str, code: str, message: str) -> None:
        super().__init__(f"Secrets Manager {operation} failed ({code}): {message}")
        self.operation = operation
        self.code = code


class MissingVersion(SecretsError):
    """The version a step needs is not (or no longer) in the secret."""


@dataclass(frozen=True)
class SecretState:
    """A secret's name, ARN and staging labels; never its values."""

    name: str
    arn: str = ""
    exists: bool = False
    stages: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    def version_with(self, label: str) -> str | None:
        return next((vid for vid, labels in self.stages.items() if label in labels), None)

    def labels_of(self, version_id: str) -> tuple[str, ...]:
        return self.stages.get(version_id, ())

    def has_version(self, version_id: str) -> bool:
        return version_id in self.stages


def _safe_error(
    operation: str, exc: Exception, kind: type[SecretsError] = SecretsError
) -> SecretsError:
    if isinstance(exc, ClientError):
        message = str(exc.response.get("Error", {}).get("Message") or "")
    else:
        message = type(exc).__name__  # botocore's own texts can quote request parameters
    return kind(operation, error_code(exc), redact(redact_aws(message)))


@dataclass(frozen=True)
class NewSecret:
    """What to create when the secret does not exist yet."""

    description: str
    tags: Mapping[str, str]


class CredentialVault:
    """Secrets Manager of one account and region, for cachewarden's rotations."""

    def __init__(self, client: Any) -> None:
        self._client = client

    def describe(self, name: str) -> SecretState:
        try:
            answer = self._client.describe_secret(SecretId=name)
        except ClientError as exc:
            if error_code(exc) == "ResourceNotFoundException":
                return SecretState(name=name)
            raise _safe_error("DescribeSecret", exc) from None
        except BotoCoreError as exc:
            raise _safe_error("DescribeSecret", exc) from None
        stages = {
            vid: tuple(labels) for vid, labels in (answer.get("VersionIdsToStages") or {}).items()
        }
        return SecretState(name=name, arn=str(answer.get("ARN", "")), exists=True, stages=stages)

    def _value(self, name: str, **selector: str) -> str:
        try:
            answer = self._client.get_secret_value(SecretId=name, **selector)
        except (ClientError, BotoCoreError) as exc:
            raise _safe_error("GetSecretValue", exc, MissingVersion) from None
        return str(answer["SecretString"])

    def _known_values(self, state: SecretState) -> list[str]:
        """AWSCURRENT and AWSPREVIOUS values: the recent tokens a new one must not resemble."""
        found = []
        for label in (CURRENT, PREVIOUS):
            if state.version_with(label) is not None:
                found.append(self._value(state.name, VersionStage=label))
        return found

    def store_pending(
        self,
        name: str,
        version_id: str,
        generate: Callable[[Sequence[str]], str],
        new_secret: NewSecret,
    ) -> SecretState:
        """Write a freshly generated value as `version_id`, staged AWSPENDING; safe to repeat.

        `generate(recent_values)` makes the value; it is called only when the version
        does not exist yet, so a re-run never replaces a value AWS may already hold.
        """
        state = self.describe(name)
        if state.has_version(version_id):
            return self._ensure_pending_label(state, version_id)
        recent = self._known_values(state) if state.exists else []
        value = generate(recent)
        with masking(value, *recent):
            if not state.exists:
                self._create(name, version_id, value, new_secret)
            else:
                self._put(name, version_id, value)
        return self._ensure_pending_label(self.describe(name), version_id)

    def _create(self, name: str, version_id: str, value: str, new_secret: NewSecret) -> None:
        # The secret is created without a value, so CreateSecret cannot stage the new token
        # AWSCURRENT; the value follows as a PutSecretValue asking for AWSPENDING alone.
        # Secrets Manager's documented first-version rule may still add AWSCURRENT (moto
        # does): the README's client recipe keeps a configured token as its last resort.
        # https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_PutSecretValue.html
        tags = [{"Key": key, "Value": val} for key, val in new_secret.tags.items()]
        try:
            self._client.create_secret(
                Name=name,
                Description=new_secret.description,
                Tags=[{"Key": MANAGED_TAG, "Value": "true"}, *tags],
            )
        except ClientError as exc:
            # A crash after CreateSecret and before the value: the empty secret is ours.
            if error_code(exc) != "ResourceExistsException":
                raise _safe_error("CreateSecret", exc) from None
        except BotoCoreError as exc:
            raise _safe_error("CreateSecret", exc) from None
        self._put(name, version_id, value)

    def _put(self, name: str, version_id: str, value: str) -> None:
        try:
            self._client.put_secret_value(
                SecretId=name,
                ClientRequestToken=version_id,
                SecretString=value,
                VersionStages=[PENDING],
            )
        except (ClientError, BotoCoreError) as exc:
            raise _safe_error("PutSecretValue", exc) from None

    def _move(self, name: str, label: str, to: str | None, away_from: str | None) -> None:
        params: dict[str, str] = {"SecretId": name, "VersionStage": label}
        if to:
            params["MoveToVersionId"] = to
        if away_from:
            params["RemoveFromVersionId"] = away_from
        try:
            self._client.update_secret_version_stage(**params)
        except (ClientError, BotoCoreError) as exc:
            raise _safe_error("UpdateSecretVersionStage", exc) from None

    def _ensure_pending_label(self, state: SecretState, version_id: str) -> SecretState:
        if PENDING in state.labels_of(version_id):
            return state
        self._move(state.name, PENDING, version_id, state.version_with(PENDING))
        return self.describe(state.name)

    def with_values(self, name: str, version_ids: Sequence[str | None], use: Callable[..., T]) -> T:
        """`use(*values)` with the values of the given versions (None: the AWSCURRENT one).

        The values exist only for the length of this call and are masked in every log
        line written meanwhile; only `use`'s result comes back.
        """
        values = [
            self._value(name, VersionId=vid) if vid else self._value(name, VersionStage=CURRENT)
            for vid in version_ids
        ]
        with masking(*values):
            return use(*values)

    def promote(self, name: str, version_id: str) -> SecretState:
        """Make `version_id` AWSCURRENT (the old current becomes AWSPREVIOUS); safe to repeat."""
        state = self.describe(name)
        if not state.has_version(version_id):
            raise MissingVersion(
                "UpdateSecretVersionStage", "VersionMissing", f"{name} lost the new version"
            )
        if CURRENT not in state.labels_of(version_id):
            self._move(name, CURRENT, version_id, state.version_with(CURRENT))
            state = self.describe(name)
        if PENDING in state.labels_of(version_id):
            self._move(name, PENDING, None, version_id)
            state = self.describe(name)
        return state

    def deprecate(self, name: str, version_id: str) -> SecretState:
        """Take AWSPENDING off an abandoned version; a version with no label is deprecated."""
        state = self.describe(name)
        if PENDING in state.labels_of(version_id):
            self._move(name, PENDING, None, version_id)
            state = self.describe(name)
        return state
