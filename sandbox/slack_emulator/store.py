"""Channel messages, thread replies and ephemeral messages, safe to use from many threads."""

from __future__ import annotations

import copy
import threading
from typing import Any

from sandbox.slack_emulator.ids import IdMint

Message = dict[str, Any]


class MessageStore:
    def __init__(self, mint: IdMint) -> None:
        self._mint = mint
        self._lock = threading.Lock()
        self._by_channel: dict[str, list[Message]] = {}
        self._ephemerals: list[Message] = []

    def clear(self) -> None:
        with self._lock:
            self._by_channel.clear()
            self._ephemerals.clear()

    def add(self, channel: str, fields: Message) -> Message:
        """Store a new message; a thread_ts pointing at a reply is moved to its parent, as Slack does."""
        with self._lock:
            message = {"type": "message", **copy.deepcopy(fields), "ts": self._mint.ts()}
            message["channel"] = channel
            thread_ts = message.get("thread_ts")
            if thread_ts:
                parent = self._find(channel, thread_ts)
                message["thread_ts"] = (
                    parent.get("thread_ts", parent["ts"]) if parent else thread_ts
                )
            else:
                message.pop("thread_ts", None)
            self._by_channel.setdefault(channel, []).append(message)
            return copy.deepcopy(message)

    def find(self, channel: str, ts: str) -> Message | None:
        with self._lock:
            found = self._find(channel, ts)
            return copy.deepcopy(found) if found else None

    def update(self, channel: str, ts: str, changes: Message) -> Message | None:
        with self._lock:
            found = self._find(channel, ts)
            if found is None:
                return None
            found.update(copy.deepcopy(changes))
            return copy.deepcopy(found)

    def delete(self, channel: str, ts: str) -> bool:
        with self._lock:
            found = self._find(channel, ts)
            if found is None:
                return False
            self._by_channel[channel].remove(found)
            return True

    def top_level(self, channel: str) -> list[Message]:
        """Parents and unthreaded messages (plus broadcast replies), each with reply counts."""
        with self._lock:
            everything = self._by_channel.get(channel, [])
            shown = [m for m in everything if _is_top_level(m) or m.get("reply_broadcast")]
            return [self._with_reply_summary(m, everything) for m in shown]

    def thread(self, channel: str, ts: str) -> list[Message]:
        """The parent then its replies, oldest first, like conversations.replies."""
        with self._lock:
            everything = self._by_channel.get(channel, [])
            parent = self._find(channel, ts)
            if parent is None:
                return []
            root_ts = str(parent.get("thread_ts") or parent["ts"])
            root = self._find(channel, root_ts) or parent
            replies = [m for m in everything if m.get("thread_ts") == root_ts and m is not root]
            return [self._with_reply_summary(root, everything), *copy.deepcopy(replies)]

    def channels_with_messages(self) -> list[str]:
        with self._lock:
            return [channel for channel, messages in self._by_channel.items() if messages]

    def add_ephemeral(self, channel: str, user: str, fields: Message) -> Message:
        with self._lock:
            message = {"type": "message", **copy.deepcopy(fields), "ts": self._mint.ts()}
            message.update(channel=channel, user_visible_to=user, is_ephemeral=True)
            self._ephemerals.append(message)
            return copy.deepcopy(message)

    def ephemerals(self, channel: str | None = None, user: str | None = None) -> list[Message]:
        with self._lock:
            return [
                copy.deepcopy(m)
                for m in self._ephemerals
                if channel in (None, m["channel"]) and user in (None, m["user_visible_to"])
            ]

    def find_ephemeral(self, ts: str) -> Message | None:
        with self._lock:
            found = next((m for m in self._ephemerals if m["ts"] == ts), None)
            return copy.deepcopy(found) if found else None

    def replace_ephemeral(self, ts: str, changes: Message | None) -> bool:
        """Update an ephemeral message in place, or drop it when changes is None."""
        with self._lock:
            found = next((m for m in self._ephemerals if m["ts"] == ts), None)
            if found is None:
                return False
            if changes is None:
                self._ephemerals.remove(found)
            else:
                found.update(copy.deepcopy(changes))
            return True

    def _find(self, channel: str, ts: str) -> Message | None:
        return next((m for m in self._by_channel.get(channel, []) if m["ts"] == ts), None)

    @staticmethod
    def _with_reply_summary(message: Message, everything: list[Message]) -> Message:
        summary = copy.deepcopy(message)
        if not _is_top_level(message):
            return summary
        replies = [
            m for m in everything if m.get("thread_ts") == message["ts"] and m is not message
        ]
        summary["reply_count"] = len(replies)
        if replies:
            summary["thread_ts"] = message["ts"]
            summary["latest_reply"] = replies[-1]["ts"]
            summary["reply_users"] = sorted({r.get("user", "") for r in replies})
        return summary


def _is_top_level(message: Message) -> bool:
    thread_ts = message.get("thread_ts")
    return thread_ts is None or thread_ts == message["ts"]
