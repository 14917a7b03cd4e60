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
from workers.config import AlertsConfig

log = logging.getLogger(__name__)
BATCH = 10  # SQS's maximum per ReceiveMessage
DLQ_CHECK_SECONDS = 30.0
AWS_FAILURES = (BotoCoreError, ClientError)


@dataclass(frozen=True)
class Outcome:
    delete: bool
    result: str  # "handled", "duplicate", "busy", "failed_call", "malformed", "failed"


EventHandler = Callable[[ApiCallEvent], None]


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
        """One long poll: handle what arrived, delete what was handled; returns messages seen."""
        answer = self._sqs.receive_message(
            QueueUrl=self._config.queue_url,
            MaxNumberOfMessages=BATCH,
            WaitTimeSeconds=self._config.wait_seconds,
            VisibilityTimeout=self._config.visibility_seconds,
            AttributeNames=["SentTimestamp", "ApproximateReceiveCount"],
        )
        messages = answer.get("Messages") or []
        self._metrics.polled(self._clock())
        self._check_dlq()
        if not messages:
            self._metrics.oldest_age.set(0)
            return 0
        handles = [m["ReceiptHandle"] for m in messages]
        with self._kept_invisible(handles):
            outcomes = list(zip(messages, self._pool.map(self.handle, messages), strict=True))
        done = [m for m, outcome in outcomes if outcome.delete]
        self._delete(done)
        return len(messages)

    def handle(self, message: dict[str, Any]) -> Outcome:
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
        claim = self._store.claim_event(event.event_id, self._config.visibility_seconds)
        if claim != "claimed":  # done: a duplicate; busy: another copy is being handled
            if claim == "done":
                self._metrics.deduplicated.inc()
            self._metrics.outcomes.labels(result="duplicate" if claim == "done" else "busy").inc()
            return Outcome(
                delete=claim == "done", result="duplicate" if claim == "done" else "busy"
            )
        try:
            self._handler(event)
        except Exception:
            log.exception(
                "alert event failed; it will be redelivered", extra={"event_id": event.event_id}
            )
            self._store.release_event(event.event_id)
            self._metrics.outcomes.labels(result="failed").inc()
            return Outcome(delete=False, result="failed")
        self._store.finish_event(event.event_id, self._config.dedupe_hours * 3600)
        self._metrics.handled_after.observe(max(self._clock() - event.event_time.timestamp(), 0.0))
        self._metrics.outcomes.labels(result="handled").inc()
        return Outcome(delete=True, result="handled")

    def _delete(self, messages: list[dict[str, Any]]) -> None:
        if not messages:
            return
        entries = [
            {"Id": str(n), "ReceiptHandle": m["ReceiptHandle"]} for n, m in enumerate(messages)
        ]
        answer = self._sqs.delete_message_batch(QueueUrl=self._config.queue_url, Entries=entries)
        for failed in answer.get("Failed") or []:
            log.warning("could not delete a handled message", extra={"code": failed.get("Code")})

    @contextmanager
    def _kept_invisible(self, handles: list[str]) -> Iterator[None]:
        """Extend the messages' visibility while they are worked on (e.g. Redis is slow)."""
        done = threading.Event()
        timeout = self._config.visibility_seconds

        def extend() -> None:
            while not done.wait(timeout / 2):
                entries = [
                    {"Id": str(n), "ReceiptHandle": h, "VisibilityTimeout": timeout}
                    for n, h in enumerate(handles)
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
