"""The Bluesky publisher without a server: TIDs, facets, settings, and how failures are told.

The happy path runs against a real PDS (test_bluesky_pds.py). Here ``httpx.MockTransport``
plays the answers a real PDS gives rarely or never on demand: 429 with its rate-limit headers,
5xx, timeouts, dropped connections.
"""

from __future__ import annotations

import json
import stat
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import httpx
import pytest

from cmpub.deploy.publishers._atproto import (
    TID_RE,
    build_facets,
    check_facet_ranges,
    datetime_string,
    first_sentence,
    record_key,
    short_link_ranges,
    size_words,
    tid,
    tid_parts,
)
from cmpub.deploy.publishers.base import MissingSecret, PublishError
from cmpub.deploy.publishers.bluesky import PASSWORD_VARIABLE, BlueskyPublisher
from cmpub.model.errors import ConfigError
from tests.support.bluesky import WHEN, make_item

SERVICE = "https://pds.example"
PASSWORD = "abcd-efgh-ijkl-mnop"
DID = "did:plc:abcdefghijklmnopqrstuvwx"

# ----------------------------------------------------------------------------- TIDs


def test_tid_encoding() -> None:
    assert tid(0, 0) == "2222222222222"
    assert tid((1 << 53) - 1, 1023) == "bzzzzzzzzzzzz"  # top bit 0: at most "b"
    assert tid_parts(tid(1_764_576_000_123_456, 789)) == (1_764_576_000_123_456, 789)
    for bad in ("3jzfcijpj2z2", "kzzzzzzzzzzzz", "3jzfcijpj2z21", "3JZFCIJPJ2Z2A"):
        assert not TID_RE.match(bad)
    with pytest.raises(ValueError):
        tid(1 << 53, 0)


def test_record_key_is_deterministic_and_documented() -> None:
    key = "post/bluesky/0/2026-12-01T08:00:00+00:00"
    rkey = record_key(WHEN, key)
    assert rkey == record_key(WHEN, key)
    assert rkey == "3n3lrowqzm4mm"  # pinned: changing the derivation would re-post old items
    assert TID_RE.match(rkey)
    micros, clock = tid_parts(rkey)
    assert micros // 1_000_000 == int(WHEN.timestamp()) and 0 <= clock < 1024
    # the same instant in another zone, and a naive UTC time, give the same key
    paris = WHEN.astimezone(timezone(timedelta(hours=1)))
    assert record_key(paris, key) == rkey
    assert record_key(WHEN.replace(tzinfo=None), key) == rkey


def test_record_keys_of_items_due_at_the_same_second_differ() -> None:
    keys = {record_key(WHEN, f"post-{n}/bluesky/{p}/x") for n in range(500) for p in range(3)}
    assert len(keys) == 1500
    assert all(tid_parts(k)[0] // 1_000_000 == int(WHEN.timestamp()) for k in keys)


def test_datetime_string() -> None:
    assert datetime_string(WHEN) == "2026-12-01T08:00:00.000Z"
    when = datetime(2026, 12, 1, 9, 30, 5, 123_999, tzinfo=timezone(timedelta(hours=1)))
    assert datetime_string(when) == "2026-12-01T08:30:05.123Z"


# ----------------------------------------------------------------------------- facets


def test_short_link_facet_covers_the_shown_text_and_carries_the_full_url() -> None:
    shown, full = "brulerie-canuts.fr/guji…", "https://brulerie-canuts.fr/guji-ethiopie?utm=b"
    text = f"Café ☕ {shown} !"
    facets, warnings = build_facets(text, ((shown, full),))
    assert warnings == []
    assert facets == [
        {
            "index": {"byteStart": 10, "byteEnd": 10 + len(shown.encode())},
            "features": [{"$type": "app.bsky.richtext.facet#link", "uri": full}],
        }
    ]  # and no second facet for the bare domain the official client detects inside it
    data = text.encode()
    assert data[10 : 10 + len(shown.encode())].decode() == shown


def test_repeated_short_links_are_matched_in_order() -> None:
    text = "a.fr/x… puis b a.fr/x… et c.fr"
    pairs = (("a.fr/x…", "https://a.fr/x1"), ("a.fr/x…", "https://a.fr/x2"))
    ranges = short_link_ranges(text, (*pairs, ("absent.fr/z", "https://absent.fr/z")))
    assert [url for _, _, url in ranges] == ["https://a.fr/x1", "https://a.fr/x2"]
    facets, _ = build_facets(text, pairs)
    uris = [f["features"][0]["uri"] for f in facets]
    assert uris == ["https://a.fr/x1", "https://a.fr/x2", "https://c.fr"]


def test_mentions_resolve_to_dids_or_stay_text_with_a_warning() -> None:
    text = "Merci @alice.test et @bob.test 🙏"
    facets, warnings = build_facets(text, (), {"alice.test": "did:plc:alice"}.get)
    assert [f["features"][0] for f in facets] == [
        {"$type": "app.bsky.richtext.facet#mention", "did": "did:plc:alice"}
    ]
    assert warnings == [
        "@bob.test is not a Bluesky account we could find: left as plain text, not a mention"
    ]


def test_facet_ranges_are_checked() -> None:
    check_facet_ranges("é", [(0, 2)])
    for bad in ([(0, 1)], [(0, 3)], [(1, 1)], [(0, 2), (1, 2)]):
        with pytest.raises(ValueError):
            check_facet_ranges("éé" if bad == [(0, 2), (1, 2)] else "é", bad)


def test_words_for_sizes_and_sentences() -> None:
    assert size_words(2_400_000, 1_000_000) == ("2.4 MB", "1 MB")
    assert size_words(1_000_001, 1_000_000) == ("1,000,001 bytes", "1,000,000 bytes")
    assert first_sentence("Le Guji est là. Venez !") == "Le Guji est là."
    assert first_sentence("Une ligne\nune autre") == "Une ligne"
    assert first_sentence("sans fin") == "sans fin"


# ----------------------------------------------------------------------------- settings


def test_from_env_reads_settings_and_names_the_missing_secret(tmp_path: Path) -> None:
    with pytest.raises(MissingSecret) as caught:
        BlueskyPublisher.from_env({}, {"handle": "brand.bsky.social"}, {})
    assert PASSWORD_VARIABLE in str(caught.value)
    with pytest.raises(ConfigError):
        BlueskyPublisher.from_env({PASSWORD_VARIABLE: PASSWORD}, {}, {})
    pub = BlueskyPublisher.from_env(
        {PASSWORD_VARIABLE: PASSWORD},
        {"handle": "@brand.bsky.social", "service": SERVICE + "/", "image_max_bytes": 2_000_000},
        {"state_dir": tmp_path},
    )
    assert (pub.handle, pub.service, pub.image_max_bytes) == (
        "brand.bsky.social",
        SERVICE,
        2_000_000,
    )
    default = BlueskyPublisher.from_env({PASSWORD_VARIABLE: PASSWORD}, {"handle": "b.test"}, {})
    assert (default.service, default.image_max_bytes) == ("https://bsky.social", 1_000_000)
    assert PASSWORD not in repr(pub) and PASSWORD not in repr(pub.secrets())
    assert pub.secrets()[0].reveal() == PASSWORD


# ----------------------------------------------------------------------------- a mock PDS

Handler = Callable[[httpx.Request], httpx.Response]


class MockPds:
    """Answers like a PDS, per XRPC method; ``answers`` overrides a method's answer."""

    def __init__(self, **answers: Handler | httpx.Response | Exception) -> None:
        self.answers = answers
        self.calls: list[str] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        method = request.url.path.rsplit("/", 1)[-1]
        self.calls.append(method)
        answer = self.answers.get(method.replace(".", "_"))
        if isinstance(answer, list):
            answer = answer.pop(0)
        if isinstance(answer, Exception):
            raise answer
        if isinstance(answer, httpx.Response):
            return answer
        if callable(answer):
            return answer(request)
        return self.default(method, request)

    def default(self, method: str, request: httpx.Request) -> httpx.Response:
        if method == "com.atproto.server.createSession":
            session = {"did": DID, "handle": "brand.test", "accessJwt": "a" * 40}
            return httpx.Response(200, json={**session, "refreshJwt": "r" * 40})
        if method == "com.atproto.repo.getRecord":
            return httpx.Response(400, json={"error": "RecordNotFound", "message": "nope"})
        if method == "com.atproto.repo.createRecord":
            rkey = json.loads(request.content)["rkey"]
            uri = f"at://{DID}/app.bsky.feed.post/{rkey}"
            return httpx.Response(200, json={"uri": uri, "cid": "bafycid"})
        return httpx.Response(501, json={"error": "MethodNotImplemented", "message": method})

    def count(self, method: str) -> int:
        return self.calls.count(method)


def mock_publisher(mock: MockPds, tmp_path: Path, **context: Any) -> BlueskyPublisher:
    return BlueskyPublisher.from_env(
        {PASSWORD_VARIABLE: PASSWORD},
        {"handle": "brand.test", "service": SERVICE},
        {"transport": httpx.MockTransport(mock), "state_dir": tmp_path / "state", **context},
    )


CREATE = "com.atproto.repo.createRecord"
GET = "com.atproto.repo.getRecord"


def test_mock_happy_path_sanity(tmp_path: Path) -> None:
    mock = MockPds()
    receipt = mock_publisher(mock, tmp_path).publish(make_item("p", "Salut"))
    assert receipt.extra["cid"] == "bafycid"
    assert mock.calls == [GET, "com.atproto.server.createSession", CREATE]


def test_429_is_retryable_with_retry_after(tmp_path: Path) -> None:
    mock = MockPds(
        com_atproto_repo_createRecord=httpx.Response(
            429, headers={"Retry-After": "42"}, json={"error": "RateLimitExceeded"}
        )
    )
    with pytest.raises(PublishError) as caught:
        mock_publisher(mock, tmp_path).publish(make_item("p", "Salut"))
    error = caught.value
    assert error.retryable and not error.needs_person
    assert (error.retry_after, error.status, error.code) == (42.0, 429, "rate-limit")
    assert mock.count(GET) == 2  # checked after the failure too: it is not there


def test_429_with_the_pds_ratelimit_reset_header(tmp_path: Path) -> None:
    headers = {
        "RateLimit-Limit": "30",
        "RateLimit-Remaining": "0",
        "RateLimit-Reset": str(int(WHEN.timestamp()) + 90),
        "Date": "Tue, 01 Dec 2026 08:00:00 GMT",
    }
    mock = MockPds(
        com_atproto_server_createSession=httpx.Response(
            429, headers=headers, json={"error": "RateLimitExceeded", "message": "slow down"}
        )
    )
    with pytest.raises(PublishError) as caught:
        mock_publisher(mock, tmp_path).publish(make_item("p", "Salut"))
    assert caught.value.retryable and caught.value.retry_after == 90.0
    assert mock.count(CREATE) == 0


@pytest.mark.parametrize("status", [500, 502, 503, 504])
def test_5xx_is_retryable(tmp_path: Path, status: int) -> None:
    mock = MockPds(com_atproto_repo_createRecord=httpx.Response(status, json={"error": "x"}))
    with pytest.raises(PublishError) as caught:
        mock_publisher(mock, tmp_path).publish(make_item("p", "Salut"))
    assert caught.value.retryable and caught.value.status == status
    assert caught.value.code == "server"


def test_a_timeout_with_the_record_absent_is_retryable(tmp_path: Path) -> None:
    mock = MockPds(com_atproto_repo_createRecord=httpx.ReadTimeout("slow"))
    with pytest.raises(PublishError) as caught:
        mock_publisher(mock, tmp_path).publish(make_item("p", "Salut"))
    assert caught.value.retryable and caught.value.code == "timeout"
    assert mock.count(GET) == 2


def test_a_timeout_then_an_unreadable_record_may_have_been_sent(tmp_path: Path) -> None:
    absent = httpx.Response(400, json={"error": "RecordNotFound"})
    mock = MockPds(
        com_atproto_repo_createRecord=httpx.ReadTimeout("slow"),
        com_atproto_repo_getRecord=[absent, httpx.ConnectError("refused")],
    )
    with pytest.raises(PublishError) as caught:
        mock_publisher(mock, tmp_path).publish(make_item("p", "Salut"))
    assert caught.value.retryable and caught.value.maybe_sent


def test_an_unreachable_pds_sends_nothing(tmp_path: Path) -> None:
    mock = MockPds(com_atproto_repo_getRecord=httpx.ConnectError("refused"))
    with pytest.raises(PublishError) as caught:
        mock_publisher(mock, tmp_path).publish(make_item("p", "Salut"))
    assert caught.value.retryable and not caught.value.maybe_sent
    assert caught.value.code == "network" and mock.count(CREATE) == 0


def test_a_refused_record_is_explained(tmp_path: Path) -> None:
    mock = MockPds(
        com_atproto_repo_createRecord=httpx.Response(
            400,
            json={
                "error": "InvalidRequest",
                "message": "Invalid app.bsky.feed.post record: grapheme too big "
                "(maximum 300, got 301) at $.record.text",
            },
        )
    )
    with pytest.raises(PublishError) as caught:
        mock_publisher(mock, tmp_path).publish(make_item("p", "Salut"))
    error = caught.value
    assert error.needs_person and not error.retryable
    assert error.message == (
        "Bluesky rejected the post: the text is longer than 300 characters (301)"
    )


def test_text_over_300_graphemes_is_refused_before_sending(tmp_path: Path) -> None:
    mock = MockPds()
    text = "é" * 290 + "👨‍👩‍👧‍👦" * 11  # 301 graphemes
    with pytest.raises(PublishError) as caught:
        mock_publisher(mock, tmp_path).publish(make_item("p", text))
    assert "over 300 characters: this one has 301" in caught.value.message
    assert mock.calls == []


def test_a_failing_mention_lookup_is_retryable_not_a_silent_plain_text(tmp_path: Path) -> None:
    mock = MockPds(com_atproto_identity_resolveHandle=httpx.Response(502))
    with pytest.raises(PublishError) as caught:
        mock_publisher(mock, tmp_path).publish(make_item("p", "Merci @alice.test"))
    assert caught.value.retryable and mock.count(CREATE) == 0


def test_a_record_with_our_text_is_returned_without_posting(tmp_path: Path) -> None:
    def found(request: httpx.Request) -> httpx.Response:
        rkey = request.url.params["rkey"]
        uri = f"at://{DID}/app.bsky.feed.post/{rkey}"
        return httpx.Response(200, json={"uri": uri, "cid": "c1", "value": {"text": "Salut"}})

    mock = MockPds(com_atproto_repo_getRecord=found)
    pub = mock_publisher(mock, tmp_path)
    receipt = pub.publish(make_item("p", "Salut"))
    assert receipt.extra["cid"] == "c1" and mock.calls == [GET]
    with pytest.raises(PublishError) as caught:
        pub.publish(make_item("p", "Salut, modifié"))
    assert caught.value.code == "conflict" and mock.count(CREATE) == 0
    assert pub.lookup(make_item("p", "peu importe")) == receipt


def test_a_thread_part_without_its_parent_is_refused(tmp_path: Path) -> None:
    mock = MockPds()
    with pytest.raises(PublishError) as caught:
        mock_publisher(mock, tmp_path).publish(make_item("p", "2/2", part=1, parts=2))
    assert caught.value.needs_person and mock.count(CREATE) == 0


def test_the_session_is_never_kept_in_dist_or_the_ledger(tmp_path: Path) -> None:
    root = tmp_path / "project"
    for inside in (root / "dist" / "cache", root / "ledger"):
        pub = BlueskyPublisher.from_env(
            {PASSWORD_VARIABLE: PASSWORD},
            {"handle": "brand.test", "service": SERVICE},
            {"transport": httpx.MockTransport(MockPds()), "state_dir": inside, "root": root},
        )
        pub.publish(make_item("p", "Salut"))
        assert not inside.exists()
    kept = root / ".cmpub-cache"
    pub = BlueskyPublisher.from_env(
        {PASSWORD_VARIABLE: PASSWORD},
        {"handle": "brand.test", "service": SERVICE},
        {"transport": httpx.MockTransport(MockPds()), "state_dir": kept, "root": root},
    )
    pub.publish(make_item("p", "Salut"))
    session = kept / "bluesky-session-brand.test.json"
    assert stat.S_IMODE(session.stat().st_mode) == 0o600
    assert PASSWORD not in session.read_text()


def test_a_session_for_another_service_or_handle_is_not_reused(tmp_path: Path) -> None:
    mock = MockPds()
    mock_publisher(mock, tmp_path).publish(make_item("p", "Salut"))
    kept = tmp_path / "state" / "bluesky-session-brand.test.json"
    data = json.loads(kept.read_text())
    kept.write_text(json.dumps({**data, "service": "https://elsewhere.example"}))
    mock_publisher(mock, tmp_path).publish(make_item("q", "Encore"))
    assert mock.count("com.atproto.server.createSession") == 2
