"""The Teams side of `workers.platform.notifier.Notifier`: neutral messages in, Bot Connector calls out.

`channel` is a Teams conversation id (a channel or a chat) whose reference the bot stored
when it was first mentioned there; `thread_ts` is the id of a thread's root post; the ids
returned are activity ids. Posts to one conversation are serialised with a Redis lock.

A retried job never posts twice: each post is recorded in a Redis ledger under its
conversation, thread and exact content before the job goes on, and a second attempt with the
same content within `ledger_ttl` returns the recorded id instead of posting again. Updates
(PUT) replace a card and are safe to repeat.

Teams has no ephemeral bot messages and bots cannot attach files to channel posts, so a
`user=` notice is posted in the conversation and a report file is named, not attached.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
from collections.abc import Iterator, Sequence
from typing import Any

import redis

from bot.teams.cards.alerts import render_alert_card, render_follow_up_card, render_rollup_card
from bot.teams.cards.approval import render_approval_card, render_fix_result_card, render_plan_card
from bot.teams.cards.digest import render_digest_card
from bot.teams.cards.elements import CARD_CONTENT_TYPE, Card
from bot.teams.cards.explain import render_explain_card
from bot.teams.cards.findings import FindingsPage, render_findings_page, render_findings_pages
from bot.teams.cards.notices import render_notice_card
from bot.teams.cards.rebuild import render_rebuild_card
from bot.teams.cards.rotation import render_rotation_card
from bot.teams.cards.summary import render_summary_card
from bot.teams.connector import ConnectorClient
from bot.teams.names import DisplayNames
from bot.teams.references import ConversationStore, TeamsReference, thread_conversation_id
from posture.alert_transitions import AlertFollowUp, AlertRollup, RiskAlert
from posture.approvals import ApprovalRequest
from posture.conversations import ConversationRef, MessageRef
from posture.digest import Digest
from posture.messages import AuditSummary, FindingsThread, Notice
from posture.rebuild_messages import RebuildCard
from posture.remediation import FixPlan, FixResult
from posture.rotation import RotationUpdate
from workers.alerts.notifier import AlertNotifier
from workers.platform.notifier import Notifier, NotifyError, PostedReply, ReportFile

_LEDGER = "cw:teams:posted:"
_WHERE = "cw:teams:activity:"
LEDGER_TTL = 24 * 3600


def card_activity(card: Card) -> dict[str, Any]:
    return {
        "type": "message",
        "attachments": [{"contentType": CARD_CONTENT_TYPE, "content": card}],
    }


def _digest(*parts: str) -> str:
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:40]


class TeamsNotifier:
    def __init__(
        self,
        client: ConnectorClient,
        store: ConversationStore,
        connection: redis.Redis,
        *,
        max_replies: int = 10,
        ledger_ttl: int = LEDGER_TTL,
    ) -> None:
        self._client = client
        self._store = store
        self._redis = connection
        self._max_replies = max(2, max_replies)
        self._ledger_ttl = ledger_ttl
        self._names = DisplayNames(connection)

    # --- plumbing ---------------------------------------------------------------------------
    def _ref(self, channel: str) -> TeamsReference:
        ref = self._store.get(channel)
        if ref is None:
            raise NotifyError(
                "cachewarden has not been mentioned in this Teams conversation yet, so it "
                "cannot post there; mention it once (for example with help) and try again."
            )
        return ref

    def _target(self, ref: TeamsReference, thread_ts: str | None) -> str:
        if thread_ts and ref.threaded:
            return thread_conversation_id(ref.conversation_id, thread_ts)
        return ref.conversation_id

    @contextlib.contextmanager
    def _turn(self, conversation_id: str) -> Iterator[None]:
        lock = self._redis.lock(
            f"cw:teams-post:{_digest(conversation_id)}", timeout=60, blocking_timeout=60
        )
        acquired = lock.acquire()
        try:
            yield
        finally:
            if acquired:
                with contextlib.suppress(redis.RedisError):
                    lock.release()

    def _post(self, channel: str, card: Card, *, thread_ts: str | None = None) -> str:
        """Post once: a second call with the same target and content returns the first id."""
        ref = self._ref(channel)
        target = self._target(ref, thread_ts)
        activity = card_activity(card)
        ledger = _LEDGER + _digest(target, json.dumps(activity, sort_keys=True))
        with self._turn(target):
            posted = self._redis.get(ledger)
            if posted:
                return posted.decode() if isinstance(posted, bytes) else str(posted)
            activity_id = self._client.send(ref.service_url, target, activity)
            if not activity_id:
                raise NotifyError("Teams accepted the message but returned no id.")
            self._redis.set(ledger, activity_id, ex=self._ledger_ttl)
            self._redis.set(_WHERE + _digest(ref.conversation_id, activity_id), target)
        return activity_id

    def _update(self, channel: str, activity_id: str, card: Card) -> None:
        ref = self._ref(channel)
        where = self._redis.get(_WHERE + _digest(ref.conversation_id, activity_id))
        target = (where.decode() if isinstance(where, bytes) else where) or ref.conversation_id
        self._client.update(ref.service_url, str(target), activity_id, card_activity(card))

    # --- the Notifier interface ----------------------------------------------------------
    def post_summary(self, channel: str, summary: AuditSummary, *, ts: str | None = None) -> str:
        card = render_summary_card(self._names.summary(summary))
        if ts:
            self._update(channel, ts, card)
            return ts
        return self._post(channel, card)

    def post_thread(
        self, channel: str, thread_ts: str, thread: FindingsThread
    ) -> list[PostedReply]:
        """Post the findings pages, each remembered with the findings it shows, so a verified
        fix or an accepted risk can redraw that one reply for everyone (update_thread_reply)."""
        pages = render_findings_pages(self._names.thread(thread))
        if len(pages) > self._max_replies:
            hidden = len(pages) - self._max_replies + 1
            note = Notice(
                text=f"{hidden} more pages of findings are not posted here; the full list is "
                "in the audit report."
            )
            pages = [*pages[: self._max_replies - 1], FindingsPage(render_notice_card(note))]
        return [
            PostedReply(
                ts=str(self._post(channel, page.card, thread_ts=thread_ts)),
                finding_ids=page.finding_ids,
                page=number,
                pages=len(pages),
            )
            for number, page in enumerate(pages, start=1)
        ]

    def update_thread_reply(self, channel: str, reply: PostedReply, thread: FindingsThread) -> None:
        """Draw one posted findings reply again from the current state (PUT, for everyone)."""
        if not reply.finding_ids:
            return
        shown = self._names.thread(thread.only(reply.finding_ids))
        self._update(channel, reply.ts, render_findings_page(shown, reply.page, reply.pages))

    def post_notice(
        self, channel: str, notice: Notice, *, thread_ts: str | None = None, user: str | None = None
    ) -> None:
        self._post(channel, render_notice_card(notice), thread_ts=thread_ts)

    def post_explain(self, channel: str, doc: dict[str, Any], *, user: str | None = None) -> None:
        self._post(channel, render_explain_card(doc))

    def upload_report(
        self, channel: str, thread_ts: str, filename: str, content: bytes, title: str
    ) -> None:
        size = max(1, round(len(content) / 1024))
        note = Notice(
            text=f"{title}: {filename} ({size} KB) is not attached; Teams bots cannot attach "
            "files to channel posts.",
            detail="The same findings are in the replies above.",
        )
        self._post(channel, render_notice_card(note), thread_ts=thread_ts)

    def post_digest(
        self, channel: str, digest: Digest, files: Sequence[ReportFile], *, ts: str | None = None
    ) -> str:
        chart = next(
            (
                f.content
                for f in files
                if f.filename == digest.chart_filename and f.filename.endswith(".png")
            ),
            None,
        )
        card = render_digest_card(digest, chart)
        if ts:
            self._update(channel, ts, card)
            return ts
        return self._post(channel, card)

    def say(self, where: ConversationRef, notice: Notice, *, user: str | None = None) -> None:
        self.post_notice(where.channel, notice, thread_ts=where.thread or None, user=user)

    def _post_at(self, where: ConversationRef, card: Card) -> MessageRef:
        activity_id = self._post(where.channel, card, thread_ts=where.thread or None)
        return MessageRef(conversation=where, message_id=activity_id)

    def post_approval(self, where: ConversationRef, request: ApprovalRequest) -> MessageRef:
        return self._post_at(where, render_approval_card(self._names.approval(request)))

    def update_approval(self, message: MessageRef, request: ApprovalRequest) -> None:
        self._update(
            message.conversation.channel,
            message.message_id,
            render_approval_card(self._names.approval(request)),
        )

    def update_card(self, message: MessageRef, card: Card) -> None:
        """Replace any posted card (a rotation step, a finding reply) for everyone."""
        self._update(message.conversation.channel, message.message_id, card)

    def post_plan(self, where: ConversationRef, plan: FixPlan) -> MessageRef:
        return self._post_at(where, render_plan_card(plan))

    def post_fix_result(self, where: ConversationRef, result: FixResult) -> MessageRef:
        return self._post_at(where, render_fix_result_card(result))

    def post_rotation(
        self, where: ConversationRef, update: RotationUpdate, *, card: MessageRef | None = None
    ) -> MessageRef:
        if card is not None:  # one card per rotation, replaced for everyone as it moves
            self.update_card(card, render_rotation_card(update))
            return card
        return self._post_at(where, render_rotation_card(update))

    # --- the AlertNotifier interface (workers.alerts.notifier) ---------------------------
    def post_alert(self, channel: str, alert: RiskAlert) -> str:
        """A new top-level post; its "fixed by" follow-up later replies in its chain."""
        return self._post(channel, render_alert_card(alert))

    def post_alert_follow_up(
        self, channel: str, follow_up: AlertFollowUp, *, thread_ts: str | None = None
    ) -> str:
        return self._post(channel, render_follow_up_card(follow_up), thread_ts=thread_ts)

    def post_alert_rollup(self, channel: str, rollup: AlertRollup) -> str:
        return self._post(channel, render_rollup_card(rollup))

    def post_rebuild(
        self, where: ConversationRef, card: RebuildCard, *, message: MessageRef | None = None
    ) -> MessageRef:
        if message is not None:
            self.update_card(message, render_rebuild_card(card))
            return message
        return self._post_at(where, render_rebuild_card(card))


def as_notifier(notifier: TeamsNotifier) -> Notifier:
    """Typed view for the worker entry point; mypy checks that TeamsNotifier fits the interface."""
    return notifier


def as_alert_notifier(notifier: TeamsNotifier) -> AlertNotifier:
    """mypy checks that TeamsNotifier also fits the alert interface."""
    return notifier
