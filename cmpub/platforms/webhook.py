"""The webhook: POSTs the manifest entry as signed JSON (Slack, Discord, Zapier, a newsletter)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from cmpub.platforms.base import Rules


@dataclass(frozen=True)
class WebhookRules(Rules):
    """A webhook has no text limit of its own: the receiver decides what it accepts."""

    id: ClassVar[str] = "webhook"
    name: ClassVar[str] = "Webhook"
    unit: ClassVar[str] = "graphemes"
    social: ClassVar[bool] = False


RULES = WebhookRules(alt_required=False)
