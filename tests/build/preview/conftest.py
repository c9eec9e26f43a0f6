"""Fixtures of the preview tests: a small real project, a running ``cmpub preview``, a browser.

The project is written inline (four posts, a real JPEG) into a temporary folder; the preview
runs as a real subprocess on a free port (``--port 0``); the browser is Debian's ``chromium``
driven by Playwright. Browser tests skip with the reason when chromium or Playwright is missing,
and fail instead when ``CMPUB_REQUIRE_BROWSER=1`` (CI sets it, after tests/support/browser/setup.sh).
"""

from __future__ import annotations

import http.client
import json
import os
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

# Read before the autouse fixture that clears CMPUB_* variables from every test's environment.
REQUIRE_BROWSER = os.environ.get("CMPUB_REQUIRE_BROWSER") == "1"
CHROMIUM_PATHS = ("/usr/lib/chromium/chromium", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
NOW = "2026-11-20T10:00+01:00"

CONFIG = """\
site:
  title: Café Canut
  url: https://cafe.example
  language: fr
brand:
  name: Café Canut
  logo: assets/logo.png
  colors: {primary: "#6b2d1a", accent: "#f2b134", text: "#ffffff", background: "#1e1410"}
timezone: Europe/Paris
defaults:
  channels: [site, bluesky, mastodon, x, linkedin]
  time: "09:30"
channels:
  site: {}
  bluesky: {handle: cafe.bsky.social}
  mastodon: {handle: "@cafe@piaille.example", instance: https://piaille.example}
  x: {handle: "@CafeCanut"}
  linkedin: {name: Café Canut SAS}
utm:
  domains: [cafe.example]
cadence:
  default: {max_gap_days: 5, max_per_day: 2, min_gap_minutes: 60}
  quiet_hours: ["22:00", "07:00"]
"""

LAUNCH = """\
---
id: launch
title: "Nouveau : le Guji d'Éthiopie"
date: 2026-12-01 09:30
summary: "Le Guji est arrivé : pêche blanche et jasmin. https://cafe.example/guji #cafe"
images:
  - src: photo.jpg
    alt: "Un sachet de café kraft sur un comptoir en bois"
tags: [cafe, lyon]
---
Le **Guji** est arrivé à la boutique.
"""

POLL = """\
---
id: sondage
title: Sondage du mois
date: 2026-12-03 10:00
channels: [mastodon, x]
summary: "Quel café pour janvier ? Votez !"
poll:
  question: Quel café pour janvier ?
  options: [Colombie, Kenya, Brésil]
  duration: 1d
tags: [sondage]
---
Votez.
"""

LATER = """\
---
id: plus-tard
title: Deux semaines plus tard
date: 2026-12-15 09:30
channels: [site, bluesky]
summary: "Deux semaines sans nouvelles sur Bluesky, ça fait long."
tags: [lyon]
---
Un article.
"""

DRAFT = """\
---
id: brouillon
title: Un brouillon
date: 2026-12-20 09:30
status: draft
channels: [site, x]
summary: "Pas encore prêt."
---
Texte.
"""


def photo(path: Path) -> None:
    """A real photo-like JPEG (gradient and shapes), 1200×800."""
    from PIL import Image, ImageDraw

    img = Image.new("RGB", (1200, 800), "#3b1e12")
    draw = ImageDraw.Draw(img)
    for y in range(0, 800, 8):
        draw.rectangle([0, y, 1200, y + 8], fill=(59 + y // 10, 30 + y // 20, 18))
    draw.ellipse([420, 180, 780, 620], fill="#c8a27a", outline="#f2b134", width=12)
    draw.rectangle([520, 300, 680, 560], fill="#8a5a3b")
    path.parent.mkdir(parents=True, exist_ok=True)
    img.save(path, "JPEG", quality=88)


def write_project(root: Path) -> Path:
    """Write the small project into ``root`` and return it."""
    from PIL import Image

    root.mkdir(parents=True, exist_ok=True)
    (root / "cmpub.yaml").write_text(CONFIG, encoding="utf-8")
    files = {
        "content/2026/12/launch/index.md": LAUNCH,
        "content/2026/12/sondage.md": POLL,
        "content/2026/12/plus-tard.md": LATER,
        "content/2026/12/brouillon.md": DRAFT,
    }
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text, encoding="utf-8")
    photo(root / "content/2026/12/launch/photo.jpg")
    (root / "assets").mkdir(exist_ok=True)
    Image.new("RGB", (256, 256), "#6b2d1a").save(root / "assets/logo.png")
    return root


@dataclass
class Preview:
    """A running ``cmpub preview`` subprocess."""

    root: Path
    url: str
    process: subprocess.Popen[str]
    log: list[str] = field(default_factory=list)
    reader: threading.Thread | None = None

    @property
    def port(self) -> int:
        return int(self.url.rstrip("/").rsplit(":", 1)[1])

    @property
    def out(self) -> Path:
        return self.root / ".cmpub-cache" / "preview" / "site"

    def manifest(self) -> dict:
        return json.loads((self.out / "manifest.json").read_text(encoding="utf-8"))

    def state(self) -> dict:
        return json.loads(self.get("/_studio/state.json")[2])

    def get(self, path: str, headers: dict[str, str] | None = None) -> tuple[int, dict, bytes]:
        """A raw GET (the path is sent as is: no client-side normalisation of '..')."""
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        try:
            conn.putrequest("GET", path, skip_host=bool(headers and "Host" in headers))
            for k, v in (headers or {}).items():
                conn.putheader(k, v)
            conn.endheaders()
            r = conn.getresponse()
            return r.status, dict(r.getheaders()), r.read()
        finally:
            conn.close()

    def wait_state(self, predicate, timeout: float = 20.0) -> dict:
        """Poll /_studio/state.json until ``predicate(state)``."""
        end = time.monotonic() + timeout
        state: dict = {}
        while time.monotonic() < end:
            state = self.state()
            if predicate(state):
                return state
            time.sleep(0.05)
        raise AssertionError(f"preview state never matched; last: {state}; log: {self.log[-10:]}")

    def edit(self, rel: str, text: str) -> None:
        (self.root / rel).write_text(text, encoding="utf-8")


def start_preview(root: Path, *extra: str) -> Preview:
    """Start ``cmpub preview`` on a free port and wait for its address."""
    cmd = [sys.executable, "-m", "cmpub", "preview", str(root), "--port", "0", "--now", NOW, *extra]
    env = {k: v for k, v in os.environ.items() if not k.startswith("CMPUB_")}
    proc = subprocess.Popen(
        cmd,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        cwd=root,
        env=env,
    )
    log: list[str] = []
    found: list[str] = []
    ready = threading.Event()

    def read() -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            log.append(line.rstrip("\n"))
            if "serving" in line and "http://" in line and not found:
                found.append(line.split("http://", 1)[1].split()[0])
                ready.set()
        ready.set()

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    running = Preview(root, "http://" + (found[0] if found else "-"), proc, log, reader)
    if not ready.wait(60) or not found:
        stop_preview(running)
        raise AssertionError("cmpub preview did not start:\n" + "\n".join(log))
    running.url = "http://" + found[0]
    return running


def stop_preview(preview: Preview) -> None:
    preview.process.terminate()
    try:
        preview.process.wait(10)
    except subprocess.TimeoutExpired:
        preview.process.kill()
        preview.process.wait(5)
    if preview.reader is not None:
        preview.reader.join(5)
    if preview.process.stdout is not None:
        preview.process.stdout.close()


@pytest.fixture(scope="module")
def preview(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Preview]:
    """A small project served by a real ``cmpub preview`` (one per test module)."""
    root = write_project(tmp_path_factory.mktemp("preview") / "project")
    running = start_preview(root)
    yield running
    stop_preview(running)


# ----------------------------------------------------------------------------- browser


def chromium_path() -> str | None:
    """The Debian chromium binary, when installed."""
    for path in CHROMIUM_PATHS:
        if Path(path).is_file() and os.access(path, os.X_OK):
            return path
    found = shutil.which("chromium")
    return found


def _missing(reason: str) -> None:
    if REQUIRE_BROWSER:
        pytest.fail(f"CMPUB_REQUIRE_BROWSER=1 but {reason} (run tests/support/browser/setup.sh)")
    pytest.skip(f"{reason}: run tests/support/browser/setup.sh to install it")


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    """Headless Debian chromium through Playwright (skips, or fails under CI, when absent)."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _missing("Playwright is not installed")
        return
    path = chromium_path()
    if path is None:
        _missing("chromium is not installed")
        return
    with sync_playwright() as pw:
        instance = pw.chromium.launch(executable_path=path, args=CHROMIUM_ARGS)
        yield instance
        instance.close()


@dataclass
class Page:
    """A browser page that records console errors and page errors."""

    page: object
    errors: list[str]


@pytest.fixture
def page(browser: object) -> Iterator[Page]:
    """A fresh page (1280×900) that collects console errors; the test checks ``errors``."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})  # type: ignore[attr-defined]
    pg = context.new_page()
    errors: list[str] = []
    pg.on("console", lambda m: errors.append(f"console: {m.text}") if m.type == "error" else None)
    pg.on("pageerror", lambda e: errors.append(f"pageerror: {e}"))
    pg.set_default_timeout(15000)
    yield Page(pg, errors)
    context.close()
