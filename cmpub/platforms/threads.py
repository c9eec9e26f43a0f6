"""Threads (Meta): 500 characters where an emoji counts its UTF-8 bytes, at most 5 links.

Source: shared/platforms.md §6 (developers.facebook.com/docs/threads, read 2026-07/08).
The exact counting rule is not published (⚠): we take the conservative reading, a grapheme
that contains an emoji counts its UTF-8 byte length and any other grapheme counts 1.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import regex

from cmpub.platforms.base import Limit, PollRules, Rules, graphemes

_SRC = "platforms.md §6 Threads (developers.facebook.com/docs/threads)"
_GRAPHEME = regex.compile(r"\X")
_EMOJI = regex.compile(r"\p{Extended_Pictographic}|\p{Regional_Indicator}|\u20e3|\ufe0f")


def count(text: str) -> int:
    """Length as Threads counts it: graphemes, except an emoji grapheme counts its UTF-8 bytes."""
    if not _EMOJI.search(text):
        return graphemes(text)
    total = 0
    for g in _GRAPHEME.findall(text):
        total += len(g.encode("utf-8")) if _EMOJI.search(g) else 1
    return total


@dataclass(frozen=True)
class ThreadsRules(Rules):
    """Threads: 500 counted characters, ≤ 5 unique links, JPEG/PNG ≤ 8 MB, alt ≤ 1000."""

    id: ClassVar[str] = "threads"
    name: ClassVar[str] = "Threads"
    unit: ClassVar[str] = "characters (emoji = UTF-8 bytes)"

    def count(self, text: str) -> int:
        """Length in Threads' unit (see :func:`count`)."""
        return count(text)


RULES = ThreadsRules(
    max_length=Limit(500, _SRC + ": 500 characters, emoji as UTF-8 bytes", since="2026-04-14"),
    max_images=Limit(20, _SRC + ": carousel 2–20 children"),
    image_max_bytes=Limit(8 * 1000 * 1000, _SRC + ": 8 MB JPEG/PNG"),
    image_formats=("JPEG", "PNG"),
    aspect_range=(0.1, 10.0),
    alt_max=Limit(1000, _SRC + ": alt_text ≤ 1,000 characters"),
    max_links=Limit(5, _SRC + ": at most 5 unique links", since="2025-12-22"),
    poll=PollRules(
        min_options=2,
        max_options=4,
        option_max=25,
        min_seconds=0,
        max_seconds=0,
        source=_SRC + ": poll_attachment option_a..option_d, 1–25 chars; duration not settable",
    ),
    poll_with_images=False,
    threads=True,
)
