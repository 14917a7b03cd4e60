from __future__ import annotations

import json
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from slack_sdk import WebClient

from sandbox.slack_emulator import SignedClient, SlackEmulator
from tests.integration.emulator.bolt_app import build_app, serve


@pytest.fixture
def emulator() -> Iterator[SlackEmulator]:
    with SlackEmulator() as emu:
        yield emu


@pytest.fixture
def client(emulator: SlackEmulator) -> WebClient:
    return WebClient(token=emulator.bot_token, base_url=emulator.api_url)


@dataclass
class BoltSetup:
    url: str
    seen: list[dict[str, Any]]
    signed: SignedClient


@pytest.fixture
def bolt(emulator: SlackEmulator, client: WebClient) -> Iterator[BoltSetup]:
    """A real Bolt app wired to the emulator both ways, like the demo."""
    seen: list[dict[str, Any]] = []
    app = build_app(client, emulator.signing_secret, seen)
    with serve(app) as url:
        emulator.bot_url = url
        yield BoltSetup(url=url, seen=seen, signed=emulator.signed_client())


def http_json(url: str, body: dict[str, Any] | None = None) -> tuple[int, Any]:
    """GET (or POST JSON) against the emulator's own endpoints, returning status and JSON."""
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=10) as reply:
            return reply.status, json.loads(reply.read() or b"null")
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"null")
