"""`cachewarden listen`: the SQS consumer that turns events into alerts.

At-least-once in: SQS may deliver a message twice or out of order
(https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/standard-queues.html).
Each message is parsed, claimed by its CloudTrail eventID (Redis SET NX), handled in this
process (warm AWS clients: a forked RQ job pays seconds of client start-up per event)
and deleted only once handled; its visibility is extended while the batch works. A later
re-check of a modifying cache is an RQ job, so no thread waits. A message that cannot be
parsed, or whose handling keeps failing, is left alone: after `maxReceiveCount` receives
the queue's RedrivePolicy moves it to the dead-letter queue. Nothing stops the loop.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import redis
from botocore.exceptions import BotoCoreError, ClientError

from posture.alerts import ApiCallEvent, MalformedEvent, parse_event
from workers.alerts.metrics import ListenerMetrics
from workers.alerts.store import AlertStore
from workers.platform.config import AlertsConfig

log = logging.getLogger(__name__)
BATCH = 10  # SQS's maximum per ReceiveMessage
TOP_UPS = 5  # at most this many receives per round while a backlog lasts
DLQ_CHECK_SECONDS = 30.0
AWS_FAILURES = (BotoCoreError, ClientError)


@dataclass(frozen=True)
class Outcome:
    delete: bool
    result: str  # "handled", "duplicate", "busy", "failed_call", "malformed", "failed"


EventHandler = Callable[[list[ApiCallEvent]], None]  # events about the same resources


class Listener:
    def __init__(
        self,
        sqs: Any,
        connection: redis.Redis,
        config: AlertsConfig,
        metrics: ListenerMetrics,
        handler: EventHandler,
        *,
        threads: int = 4,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._sqs = sqs
        self._handler = handler
        self._pool = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="alert")
        self._store = AlertStore(connection)
        self._config = config
        self._metrics = metrics
        self._clock = clock
        self._dlq_checked = 0.0

    def run(self, stop: threading.Event) -> None:
        backoff = 1.0
        while not stop.is_set():
            try:
                self.poll_once()
                backoff = 1.0
            except Exception:  # the loop must outlive any failure; the log says which
                log.exception("listener poll failed; retrying")
                self._metrics.poll_errors.inc()
                stop.wait(backoff)
                backoff = min(backoff * 2, 30.0)

    def poll_once(self) -> int:
        """One long poll (topped up while the queue is busy): handle what arrived, delete what
        was handled; returns messages seen."""
        messages = self._receive(self._config.wait_seconds)
        while len(messages) >= BATCH and len(messages) < BATCH * TOP_UPS:
            more = self._receive(0)  # a backlog: a bigger batch shares more re-reads
            if not more:
                break
            messages += more
        self._metrics.polled(self._clock())
        self._check_dlq()
        if not messages:
            self._metrics.oldest_age.set(0)
            return 0
        handles = [m["ReceiptHandle"] for m in messages]
        with self._kept_invisible(handles):
            outcomes = self.handle_batch(messages)
        self._delete([m for m, outcome in zip(messages, outcomes, strict=True) if outcome.delete])
        return len(messages)

    def _receive(self, wait_seconds: int) -> list[dict[str, Any]]:
        answer = self._sqs.receive_message(
            QueueUrl=self._config.queue_url,
            MaxNumberOfMessages=BATCH,
            WaitTimeSeconds=wait_seconds,
            VisibilityTimeout=self._config.visibility_seconds,
            AttributeNames=["SentTimestamp", "ApproximateReceiveCount"],
        )
        return list(answer.get("Messages") or [])

    def handle_batch(self, messages: list[dict[str, Any]]) -> list[Outcome]:
        """Admit each message, then handle events about the same resources together: one
        re-read answers them all (the newest one is named), in parallel across groups."""
        seen: set[str] = set()
        admitted = [self._admit(m, seen) for m in messages]
        groups: dict[tuple[object, ...], list[int]] = {}
        for index, item in enumerate(admitted):
            if isinstance(item, ApiCallEvent):
                key = (item.account, item.region, item.deletes, *sorted(map(str, item.lookups)))
                groups.setdefault(key, []).append(index)
        events = [[admitted[i] for i in group] for group in groups.values()]
        results = list(self._pool.map(self._run_group, events))
        outcomes: list[Outcome] = [
            x if isinstance(x, Outcome) else Outcome(False, "") for x in admitted
        ]
        for group, ok in zip(groups.values(), results, strict=True):
            for index in group:
                outcomes[index] = Outcome(delete=ok, result="handled" if ok else "failed")
        return outcomes

    def handle(self, message: dict[str, Any]) -> Outcome:
        return self.handle_batch([message])[0]

    def _admit(self, message: dict[str, Any], seen: set[str]) -> Outcome | ApiCallEvent:
        now = self._clock()
        self._metrics.received.inc()
        sent = float((message.get("Attributes") or {}).get("SentTimestamp", now * 1000)) / 1000
        self._metrics.oldest_age.set(max(now - sent, 0.0))
        try:
            event = parse_event(message.get("Body") or "")
        except MalformedEvent as exc:
            self._metrics.outcomes.labels(result="malformed").inc()
            log.warning("unusable alert message left for the DLQ", extra={"problem": str(exc)})
            return Outcome(delete=False, result="malformed")
        if event is None:
            self._metrics.outcomes.labels(result="failed_call").inc()
            return Outcome(delete=True, result="failed_call")
        self._metrics.lag.observe(max(now - event.event_time.timestamp(), 0.0))
        claim = "done" if event.event_id in seen else "claimed"  # two copies in one batch
        seen.add(event.event_id)
        if claim == "claimed":
            claim = self._store.claim_event(event.event_id, self._config.visibility_seconds)
        if claim == "claimed":
            return event
        if claim == "done":  # a duplicate: handled before, or its twin is in this batch
            self._metrics.deduplicated.inc()
            self._metrics.outcomes.labels(result="duplicate").inc()
            return Outcome(delete=True, result="duplicate")
        self._metrics.outcomes.labels(result="busy").inc()  # another copy is being handled
        return Outcome(delete=False, result="busy")

    def _run_group(self, events: list[ApiCallEvent]) -> bool:
        try:
            self._handler(events)
        except Exception:
            ids = [e.event_id for e in events]
            log.exception("alert events failed; they will be redelivered", extra={"event_ids": ids})
            for event in events:
                self._store.release_event(event.event_id)
            self._metrics.outcomes.labels(result="failed").inc(len(events))
            return False
        for event in events:
            self._store.finish_event(event.event_id, self._config.dedupe_hours * 3600)
            self._metrics.handled_after.observe(
                max(self._clock() - event.event_time.timestamp(), 0.0)
            )
        self._metrics.outcomes.labels(result="handled").inc(len(events))
        return True

    def _delete(self, messages: list[dict[str, Any]]) -> None:
        if not messages:
            return
        for start in range(0, len(messages), BATCH):  # ten entries per batch call at most
            entries = [
                {"Id": str(n), "ReceiptHandle": m["ReceiptHandle"]}
                for n, m in enumerate(messages[start : start + BATCH])
            ]
            answer = self._sqs.delete_message_batch(
                QueueUrl=self._config.queue_url, Entries=entries
            )
            for failed in answer.get("Failed") or []:
                log.warning(
                    "could not delete a handled message", extra={"code": failed.get("Code")}
                )

    @contextmanager
    def _kept_invisible(self, handles: list[str]) -> Iterator[None]:
        """Extend the messages' visibility while they are worked on (e.g. Redis is slow)."""
        done = threading.Event()
        timeout = self._config.visibility_seconds

        def extend() -> None:
            while not done.wait(timeout / 2):
                for start in range(0, len(handles), BATCH):
                    entries = [
                        {"Id": str(n), "ReceiptHandle": h, "VisibilityTimeout": timeout}
                        for n, h in enumerate(handles[start : start + BATCH])
                    ]
                    try:
                        self._sqs.change_message_visibility_batch(
                            QueueUrl=self._config.queue_url, Entries=entries
                        )
                        self._metrics.extensions.inc()
                    except AWS_FAILURES:
                        log.warning("could not extend message visibility")

        keeper = threading.Thread(target=extend, name="sqs-visibility", daemon=True)
        keeper.start()
        try:
            yield
        finally:
            done.set()
            keeper.join(timeout=5)

    def _check_dlq(self) -> None:
        now = self._clock()
        if not self._config.dlq_url or now - self._dlq_checked < DLQ_CHECK_SECONDS:
            return
        self._dlq_checked = now
        try:
            attrs = self._sqs.get_queue_attributes(
                QueueUrl=self._config.dlq_url, AttributeNames=["ApproximateNumberOfMessages"]
            )["Attributes"]
        except AWS_FAILURES:
            log.warning("could not read the dead-letter queue depth")
            return
        self._metrics.dlq_depth.set(float(attrs.get("ApproximateNumberOfMessages", 0)))


def queue_region(config: AlertsConfig, default: str) -> str:
    """The region in https://sqs.<region>.amazonaws.com/<account>/<name>, or the configured one."""
    if config.queue_region:
        return config.queue_region
    host = config.queue_url.split("/")[2] if config.queue_url.count("/") >= 3 else ""
    parts = host.split(".")
    if len(parts) >= 3 and parts[0] == "sqs":
        return parts[1]
    return default


def utc_now() -> datetime:
    return datetime.now(UTC)
