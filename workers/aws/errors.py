"""Turn AWS failures into `CollectionError` entries so one unreadable part never sinks a scan."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TypeVar

from botocore.exceptions import BotoCoreError, ClientError
from botocore.parsers import ResponseParserError
from pydantic import ValidationError

from posture.resources import CollectionError
from posture.rules.coverage import REGION_UNREACHABLE_CODES as CORE_REGION_UNREACHABLE_CODES

T = TypeVar("T")
Item = TypeVar("Item")

# Codes after which every further call to the same account and region fails the same way;
# defined once in the core, which also uses it to mark every rule of such a region as unassessed.
REGION_UNREACHABLE_CODES = CORE_REGION_UNREACHABLE_CODES

# Errors that mean "the thing asked for by id is not there": an empty answer, not a failure.
NOT_FOUND_CODES = frozenset(
    {
        "CacheClusterNotFound",
        "ReplicationGroupNotFoundFault",
        "ServerlessCacheNotFoundFault",
        "UserNotFound",
        "UserGroupNotFound",
        "CacheSubnetGroupNotFoundFault",
        "SnapshotNotFoundFault",
        "ReservedCacheNodeNotFound",
        "ServerlessCacheSnapshotNotFoundFault",
    }
)

# ResponseParserError (an HTML 500 page, an unimplemented call) is not a BotoCoreError.
AWS_FAILURES = (ClientError, BotoCoreError, ResponseParserError, ValidationError)

MAX_MESSAGE = 300
_ACCESS_KEY_ID = re.compile(r"\b(?:AKIA|ASIA|AROA|AIDA)[A-Z0-9]{12,}\b")
# A secret access key is 40 base64 characters; session tokens are far longer.
_SECRET_LIKE = re.compile(r"(?<![A-Za-z0-9/+=])[A-Za-z0-9/+=]{40,}(?![A-Za-z0-9/+=])")
_SIGNATURE_FIELDS = re.compile(
    r"((?:Credential|Signature|X-Amz-Security-Token|X-Amz-Credential|X-Amz-Signature)=)[^\s,&'\"]+",
    re.IGNORECASE,
)


def redact(message: str) -> str:
    """Strip anything shaped like a key id, secret, token or signature; cap the length."""
    message = _SIGNATURE_FIELDS.sub(r"\1<redacted>", message)
    message = _ACCESS_KEY_ID.sub("<redacted-key-id>", message)
    message = _SECRET_LIKE.sub("<redacted>", message)
    # An HTML error page can be kilobytes long; the first lines say what went wrong.
    return message if len(message) <= MAX_MESSAGE else message[: MAX_MESSAGE - 3] + "..."


def error_code(exc: BaseException) -> str:
    """The AWS error code of a ClientError, else the botocore exception class name."""
    if isinstance(exc, ClientError):
        return str(exc.response.get("Error", {}).get("Code") or "ClientError")
    return type(exc).__name__


def is_not_found(exc: BaseException) -> bool:
    return isinstance(exc, ClientError) and (
        error_code(exc) in NOT_FOUND_CODES or error_code(exc).endswith("NotFound")
    )


def to_collection_error(
    exc: BaseException, operation: str, resource_kind: str | None
) -> CollectionError:
    """One entry for `Inventory.errors`; prefers the operation botocore names in the error."""
    if isinstance(exc, ClientError):
        operation = exc.operation_name or operation
        message = str(exc.response.get("Error", {}).get("Message") or exc)
    elif isinstance(exc, ValidationError):
        return CollectionError(
            operation=operation,
            code="UnexpectedResponseShape",
            message=redact(
                f"{exc.error_count()} field(s) failed validation: {exc.errors()[0]['loc']}"
            ),
            resource_kind=resource_kind,
        )
    else:
        message = str(exc)
    return CollectionError(
        operation=operation,
        code=error_code(exc),
        message=redact(message),
        resource_kind=resource_kind,
    )


class ErrorLog:
    """Runs collection parts, recording failures instead of raising them.

    After an error that means the region cannot be reached at all (opt-in region,
    bad token, no endpoint), later parts are skipped rather than failing one by one.
    """

    def __init__(self) -> None:
        self._errors: list[CollectionError] = []
        self._unreachable = False

    @property
    def errors(self) -> tuple[CollectionError, ...]:
        return tuple(self._errors)

    @property
    def region_unreachable(self) -> bool:
        return self._unreachable

    def record(self, error: CollectionError) -> None:
        self._errors.append(error)
        if error.code in REGION_UNREACHABLE_CODES:
            self._unreachable = True

    def run(self, operation: str, resource_kind: str | None, part: Callable[[], T]) -> T | None:
        """`part()`, or None with an error entry when AWS (or its answer) fails."""
        if self._unreachable:
            return None
        try:
            return part()
        except AWS_FAILURES as exc:
            self.record(to_collection_error(exc, operation, resource_kind))
            return None

    def run_all(
        self,
        operation: str,
        resource_kind: str | None,
        part: Callable[[], tuple[Item, ...]],
    ) -> tuple[Item, ...]:
        """Like `run` for a part that lists resources: nothing when it fails."""
        found = self.run(operation, resource_kind, part)
        return found if found is not None else ()
