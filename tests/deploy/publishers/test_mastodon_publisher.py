"""The Mastodon publisher against tests/support/servers/mastodon_fake.py, a real HTTP server built from
Mastodon's sources: everything mastodon-mock does not do as Mastodon does (grapheme and URL
counting, the 5-minute rule of scheduled_at, media processing, 422 bodies, rate-limit headers,
401 bodies, scheduled statuses, lookup)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from cmpub.deploy.publishers.base import (
    CannotKnow,
    Image,
    Item,
    MissingSecret,
    PublishError,
    Receipt,
)
from cmpub.deploy.publishers.mastodon import (
    MastodonPublisher,
    comparable,
    html_to_text,
)
from cmpub.platforms.mastodon import count
from tests.support.project import png
from tests.support.servers.mastodon_fake import NOT_READY, TOO_MANY, TOO_SOON, FakeMastodon

START = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)
TOKEN_HELP = (
    "Mastodon refused the access token: create a new one in Preferences → Development and set "
    "CMPUB_MASTODON_ACCESS_TOKEN"
)


@pytest.fixture
def fake() -> Iterator[FakeMastodon]:
    with FakeMastodon(now=START) as server:
        yield server


def make_item(
    post: str = "hello",
    text: str = "Bonjour de la Brûlerie !",
    *,
    part: int = 0,
    parts: int = 1,
    publish_at: datetime = START,
    **kwargs: Any,
) -> Item:
    return Item(
        post=post,
        channel="mastodon",
        part=part,
        parts=parts,
        text=text,
        publish_at=publish_at,
        idempotency_key=f"cmpub:{post}:mastodon:{part}:{publish_at.isoformat()}",
        content_hash=f"hash-{post}-{text}",
        lang="fr",
        **kwargs,
    )


def publisher(
    fake: FakeMastodon,
    *,
    token: str | None = None,
    settings: dict[str, Any] | None = None,
    sleeps: list[float] | None = None,
    **context: Any,
) -> MastodonPublisher:
    waits = sleeps if sleeps is not None else []
    ctx: dict[str, Any] = {"now": lambda: fake.now, "sleep": waits.append, **context}
    return MastodonPublisher.from_env(
        {"CMPUB_MASTODON_ACCESS_TOKEN": token or fake.token},
        {"instance": fake.base_url, "max_characters": 500, **(settings or {})},
        ctx,
    )


def raw(fake: FakeMastodon, method: str, path: str, **kwargs: Any) -> httpx.Response:
    """A request straight to the fake (to pin down the fake's own behaviour)."""
    headers = {"Authorization": f"Bearer {fake.token}", **kwargs.pop("headers", {})}
    with httpx.Client(base_url=fake.base_url, headers=headers) as client:
        return client.request(method, path, **kwargs)


def posts_to_statuses(fake: FakeMastodon) -> list[dict[str, Any]]:
    return [r for r in fake.requests if r["method"] == "POST" and r["path"] == "/api/v1/statuses"]


def image(tmp_path: Path, name: str = "photo.png", alt: str = "Un café filtre") -> Image:
    path = tmp_path / name
    png(path, (64, 48))
    return Image(str(path), alt, 64, 48, "image/png", path.stat().st_size)


# -- construction and secrets ---------------------------------------------------------------


def test_missing_token_names_the_variable(fake: FakeMastodon) -> None:
    with pytest.raises(MissingSecret) as info:
        MastodonPublisher.from_env({}, {"instance": fake.base_url}, {})
    assert info.value.variable == "CMPUB_MASTODON_ACCESS_TOKEN"
    assert "CMPUB_MASTODON_ACCESS_TOKEN" in str(info.value)


def test_native_schedule_needs_the_run_clock(fake: FakeMastodon) -> None:
    with pytest.raises(ValueError, match="now"):
        MastodonPublisher.from_env(
            {"CMPUB_MASTODON_ACCESS_TOKEN": "t0ken-abc"},
            {"instance": fake.base_url, "schedule": "native"},
            {},
        )


def test_token_is_in_no_repr_and_no_error(fake: FakeMastodon, tmp_path: Path) -> None:
    secret = "s3cret-token-value-42"
    pub = publisher(fake, token=secret)
    assert secret not in repr(pub)
    assert secret not in repr(pub.secrets()) and secret not in str(pub.secrets())
    errors: list[BaseException] = []
    for attempt in (
        lambda: pub.publish(make_item()),  # 401
        lambda: pub.lookup(make_item()),  # 401
        lambda: pub.cancel_scheduled(Receipt("1", extra={"scheduled_id": "1"})),
    ):
        with pytest.raises(PublishError) as info:
            attempt()
        errors.append(info.value)
    fake.add_fault(
        "/api/v1/statuses", method="POST", status=500, body={"error": f"oops {fake.token}"}
    )
    good = publisher(fake)
    with pytest.raises(PublishError) as info:
        good.publish(make_item("echo"))
    errors.append(info.value)
    for error in errors:
        for shown in (str(error), repr(error), repr(error.args), getattr(error, "message", "")):
            assert secret not in shown
            assert fake.token not in shown


def test_bad_token_is_a_401_that_needs_a_person(fake: FakeMastodon) -> None:
    r = raw(
        fake,
        "POST",
        "/api/v1/statuses",
        json={"status": "x"},
        headers={"Authorization": "Bearer nope"},
    )
    assert r.status_code == 401
    assert r.json() == {"error": "The access token is invalid"}
    with pytest.raises(PublishError) as info:
        publisher(fake, token="nope-nope").publish(make_item())
    assert (info.value.status, info.value.code) == (401, "auth")
    assert info.value.needs_person and not info.value.retryable
    assert info.value.message == TOKEN_HELP
    assert fake.live_statuses() == []


def test_revoked_token(fake: FakeMastodon) -> None:
    pub = publisher(fake)
    pub.publish(make_item("before"))
    fake.revoke()
    assert raw(fake, "GET", "/api/v1/accounts/verify_credentials").json() == {
        "error": "The access token was revoked"
    }
    with pytest.raises(PublishError) as info:
        pub.publish(make_item("after"))
    assert info.value.message == TOKEN_HELP and info.value.needs_person


# -- counting as the server counts ------------------------------------------------------------


def test_the_server_counts_graphemes_urls_and_mentions(fake: FakeMastodon) -> None:
    family = "👨‍👩‍👧‍👦"  # 1 grapheme, 7 code points
    url = "https://brulerie-canuts.fr/" + "a" * 200  # counts 23
    text = f"{url} @chezmado@piaille.example " + family * (500 - 23 - 1 - 9 - 1)
    assert count(text) == 500 and len(text) > 2000
    receipt = publisher(fake).publish(make_item(text=text))
    assert fake.statuses[receipt.remote_id]["text"] == text
    too_long = text + family
    r = raw(fake, "POST", "/api/v1/statuses", json={"status": too_long})
    assert r.status_code == 422
    assert r.json() == {"error": "Validation failed: Text character limit of 500 exceeded"}


def test_the_content_warning_counts(fake: FakeMastodon) -> None:
    r = raw(fake, "POST", "/api/v1/statuses", json={"status": "a" * 495, "spoiler_text": "123456"})
    assert r.json() == {"error": "Validation failed: Text character limit of 500 exceeded"}
    with pytest.raises(PublishError) as info:
        publisher(fake).publish(make_item(text="a" * 495, cw="123456"))
    assert info.value.needs_person and not info.value.retryable
    assert "501 characters" in info.value.message and "content warning counts" in info.value.message
    assert len(posts_to_statuses(fake)) == 1  # only the raw request above


def test_too_long_is_refused_before_sending(fake: FakeMastodon) -> None:
    with pytest.raises(PublishError) as info:
        publisher(fake).publish(make_item(text="é" * 501))
    assert "501 characters" in info.value.message and "allows 500" in info.value.message
    assert posts_to_statuses(fake) == []


def test_the_servers_422_in_plain_words(
    fake: FakeMastodon, monkeypatch: pytest.MonkeyPatch
) -> None:
    pub = publisher(fake)
    monkeypatch.setattr(pub, "check", lambda *a, **k: None)  # let the server judge
    with pytest.raises(PublishError) as info:
        pub.publish(make_item(text="é" * 501))
    assert info.value.message == "Mastodon refused the post: Text character limit of 500 exceeded"
    assert info.value.status == 422 and info.value.needs_person and not info.value.retryable


def test_instance_limits_win_over_cmpub_yaml(fake: FakeMastodon) -> None:
    with pytest.raises(PublishError) as info:
        publisher(fake, settings={"max_characters": 1000}).publish(make_item())
    assert info.value.needs_person
    assert "max_characters: 1000" in info.value.message
    assert "'max_characters: 500' under channels.mastodon in cmpub.yaml" in info.value.message
    assert posts_to_statuses(fake) == []


def test_a_bigger_instance_only_warns(fake: FakeMastodon) -> None:
    fake.max_characters = 5000
    pub = publisher(fake, settings={"max_characters": 500})
    pub.publish(make_item())
    assert pub.warnings and "5000" in pub.warnings[0]


def test_v1_instance_fallback(fake: FakeMastodon) -> None:
    fake.v2_instance = False
    fake.max_characters = 1000
    pub = publisher(fake, settings={"max_characters": 1000})
    pub.publish(make_item(text="x" * 900))
    limits = pub.limits()
    assert (limits.source, limits.max_characters, limits.description_limit) == (
        "/api/v1/instance",
        1000,
        1500,
    )
    paths = [r["path"] for r in fake.requests]
    assert paths[:2] == ["/api/v2/instance", "/api/v1/instance"]
    pub.publish(make_item("second"))
    assert [r["path"] for r in fake.requests].count("/api/v1/instance") == 1  # once per run


# -- media -------------------------------------------------------------------------------------


def test_media_with_alt_text_waits_for_processing(fake: FakeMastodon, tmp_path: Path) -> None:
    fake.processing_polls = 2
    sleeps: list[float] = []
    receipt = publisher(fake, sleeps=sleeps).publish(make_item(images=(image(tmp_path),)))
    upload = next(r for r in fake.requests if r["path"] == "/api/v2/media")
    assert upload["body"]["description"] == "Un café filtre"
    assert upload["body"]["file"]["content_type"] == "image/png"
    polls = [r for r in fake.requests if r["path"].startswith("/api/v1/media/")]
    assert len(polls) == 3 and len(sleeps) == 3  # 206, 206, 200
    status = raw(fake, "GET", f"/api/v1/statuses/{receipt.remote_id}").json()
    assert status["media_attachments"][0]["description"] == "Un café filtre"
    assert status["media_attachments"][0]["url"]


def test_the_fake_answers_202_206_then_200(fake: FakeMastodon, tmp_path: Path) -> None:
    fake.processing_polls = 1
    path = tmp_path / "a.png"
    png(path)
    with path.open("rb") as fh:
        up = raw(fake, "POST", "/api/v2/media", files={"file": ("a.png", fh, "image/png")})
    assert up.status_code == 202 and up.json()["url"] is None
    mid = up.json()["id"]
    r = raw(fake, "POST", "/api/v1/statuses", json={"status": "x", "media_ids": [mid]})
    assert (r.status_code, r.json()) == (422, {"error": NOT_READY})
    assert raw(fake, "GET", f"/api/v1/media/{mid}").status_code == 206
    done = raw(fake, "GET", f"/api/v1/media/{mid}")
    assert done.status_code == 200 and done.json()["url"]
    assert (
        raw(fake, "POST", "/api/v1/statuses", json={"status": "x", "media_ids": [mid]}).status_code
        == 200
    )


def test_posting_unprocessed_media_is_refused(
    fake: FakeMastodon, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake.processing_polls = 3
    pub = publisher(fake)
    monkeypatch.setattr(pub, "_wait_processed", lambda *a: None)  # a publisher that does not wait
    with pytest.raises(PublishError) as info:
        pub.publish(make_item(images=(image(tmp_path),)))
    assert info.value.message == f"Mastodon refused the post: {NOT_READY}"
    assert not info.value.retryable


def test_media_still_processing_is_retryable(fake: FakeMastodon, tmp_path: Path) -> None:
    fake.processing_polls = 100
    pub = publisher(fake)
    item = make_item(images=(image(tmp_path),))
    with pytest.raises(PublishError) as info:
        pub.publish(item)
    assert info.value.retryable and "still processing photo.png" in info.value.message
    assert posts_to_statuses(fake) == []
    uploads = len([r for r in fake.requests if r["path"] == "/api/v2/media"])
    fake.processing_polls = 0
    fake.media[next(iter(fake.media))]["ready"] = True
    pub.publish(item)  # the retry reuses the upload
    assert len([r for r in fake.requests if r["path"] == "/api/v2/media"]) == uploads


def test_alt_text_and_image_count_are_checked(fake: FakeMastodon, tmp_path: Path) -> None:
    long_alt = image(tmp_path, alt="x" * 1501)
    with pytest.raises(PublishError, match=r"alt text of photo\.png .* 1501 characters"):
        publisher(fake).publish(make_item(images=(long_alt,)))
    five = tuple(image(tmp_path, f"p{i}.png") for i in range(5))
    with pytest.raises(PublishError, match="5 images"):
        publisher(fake).publish(make_item(images=five))
    assert not [r for r in fake.requests if r["path"] == "/api/v2/media"]


# -- polls ---------------------------------------------------------------------------------------


POLL = {
    "question": "Quel café en 2027 ?",
    "options": ["Filtre", "Espresso"],
    "duration_seconds": 86400,
}


def test_poll_with_the_question_in_the_text(fake: FakeMastodon) -> None:
    receipt = publisher(fake).publish(make_item(text="Votez !", poll=POLL))
    status = raw(fake, "GET", f"/api/v1/statuses/{receipt.remote_id}").json()
    assert [o["title"] for o in status["poll"]["options"]] == ["Filtre", "Espresso"]
    assert fake.statuses[receipt.remote_id]["text"] == "Quel café en 2027 ?\n\nVotez !"
    sent = posts_to_statuses(fake)[0]["body"]
    assert sent["poll"] == {
        "options": ["Filtre", "Espresso"],
        "expires_in": 86400,
        "multiple": False,
    }


def test_the_question_is_not_repeated(fake: FakeMastodon) -> None:
    receipt = publisher(fake).publish(make_item(text="Quel café en 2027 ? Votez !", poll=POLL))
    assert fake.statuses[receipt.remote_id]["text"] == "Quel café en 2027 ? Votez !"


def test_poll_rules_of_the_fake(fake: FakeMastodon) -> None:
    def post(poll: dict[str, Any]) -> Any:
        return raw(fake, "POST", "/api/v1/statuses", json={"status": "?", "poll": poll}).json()

    assert post({"options": ["a"], "expires_in": 600}) == {
        "error": "Validation failed: Choices must have more than one item"
    }
    assert post({"options": list("abcde"), "expires_in": 600}) == {
        "error": "Validation failed: Choices can't contain more than 4 items"
    }
    assert post({"options": ["a" * 51, "b"], "expires_in": 600})["error"].endswith(
        "Choices cannot be longer than 50 characters each"
    )
    assert post({"options": ["👨‍👩‍👧‍👦" * 50, "b"], "expires_in": 600}).get("id")  # graphemes
    assert post({"options": ["a", "b"], "expires_in": 299}) == {
        "error": "Validation failed: Deadline is too soon"
    }
    assert post({"options": ["a", "b"], "expires_in": 2_629_747}) == {
        "error": "Validation failed: Deadline is too far into the future"
    }
    # Form encoding, as the API docs write it.
    form = raw(
        fake,
        "POST",
        "/api/v1/statuses",
        data={"status": "f", "poll[options][]": ["x", "y"], "poll[expires_in]": "600"},
    )
    assert [o["title"] for o in form.json()["poll"]["options"]] == ["x", "y"]


def test_poll_limits_are_checked_before_sending(fake: FakeMastodon) -> None:
    bad = {**POLL, "options": ["a", "b", "c", "d", "e"]}
    with pytest.raises(PublishError, match="5 options"):
        publisher(fake).publish(make_item(poll=bad))
    with pytest.raises(PublishError, match="lasts 60 s"):
        publisher(fake).publish(make_item(poll={**POLL, "duration_seconds": 60}))
    assert posts_to_statuses(fake) == []


def test_poll_and_media_together(
    fake: FakeMastodon, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    item = make_item(poll=POLL, images=(image(tmp_path),))
    with pytest.raises(PublishError, match="cannot attach a poll and images"):
        publisher(fake).publish(item)
    assert fake.media == {}
    pub = publisher(fake)
    monkeypatch.setattr(pub, "check", lambda *a, **k: None)
    with pytest.raises(PublishError) as info:
        pub.publish(item)
    assert info.value.status == 422
    assert info.value.message == f"Mastodon refused the post: {TOO_MANY}"


# -- exactly once ----------------------------------------------------------------------------


def test_publishing_twice_makes_one_status(fake: FakeMastodon) -> None:
    item = make_item()
    first = publisher(fake).publish(item)
    second = publisher(fake).publish(item)  # a retry by another run
    assert first == second
    assert len(fake.live_statuses()) == 1
    keys = {r["headers"]["Idempotency-Key"] for r in posts_to_statuses(fake)}
    assert keys == {item.idempotency_key}
    assert first.url == f"https://social.example/@cafe/{first.remote_id}"
    assert first.extra["id"] == first.remote_id


def test_a_lost_answer_then_a_retry(fake: FakeMastodon) -> None:
    fake.add_fault("/api/v1/statuses", method="POST", status=502, after=True)
    pub = publisher(fake)
    item = make_item()
    with pytest.raises(PublishError) as info:
        pub.publish(item)
    assert info.value.retryable and info.value.status == 502
    assert len(fake.live_statuses()) == 1  # it was created
    receipt = pub.publish(item)
    assert [s["id"] for s in fake.live_statuses()] == [receipt.remote_id]


def test_a_timeout_after_the_server_created_the_post(fake: FakeMastodon) -> None:
    fake.add_fault("/api/v1/statuses", method="POST", status=200, after=True, delay=1.5)
    pub = publisher(fake, timeout=0.4)
    item = make_item()
    with pytest.raises(PublishError) as info:
        pub.publish(item)
    assert info.value.retryable and "did not answer in time" in info.value.message
    assert info.value.maybe_sent and info.value.code == "timeout"  # deploy asks lookup first
    assert pub.lookup(item) is not None
    receipt = pub.publish(item)
    assert [s["id"] for s in fake.live_statuses()] == [receipt.remote_id]


def test_server_errors_are_retryable(fake: FakeMastodon) -> None:
    fake.add_fault("/api/v1/statuses", method="POST", status=500)
    pub = publisher(fake)
    with pytest.raises(PublishError) as info:
        pub.publish(make_item())
    assert (info.value.retryable, info.value.needs_person, info.value.status) == (True, False, 500)
    pub.publish(make_item())
    assert len(fake.live_statuses()) == 1


def test_the_key_protects_one_hour_then_lookup_does(fake: FakeMastodon) -> None:
    item = make_item()
    first = publisher(fake).publish(item)
    fake.advance(3601)
    assert publisher(fake).lookup(item) == first  # what deploy asks before any retry
    second = publisher(fake).publish(item)  # Mastodon forgot the key
    assert second.remote_id != first.remote_id  # why lookup exists


# -- rate limits -----------------------------------------------------------------------------


def test_rate_limit_headers_and_429(fake: FakeMastodon) -> None:
    fake.rate_limit = 2
    ok = raw(fake, "GET", "/api/v1/accounts/verify_credentials")
    assert ok.headers["X-RateLimit-Limit"] == "2"
    assert ok.headers["X-RateLimit-Remaining"] == "1"
    assert ok.headers["X-RateLimit-Reset"] == "2026-12-01T08:05:00.000000Z"
    assert "Retry-After" not in ok.headers
    pub = publisher(fake)
    pub.publish(make_item("one"))
    with pytest.raises(PublishError) as info:
        pub.publish(make_item("two"))
    assert info.value.status == 429 and info.value.retryable and not info.value.needs_person
    assert info.value.retry_after == 300.0  # Reset (ISO 8601) minus the server's Date
    fake.advance(300)
    pub.publish(make_item("two"))
    assert len(fake.live_statuses()) == 2


# -- threads ----------------------------------------------------------------------------------


def test_a_thread_of_three_parts(fake: FakeMastodon) -> None:
    pub = publisher(fake)
    texts = ["1/3 On torréfie.", "2/3 On goûte.", "3/3 On vous sert."]
    receipts: list[Receipt] = []
    for i, text in enumerate(texts):
        parent = receipts[-1] if receipts else None
        root = receipts[0] if receipts else None
        receipts.append(
            pub.publish(make_item("fil", text, part=i, parts=3, parent=parent, root=root))
        )
    chain = [fake.statuses[r.remote_id] for r in receipts]
    assert chain[0]["in_reply_to_id"] is None
    assert chain[1]["in_reply_to_id"] == receipts[0].remote_id
    assert chain[2]["in_reply_to_id"] == receipts[1].remote_id
    assert [s["text"] for s in chain] == texts


def test_a_reply_to_a_missing_post(fake: FakeMastodon) -> None:
    parent = Receipt("123456")
    with pytest.raises(PublishError) as info:
        publisher(fake).publish(make_item(part=1, parts=2, parent=parent))
    assert "does not appear to exist" in info.value.message and info.value.status == 404


# -- native scheduling --------------------------------------------------------------------


def native(fake: FakeMastodon, **kwargs: Any) -> MastodonPublisher:
    return publisher(fake, settings={"schedule": "native"}, **kwargs)


def test_scheduled_at_under_5_minutes_is_refused_by_mastodon(fake: FakeMastodon) -> None:
    soon = (fake.now + timedelta(minutes=4, seconds=59)).isoformat()
    r = raw(fake, "POST", "/api/v1/statuses", json={"status": "x", "scheduled_at": soon})
    assert (r.status_code, r.json()) == (422, {"error": TOO_SOON})
    exactly = (fake.now + timedelta(minutes=5)).isoformat()
    assert (
        raw(
            fake, "POST", "/api/v1/statuses", json={"status": "x", "scheduled_at": exactly}
        ).status_code
        == 422
    )
    past = (fake.now - timedelta(minutes=1)).isoformat()
    r = raw(fake, "POST", "/api/v1/statuses", json={"status": "past", "scheduled_at": past})
    assert r.status_code == 200 and "content" in r.json()  # posted at once, silently


def test_can_schedule_keeps_a_margin(fake: FakeMastodon) -> None:
    pub = native(fake)
    six = fake.now + timedelta(minutes=6)
    assert not pub.can_schedule(make_item(publish_at=six))
    assert pub.can_schedule(make_item(publish_at=six + timedelta(seconds=1)))
    assert not pub.can_schedule(make_item(publish_at=six + timedelta(hours=1), parts=2))
    assert not publisher(fake).can_schedule(make_item(publish_at=six + timedelta(hours=1)))


def test_native_schedule_hand_off(fake: FakeMastodon) -> None:
    item = make_item(publish_at=fake.now + timedelta(hours=2))
    pub = native(fake)
    receipt = pub.publish(item)
    assert receipt.extra["scheduled"] is True
    assert receipt.extra["scheduled_id"] == receipt.remote_id and receipt.url is None
    assert fake.live_statuses() == [] and list(fake.scheduled) == [receipt.remote_id]
    sent = posts_to_statuses(fake)[0]["body"]
    assert sent["scheduled_at"] == "2026-12-01T10:00:00Z"
    assert native(fake).publish(item) == receipt  # the key answers the ScheduledStatus
    assert len(fake.scheduled) == 1
    assert pub.check_scheduled(receipt, item) == receipt
    fake.advance(2 * 3600)  # Mastodon publishes it
    published = pub.check_scheduled(receipt, item)
    assert published is not None and not published.extra.get("scheduled")
    assert [s["id"] for s in fake.live_statuses()] == [published.remote_id]


def test_the_servers_clock_is_ahead(fake: FakeMastodon) -> None:
    lagging = native(fake, now=fake.now - timedelta(minutes=2))
    item = make_item(publish_at=fake.now + timedelta(minutes=4, seconds=30))
    assert lagging.can_schedule(item)
    with pytest.raises(PublishError) as info:
        lagging.publish(item)
    assert info.value.retryable and "less than 5 minutes away" in info.value.message
    assert fake.scheduled == {} and fake.live_statuses() == []


def test_update_scheduled_time_only(fake: FakeMastodon) -> None:
    pub = native(fake)
    receipt = pub.publish(make_item(publish_at=fake.now + timedelta(hours=2)))
    later = make_item(publish_at=fake.now + timedelta(hours=3))
    moved = pub.update_scheduled(receipt, later)
    assert moved is not None and moved.remote_id == receipt.remote_id
    assert fake.scheduled[receipt.remote_id]["scheduled_at"] == fake.now + timedelta(hours=3)
    assert [r["method"] for r in fake.requests if r["path"].startswith("/api/v1/scheduled")][
        -1
    ] == "PUT"


def test_update_scheduled_text_recreates_it(fake: FakeMastodon) -> None:
    pub = native(fake)
    when = fake.now + timedelta(hours=2)
    receipt = pub.publish(make_item(publish_at=when))
    edited = make_item(text="Bonjour, version corrigée !", publish_at=when)
    new = pub.update_scheduled(receipt, edited)
    assert new is not None and new.extra["scheduled"] and new.remote_id != receipt.remote_id
    assert list(fake.scheduled) == [new.remote_id]
    assert fake.scheduled[new.remote_id]["params"]["text"] == "Bonjour, version corrigée !"
    assert pub.update_scheduled(new, edited) == new  # nothing changed: nothing sent
    fake.advance(2 * 3600)
    assert [s["text"] for s in fake.live_statuses()] == ["Bonjour, version corrigée !"]


def test_update_scheduled_too_close_gives_it_back_to_deploy(fake: FakeMastodon) -> None:
    pub = native(fake)
    receipt = pub.publish(make_item(publish_at=fake.now + timedelta(hours=2)))
    assert (
        pub.update_scheduled(receipt, make_item(publish_at=fake.now + timedelta(minutes=3))) is None
    )
    assert fake.scheduled == {}


def test_update_scheduled_refused_by_mastodon(fake: FakeMastodon) -> None:
    r = raw(
        fake,
        "POST",
        "/api/v1/statuses",
        json={"status": "x", "scheduled_at": "2026-12-01T12:00:00Z"},
    )
    sid = r.json()["id"]
    put = raw(
        fake,
        "PUT",
        f"/api/v1/scheduled_statuses/{sid}",
        json={"scheduled_at": "2026-12-01T08:03:00Z"},
    )
    assert (put.status_code, put.json()) == (422, {"error": TOO_SOON})
    assert raw(fake, "GET", "/api/v1/scheduled_statuses").json()[0]["id"] == sid


def test_cancel_scheduled_and_resume(fake: FakeMastodon) -> None:
    pub = native(fake)
    item = make_item(publish_at=fake.now + timedelta(hours=2))
    receipt = pub.publish(item)
    assert pub.cancel_scheduled(receipt) is True
    assert pub.cancel_scheduled(receipt) is False
    assert fake.scheduled == {}
    again = native(fake).publish(item)  # resume within the hour: the key points at nothing
    assert again.extra["scheduled"] and again.remote_id != receipt.remote_id
    assert list(fake.scheduled) == [again.remote_id]
    assert native(fake).publish(item) == again  # and a retry finds it again
    assert len(fake.scheduled) == 1 and fake.live_statuses() == []


# -- lookup -------------------------------------------------------------------------------------


RICH = (
    "Nouveau : l'Éthiopie Yirgacheffe arrive 🎉\n"
    "Avec @chezmado@piaille.example et @cafe.\n\n"
    "https://brulerie-canuts.fr/cafes/ethiopie-yirgacheffe/?utm_source=mastodon&utm_medium=social\n"
    "#cafe #lyon"
)


def test_lookup_finds_a_post_by_its_text(fake: FakeMastodon) -> None:
    item = make_item(text=RICH, cw="café")
    receipt = publisher(fake).publish(item)
    content = raw(fake, "GET", f"/api/v1/statuses/{receipt.remote_id}").json()["content"]
    assert '<span class="invisible">' in content and "h-card" in content and "&#39;" in content
    assert comparable(html_to_text(content)) == comparable(RICH)
    fresh = publisher(fake)  # a new run, after a crash
    assert fresh.lookup(item) == receipt
    assert fresh.lookup(make_item(text=RICH)) is None  # no content warning: another post
    assert fresh.lookup(make_item("other", "Jamais publié")) is None


def test_lookup_of_a_thread_part_checks_the_parent(fake: FakeMastodon) -> None:
    pub = publisher(fake)
    first = pub.publish(make_item("fil", "1/2", parts=2))
    second = pub.publish(make_item("fil", "2/2", part=1, parts=2, parent=first))
    assert pub.lookup(make_item("fil", "2/2", part=1, parts=2, parent=first)) == second
    assert pub.lookup(make_item("fil", "2/2", part=1, parts=2, parent=Receipt("42"))) is None


def test_lookup_cannot_know_when_the_history_is_too_long(fake: FakeMastodon) -> None:
    item = make_item(publish_at=fake.now)
    fake.advance(600)
    for i in range(5 * 40 + 1):  # a busy account: 201 posts since
        fake._create_status({"text": f"autre {i}"}, [])
    with pytest.raises(CannotKnow):
        publisher(fake).lookup(item)


def test_lookup_stops_at_an_hour_before(fake: FakeMastodon) -> None:
    for i in range(100):
        fake._create_status({"text": f"ancien {i}"}, [])
    fake.advance(2 * 3600)
    item = make_item(publish_at=fake.now)
    assert publisher(fake).lookup(item) is None
    reads = [r for r in fake.requests if r["path"].endswith("/statuses") and r["method"] == "GET"]
    assert len(reads) == 1


def test_lookup_finds_a_scheduled_status(fake: FakeMastodon) -> None:
    item = make_item(publish_at=fake.now + timedelta(hours=5))
    receipt = native(fake).publish(item)
    assert native(fake).lookup(item) == receipt


def test_a_scheduled_status_cancelled_on_mastodon(fake: FakeMastodon) -> None:
    pub = native(fake)
    item = make_item(publish_at=fake.now + timedelta(hours=2))
    receipt = pub.publish(item)
    raw(fake, "DELETE", f"/api/v1/scheduled_statuses/{receipt.remote_id}")  # by hand, in the app
    assert pub.check_scheduled(receipt, item) is None
    with pytest.raises(PublishError, match="no longer on"):
        pub.update_scheduled(receipt, make_item(text="Autre texte", publish_at=item.publish_at))


def test_delete_a_published_status(fake: FakeMastodon) -> None:
    pub = publisher(fake)
    receipt = pub.publish(make_item())
    assert pub.delete(receipt) is True
    assert pub.delete(receipt) is False
    assert fake.live_statuses() == []
