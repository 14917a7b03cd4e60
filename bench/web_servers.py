"""The bot's real WSGI app (gate, Bolt, Redis health) behind one of three candidate servers.

`python -m bench.web_servers --server {waitress,gthread,gevent} --port N`, with the bot's
environment (the stack's). `waitress` is what `cachewarden serve --http` runs; `gthread`
is what it ran before (gunicorn, 1 worker, 16 threads); `gevent` is gunicorn's gevent
worker. The last two need gunicorn (and gevent), which the bot itself no longer installs:
`pip install gunicorn==27.0.1 gevent==26.9.0` to measure them.
"""

from __future__ import annotations

import argparse
from typing import Any

THREADS = 16


def _gunicorn(wsgi: Any, port: int, worker_class: str) -> None:
    from gunicorn.app.base import BaseApplication

    class _Server(BaseApplication):  # type: ignore[misc]
        def load_config(self) -> None:
            self.cfg.set("bind", f"127.0.0.1:{port}")
            self.cfg.set("workers", 1)
            self.cfg.set("worker_class", worker_class)
            self.cfg.set("threads", THREADS)
            self.cfg.set("worker_connections", 1000)
            self.cfg.set("accesslog", None)
            self.cfg.set("graceful_timeout", 5)
            self.cfg.set("control_socket_disable", True)

        def load(self) -> Any:
            return wsgi

    _Server().run()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.web_servers")
    parser.add_argument("--server", choices=("waitress", "gthread", "gevent"), required=True)
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args(argv)
    if args.server == "gevent":  # before anything imports threading, socket or ssl
        from gevent import monkey

        monkey.patch_all()
    from bot.processes import HttpOptions, serve_waitress
    from bot.runtime_setup import boot, bot_app
    from bot.slack.web import WebLimits, build_wsgi

    process = boot()
    app, metrics = bot_app(process)
    secret = process.settings.slack_signing_secret.get_secret_value()
    limits = WebLimits(max_body_bytes=process.settings.web_max_body_bytes)
    wsgi = build_wsgi(app, process.connection, metrics, signing_secret=secret, limits=limits)
    if args.server == "waitress":
        serve_waitress(wsgi, HttpOptions(host="127.0.0.1", port=args.port, threads=THREADS))
    else:
        _gunicorn(wsgi, args.port, args.server)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
