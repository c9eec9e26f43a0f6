"""One contract for every publisher in the registry (style habit 11).

Parametrized over the channels of ``PUBLISHERS`` that have a publisher in this installation
(a channel without one is checked once: it says so, see the last test); the network checks
run over the channels whose publisher uses a network. Network publishers get a fake transport answering as the platform documents it (errors
included), and the same checks: a missing secret names its ``CMPUB_<CHANNEL>_<WHAT>``
variable; ``repr``/``str`` and error messages never show a secret; a success is a Receipt;
4xx are not retryable and 401 is a credential problem; 5xx, timeouts and refused connections
are retryable; publishing the same item twice (same idempotency key) creates one post.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest

from cmpub.deploy.publishers import PUBLISHERS, NoPublisher, available, get_publisher_class
from cmpub.deploy.publishers.base import CannotKnow, Item, MissingSecret, PublishError, Receipt

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
SECRET = "s3cr3t-Value-9f8e7d6c"
TOKENS = ("jwt-access-AAAA1111", "jwt-refresh-BBBB2222")


def item(**kw: Any) -> Item:
    data: dict[str, Any] = {
        "post": "hello",
        "channel": "outbox",
        "part": 0,
        "parts": 1,
        "text": "Hello from the café: our winter roast is here.",
        "publish_at": NOW,
        "idempotency_key": "0123456789abcdef0123456789abcdef",
        "content_hash": "c0ffee",
        "title": "Hello",
        "lang": "en",
    }
    data.update(kw)
    return Item(**data)


# ----------------------------------------------------------------------------- fake networks


@dataclass
class Fake:
    """A platform's documented answers; ``fault`` overrides every answer when set."""

    created: list[Any] = field(default_factory=list)
    fault: Callable[[httpx.Request], httpx.Response] | None = None
    writes_fail: httpx.Response | None = None  # a 4xx for the request that creates the post

    def transport(self) -> httpx.MockTransport:
        def handle(request: httpx.Request) -> httpx.Response:
            if self.fault is not None:
                return self.fault(request)
            return self.answer(request)

        return httpx.MockTransport(handle)

    def answer(self, request: httpx.Request) -> httpx.Response:
        raise NotImplementedError


class FakeBluesky(Fake):
    """XRPC as a PDS answers it (a second createRecord at one rkey: a generic 500)."""

    def answer(self, request: httpx.Request) -> httpx.Response:
        nsid = request.url.path.removeprefix("/xrpc/")
        did = "did:plc:cafe1234567890abcdefghij"
        if nsid in ("com.atproto.server.createSession", "com.atproto.server.refreshSession"):
            return httpx.Response(
                200,
                json={
                    "did": did,
                    "handle": "cafe.bsky.social",
                    "accessJwt": TOKENS[0],
                    "refreshJwt": TOKENS[1],
                    "active": True,
                },
            )
        if nsid == "com.atproto.repo.getRecord":
            rkey = request.url.params.get("rkey")
            for rec in self.created:
                if rec["rkey"] == rkey:
                    return httpx.Response(
                        200, json={"uri": rec["uri"], "cid": "bafyreiabc", "value": rec["record"]}
                    )
            return httpx.Response(
                400,
                json={"error": "RecordNotFound", "message": f"Could not locate record: {rkey}"},
            )
        if nsid == "com.atproto.repo.createRecord":
            if self.writes_fail is not None:
                return self.writes_fail
            body = json.loads(request.content)
            if any(rec["rkey"] == body["rkey"] for rec in self.created):
                return httpx.Response(
                    500, json={"error": "InternalServerError", "message": "Internal Server Error"}
                )
            uri = f"at://{did}/app.bsky.feed.post/{body['rkey']}"
            self.created.append({"rkey": body["rkey"], "uri": uri, "record": body["record"]})
            return httpx.Response(
                200, json={"uri": uri, "cid": "bafyreiabc", "validationStatus": "valid"}
            )
        if nsid == "com.atproto.identity.resolveHandle":
            return httpx.Response(200, json={"did": did})
        if nsid == "com.atproto.repo.uploadBlob":
            return httpx.Response(
                200,
                json={
                    "blob": {
                        "$type": "blob",
                        "ref": {"$link": "bafkreiabc"},
                        "mimeType": "image/jpeg",
                        "size": 10,
                    }
                },
            )
        return httpx.Response(501, json={"error": "MethodNotImplemented", "message": nsid})


class FakeMastodon(Fake):
    """The REST API as docs.joinmastodon.org describes it (Idempotency-Key honoured)."""

    def answer(self, request: httpx.Request) -> httpx.Response:
        path, method = request.url.path, request.method
        if path in ("/api/v2/instance", "/api/v1/instance"):
            return httpx.Response(
                200,
                json={
                    "domain": "social.example",
                    "configuration": {
                        "statuses": {
                            "max_characters": 500,
                            "max_media_attachments": 4,
                            "characters_reserved_per_url": 23,
                        },
                        "media_attachments": {
                            "supported_mime_types": ["image/jpeg", "image/png"],
                            "image_size_limit": 16777216,
                            "image_matrix_limit": 33177600,
                            "description_limit": 1500,
                        },
                        "polls": {
                            "max_options": 4,
                            "max_characters_per_option": 50,
                            "min_expiration": 300,
                            "max_expiration": 2629746,
                        },
                    },
                },
            )
        if path == "/api/v1/accounts/verify_credentials":
            return httpx.Response(200, json={"id": "1", "username": "cafe", "acct": "cafe"})
        if path == "/api/v1/statuses" and method == "POST":
            if self.writes_fail is not None:
                return self.writes_fail
            key = request.headers.get("Idempotency-Key")
            for status in self.created:
                if status["_key"] == key:
                    return httpx.Response(200, json=_public(status))
            body = json.loads(request.content)
            n = len(self.created) + 1
            status = {
                "_key": key,
                "id": str(1000 + n),
                "created_at": "2026-12-01T09:00:01.000Z",
                "url": f"https://social.example/@cafe/{1000 + n}",
                "uri": f"https://social.example/users/cafe/statuses/{1000 + n}",
                "content": f"<p>{body.get('status', '')}</p>",
                "spoiler_text": body.get("spoiler_text") or "",
                "in_reply_to_id": body.get("in_reply_to_id"),
                "reblog": None,
            }
            self.created.append(status)
            return httpx.Response(200, json=_public(status))
        if path == "/api/v1/accounts/1/statuses":
            return httpx.Response(200, json=[_public(s) for s in reversed(self.created)])
        if path == "/api/v1/scheduled_statuses":
            return httpx.Response(200, json=[])
        return httpx.Response(404, json={"error": "Record not found"})


def _public(status: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in status.items() if not k.startswith("_")}


class FakeWebhook(Fake):
    """A receiver that de-duplicates on Idempotency-Key (as cmpub asks receivers to)."""

    def answer(self, request: httpx.Request) -> httpx.Response:
        if request.method != "POST":
            return httpx.Response(405, json={"error": "method not allowed"})
        if self.writes_fail is not None:
            return self.writes_fail
        key = request.headers.get("Idempotency-Key")
        if key not in self.created:
            self.created.append(key)
        return httpx.Response(200, json={"id": f"msg-{self.created.index(key)}"})


@dataclass(frozen=True)
class Spec:
    settings: dict[str, Any]
    variable: str | None = None  # the secret's environment variable
    fake: type[Fake] | None = None  # None: no network
    rejection: httpx.Response | None = None  # the platform's documented 4xx for a bad post


SPECS: dict[str, Spec] = {
    "site": Spec({}),
    "outbox": Spec({}),
    "bluesky": Spec(
        {"handle": "cafe.bsky.social", "service": "https://pds.example"},
        "CMPUB_BLUESKY_APP_PASSWORD",
        FakeBluesky,
        httpx.Response(
            400,
            json={"error": "InvalidRequest", "message": "Invalid app.bsky.feed.post record"},
        ),
    ),
    "mastodon": Spec(
        {"handle": "@cafe@social.example", "instance": "https://social.example"},
        "CMPUB_MASTODON_ACCESS_TOKEN",
        FakeMastodon,
        httpx.Response(422, json={"error": "Validation failed: Text can't be blank"}),
    ),
    "webhook": Spec(
        {"url": "https://hooks.example/cmpub"},
        "CMPUB_WEBHOOK_SECRET",
        FakeWebhook,
        httpx.Response(400, json={"error": "unknown field"}),
    ),
}

UNAUTHORIZED = {
    "bluesky": httpx.Response(
        401, json={"error": "AuthenticationRequired", "message": "Invalid identifier or password"}
    ),
    "mastodon": httpx.Response(401, json={"error": "The access token is invalid"}),
    "webhook": httpx.Response(401, json={"error": "bad signature"}),
}


def _class(channel: str) -> Any:
    return get_publisher_class(channel)


def _spec(channel: str) -> Spec:
    spec = SPECS.get(channel)
    if spec is None:
        pytest.fail(f"{channel} has a publisher but no contract spec: add it to SPECS")
    return spec


def _network(channel: str) -> Spec:
    spec = _spec(channel)
    assert spec.fake is not None, f"{channel} is in NETWORKS but its spec has no fake network"
    return spec


def build(channel: str, tmp_path: Path, transport: Any = None) -> Any:
    spec = _spec(channel)
    environ = {spec.variable: SECRET} if spec.variable else {}
    context = {
        "root": tmp_path,
        "dist": tmp_path / "dist",
        "now": NOW,
        "transport": transport,
        "timeout": 2.0,
        "sleep": lambda seconds: None,
        "state_dir": tmp_path / ".cmpub-cache",
    }
    return _class(channel).from_env(environ, spec.settings, context)


def _secret_free(text: str) -> None:
    assert SECRET not in text
    for token in TOKENS:
        assert token not in text


#: The channels with a publisher in this installation; a new publisher joins by itself.
CHANNELS = sorted(c for c in PUBLISHERS if available(c))
#: Those that reach a network (a publisher without a SPECS entry is here too, and fails there).
NETWORKS = [c for c in CHANNELS if c not in SPECS or SPECS[c].fake is not None]
#: The channels of the registry that have no publisher yet.
MISSING = sorted(c for c in PUBLISHERS if not available(c))


@pytest.mark.parametrize("channel", CHANNELS)
def test_registry_entry_is_a_publisher(channel: str) -> None:
    cls = _class(channel)
    assert cls.id == channel
    assert cls.name
    for method in ("from_env", "publish", "lookup", "secrets"):
        assert callable(getattr(cls, method, None)), method


@pytest.mark.parametrize("channel", CHANNELS)
def test_missing_secret_names_the_variable(channel: str, tmp_path: Path) -> None:
    cls, spec = _class(channel), _spec(channel)
    if spec.variable is None:
        assert build(channel, tmp_path).secrets() == ()
        return
    assert spec.variable.startswith(f"CMPUB_{channel.upper()}_")
    with pytest.raises(MissingSecret) as caught:
        cls.from_env({}, spec.settings, {"root": tmp_path, "dist": tmp_path / "dist", "now": NOW})
    assert caught.value.variable == spec.variable
    assert spec.variable in str(caught.value)


@pytest.mark.parametrize("channel", CHANNELS)
def test_success_is_a_receipt_and_the_secret_never_shows(channel: str, tmp_path: Path) -> None:
    spec = _spec(channel)
    fake = spec.fake() if spec.fake else None
    pub = build(channel, tmp_path, fake.transport() if fake else None)
    receipt = pub.publish(item(channel=channel, article_url="https://cafe.example/hello/"))
    assert isinstance(receipt, Receipt)
    assert receipt.remote_id
    for text in (repr(pub), str(pub), repr(receipt)):
        _secret_free(text)
    if spec.variable:
        assert SECRET in [s.reveal() for s in pub.secrets()]
        for secret in pub.secrets():
            assert repr(secret) == str(secret) == "Secret('***')"


@pytest.mark.parametrize("channel", CHANNELS)
def test_the_same_item_twice_is_one_post(channel: str, tmp_path: Path) -> None:
    spec = _spec(channel)
    fake = spec.fake() if spec.fake else None
    pub = build(channel, tmp_path, fake.transport() if fake else None)
    one = pub.publish(item(channel=channel))
    again = build(channel, tmp_path, fake.transport() if fake else None)  # a later run
    two = again.publish(item(channel=channel))
    assert one.remote_id == two.remote_id
    if fake is not None:
        assert len(fake.created) == 1
    if channel == "outbox":
        journal = (tmp_path / "dist/outbox/journal.jsonl").read_text().splitlines()
        assert len(journal) == 1


@pytest.mark.parametrize("channel", CHANNELS)
def test_lookup_answers_or_says_it_cannot_know(channel: str, tmp_path: Path) -> None:
    spec = _spec(channel)
    fake = spec.fake() if spec.fake else None
    pub = build(channel, tmp_path, fake.transport() if fake else None)
    fresh = item(channel=channel, idempotency_key="f" * 32)
    try:
        assert pub.lookup(fresh) is None
    except CannotKnow as exc:
        _secret_free(str(exc))
    sent = pub.publish(fresh)
    try:
        found = pub.lookup(fresh)
    except CannotKnow:
        assert not pub.capabilities.lookup
        return
    if pub.capabilities.lookup and channel != "site":
        assert found is not None and found.remote_id == sent.remote_id


@pytest.mark.parametrize("channel", NETWORKS)
def test_a_rejected_post_is_not_retryable(channel: str, tmp_path: Path) -> None:
    spec = _network(channel)
    assert spec.fake is not None
    fake = spec.fake(writes_fail=spec.rejection)
    pub = build(channel, tmp_path, fake.transport())
    with pytest.raises(PublishError) as caught:
        pub.publish(item(channel=channel))
    assert caught.value.retryable is False
    assert caught.value.needs_person is True
    _secret_free(str(caught.value))


@pytest.mark.parametrize("channel", NETWORKS)
def test_a_refused_credential_needs_a_person(channel: str, tmp_path: Path) -> None:
    spec = _network(channel)
    assert spec.fake is not None
    answer = UNAUTHORIZED[channel]
    fake = spec.fake(fault=lambda request: answer)
    pub = build(channel, tmp_path, fake.transport())
    with pytest.raises(PublishError) as caught:
        pub.publish(item(channel=channel))
    error = caught.value
    assert (error.retryable, error.needs_person, error.code) == (False, True, "auth")
    assert spec.variable is not None and spec.variable in error.message
    _secret_free(error.message)
    _secret_free(repr(pub))


def _raise(exc: type[httpx.TransportError]) -> Callable[[httpx.Request], httpx.Response]:
    def fault(request: httpx.Request) -> httpx.Response:
        raise exc("simulated", request=request)

    return fault


@pytest.mark.parametrize(
    "fault",
    [
        lambda request: httpx.Response(503, json={"error": "Service Unavailable"}),
        lambda request: httpx.Response(502, text="<html>Bad Gateway</html>"),
        lambda request: httpx.Response(429, headers={"Retry-After": "30"}, json={}),
        _raise(httpx.ReadTimeout),
        _raise(httpx.ConnectTimeout),
        _raise(httpx.ConnectError),
        _raise(httpx.RemoteProtocolError),
    ],
    ids=["503", "502-html", "429", "read-timeout", "connect-timeout", "refused", "dropped"],
)
@pytest.mark.parametrize("channel", NETWORKS)
def test_server_errors_and_timeouts_are_retryable(
    channel: str, fault: Callable[[httpx.Request], httpx.Response], tmp_path: Path
) -> None:
    spec = _network(channel)
    assert spec.fake is not None
    pub = build(channel, tmp_path, spec.fake(fault=fault).transport())
    with pytest.raises(PublishError) as caught:
        pub.publish(item(channel=channel))
    assert caught.value.retryable is True
    assert caught.value.needs_person is False
    _secret_free(str(caught.value))


def test_a_channel_without_publisher_says_so() -> None:
    """The registry's channels without a module: one clear NoPublisher each, never a crash."""
    assert "site" in CHANNELS and "outbox" in CHANNELS and set(NETWORKS) <= set(CHANNELS)
    for channel in MISSING:
        with pytest.raises(NoPublisher) as caught:
            get_publisher_class(channel)
        assert caught.value.channel == channel
        assert str(caught.value).endswith(" has no publisher yet: its posts stay in the outbox")
