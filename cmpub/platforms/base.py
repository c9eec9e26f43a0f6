"""What every channel's rules look like: limits as data (each with its source) plus ``count()``.

A platform module subclasses :class:`Rules`, states its limits as class attributes taken from
``shared/platforms.md`` and overrides :meth:`Rules.count` when the platform does not count
plain grapheme clusters. Everything here is pure: no I/O, no clock, no network.
"""

from __future__ import annotations

import dataclasses
import unicodedata
from dataclasses import dataclass
from typing import Any, ClassVar

import regex

_GRAPHEME = regex.compile(r"\X")
_HASHTAG = regex.compile(r"(?<![\p{L}\p{N}_&/])[#＃]([\p{L}\p{M}\p{N}_]*\p{L}[\p{L}\p{M}\p{N}_]*)")
_MENTION = regex.compile(r"(?<![\p{L}\p{N}_/=@.])@([A-Za-z0-9_][A-Za-z0-9_.-]*)")
_LINK = regex.compile(r"https?://\S+", regex.IGNORECASE)


def graphemes(text: str) -> int:
    """Count extended grapheme clusters (UAX #29, as ICU's ``Intl.Segmenter`` and Ruby do)."""
    if text.isascii():
        # ASCII: every code point is its own cluster, except CR LF which is one.
        return len(text) - text.count("\r\n")
    return len(_GRAPHEME.findall(text))


def utf8_len(text: str) -> int:
    """Length of ``text`` encoded as UTF-8, in bytes (Bluesky's ``maxLength`` unit)."""
    return len(text.encode("utf-8"))


def hashtags(text: str) -> list[str]:
    """The hashtags of a text, without ``#``, in order (for per-platform caps)."""
    return _HASHTAG.findall(text)


def mentions(text: str) -> list[str]:
    """The ``@mentions`` of a text, without ``@``, in order (for per-platform caps)."""
    return _MENTION.findall(text)


def links(text: str) -> list[str]:
    """The ``http(s)://`` links of a text, in order (for link caps such as Threads' 5)."""
    return _LINK.findall(text)


@dataclass(frozen=True)
class Limit:
    """A platform limit with where it comes from; ``firm=False`` marks an unverified one (warn)."""

    value: int
    source: str
    firm: bool = True
    since: str | None = None

    def __int__(self) -> int:
        return self.value


@dataclass(frozen=True)
class Measure:
    """One length of a text in one unit, against its limit (Bluesky has two: graphemes, bytes)."""

    unit: str
    length: int
    limit: int | None
    firm: bool = True

    @property
    def over(self) -> bool:
        """True when the length is over the limit."""
        return self.limit is not None and self.length > self.limit


@dataclass(frozen=True)
class PollRules:
    """The shape of a poll a platform accepts (options, option length, duration in seconds)."""

    min_options: int
    max_options: int
    option_max: int
    min_seconds: int
    max_seconds: int
    source: str
    option_unit: str = "characters"
    question_max: int | None = None
    durations: tuple[int, ...] = ()  # when only fixed durations exist (LinkedIn)
    firm: bool = True


@dataclass(frozen=True)
class Rules:
    """A channel's posting rules. Subclass per platform; instances are immutable.

    ``configured(**changes)`` returns a copy with limits read from ``cmpub.yaml`` (a Mastodon
    instance's ``max_characters``, say), so the data stays here and the numbers stay true.
    """

    id: ClassVar[str] = ""
    name: ClassVar[str] = ""
    unit: ClassVar[str] = "graphemes"
    social: ClassVar[bool] = True  # False for site, outbox, webhook: no text limit of a network

    max_length: Limit | None = None
    max_images: Limit | None = None
    image_max_bytes: Limit | None = None
    image_formats: tuple[str, ...] = ("JPEG", "PNG", "GIF", "WEBP")
    aspect_range: tuple[float, float] | None = None  # (min w/h, max w/h)
    alt_max: Limit | None = None
    alt_unit: str = "characters"
    alt_required: bool = True
    max_hashtags: Limit | None = None
    max_mentions: Limit | None = None
    max_links: Limit | None = None
    poll: PollRules | None = None
    poll_with_images: bool = False
    poll_with_images_firm: bool = True  # False: the exclusion is only reported (⚠), so warn
    threads: bool = False  # can publish a thread (replies to its own post)
    empty_text_ok: bool = False

    def count(self, text: str) -> int:
        """Length of ``text`` in this platform's own unit (default: grapheme clusters)."""
        return graphemes(text)

    def count_post(self, text: str, cw: str | None = None) -> int:
        """Length of a whole post; platforms that count the content warning add it (Mastodon)."""
        return self.count(text)

    def measures(self, text: str) -> tuple[Measure, ...]:
        """Every length this platform limits, with its limit (most have one)."""
        limit = self.max_length
        return (
            Measure(
                self.unit,
                self.count(text),
                limit.value if limit else None,
                limit.firm if limit else True,
            ),
        )

    def count_option(self, text: str) -> int:
        """Length of a poll option in the unit the platform states for options."""
        return graphemes(text) if self.poll and self.poll.option_unit == "graphemes" else len(text)

    def configured(self, **changes: Any) -> Rules:
        """A copy with some limits replaced (values from ``cmpub.yaml`` or the instance API)."""
        return dataclasses.replace(self, **changes)


def nfc(text: str) -> str:
    """Unicode NFC, as X counts and as every platform should receive text."""
    return unicodedata.normalize("NFC", text)
