"""Every log line is one redacted JSON object, errors and uncaught exceptions included."""

from __future__ import annotations

import io
import json
import logging
import sys
import threading
import warnings
from collections.abc import Iterator

import pytest

from workers.platform.telemetry import configure_logging


@pytest.fixture
def stream() -> Iterator[io.StringIO]:
    saved = (logging.getLogger().handlers[:], logging.getLogger().level)
    hooks = (sys.excepthook, threading.excepthook)
    out = io.StringIO()
    configure_logging("INFO", out)
    yield out
    logging.getLogger().handlers[:], level = saved
    logging.getLogger().setLevel(level)
    sys.excepthook, threading.excepthook = hooks
    logging.captureWarnings(False)


def _lines(out: io.StringIO) -> list[dict[str, object]]:
    text = out.getvalue()
    return [json.loads(line) for line in text.splitlines()]  # fails on any non-JSON line


def _fail() -> None:
    raise ValueError("bad thing password=hunter2hunter2")


def test_an_exception_is_one_line_with_where_it_was_raised(stream: io.StringIO) -> None:
    try:
        _fail()
    except ValueError:
        logging.getLogger("t").exception("it broke")
    (entry,) = _lines(stream)
    assert entry["error"] == "ValueError: bad thing password=[redacted]"
    assert str(entry["where"]).startswith("test_json_logs.py:")
    assert "Traceback" not in stream.getvalue()


def test_uncaught_exceptions_and_thread_crashes_become_json_lines(stream: io.StringIO) -> None:
    try:
        _fail()
    except ValueError:
        sys.excepthook(*sys.exc_info())  # what the interpreter calls for an uncaught error
    worker = threading.Thread(target=_fail, name="crasher")
    worker.start()
    worker.join()
    entries = _lines(stream)
    assert [e["event"] for e in entries] == [
        "uncaught exception",
        "uncaught exception in a thread",
    ]
    assert entries[1]["thread_name"] == "crasher"
    assert "hunter2" not in stream.getvalue()


def test_warnings_are_json_lines(stream: io.StringIO) -> None:
    warnings.warn("something deprecated", DeprecationWarning, stacklevel=1)
    warnings.simplefilter("default")
    warnings.warn("something else", UserWarning, stacklevel=1)
    assert any("something else" in str(e["event"]) for e in _lines(stream))
