"""Every link of the built site resolves on a real web server, whatever the post files are called.

A site with posts named ``mon café.md``, ``日本語.md`` and a bundle ``Été à Lyon/`` (with an
image called ``ma photo.png``) and non-ASCII tags is built, exported as GitHub Pages gets it
(``cmpub export-site``), served by the standard library's ``http.server`` in a thread, and
crawled: every ``href`` and ``src`` of every page, and every address in the feeds and the
sitemap (the site's own URL mapped to the local server), must answer 200.
"""

from __future__ import annotations

import json
import re
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from datetime import UTC, datetime
from functools import partial
from html.parser import HTMLParser
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urljoin, urlsplit
from xml.etree import ElementTree

import pytest

from cmpub.build.output import export
from cmpub.build.pipeline import build
from cmpub.model import ids
from cmpub.render.validate import validate_project
from tests.support.project import CONFIG, MakeProject, png

SITE = "https://cafe.example"
NOW = datetime(2027, 1, 1, tzinfo=UTC)


def post(title: str, day: int, extra: str = "") -> str:
    return (
        f"---\ntitle: {title}\ndate: 2026-12-{day:02d} 10:00\nchannels: [site, bluesky]\n"
        f"{extra}---\nLe texte de « {title} ».\n"
    )


FILES: dict[str, str] = {
    "content/mon café.md": post("Mon café", 1, "tags: [café, 日本]\n"),
    "content/日本語.md": post("日本語の記事", 2, "tags: [日本]\n"),
    "content/2026/12/Été à Lyon/index.md": post(
        "Été à Lyon", 3, "images:\n  - src: ma photo.png\n    alt: Une terrasse\n"
    ),
    "content/launch.md": post("Launch", 4, "tags: [Lyon]\n"),
    "content/Straße & Co (1).md": post("Straße", 5),
}


class _Links(HTMLParser):
    """Every href and src of an HTML document."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name in ("href", "src") and value:
                self.found.append(value)


def _html_links(text: str) -> list[str]:
    parser = _Links()
    parser.feed(text)
    return parser.found


def _xml_links(text: str) -> list[str]:
    root = ElementTree.fromstring(text)
    out = []
    for el in root.iter():
        tag = el.tag.rsplit("}", 1)[-1]
        if tag in ("link", "loc", "guid", "url", "icon", "logo") and (el.text or "").strip():
            out.append(el.text.strip())
        if el.get("href"):
            out.append(el.get("href", ""))
        if tag in ("description", "content", "encoded") and el.text and "<" in el.text:
            out += _html_links(el.text)
    return out


@pytest.fixture
def served(make_project: MakeProject, tmp_path: Path) -> Iterator[tuple[str, Path]]:
    root = make_project({**FILES}, config=CONFIG)
    png(root / "content/2026/12/Été à Lyon/ma photo.png")
    assert validate_project(root).errors == []
    build(root, now=NOW, jobs=1)
    dist = root / "dist"
    manifest = json.loads((dist / "manifest.json").read_text(encoding="utf-8"))
    public = tmp_path / "pages"
    export(dist, manifest["site_files"], public)
    handler = partial(_Quiet, directory=str(public))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/", public
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


def _crawl(base: str) -> tuple[dict[str, int], dict[str, str]]:
    """Status of every internal address reachable from the home page, feeds and sitemap,
    and for each address the page that links to it."""
    todo = [base, base + "feed.xml", base + "atom.xml", base + "sitemap.xml", base + "404.html"]
    status: dict[str, int] = {}
    came_from: dict[str, str] = {u: "(start)" for u in todo}
    while todo:
        url = todo.pop()
        if url in status:
            continue
        try:
            with urllib.request.urlopen(url) as response:
                status[url] = response.status
                kind = response.headers.get_content_type()
                data = response.read()
        except urllib.error.HTTPError as exc:
            status[url] = exc.code
            continue
        if kind == "text/html":
            found = _html_links(data.decode("utf-8"))
        elif kind.endswith("xml"):
            found = _xml_links(data.decode("utf-8"))
        else:
            continue
        for link in found:
            if link.startswith(SITE):
                link = base + link[len(SITE) + 1 :]
            target = urljoin(url, link).split("#")[0]
            if urlsplit(target).netloc != urlsplit(base).netloc:
                continue  # the brand's accounts, share links: not this site
            assert target.isascii() and " " not in target, f"{target!r} (on {url}) is not URL-safe"
            came_from.setdefault(target, url)
            todo.append(target)
    return status, came_from


def test_every_link_of_the_site_answers_200_on_a_real_server(served: tuple[str, Path]) -> None:
    base, _ = served
    status, came_from = _crawl(base)
    broken = {
        u: f"{code} (linked from {came_from[u]})" for u, code in status.items() if code != 200
    }
    assert broken == {}
    pages = {urlsplit(u).path for u in status}
    assert {
        "/mon-cafe/",
        "/%E6%97%A5%E6%9C%AC%E8%AA%9E/",
        "/2026/12/Ete-a-Lyon/",
        "/launch/",
        "/Strasse-Co-1/",
        "/tags/cafe/",
        "/tags/%E6%97%A5%E6%9C%AC/",
    } <= pages
    assert any(p.startswith("/media/2026/12/") and p.endswith(".site.jpg") for p in pages)


def test_the_pages_are_written_at_their_slugs(served: tuple[str, Path]) -> None:
    _, public = served
    assert (public / "mon-cafe/index.html").is_file()
    assert (public / "日本語/index.html").is_file()
    assert (public / "2026/12/Ete-a-Lyon/index.html").is_file()
    assert (public / "tags/日本/index.html").is_file()
    assert not list(public.glob("**/*%*"))  # no percent-encoded name on disk


def test_ids_are_the_paths_and_social_links_use_the_slug(make_project: MakeProject) -> None:
    root = make_project({**FILES})
    png(root / "content/2026/12/Été à Lyon/ma photo.png")
    report = validate_project(root)
    by_id = {p.id: p for p in report.posts}
    assert sorted(by_id) == [
        "2026/12/Été à Lyon",
        "Straße & Co (1)",
        "launch",
        "mon café",
        "日本語",
    ]  # the ledger keys: unchanged file paths
    assert by_id["mon café"].slug == "mon-cafe"
    copy = report.copies[("mon café", "bluesky")]
    assert copy.links == (
        (
            "cafe.example/mon-cafe",
            "https://cafe.example/mon-cafe/"
            "?utm_source=bluesky&utm_medium=social&utm_campaign=mon+caf%C3%A9",
        ),
    )


@pytest.mark.parametrize(
    ("post_id", "expected"),
    [
        ("launch", "launch"),
        ("2026/12/black-friday_v1.2~x", "2026/12/black-friday_v1.2~x"),
        ("a--b", "a--b"),
        ("mon café", "mon-cafe"),
        ("Mon Café !", "Mon-Cafe"),
        ("  œuf & frères", "oeuf-freres"),
        ("Straße", "Strasse"),
        ("日本語", "日本語"),
        ("東京 café", "東京-cafe"),
        ("ｆｕｌｌ", "full"),
        ("a - b", "a-b"),
        ("x/déjà vu/y", "x/deja-vu/y"),
    ],
)
def test_slugs(post_id: str, expected: str) -> None:
    assert ids.slug(post_id) == expected


def test_the_demo_keeps_its_addresses() -> None:
    demo = Path(__file__).resolve().parents[2]
    report = validate_project(demo)
    assert report.posts
    for p in report.posts:
        assert p.slug == p.id and re.fullmatch(r"[a-z0-9/-]+", p.id), p.id
