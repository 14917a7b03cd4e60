"""Teams settings name the missing variable; conversation ids and references are kept right."""

from __future__ import annotations

import fakeredis
import pytest

from bot.teams.credentials import (
    AnonymousTokenSource,
    MsalTokenSource,
    client_credential,
    token_source,
)
from bot.teams.references import (
    ConversationStore,
    bare_conversation_id,
    reference_from_activity,
    thread_conversation_id,
)
from bot.teams.settings import AuthType, TeamsSettingsError, load_teams_settings


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    import os

    for name in list(os.environ):
        if name.startswith("CACHEWARDEN_TEAMS_"):
            monkeypatch.delenv(name)


def test_production_needs_an_app_id(monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(TeamsSettingsError, match="CACHEWARDEN_TEAMS_APP_ID is not set"):
        load_teams_settings()


@pytest.mark.parametrize(
    ("auth_type", "variable"),
    [
        ("client_secret", "CACHEWARDEN_TEAMS_CLIENT_SECRET"),
        ("certificate", "CACHEWARDEN_TEAMS_CERT_PFX_FILE"),
        ("federated_credentials", "CACHEWARDEN_TEAMS_MANAGED_IDENTITY_CLIENT_ID"),
        ("workload_identity", "CACHEWARDEN_TEAMS_FEDERATED_TOKEN_FILE"),
    ],
)
def test_each_credential_kind_names_what_it_needs(
    monkeypatch: pytest.MonkeyPatch, auth_type: str, variable: str
) -> None:
    monkeypatch.setenv("CACHEWARDEN_TEAMS_APP_ID", "app")
    monkeypatch.setenv("CACHEWARDEN_TEAMS_AUTH_TYPE", auth_type)
    with pytest.raises(TeamsSettingsError, match=variable):
        load_teams_settings()
    monkeypatch.setenv(variable, "value")
    settings = load_teams_settings()
    assert settings.auth_type is AuthType(auth_type)
    assert isinstance(token_source(settings), MsalTokenSource)


def test_secret_and_certificate_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CACHEWARDEN_TEAMS_APP_ID", "app")
    monkeypatch.setenv("CACHEWARDEN_TEAMS_CLIENT_SECRET", "s3cret")
    assert client_credential(load_teams_settings()) == "s3cret"
    assert "s3cret" not in repr(load_teams_settings())
    monkeypatch.setenv("CACHEWARDEN_TEAMS_AUTH_TYPE", "certificate")
    monkeypatch.setenv("CACHEWARDEN_TEAMS_CERT_PFX_FILE", "/run/bot.pfx")
    monkeypatch.setenv("CACHEWARDEN_TEAMS_CERT_PASSWORD", "pw")
    assert client_credential(load_teams_settings()) == {
        "private_key_pfx_path": "/run/bot.pfx",
        "public_certificate": True,
        "passphrase": "pw",
    }


def test_workload_identity_reads_the_token_file_each_time(
    monkeypatch: pytest.MonkeyPatch, tmp_path: pytest.TempPathFactory
) -> None:
    token_file = tmp_path / "token"  # type: ignore[operator]
    token_file.write_text("first\n")
    monkeypatch.setenv("CACHEWARDEN_TEAMS_APP_ID", "app")
    monkeypatch.setenv("CACHEWARDEN_TEAMS_AUTH_TYPE", "workload_identity")
    monkeypatch.setenv("CACHEWARDEN_TEAMS_FEDERATED_TOKEN_FILE", str(token_file))
    assertion = client_credential(load_teams_settings())["client_assertion"]
    assert assertion() == "first"
    token_file.write_text("rotated")
    assert assertion() == "rotated"


def test_anonymous_only_when_asked_and_defaults_are_the_bot_framework(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("CACHEWARDEN_TEAMS_ANONYMOUS", "true")
    settings = load_teams_settings()
    assert isinstance(token_source(settings), AnonymousTokenSource)
    assert settings.issuers == ("https://api.botframework.com",)
    assert settings.openid_metadata_url == (
        "https://login.botframework.com/v1/.well-known/openidconfiguration"
    )
    monkeypatch.setenv("CACHEWARDEN_TEAMS_ANONYMOUS", "false")
    with pytest.raises(TeamsSettingsError):
        load_teams_settings()


def test_metadata_and_authority_must_be_https(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CACHEWARDEN_TEAMS_ANONYMOUS", "true")
    monkeypatch.setenv("CACHEWARDEN_TEAMS_OPENID_METADATA_URL", "http://127.0.0.1/x")
    with pytest.raises(TeamsSettingsError, match="https"):
        load_teams_settings()


def test_thread_ids() -> None:
    assert bare_conversation_id("19:a@thread.tacv2;messageid=17") == "19:a@thread.tacv2"
    assert thread_conversation_id("19:a@thread.tacv2;messageid=1", "22") == (
        "19:a@thread.tacv2;messageid=22"
    )


def test_reference_is_stored_once_per_conversation_and_refreshed_on_change() -> None:
    activity = {
        "serviceUrl": "https://smba.trafficmanager.net/emea/",
        "conversation": {
            "id": "19:a@thread.tacv2;messageid=17",
            "conversationType": "channel",
            "tenantId": "t1",
        },
        "recipient": {"id": "28:app", "name": "cachewarden"},
        "channelData": {"team": {"id": "19:team"}},
    }
    ref = reference_from_activity(activity)
    assert ref is not None
    assert ref.conversation_id == "19:a@thread.tacv2"
    assert ref.threaded and ref.tenant_id == "t1" and ref.team_id == "19:team"
    store = ConversationStore(fakeredis.FakeRedis())
    assert store.remember(ref) is True
    assert store.remember(ref) is False  # the same reference is not rewritten
    assert store.get("19:a@thread.tacv2;messageid=99") == ref  # any thread finds its channel
    moved = ref.model_copy(update={"service_url": "https://smba.trafficmanager.net/amer/"})
    assert store.remember(moved) is True
    assert store.get(ref.conversation_id) == moved
    assert reference_from_activity({"conversation": {"id": "x"}, "serviceUrl": "ftp://x"}) is None
