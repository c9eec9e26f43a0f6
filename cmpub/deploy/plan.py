"""What is due: the manifest's publications, sorted by what the ledger says about each.

One *entry* per (variant, part) of ``dist/manifest.json``. :func:`plan` puts every entry in
exactly one bucket (DESIGN.md §6):

    due        ready, time reached, within the catch-up window, never sent: publish now
    retry      failed earlier and worth trying again (retryable, or the post was edited since,
               or ``--retry-failed``): publish now
    pending    claimed by a run that died: ask the publisher whether it went out first
    handoff    in the future, on a channel that hands posts to its own scheduler
    future     its time has not come
    missed     older than the catch-up window and not sent: reported, sent only on request
    done       published (or scheduled on the network)
    failed     failed in a way no retry fixes (a credential, a rejected post): a person acts
    uncertain  a run died while sending and the network cannot tell: a person checks
    busy       claimed by a run that may still be going in another checkout
    waiting    a thread part whose previous part did not go out
    skipped    its channel has no publisher in this installation (a warning says so)
    damaged    its ledger record cannot be read: a person repairs it (never "not published")
    renamed    a published post renamed without ``id:`` (see :mod:`cmpub.deploy.renames`)

Drafts are never planned. Pure: no I/O beyond what the caller passed in.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from cmpub.deploy.publishers import available
from cmpub.deploy.publishers.base import Image, Item, Receipt
from cmpub.platforms import CHANNELS, RULES
from cmpub.read.ledger import Key, Record

#: A native hand-off must be this far ahead (Mastodon refuses ``scheduled_at`` within 5 min).
HANDOFF_MIN = timedelta(minutes=10)

BUCKETS = (
    "due",
    "retry",
    "pending",
    "handoff",
    "future",
    "missed",
    "done",
    "failed",
    "uncertain",
    "busy",
    "waiting",
    "skipped",
    "damaged",
    "renamed",
)


def iso(when: datetime) -> str:
    """``2026-12-01T09:00:00Z``: the ledger's time format (UTC, seconds)."""
    return when.astimezone(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def parse_iso(text: str) -> datetime:
    """The inverse of :func:`iso` (any ISO 8601 with an offset or ``Z``)."""
    when = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return when if when.tzinfo else when.replace(tzinfo=UTC)


def channel_name(channel: str) -> str:
    """'Bluesky', 'X', 'Webhook': the name people know."""
    return RULES[channel].name if channel in RULES else channel


def receipt_of(record: Record) -> Receipt:
    """The Receipt a published record stands for (thread replies need it)."""
    return Receipt(remote_id=record.remote_id or "", url=record.url, extra=dict(record.extra))


@dataclass(frozen=True)
class Entry:
    """One publication of the manifest: part ``item.part`` of the variant (post, channel)."""

    item: Item
    status: str
    source: str

    @property
    def key(self) -> Key:
        """(post id, channel, part): the ledger key."""
        return (self.item.post, self.item.channel, self.item.part)


def entries(manifest: Mapping[str, Any], dist: Path) -> list[Entry]:
    """Every (variant, part) of the manifest as an Entry, images as absolute paths in ``dist``."""
    out = []
    for variant in manifest.get("variants", []):
        when = parse_iso(variant["publish_at"]["utc"])
        images = tuple(
            Image(
                path=str(dist / image["file"]),
                alt=image.get("alt", ""),
                width=image.get("width", 0),
                height=image.get("height", 0),
                media_type=image.get("media_type", "image/jpeg"),
                bytes=image.get("bytes", 0),
            )
            for image in variant.get("images", [])
        )
        links = tuple((link["shown"], link["url"]) for link in variant.get("links", []))
        parts = variant.get("parts", [])
        for i, part in enumerate(parts):
            item = Item(
                post=variant["post"],
                channel=variant["channel"],
                part=i,
                parts=len(parts),
                text=part["text"],
                publish_at=when,
                idempotency_key=part["idempotency_key"],
                content_hash=variant["content_hash"],
                title=variant.get("title", ""),
                lang=variant.get("lang", "en"),
                cw=variant.get("cw"),
                links=links,
                images=images if i == 0 else (),
                poll=variant.get("poll") if i == 0 else None,
                article_url=variant.get("article_url"),
            )
            out.append(Entry(item, variant.get("status", "ready"), variant.get("source", "")))
    return out


@dataclass(frozen=True)
class Planned:
    """An entry, what the ledger holds for it, and why it is in its bucket (plain words)."""

    entry: Entry
    record: Record | None
    why: str = ""

    @property
    def key(self) -> Key:
        """The ledger key."""
        return self.entry.key

    @property
    def item(self) -> Item:
        """The publication."""
        return self.entry.item


@dataclass
class Plan:
    """Every entry of the manifest in one bucket (see the module docstring)."""

    now: datetime
    catch_up: int
    due: list[Planned] = field(default_factory=list)
    retry: list[Planned] = field(default_factory=list)
    pending: list[Planned] = field(default_factory=list)
    handoff: list[Planned] = field(default_factory=list)
    future: list[Planned] = field(default_factory=list)
    missed: list[Planned] = field(default_factory=list)
    done: list[Planned] = field(default_factory=list)
    failed: list[Planned] = field(default_factory=list)
    uncertain: list[Planned] = field(default_factory=list)
    busy: list[Planned] = field(default_factory=list)
    waiting: list[Planned] = field(default_factory=list)
    skipped: list[Planned] = field(default_factory=list)
    damaged: list[Planned] = field(default_factory=list)
    renamed: list[Planned] = field(default_factory=list)
    drafts: int = 0  # posts with 'status: draft' (never planned)
    warnings: list[str] = field(default_factory=list)
    #: records whose post or channel is gone from the manifest, still ``scheduled``/``pending``
    orphans: list[Record] = field(default_factory=list)
    #: scheduled on a network, then edited: the hand-off is cancelled and made again
    reschedule: list[Planned] = field(default_factory=list)

    def to_send(self) -> list[Planned]:
        """What this run publishes, in order: time, post, channel, part."""
        return sorted([*self.due, *self.retry, *self.handoff], key=order)

    def new_missed(self) -> list[Planned]:
        """Missed entries the ledger does not record as missed yet."""
        return [
            p
            for p in self.missed
            if p.record is None
            or p.record.state != "missed"
            or p.record.idempotency_key != p.item.idempotency_key
        ]

    def bucket(self, name: str) -> list[Planned]:
        """The bucket called ``name`` (one of BUCKETS)."""
        return getattr(self, name)  # type: ignore[no-any-return]

    @property
    def needs_person(self) -> bool:
        """Anything a person must look at: missed, uncertain, failed beyond retrying, held by
        a damaged record or a rename."""
        return bool(self.missed or self.uncertain or self.failed or self.damaged or self.renamed)


def order(p: Planned) -> tuple[Any, ...]:
    """Publication order: time, post, channel (registry order), part."""
    item = p.item
    rank = CHANNELS.index(item.channel) if item.channel in CHANNELS else len(CHANNELS)
    return (item.publish_at, item.post, rank, item.channel, item.part)


def plan(
    manifest: Mapping[str, Any],
    ledger: Mapping[Key, Record],
    now: datetime,
    catch_up: int,
    channels: Collection[str] | None = None,
    include_missed: bool = False,
    *,
    dist: Path = Path("dist"),
    checkout: str | None = None,
    lease: float = 600.0,
    native: Collection[str] = (),
    implemented: Collection[str] | None = None,
    retry_failed: bool = False,
    damaged: Mapping[Key, str] | None = None,
    renamed: Mapping[str, str] | None = None,
) -> Plan:
    """Sort every entry of ``manifest`` into the buckets of :class:`Plan`.

    ``catch_up``: seconds after its time during which an entry is still due (older: missed,
    unless ``include_missed``). ``channels``: only these (None: all). ``checkout``: this
    checkout's id; a ``pending`` record claimed from another checkout less than ``lease``
    seconds ago is ``busy``, not recovered. ``native``: channels that take future posts into
    their own scheduler. ``implemented``: channels with a publisher (None: ask the registry).
    ``damaged``: key -> why its record cannot be read; ``renamed``: post id -> why it is held.
    """
    result = Plan(now=now, catch_up=catch_up)
    window = timedelta(seconds=catch_up)
    have = set(implemented) if implemented is not None else None
    said_missing: set[str] = set()
    all_entries = entries(manifest, dist)
    seen: set[Key] = set()
    drafts: set[str] = set()
    for entry in all_entries:
        seen.add(entry.key)
        item = entry.item
        if entry.status != "ready":
            drafts.add(item.post)
            continue
        if channels is not None and item.channel not in channels:
            continue
        record = ledger.get(entry.key)
        if damaged and entry.key in damaged:
            result.damaged.append(Planned(entry, None, damaged[entry.key]))
            continue
        if renamed and item.post in renamed:
            result.renamed.append(Planned(entry, None, renamed[item.post]))
            continue
        bucket, why = _classify(
            entry, record, now, window, include_missed, checkout, lease, native, retry_failed
        )
        if bucket in (
            "due",
            "retry",
            "pending",
            "handoff",
            "future",
            "missed",
        ) and not _has_publisher(item.channel, have):
            if item.channel not in said_missing:
                said_missing.add(item.channel)
                result.warnings.append(
                    f"{channel_name(item.channel)} has no publisher yet: its posts stay in the"
                    f" outbox (the text to post by hand is in dist/copies/<post>/{item.channel}.txt)"
                )
            bucket, why = "skipped", f"{channel_name(item.channel)} has no publisher yet"
        if bucket == "done" and record is not None and record.content_hash != item.content_hash:
            if record.state == "scheduled" and item.channel in native:
                result.reschedule.append(Planned(entry, record, "edited after the hand-off"))
            else:
                result.warnings.append(
                    f"'{item.post}' was edited after it went out on {channel_name(item.channel)}"
                    " (part {0}): the change is not re-posted".format(item.part + 1)
                )
        result.bucket(bucket).append(Planned(entry, record, why))
    result.drafts = len(drafts)
    _hold_thread_parts(result)
    for key, record in sorted(ledger.items()):
        if (
            key not in seen
            and record.state in ("scheduled", "pending")
            and (channels is None or record.channel in channels)
        ):
            result.orphans.append(record)
    for name in BUCKETS:
        result.bucket(name).sort(key=order)
    return result


def _has_publisher(channel: str, have: set[str] | None) -> bool:
    return channel in have if have is not None else available(channel)


def _classify(
    entry: Entry,
    record: Record | None,
    now: datetime,
    window: timedelta,
    include_missed: bool,
    checkout: str | None,
    lease: float,
    native: Collection[str],
    retry_failed: bool,
) -> tuple[str, str]:
    item = entry.item
    when = item.publish_at
    if record is not None:
        state = record.state
        if state in ("published", "scheduled"):
            return "done", state
        if state == "uncertain":
            return "uncertain", record.error or "a run died while sending it"
        if state == "pending":
            mine = record.checkout is None or record.checkout == checkout
            claimed = parse_iso(record.claimed_at) if record.claimed_at else None
            if mine or claimed is None or (now - claimed).total_seconds() >= lease:
                return "pending", "claimed by a run that did not finish"
            return "busy", f"claimed at {record.claimed_at} by a run in another checkout"
        if record.idempotency_key != item.idempotency_key:
            record = None  # a failure or a miss of an older date: the post was moved since
    if when > now:
        handoff = item.channel in native and item.parts == 1 and when - now >= HANDOFF_MIN
        if (
            record is not None
            and record.state == "failed"
            and not _worth_retrying(record, item, retry_failed)
        ):
            return "failed", record.error or "failed"
        return ("handoff", "handed to the network's scheduler") if handoff else ("future", "")
    if now - when > window and not include_missed:
        hours = window.total_seconds() / 3600
        return "missed", (
            f"its time ({iso(when)}) is more than {hours:g} h ago: publish it with"
            " 'cmpub deploy --include-missed', or give it a new date"
        )
    if record is None or record.state == "missed":
        return "due", ""
    if _worth_retrying(record, item, retry_failed):
        return "retry", record.error or "failed before"
    return "failed", record.error or "failed"


def _worth_retrying(record: Record, item: Item, retry_failed: bool) -> bool:
    return bool(record.retryable) or retry_failed or record.content_hash != item.content_hash


def _hold_thread_parts(result: Plan) -> None:
    """A thread part goes out only after its previous part: hold the others back."""
    sending = {p.key for p in [*result.due, *result.retry, *result.pending, *result.handoff]}
    out = {p.key for p in result.done}
    held: set[Key] = set()
    for p in sorted([*result.due, *result.retry], key=order):
        item = p.item
        prev = (item.post, item.channel, item.part - 1)
        if item.part == 0 or prev in out or (prev in sending and prev not in held):
            continue
        held.add(p.key)
        result.waiting.append(
            replace(p, why=f"waits for part {item.part} of the thread, which did not go out")
        )
    for name in ("due", "retry"):
        result.bucket(name)[:] = [p for p in result.bucket(name) if p.key not in held]


def keys(planned: Iterable[Planned]) -> list[Key]:
    """The ledger keys of ``planned``."""
    return [p.key for p in planned]
