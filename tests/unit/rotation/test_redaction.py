"""Second line of defence: a value registered with `masking` never reaches a log line or
an audit entry, whatever the code around it does by mistake."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator

import fakeredis
import pytest

from workers.platform.telemetry import MASK, configure_logging, masking, redact
from workers.trail.log import AuditLog

TOKEN = "Zq7-Kx9^Lm2#Wp5<Rt8>"  # nothing here looks like a secret to the pattern rules


@pytest.fixture
def captured() -> Iterator[io.StringIO]:
    root = logging.getLogger()
    saved_handlers, saved_level = root.handlers[:], root.level
    stream = io.StringIO()
    configure_logging("INFO", stream)
    try:
        yield stream
    finally:
        root.handlers[:] = saved_handlers
        root.setLevel(saved_level)


def _log_every_way(log: logging.Logger, value: str) -> None:
    log.info("value is %s", value)
    log.info(f"inline {value}")
    log.warning("as extra", extra={"detail": value, "nested": {"deep": [value]}})
    try:
        raise RuntimeError(f"failed with {value}")
    except RuntimeError:
        log.exception("crash")


def test_a_masked_value_is_absent_from_every_line(captured: io.StringIO) -> None:
    log = logging.getLogger("cachewarden.test")
    with masking(TOKEN):
        _log_every_way(log, TOKEN)
    text = captured.getvalue()
    assert TOKEN not in text
    assert text.count(MASK) >= 5
    for line in text.splitlines():
        json.loads(line)  # still one JSON object per line


def test_without_masking_the_same_lines_would_carry_the_value(captured: io.StringIO) -> None:
    """Proves the filter is what removed it above: these values pass the pattern rules."""
    _log_every_way(logging.getLogger("cachewarden.test"), TOKEN)
    assert TOKEN in captured.getvalue()


def test_the_json_escaped_spelling_is_masked_too(captured: io.StringIO) -> None:
    odd = 'quote"inside\\and-more'
    with masking(odd):
        logging.getLogger("cachewarden.test").warning("x", extra={"detail": odd})
    assert "quote" not in captured.getvalue()


def test_masking_nests_and_ends_with_its_block() -> None:
    other = "Second-Value-1234"
    with masking(TOKEN):
        with masking(other):
            assert redact(f"{TOKEN} {other}") == f"{MASK} {MASK}"
        assert redact(other) == other
    assert redact(TOKEN) == TOKEN


def test_short_values_are_not_masked_so_words_survive() -> None:
    with masking("abc"):
        assert redact("abc def") == "abc def"


def test_audit_entries_mask_registered_values() -> None:
    audit = AuditLog(fakeredis.FakeRedis())
    with masking(TOKEN):
        audit.append("aws.call", operation="ModifyReplicationGroup", note=f"sent {TOKEN}")
    (entry,) = list(audit.all())
    assert TOKEN not in entry.as_json()
    assert entry.fields["note"] == f"sent {MASK}"
