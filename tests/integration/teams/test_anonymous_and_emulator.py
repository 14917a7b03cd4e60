"""Anonymous mode (local use only, when asked for) and the emulator's own connector rules."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import requests

from sandbox.teams_connector.client import Forgery
from tests.integration.teams.conftest import TeamsStack, running_stack, wait_for
from tests.unit.teams.card_checks import all_text

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def local(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TeamsStack]:
    with running_stack(tmp_path_factory.mktemp("teams-anon"), anonymous=True) as stack:
        yield stack


def test_anonymous_mode_answers_without_tokens_but_still_checks_a_present_one(
    local: TeamsStack,
) -> None:
    activity = local.client.message_activity("explain CW-101")
    assert local.client.send(activity, Forgery(no_token=True)).status in (200, 202)
    reply = wait_for(
        lambda: next(
            (p for p in local.posted() if p["activity"].get("replyToId") == activity["id"]), None
        ),
        what="the anonymous reply",
    )
    assert reply["auth"] is None  # no app token is sent in local mode
    card = reply["activity"]["attachments"][0]["content"]
    assert all_text(card).startswith("CW-101 Caches encrypt traffic in transit")
    before = len(local.requests())
    forged = local.client.message_activity("help")
    assert local.client.send(forged, Forgery(audience="someone-else")).status == 401
    assert len(local.requests()) == before
    assert "Teams anonymous mode" in local.bot_log()


def test_the_connector_requires_its_own_tokens_and_knows_its_activities(teams: TeamsStack) -> None:
    base = teams.emulator.service_url + "/v3/conversations"
    channel = "19:emulator-check@thread.tacv2"
    assert requests.post(f"{base}/{channel}/activities", json={}, timeout=5).status_code == 401
    token = requests.post(
        teams.emulator.authority_host + "/tenant-x/oauth2/v2.0/token",
        data={
            "grant_type": "client_credentials",
            "client_id": teams.emulator.app_id,
            "client_secret": teams.emulator.client_secret,
            "scope": "https://api.botframework.com/.default",
        },
        verify=str(teams.emulator.cert_file),
        timeout=5,
    ).json()["access_token"]
    wrong = requests.post(
        teams.emulator.authority_host + "/tenant-x/oauth2/v2.0/token",
        data={
            "grant_type": "client_credentials",
            "client_id": teams.emulator.app_id,
            "client_secret": "guess",
        },
        verify=str(teams.emulator.cert_file),
        timeout=5,
    )
    assert wrong.status_code == 401
    auth = {"Authorization": f"Bearer {token}"}
    created = requests.post(
        base,
        json={
            "isGroup": True,
            "channelData": {"channel": {"id": channel}},
            "activity": {"type": "message", "text": "root"},
        },
        headers=auth,
        timeout=5,
    ).json()
    root = created["activityId"]
    assert created["id"] == f"{channel};messageid={root}"
    reply = requests.post(
        f"{base}/{created['id']}/activities",
        json={"type": "message", "text": "r"},
        headers=auth,
        timeout=5,
    ).json()["id"]
    posted = {p["id"]: p for p in teams.posted()}
    assert posted[reply]["root"] == root and posted[root]["root"] is None
    missing = requests.put(f"{base}/{channel}/activities/404404", json={}, headers=auth, timeout=5)
    assert missing.status_code == 404
    assert requests.put(
        f"{base}/{channel}/activities/{root}",
        json={"type": "message", "text": "edited"},
        headers=auth,
        timeout=5,
    ).json() == {"id": root}
    assert {p["id"]: p for p in teams.posted()}[root]["activity"]["text"] == "edited"
