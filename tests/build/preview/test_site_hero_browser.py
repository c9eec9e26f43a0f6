"""The site shows pictures whole: an article's portrait poster in real Chromium, phone and desktop.

(Here beside the studio's browser tests for their ``browser`` fixture: Debian chromium through
Playwright.)
"""

from __future__ import annotations

from pathlib import Path

import pytest

from cmpub.build.pipeline import build
from tests.support.project import MakeProject, png

POST = """\
---
title: Atelier
date: 2026-12-01 10:00
channels: [site]
summary: Un atelier.
images:
  - {src: poster.png, alt: "L'affiche de l'atelier"}
---
Le texte.
"""


@pytest.mark.parametrize(
    ("viewport", "file"),
    [((390, 844), "01-poster.site-phone.jpg"), ((1366, 768), "01-poster.site.jpg")],
    ids=["phone", "desktop"],
)
def test_article_hero_is_never_cropped(
    make_project: MakeProject, browser: object, viewport: tuple[int, int], file: str
) -> None:
    root = make_project({"content/atelier/index.md": POST})
    png(root / "content" / "atelier" / "poster.png", (1600, 2000))
    from datetime import UTC, datetime

    build(root, now=datetime(2027, 1, 1, tzinfo=UTC), jobs=1)
    page = browser.new_page(viewport={"width": viewport[0], "height": viewport[1]})  # type: ignore[attr-defined]
    try:
        page.goto((root / "dist" / "atelier" / "index.html").as_uri())
        page.wait_for_load_state("load")
        shown = page.evaluate(
            """() => { const i = document.querySelector('.hero picture img');
                const r = i.getBoundingClientRect(), s = getComputedStyle(i);
                return {w: r.width, h: r.height, nw: i.naturalWidth, nh: i.naturalHeight,
                        fit: s.objectFit, src: i.currentSrc}; }"""
        )
    finally:
        page.close()
    assert Path(shown["src"]).name == file  # phones get the 800 px file
    assert shown["fit"] == "fill"  # no object-fit: cover
    assert shown["w"] / shown["h"] == pytest.approx(1600 / 2000, rel=0.01)  # the whole poster
    assert shown["h"] <= viewport[1]  # and all of it fits on the screen at once
