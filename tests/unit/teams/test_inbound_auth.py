"""The inbound Bot Connector token check, with a local key in place of the Bot Framework's."""

from __future__ import annotations

import time
from typing import Any

import jwt
import pytest

from bot.teams.inbound_auth import BotConnectorAuth, InboundAuthConfig, SigningKeys, Unauthorized
from sandbox.teams_connector.keys import SigningKey

APP = "app-id-1"
SERVICE = "https://smba.trafficmanager.net/emea/"
METADATA = "https://login.example/v1/.well-known/openidconfiguration"


class Metadata:
    """Serves OpenID metadata and a JWKS from memory, counting fetches."""

    def __init__(self, *keys: SigningKey) -> None:
        self.keys = list(keys)
        self.fetches = 0

    def __call__(self, url: str) -> Any:
        self.fetches += 1
        if url == METADATA:
            return {
                "issuer": "https://api.botframework.com",
                "jwks_uri": "https://login.example/keys",
            }
        return {"keys": [key.jwk() for key in self.keys]}


def auth(*keys: SigningKey) -> tuple[BotConnectorAuth, Metadata]:
    metadata = Metadata(*keys)
    config = InboundAuthConfig(APP, METADATA, ("https://api.botframework.com",))
    return BotConnectorAuth(config, SigningKeys(METADATA, fetch=metadata)), metadata


ACTIVITY = {"channelId": "msteams", "serviceUrl": SERVICE}


def test_a_connector_token_passes_and_keys_are_cached() -> None:
    key = SigningKey()
    check, metadata = auth(key)
    for _ in range(3):
        claims = check.validate(
            f"Bearer {key.connector_token(audience=APP, service_url=SERVICE)}", ACTIVITY
        )
        assert claims["aud"] == APP
    assert metadata.fetches == 2  # metadata + JWKS, once


@pytest.mark.parametrize(
    "header", [None, "", "Bearer", "Basic abc", "Bearer a b", "Bearer not-a-jwt"]
)
def test_malformed_headers_are_refused(header: str | None) -> None:
    check, _ = auth(SigningKey())
    with pytest.raises(Unauthorized):
        check.validate(header, ACTIVITY)


def test_each_wrong_claim_is_refused() -> None:
    key = SigningKey()
    check, _ = auth(key)
    bad = [
        key.connector_token(audience="someone-else", service_url=SERVICE),
        key.connector_token(audience=APP, service_url=SERVICE, issuer="https://sts.windows.net/x/"),
        key.connector_token(
            audience=APP, service_url=SERVICE, issued_at=time.time() - 7200, lifetime=600
        ),
        key.connector_token(audience=APP, service_url="https://evil.example/"),
        SigningKey().connector_token(audience=APP, service_url=SERVICE),  # unlisted key
        jwt.encode(
            {
                "iss": "https://api.botframework.com",
                "aud": APP,
                "exp": time.time() + 60,
                "serviceurl": SERVICE,
            },
            None,
            algorithm="none",
        ),
    ]
    for token in bad:
        with pytest.raises(Unauthorized):
            check.validate(f"Bearer {token}", ACTIVITY)


def test_clock_skew_of_five_minutes_is_tolerated() -> None:
    key = SigningKey()
    check, _ = auth(key)
    late = key.connector_token(audience=APP, service_url=SERVICE, issued_at=time.time() - 3840)
    check.validate(f"Bearer {late}", ACTIVITY)  # expired 4 minutes ago: still inside the leeway


def test_a_key_must_endorse_the_channel() -> None:
    key = SigningKey(endorsements=("skype",))
    check, _ = auth(key)
    token = key.connector_token(audience=APP, service_url=SERVICE)
    with pytest.raises(Unauthorized, match="endorse"):
        check.validate(f"Bearer {token}", ACTIVITY)


def test_a_rotated_key_is_fetched_once_the_refetch_pause_has_passed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    old, new = SigningKey(), SigningKey()
    check, metadata = auth(old)
    check.validate(f"Bearer {old.connector_token(audience=APP, service_url=SERVICE)}", ACTIVITY)
    metadata.keys = [new]
    token = f"Bearer {new.connector_token(audience=APP, service_url=SERVICE)}"
    with pytest.raises(Unauthorized):  # within the pause: no refetch storm from forged kids
        check.validate(token, ACTIVITY)
    later = time.monotonic() + 61
    monkeypatch.setattr("bot.teams.inbound_auth.time.monotonic", lambda: later)
    assert check.validate(token, ACTIVITY)["aud"] == APP
