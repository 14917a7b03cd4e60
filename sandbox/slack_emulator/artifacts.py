"""Uploaded files and Block Kit views (App Home tabs and modals), safe across threads."""

from __future__ import annotations

import copy
import mimetypes
import threading
from dataclasses import dataclass, field
from typing import Any

View = dict[str, Any]


@dataclass
class StoredFile:
    id: str
    filename: str
    declared_length: int
    content: bytes | None = None
    title: str = ""
    user: str = ""
    created: int = 0
    shared_in: list[str] = field(default_factory=list)

    def to_slack(self, base_url: str) -> dict[str, Any]:
        """The file object Slack returns and puts in file-share messages."""
        download = f"{base_url}files/{self.id}/{self.filename}"
        return {
            "id": self.id,
            "name": self.filename,
            "title": self.title or self.filename,
            "mimetype": mimetypes.guess_type(self.filename)[0] or "application/octet-stream",
            "filetype": self.filename.rsplit(".", 1)[-1] if "." in self.filename else "binary",
            "size": len(self.content or b""),
            "user": self.user,
            "created": self.created,
            "url_private": download,
            "url_private_download": download,
            "permalink": download,
            "channels": list(self.shared_in),
        }


class FileStore:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._files: dict[str, StoredFile] = {}

    def clear(self) -> None:
        with self._lock:
            self._files.clear()

    def reserve(self, stored: StoredFile) -> None:
        with self._lock:
            self._files[stored.id] = stored

    def receive_upload(self, file_id: str, content: bytes) -> bool:
        with self._lock:
            stored = self._files.get(file_id)
            if stored is None or stored.content is not None:
                return False
            stored.content = content
            return True

    def complete(self, file_id: str, title: str, channel: str | None) -> StoredFile | None:
        """Finish an upload: only files whose bytes arrived can be completed."""
        with self._lock:
            stored = self._files.get(file_id)
            if stored is None or stored.content is None:
                return None
            stored.title = title or stored.title or stored.filename
            if channel and channel not in stored.shared_in:
                stored.shared_in.append(channel)
            return copy.deepcopy(stored)

    def get(self, file_id: str) -> StoredFile | None:
        with self._lock:
            stored = self._files.get(file_id)
            return copy.deepcopy(stored) if stored else None

    def completed(self) -> list[StoredFile]:
        with self._lock:
            return [copy.deepcopy(f) for f in self._files.values() if f.content is not None]


@dataclass
class OpenView:
    view: View
    user: str
    errors: dict[str, str] = field(default_factory=dict)


class ViewStore:
    """The last published home view per user, open modals, and trigger ids waiting to be used."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._home: dict[str, View] = {}
        self._open: dict[str, OpenView] = {}
        self._triggers: dict[str, tuple[str, float]] = {}

    def clear(self) -> None:
        with self._lock:
            self._home.clear()
            self._open.clear()
            self._triggers.clear()

    def issue_trigger(self, trigger_id: str, user: str, issued_at: float) -> None:
        with self._lock:
            self._triggers[trigger_id] = (user, issued_at)

    def trigger(self, trigger_id: str) -> tuple[str, float] | None:
        with self._lock:
            return self._triggers.get(trigger_id)

    def spend_trigger(self, trigger_id: str) -> None:
        with self._lock:
            self._triggers.pop(trigger_id, None)

    def publish_home(self, user: str, view: View) -> None:
        with self._lock:
            self._home[user] = copy.deepcopy(view)

    def home_views(self) -> dict[str, View]:
        with self._lock:
            return copy.deepcopy(self._home)

    def open_modal(self, user: str, view: View) -> None:
        with self._lock:
            self._open[view["id"]] = OpenView(view=copy.deepcopy(view), user=user)

    def replace(self, view_id: str, view: View, errors: dict[str, str] | None = None) -> bool:
        """Swap the content of an open modal or a home tab, keeping its id."""
        with self._lock:
            if view_id in self._open:
                self._open[view_id].view = copy.deepcopy(view)
                self._open[view_id].errors = dict(errors or {})
                return True
            for user, home in self._home.items():
                if home.get("id") == view_id:
                    self._home[user] = copy.deepcopy(view)
                    return True
            return False

    def find(self, view_id: str) -> View | None:
        with self._lock:
            if view_id in self._open:
                return copy.deepcopy(self._open[view_id].view)
            home = next((v for v in self._home.values() if v.get("id") == view_id), None)
            return copy.deepcopy(home) if home else None

    def find_by_external_id(self, external_id: str) -> View | None:
        with self._lock:
            views = [o.view for o in self._open.values()] + list(self._home.values())
            found = next((v for v in views if v.get("external_id") == external_id), None)
            return copy.deepcopy(found) if found else None

    def close(self, view_id: str) -> None:
        with self._lock:
            self._open.pop(view_id, None)

    def modals(self, user: str | None = None) -> list[OpenView]:
        with self._lock:
            return [copy.deepcopy(o) for o in self._open.values() if user in (None, o.user)]
