"""The outbox: writes each exact payload under ``dist/outbox/``; no account, no limit."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from cmpub.platforms.base import Rules


@dataclass(frozen=True)
class OutboxRules(Rules):
    """The embedded default channel: accepts any text and any images, like a local mailbox."""

    id: ClassVar[str] = "outbox"
    name: ClassVar[str] = "Outbox"
    unit: ClassVar[str] = "graphemes"
    social: ClassVar[bool] = False


RULES = OutboxRules(alt_required=False)
