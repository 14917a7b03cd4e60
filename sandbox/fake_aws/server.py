"""FakeAwsServer: every AWS service moto serves, with our patches, on 127.0.0.1."""

from __future__ import annotations

import threading
from types import TracebackType
from typing import Any

from sandbox.fake_aws.control import FakeAwsApp
from sandbox.fake_aws.faults import FaultBook
from sandbox.fake_aws.patches import install_patches

LOOPBACK = "127.0.0.1"


class FakeAwsServer:
    """A threaded HTTP server boto3 reaches through `endpoint_url=` / `AWS_ENDPOINT_URL`.

    moto keeps state per process, so every server in one process shares the AWS state;
    each server has its own faults.
    """

    def __init__(self, port: int = 0, *, modify_delay_describes: int = 1) -> None:
        self._port = port
        self._modify_delay_describes = modify_delay_describes
        self._server: Any = None
        self._thread: threading.Thread | None = None
        self.faults = FaultBook()

    @property
    def url(self) -> str:
        if self._server is None:
            raise RuntimeError("FakeAwsServer is not started")
        return f"http://{LOOPBACK}:{self._server.server_port}"

    def start(self) -> str:
        if self._server is not None:
            return self.url
        from moto.moto_server.werkzeug_app import (
            DomainDispatcherApplication,
            create_backend_app,
        )
        from werkzeug.serving import make_server

        settings = install_patches(self._modify_delay_describes)
        app = FakeAwsApp(DomainDispatcherApplication(create_backend_app), self.faults, settings)
        self._server = make_server(
            LOOPBACK, self._port, app, threaded=True, request_handler=_quiet_handler()
        )
        self._thread = threading.Thread(
            target=self._server.serve_forever, name="fake-aws", daemon=True
        )
        self._thread.start()
        return self.url

    def stop(self) -> None:
        if self._server is None:
            return
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._server, self._thread = None, None

    def __enter__(self) -> FakeAwsServer:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()


def _quiet_handler() -> Any:
    """moto's request handler without a log line per request."""
    from moto.moto_server.werkzeug_app import MotoRequestHandler

    class QuietHandler(MotoRequestHandler):
        def log_request(self, *args: Any, **kwargs: Any) -> None:
            return None

    return QuietHandler
