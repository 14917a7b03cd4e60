"""A local Slack for cachewarden: Web API emulator, signed request client and demo page.

    with SlackEmulator(bot_url="http://127.0.0.1:3000") as slack:
        client = WebClient(token=slack.bot_token, base_url=slack.api_url)  # the bot's client
        slack.signed_client().command("/cache-audit", "scan", user_id="U_ENGINEER",
                                      channel_id="C_PLATFORM")
        slack.messages("C_PLATFORM")  # what the bot posted
        print(slack.base_url)  # the demo page

Everything binds 127.0.0.1; state lives in memory and `reset()` clears it.
"""

from sandbox.slack_emulator.emulator import SlackEmulator
from sandbox.slack_emulator.recording import Fault, RecordedCall
from sandbox.slack_emulator.response_urls import RecordedResponse, ResponseTarget
from sandbox.slack_emulator.signed_client import Response, SignedClient, find_button
from sandbox.slack_emulator.workspace import Channel, User, Workspace, default_workspace

__all__ = [
    "Channel",
    "Fault",
    "RecordedCall",
    "RecordedResponse",
    "Response",
    "ResponseTarget",
    "SignedClient",
    "SlackEmulator",
    "User",
    "Workspace",
    "default_workspace",
    "find_button",
]
