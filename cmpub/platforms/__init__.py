"""Each channel's posting rules, by channel id: ``RULES["x"].count(text)`` is X's own length.

The registry is explicit (no scanning): a channel exists when it is listed here. Every module
is pure data plus counting (layer L0): no I/O, no network, importable by validate and render.
"""

from __future__ import annotations

from cmpub.platforms import (
    bluesky,
    facebook,
    instagram,
    linkedin,
    mastodon,
    outbox,
    site,
    threads,
    webhook,
    x,
)
from cmpub.platforms.base import Limit, Measure, PollRules, Rules

RULES: dict[str, Rules] = {
    m.RULES.id: m.RULES
    for m in (site, outbox, bluesky, mastodon, x, threads, linkedin, facebook, instagram, webhook)
}

#: Channel ids in the order used everywhere (reports, manifests, previews).
CHANNELS: tuple[str, ...] = tuple(RULES)

#: Names people write for a channel, mapped to its id (for "did you mean").
ALIASES = {
    "twitter": "x",
    "tweet": "x",
    "bsky": "bluesky",
    "masto": "mastodon",
    "toot": "mastodon",
    "fediverse": "mastodon",
    "insta": "instagram",
    "ig": "instagram",
    "fb": "facebook",
    "meta": "facebook",
    "li": "linkedin",
    "blog": "site",
    "web": "site",
    "website": "site",
}


def guess_channel(name: str) -> str | None:
    """The channel id a misspelt or colloquial name most likely means ('twiter' -> 'x')."""
    import difflib

    lowered = name.lower()
    if lowered in ALIASES:
        return ALIASES[lowered]
    close = difflib.get_close_matches(lowered, [*CHANNELS, *ALIASES], n=1, cutoff=0.6)
    return ALIASES.get(close[0], close[0]) if close else None


__all__ = [
    "ALIASES",
    "CHANNELS",
    "RULES",
    "Limit",
    "Measure",
    "PollRules",
    "Rules",
    "guess_channel",
]
