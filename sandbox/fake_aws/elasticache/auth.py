"""AUTH token rules: format at create and modify, and the ROTATE / SET / DELETE strategies."""

from __future__ import annotations

import string
from dataclasses import dataclass

from sandbox.fake_aws.elasticache.errors import invalid_combination, invalid_value

MIN_LENGTH = 16
MAX_LENGTH = 128
MAX_TOKENS = 2
CREATE_SPECIALS = frozenset("!&#$^<>-")
MODIFY_FORBIDDEN = frozenset('/"@%')
_PRINTABLE = frozenset(chr(code) for code in range(0x21, 0x7F))
_ALNUM = frozenset(string.ascii_letters + string.digits)
STRATEGIES = ("ROTATE", "SET", "DELETE")


def _check_length(token: str) -> None:
    if not MIN_LENGTH <= len(token) <= MAX_LENGTH:
        raise invalid_value(
            f"Passwords length must be between {MIN_LENGTH}-{MAX_LENGTH} characters."
        )


def check_token_at_create(token: str) -> None:
    """Create accepts letters, digits and only `! & # $ ^ < > -` as specials."""
    _check_length(token)
    if any(ch not in _ALNUM and ch not in CREATE_SPECIALS for ch in token):
        raise invalid_value(
            "Invalid AuthToken: only alphanumeric characters and ! & # $ ^ < > - are allowed."
        )


def check_token_at_modify(token: str) -> None:
    """Modify accepts printable ASCII except `/ " @ %`."""
    _check_length(token)
    if any(ch not in _PRINTABLE or ch in MODIFY_FORBIDDEN for ch in token):
        raise invalid_value(
            'Invalid AuthToken: it must be printable ASCII and cannot contain / " @ or %.'
        )


@dataclass(frozen=True)
class TokenOutcome:
    tokens: list[str]
    last_rotated: str | None
    status: str | None


@dataclass(frozen=True)
class TokenRequest:
    token: str | None
    strategy: str | None
    adds_user_group: bool
    keeps_user_group: bool


def plan_token_change(
    current: list[str], last_rotated: str | None, request: TokenRequest
) -> TokenOutcome:
    """The token list after the change, or the error AWS answers with."""
    strategy = (request.strategy or "ROTATE").upper()
    if strategy not in STRATEGIES:
        raise invalid_value(f"Invalid AuthTokenUpdateStrategy: {request.strategy}.")
    if strategy == "DELETE":
        return _plan_delete(current, request)
    if request.token is None:
        raise invalid_value(f"AuthToken is required with the {strategy} strategy.")
    check_token_at_modify(request.token)
    if request.keeps_user_group:
        raise invalid_combination(
            "AUTH token can't be set on a replication group that uses RBAC user groups."
        )
    if strategy == "ROTATE":
        return _plan_rotate(current, request.token)
    return _plan_set(last_rotated, request.token)


def _plan_rotate(current: list[str], token: str) -> TokenOutcome:
    if current and token == current[-1]:
        raise invalid_value("The new AUTH token must differ from the existing tokens.")
    if token in current:
        # Rotating the older token back in (backing out before SET) keeps both, newest last.
        return TokenOutcome([*(t for t in current if t != token), token], token, "ROTATING")
    if len(current) >= MAX_TOKENS:
        raise invalid_combination(
            "The replication group already holds two AUTH tokens; SET one before rotating again."
        )
    return TokenOutcome([*current, token], token, "ROTATING")


def _plan_set(last_rotated: str | None, token: str) -> TokenOutcome:
    if last_rotated is None:
        raise invalid_combination("The SET strategy is allowed only after a ROTATE.")
    if token != last_rotated:
        raise invalid_value("SET must be given the AUTH token that was last rotated in.")
    return TokenOutcome([token], None, "SETTING")


def _plan_delete(current: list[str], request: TokenRequest) -> TokenOutcome:
    if not current:
        raise invalid_combination("The replication group has no AUTH token to delete.")
    if not request.adds_user_group:
        raise invalid_combination(
            "The DELETE strategy is allowed only when moving to RBAC with UserGroupIdsToAdd."
        )
    return TokenOutcome([], None, None)
