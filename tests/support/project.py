"""Constants and small helpers shared by the tests (fixtures live in conftest.py)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

CONFIG = """\
site:
  title: Test Café
  url: https://cafe.example
  language: fr
timezone: Europe/Paris
defaults:
  channels: [site, bluesky, mastodon, x]
  time: "09:30"
channels:
  site: {}
  outbox: {}
  bluesky: {handle: cafe.bsky.social}
  mastodon: {handle: "@cafe@social.example", instance: https://social.example}
  x: {handle: "@cafe"}
  threads: {handle: cafe}
  linkedin: {name: Café}
  facebook: {name: Café}
  instagram: {handle: cafe}
"""

POST = """\
---
title: Hello
date: 2026-12-01 10:00
channels: [site, bluesky, mastodon, x]
summary: "A short hello from the café."
---
Body of the article.
"""

MakeProject = Callable[..., Path]


def png(path: Path, size: tuple[int, int] = (1200, 800), color: str = "#6b2d1a") -> None:
    """Write a small real PNG image."""
    from PIL import Image

    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", size, color).save(path)
