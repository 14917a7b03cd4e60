"""The fake AWS HTTP server in a child process, so it never shares a GIL with what it serves.

`FakeAwsServer` runs on a thread of the process that starts it; a benchmark that seeds
or scans from that same process would measure the server and the client fighting over
one interpreter. Here the server has its own process (and core). The child prints its
URL on stdout, then answers one command per stdin line: `counts` prints (and resets)
the requests it served per service and operation with the seconds spent serving them.
It stops when its stdin closes.
"""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from types import TracebackType
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[1]
DUMMY_AWS_ENV = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_DEFAULT_REGION": "us-east-1",
}
WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


class FakeAwsProcess:
    """Context manager: a FakeAwsServer in `python -m bench.fake_aws_process`."""

    def __init__(self, python: str = sys.executable) -> None:
        self._python = python
        self._child: subprocess.Popen[str] | None = None
        self.url = ""

    def start(self) -> str:
        self._child = subprocess.Popen(
            [self._python, "-m", "bench.fake_aws_process"],
            cwd=REPO_ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        self.url = self._read_line()
        if not self.url.startswith("http://127.0.0.1:"):
            self.stop()
            raise RuntimeError(f"fake AWS child did not start (said {self.url!r})")
        return self.url

    def take_counts(self) -> dict[str, dict[str, float]]:
        """`{"service.Operation": {"requests": n, "seconds": s}}` since the last call."""
        if self._child is None or self._child.stdin is None:
            raise RuntimeError("fake AWS child is not running")
        self._child.stdin.write("counts\n")
        self._child.stdin.flush()
        counts: dict[str, dict[str, float]] = json.loads(self._read_line())
        return counts

    def _read_line(self) -> str:
        assert self._child is not None and self._child.stdout is not None
        return self._child.stdout.readline().strip()

    def stop(self) -> None:
        if self._child is None:
            return
        if self._child.stdin is not None:
            self._child.stdin.close()
        try:
            self._child.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self._child.kill()
            self._child.wait()
        self._child = None

    def __enter__(self) -> FakeAwsProcess:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()


class CountingApp:
    """WSGI middleware: requests and serving seconds per signed (service, operation)."""

    def __init__(self, app: WsgiApp) -> None:
        self._app = app
        self._lock = threading.Lock()
        self._counts: dict[str, dict[str, float]] = {}

    def __call__(
        self, environ: dict[str, Any], start_response: Callable[..., Any]
    ) -> Iterable[bytes]:
        from sandbox.fake_aws.faults import identify

        request = identify(environ)  # before moto: it reads (and restores) the request body
        started = time.perf_counter()
        body = list(self._app(environ, start_response))  # drain so the timing covers the work
        if request is not None:
            self._add(f"{request.signing_name}.{request.operation}", time.perf_counter() - started)
        return body

    def _add(self, key: str, seconds: float) -> None:
        with self._lock:
            entry = self._counts.setdefault(key, {"requests": 0, "seconds": 0.0})
            entry["requests"] += 1
            entry["seconds"] += seconds

    def take(self) -> dict[str, dict[str, float]]:
        with self._lock:
            counts, self._counts = self._counts, {}
        return counts


def main() -> int:
    from sandbox.fake_aws import FakeAwsServer

    with FakeAwsServer() as server:
        # FakeAwsServer offers no hook for middleware; werkzeug's server keeps the app in `.app`.
        inner = server._server
        counting = CountingApp(inner.app)
        inner.app = counting
        print(server.url, flush=True)
        for line in sys.stdin:  # ends when the parent closes our stdin (or dies)
            if line.strip() == "counts":
                print(json.dumps(counting.take()), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
