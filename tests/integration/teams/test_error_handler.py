"""A failing turn answers with a reference, never with the exception text (trap T2)."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from sandbox.teams_connector.client import TeamsClient
from tests.integration.teams.conftest import TeamsStack, in_process_bot, serving, wait_for
from tests.unit.teams.card_checks import all_text
from workers.platform.config import AppConfig

pytestmark = pytest.mark.integration
SECRET_DETAIL = "redis://:hunter2@cache.internal:6379 exploded"


@pytest.fixture
def failing_bot(teams: TeamsStack, monkeypatch: pytest.MonkeyPatch) -> Iterator[TeamsClient]:
    for name, value in teams.emulator.bot_environment().items():
        monkeypatch.setenv(name, value)

    def explode(*_: object) -> None:
        raise RuntimeError(SECRET_DETAIL)

    monkeypatch.setattr("bot.teams.agent.answer", explode)
    app, _ = in_process_bot(teams, AppConfig())
    with serving(app) as url:
        yield TeamsClient(
            url, teams.emulator.service_url, teams.emulator.app_id, teams.emulator.key
        )


def test_the_user_gets_a_reference_and_the_log_gets_the_error(
    teams: TeamsStack, failing_bot: TeamsClient, caplog: pytest.LogCaptureFixture
) -> None:
    activity = failing_bot.message_activity("help")
    failing_bot.send(activity)
    reply = wait_for(
        lambda: next(
            (p for p in teams.posted() if p["activity"].get("replyToId") == activity["id"]), None
        ),
        what="the error reply",
    )
    card = reply["activity"]["attachments"][0]["content"]
    assert "Something went wrong on our side" in all_text(card)
    assert "hunter2" not in json.dumps(teams.posted())
    assert "exploded" not in json.dumps(teams.posted())
    logged = [r.exc_info[1] for r in caplog.records if r.exc_info and r.exc_info[1]]
    assert any(str(error) == SECRET_DETAIL for error in logged)  # the log keeps the cause
