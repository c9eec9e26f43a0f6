"""plan(): every manifest entry lands in exactly one bucket, as DESIGN.md §6 says."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from cmpub.deploy.plan import BUCKETS, Plan, iso, plan
from cmpub.read.ledger import Record

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
SIX_HOURS = 6 * 3600
ALL = {"site", "outbox", "webhook", "bluesky", "mastodon"}


def variant(
    post: str,
    when: datetime,
    channel: str = "outbox",
    parts: int = 1,
    status: str = "ready",
    content_hash: str = "h1",
) -> dict[str, Any]:
    return {
        "post": post,
        "channel": channel,
        "status": status,
        "title": post.title(),
        "lang": "en",
        "source": f"content/{post}.md:2",
        "publish_at": {"utc": iso(when), "local": when.isoformat(), "timezone": "UTC"},
        "parts": [
            {"text": f"{post} part {i + 1}", "idempotency_key": f"{post}-{channel}-{i}-{iso(when)}"}
            for i in range(parts)
        ],
        "cw": None,
        "links": [],
        "images": [],
        "poll": None,
        "article_url": f"https://cafe.example/{post}/",
        "content_hash": content_hash,
    }


def record(v: dict[str, Any], part: int = 0, **kw: Any) -> Record:
    data: dict[str, Any] = {
        "post": v["post"],
        "channel": v["channel"],
        "part": part,
        "state": "published",
        "idempotency_key": v["parts"][part]["idempotency_key"],
        "content_hash": v["content_hash"],
        "publish_at": v["publish_at"]["utc"],
        "parts": len(v["parts"]),
    }
    data.update(kw)
    return Record(**data)


def buckets(p: Plan) -> dict[str, list[str]]:
    """Non-empty buckets as lists of 'post/channel/part'."""
    out = {}
    for name in BUCKETS:
        items = [f"{x.item.post}/{x.item.channel}/{x.item.part}" for x in p.bucket(name)]
        if items:
            out[name] = items
    return out


def run(variants: list[dict[str, Any]], ledger: list[Record] | None = None, **kw: Any) -> Plan:
    kw.setdefault("implemented", ALL)
    return plan({"variants": variants}, {r.key: r for r in ledger or []}, NOW, SIX_HOURS, **kw)


def test_windows_due_future_missed_and_drafts_never() -> None:
    p = run(
        [
            variant("now", NOW),
            variant("edge", NOW - timedelta(hours=6)),
            variant("late", NOW - timedelta(hours=6, seconds=1)),
            variant("soon", NOW + timedelta(seconds=1)),
            variant("draft", NOW - timedelta(hours=1), status="draft"),
        ]
    )
    assert buckets(p) == {
        "due": ["edge/outbox/0", "now/outbox/0"],
        "future": ["soon/outbox/0"],
        "missed": ["late/outbox/0"],
    }
    assert p.drafts == 1
    assert p.missed[0].why == (
        "its time (2026-12-01T05:59:59Z) is more than 6 h ago: publish it with"
        " 'cmpub deploy --include-missed', or give it a new date"
    )
    assert [x.item.post for x in p.new_missed()] == ["late"]
    assert p.needs_person


def test_include_missed_makes_them_due() -> None:
    p = run([variant("late", NOW - timedelta(days=3))], include_missed=True)
    assert buckets(p) == {"due": ["late/outbox/0"]}


def test_a_recorded_miss_is_not_new_but_a_moved_post_is() -> None:
    late = variant("late", NOW - timedelta(days=3))
    moved = variant("moved", NOW - timedelta(hours=1))
    old_moved = variant("moved", NOW - timedelta(days=3))
    p = run(
        [late, moved],
        [record(late, state="missed"), record(old_moved, state="missed")],
    )
    assert buckets(p) == {"due": ["moved/outbox/0"], "missed": ["late/outbox/0"]}
    assert p.new_missed() == []


@pytest.mark.parametrize(
    ("ledger_state", "extra", "bucket"),
    [
        ("published", {}, "done"),
        ("scheduled", {}, "done"),
        ("failed", {"retryable": True}, "retry"),
        ("failed", {"retryable": False, "needs_person": True}, "failed"),
        ("failed", {"retryable": False, "content_hash": "old"}, "retry"),
        ("uncertain", {}, "uncertain"),
        ("pending", {"checkout": "mine", "claimed_at": iso(NOW)}, "pending"),
        ("pending", {"checkout": "theirs", "claimed_at": iso(NOW)}, "busy"),
        ("pending", {"checkout": "theirs", "claimed_at": iso(NOW - timedelta(hours=1))}, "pending"),
    ],
)
def test_ledger_states(ledger_state: str, extra: dict[str, Any], bucket: str) -> None:
    v = variant("a", NOW - timedelta(hours=1))
    p = run([v], [record(v, state=ledger_state, **extra)], checkout="mine")
    assert buckets(p) == {bucket: ["a/outbox/0"]}


def test_retry_failed_retries_what_needs_a_person() -> None:
    v = variant("a", NOW - timedelta(hours=1))
    r = record(v, state="failed", retryable=False, needs_person=True)
    assert buckets(run([v], [r], retry_failed=True)) == {"retry": ["a/outbox/0"]}


def test_thread_parts_wait_for_their_previous_part() -> None:
    fresh = variant("fresh", NOW - timedelta(hours=1), channel="bluesky", parts=3)
    stuck = variant("stuck", NOW - timedelta(hours=1), channel="mastodon", parts=3)
    half = variant("half", NOW - timedelta(hours=1), channel="bluesky", parts=2)
    p = run(
        [fresh, stuck, half],
        [record(stuck, 0, state="uncertain"), record(half, 0)],
    )
    assert buckets(p) == {
        "due": [
            "fresh/bluesky/0",
            "fresh/bluesky/1",
            "fresh/bluesky/2",
            "half/bluesky/1",
        ],
        "uncertain": ["stuck/mastodon/0"],
        "waiting": ["stuck/mastodon/1", "stuck/mastodon/2"],
        "done": ["half/bluesky/0"],
    }
    assert p.waiting[0].why == "waits for part 1 of the thread, which did not go out"


def test_a_channel_without_publisher_is_skipped_with_a_warning() -> None:
    p = run(
        [
            variant("a", NOW, channel="x"),
            variant("b", NOW, channel="x"),
            variant("late", NOW - timedelta(days=2), channel="x"),  # never "missed" either
        ],
        implemented={"outbox"},
    )
    assert buckets(p) == {"skipped": ["late/x/0", "a/x/0", "b/x/0"]}
    assert not p.needs_person
    assert p.warnings == [
        "X has no publisher yet: its posts stay in the outbox (the text to post by hand is in"
        " dist/copies/<post>/x.txt)"
    ]


def test_the_registry_decides_what_is_implemented() -> None:
    p = plan({"variants": [variant("a", NOW, channel="linkedin")]}, {}, NOW, SIX_HOURS)
    assert buckets(p) == {"skipped": ["a/linkedin/0"]}


def test_channels_filter() -> None:
    p = run([variant("a", NOW), variant("a", NOW, channel="site")], channels=["site"])
    assert buckets(p) == {"due": ["a/site/0"]}


def test_an_edit_after_publication_is_reported_not_reposted() -> None:
    v = variant("a", NOW - timedelta(hours=1), content_hash="new")
    p = run([v], [record(v, content_hash="old")])
    assert buckets(p) == {"done": ["a/outbox/0"]}
    assert p.warnings == [
        "'a' was edited after it went out on Outbox (part 1): the change is not re-posted"
    ]


def test_native_scheduling_hands_off_single_parts_far_enough_ahead() -> None:
    p = run(
        [
            variant("later", NOW + timedelta(days=1), channel="mastodon"),
            variant("soon", NOW + timedelta(minutes=5), channel="mastodon"),
            variant("thread", NOW + timedelta(days=1), channel="mastodon", parts=2),
        ],
        native={"mastodon"},
    )
    assert buckets(p) == {
        "handoff": ["later/mastodon/0"],
        "future": ["soon/mastodon/0", "thread/mastodon/0", "thread/mastodon/1"],
    }


def test_records_of_deleted_posts_are_orphans() -> None:
    gone = variant("gone", NOW + timedelta(days=1), channel="mastodon")
    p = run([], [record(gone, state="scheduled"), record(variant("old", NOW), state="published")])
    assert [r.post for r in p.orphans] == ["gone"]


def test_send_order_is_time_post_channel_part() -> None:
    p = run(
        [
            variant("b", NOW - timedelta(hours=2), channel="webhook"),
            variant("b", NOW - timedelta(hours=2), channel="site"),
            variant("a", NOW - timedelta(hours=1), channel="outbox"),
            variant("c", NOW - timedelta(hours=2), channel="outbox"),
        ]
    )
    assert [f"{x.item.post}/{x.item.channel}" for x in p.to_send()] == [
        "b/site",
        "b/webhook",
        "c/outbox",
        "a/outbox",
    ]
