"""The demo page's Teams view: what a person sees in the channel and in a chat with the bot,
and what they do there (post, reply in a chain, click a card button), sent to `serve --teams`
exactly as the Bot Connector would send it (signed activities, `adaptiveCard/action` invokes).

Served by the connector emulator itself (`/teams`), so the page and the recorded
conversations share one origin; the Slack page links here and this page links back.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sandbox.teams_connector.client import CHANNEL, Person, TeamsClient
from sandbox.teams_connector.render import render_activity
from sandbox.teams_connector.store import Posted

if TYPE_CHECKING:
    from sandbox.teams_connector.server import ConnectorEmulator

STATIC_DIR = Path(__file__).parent / "static"
BOT_NAME = "cachewarden"
CHANNEL_NAME = "Platform › cachewarden-ops"
# The same Entra object ids as the end-to-end tests' Teams users; Sam and Sasha approve.
PEOPLE = (
    Person("6f1c0c3e-0000-4000-8000-00000000e001", "29:eng", "Erin Engineer"),
    Person("6f1c0c3e-0000-4000-8000-00000000a001", "29:sam", "Sam Security"),
    Person("6f1c0c3e-0000-4000-8000-00000000a002", "29:sasha", "Sasha Secops"),
    Person("6f1c0c3e-0000-4000-8000-00000000f001", "29:oli", "Oli Outsider"),
)
DEMO_APPROVERS = (PEOPLE[1].aad_object_id, PEOPLE[2].aad_object_id)
_AT = re.compile(r"<at>([^<]{0,200})</at>", re.IGNORECASE)
Outcome = tuple[int, dict[str, Any]]


def load_page(static_dir: Path = STATIC_DIR) -> str:
    """Read per request, so edits to static/ show on reload; nothing external is referenced."""
    page = (static_dir / "teams.html").read_text(encoding="utf-8")
    css = (static_dir / "teams.css").read_text(encoding="utf-8")
    js = (static_dir / "teams.js").read_text(encoding="utf-8")
    return page.replace("/*__PAGE_CSS__*/", css).replace("/*__PAGE_JS__*/", js)


def person(user: str | None) -> Person:
    return next((p for p in PEOPLE if p.aad_object_id == user), PEOPLE[0])


def personal_chat(who: Person) -> str:
    return str(TeamsClient.personal(who)["id"])


class TeamsView:
    def __init__(self, emulator: ConnectorEmulator) -> None:
        self._emulator = emulator

    def _client(self) -> TeamsClient:
        if not self._emulator.bot_url:
            raise LookupError("no Teams bot is connected to the emulator")
        emulator = self._emulator
        return TeamsClient(emulator.bot_url, emulator.service_url, emulator.app_id, emulator.key)

    # --- what the page shows ---------------------------------------------------------------
    def state(self, user: str | None, conversation: str | None) -> dict[str, Any]:
        me = person(user)
        chat = personal_chat(me)
        shown = conversation if conversation in (CHANNEL, chat) else CHANNEL
        items = self._emulator.store.conversation(shown)
        return {
            "me": me.aad_object_id,
            "people": [{"id": p.aad_object_id, "name": p.name} for p in PEOPLE],
            "conversations": [
                {"id": CHANNEL, "name": CHANNEL_NAME, "kind": "channel"},
                {"id": chat, "name": f"Chat with {BOT_NAME}", "kind": "personal"},
            ],
            "conversation": shown,
            "kind": "channel" if shown == CHANNEL else "personal",
            "posts": _chains(items) if shown == CHANNEL else [_entry(p) for p in items],
            "bot_connected": bool(self._emulator.bot_url),
            "slack_url": self._emulator.slack_url,
        }

    # --- what a person does ----------------------------------------------------------------
    def send_message(self, body: dict[str, Any]) -> Outcome:
        text = " ".join(str(body.get("text", "")).split())
        if not text:
            return 400, {"ok": False, "error": "empty message"}
        who, client = person(body.get("user")), self._client()
        new_id = self._emulator.store.next_id()
        if body.get("conversation", CHANNEL) == CHANNEL:
            root = str(body.get("thread") or "") or new_id  # a new post starts its own chain
            conversation = client.channel(thread_root=root)
        else:
            conversation = client.personal(who)
        activity = client.message_activity(text, conversation=conversation, person=who)
        activity["id"] = new_id
        self._emulator.store.record_said(activity)
        answer = client.send(activity)
        return 200, {"ok": answer.status in (200, 202), "status": answer.status}

    def click(self, body: dict[str, Any]) -> Outcome:
        """An Action.Execute click: the invoke, and what Teams would show the clicker."""
        who, client = person(body.get("user")), self._client()
        conversation_id = str(body.get("conversation", CHANNEL))
        clicked = self._emulator.store.find(conversation_id, str(body.get("activity_id", "")))
        if clicked is None:
            return 404, {"ok": False, "error": "that card is not in this conversation"}
        raw = body.get("data")
        data: dict[str, Any] = raw if isinstance(raw, dict) else {}
        conversation = (
            client.channel(thread_root=clicked.root or clicked.id)
            if clicked.conversation == CHANNEL
            else client.personal(who)
        )
        invoke = client.invoke_activity(
            str(body.get("verb", "")),
            data,
            reply_to_id=clicked.id,
            conversation=conversation,
            person=who,
        )
        invoke["id"] = self._emulator.store.next_id()
        answer = client.send(invoke)
        return 200, {"ok": answer.status == 200, "status": answer.status, **_invoke_answer(answer)}


def _invoke_answer(answer: Any) -> dict[str, str]:
    """Universal Actions answer with a card (shown to the clicker) or a short message."""
    try:
        body = answer.json() or {}
    except ValueError:
        body = {}
    if body.get("type") == "application/vnd.microsoft.card.adaptive":
        return {"message": "The card was updated."}
    value = body.get("value")
    if isinstance(value, str) and value:
        return {"message": value}
    return {"message": "" if answer.status == 200 else f"The bot answered {answer.status}."}


def _author(item: Posted) -> tuple[str, bool]:
    if item.by_person:
        return str((item.activity.get("from") or {}).get("name") or "someone"), False
    return BOT_NAME, True


def _entry(item: Posted) -> dict[str, Any]:
    author, is_bot = _author(item)
    activity = item.activity
    if not is_bot and activity.get("text"):
        activity = {**activity, "text": _AT.sub(r"**@\1**", str(activity["text"]))}
    return {
        "id": item.id,
        "conversation": item.conversation,
        "author": author,
        "is_bot": is_bot,
        "at": item.at,
        "edited": item.versions > 1,
        "html": render_activity(activity),
    }


def _chains(items: list[Posted]) -> list[dict[str, Any]]:
    """Channel posts, each with its reply chain; a reply whose root is unknown gets a stub."""
    roots: dict[str, dict[str, Any]] = {}
    for item in items:
        if item.root is None:
            roots[item.id] = {**_entry(item), "replies": []}
    for item in items:
        if item.root is None:
            continue
        if item.root not in roots:
            roots[item.root] = {
                "id": item.root, "conversation": item.conversation, "author": "", "is_bot": False,
                "at": item.at, "edited": False, "replies": [],
                "html": '<div class="ac-subtle">A post sent outside this page.</div>',
            }  # fmt: skip
        roots[item.root]["replies"].append(_entry(item))
    return sorted(roots.values(), key=lambda r: (r["at"], r["id"]))
