"""A real `redis-server` on 127.0.0.1 for tests and the demo, optionally with TLS and AUTH."""

from __future__ import annotations

import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from sandbox.local_tls import write_self_signed


class RedisUnavailable(RuntimeError):
    pass


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for_port(port: int, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.05)
    raise TimeoutError(f"nothing listens on 127.0.0.1:{port} after {timeout}s")


class RedisServer:
    """Starts `redis-server` in a temporary directory; `url` is ready to hand to clients."""

    def __init__(
        self, *, tls: bool = False, password: str | None = None, appendonly: bool = False
    ) -> None:
        self.tls = tls
        self.password = password
        self.appendonly = appendonly  # durable across `restart()`, as production runs it
        self.port = 0
        self.ca_file: str | None = None
        self._dir: tempfile.TemporaryDirectory[str] | None = None
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        scheme = "rediss" if self.tls else "redis"
        auth = f":{self.password}@" if self.password else ""
        return f"{scheme}://{auth}127.0.0.1:{self.port}/0"

    def _arguments(self, directory: Path) -> list[str]:
        durable = ["--appendonly", "yes", "--appendfsync", "always"] if self.appendonly else []
        args = ["--bind", "127.0.0.1", "--dir", str(directory), "--save", ""]
        args += durable or ["--appendonly", "no"]
        if self.password:
            args += ["--requirepass", self.password]
        if self.tls:
            cert, key = write_self_signed(directory, "redis")
            self.ca_file = str(cert)
            args += ["--port", "0", "--tls-port", str(self.port), "--tls-cert-file", str(cert)]
            args += ["--tls-key-file", str(key), "--tls-ca-cert-file", str(cert)]
            args += ["--tls-auth-clients", "no"]
        else:
            args += ["--port", str(self.port)]
        return args

    def _spawn(self, binary: str, directory: Path) -> subprocess.Popen[bytes]:
        """Run redis-server on `self.port` and wait until it listens."""
        process = subprocess.Popen(
            [binary, *self._arguments(directory)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_for_port(self.port)
        return process

    def start(self) -> RedisServer:
        binary = shutil.which("redis-server")
        if binary is None:
            raise RedisUnavailable("redis-server is not installed; run `make bootstrap`")
        self._dir = tempfile.TemporaryDirectory(prefix="cachewarden-redis-")
        # A free port can be taken by another process before redis binds it: try a few.
        for _attempt in range(5):
            self.port = free_port()
            self._process = self._spawn(binary, Path(self._dir.name))
            time.sleep(0.05)
            if self._process.poll() is None:  # ours is alive, so the port is ours
                return self
        raise RedisUnavailable(f"redis-server did not stay up on 127.0.0.1:{self.port}")

    def restart(
        self, down_seconds: float = 0.5, while_down: Callable[[], object] | None = None
    ) -> None:
        """Stop the server (SIGTERM: it finishes its append-only file) and start it again on
        the same port and data directory, as an operator's restart or a failover would.
        `while_down` runs once the old server has exited (a test's move during the outage)."""
        binary = shutil.which("redis-server")
        if self._process is None or self._dir is None or binary is None:
            raise RedisUnavailable("restart() needs a started server")
        self._process.terminate()
        self._process.wait(timeout=10)
        if while_down is not None:
            while_down()
        time.sleep(down_seconds)
        self._process = self._spawn(binary, Path(self._dir.name))
        self._wait_loaded()

    def _wait_loaded(self, timeout: float = 10.0) -> None:
        """Until the append-only file is loaded, Redis answers LOADING to every command."""
        import redis

        client = (
            redis.Redis.from_url(self.url, ssl_ca_certs=self.ca_file)
            if self.tls
            else (redis.Redis.from_url(self.url))
        )
        deadline = time.monotonic() + timeout
        with client:
            while time.monotonic() < deadline:
                try:
                    client.ping()
                    return
                except redis.exceptions.BusyLoadingError:
                    time.sleep(0.05)
        raise RedisUnavailable("redis-server did not finish loading its data")

    def stop(self) -> None:
        if self._process is not None:
            self._process.terminate()
            try:
                self._process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self._process.kill()
            self._process = None
        if self._dir is not None:
            self._dir.cleanup()
            self._dir = None

    def __enter__(self) -> RedisServer:
        return self.start()

    def __exit__(self, *_: object) -> None:
        self.stop()
