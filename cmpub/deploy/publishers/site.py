"""The site: marks an article published; the ledger record is the whole publication.

The article page itself is written by ``cmpub build`` (it appears once its date has passed);
publishing it through deploy records, in the ledger, that it went out and at which address,
so ``cmpub status`` lists it with its link and the site can link an article to its social
copies. No network, no secret: publishing again is harmless, so :meth:`lookup` says "not
sent" and deploy simply publishes again after a crash.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from cmpub.deploy.publishers.base import Capabilities, Item, Receipt, Secret


class SitePublisher:
    """Answers every item with its article's URL."""

    id: ClassVar[str] = "site"
    name: ClassVar[str] = "Site"
    capabilities: ClassVar[Capabilities] = Capabilities(images=True, alt_text=True, lookup=True)

    @classmethod
    def from_env(
        cls, environ: Mapping[str, str], settings: Mapping[str, Any], context: Mapping[str, Any]
    ) -> SitePublisher:
        """The site needs nothing from the environment."""
        return cls()

    def __repr__(self) -> str:
        return "SitePublisher()"

    def publish(self, item: Item) -> Receipt:
        """The article's address as the Receipt (its id is the post id)."""
        return Receipt(remote_id=item.post, url=item.article_url)

    def lookup(self, item: Item) -> Receipt | None:
        """Always None: "publishing" the site again changes nothing, so it is always safe."""
        return None

    def secrets(self) -> tuple[Secret, ...]:
        """The site holds no secret."""
        return ()
