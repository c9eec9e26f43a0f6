"""The outbox: exact payloads as JSON under dist/outbox/, images copied, idempotent."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

from cmpub.deploy.publishers.base import Image, Item, Receipt
from cmpub.deploy.publishers.outbox import OutboxPublisher
from tests.support.project import png

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


def item(tmp_path: Path, **kw: object) -> Item:
    png(tmp_path / "cup.jpg", (300, 200))
    data: dict[str, object] = {
        "post": "2026/12/hello",
        "channel": "bluesky",
        "part": 0,
        "parts": 2,
        "text": "Hello ☕",
        "publish_at": NOW,
        "idempotency_key": "k0",
        "content_hash": "h",
        "title": "Hello",
        "images": (Image(str(tmp_path / "cup.jpg"), "A cup", 300, 200, "image/jpeg", 10),),
        "poll": {"question": "Tea?", "options": ["yes", "no"], "duration_seconds": 3600},
    }
    data.update(kw)
    return Item(**data)  # type: ignore[arg-type]


def outbox(tmp_path: Path) -> OutboxPublisher:
    return OutboxPublisher.from_env({}, {}, {"root": tmp_path, "dist": tmp_path / "dist"})


def test_writes_the_exact_payload_and_copies_images(tmp_path: Path) -> None:
    receipt = outbox(tmp_path).publish(item(tmp_path))
    folder = tmp_path / "dist/outbox/2026/12/hello"
    assert receipt == Receipt(
        "outbox/2026/12/hello/bluesky-0.json",
        None,
        {"file": "dist/outbox/2026/12/hello/bluesky-0.json"},
    )
    data = json.loads((folder / "bluesky-0.json").read_text(encoding="utf-8"))
    assert data["text"] == "Hello ☕"
    assert data["images"] == [
        {
            "path": "bluesky-0-1.jpg",
            "alt": "A cup",
            "width": 300,
            "height": 200,
            "media_type": "image/jpeg",
            "bytes": 10,
        }
    ]
    assert (folder / "bluesky-0-1.jpg").read_bytes() == (tmp_path / "cup.jpg").read_bytes()
    assert data["poll"]["options"] == ["yes", "no"]
    assert data["reply"] is None
    assert "Hello ☕" in (folder / "bluesky-0.json").read_text(encoding="utf-8")  # readable


def test_a_thread_part_says_what_it_replies_to(tmp_path: Path) -> None:
    first = outbox(tmp_path).publish(item(tmp_path))
    second = item(tmp_path, part=1, images=(), poll=None, parent=first, root=first)
    outbox(tmp_path).publish(second)
    data = json.loads((tmp_path / "dist/outbox/2026/12/hello/bluesky-1.json").read_text())
    assert data["reply"]["parent_part"] == 0
    assert data["reply"]["parent"]["remote_id"] == "outbox/2026/12/hello/bluesky-0.json"


def test_idempotent_and_lookup(tmp_path: Path) -> None:
    pub = outbox(tmp_path)
    one = item(tmp_path)
    assert pub.lookup(one) is None
    pub.publish(one)
    pub.publish(one)
    assert pub.lookup(one) is not None
    lines = (tmp_path / "dist/outbox/journal.jsonl").read_text().splitlines()
    assert [json.loads(line)["key"] for line in lines] == ["k0"]
    # a new date is a new publication: it replaces the file and says so in the journal
    moved = item(tmp_path, idempotency_key="k1")
    assert pub.lookup(moved) is None
    pub.publish(moved)
    assert len((tmp_path / "dist/outbox/journal.jsonl").read_text().splitlines()) == 2
