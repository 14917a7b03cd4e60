"""Slash-command text -> typed requests. Shared by every chat platform and the CLI.

Parsing never raises anything but `UsageError`, whose text is safe to show the user.
"""

from __future__ import annotations

import re
import zoneinfo
from typing import Literal

from pydantic import BaseModel, ConfigDict

from commands.errors import UsageError
from commands.help import USAGE
from commands.scope import Scope, parse_scope
from posture.catalog import UnknownIdError, resolve

MAX_TEXT = 1000
_CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


class _Request(BaseModel):
    model_config = ConfigDict(frozen=True)


class AuditRequest(_Request):
    kind: Literal["audit"] = "audit"
    scope: Scope


class ExplainRequest(_Request):
    kind: Literal["explain"] = "explain"
    target_id: str  # a CW rule id or a control id, already resolved


class HelpRequest(_Request):
    kind: Literal["help"] = "help"
    topic: str | None = None


class RotateTokenRequest(_Request):
    kind: Literal["rotate"] = "rotate"
    group_id: str
    region: str | None = None
    account: str | None = None


class AuditLogRequest(_Request):
    kind: Literal["audit_log"] = "audit_log"
    limit: int = 20


# --- digest subscriptions (issue 8) -------------------------------------------------------
class SubscribeRequest(_Request):
    kind: Literal["subscribe"] = "subscribe"
    cadence: Literal["daily"] = "daily"
    at: str  # "HH:MM", 24-hour clock
    timezone: str | None = None  # None: the configured default
    scope: Scope


class UnsubscribeRequest(_Request):
    kind: Literal["unsubscribe"] = "unsubscribe"


class SubscriptionsRequest(_Request):
    kind: Literal["subscriptions"] = "subscriptions"


class DigestNowRequest(_Request):
    kind: Literal["digest_now"] = "digest_now"
    scope: Scope | None = None  # None: the channel's subscription scope, else everything


class AlertsRequest(_Request):
    """`/cache-audit alerts on|off [scope]`: real-time alerts in this channel (issue 16)."""

    kind: Literal["alerts"] = "alerts"
    enabled: bool
    scope: Scope = Scope()


def parse_alerts_words(words: list[str]) -> AlertsRequest:
    usage = USAGE["/cache-audit"]
    switch = words[0].lower() if words else ""
    if switch not in ("on", "off"):
        raise UsageError("Say `alerts on [scope]` or `alerts off`.", usage)
    if switch == "off" and len(words) > 1:
        raise UsageError("`alerts off` takes no other words.", usage)
    try:
        return AlertsRequest(enabled=switch == "on", scope=parse_scope(words[1:]))
    except UsageError as exc:
        raise UsageError(exc.message, usage) from None


SubscriptionRequest = (
    SubscribeRequest | UnsubscribeRequest | SubscriptionsRequest | DigestNowRequest
)
_CLOCK = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")
_ZONE = re.compile(r"^[A-Za-z][A-Za-z0-9_+\-]*(/[A-Za-z0-9_+\-]+){0,2}$")


def _zone(value: str, usage: str) -> str:
    if not _ZONE.match(value) or value not in zoneinfo.available_timezones() | {"UTC"}:
        raise UsageError(
            f"`{value[:60]}` is not a time zone name (like Europe/Berlin or UTC).", usage
        )
    return value


def _parse_subscribe(words: list[str], usage: str) -> SubscribeRequest:
    if len(words) < 2 or words[0].lower() != "daily":
        raise UsageError("Say when: `subscribe daily 09:00 [tz=Europe/Berlin] [scope]`.", usage)
    clock = _CLOCK.match(words[1])
    if clock is None:
        raise UsageError(f"`{words[1][:20]}` is not a time of day (HH:MM, 24-hour).", usage)
    zones = [w.split("=", 1)[1] for w in words[2:] if w.lower().startswith("tz=")]
    if len(zones) > 1:
        raise UsageError("Give one tz= at most.", usage)
    rest = [w for w in words[2:] if not w.lower().startswith("tz=")]
    try:
        scope = parse_scope(rest)
    except UsageError as exc:
        raise UsageError(exc.message, usage) from None
    return SubscribeRequest(
        at=f"{int(clock.group(1)):02d}:{clock.group(2)}",
        timezone=_zone(zones[0], usage) if zones else None,
        scope=scope,
    )


def parse_subscription_words(words: list[str]) -> SubscriptionRequest | None:
    """The subscription words of /cache-audit, or None when the text is something else."""
    usage = USAGE["/cache-audit"]
    verb = words[0].lower() if words else ""
    if verb == "subscribe":
        return _parse_subscribe(words[1:], usage)
    if verb in ("unsubscribe", "subscriptions") and len(words) > 1:
        raise UsageError(f"`{verb}` takes no other words.", usage)
    if verb == "unsubscribe":
        return UnsubscribeRequest()
    if verb == "subscriptions":
        return SubscriptionsRequest()
    if verb == "digest":
        rest = words[2:] if len(words) > 1 and words[1].lower() == "now" else words[1:]
        try:
            return DigestNowRequest(scope=parse_scope(rest) if rest else None)
        except UsageError as exc:
            raise UsageError(exc.message, usage) from None
    return None


Request = (
    AuditRequest
    | ExplainRequest
    | HelpRequest
    | RotateTokenRequest
    | AuditLogRequest
    | SubscriptionRequest
    | AlertsRequest
)


def split_words(text: str, usage: str) -> list[str]:
    """Whitespace words of a command's text, refusing text no command accepts."""
    if len(text) > MAX_TEXT:
        raise UsageError(f"That text is {len(text)} characters; the limit is {MAX_TEXT}.", usage)
    if _CONTROL_CHARS.search(text):
        raise UsageError("That text contains control characters.", usage)
    return text.split()


def parse_audit(
    text: str,
) -> AuditRequest | HelpRequest | AuditLogRequest | SubscriptionRequest | AlertsRequest:
    words = split_words(text, USAGE["/cache-audit"])
    if words and words[0].lower() == "help":
        return HelpRequest(topic="/cache-audit")
    if words and words[0].lower() == "alerts":
        return parse_alerts_words(words[1:])
    if words and words[0].lower() == "log":
        return _parse_log(words[1:])
    subscription = parse_subscription_words(words)
    if subscription is not None:
        return subscription
    try:
        return AuditRequest(scope=parse_scope(words))
    except UsageError as exc:
        raise UsageError(exc.message, USAGE["/cache-audit"], exc.suggestions) from None


def _parse_log(words: list[str]) -> AuditLogRequest:
    if not words:
        return AuditLogRequest()
    if len(words) == 1 and words[0].isdigit() and 1 <= int(words[0]) <= 200:
        return AuditLogRequest(limit=int(words[0]))
    raise UsageError("`log` takes one number from 1 to 200.", USAGE["/cache-audit"])


def parse_explain(text: str) -> ExplainRequest | HelpRequest:
    words = split_words(text, USAGE["/cache-explain"])
    if not words:
        raise UsageError("Which rule? Give a rule id or an alias.", USAGE["/cache-explain"])
    if words == ["help"]:
        return HelpRequest(topic="/cache-explain")
    if len(words) > 1:
        raise UsageError("Explain takes one id at a time.", USAGE["/cache-explain"])
    try:
        target = resolve(words[0])
    except UnknownIdError as exc:
        raise UsageError(str(exc), USAGE["/cache-explain"]) from None
    return ExplainRequest(target_id=target.id)


def parse_rotate(text: str) -> RotateTokenRequest | HelpRequest:
    usage = USAGE["/cache-rotate-token"]
    words = split_words(text, usage)
    if words == ["help"]:
        return HelpRequest(topic="/cache-rotate-token")
    try:
        scope = parse_scope(words)
    except UsageError as exc:
        raise UsageError(exc.message, usage) from None
    if len(scope.resource_ids) != 1 or scope.tags or scope.engines:
        raise UsageError("Name exactly one replication group to rotate.", usage)
    if len(scope.regions) > 1 or len(scope.accounts) > 1:
        raise UsageError("Give at most one region= and one account=.", usage)
    return RotateTokenRequest(
        group_id=scope.resource_ids[0],
        region=scope.regions[0] if scope.regions else None,
        account=scope.accounts[0] if scope.accounts else None,
    )


def parse_help(text: str) -> HelpRequest:
    words = split_words(text, USAGE["/cache-help"])
    topic = words[0] if words else None
    if topic is not None and not topic.startswith("/"):
        topic = "/" + topic
    return HelpRequest(topic=topic if topic in USAGE else None)


PARSERS = {
    "/cache-audit": parse_audit,
    "/cache-explain": parse_explain,
    "/cache-rotate-token": parse_rotate,
    "/cache-help": parse_help,
}


def parse_command(command: str, text: str) -> Request:
    """Parse one slash command; raises UsageError (with usage text) on bad input."""
    parser = PARSERS.get(command)
    if parser is None:
        raise UsageError(f"I don't know the command {command[:40]}.", USAGE["/cache-help"])
    return parser(text or "")
