"""Each (post, channel) state from the ledger and the clock, and the per-network highlighting."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from cmpub.build.preview.pages import account, http_only, segments, shown_link
from cmpub.build.preview.state import variant_state
from cmpub.read.ledger import Record

WHEN = datetime(2026, 12, 1, 8, 30, tzinfo=UTC)
WINDOW = 6 * 3600


def variant(channel: str = "bluesky", status: str = "ready", parts: int = 1) -> dict:
    return {
        "post": "launch",
        "channel": channel,
        "status": status,
        "publish_at": {"utc": "2026-12-01T08:30:00Z"},
        "parts": [{"text": f"part {i}"} for i in range(parts)],
        "content_hash": "abc",
        "article_url": "https://cafe.example/launch/",
    }


def record(state: str, part: int = 0, channel: str = "bluesky", **kw) -> Record:
    return Record(
        post="launch",
        channel=channel,
        part=part,
        state=state,
        idempotency_key="k",
        content_hash=kw.pop("content_hash", "abc"),
        publish_at="2026-12-01T08:30:00Z",
        **kw,
    )


def ledger(*records: Record) -> dict:
    return {r.key: r for r in records}


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        (WHEN - timedelta(minutes=1), "scheduled"),
        (WHEN, "due"),
        (WHEN + timedelta(hours=5, minutes=59), "due"),
        (WHEN + timedelta(hours=6, seconds=1), "missed"),
    ],
)
def test_without_a_record_the_clock_decides(now: datetime, expected: str) -> None:
    assert variant_state(variant(), {}, now, WINDOW).state == expected


def test_drafts_are_drafts_whatever_the_time() -> None:
    assert variant_state(variant(status="draft"), {}, WHEN + timedelta(days=9), WINDOW).state == (
        "draft"
    )


def test_published_links_to_the_copy_and_notices_edits() -> None:
    url = "https://bsky.app/profile/cafe.bsky.social/post/3l"
    s = variant_state(variant(), ledger(record("published", url=url)), WHEN, WINDOW)
    assert (s.state, s.url, s.label, s.edited) == ("published", url, "Published", False)
    edited = variant_state(
        variant(), ledger(record("published", url=url, content_hash="old")), WHEN, WINDOW
    )
    assert edited.state == "published" and edited.edited


def test_only_http_links_from_the_ledger() -> None:
    s = variant_state(variant(), ledger(record("published", url="javascript:alert(1)")), WHEN, 0)
    assert s.state == "published" and s.url is None


@pytest.mark.parametrize("state", ["failed", "uncertain", "pending", "missed", "scheduled"])
def test_ledger_states(state: str) -> None:
    s = variant_state(variant(), ledger(record(state, error="HTTP 500")), WHEN, WINDOW)
    assert s.state == state


def test_a_thread_is_published_when_every_part_is() -> None:
    v = variant(parts=3)
    some = ledger(record("published", 0), record("published", 1))
    assert variant_state(v, some, WHEN, WINDOW).state == "pending"
    assert variant_state(v, {**some, **ledger(record("failed", 2))}, WHEN, WINDOW).state == (
        "failed"
    )
    every = {**some, **ledger(record("published", 2))}
    assert variant_state(v, every, WHEN, WINDOW).state == "published"


def test_the_site_is_published_by_the_build() -> None:
    site = variant("site")
    assert variant_state(site, {}, WHEN - timedelta(seconds=1), WINDOW).state == "scheduled"
    s = variant_state(site, {}, WHEN + timedelta(days=30), WINDOW)
    assert (s.state, s.url) == ("published", "https://cafe.example/launch/")


# ----------------------------------------------------------------------------- highlighting


def kinds(segs: list[dict]) -> list[tuple[str, str]]:
    return [(s["kind"], s["text"]) for s in segs if s["kind"] != "text"]


def test_bluesky_uses_its_facets_and_the_builds_short_links() -> None:
    text = "Salut @cafe.bsky.social ! #lyon cafe.example/guji…"
    segs = segments(text, "bluesky", {"cafe.example/guji…": "https://cafe.example/guji?utm=x"})
    assert kinds(segs) == [
        ("mention", "@cafe.bsky.social"),
        ("tag", "#lyon"),
        ("link", "cafe.example/guji…"),
    ]
    assert segs[-1]["href"] == "https://cafe.example/guji?utm=x"
    assert "".join(s["text"] for s in segs) == text


def test_mastodon_and_x_shorten_long_links_like_the_networks() -> None:
    url = "https://www.cafe.example/a/very/long/path/to/the/guji?utm_source=x"
    assert shown_link(url, "mastodon") == "cafe.example/a/very/long/path/…"
    assert shown_link(url, "x") == "cafe.example/a/very/lon…"
    assert shown_link(url, "linkedin") == url
    segs = segments(f"Voir {url}. #cafe @ami@piaille.example $AAPL", "x")
    assert [k for k, _ in kinds(segs)] == ["link", "tag", "mention", "tag"]
    assert segs[1]["href"] == url


def test_instagram_does_not_link_urls() -> None:
    segs = segments("https://cafe.example #cafe", "instagram")
    assert kinds(segs) == [("tag", "#cafe")]


def test_no_script_links_and_no_markup_reaches_the_page() -> None:
    for bad in ("javascript:alert(1)", "data:text/html,x", "JaVaScRiPt:x", "//evil.example"):
        assert http_only(bad) is None
    segs = segments('<img src=x onerror=alert(1)> javascript:alert(1) "https://x.example/"', "x")
    assert all(s["href"] in (None, "https://x.example/") for s in segs)
    assert "".join(s["text"] for s in segs).startswith("<img")  # kept as text, escaped by Jinja


def test_account_handles_from_cmpub_yaml(tmp_path) -> None:
    from cmpub.read.config import load_config
    from tests.build.preview.conftest import write_project

    config = load_config(write_project(tmp_path / "p"))
    assert account(config, "mastodon")["handle"] == "@cafe@piaille.example"
    assert account(config, "bluesky")["handle"] == "@cafe.bsky.social"
    assert account(config, "linkedin")["name"] == "Café Canut SAS"
    assert account(config, "x")["name"] == "Café Canut"


def test_bluesky_short_links_match_whole_links_only() -> None:
    text = "Règlement a.example/concours\na.example/concours-noel"
    full = {
        "a.example/concours": "https://a.example/concours?u=1",
        "a.example/concours-noel": "https://a.example/concours-noel/?u=2",
    }
    segs = [s for s in segments(text, "bluesky", full) if s["kind"] == "link"]
    assert [(s["text"], s["href"]) for s in segs] == [
        ("a.example/concours", "https://a.example/concours?u=1"),
        ("a.example/concours-noel", "https://a.example/concours-noel/?u=2"),
    ]
