"""One scenario list, two front ends: a small driver per front end that does what a person
does there (type a command, wait for the audit thread, click a button) and hands back plain
text, so the same story checks Slack and Teams against the same flows.

Users are logical names; each driver maps them to its platform's ids (Slack user ids,
Entra object ids).
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, Protocol

from bot.teams.verbs import Verb
from sandbox.stack import Stack
from sandbox.teams_connector.client import CHANNEL as TEAMS_CHANNEL
from sandbox.teams_connector.client import Person, TeamsClient
from tests.unit.teams.card_checks import walk

SLACK_CHANNEL = "C_PLATFORM"
SLACK_USERS = {
    "engineer": "U_ENGINEER",
    "security": "U_SECURITY",
    "security2": "U_SECURITY2",
    "outsider": "U_OUTSIDER",
}
TEAMS_USERS = {
    "engineer": Person("6f1c0c3e-0000-4000-8000-00000000e001", "29:eng", "Erin Engineer"),
    "security": Person("6f1c0c3e-0000-4000-8000-00000000a001", "29:sam", "Sam Security"),
    "security2": Person("6f1c0c3e-0000-4000-8000-00000000a002", "29:sasha", "Sasha Secops"),
    "outsider": Person("6f1c0c3e-0000-4000-8000-00000000f001", "29:oli", "Oli Outsider"),
}
TEAMS_APPROVERS = (TEAMS_USERS["security"].aad_object_id, TEAMS_USERS["security2"].aad_object_id)
WON = "WON"  # a decision click that changed the request (Slack: "Approved."; Teams: the new card)


def wait_for(predicate: Callable[[], Any], timeout: float = 60.0, what: str = "condition") -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.15)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")


def plain(value: Any) -> str:
    """Everything a person would read, without Markdown escapes."""
    return re.sub(r"\\(.)", r"\1", json.dumps(value, ensure_ascii=False).replace("\\\\", "\\"))


@dataclass(frozen=True)
class Button:
    """A finding's or request's button: where it is and what it carries."""

    message: Any  # the platform's message (Slack message dict, Teams posted record)
    action: str
    value: dict[str, Any]


class FrontEnd(Protocol):
    name: str
    broadcast: tuple[str, ...]  # text that would notify people if it came back live

    def ask(self, text: str, user: str = "engineer") -> str:
        """Send a command as typed in Teams ("audit", "explain CW-101"); the answer's text."""
        ...

    def run_audit(self) -> Any:
        """Ask for an audit and wait for its finished root post with replies."""
        ...

    def thread_text(self, parent: Any) -> str: ...

    def finding_button(self, parent: Any, resource: str, rule: str, action: str) -> Button:
        """action: "explain", "request_fix" or "accept_risk"."""
        ...

    def click(self, button: Button, user: str) -> str:
        """The clicker's answer (WON for a decision that changed the request)."""
        ...

    def click_at_once(self, button: Button, users: list[str]) -> list[str]:
        """Everyone clicks at the same moment; every clicker's answer (order not kept)."""
        ...

    def approval(self, parent: Any, resource: str, rule: str) -> tuple[str, Button, Button]:
        """The request id and its Approve and Deny buttons, once posted in the thread."""
        ...

    def thread_after(self, parent: Any, count: int) -> list[str]:
        """The texts of replies after the first `count` (what a click posted into the thread)."""
        ...

    def reply_count(self, parent: Any) -> int: ...

    def top_level(self) -> list[str]:
        """The texts of the channel's top-level posts, oldest first."""
        ...


class SlackFrontEnd:
    name = "slack"
    broadcast = ("<!channel>", "<!here>", "<@U")
    _SLASH = {"audit": "/cache-audit", "explain": "/cache-explain", "rotate-token": "/cache-rotate-token", "help": "/cache-help"}  # fmt: skip
    _ACTIONS = {"explain": "finding_explain", "request_fix": "finding_request_fix", "accept_risk": "finding_accept_risk"}  # fmt: skip

    def __init__(self, stack: Stack) -> None:
        self.stack = stack

    def ask(self, text: str, user: str = "engineer") -> str:
        first, _, rest = text.partition(" ")
        command = self._SLASH.get(first)
        if command is None:
            command, rest = "/cache-audit", text
        answer = self.stack.signed_client().command(
            command, rest, user_id=SLACK_USERS[user], channel_id=SLACK_CHANNEL
        )
        assert answer.status == 200
        return plain(answer.json())

    def run_audit(self) -> Any:
        emulator = self.stack.emulator
        before, files = len(emulator.messages(SLACK_CHANNEL)), len(emulator.files())
        self.ask("audit")

        def done() -> Any:
            for message in emulator.messages(SLACK_CHANNEL)[before:]:
                if "(done)" in plain(message.get("blocks")) and message.get("reply_count", 0) >= 1:
                    return message
            return None

        parent = wait_for(done, what="the finished Slack audit")
        wait_for(lambda: len(emulator.files()) >= files + 2, what="the report files")
        return parent

    def _thread(self, parent: Any) -> list[dict[str, Any]]:
        replies = self.stack.emulator.thread(SLACK_CHANNEL, parent["ts"])
        return [m for m in replies if m["ts"] != parent["ts"]]

    def thread_text(self, parent: Any) -> str:
        return plain(self._thread(parent))

    def reply_count(self, parent: Any) -> int:
        return len(self._thread(parent))

    def top_level(self) -> list[str]:
        return [
            plain(m.get("blocks") or m.get("text"))
            for m in self.stack.emulator.messages(SLACK_CHANNEL)
        ]

    def thread_after(self, parent: Any, count: int) -> list[str]:
        return [plain(m.get("blocks") or m.get("text")) for m in self._thread(parent)[count:]]

    def finding_button(self, parent: Any, resource: str, rule: str, action: str) -> Button:
        for message in self._thread(parent):
            current = ""
            blocks = message.get("blocks") or []
            for block in blocks:
                body = plain(block)
                if block.get("type") == "section" and ("*Replication group*" in body or "*Cache cluster*" in body):  # fmt: skip
                    current = body
                if f"`{resource}`" in current and block.get("type") == "section" and f"`{rule}`" in body:  # fmt: skip
                    # Issue 13: a finding line carries one menu (or one button when one action applies)
                    accessory = block.get("accessory") or {}
                    wanted = str(self._ACTIONS[action])
                    if accessory.get("type") == "overflow":
                        value = next(
                            o["value"] for o in accessory["options"]
                            if o["value"].startswith(f"{wanted}:")
                        )  # fmt: skip
                        return Button(message, "finding_menu", {"value": value})
                    if accessory.get("action_id") == wanted:
                        return Button(message, wanted, {"value": str(accessory["value"])})
        raise AssertionError(f"no {rule} finding on {resource} in the Slack thread")

    def click(self, button: Button, user: str) -> str:
        """The answer is a response-URL message to the clicker, or (Explain, issue 13) the
        modal the click opened for them with `views.open`."""
        emulator, user_id = self.stack.emulator, SLACK_USERS[user]
        before, modals = len(emulator.responses()), len(emulator.modals(user_id))
        answer = self.stack.signed_client().click(
            button.message,
            button.action,
            button.value.get("value"),
            user_id=user_id,
            channel_id=SLACK_CHANNEL,
        )
        assert answer.status == 200

        def answered() -> list[Any]:
            opened = [o.view for o in emulator.modals(user_id)[modals:]]
            said = [r.payload for r in emulator.responses()[before:] if r.target.user == user_id]
            return said + opened

        return self._answer(wait_for(answered, what="the answer to the click")[0])

    @staticmethod
    def _answer(payload: Any) -> str:
        text = plain(payload)
        return WON if re.search(r'"text": "(Approved|Denied)\. ', text) else text

    def click_at_once(self, button: Button, users: list[str]) -> list[str]:
        """Slack answers through response URLs, so the answers are read after all clicks."""
        before = len(self.stack.emulator.responses())
        client = self.stack.signed_client()

        def one(user: str) -> int:
            value = button.value.get("value")
            return client.click(
                button.message,
                button.action,
                value,
                user_id=SLACK_USERS[user],
                channel_id=SLACK_CHANNEL,
            ).status

        with ThreadPoolExecutor(max_workers=len(users)) as pool:
            assert list(pool.map(one, users)) == [200] * len(users)
        responses = wait_for(
            lambda: (r := self.stack.emulator.responses()[before:]) and len(r) >= len(users) and r,
            what="every clicker's answer",
        )
        return [self._answer(r.payload) for r in responses]

    def approval(self, parent: Any, resource: str, rule: str) -> tuple[str, Button, Button]:
        def find() -> Any:
            for message in reversed(self._thread(parent)):
                body = plain(message.get("blocks"))
                if f"request: {rule}" in body and f"`{resource}`" in body:
                    return message
            return None

        message = wait_for(find, what=f"the Slack request for {rule} on {resource}")
        request_id = plain(message["blocks"]).split("request `", 1)[1].split("`", 1)[0]
        return (
            request_id,
            Button(message, "approval_approve", {}),
            Button(message, "approval_deny", {}),
        )


class TeamsFrontEnd:
    name = "teams"
    broadcast = ("<at>",)
    _VERBS = {"explain": Verb.EXPLAIN, "request_fix": Verb.REQUEST_FIX, "accept_risk": Verb.ACCEPT_RISK}  # fmt: skip
    _KINDS = ("Replication group ", "Cache cluster ", "Serverless cache ")

    def __init__(self, stack: Stack) -> None:
        self.stack = stack
        self.client: TeamsClient = stack.teams_client()

    def _posted(self) -> list[dict[str, Any]]:
        assert self.stack.teams is not None
        return list(self.stack.teams.snapshot()["posted"])

    def _reply_to(self, activity_id: str) -> dict[str, Any]:
        return wait_for(  # type: ignore[no-any-return]
            lambda: next(
                (p for p in self._posted() if p["activity"].get("replyToId") == activity_id), None
            ),
            what=f"the Teams reply to {activity_id}",
        )

    @staticmethod
    def _card(posted: dict[str, Any]) -> dict[str, Any]:
        return posted["activity"]["attachments"][0]["content"]  # type: ignore[no-any-return]

    def ask(self, text: str, user: str = "engineer") -> str:
        activity = self.client.message_activity(text, person=TEAMS_USERS[user])
        answer = self.client.send(activity)
        assert answer.status in (200, 202), answer
        return plain(self._card(self._reply_to(activity["id"])))

    def run_audit(self) -> Any:
        before = len(self._posted())
        self.ask("audit")

        def done() -> Any:
            for posted in self._posted()[before:]:
                if posted["conversation"] != TEAMS_CHANNEL or posted["root"] is not None:
                    continue
                if "ElastiCache audit (done)" in plain(self._card(posted)) and self._replies(posted):  # fmt: skip
                    return posted
            return None

        parent = wait_for(done, what="the finished Teams audit")
        # the report notices come after the last findings page: then the thread is complete
        wait_for(
            lambda: sum("not attached" in plain(r) for r in self._replies(parent)) >= 2,
            what="the report notices",
        )
        return parent

    def _replies(self, parent: dict[str, Any]) -> list[dict[str, Any]]:
        return [p for p in self._posted() if p["root"] == parent["id"]]

    def thread_text(self, parent: Any) -> str:
        return plain([self._card(p) for p in self._replies(parent)])

    def reply_count(self, parent: Any) -> int:
        return len(self._replies(parent))

    def top_level(self) -> list[str]:
        return [
            plain(self._card(p))
            for p in self._posted()
            if p["conversation"] == TEAMS_CHANNEL and p["root"] is None
        ]

    def thread_after(self, parent: Any, count: int) -> list[str]:
        return [plain(self._card(p)) for p in self._replies(parent)[count:]]

    def finding_button(self, parent: Any, resource: str, rule: str, action: str) -> Button:
        on_resource = re.compile(rf"\b{re.escape(resource)}(\s|$)")
        for posted in self._replies(parent):
            current, current_rule = "", ""
            for node in walk(self._card(posted)["body"]):
                if node.get("type") == "TextBlock":
                    text = re.sub(r"\\(.)", r"\1", node["text"])
                    if text.startswith(self._KINDS):
                        current = text
                    found = re.match(r"\*\*\w+\*\* (CW-\d+)", text)
                    if found:
                        current_rule = found.group(1)
                if (
                    node.get("type") == "Action.Execute"
                    and node.get("verb") == self._VERBS[action]
                    and on_resource.search(current)
                    and current_rule == rule
                ):
                    return Button(posted, str(node["verb"]), dict(node["data"]))
        shown = self.thread_text(parent)[:3000]
        raise AssertionError(f"no {rule} finding on {resource} in the Teams thread: {shown}")

    def click(self, button: Button, user: str) -> str:
        posted = button.message
        root = posted["root"] or posted["id"]
        activity = self.client.invoke_activity(
            button.action,
            button.value,
            reply_to_id=posted["id"],
            conversation=self.client.channel(thread_root=root),
            person=TEAMS_USERS[user],
        )
        answer = self.client.send(activity)
        assert answer.status == 200, answer
        body = answer.json()
        if body["type"] == "application/vnd.microsoft.card.adaptive":
            return WON if button.action in (Verb.APPROVE, Verb.DENY) else plain(body["value"])
        return str(body["value"])

    def click_at_once(self, button: Button, users: list[str]) -> list[str]:
        """Each invoke is answered in its own HTTP response."""
        with ThreadPoolExecutor(max_workers=len(users)) as pool:
            return list(pool.map(lambda user: self.click(button, user), users))

    def approval(self, parent: Any, resource: str, rule: str) -> tuple[str, Button, Button]:
        def find() -> Any:
            for posted in reversed(self._replies(parent)):
                card = self._card(posted)
                text = plain(card)
                if f": {rule}" in text and resource in text and "request " in text:
                    verbs = {a.get("verb") for a in walk(card) if a.get("type") == "Action.Execute"}  # fmt: skip
                    if Verb.APPROVE in verbs:
                        return posted
            return None

        posted = wait_for(find, what=f"the Teams request for {rule} on {resource}")
        request_id = re.search(r"request ([a-z0-9]{8,32})", plain(self._card(posted)))
        assert request_id is not None
        data = {"verb": "", "request_id": request_id.group(1)}
        return (
            request_id.group(1),
            Button(posted, Verb.APPROVE, {**data, "verb": Verb.APPROVE}),
            Button(posted, Verb.DENY, {**data, "verb": Verb.DENY}),
        )
