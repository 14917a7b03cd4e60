"""The ack-latency baseline: a Bolt app whose only listener acks `/cache-audit`.

Built and served like the bot's HTTP mode (a WebClient on the Slack emulator, token
verified once at start; waitress, 16 threads, 127.0.0.1), so the
difference in latency is the bot's own work. Run as `python -m bench.bare_bolt --port N`
with SLACK_SIGNING_SECRET, SLACK_BOT_TOKEN and SLACK_API_URL in the environment.
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Callable, Iterable
from typing import Any

from slack_bolt import Ack, App
from slack_bolt.adapter.wsgi import SlackRequestHandler
from slack_sdk import WebClient

WSGI_THREADS = 16  # the bot's `serve --http` default
StartResponse = Callable[..., Any]


def build_app(signing_secret: str, token: str, api_url: str) -> App:
    # Bolt's authorization calls auth.test: pointed at the emulator, once at start, like the bot
    client = WebClient(token=token, base_url=api_url, timeout=15)
    app = App(client=client, signing_secret=signing_secret, token_verification_enabled=True)

    @app.command("/cache-audit")
    def ack_only(ack: Ack) -> None:
        ack()

    return app


def build_wsgi(app: App) -> Callable[[dict[str, Any], StartResponse], Iterable[bytes]]:
    slack = SlackRequestHandler(app)

    def wsgi(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        if environ.get("PATH_INFO") == "/slack/events":
            answer: Iterable[bytes] = slack(environ, start_response)
            return answer
        start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", "2")])
        return [b"ok"]

    return wsgi


def serve(wsgi: Callable[..., Iterable[bytes]], port: int) -> None:
    from bot.processes import HttpOptions, serve_waitress

    # the settings of bot.processes.run_http
    serve_waitress(wsgi, HttpOptions(host="127.0.0.1", port=port, threads=WSGI_THREADS))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.bare_bolt")
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args(argv)
    app = build_app(
        os.environ["SLACK_SIGNING_SECRET"],
        os.environ["SLACK_BOT_TOKEN"],
        os.environ["SLACK_API_URL"],
    )
    serve(build_wsgi(app), args.port)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
