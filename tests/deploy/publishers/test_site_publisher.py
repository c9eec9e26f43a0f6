"""The site publisher: the article's address is the Receipt; nothing to look up or send."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from cmpub.deploy.publishers.base import Item
from cmpub.deploy.publishers.site import SitePublisher


def test_the_receipt_is_the_article(tmp_path: Path) -> None:
    pub = SitePublisher.from_env({}, {}, {"root": tmp_path})
    it = Item(
        post="hello",
        channel="site",
        part=0,
        parts=1,
        text="",
        publish_at=datetime(2026, 12, 1, tzinfo=UTC),
        idempotency_key="k",
        content_hash="h",
        article_url="https://cafe.example/hello/",
    )
    receipt = pub.publish(it)
    assert (receipt.remote_id, receipt.url) == ("hello", "https://cafe.example/hello/")
    assert pub.lookup(it) is None  # publishing again changes nothing: always safe
    assert pub.secrets() == ()
    assert not list(tmp_path.iterdir())
