"""Missing or bad settings fail at start with a message naming the variable."""

from __future__ import annotations

import pytest

from bot.settings import SettingsError, load_settings

GOOD = {"SLACK_BOT_TOKEN": "xoxb-1-2-3", "SLACK_SIGNING_SECRET": "s3cret"}


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in (
        "SLACK_BOT_TOKEN",
        "SLACK_SIGNING_SECRET",
        "SLACK_APP_TOKEN",
        "REDIS_URL",
        "SLACK_API_URL",
    ):
        monkeypatch.delenv(name, raising=False)


def test_missing_tokens_are_named(monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(SettingsError) as caught:
        load_settings()
    assert "SLACK_BOT_TOKEN is not set" in str(caught.value)
    assert "SLACK_SIGNING_SECRET is not set" in str(caught.value)


@pytest.mark.parametrize(
    ("name", "value", "expected"),
    [
        ("SLACK_BOT_TOKEN", "xoxp-user-token", "SLACK_BOT_TOKEN must be a bot token"),
        ("REDIS_URL", "http://127.0.0.1", "REDIS_URL must start with redis://"),
        ("SLACK_API_URL", "ftp://slack", "SLACK_API_URL must be an http(s) URL"),
    ],
)
def test_bad_values_are_named(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str, expected: str
) -> None:
    for key, good in GOOD.items():
        monkeypatch.setenv(key, good)
    monkeypatch.setenv(name, value)
    with pytest.raises(SettingsError) as caught:
        load_settings()
    assert expected in str(caught.value)
    assert value not in str(caught.value) or name == "SLACK_API_URL"


def test_socket_mode_needs_app_token(monkeypatch: pytest.MonkeyPatch) -> None:
    for key, good in GOOD.items():
        monkeypatch.setenv(key, good)
    with pytest.raises(SettingsError, match="SLACK_APP_TOKEN is not set"):
        load_settings(need_app_token=True)


def test_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    for key, good in GOOD.items():
        monkeypatch.setenv(key, good)
    settings = load_settings()
    assert settings.slack_api_url == "https://slack.com/api/"
    assert settings.redis_url.get_secret_value().startswith("redis://")
    assert "xoxb" not in repr(settings)
