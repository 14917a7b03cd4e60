"""files_upload_v2 end to end: URL, upload, completion, file message, download."""

from __future__ import annotations

import urllib.error
import urllib.request

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from sandbox.slack_emulator import SlackEmulator

pytestmark = pytest.mark.integration

REPORT = "# Audit\n\n| cluster | finding |\n|---|---|\n| prod | no TLS |\n"


def test_upload_v2_posts_a_file_message_in_the_thread(
    client: WebClient, emulator: SlackEmulator
) -> None:
    parent = client.chat_postMessage(channel="C_PLATFORM", text="Audit summary")["ts"]
    reply = client.files_upload_v2(
        channel="C_PLATFORM",
        thread_ts=parent,
        content=REPORT,
        filename="audit.md",
        title="Full audit",
        initial_comment="Full report attached",
    )
    assert reply["file"]["title"] == "Full audit"
    (stored,) = emulator.files()
    assert stored["content"] == REPORT.encode() and stored["name"] == "audit.md"
    thread = emulator.thread("C_PLATFORM", parent)
    assert len(thread) == 2
    file_message = thread[1]
    assert file_message["text"] == "Full report attached"
    assert file_message["files"][0]["id"] == stored["id"]
    with urllib.request.urlopen(stored["url_private_download"], timeout=5) as download:
        assert download.read() == REPORT.encode()
        assert "audit.md" in download.headers["Content-Disposition"]
    methods = [c.method for c in emulator.calls()]
    assert methods[-2:] == ["files.getUploadURLExternal", "files.completeUploadExternal"]


def test_upload_without_channel_keeps_the_file_private(
    client: WebClient, emulator: SlackEmulator
) -> None:
    client.files_upload_v2(content=b"\x00\x01", filename="blob.bin")
    assert [f["name"] for f in emulator.files()] == ["blob.bin"]
    assert emulator.messages("C_PLATFORM") == []


def test_completing_a_file_that_was_never_uploaded_fails(client: WebClient) -> None:
    reserved = client.files_getUploadURLExternal(filename="x.txt", length=3)
    with pytest.raises(SlackApiError) as caught:
        client.files_completeUploadExternal(
            files=[{"id": reserved["file_id"]}], channel_id="C_PLATFORM"
        )
    assert caught.value.response["error"] == "file_not_found"


def test_upload_to_an_unknown_url_is_404(emulator: SlackEmulator) -> None:
    request = urllib.request.Request(emulator.base_url + "upload/F_NOPE", data=b"x", method="POST")
    with pytest.raises(urllib.error.HTTPError) as caught:
        urllib.request.urlopen(request, timeout=5)
    assert caught.value.code == 404
