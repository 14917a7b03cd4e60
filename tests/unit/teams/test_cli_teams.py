"""`cachewarden serve --teams` is its own entry: it never loads the Slack front end."""

from __future__ import annotations

import subprocess
import sys

from bot.cli import build_parser, main


def test_serve_teams_parses_its_own_options() -> None:
    args = build_parser("serve", teams=True).parse_args(["serve", "--teams", "--port", "3999"])
    assert (args.teams, args.port, args.host) == (True, 3999, "0.0.0.0")
    assert main(["serve", "--teams", "--port", "not-a-port"]) == 2


def test_serve_teams_does_not_import_slack() -> None:
    code = (
        "import sys; from bot.cli import build_parser; build_parser('serve', teams=True);"
        "import bot.teams.server;"
        "print(sorted(m for m in sys.modules if m.startswith(('slack_bolt', 'slack_sdk',"
        " 'bot.slack.listeners', 'bot.processes', 'bot.slack.render', 'gunicorn'))))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_serve_teams_refuses_to_start_without_credentials() -> None:
    env = {"PATH": "/usr/bin:/bin", "REDIS_URL": "redis://127.0.0.1:1/0"}
    out = subprocess.run(
        [sys.executable, "-m", "bot.cli", "serve", "--teams", "--port", "3999"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert out.returncode == 2
    assert "CACHEWARDEN_TEAMS_APP_ID is not set" in out.stderr
