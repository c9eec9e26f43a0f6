"""Instagram (Graph API content publishing): caption 2200, ≤ 30 hashtags, ≤ 20 @-tags, JPEG only.

Source: shared/platforms.md §9 (developers.facebook.com/docs/instagram-platform, 2026-07/08).
Instagram publishes images only: a post without an image cannot go to Instagram.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from cmpub.platforms.base import Limit, Rules

_SRC = "platforms.md §9 Instagram content publishing"


@dataclass(frozen=True)
class InstagramRules(Rules):
    """Instagram: 2200 caption characters (unit ⚠: code points), JPEG 4:5 to 1.91:1."""

    id: ClassVar[str] = "instagram"
    name: ClassVar[str] = "Instagram"
    unit: ClassVar[str] = "characters"

    #: Instagram cannot publish a caption alone.
    min_images: ClassVar[int] = 1

    def count(self, text: str) -> int:
        """Caption length in code points (Meta does not state the unit, ⚠)."""
        return len(text)


RULES = InstagramRules(
    max_length=Limit(2200, _SRC + ": Maximum 2200 characters"),
    max_images=Limit(10, _SRC + ": carousel limited to 10 images"),
    image_max_bytes=Limit(8 * 1000 * 1000, _SRC + ": ≤ 8 MB"),
    image_formats=("JPEG",),
    aspect_range=(4 / 5, 1.91),
    alt_max=Limit(1000, _SRC + ": alt_text length undocumented", firm=False),
    max_hashtags=Limit(30, _SRC + ": 30 hashtags"),
    max_mentions=Limit(20, _SRC + ": 20 @ tags"),
    threads=False,
)
