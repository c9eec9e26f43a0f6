"""The steps of a deploy run that keep a network's own scheduler in line with the ledger.

A post handed to a network's scheduler (Mastodon ``scheduled_at``) is pulled back while
publishing is paused or when its post is gone, updated when it is edited, and confirmed once
its time has passed. :class:`SchedulerSteps` is mixed into the run (``cmpub.deploy.run``),
which provides the attributes it declares.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from cmpub.deploy.channels import Channels
from cmpub.deploy.gitops import Ledger
from cmpub.deploy.plan import Plan, Planned, channel_name, iso, receipt_of
from cmpub.deploy.publishers.base import (
    CancelsScheduled,
    CannotKnow,
    FollowsScheduled,
    PublishError,
)
from cmpub.deploy.records import mark_failed, mark_published, outcome
from cmpub.deploy.report import DeployResult, Outcome
from cmpub.read.ledger import Record, record_path

PAUSED = "pulled back from the network's scheduler while publishing is paused; it goes out after 'cmpub resume'"


class SchedulerSteps:
    """Pull back, update and confirm posts held by a network's scheduler."""

    root: Path
    ledger_dir: str
    at: str
    now: datetime
    channels: Channels
    git: Ledger
    result: DeployResult
    write: Callable[[Record], Path]  # writes one record of the ledger atomically

    def pull_back(self, the_plan: Plan) -> None:
        """While paused: cancel what a network's scheduler holds; publish nothing."""
        scheduled = [p.record for p in the_plan.done if p.record and p.record.state == "scheduled"]
        scheduled += [r for r in the_plan.orphans if r.state == "scheduled"]
        paths = [self.key_path(r) for r in scheduled if r is not None and self.cancel(r, PAUSED)]
        if paths:
            self.git.commit(
                paths, f"cmpub: pause: pulled back {len(paths)} scheduled posts [skip ci]"
            )

    def key_path(self, record: Record) -> Path:
        return record_path(self.root, self.ledger_dir, *record.key)

    def cancel(self, record: Record, why: str) -> bool:
        """Pull ``record`` back from its network's scheduler; the record says why."""
        name, pub = channel_name(record.channel), self.channels.get(record.channel)
        if not isinstance(pub, CancelsScheduled):
            self.channels.blocked.append(
                f"{record.post} is scheduled on {name}, which cmpub cannot pull back:"
                " cancel it there by hand"
            )
            return False
        try:
            pub.cancel_scheduled(receipt_of(record))
        except PublishError as exc:
            self.channels.blocked.append(
                f"could not pull back {record.post} from {name}: {exc.message};"
                " cancel it there by hand"
            )
            return False
        mark_failed(record, self.at, why, retryable=True, needs_person=False, code="cancelled")
        self.write(record)
        self.result.outcomes.append(outcome(record, "cancelled", message=why))
        return True

    def follow_scheduled(self, p: Planned, outcomes: list[Outcome]) -> bool:
        """A post handed to a network's scheduler was edited: bring the network in line."""
        record, pub = p.record, self.channels.get(p.item.channel)
        if record is None or pub is None:
            return False
        name = channel_name(record.channel)
        if not isinstance(pub, FollowsScheduled):
            self.result.warnings.append(
                f"'{record.post}' was edited after it was handed to {name}'s scheduler, which"
                " cmpub cannot update: change or cancel it there by hand"
            )
            return False
        try:
            found = pub.update_scheduled(receipt_of(record), p.item)
        except (PublishError, CannotKnow) as exc:
            said = exc.message if isinstance(exc, PublishError) else str(exc)
            self.channels.blocked.append(f"could not update '{record.post}' on {name}: {said}")
            return False
        record.content_hash, record.idempotency_key = p.item.content_hash, p.item.idempotency_key
        record.publish_at = iso(p.item.publish_at)
        if found is None:
            why = f"no longer scheduled on {name}: deploy publishes it when it is due"
            mark_failed(
                record, self.at, why, retryable=True, needs_person=False, code="unscheduled"
            )
        else:
            mark_published(record, found, self.at)
        self.write(record)
        outcomes.append(outcome(record, record.state, url=record.url, message="updated"))
        return True

    def settle_scheduled(self, p: Planned, outcomes: list[Outcome]) -> bool:
        """A post handed to a network's scheduler whose time has passed: did it go out?"""
        record = p.record
        if record is None or record.state != "scheduled" or p.item.publish_at > self.now:
            return False
        pub = self.channels.get(p.item.channel)
        if not isinstance(pub, FollowsScheduled):
            return False
        try:
            found = pub.check_scheduled(receipt_of(record), p.item)
        except (PublishError, CannotKnow):
            return False  # asked again by the next run
        if found is not None and found.extra.get("scheduled"):
            return False  # still waiting on the network
        if found is None:
            name = channel_name(record.channel)
            why = f"it is no longer scheduled on {name} and did not go out (cancelled there?)"
            mark_failed(record, self.at, why, retryable=False, needs_person=True, code="gone")
        else:
            mark_published(record, found, self.at)
        self.write(record)
        outcomes.append(outcome(record, record.state, url=record.url, message=record.error or ""))
        return True
