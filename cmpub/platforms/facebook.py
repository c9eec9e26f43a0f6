"""Facebook Page (Graph API): no documented text limit, photos ≤ 10 MB, no API polls.

Source: shared/platforms.md §8 (developers.facebook.com/docs/pages-api, read 2026-07/08).
The 63,206-character figure is folklore (⚠): over it is a warning, never an error.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from cmpub.platforms.base import Limit, Rules

_SRC = "platforms.md §8 Facebook Pages API"


@dataclass(frozen=True)
class FacebookRules(Rules):
    """Facebook Page: text counted in code points against the folklore 63,206 (warning only)."""

    id: ClassVar[str] = "facebook"
    name: ClassVar[str] = "Facebook"
    unit: ClassVar[str] = "characters"

    def count(self, text: str) -> int:
        """Length in code points (Facebook documents no unit and no limit)."""
        return len(text)


RULES = FacebookRules(
    max_length=Limit(63206, _SRC + ": no documented limit; 63,206 is third-party folklore", False),
    max_images=Limit(10, _SRC + ": attached_media, maximum count undocumented", firm=False),
    image_max_bytes=Limit(10 * 1000 * 1000, _SRC + ": photos ≤ 10MB"),
    image_formats=("JPEG", "PNG", "GIF", "BMP", "TIFF"),
    alt_required=False,
    threads=False,
)
