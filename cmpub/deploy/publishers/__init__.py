"""Publishers (layer L4): one class per network, the same interface, an explicit registry.

``PUBLISHERS`` maps every channel id to ``"module:Class"``. A class is imported only when
deploy needs it (:func:`get_publisher_class`), and each module imports its network library
inside its functions, so importing this package stays cheap.

A channel whose module does not exist yet (X, Threads, LinkedIn, Facebook, Instagram today)
raises :class:`NoPublisher` at plan time; deploy skips its posts with a warning that says so
(never silently) and ``cmpub status`` repeats it. Adding ``cmpub/publishers/x.py`` with an
``XPublisher`` class is all it takes to turn the channel on.
"""

from __future__ import annotations

import importlib

from cmpub.deploy.publishers.base import Publisher
from cmpub.model.errors import CmpubError
from cmpub.platforms import RULES

PUBLISHERS: dict[str, str] = {
    "site": "cmpub.deploy.publishers.site:SitePublisher",
    "outbox": "cmpub.deploy.publishers.outbox:OutboxPublisher",
    "bluesky": "cmpub.deploy.publishers.bluesky:BlueskyPublisher",
    "mastodon": "cmpub.deploy.publishers.mastodon:MastodonPublisher",
    "x": "cmpub.deploy.publishers.x:XPublisher",
    "threads": "cmpub.deploy.publishers.threads:ThreadsPublisher",
    "linkedin": "cmpub.deploy.publishers.linkedin:LinkedinPublisher",
    "facebook": "cmpub.deploy.publishers.facebook:FacebookPublisher",
    "instagram": "cmpub.deploy.publishers.instagram:InstagramPublisher",
    "webhook": "cmpub.deploy.publishers.webhook:WebhookPublisher",
}


class NoPublisher(CmpubError):
    """The channel has no publisher in this installation: its posts are not sent."""

    def __init__(self, channel: str) -> None:
        name = RULES[channel].name if channel in RULES else channel
        super().__init__(f"{name} has no publisher yet: its posts stay in the outbox")
        self.channel = channel


def get_publisher_class(channel: str) -> type[Publisher]:
    """The publisher class of ``channel``, imported now; NoPublisher when it does not exist."""
    target = PUBLISHERS.get(channel)
    if target is None:
        raise NoPublisher(channel)
    module_name, _, attr = target.partition(":")
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        if exc.name != module_name:
            raise  # the module exists but one of its own imports is missing: a real error
        raise NoPublisher(channel) from None
    try:
        return getattr(module, attr)  # type: ignore[no-any-return]
    except AttributeError:
        raise NoPublisher(channel) from None


def available(channel: str) -> bool:
    """True when ``channel`` has a publisher module in this installation (without importing it)."""
    import importlib.util

    target = PUBLISHERS.get(channel)
    if target is None:
        return False
    try:
        return importlib.util.find_spec(target.partition(":")[0]) is not None
    except ModuleNotFoundError:
        return False


__all__ = ["PUBLISHERS", "NoPublisher", "available", "get_publisher_class"]
