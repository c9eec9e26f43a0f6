"""The webhook: the signed request, the plain-words errors, the opt-in lookup."""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest

from cmpub.deploy.publishers.base import CannotKnow, Item, MissingSecret, PublishError
from cmpub.deploy.publishers.webhook import WebhookPublisher

SECRET = "whsec-test-0123456789"
URL = "https://hooks.example/services/T000/B000/XXXXsecretpath"


def item() -> Item:
    return Item(
        post="hello",
        channel="webhook",
        part=0,
        parts=1,
        text="Hello ☕ https://cafe.example/hello/",
        publish_at=datetime(2026, 12, 1, 9, tzinfo=UTC),
        idempotency_key="abc123",
        content_hash="h",
        title="Hello",
    )


def publisher(handler, tmp_path: Path) -> WebhookPublisher:  # type: ignore[no-untyped-def]
    return WebhookPublisher.from_env(
        {"CMPUB_WEBHOOK_SECRET": SECRET},
        {"url": URL},
        {"root": tmp_path, "transport": httpx.MockTransport(handler)},
    )


def test_the_request_is_signed_json_with_the_idempotency_key(tmp_path: Path) -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(201, json={"id": "m-1", "url": "https://news.example/m-1"})

    receipt = publisher(handler, tmp_path).publish(item())
    (request,) = seen
    body = request.content
    assert request.method == "POST" and str(request.url) == URL
    assert request.headers["Content-Type"] == "application/json"
    assert request.headers["Idempotency-Key"] == "abc123"
    digest = hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
    assert request.headers["X-Cmpub-Signature"] == f"sha256={digest}"
    data = json.loads(body)
    assert data["event"] == "cmpub.publish"
    assert data["text"] == "Hello ☕ https://cafe.example/hello/"
    assert data["idempotency_key"] == "abc123"
    assert (receipt.remote_id, receipt.url) == ("m-1", "https://news.example/m-1")


def test_a_receiver_without_an_id_gets_the_key_as_id(tmp_path: Path) -> None:
    receipt = publisher(lambda r: httpx.Response(204), tmp_path).publish(item())
    assert receipt.remote_id == "abc123" and receipt.extra["receiver_id"] is False


def test_missing_secret(tmp_path: Path) -> None:
    with pytest.raises(MissingSecret) as caught:
        WebhookPublisher.from_env({}, {"url": URL}, {"root": tmp_path})
    assert str(caught.value) == (
        "Webhook: the signing secret is missing: set the environment variable"
        " CMPUB_WEBHOOK_SECRET (in GitHub: Settings → Secrets and variables → Actions)"
    )


def test_messages_show_the_host_never_the_url_or_secret(tmp_path: Path) -> None:
    pub = publisher(lambda r: httpx.Response(404, text="no such hook"), tmp_path)
    with pytest.raises(PublishError) as caught:
        pub.publish(item())
    assert caught.value.message == (
        "the webhook at hooks.example answered 'not found' while sending 'hello' (404)"
        " (no such hook): check the address in cmpub.yaml"
    )
    assert "XXXXsecretpath" not in repr(pub) and SECRET not in repr(pub)


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        (httpx.Response(200, json={"cmpub_lookup": "found", "id": "m-9"}), "m-9"),
        (httpx.Response(200, json={"cmpub_lookup": "absent"}), None),
    ],
)
def test_lookup_with_a_receiver_that_keeps_a_log(
    tmp_path: Path, answer: httpx.Response, expected: str | None
) -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return answer

    found = publisher(handler, tmp_path).lookup(item())
    assert (found.remote_id if found else None) == expected
    assert seen[0].method == "GET" and seen[0].headers["X-Cmpub-Lookup"] == "1"
    digest = hmac.new(SECRET.encode(), b"abc123", hashlib.sha256).hexdigest()
    assert seen[0].headers["X-Cmpub-Signature"] == f"sha256={digest}"


@pytest.mark.parametrize(
    "answer",
    [httpx.Response(405), httpx.Response(200, text="ok"), httpx.Response(404, json={})],
)
def test_lookup_cannot_know_with_an_ordinary_receiver(
    tmp_path: Path, answer: httpx.Response
) -> None:
    with pytest.raises(CannotKnow):
        publisher(lambda r: answer, tmp_path).lookup(item())


def test_lookup_that_fails_now_is_retryable(tmp_path: Path) -> None:
    with pytest.raises(PublishError) as caught:
        publisher(lambda r: httpx.Response(503), tmp_path).lookup(item())
    assert caught.value.retryable
