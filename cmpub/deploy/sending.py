"""Sending one item: retries with backoff, a lookup whenever an attempt may have gone out,
and the in-flight marker that tells a dead run's "claimed" from its "maybe sent".

:func:`send` retries 5xx, 408, 429, timeouts and refused connections (waits from
:class:`~cmpub.deploy.publishers.http.RetryPolicy`, ``Retry-After`` honoured, the total capped),
never a 4xx. When an attempt may have reached the network (``maybe_sent``: a read timeout, a
dropped connection, a publisher that crashed) it asks :meth:`Publisher.lookup` first: found
means published, "surely not" means retry, "cannot know" means uncertain (never resent).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from cmpub.deploy.plan import channel_name
from cmpub.deploy.publishers.base import CannotKnow, Item, Publisher, PublishError, Receipt
from cmpub.deploy.publishers.http import RetryPolicy


@dataclass(frozen=True)
class Sent:
    """How one item's sending ended: ``published``, ``failed`` or ``uncertain``."""

    state: str
    receipt: Receipt | None = None
    error: PublishError | None = None
    attempts: int = 0


def send(pub: Publisher, item: Item, policy: RetryPolicy, sleep: Callable[[float], None]) -> Sent:
    """Publish ``item`` (retrying what a retry may fix); never raises for the network."""
    attempts, waited = 0, 0.0
    while True:
        attempts += 1
        try:
            return Sent("published", pub.publish(item), None, attempts)
        except CannotKnow as exc:
            return Sent("uncertain", None, PublishError(str(exc), retryable=False), attempts)
        except PublishError as exc:
            error = exc
        except Exception as exc:  # a bug in a publisher: it may have sent before failing
            error = PublishError(
                f"the {channel_name(item.channel)} publisher failed unexpectedly"
                f" ({type(exc).__name__}: {exc}); please report it",
                retryable=False,
                needs_person=True,
                maybe_sent=True,
                code="bug",
            )
        if error.maybe_sent:
            try:
                found = pub.lookup(item)
            except (CannotKnow, PublishError) as exc:
                said = exc.message if isinstance(exc, PublishError) else str(exc)
                unknown = PublishError(f"{error.message}; {said}", retryable=False)
                return Sent("uncertain", None, unknown, attempts)
            if found is not None:
                return Sent("published", found, None, attempts)
        if not error.retryable or attempts >= policy.max_attempts:
            return Sent("failed", None, error, attempts)
        wait = policy.delay(attempts, error.retry_after)
        if waited + wait > policy.max_total:
            return Sent("failed", None, error, attempts)
        sleep(wait)
        waited += wait


class Inflight:
    """``<folder>/<idempotency key>``: written (and synced) just before a network call,
    removed once its result is recorded. Never committed: it speaks for this checkout only."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def start(self, key: str, run: str) -> None:
        """Mark ``key`` as possibly on the wire."""
        self.folder.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.folder / key, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
        try:
            os.write(fd, f"{run}\n".encode())
            os.fsync(fd)
        finally:
            os.close(fd)

    def done(self, key: str) -> None:
        """The result of ``key`` is recorded."""
        (self.folder / key).unlink(missing_ok=True)

    def maybe_sent(self, key: str) -> bool:
        """True when a run of this checkout may have reached the network for ``key``."""
        return (self.folder / key).exists()
