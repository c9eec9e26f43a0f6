"""The Mastodon publisher against PyPI's ``mastodon-mock`` (FastAPI + SQLite, real HTTP), run as
a subprocess, where it behaves as Mastodon does: posting, media with alt text, the
Idempotency-Key, threads, polls, and its fault injection (500, 429).

Where it does not (counting, the 5-minute rule, media processing, 401 and 422 bodies,
rate-limit headers, idempotency of scheduled statuses, HTML rendering), see
test_mastodon_publisher.py and tests/support/servers/mastodon_fake.py.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from cmpub.deploy.publishers.base import Image, Item, PublishError, Receipt
from cmpub.deploy.publishers.mastodon import MastodonPublisher
from tests.support.project import png

#: Read at import (the autouse ``clean_environ`` fixture removes CMPUB_* variables per test).
REQUIRE_MOCK = os.environ.get("CMPUB_REQUIRE_MASTODON_MOCK") == "1"
try:
    import mastodon_mock  # noqa: F401
except ImportError:
    if REQUIRE_MOCK:  # CI: a broken install must not pass as green
        raise
    pytest.skip("mastodon-mock is not installed (the test extra)", allow_module_level=True)

TOKEN = "mock_token"  # the mock's seeded user token
NOW = datetime(2026, 12, 1, 9, 30, tzinfo=UTC)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def mock_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """``mastodon_mock serve --in-memory`` on a free port, for this module."""
    port = _free_port()
    exe = shutil.which("mastodon_mock", path=str(Path(sys.executable).parent))
    command = [exe] if exe else [sys.executable, "-m", "mastodon_mock"]
    cwd = tmp_path_factory.mktemp("mastodon-mock")  # no stray .mastodon_mock.toml
    proc = subprocess.Popen(
        [
            *command,
            "serve",
            "--in-memory",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--log-level",
            "warning",
        ],
        cwd=cwd,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(f"{url}/api/v1/instance", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"mastodon-mock did not start (exit code {proc.poll()})")
            time.sleep(0.1)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@pytest.fixture
def mock(mock_url: str) -> Iterator[httpx.Client]:
    """A client of the mock's API and control plane; faults are cleared after each test."""
    with httpx.Client(base_url=mock_url, headers={"Authorization": f"Bearer {TOKEN}"}) as client:
        yield client
        client.delete("/api/v1/_mock/faults")


def publisher(url: str) -> MastodonPublisher:
    return MastodonPublisher.from_env(
        {"CMPUB_MASTODON_ACCESS_TOKEN": TOKEN},
        {"instance": url, "max_characters": 500, "visibility": "unlisted"},
        {"now": NOW, "sleep": lambda _s: None},
    )


def make_item(post: str, text: str, *, part: int = 0, parts: int = 1, **kwargs: Any) -> Item:
    return Item(
        post=post,
        channel="mastodon",
        part=part,
        parts=parts,
        text=text,
        publish_at=NOW,
        idempotency_key=f"cmpub:{post}:mastodon:{part}:{NOW.isoformat()}",
        content_hash=f"hash-{post}",
        lang="fr",
        **kwargs,
    )


def statuses_with(mock: httpx.Client, needle: str) -> list[dict[str, Any]]:
    """The mock's own record: the account's statuses whose content holds ``needle``."""
    me = mock.get("/api/v1/accounts/verify_credentials").json()["id"]
    found = mock.get(f"/api/v1/accounts/{me}/statuses", params={"limit": 40}).json()
    return [s for s in found if needle in s["content"]]


def test_happy_path(mock: httpx.Client, mock_url: str) -> None:
    receipt = publisher(mock_url).publish(
        make_item("happy", "Bonjour depuis la Brûlerie", cw="café")
    )
    status = mock.get(f"/api/v1/statuses/{receipt.remote_id}").json()
    assert "Bonjour depuis la Brûlerie" in status["content"]
    assert (status["spoiler_text"], status["visibility"], status["language"]) == (
        "café",
        "unlisted",
        "fr",
    )
    assert receipt.url == status["url"] and receipt.extra["id"] == status["id"]


def test_media_with_alt_text(mock: httpx.Client, mock_url: str, tmp_path: Path) -> None:
    path = tmp_path / "torrefaction.png"
    png(path, (120, 80))
    img = Image(str(path), "Le torréfacteur en marche", 120, 80, "image/png", path.stat().st_size)
    receipt = publisher(mock_url).publish(make_item("media", "Torréfaction du jour", images=(img,)))
    status = mock.get(f"/api/v1/statuses/{receipt.remote_id}").json()
    assert [m["description"] for m in status["media_attachments"]] == ["Le torréfacteur en marche"]
    assert status["media_attachments"][0]["type"] == "image"


def test_idempotency_key_replay_is_one_status(mock: httpx.Client, mock_url: str) -> None:
    item = make_item("replay", "Une seule fois, promis")
    first = publisher(mock_url).publish(item)
    second = publisher(mock_url).publish(item)  # a retry by the next run
    assert first.remote_id == second.remote_id
    assert len(statuses_with(mock, "Une seule fois, promis")) == 1


def test_a_500_then_a_retry(mock: httpx.Client, mock_url: str) -> None:
    rule = {
        "match": {"methods": ["POST"], "path": "/api/v1/statuses"},
        "effect": {"type": "status", "status": 500},
        "count": 1,
    }
    assert mock.post("/api/v1/_mock/faults", json=rule).status_code == 200
    pub = publisher(mock_url)
    item = make_item("flaky", "Le serveur a hoqueté")
    with pytest.raises(PublishError) as info:
        pub.publish(item)
    assert (info.value.retryable, info.value.status) == (True, 500)
    assert statuses_with(mock, "Le serveur a hoqueté") == []
    pub.publish(item)
    pub.publish(item)
    assert len(statuses_with(mock, "Le serveur a hoqueté")) == 1


def test_429_with_retry_after(mock: httpx.Client, mock_url: str) -> None:
    rule = {
        "match": {"methods": ["POST"], "path": "/api/v1/statuses"},
        "effect": {"type": "ratelimit", "headers": {"Retry-After": "42"}},
        "count": 1,
    }
    mock.post("/api/v1/_mock/faults", json=rule)
    with pytest.raises(PublishError) as info:
        publisher(mock_url).publish(make_item("busy", "Trop de monde"))
    assert info.value.status == 429 and info.value.retryable
    assert info.value.retry_after == 42.0
    publisher(mock_url).publish(make_item("busy", "Trop de monde"))
    assert len(statuses_with(mock, "Trop de monde")) == 1


def test_a_thread_of_three(mock: httpx.Client, mock_url: str) -> None:
    pub = publisher(mock_url)
    receipts: list[Receipt] = []
    for i in range(3):
        parent = receipts[-1] if receipts else None
        item = make_item(
            "thread",
            f"Fil {i + 1}/3 sur le café",
            part=i,
            parts=3,
            parent=parent,
            root=receipts[0] if receipts else None,
        )
        receipts.append(pub.publish(item))
    context = mock.get(f"/api/v1/statuses/{receipts[0].remote_id}/context").json()
    chain = [(s["id"], s["in_reply_to_id"]) for s in context["descendants"]]
    assert chain == [
        (receipts[1].remote_id, receipts[0].remote_id),
        (receipts[2].remote_id, receipts[1].remote_id),
    ]


def test_a_poll(mock: httpx.Client, mock_url: str) -> None:
    poll = {
        "question": "Quel café ?",
        "options": ["Filtre", "Espresso", "Les deux"],
        "duration_seconds": 3600,
    }
    receipt = publisher(mock_url).publish(make_item("poll", "Votez !", poll=poll))
    status = mock.get(f"/api/v1/statuses/{receipt.remote_id}").json()
    assert [o["title"] for o in status["poll"]["options"]] == ["Filtre", "Espresso", "Les deux"]
    assert "Quel café ?" in status["content"]


def test_native_hand_off_and_lookup_on_the_mock(mock: httpx.Client, mock_url: str) -> None:
    """The mock runs on the real clock: so do these items."""
    now = datetime.now(UTC).replace(microsecond=0)
    settings = {"instance": mock_url, "max_characters": 500, "schedule": "native"}
    pub = MastodonPublisher.from_env({"CMPUB_MASTODON_ACCESS_TOKEN": TOKEN}, settings, {"now": now})
    later = Item(
        post="later",
        channel="mastodon",
        part=0,
        parts=1,
        text="Dans deux heures, la fournée",
        publish_at=now + timedelta(hours=2),
        idempotency_key=f"cmpub:later:{now.isoformat()}",
        content_hash="h",
    )
    receipt = pub.publish(later)
    assert receipt.extra["scheduled"] is True
    assert [s["id"] for s in mock.get("/api/v1/scheduled_statuses").json()] == [receipt.remote_id]
    assert pub.lookup(later) == receipt
    assert pub.cancel_scheduled(receipt) is True
    assert mock.get("/api/v1/scheduled_statuses").json() == []
    current = Item(
        post="now",
        channel="mastodon",
        part=0,
        parts=1,
        text="Sorti du four à l'instant",
        publish_at=now,
        idempotency_key=f"cmpub:now:{now.isoformat()}",
        content_hash="h",
    )
    sent = pub.publish(current)
    assert not sent.extra.get("scheduled")
    assert publisher(mock_url).lookup(current) == sent
