"""The gate in front of Bolt: size, signature and shape of a request, checked on raw bytes.

Nothing here parses a body before its signature is proven, and nothing logs a body. Every
refusal is a `Refusal` with a 4xx status and a short reason that is safe to log and to
answer with. Slack's rules: https://api.slack.com/authentication/verifying-requests-from-slack
(`v0=` HMAC-SHA256 of `v0:{timestamp}:{body}`, requests more than five minutes off refused).
"""

from __future__ import annotations

import hashlib
import hmac
import json
from typing import Any, BinaryIO
from urllib.parse import parse_qs

MAX_CLOCK_SKEW_SECONDS = 300
_TIMESTAMP_DIGITS = 12  # seconds since 1970 fit in 10 digits until 2286


class Refusal(Exception):
    """A request refused before Bolt sees it: an HTTP status and a reason safe to log."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason

    @property
    def status_line(self) -> str:
        return _STATUS_LINES[self.status]


_STATUS_LINES = {
    400: "400 Bad Request",
    401: "401 Unauthorized",
    405: "405 Method Not Allowed",
    411: "411 Length Required",
    413: "413 Content Too Large",
    415: "415 Unsupported Media Type",
}
FORM = "application/x-www-form-urlencoded"
JSON = "application/json"


def declared_length(environ: dict[str, Any], limit: int) -> int | None:
    """The Content-Length, refused when malformed or over the limit; None when absent."""
    raw = str(environ.get("CONTENT_LENGTH") or "").strip()
    if not raw:
        return None
    if not raw.isascii() or not raw.isdigit() or len(raw) > 15:
        raise Refusal(400, "malformed content-length")
    length = int(raw)
    if length > limit:
        raise Refusal(413, "body over the size limit")
    return length


def read_body(environ: dict[str, Any], limit: int) -> bytes:
    """Read at most `limit` bytes; a longer body is refused without reading the rest."""
    length = declared_length(environ, limit)
    stream: BinaryIO = environ["wsgi.input"]
    if length is None:  # chunked: the server has de-chunked it; read one byte past the limit
        body = stream.read(limit + 1)
        if len(body) > limit:
            raise Refusal(413, "body over the size limit")
        return body
    body = stream.read(length)
    if len(body) != length:
        raise Refusal(400, "body shorter than its content-length")
    return body


def verify_signature(
    secret: bytes, timestamp: str | None, signature: str | None, body: bytes, now: float
) -> None:
    """Raise a Refusal unless the signature headers prove the body came from Slack, lately."""
    if not timestamp or not signature:
        raise Refusal(401, "missing signature headers")
    if not timestamp.isascii() or not timestamp.isdigit() or len(timestamp) > _TIMESTAMP_DIGITS:
        raise Refusal(400, "malformed timestamp header")
    if abs(now - int(timestamp)) > MAX_CLOCK_SKEW_SECONDS:
        raise Refusal(401, "stale or future timestamp")
    mac = hmac.new(secret, b"v0:" + timestamp.encode() + b":" + body, hashlib.sha256)
    expected = "v0=" + mac.hexdigest()
    if not hmac.compare_digest(expected.encode(), signature.encode("utf-8", "replace")):
        raise Refusal(401, "signature mismatch")


def check_shape(content_type: str, body: bytes) -> None:
    """A signed body must still be what its content type says: Slack sends form or JSON."""
    media = content_type.split(";", 1)[0].strip().lower()
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise Refusal(400, "body is not UTF-8") from None
    if media == JSON:
        _json_object(text, "body is not a JSON object")
        return
    if media != FORM:
        raise Refusal(415, "content type is neither form nor JSON")
    try:
        fields = parse_qs(text, strict_parsing=bool(text), max_num_fields=200)
    except ValueError:
        raise Refusal(400, "malformed form body") from None
    for payload in fields.get("payload", []):
        _json_object(payload, "payload field is not a JSON object")


def _json_object(text: str, reason: str) -> None:
    try:
        value = json.loads(text)
    except ValueError:
        raise Refusal(400, reason) from None
    if not isinstance(value, dict):
        raise Refusal(400, reason)
