"""The injected "now": only the CLI reads the real clock; everything below receives a datetime.

Builds stay deterministic and tests need no sleeps (``--now 2026-12-01T09:00+01:00``).
"""

from __future__ import annotations

from datetime import UTC, datetime


def parse_now(text: str | None) -> datetime:
    """``--now`` as an aware datetime (UTC when no offset is given); the real clock when None."""
    if text is None:
        return datetime.now(UTC)
    when = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    return when if when.tzinfo else when.replace(tzinfo=UTC)
