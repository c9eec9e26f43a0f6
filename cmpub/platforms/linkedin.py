"""LinkedIn (Posts API): 3000 characters (⚠ unverified), little-format escaping, 1 or 2–20 images.

Source: shared/platforms.md §7 (learn.microsoft.com, LinkedIn Marketing API, 2026-05). The
3000 limit and its unit are not in the API schema (⚠), so going over it is a warning.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from cmpub.platforms.base import Limit, PollRules, Rules

_SRC = "platforms.md §7 LinkedIn (Posts API, little text format)"

#: Characters LinkedIn's "little" text format reserves; each must be escaped with a backslash.
RESERVED = frozenset("\\|{}@[]()<>#*_~")


def escape(text: str) -> str:
    """Escape every reserved little-format character (an unescaped one silently cuts the post)."""
    return "".join("\\" + c if c in RESERVED else c for c in text)


@dataclass(frozen=True)
class LinkedInRules(Rules):
    """LinkedIn: 3000 characters (UI figure ⚠), counted before escaping."""

    id: ClassVar[str] = "linkedin"
    name: ClassVar[str] = "LinkedIn"
    unit: ClassVar[str] = "characters"

    def count(self, text: str) -> int:
        """Length as LinkedIn's UI shows it: code points of the unescaped text (unit ⚠)."""
        return len(text)


RULES = LinkedInRules(
    max_length=Limit(3000, _SRC + ": 3000 from LinkedIn's UI, not in the API schema", firm=False),
    max_images=Limit(20, _SRC + ": one image, or multiImage 2–20"),
    image_formats=("JPEG", "PNG", "GIF"),
    alt_max=Limit(4086, _SRC + ": altText ≤ 4086 (two implementations citing the schema)", False),
    poll=PollRules(
        min_options=2,
        max_options=4,
        option_max=30,
        min_seconds=86400,
        max_seconds=14 * 86400,
        durations=(86400, 3 * 86400, 7 * 86400, 14 * 86400),
        question_max=140,
        source=_SRC + ": 2–4 options; ONE_DAY, THREE_DAYS, SEVEN_DAYS, FOURTEEN_DAYS",
        firm=False,
    ),
    poll_with_images=False,
    threads=False,
)
