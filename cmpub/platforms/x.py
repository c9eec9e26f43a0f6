"""X: 280 weighted characters, counted exactly as the official twitter-text 3.1.0 JavaScript.

The weighted length (shared/platforms.md §3, twitter-text @ 30e2430d ``config/v3.json`` and
``js/src/parseTweet.js``): the text is NFC-normalised; each URL, bare ``example.com`` included,
weighs 23; each twemoji-parser 11 emoji sequence weighs 2; every other code point weighs 1 in
U+0000–U+10FF, U+2000–U+200D, U+2010–U+201F, U+2032–U+2037 and 2 elsewhere. A text is valid
when ``0 < weightedLength <= 280`` and it holds none of U+FFFE, U+FEFF, U+FFFF.

The implementation lives in :mod:`cmpub.platforms._twitter` (a re-implementation of the
JavaScript, checked against it on the differential corpus), not in ``twitter-text-parser``, whose
Python port differs from the JavaScript on ``©``/``®``, VS16 emoji and CRLF. Counting does not
normalise line endings: CRLF weighs 2 here as in the JavaScript (cmpub turns CRLF into LF when it
loads a post, before counting and sending).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from cmpub.platforms import _twitter
from cmpub.platforms.base import Limit, PollRules, Rules

_SRC = "platforms.md §3 X (xdevplatform/docs @ 28713281 openapi.json; twitter-text @ 30e2430d)"

MAX_WEIGHTED_LENGTH = _twitter.MAX_WEIGHTED_LENGTH  # config/v3.json maxWeightedTweetLength
# platforms.md §3: at most 1 cashtag per post on self-serve tiers.
MAX_CASHTAGS = Limit(1, _SRC + ": at most 1 cashtag per post (self-serve tiers)")


def parse(text: str) -> tuple[int, bool]:
    """``(weightedLength, valid)`` exactly as twitter-text 3.1.0 ``parseTweet(text)`` returns them."""
    return _twitter.parse(text)


def weighted_length(text: str) -> int:
    """X's weighted length of ``text`` (twitter-text 3.1.0 ``parseTweet(text).weightedLength``)."""
    return _twitter.parse(text)[0]


def extract_urls(text: str) -> list[tuple[int, int, str]]:
    """The URLs X counts as 23: twitter-text ``extractUrlsWithIndices`` (code point indices)."""
    return _twitter.extract_urls(text)


@dataclass(frozen=True)
class XRules(Rules):
    """X (API v2): 280 weighted characters, 4 images, alt text ≤ 1000, polls, threads."""

    id: ClassVar[str] = "x"
    name: ClassVar[str] = "X"
    unit: ClassVar[str] = "weighted characters"

    def count(self, text: str) -> int:
        """Weighted length, as twitter-text 3.1.0 ``parseTweet`` computes it."""
        return _twitter.parse(text)[0]

    def valid(self, text: str) -> bool:
        """twitter-text's verdict: non-empty, ≤ 280 weighted, no U+FFFE / U+FEFF / U+FFFF."""
        return _twitter.parse(text)[1]


RULES = XRules(
    max_length=Limit(MAX_WEIGHTED_LENGTH, _SRC + ": 280 weighted characters (config/v3.json)"),
    max_images=Limit(4, _SRC + ": CreatePostsMedia media_ids 1–4 (photos; or 1 GIF or 1 video)"),
    image_max_bytes=Limit(5 * 1000 * 1000, _SRC + ": images ≤ 5 MB (animated GIF 15 MB)"),
    image_formats=("JPEG", "PNG", "GIF", "WEBP"),
    alt_max=Limit(1000, _SRC + ": CreateMediaMetadataMetadataAltText text maxLength 1000"),
    alt_required=False,
    max_hashtags=None,
    poll=PollRules(
        min_options=2,
        max_options=4,
        option_max=25,  # CreatePostsPoll options 1–25 characters (unit not stated ⚠)
        min_seconds=5 * 60,  # duration_minutes 5 ...
        max_seconds=10_080 * 60,  # ... 10,080 (7 days)
        source=_SRC + ": CreatePostsPoll options 2–4 × 1–25 chars, duration_minutes 5–10,080",
    ),
    poll_with_images=False,  # widely reported, not in the OpenAPI (⚠)
    poll_with_images_firm=False,
    threads=True,  # reply.in_reply_to_tweet_id (self-replies under the 2026-02-23 rule: ⚠)
)

__all__ = ["MAX_CASHTAGS", "RULES", "XRules", "extract_urls", "parse", "weighted_length"]
