"""The worker-side Bot Connector client: safe URLs, retries, readable failures."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import pytest
import requests

from bot.teams.connector import ConnectorClient, check_service_url
from bot.teams.credentials import TokenError
from workers.platform.notifier import NotifyError


@dataclass
class FakeResponse:
    status_code: int
    body: dict[str, Any] = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)

    @property
    def content(self) -> bytes:
        return json.dumps(self.body).encode()

    def json(self) -> Any:
        return self.body


@dataclass
class FakeSession:
    responses: list[FakeResponse]
    calls: list[tuple[str, str, dict[str, str]]] = field(default_factory=list)

    def request(self, method: str, url: str, **kwargs: Any) -> FakeResponse:
        self.calls.append((method, url, kwargs["headers"]))
        return self.responses.pop(0)


class Tokens:
    def __init__(self, value: str | None = "tok") -> None:
        self.value = value

    def token(self) -> str | None:
        if self.value == "fail":
            raise TokenError("Entra ID refused a token: invalid_client")
        return self.value


def client(
    *responses: FakeResponse, tokens: Tokens | None = None
) -> tuple[ConnectorClient, FakeSession, list[float]]:
    session = FakeSession(list(responses))
    waits: list[float] = []
    made = ConnectorClient(
        tokens or Tokens(),
        session=session,
        sleep=waits.append,  # type: ignore[arg-type]
    )
    return made, session, waits


SERVICE = "https://smba.trafficmanager.net/emea/"
THREAD = "19:abc@thread.tacv2;messageid=1700000000000"


def test_ids_go_into_the_path_unencoded_with_the_bearer_token() -> None:
    made, session, _ = client(FakeResponse(200, {"id": "1700000000005"}))
    assert made.send(SERVICE, THREAD, {"type": "message"}) == "1700000000005"
    method, url, headers = session.calls[0]
    assert (method, url) == (
        "POST",
        "https://smba.trafficmanager.net/emea/v3/conversations/"
        "19:abc@thread.tacv2;messageid=1700000000000/activities",
    )
    assert headers["Authorization"] == "Bearer tok"


def test_anonymous_mode_sends_no_authorization_header() -> None:
    made, session, _ = client(FakeResponse(200, {"id": "1"}), tokens=Tokens(None))
    made.send("http://127.0.0.1:9/", "a:chat", {})
    assert "Authorization" not in session.calls[0][2]


@pytest.mark.parametrize("bad", ["19:a/../../x", "a b", "x?y=1", "x#y", ""])
def test_ids_that_could_change_the_path_are_refused(bad: str) -> None:
    made, session, _ = client()
    with pytest.raises(NotifyError):
        made.send(SERVICE, bad, {})
    assert session.calls == []


@pytest.mark.parametrize("url", ["http://smba.example/", "ftp://127.0.0.1/", "file:///etc/passwd"])
def test_only_https_or_loopback_service_urls(url: str) -> None:
    with pytest.raises(NotifyError):
        check_service_url(url)
    assert check_service_url("http://127.0.0.1:3979/") == "http://127.0.0.1:3979"


def test_throttling_waits_as_told_capped_and_then_succeeds() -> None:
    made, session, waits = client(
        FakeResponse(429, headers={"Retry-After": "2"}),
        FakeResponse(503, headers={"Retry-After": "3600"}),
        FakeResponse(201, {"id": "9"}),
    )
    assert made.send(SERVICE, THREAD, {}) == "9"
    assert waits == [2.0, 30.0]
    assert len(session.calls) == 3


def test_a_refusal_names_status_and_code_only() -> None:
    body = {"error": {"code": "BadArgument", "message": "token=eyJ secret detail"}}
    made, _, _ = client(FakeResponse(400, body))
    with pytest.raises(NotifyError) as caught:
        made.update(SERVICE, THREAD, "17", {})
    assert str(caught.value) == "Teams refused the message (400 BadArgument)."


def test_unreachable_and_sign_in_failures_are_notify_errors() -> None:
    class Down(FakeSession):
        def request(self, method: str, url: str, **kwargs: Any) -> FakeResponse:
            raise requests.ConnectionError("refused")

    waits: list[float] = []
    made = ConnectorClient(Tokens(), session=Down([]), sleep=waits.append, retries=2)  # type: ignore[arg-type]
    with pytest.raises(NotifyError, match="not reachable"):
        made.send(SERVICE, THREAD, {})
    assert waits == [1, 2]
    made, session, _ = client(tokens=Tokens("fail"))
    with pytest.raises(NotifyError, match="invalid_client"):
        made.send(SERVICE, THREAD, {})
    assert session.calls == []
