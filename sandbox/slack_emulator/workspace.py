"""The pretend Slack workspace: who is in it, which user groups and channels exist."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class User:
    id: str
    name: str
    real_name: str
    is_bot: bool = False

    def to_slack(self, team_id: str) -> dict[str, Any]:
        """The `user` object as users.info returns it."""
        return {
            "id": self.id,
            "team_id": team_id,
            "name": self.name,
            "deleted": False,
            "real_name": self.real_name,
            "tz": "Europe/London",
            "tz_label": "Greenwich Mean Time",
            "tz_offset": 0,
            "is_admin": False,
            "is_owner": False,
            "is_bot": self.is_bot,
            "is_app_user": False,
            "profile": {
                "real_name": self.real_name,
                "real_name_normalized": self.real_name,
                "display_name": self.name,
                "display_name_normalized": self.name,
                "team": team_id,
            },
        }


@dataclass(frozen=True)
class Channel:
    id: str
    name: str
    is_private: bool = False
    topic: str = ""

    def to_slack(self, created: int) -> dict[str, Any]:
        """The `channel` object as conversations.info returns it."""
        is_im = self.id.startswith("D")
        return {
            "id": self.id,
            "name": self.name,
            "is_channel": not is_im and not self.is_private,
            "is_group": self.is_private,
            "is_im": is_im,
            "is_private": self.is_private or is_im,
            "is_archived": False,
            "is_general": False,
            "is_member": True,
            "created": created,
            "topic": {"value": self.topic, "creator": "", "last_set": 0},
            "purpose": {"value": "", "creator": "", "last_set": 0},
        }


@dataclass(frozen=True)
class Workspace:
    users: tuple[User, ...]
    channels: tuple[Channel, ...]
    usergroups: dict[str, tuple[str, ...]] = field(default_factory=dict)
    team_id: str = "T_DEMO"
    team_name: str = "Cachewarden Demo"
    team_domain: str = "cachewarden-demo"
    bot_user_id: str = "U_BOT"
    bot_id: str = "B_BOT"
    app_id: str = "A_CACHEWARDEN"

    def user(self, user_id: str) -> User | None:
        return next((u for u in self.users if u.id == user_id), None)

    def channel(self, channel_id: str) -> Channel | None:
        """Known channels, plus a direct-message channel for every known user."""
        found = next((c for c in self.channels if c.id == channel_id), None)
        if found is not None:
            return found
        owner = self.user(dm_owner(channel_id)) if channel_id.startswith("D") else None
        return Channel(id=channel_id, name=owner.name) if owner else None

    def resolve_channel(self, channel_or_user: str) -> Channel | None:
        """A channel id or name ("#platform"), or a user id, which means the bot's DM with them."""
        if channel_or_user.startswith(("U", "W")) and self.user(channel_or_user):
            return self.channel(dm_channel_id(channel_or_user))
        by_name = channel_or_user.removeprefix("#")
        named = next((c for c in self.channels if c.name == by_name), None)
        return named or self.channel(channel_or_user)

    def display_name(self, user_id: str) -> str:
        user = self.user(user_id)
        return user.real_name if user else user_id

    def group_handle(self, group_id: str) -> str:
        """How Slack shows `<!subteam^S1>`: the group's handle (made up from its id here)."""
        if group_id not in self.usergroups:
            return group_id
        return group_id.removeprefix("S_").lower().replace("_", "-") + "-team"


def dm_channel_id(user_id: str) -> str:
    """The bot's direct-message channel with a user: U_ENGINEER -> D_ENGINEER."""
    return "D" + user_id[1:]


def dm_owner(channel_id: str) -> str:
    return "U" + channel_id[1:]


def default_workspace() -> Workspace:
    """Four humans (one outsider), the bot, a security user group and two channels."""
    users = (
        User("U_ENGINEER", "erin", "Erin Engineer"),
        User("U_SECURITY", "sam", "Sam Security"),
        User("U_SECURITY2", "sasha", "Sasha Secops"),
        User("U_OUTSIDER", "oli", "Oli Outsider"),
        User("U_BOT", "cachewarden", "Cachewarden", is_bot=True),
    )
    channels = (
        Channel("C_PLATFORM", "platform", topic="Platform engineering"),
        Channel("C_SECURITY", "security", topic="Security reviews and approvals"),
    )
    return Workspace(
        users=users,
        channels=channels,
        usergroups={"S_SECURITY": ("U_SECURITY", "U_SECURITY2")},
    )
