"""What the emulated Bot Connector received: every request, and the conversations it built."""

from __future__ import annotations

import itertools
import threading
import time
from dataclasses import asdict, dataclass, field
from typing import Any

THREAD_MARK = ";messageid="


@dataclass
class Posted:
    id: str
    conversation: str  # bare channel or chat id
    root: str | None  # the thread's root post id in a channel; None for a root post or chat
    activity: dict[str, Any]
    auth: str | None
    versions: int = 1  # 1 + the number of updates
    at: float = field(default_factory=time.time)  # when it was posted (for the demo page)
    by_person: bool = False  # typed by a person on the demo page, not posted by the bot


@dataclass
class Request:
    method: str
    raw_path: str
    auth: str | None
    status: int


@dataclass
class ConnectorStore:
    posted: list[Posted] = field(default_factory=list)
    said: list[Posted] = field(default_factory=list)  # what people typed on the demo page
    requests: list[Request] = field(default_factory=list)
    faults: list[tuple[int, float]] = field(default_factory=list)  # (status, retry_after)
    _ids: Any = field(default_factory=lambda: itertools.count(int(time.time() * 1000)))
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def next_id(self) -> str:
        with self._lock:
            return str(next(self._ids))

    def record_request(self, method: str, raw_path: str, auth: str | None, status: int) -> None:
        with self._lock:
            self.requests.append(Request(method, raw_path, auth, status))

    def take_fault(self) -> tuple[int, float] | None:
        with self._lock:
            return self.faults.pop(0) if self.faults else None

    def post(
        self,
        conversation_id: str,
        activity: dict[str, Any],
        auth: str | None,
        reply_to: str | None = None,
    ) -> Posted:
        bare, _, root = conversation_id.partition(THREAD_MARK)
        if reply_to and not root:
            parent = self.find(bare, reply_to)
            root = (parent.root or parent.id) if parent else reply_to
        item = Posted(self.next_id(), bare, root or None, activity, auth)
        with self._lock:
            self.posted.append(item)
        return item

    def record_said(self, activity: dict[str, Any]) -> Posted:
        """A message a person sent from the demo page (the bot's posts stay in `posted`)."""
        conversation = str(activity["conversation"]["id"])
        bare, _, root = conversation.partition(THREAD_MARK)
        activity_id = str(activity["id"])
        item = Posted(
            activity_id, bare, root if root and root != activity_id else None, activity, None,
            by_person=True,
        )  # fmt: skip
        with self._lock:
            self.said.append(item)
        return item

    def conversation(self, conversation_id: str) -> list[Posted]:
        """Everything in one conversation, the bot's posts and people's, oldest first."""
        with self._lock:
            items = [p for p in (*self.posted, *self.said) if p.conversation == conversation_id]
        return sorted(items, key=lambda p: (p.at, p.id))

    def find(self, conversation_id: str, activity_id: str) -> Posted | None:
        bare = conversation_id.partition(THREAD_MARK)[0]
        with self._lock:
            return next(
                (p for p in self.posted if p.conversation == bare and p.id == activity_id), None
            )

    def update(
        self, conversation_id: str, activity_id: str, activity: dict[str, Any], auth: str | None
    ) -> Posted | None:
        item = self.find(conversation_id, activity_id)
        if item is not None:
            with self._lock:
                item.activity, item.auth, item.versions = activity, auth, item.versions + 1
        return item

    def snapshot(self) -> dict[str, Any]:
        with self._lock:
            return {
                "posted": [asdict(p) for p in self.posted],
                "said": [asdict(p) for p in self.said],
                "requests": [asdict(r) for r in self.requests],
            }

    def reset(self) -> None:
        with self._lock:
            self.posted.clear()
            self.said.clear()
            self.requests.clear()
            self.faults.clear()
