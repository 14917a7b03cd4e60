"""Where something was said and who said it, for any chat platform. Pure.

A conversation reference names a place (a Slack channel or thread, a Teams channel or
thread); a message reference names one message in it. Requests and rotations keep
these instead of Slack timestamps, so a job answers on the platform the ask came from.

    Slack: workspace = team id (T...), channel = C..., thread / message id = a ts "1712.0001"
    Teams: workspace = tenant id (GUID), channel = conversation id "19:...@thread.tacv2",
           thread = the root message id, message id = an activity id
"""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, ConfigDict


class Platform(StrEnum):
    SLACK = "slack"
    TEAMS = "teams"


class ConversationRef(BaseModel):
    """A channel, or a thread in it (`thread` empty: the channel's top level)."""

    model_config = ConfigDict(frozen=True)

    platform: Platform = Platform.SLACK
    workspace: str = ""  # "" when unknown (records written before it was kept)
    channel: str = ""
    thread: str = ""

    def in_thread(self, thread: str) -> ConversationRef:
        return self.model_copy(update={"thread": thread})

    def top_level(self) -> ConversationRef:
        return self.model_copy(update={"thread": ""})

    def same_channel(self, other: ConversationRef) -> bool:
        return (self.platform, self.channel) == (other.platform, other.channel)


class MessageRef(BaseModel):
    """One posted message: where it is and its platform id."""

    model_config = ConfigDict(frozen=True)

    conversation: ConversationRef
    message_id: str

    @property
    def as_thread(self) -> ConversationRef:
        """The thread this message starts (or belongs to, when it is a reply)."""
        return self.conversation.in_thread(self.conversation.thread or self.message_id)


class Actor(BaseModel):
    """Who does something, from which front end and workspace, in which channel."""

    model_config = ConfigDict(frozen=True)

    platform: Platform = Platform.SLACK
    workspace: str = ""
    user: str
    channel: str = ""

    @property
    def conversation(self) -> ConversationRef:
        return ConversationRef(
            platform=self.platform, workspace=self.workspace, channel=self.channel
        )


def legacy_conversation(channel: str, thread: str = "") -> ConversationRef:
    """What a record written before references existed means: Slack, workspace unknown."""
    return ConversationRef(platform=Platform.SLACK, channel=channel, thread=thread)


def legacy_message(channel: str, message_id: str) -> MessageRef | None:
    if not channel or not message_id:
        return None
    return MessageRef(conversation=legacy_conversation(channel), message_id=message_id)
