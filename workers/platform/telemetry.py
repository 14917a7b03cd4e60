"""Structured logs with a correlation id, and counters shared across processes.

One JSON object per line. The correlation id is set where a request enters (the
listener) and travels into jobs through `job.meta`, so one id follows a slash command
through every job it starts.

Counters that workers produce (jobs, AWS errors, Slack errors) are kept in a Redis hash
so the web process can expose all of them on /metrics, whichever process counted them.
"""

from __future__ import annotations

import contextlib
import json
import logging
import re
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from contextvars import ContextVar
from typing import Any

import redis

_correlation: ContextVar[str] = ContextVar("cachewarden_correlation_id", default="-")
# Exact secret values (tokens, passwords) known to the code running in this context.
_masked_values: ContextVar[tuple[str, ...]] = ContextVar("cachewarden_masked", default=())
METRICS_KEY = "cw:metrics"
MASK = "[redacted]"
_MIN_MASKED_LENGTH = 8  # shorter values would mask ordinary words

# Second line of defence: values that look like secrets are masked before a line is written.
_SECRET_PATTERNS = (
    re.compile(
        # The lookahead keeps redact() idempotent: "password=[redacted]" stays as it is.
        r"(?i)(auth[_-]?token|password|passwords|secret|authorization)(\W{1,4}?)"
        r"(?!\[?redacted\])([^\s,'\"}]{6,})"
    ),
    re.compile(r"xox[abposr]-[A-Za-z0-9-]{6,}"),
    re.compile(r"xapp-[A-Za-z0-9-]{6,}"),
)


def new_correlation_id() -> str:
    return uuid.uuid4().hex[:12]


def current_correlation_id() -> str:
    return _correlation.get()


@contextlib.contextmanager
def correlation(correlation_id: str) -> Iterator[str]:
    token = _correlation.set(correlation_id)
    try:
        yield correlation_id
    finally:
        _correlation.reset(token)


@contextlib.contextmanager
def masking(*values: str) -> Iterator[None]:
    """Within the block, every log line and audit entry masks these exact values.

    Code that holds a token wraps its work in this, so even a message that quotes the
    token by mistake is written without it.
    """
    added = tuple(value for value in values if len(value) >= _MIN_MASKED_LENGTH)
    token = _masked_values.set(_masked_values.get() + added)
    try:
        yield
    finally:
        _masked_values.reset(token)


def _mask_known_values(text: str) -> str:
    for value in _masked_values.get():
        # Also the JSON-escaped spelling, since log lines are JSON.
        for spelling in {value, json.dumps(value)[1:-1]}:
            text = text.replace(spelling, MASK)
    return text


def redact(text: str) -> str:
    text = _mask_known_values(text)
    for pattern in _SECRET_PATTERNS:
        if pattern.groups >= 3:
            text = pattern.sub(lambda m: f"{m.group(1)}{m.group(2)}[redacted]", text)
        else:
            text = pattern.sub("[redacted]", text)
    return text


class RedactingFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = redact(record.getMessage())
        record.args = None
        return True


class JsonFormatter(logging.Formatter):
    _RESERVED = frozenset(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message"}

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "ts": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created))
            + f".{int(record.msecs):03d}Z",
            "level": record.levelname.lower(),
            "logger": record.name,
            "event": record.getMessage(),
            "correlation_id": current_correlation_id(),
        }
        for key, value in vars(record).items():
            if key not in self._RESERVED and not key.startswith("_"):
                entry[key] = value
        if record.exc_info:
            # One line, never the traceback: the error and where it was raised.
            entry["error"] = redact(self.formatException(record.exc_info).splitlines()[-1])
            trace = record.exc_info[2]
            while trace is not None and trace.tb_next is not None:
                trace = trace.tb_next
            if trace is not None:
                code = trace.tb_frame.f_code
                entry["where"] = f"{code.co_filename.rsplit('/', 2)[-1]}:{trace.tb_lineno}"
        return redact(json.dumps(entry, default=str))


def configure_logging(level: str = "INFO", stream: Any = None) -> None:
    """Idempotent: replace root handlers with one JSON-lines handler."""
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(RedactingFilter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for noisy in ("botocore", "boto3", "urllib3", "werkzeug"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    # Nothing reaches stderr around the formatter: warnings and uncaught errors become lines.
    logging.captureWarnings(True)
    sys.excepthook = _log_uncaught
    threading.excepthook = _log_uncaught_in_thread


def _log_uncaught(kind: type[BaseException], error: BaseException, trace: Any) -> None:
    logging.getLogger("cachewarden.uncaught").critical(
        "uncaught exception", exc_info=(kind, error, trace)
    )


def _log_uncaught_in_thread(args: threading.ExceptHookArgs) -> None:
    if args.exc_value is None or args.exc_type is SystemExit:
        return
    logging.getLogger("cachewarden.uncaught").error(
        "uncaught exception in a thread",
        exc_info=(args.exc_type, args.exc_value, args.exc_traceback),
        extra={"thread_name": args.thread.name if args.thread else "-"},
    )


def count(connection: redis.Redis, name: str, **labels: str) -> None:
    """Increment a cross-process counter, e.g. count(r, "jobs", job="scan_part", outcome="ok")."""
    field = name + "|" + ",".join(f"{k}={labels[k]}" for k in sorted(labels))
    try:
        connection.hincrby(METRICS_KEY, field, 1)
    except redis.RedisError:
        logging.getLogger(__name__).warning(
            "metrics counter not recorded", extra={"counter": field}
        )


def read_counters(connection: redis.Redis) -> list[tuple[str, dict[str, str], int]]:
    rows = []
    for raw_field, raw_value in connection.hgetall(METRICS_KEY).items():
        field = raw_field.decode() if isinstance(raw_field, bytes) else str(raw_field)
        name, _, label_text = field.partition("|")
        labels = dict(pair.split("=", 1) for pair in label_text.split(",") if "=" in pair)
        rows.append((name, labels, int(raw_value)))
    return rows
