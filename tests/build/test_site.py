"""The brand's site: which posts appear, what each page says, safe HTML, valid feeds, same bytes."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from html.parser import HTMLParser
from pathlib import Path

import pytest

from cmpub.build.site import (
    LOGO_PATH,
    SiteImage,
    SocialCopy,
    contrast,
    first_sentence,
    human_date,
    palette,
    profile_url,
    render_site,
    site_posts,
    tag_slug,
    typography,
)
from cmpub.model.project import Config, Post
from cmpub.read.config import load_config
from cmpub.read.posts import Loader
from cmpub.render.templates import TemplateProblem, Templates
from tests.support.project import MakeProject

ROOT = Path(__file__).resolve().parents[2]
NOW = datetime(2027, 2, 1, tzinfo=UTC)
NS = {
    "atom": "http://www.w3.org/2005/Atom",
    "content": "http://purl.org/rss/1.0/modules/content/",
    "sm": "http://www.sitemaps.org/schemas/sitemap/0.9",
}


# ----------------------------------------------------------------------------- helpers


class Tags(HTMLParser):
    """Every start tag of a page as (tag, attrs), and the text inside <h1>."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.h1: list[str] = []
        self._in_h1 = False
        self.feed(text)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        self._in_h1 = self._in_h1 or tag == "h1"

    def handle_endtag(self, tag: str) -> None:
        if tag == "h1":
            self._in_h1 = False

    def handle_data(self, data: str) -> None:
        if self._in_h1:
            self.h1.append(data)

    def all(self, tag: str, **where: str) -> list[dict[str, str | None]]:
        return [
            a for t, a in self.tags if t == tag and all(a.get(k) == v for k, v in where.items())
        ]

    def meta(self, key: str) -> str | None:
        for attrs in self.all("meta"):
            if key in (attrs.get("property"), attrs.get("name")):
                return attrs.get("content")
        return None


def fake_images(posts: list[Post]) -> tuple[dict[str, list[SiteImage]], dict[str, SiteImage]]:
    """SiteImage entries where the build would put them: media/<id>/<name>.site.<ext>."""
    images: dict[str, list[SiteImage]] = {}
    og: dict[str, SiteImage] = {}
    for post in posts:
        found = [
            SiteImage(
                f"media/{post.id}/{Path(i.file).stem}.site{Path(i.file).suffix}",
                i.width,
                i.height,
                i.alt,
            )
            for i in post.fields.images
        ]
        if found:
            images[post.id] = found
            og[post.id] = SiteImage(f"media/{post.id}/og.jpg", 1200, 630, found[0].alt)
    return images, og


def build(
    root: Path,
    social: dict[str, list[SocialCopy]] | None = None,
    now: datetime = NOW,
) -> tuple[Config, list[Post], dict[str, bytes]]:
    config = load_config(root)
    loaded = Loader(config).load_all()
    assert [str(p) for p in loaded.problems] == []
    images, og = fake_images(loaded.posts)
    files = render_site(loaded.posts, config, Templates(root), now, images, og, social or {})
    return config, loaded.posts, files


SOCIAL = {
    "guji": [
        SocialCopy("x", "https://x.com/BrulerieCanuts/status/1"),
        SocialCopy("bluesky", "https://bsky.app/profile/brulerie-canuts.bsky.social/post/3k"),
        SocialCopy("mastodon", "javascript:alert(1)"),
    ],
    "sondage-cafe-2027": [SocialCopy("mastodon", "https://piaille.example/@brulerie/2")],
}


@pytest.fixture(scope="module")
def demo() -> tuple[Config, list[Post], dict[str, bytes]]:
    return build(ROOT, SOCIAL)


def page(files: dict[str, bytes], path: str) -> str:
    return files[path].decode("utf-8")


def post_file(**front: str) -> str:
    lines = "\n".join(f"{k}: {v}" for k, v in front.items())
    return f"---\n{lines}\n---\n"


# ----------------------------------------------------------------------------- which posts


def test_every_ready_site_post_has_a_page_and_drafts_do_not(demo) -> None:
    _, posts, files = demo
    shown = [p for p in posts if "site" in p.channels and p.status == "ready" and p.date <= NOW]
    assert len(shown) == 18
    for post in shown:
        assert f"{post.id}/index.html" in files
    drafts = [p for p in posts if p.status == "draft"]
    assert drafts
    for post in drafts:
        assert f"{post.id}/index.html" not in files
        assert post.title not in page(files, "index.html")
    assert {"index.html", "feed.xml", "atom.xml", "sitemap.xml", "robots.txt", "404.html"} <= set(
        files
    )
    assert "style.css" in files and "tags/index.html" in files


def test_future_posts_and_other_channels_are_not_on_the_site(make_project: MakeProject) -> None:
    root = make_project(
        {
            "content/now.md": post_file(title="Now", date="2027-01-10 10:00") + "Here.\n",
            "content/later.md": post_file(title="Later", date="2027-02-01 10:00") + "Soon.\n",
            "content/draft.md": post_file(title="Draft", date="2027-01-10 10:00", status="draft")
            + "Not yet.\n",
            "content/social-only.md": post_file(
                title="Social", date="2027-01-10 10:00", channels="[bluesky]"
            )
            + "Elsewhere.\n",
        }
    )
    _, posts, files = build(root)
    pages = {p for p in files if p.endswith("/index.html") and not p.startswith("tags/")}
    assert pages == {"now/index.html"}
    # 2027-02-01 10:00 Paris is 09:00 UTC: due an hour later, it is on the site then.
    later = datetime(2027, 2, 1, 9, 0, tzinfo=UTC)
    assert [p.id for p in site_posts(posts, later)] == ["later", "now"]


def test_home_lists_posts_newest_first_with_summary_date_and_thumbnail(demo) -> None:
    _, posts, files = demo
    home = page(files, "index.html")
    order = re.findall(r'class="card-link" href="([^"]+)/"', home)
    expected = [p.id for p in site_posts(posts, NOW)]
    assert order == expected
    assert "25 janvier 2027" in home  # the site's language style
    assert "1er janvier 2027" in home
    guji = next(p for p in posts if p.id == "guji")
    assert guji.fields.summary and typography(guji.fields.summary, "fr") in home
    assert 'src="media/guji/guji-bag.site.jpg"' in home


# ----------------------------------------------------------------------------- safety


def test_raw_html_and_script_links_in_a_post_never_reach_the_page(
    make_project: MakeProject,
) -> None:
    body = (
        "<script>alert('body')</script>\n\n"
        'Text <img src=x onerror="alert(1)"> and <b onclick="x()">bold</b>.\n\n'
        "[a](javascript:alert(2)) [b](javascript&#58;alert(3)) [c](JaVa\tScRiPt:alert(4))\n\n"
        "![pic](javascript:alert(5))\n\n"
        "[ok](https://elsewhere.example/x) [home](https://cafe.example/menu)\n"
    )
    root = make_project(
        {
            "content/evil.md": post_file(
                title="\"<script>alert('title')</script>\"",
                date="2027-01-10 10:00",
                summary='"\\"><script>alert(\'summary\')</script>"',
                tags="[lyon]",
            )
            + body
        }
    )
    _, _, files = build(root)
    htmls = {p: page(files, p) for p in files if p.endswith(".html")}
    for name in ("feed.xml", "atom.xml"):  # the article HTML inside the feeds, as readers see it
        tree = ET.fromstring(files[name])
        for i, el in enumerate(tree.iter()):
            if el.tag in (f"{{{NS['content']}}}encoded", f"{{{NS['atom']}}}content"):
                htmls[f"{name}#{i}"] = el.text or ""
    assert len(htmls) > 6
    for where, text in htmls.items():
        doc = Tags(text)
        assert not doc.all("script"), where
        for tag, attrs in doc.tags:
            assert not [k for k in attrs if k.startswith("on")], (where, tag, attrs)
            for key in ("href", "src"):
                value = re.sub(r"\s", "", attrs.get(key) or "").lower()
                assert not value.startswith(("javascript", "data", "vbscript")), (where, attrs)
    article = page(files, "evil/index.html")
    assert "&lt;script&gt;alert(&#39;body&#39;)&lt;/script&gt;" in article or (
        "&lt;script&gt;" in article
    )
    assert '<a href="https://elsewhere.example/x" rel="noopener">ok</a>' in article
    assert '<a href="https://cafe.example/menu">home</a>' in article
    # the feed carries the article HTML escaped once, as text: parsed, it has no script either
    rss = ET.fromstring(files["feed.xml"])
    encoded = rss.find("channel/item/content:encoded", NS)
    assert encoded is not None and encoded.text
    assert "<script" not in encoded.text.lower()
    assert "&lt;script&gt;" in encoded.text


def test_autoescape_applies_to_html_and_xml_templates() -> None:
    env = Templates(None).env
    assert callable(env.autoescape)
    for name in ("site/article.html.j2", "site/feed.xml.j2", "site/sitemap.xml.j2"):
        assert env.autoescape(name) is True
    for name in ("social/default.txt.j2", "site/style.css.j2", "site/robots.txt.j2"):
        assert env.autoescape(name) is False


# ----------------------------------------------------------------------------- pages


def test_article_head_has_seo_open_graph_and_twitter_card(demo) -> None:
    _, _, files = demo
    doc = Tags(page(files, "guji/index.html"))
    url = "https://brulerie-canuts.fr/guji/"
    assert doc.all("link", rel="canonical")[0]["href"] == url
    assert doc.meta("og:url") == url
    assert doc.meta("og:type") == "article"
    assert doc.meta("og:title") == "Nouveau\u00a0: Éthiopie Guji, notre café de l’hiver"
    assert doc.meta("og:image") == "https://brulerie-canuts.fr/media/guji/og.jpg"
    assert (doc.meta("og:image:width"), doc.meta("og:image:height")) == ("1200", "630")
    assert (doc.meta("og:image:alt") or "").startswith("Un sachet kraft")
    assert doc.meta("og:site_name") == "Brûlerie des Canuts"
    assert doc.meta("og:locale") == "fr_FR"
    assert doc.meta("twitter:card") == "summary_large_image"
    assert doc.meta("twitter:site") == "@BrulerieCanuts"
    assert doc.meta("article:published_time") == "2026-12-03T08:00:00+01:00"
    assert (doc.meta("description") or "").startswith("Il est arrivé")
    feeds = {a["type"]: a["href"] for a in doc.all("link", rel="alternate")}
    assert feeds == {
        "application/rss+xml": "https://brulerie-canuts.fr/feed.xml",
        "application/atom+xml": "https://brulerie-canuts.fr/atom.xml",
    }
    for key in ("og:url", "og:image"):
        assert (doc.meta(key) or "").startswith("https://brulerie-canuts.fr/")


def test_description_falls_back_to_the_first_sentence_of_the_body(demo) -> None:
    _, _, files = demo
    doc = Tags(page(files, "du-grain-a-la-tasse/index.html"))  # no summary
    assert doc.meta("description") == (
        "Du grain vert à votre tasse\u00a0: on vous raconte une torréfaction à la Brûlerie,"
        " étape par étape."
    )
    assert first_sentence("One. Two.") == "One."
    assert first_sentence("word " * 100).endswith("…")
    assert len(first_sentence("word " * 100)) <= 200


def test_every_page_is_accessible_in_structure(demo) -> None:
    _, _, files = demo
    for path in (p for p in files if p.endswith(".html")):
        doc = Tags(page(files, path))
        assert len(doc.all("h1")) == 1, path
        for landmark in ("header", "nav", "main", "footer"):
            assert doc.all(landmark), (path, landmark)
        assert doc.all("a", href="#main"), path  # skip link
        assert doc.all("main", id="main"), path
        html_tag = doc.all("html")[0]
        assert html_tag.get("lang") in ("fr", "en"), path
        for img in doc.all("img"):
            assert img.get("alt") is not None, (path, img)


def test_article_language_images_cta_and_links(demo) -> None:
    _, _, files = demo
    english = Tags(page(files, "xmas-shipping/index.html"))
    assert english.all("html")[0]["lang"] == "en"
    assert "Share this post" in page(files, "xmas-shipping/index.html")
    guji = page(files, "guji/index.html")
    doc = Tags(guji)
    imgs = doc.all("img")
    hero = next(i for i in imgs if i["src"] == "../media/guji/guji-bag.site.jpg")
    gallery = next(i for i in imgs if i["src"] == "../media/guji/guji-pourover.site.jpg")
    assert "loading" not in hero and hero["width"] == "2000" and hero["height"] == "1500"
    assert gallery["loading"] == "lazy" and gallery["alt"].startswith("Une bouilloire")
    # the CTA goes to the plain URL: no UTM on the brand's own site
    assert doc.all("a", **{"class": "button", "href": "https://brulerie-canuts.fr/guji"})
    assert "utm_" not in guji
    # tags link to their pages, which exist
    for a in doc.all("a"):
        href = a.get("href") or ""
        if href.startswith("../tags/") and href != "../tags/":
            assert href[3:] + "index.html" in files


def test_networks_are_linked_with_rel_me(demo) -> None:
    _, _, files = demo
    expected = {
        "https://bsky.app/profile/brulerie-canuts.bsky.social",
        "https://piaille.example/@brulerie",
        "https://x.com/BrulerieCanuts",
        "https://www.linkedin.com/company/9876543/",
        "https://www.instagram.com/brulerie.canuts/",
    }
    for path in ("index.html", "guji/index.html", "tags/lyon/index.html"):
        doc = Tags(page(files, path))
        found = {a["href"] for a in doc.all("a", rel="me")}
        assert found == expected, path
    assert "brulerie-canuts.bsky.social" in page(files, "index.html")


def test_profile_urls_from_channel_settings() -> None:
    assert profile_url("bluesky", {"handle": "@cafe.bsky.social"}) == (
        "https://bsky.app/profile/cafe.bsky.social"
    )
    assert profile_url(
        "mastodon", {"handle": "@cafe@social.example", "instance": "https://social.example/"}
    ) == ("https://social.example/@cafe")
    assert profile_url("x", {"handle": "@cafe"}) == "https://x.com/cafe"
    assert profile_url("instagram", {"handle": "cafe"}) == "https://www.instagram.com/cafe/"
    assert profile_url("threads", {"handle": "cafe"}) == "https://www.threads.net/@cafe"
    assert profile_url("linkedin", {"organization": "urn:li:organization:42"}) == (
        "https://www.linkedin.com/company/42/"
    )
    assert profile_url("linkedin", {"organization": "urn:li:person:42"}) is None
    assert profile_url("linkedin", {"name": "Café"}) is None
    assert profile_url("facebook", {"page_id": "1234"}) == "https://www.facebook.com/1234"
    assert profile_url("facebook", {"name": "Café"}) is None


def test_a_configured_url_wins_and_webhooks_are_never_shown(make_project: MakeProject) -> None:
    config = (
        "site: {title: T, url: 'https://t.example', language: en}\n"
        "timezone: UTC\n"
        "channels:\n"
        "  site: {}\n"
        "  x: {handle: '@t', url: 'https://x.com/the_real_t'}\n"
        "  webhook: {url: 'https://hooks.example/secret-path'}\n"
    )
    root = make_project(
        {"content/a.md": post_file(title="A", date="2027-01-01 10:00") + "A.\n"}, config=config
    )
    _, _, files = build(root)
    home = page(files, "index.html")
    assert 'rel="me" href="https://x.com/the_real_t"' in home
    assert all(b"hooks.example" not in data for data in files.values())


def test_also_on_lists_the_copies_that_went_out(demo) -> None:
    _, _, files = demo
    doc = Tags(page(files, "guji/index.html"))
    hrefs = [a["href"] for a in doc.all("a", rel="noopener")]
    bluesky = "https://bsky.app/profile/brulerie-canuts.bsky.social/post/3k"
    x = "https://x.com/BrulerieCanuts/status/1"
    assert hrefs.index(bluesky) < hrefs.index(x)  # channel order, not ledger order
    assert "javascript:" not in page(files, "guji/index.html")
    assert "Aussi sur" not in page(files, "chez-mado/index.html")  # nothing went out yet


def test_poll_and_thread_posts(demo) -> None:
    _, _, files = demo
    poll = page(files, "sondage-cafe-2027/index.html")
    assert "Quel café voulez-vous en 2027\u00a0?" in poll
    for option in ("Un café du mois", "Un déca de spécialité", "Plus de cafés filtre"):
        assert f"<li>{option}</li>" in poll
    assert '<a href="https://piaille.example/@brulerie/2" rel="noopener">Mastodon</a>' in poll
    thread = page(files, "du-grain-a-la-tasse/index.html")
    assert "Le grain vert arrive en sacs de jute" in thread
    assert "Repos de trois à sept jours" in thread


def test_tag_pages_list_their_posts(demo) -> None:
    _, posts, files = demo
    lyon = [p for p in site_posts(posts, NOW) if "lyon" in p.fields.tags]
    text = page(files, "tags/lyon/index.html")
    assert re.findall(r'class="card-link" href="\.\./\.\./([^"]+)/"', text) == [p.id for p in lyon]
    assert 'href="../tags/lyon/"' in page(files, "tags/index.html")
    assert tag_slug("#CaféDuMois") == "cafedumois"


# ----------------------------------------------------------------------------- feeds, sitemap


def test_rss_feed_is_valid_rss_2(demo) -> None:
    _, posts, files = demo
    shown = site_posts(posts, NOW)
    rss = ET.fromstring(files["feed.xml"])
    assert rss.tag == "rss" and rss.get("version") == "2.0"
    channel = rss.find("channel")
    assert channel is not None
    for name in ("title", "link", "description", "language"):
        assert (channel.findtext(name) or "").strip(), name
    self_link = channel.find("atom:link", NS)
    assert self_link is not None and self_link.get("rel") == "self"
    assert self_link.get("href") == "https://brulerie-canuts.fr/feed.xml"
    items = channel.findall("item")
    assert len(items) == len(shown)
    first = items[0]
    guid = first.find("guid")
    assert guid is not None and guid.get("isPermaLink") == "true"
    assert guid.text == first.findtext("link") == f"https://brulerie-canuts.fr/{shown[0].id}/"
    assert parsedate_to_datetime(first.findtext("pubDate") or "") == shown[0].date
    assert re.fullmatch(
        r"\w{3}, \d\d \w{3} \d{4} \d\d:\d\d:\d\d [+-]\d{4}", first.findtext("pubDate") or ""
    )
    assert channel.findtext("lastBuildDate") == first.findtext("pubDate")  # never the build time


def test_atom_feed_is_valid_atom_1(demo) -> None:
    _, posts, files = demo
    shown = site_posts(posts, NOW)
    feed = ET.fromstring(files["atom.xml"])
    assert feed.tag == "{http://www.w3.org/2005/Atom}feed"
    for name in ("id", "title", "updated", "author/atom:name"):
        assert (feed.findtext(f"atom:{name}", namespaces=NS) or "").strip(), name
    assert feed.findtext("atom:updated", namespaces=NS) == shown[0].date.isoformat()
    rels = {link.get("rel"): link.get("href") for link in feed.findall("atom:link", NS)}
    assert rels == {
        "self": "https://brulerie-canuts.fr/atom.xml",
        "alternate": "https://brulerie-canuts.fr/",
    }
    entries = feed.findall("atom:entry", NS)
    assert len(entries) == len(shown)
    for entry, post in zip(entries, shown, strict=True):
        assert entry.findtext("atom:id", namespaces=NS) == f"https://brulerie-canuts.fr/{post.id}/"
        assert entry.findtext("atom:updated", namespaces=NS) == post.date.isoformat()
        content = entry.find("atom:content", NS)
        assert content is not None and content.get("type") == "html" and content.text


def test_feeds_pass_feedparser(demo) -> None:
    feedparser = pytest.importorskip("feedparser")
    _, posts, files = demo
    count = len(site_posts(posts, NOW))
    for name, version in (("feed.xml", "rss20"), ("atom.xml", "atom10")):
        parsed = feedparser.parse(files[name])
        assert not parsed.bozo, (name, parsed.get("bozo_exception"))
        assert parsed.version == version
        assert len(parsed.entries) == count
        assert parsed.entries[0].published_parsed is not None


def test_sitemap_lists_every_page(demo) -> None:
    _, _, files = demo
    urlset = ET.fromstring(files["sitemap.xml"])
    locs = {u.findtext("sm:loc", namespaces=NS) for u in urlset.findall("sm:url", NS)}
    pages = {
        "https://brulerie-canuts.fr/" + p.removesuffix("index.html")
        for p in files
        if p.endswith("index.html")
    }
    assert locs == pages
    assert all(u.findtext("sm:lastmod", namespaces=NS) for u in urlset.findall("sm:url", NS))
    assert "Sitemap: https://brulerie-canuts.fr/sitemap.xml" in page(files, "robots.txt")


# ----------------------------------------------------------------------------- brand


def test_brand_colours_logo_and_contrast(demo) -> None:
    config, _, files = demo
    css = page(files, "style.css")
    for name, value in config.brand.colors.items():
        assert f"--brand-{name}: {value};" in css
    home = page(files, "index.html")
    assert f'src="{LOGO_PATH}"' in home
    assert re.search(r'href="style\.css\?v=[0-9a-f]{10}"', home)
    colors = palette(config.brand.colors)
    assert colors["on_primary"] == "#ffffff"  # the brand's own white on brick passes


@pytest.mark.parametrize(
    "colors",
    [
        {"primary": "#6b2d1a", "accent": "#f2b134", "text": "#ffffff", "background": "#1e1410"},
        {"primary": "#f2b134", "accent": "#ffe08a", "text": "#ffffff", "background": "#ffffff"},
        {"primary": "#7fd1ff", "accent": "#00ff00", "text": "#eeeeee", "background": "#777777"},
        {"primary": "#123", "text": "#456"},
        {},
    ],
    ids=["demo", "white-on-gold", "pastel", "short-hex", "none"],
)
def test_every_text_colour_passes_wcag_aa(colors: dict[str, str]) -> None:
    p = palette(colors)
    pairs = [
        ("ink", "paper"),
        ("ink", "surface"),
        ("muted", "paper"),
        ("link", "paper"),
        ("on_primary", "primary"),
        ("accent_on_primary", "primary"),
        ("on_accent", "accent"),
        ("on_chip", "chip"),
        ("on_footer", "footer"),
        ("accent_on_footer", "footer"),
    ]
    for fg, bg in pairs:
        assert contrast(p[fg], p[bg]) >= 4.5, (fg, bg, p[fg], p[bg])
    if colors.get("primary") == "#f2b134":
        assert p["on_primary"] != "#ffffff"  # white on gold fails: a dark text is chosen


def test_contrast_matches_wcag_reference_values() -> None:
    assert contrast("#000000", "#ffffff") == pytest.approx(21.0)
    assert contrast("#777777", "#ffffff") == pytest.approx(4.48, abs=0.01)
    assert contrast("#ffffff", "#6b2d1a") == pytest.approx(10.6, abs=0.2)


def test_dates_and_french_typography() -> None:
    when = datetime(2027, 1, 1, 11, 0, tzinfo=UTC)
    assert human_date(when, "fr") == "1er janvier 2027"
    assert human_date(when, "en") == "1 January 2027"
    assert human_date(when, "en-US") == "January 1, 2027"
    assert human_date(when, "ja") == "2027-01-01"
    assert typography("Concours : gagnez ! « Oui »", "fr") == (
        "Concours\u00a0: gagnez\u00a0! «\u00a0Oui\u00a0»"
    )
    assert typography("Note: yes!", "en") == "Note: yes!"


# ----------------------------------------------------------------------------- build contract


def test_same_inputs_give_the_same_bytes(demo) -> None:
    _, _, files = demo
    _, _, again = build(ROOT, SOCIAL)
    assert again == files
    assert list(again) == sorted(again)
    # a later clock that shows the same posts changes nothing: no build time in the output
    _, _, later = build(ROOT, SOCIAL, now=datetime(2027, 1, 29, 12, 0, tzinfo=UTC))
    assert later == files


def test_a_project_template_overrides_the_theme(make_project: MakeProject) -> None:
    override = (
        '{% extends "site/base.html.j2" %}{% block main %}'
        "<h1>OVERRIDE {{ item.title }}</h1>{% endblock %}"
    )
    root = make_project(
        {
            "content/a.md": post_file(title="Hello <you>", date="2027-01-10 10:00") + "Hi.\n",
            "templates/site/article.html.j2": override,
        }
    )
    _, _, files = build(root)
    assert "<h1>OVERRIDE Hello &lt;you&gt;</h1>" in page(files, "a/index.html")
    assert "OVERRIDE" not in page(files, "index.html")


def test_a_broken_project_template_is_a_template_problem(make_project: MakeProject) -> None:
    root = make_project(
        {
            "content/a.md": post_file(title="A", date="2027-01-10 10:00", tags="[x]") + "Hi.\n",
            "templates/site/tag.html.j2": "{{ no_such_variable }}\n",
        }
    )
    config = load_config(root)
    posts = Loader(config).load_all().posts
    with pytest.raises(TemplateProblem) as caught:
        render_site(posts, config, Templates(root), NOW, {}, {}, {})
    assert "no_such_variable" in caught.value.problem.message
    assert caught.value.problem.path == "templates/site/tag.html.j2"
    assert caught.value.problem.line == 1


def test_an_empty_site_still_renders(make_project: MakeProject) -> None:
    root = make_project()
    _, _, files = build(root)
    assert "index.html" in files
    feed = ET.fromstring(files["atom.xml"])
    assert feed.findtext("atom:updated", namespaces=NS) == "1970-01-01T00:00:00+00:00"
    assert ET.fromstring(files["feed.xml"]).findall("channel/item") == []


def test_404_links_from_the_site_root(demo) -> None:
    _, _, files = demo
    doc = Tags(page(files, "404.html"))
    assert doc.all("link", rel="stylesheet")[0]["href"].startswith("/style.css")
    assert doc.meta("robots") == "noindex"


def test_a_project_translates_or_rewords_the_theme(make_project: MakeProject) -> None:
    root = make_project(
        {
            "content/a.md": post_file(title="A", date="2027-01-10 10:00", lang="de") + "Hallo.\n",
            "templates/site/strings.json": '{"de": {"share": "Teilen"}, "fr": {"home": "Maison"}}',
        }
    )
    _, _, files = build(root)
    assert "Teilen" in page(files, "a/index.html")  # German on top of the English words
    assert "Skip to content" in page(files, "a/index.html")
    assert ">Maison</a>" in page(files, "index.html")
    (root / "templates/site/strings.json").write_text('{"de": {', encoding="utf-8")
    with pytest.raises(TemplateProblem) as caught:
        build(root)
    assert caught.value.problem.path == "templates/site/strings.json"
