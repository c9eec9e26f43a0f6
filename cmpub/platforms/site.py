"""The brand's own site: an article page per post; no text limit, alt text required for access."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from cmpub.platforms.base import Limit, Rules


@dataclass(frozen=True)
class SiteRules(Rules):
    """The site channel: any length, any number of images, every image needs an alt text."""

    id: ClassVar[str] = "site"
    name: ClassVar[str] = "Site"
    unit: ClassVar[str] = "characters"
    social: ClassVar[bool] = False

    def count(self, text: str) -> int:
        """Length in code points (informative only: the site has no limit)."""
        return len(text)


RULES = SiteRules(
    alt_max=Limit(
        1000, "WCAG practice: alt text is a short description; use the body for more", False
    ),
    image_formats=("JPEG", "PNG", "GIF", "WEBP"),
)
