"""The HTTP-mode end-to-end scenarios again, with the bot in Socket Mode.

The bot runs `cachewarden serve --socket` with slack_sdk's built-in Socket Mode client
(what Bolt's SocketModeHandler uses; no extra dependency). It finds the emulated endpoint
through `apps.connections.open` on the Slack emulator, gets a `hello`, receives commands
and clicks as envelopes and acknowledges each by envelope_id. The scenarios are the HTTP
mode's own test functions, imported, so both modes are held to the same assertions.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from sandbox.stack import Stack, StackOptions
from tests.integration.bot.conftest import _seed
from tests.integration.bot.test_audit_end_to_end import (
    CHANNEL,
    test_audit_acks_fast_and_posts_summary_with_thread,
    test_bad_input_gets_usage_and_no_job,
    test_explain_button_answers_only_the_clicker,
    test_health_and_metrics,
    test_help_and_explain_answer_at_once,
    test_hostile_tag_value_renders_inert,
    test_logs_are_json_lines_with_correlation_ids,
)

pytestmark = [pytest.mark.integration, pytest.mark.xdist_group("bot-socket-stack")]

__all__ = [
    "test_audit_acks_fast_and_posts_summary_with_thread",
    "test_bad_input_gets_usage_and_no_job",
    "test_explain_button_answers_only_the_clicker",
    "test_health_and_metrics",
    "test_help_and_explain_answer_at_once",
    "test_hostile_tag_value_renders_inert",
    "test_logs_are_json_lines_with_correlation_ids",
]


@pytest.fixture(scope="module")
def stack() -> Iterator[Stack]:
    with Stack(StackOptions(regions=("us-east-1",), mode="socket")) as running:
        _seed(running.aws.url)
        yield running


def test_the_bot_connected_through_apps_connections_open(stack: Stack) -> None:
    opened = stack.emulator.calls("apps.connections.open")
    assert opened and all(call.response["ok"] for call in opened)
    assert stack.socket_mode is not None and stack.socket_mode.refused_handshakes == 0


def test_a_disconnect_message_makes_the_bot_reconnect_and_keep_answering(stack: Stack) -> None:
    server = stack.socket_mode
    assert server is not None
    before = server.connections_opened
    server.request_refresh()
    server.wait_connected(before + 1, timeout=20)
    assert len(stack.emulator.calls("apps.connections.open")) >= before + 1
    answer = stack.signed_client().command(
        "/cache-help", "", user_id="U_ENGINEER", channel_id=CHANNEL
    )
    assert "/cache-audit" in answer.json()["text"]


def test_the_ops_listener_does_not_take_slack_requests(stack: Stack) -> None:
    import urllib.error
    import urllib.request

    request = urllib.request.Request(f"{stack.bot_url}/slack/events", data=b"{}", method="POST")
    try:
        urllib.request.urlopen(request, timeout=5)
    except urllib.error.HTTPError as refused:
        assert refused.code == 404
    else:
        raise AssertionError("/slack/events answered on the ops listener")


def test_no_socket_mode_log_line_carries_the_app_token_or_the_ticket(stack: Stack) -> None:
    logs = stack.logs()
    assert stack.emulator.app_token not in logs
    assert "ticket=" not in logs
    for line in filter(None, logs.splitlines()):
        json.loads(line)  # every line the bot wrote is one JSON object
