"""``cmpub status``: what is due, what comes next, what went out, what needs a person.

Read-only: it builds into a temporary folder (never touching ``dist/``), reads the ledger and
the pause file, and plans exactly as deploy would at ``now`` (damaged records and renamed
published posts held, as deploy holds them). Nothing is sent or committed.
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from cmpub.build.pipeline import MANIFEST, build
from cmpub.deploy import renames
from cmpub.deploy.held import read as read_held
from cmpub.deploy.pause import Pause, read_pause
from cmpub.deploy.plan import Plan, Planned, channel_name, order, parse_iso, plan
from cmpub.deploy.publishers import NoPublisher, available, get_publisher_class
from cmpub.deploy.publishers.base import MissingSecret
from cmpub.model.errors import UsageError
from cmpub.platforms import RULES
from cmpub.read import gitrepo
from cmpub.read.config import load_config
from cmpub.read.ledger import Damaged, Record

NEXT_UP = timedelta(days=7)
RECENT = timedelta(days=7)


@dataclass
class StatusReport:
    """Everything ``cmpub status`` shows, pause first."""

    now: datetime
    pause: Pause | None
    plan: Plan
    due: list[Planned] = field(default_factory=list)  # what the next deploy publishes
    next_up: list[Planned] = field(default_factory=list)  # the next 7 days
    recent: list[Record] = field(default_factory=list)  # published in the last 7 days
    warnings: list[str] = field(default_factory=list)
    damaged: list[Damaged] = field(default_factory=list)  # records that cannot be read
    renamed: list[renames.Renamed] = field(default_factory=list)  # held: add the old id
    gone: list[renames.Gone] = field(default_factory=list)  # deleted after going out

    @property
    def missed(self) -> list[Planned]:
        """Older than the catch-up window and never sent."""
        return self.plan.missed

    @property
    def failed(self) -> list[Planned]:
        """Failed in a way only a person can fix (retryable failures are in ``due``)."""
        return self.plan.failed

    @property
    def uncertain(self) -> list[Planned]:
        """A run died while sending; the network could not tell."""
        return self.plan.uncertain


def status(
    root: Path,
    now: datetime,
    environ: Mapping[str, str] | None = None,
    manifest: Mapping[str, Any] | None = None,
) -> StatusReport:
    """The state of ``root``'s publishing at ``now`` (``environ``: check credentials too)."""
    config = load_config(root)
    if manifest is None:
        with tempfile.TemporaryDirectory(prefix="cmpub-status-") as tmp:
            out = Path(tmp) / "dist"
            build(root, out=out, now=now)
            manifest = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
    repo = gitrepo.Repo.find(root)
    held = read_held(root, manifest, config.deploy.ledger, config.content_dir, repo)
    ledger, records = held.ledger, held.ledger.records
    the_plan = plan(
        manifest,
        records,
        now,
        config.deploy.catch_up_seconds,
        dist=root / "dist",
        checkout=None,
        implemented={c for c in config.channels if available(c)},
        damaged=held.damaged,
        renamed=held.renamed,
    )
    report = StatusReport(
        now=now,
        pause=read_pause(root),
        plan=the_plan,
        damaged=[ledger.damaged[key] for key in sorted(ledger.damaged)],
        renamed=[held.found.renamed[post] for post in sorted(held.found.renamed)],
        gone=held.found.gone,
    )
    report.due = sorted([*the_plan.due, *the_plan.retry, *the_plan.pending], key=order)
    report.next_up = [
        p for p in [*the_plan.future, *the_plan.handoff] if p.item.publish_at - now <= NEXT_UP
    ]
    report.next_up.sort(key=order)
    report.recent = sorted(
        (
            r
            for r in records.values()
            if r.state == "published"
            and r.published_at
            and now - parse_iso(r.published_at) <= RECENT
        ),
        key=lambda r: (r.published_at or "", r.post, r.channel, r.part),
        reverse=True,
    )
    report.warnings = [
        *the_plan.warnings,
        *_credentials(root, config, records, the_plan, environ),
        *_cadence(config, records, the_plan, now),
        *(stray.describe() for stray in ledger.strays),
    ]
    return report


def _credentials(
    root: Path,
    config: Any,
    records: Mapping[Any, Record],
    the_plan: Plan,
    environ: Mapping[str, str] | None,
) -> list[str]:
    """Rejected credentials (from the last failures) and, given ``environ``, missing ones."""
    out = []
    rejected: dict[str, Record] = {}
    for record in records.values():
        if record.state == "failed" and record.error_code == "auth":
            last = rejected.get(record.channel)
            if last is None or (record.updated_at or "") > (last.updated_at or ""):
                rejected[record.channel] = record
    for channel, record in sorted(rejected.items()):
        out.append(
            f"{channel_name(channel)}: the credential was rejected on {record.updated_at}"
            f" ({record.error}); replace it, then run 'cmpub deploy --retry-failed'"
        )
    if environ is None:
        return out
    upcoming = {p.item.channel for p in [*the_plan.to_send(), *the_plan.pending, *the_plan.future]}
    for channel in sorted(upcoming):
        settings = config.channels[channel].settings if channel in config.channels else {}
        try:
            get_publisher_class(channel).from_env(
                environ, settings, {"root": root, "dist": root / "dist"}
            )
        except MissingSecret as exc:
            out.append(str(exc))
        except (NoPublisher, UsageError):
            continue
    return out


def _cadence(
    config: Any, records: Mapping[Any, Record], the_plan: Plan, now: datetime
) -> list[str]:
    """A social channel with no post for longer than its ``max_gap_days`` target."""
    last: dict[str, datetime] = {}
    for record in records.values():
        if record.state == "published" and record.published_at:
            when = parse_iso(record.published_at)
            if record.channel not in last or when > last[record.channel]:
                last[record.channel] = when
    nxt: dict[str, datetime] = {}
    for p in [*the_plan.future, *the_plan.handoff, *the_plan.due, *the_plan.retry]:
        nxt.setdefault(p.item.channel, p.item.publish_at)
    out = []
    for channel in sorted(config.channels):
        if channel not in RULES or not RULES[channel].social or channel not in last:
            continue
        target = config.cadence_for(channel).max_gap_days
        if not target:
            continue
        gap = now - last[channel]
        if gap <= timedelta(days=target):
            continue
        coming = (
            f"the next post is planned for {nxt[channel]:%Y-%m-%d %H:%M} UTC"
            if channel in nxt
            else "nothing is planned"
        )
        out.append(
            f"{channel_name(channel)}: nothing published for {gap.days} days (the target is a"
            f" post at least every {target} days); {coming}"
        )
    return out
