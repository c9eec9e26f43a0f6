"""The brand's own site: article pages, home, tag pages, RSS and Atom feeds, sitemap, 404.

:func:`render_site` is a pure function of its inputs: the posts, the configuration, the
templates, the clock, and what the build already made (site and Open Graph images) or the
ledger recorded (links to the copies that went out on each network). It returns every file as
bytes keyed by its path inside ``dist/``; the build writes them. The pages come from the Jinja2
templates under ``site/`` (``cmpub/theme/site/``, overridable by name in the project's
``templates/site/``), autoescaped. A post's Markdown is rendered with raw HTML turned off and
link targets checked, so a post cannot inject markup or scripts. The brand's colours are checked
here against the WCAG 2 contrast ratios, so the theme never shows text that is hard to read.
"""

from __future__ import annotations

import hashlib
import html
import json
import math
import pickle
import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime
from email.utils import format_datetime
from typing import Any
from urllib.parse import quote, urlencode, urlsplit

from markupsafe import Markup

from cmpub.model import ids, layout
from cmpub.model.controls import xml_text
from cmpub.model.errors import error
from cmpub.model.project import Config, Post
from cmpub.platforms import CHANNELS, RULES
from cmpub.read.posts import read_image_header
from cmpub.render.templates import THEME, TemplateProblem, Templates
from cmpub.render.text import article_url, plain, with_mentions

#: Where the build puts a copy of ``brand.logo`` inside ``dist/`` (when the brand has a logo).
LOGO_PATH = layout.LOGO
CSS_PATH = layout.STYLESHEET
PAGE_SIZE = 24  # posts per home page
FEED_SIZE = 50  # newest posts in the RSS and Atom feeds


@dataclass(frozen=True)
class SiteImage:
    """An image variant the build already rendered for the site (path inside ``dist/``)."""

    file: str
    width: int
    height: int
    alt: str
    small: str | None = None  # the same picture, narrower, for phones (srcset)
    small_width: int = 0


@dataclass(frozen=True)
class SocialCopy:
    """A copy of a post that went out on a network (from the deploy ledger)."""

    channel: str
    url: str


def site_posts(posts: list[Post], now: datetime) -> list[Post]:
    """The posts on the public site, newest first: channel ``site``, ready, and due by ``now``."""
    shown = [p for p in posts if "site" in p.channels and p.status == "ready" and p.date <= now]
    return sorted(shown, key=lambda p: (-p.date.timestamp(), p.id))


def render_site(
    posts: list[Post],
    config: Config,
    templates: Templates,
    now: datetime,
    images: dict[str, list[SiteImage]],
    og_images: dict[str, SiteImage],
    social: dict[str, list[SocialCopy]],
    memo: dict[str, Any] | None = None,
    fingerprint: str = "",
) -> dict[str, bytes]:
    """Every file of the site, path inside ``dist/`` -> bytes (same inputs, same bytes).

    With ``memo`` (kept by the build between runs) and the ``fingerprint`` of the templates and
    cmpub.yaml, each post's converted body and article page are reused while their inputs are
    unchanged; ``memo`` is replaced in place by what this run used. Raises
    :class:`~cmpub.render.templates.TemplateProblem` when a template is broken.
    """
    old = dict(memo or {})
    used: dict[str, Any] = {}
    shown = site_posts(posts, now)
    converter = _Markdown(config.site.url)
    words = load_strings(templates)

    def strings(lang: str) -> dict[str, str]:
        return words.get(lang.lower(), words.get(lang.split("-")[0].lower(), words["en"]))

    items = []
    for p in shown:
        key = "item:" + _digest(
            fingerprint, p, images.get(p.id), og_images.get(p.id), social.get(p.id)
        )
        item = old.get(key)
        if item is None:
            item = _item(p, config, converter, images, og_images, social)
        used[key] = item
        items.append(dict(item))
    for i, item in enumerate(items):  # neighbours, for "newer / older post" links
        item["newer"] = _link(items[i - 1]) if i > 0 else None
        item["older"] = _link(items[i + 1]) if i + 1 < len(items) else None
    tags = _tags(items)
    colors = palette(config.brand.colors)
    css = templates.render("site/style.css.j2", palette=colors).encode()
    base = _base_context(config, colors)
    base["css"] = f"{CSS_PATH}?v={hashlib.sha256(css).hexdigest()[:10]}"
    out: dict[str, bytes] = {CSS_PATH: css}
    site_lang = config.site.language

    def page(path: str, name: str, lang: str, **context: Any) -> None:
        depth = path.count("/")
        root = context.pop("root", "../" * depth)
        ctx = {**base, "root": root, "home": root or "./", "lang": lang, "t": strings(lang)}
        out[path] = templates.render(name, **ctx, **context).encode()

    pages = [items[i : i + PAGE_SIZE] for i in range(0, len(items), PAGE_SIZE)] or [[]]
    for n, chunk in enumerate(pages, start=1):
        path = layout.HOME if n == 1 else f"{layout.PAGES}/{n}/{layout.HOME}"
        title = config.site.title if n == 1 else f"{strings(site_lang)['page']} {n}"
        meta = _meta(config, title, config.site.description, _page_url(config, n))
        pager = {
            "number": n,
            "count": len(pages),
            "newer": None if n == 1 else ("" if n == 2 else f"page/{n - 1}/"),
            "older": f"{layout.PAGES}/{n + 1}/" if n < len(pages) else None,
        }
        page(path, "site/index.html.j2", site_lang, page=meta, items=chunk, pager=pager)
    for item in items:
        path = f"{item['dir']}{layout.HOME}"
        key = "page:" + _digest(fingerprint, base["css"], item)
        if key in old:
            out[path] = old[key]
        else:
            meta = _meta(config, item["title"], item["description"], item["url"], item)
            page(path, "site/article.html.j2", item["lang"], page=meta, item=item)
        used[key] = out[path]
    for tag in tags:
        url = f"{config.site.url}/{layout.TAGS}/{tag['path']}"
        meta = _meta(config, f"#{tag['name']}", config.site.description, url)
        tag_page = f"{layout.TAGS}/{tag['dir']}{layout.HOME}"
        page(tag_page, "site/tag.html.j2", site_lang, page=meta, tag=tag)
    meta = _meta(
        config,
        strings(site_lang)["topics"],
        config.site.description,
        f"{base['site']['url']}/{layout.TAGS}/",
    )
    page(f"{layout.TAGS}/{layout.HOME}", "site/tags.html.j2", site_lang, page=meta, tags=tags)
    meta = _meta(config, strings(site_lang)["not_found"], config.site.description, None)
    root404 = (urlsplit(config.site.url).path.rstrip("/")) + "/"
    page(layout.NOT_FOUND, "site/404.html.j2", site_lang, page=meta, items=items[:3], root=root404)

    feed = {**base, "items": items[:FEED_SIZE], "updated": items[0]["dates"] if items else None}
    # xml_text: whatever a template or a text let through, the feeds stay well-formed XML
    out[layout.RSS] = xml_text(templates.render("site/feed.xml.j2", **feed)).encode()
    out[layout.ATOM] = xml_text(templates.render("site/atom.xml.j2", **feed)).encode()
    out[layout.SITEMAP] = xml_text(
        templates.render(
            "site/sitemap.xml.j2", **base, urls=_sitemap(config, items, tags, len(pages))
        )
    ).encode()
    out[layout.ROBOTS] = templates.render("site/robots.txt.j2", **base).encode()
    if memo is not None:
        memo.clear()
        memo.update(used)
    return dict(sorted(out.items()))


def _digest(*parts: Any) -> str:
    """A stable hash of plain data and frozen dataclasses (what a cached page depends on)."""
    return hashlib.sha256(pickle.dumps(parts, protocol=4)).hexdigest()


# ----------------------------------------------------------------------------- context


def _base_context(config: Config, colors: dict[str, str]) -> dict[str, Any]:
    """What every template gets: the site, the brand, its colours and its accounts."""
    site = config.site
    x = config.channels.get("x")
    x_handle = x.get("handle") if x else None
    return {
        "site": {
            "title": site.title,
            "url": site.url,
            "description": typography(site.description, site.language),
            "author": site.author or config.brand.name,
            "language": site.language,
        },
        "brand": {
            "name": config.brand.name,
            "logo": _logo(config),
            "cta_position": config.brand.cta_position,
        },
        "palette": colors,
        "networks": networks(config),
        "x_handle": "@" + x_handle.lstrip("@") if x_handle else None,
        "feeds": {"rss": f"{site.url}/{layout.RSS}", "atom": f"{site.url}/{layout.ATOM}"},
    }


def _logo(config: Config) -> dict[str, Any] | None:
    if not config.brand.logo:
        return None
    logo = {
        "src": LOGO_PATH,
        "url": f"{config.site.url}/{LOGO_PATH}",
        "width": None,
        "height": None,
    }
    source = (config.root / config.brand.logo).resolve()
    if source.is_relative_to(config.root.resolve()):
        header = read_image_header(source)
        if not isinstance(header, str):
            logo["width"], logo["height"] = header[1], header[2]
    return logo


def _page_url(config: Config, n: int) -> str:
    return f"{config.site.url}/" if n == 1 else f"{config.site.url}/page/{n}/"


def _meta(
    config: Config,
    title: str,
    description: str,
    url: str | None,
    item: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """What the ``<head>`` says about a page (title, description, canonical, Open Graph)."""
    lang = item["lang"] if item else config.site.language
    image = item["og_image"] if item else None
    if item is None and config.brand.logo:  # pages of the site itself: the logo
        image = {
            "url": f"{config.site.url}/{LOGO_PATH}",
            "width": None,
            "height": None,
            "alt": config.brand.name,
        }
    home = item is None and url == f"{config.site.url}/"
    return {
        "title": title if home else f"{title} · {config.site.title}",
        "heading": title,
        "description": description,
        "url": url,
        "type": "article" if item else "website",
        "image": image,
        "large_image": bool(item and image),
        "locale": og_locale(lang),
        "published": item["dates"]["iso"] if item else None,
        "tags": [t["name"] for t in item["tags"]] if item else [],
    }


def _link(item: dict[str, Any]) -> dict[str, Any]:
    return {"title": item["title"], "path": item["path"], "lang": item["lang"]}


def _item(
    post: Post,
    config: Config,
    converter: _Markdown,
    images: dict[str, list[SiteImage]],
    og_images: dict[str, SiteImage],
    social: dict[str, list[SocialCopy]],
) -> dict[str, Any]:
    """Everything the templates know about one post (plain data, escaped by the templates)."""
    fields = post.variant("site")
    url = article_url(post, config)
    pics = [_image(i) for i in images.get(post.id, [])]
    og = og_images.get(post.id) or (images.get(post.id) or [None])[0]
    lang = post.lang
    body = converter.convert(with_mentions(fields.body, "site", config), lang)
    text = plain(with_mentions(fields.body, "site", config))
    summary = (
        typography(plain(with_mentions(fields.summary, "site", config)), lang)
        if fields.summary
        else None
    )
    cta = None
    if fields.cta and _safe_url(fields.cta.url):
        cta = {
            "text": typography(fields.cta.text, lang),
            "url": fields.cta.url,
            "external": converter.external(fields.cta.url),
        }
    copies = _also_on(social.get(post.id, []))
    poll = None
    if fields.poll:
        where = [c for c in post.channels if RULES[c].poll is not None]
        links = {c["channel"]: c["url"] for c in copies}
        poll = {
            "question": typography(fields.poll.question, lang),
            "options": [typography(o, lang) for o in fields.poll.options],
            "on": [{"name": RULES[c].name, "url": links.get(c)} for c in where],
        }
    hero = pics[0] if pics else None
    return {
        "id": post.id,
        "url": url,
        "path": ids.href(post.id) + "/",  # in links: percent-encoded
        "dir": post.slug + "/",  # in dist/: the folder itself
        "lang": post.lang,
        "title": typography(fields.title, lang),
        "summary": summary,
        "description": summary or typography(first_sentence(text), lang),
        "body": body,
        "feed_html": _feed_html(config, hero, body, cta),
        "dates": _dates(post.date, post.lang, config.site.language),
        "reading_minutes": max(1, math.ceil(len(text.split()) / 220)),
        "tags": [
            {"name": n, "path": quote(tag_slug(n)) + "/", "dir": tag_slug(n) + "/"}
            for n in _unique_tags(fields.tags)
        ],
        "hero": hero,
        "gallery": pics[1:],
        "og_image": {
            "url": f"{config.site.url}/{quote(og.file)}",
            "width": og.width,
            "height": og.height,
            "alt": og.alt,
        }
        if og
        else None,
        "cta": cta,
        "poll": poll,
        "thread": fields.thread,
        "cw": fields.cw,
        "also_on": copies,
        "share": share_links(url, fields.title, config),
    }


def _feed_html(
    config: Config, hero: dict[str, Any] | None, body: Markup, cta: dict[str, Any] | None
) -> str:
    """The article as feed readers get it: hero image, body, call to action (absolute URLs)."""
    parts = []
    if hero:
        parts.append(
            Markup('<p><img src="{}/{}" alt="{}" width="{}" height="{}"></p>').format(
                config.site.url, hero["src"], hero["alt"], hero["width"], hero["height"]
            )
        )
    parts.append(body)
    if cta:
        parts.append(Markup('<p><a href="{}">{}</a></p>').format(cta["url"], cta["text"]))
    return "\n".join(str(p) for p in parts)  # plain str: the XML templates escape it once


def _image(image: SiteImage) -> dict[str, Any]:
    return {
        "src": quote(image.file),
        "width": image.width,
        "height": image.height,
        "alt": image.alt,
        "small": quote(image.small) if image.small else None,
        "small_width": image.small_width,
    }


def _unique_tags(tags: tuple[str, ...]) -> list[str]:
    seen: dict[str, str] = {}
    for tag in tags:
        name = tag.lstrip("#")
        seen.setdefault(tag_slug(name), name)
    return list(seen.values())


def tag_slug(tag: str) -> str:
    """The URL form of a tag: lower case, accents dropped (``Café`` -> ``cafe``)."""
    folded = "".join(
        c for c in unicodedata.normalize("NFKD", tag.lstrip("#")) if not unicodedata.combining(c)
    )
    return re.sub(r"[^\w]+", "-", folded.casefold()).strip("-_") or "tag"


def _tags(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each tag with its posts (newest first), sorted by its URL form."""
    found: dict[str, dict[str, Any]] = {}
    for item in items:
        for tag in item["tags"]:
            entry = found.setdefault(tag["path"], {**tag, "posts": []})
            entry["posts"].append(item)
    return [found[k] for k in sorted(found)]


def _sitemap(
    config: Config, items: list[dict[str, Any]], tags: list[dict[str, Any]], pages: int
) -> list[dict[str, str | None]]:
    newest = items[0]["dates"]["iso"] if items else None
    urls: list[dict[str, str | None]] = [
        {"loc": _page_url(config, n), "lastmod": newest} for n in range(1, pages + 1)
    ]
    urls += [{"loc": i["url"], "lastmod": i["dates"]["iso"]} for i in items]
    tags_url = f"{config.site.url}/{layout.TAGS}/"
    urls.append({"loc": tags_url, "lastmod": newest})
    urls += [{"loc": tags_url + t["path"], "lastmod": t["posts"][0]["dates"]["iso"]} for t in tags]
    return urls


def first_sentence(text: str, limit: int = 200) -> str:
    """The first sentence of a plain text, cut at a word under ``limit`` characters."""
    flat = " ".join(text.split())
    sentence = re.split(r"(?<=[.!?…])\s", flat, maxsplit=1)[0]
    if len(sentence) <= limit:
        return sentence
    return sentence[: limit - 1].rsplit(" ", 1)[0].rstrip(" ,;:") + "…"


# ----------------------------------------------------------------------------- networks

#: Channels that are not a public account on a network (never linked from the site).
_NOT_ACCOUNTS = {"site", "outbox", "webhook"}


def networks(config: Config) -> list[dict[str, str | None]]:
    """The brand's public accounts, in channel order: name, profile URL and handle as shown."""
    out = []
    for cid in CHANNELS:
        channel = config.channels.get(cid)
        if channel is None or cid in _NOT_ACCOUNTS:
            continue
        url = channel.get("url") or profile_url(cid, channel.settings)
        if url:
            out.append(
                {
                    "id": cid,
                    "name": RULES[cid].name,
                    "url": url,
                    "handle": _shown(cid, channel.settings),
                }
            )
    return out


def profile_url(channel: str, settings: dict[str, Any]) -> str | None:
    """The public profile page of an account, from its ``cmpub.yaml`` settings (or None)."""
    handle = str(settings.get("handle") or "").strip().lstrip("@")
    h = quote(handle, safe="@._-")
    if channel == "bluesky" and handle:
        return f"https://bsky.app/profile/{h}"
    if channel == "mastodon" and handle and settings.get("instance"):
        return f"{str(settings['instance']).rstrip('/')}/@{quote(handle.split('@')[0])}"
    if channel == "x" and handle:
        return f"https://x.com/{h}"
    if channel == "instagram" and handle:
        return f"https://www.instagram.com/{h}/"
    if channel == "threads" and handle:
        return f"https://www.threads.net/@{h}"
    if channel == "linkedin":
        m = re.fullmatch(r"urn:li:organization:(\d+)", str(settings.get("organization") or ""))
        return f"https://www.linkedin.com/company/{m.group(1)}/" if m else None
    if channel == "facebook" and re.fullmatch(r"\d+", str(settings.get("page_id") or "")):
        return f"https://www.facebook.com/{settings['page_id']}"
    return None


def _shown(channel: str, settings: dict[str, Any]) -> str | None:
    handle = settings.get("handle")
    if handle:
        return "@" + str(handle).lstrip("@")
    return settings.get("name")


def share_links(url: str, title: str, config: Config) -> list[dict[str, str]]:
    """Share links (no JavaScript) for the networks the brand is on, then e-mail."""
    text = f"{title} {url}"
    intents = {
        "bluesky": ("https://bsky.app/intent/compose", {"text": text}),
        "x": ("https://x.com/intent/post", {"text": title, "url": url}),
        "threads": ("https://www.threads.net/intent/post", {"text": text}),
        "linkedin": ("https://www.linkedin.com/sharing/share-offsite/", {"url": url}),
        "facebook": ("https://www.facebook.com/sharer/sharer.php", {"u": url}),
    }
    out = [
        {
            "id": cid,
            "name": RULES[cid].name,
            "url": f"{intents[cid][0]}?{urlencode(intents[cid][1], quote_via=quote)}",
        }
        for cid in CHANNELS
        if cid in intents and cid in config.channels
    ]
    mail = urlencode({"subject": title, "body": url}, quote_via=quote)
    return [*out, {"id": "email", "name": "E-mail", "url": f"mailto:?{mail}"}]


def _also_on(copies: list[SocialCopy]) -> list[dict[str, str]]:
    """The first published copy per network, in channel order (http(s) links only)."""
    order = {c: i for i, c in enumerate(CHANNELS)}
    out: dict[str, dict[str, str]] = {}
    for copy in sorted(copies, key=lambda c: (order.get(c.channel, len(order)), c.channel)):
        if copy.channel in out or urlsplit(copy.url).scheme not in ("http", "https"):
            continue
        name = RULES[copy.channel].name if copy.channel in RULES else copy.channel.title()
        out[copy.channel] = {"channel": copy.channel, "name": name, "url": copy.url}
    return list(out.values())


# ----------------------------------------------------------------------------- Markdown

_SCHEMES = {"", "http", "https", "mailto", "tel"}
_ATTRS = {"href", "src", "alt", "title", "id", "class", "colspan", "rowspan", "start", "reversed"}
_ALIGN = re.compile(r"text-align: ?(left|right|center);?")
_RESERVED_IDS = {"main", "top", "content"}


def _safe_url(url: str) -> bool:
    """True for http(s), mailto, tel and relative links (never ``javascript:`` in any disguise)."""
    cleaned = re.sub(r"[\x00-\x20\x7f]+", "", html.unescape(url))
    try:
        return urlsplit(cleaned).scheme.lower() in _SCHEMES
    except ValueError:
        return False


class _Markdown:
    """Markdown to safe HTML: raw HTML shown as text, attributes allow-listed, links checked."""

    def __init__(self, site_url: str) -> None:
        import markdown
        from markdown.extensions.toc import slugify
        from markdown.treeprocessors import Treeprocessor

        self.host = (urlsplit(site_url).hostname or "").lower()
        self.lang = "en"
        outer = self

        class Sanitise(Treeprocessor):
            def run(self, root: Any) -> None:
                outer.sanitise(root)

        def anchor(value: str, separator: str) -> str:
            slug = slugify(value, separator)
            return f"{slug}-1" if slug in _RESERVED_IDS else slug

        self.md = markdown.Markdown(
            extensions=["tables", "fenced_code", "sane_lists", "toc", "footnotes", "def_list"],
            extension_configs={"toc": {"slugify": anchor}},
        )
        self.md.preprocessors.deregister("html_block")
        self.md.inlinePatterns.deregister("html")
        self.md.treeprocessors.register(Sanitise(self.md), "cmpub-sanitise", 1)

    def convert(self, text: str, lang: str) -> Markup:
        self.lang = lang
        self.md.reset()
        return Markup(self.md.convert(text))  # raw HTML is off, attributes checked

    def external(self, url: str) -> bool:
        host = (urlsplit(url).hostname or "").lower()
        return bool(host) and host != self.host and not host.endswith("." + self.host)

    def sanitise(self, root: Any) -> None:
        shift = any(el.tag == "h1" for el in root.iter())
        for el in root.iter():
            if el.tag not in ("code", "pre"):
                el.text = typography(el.text, self.lang) if el.text else el.text
            el.tail = typography(el.tail, self.lang) if el.tail else el.tail
            if shift and el.tag in ("h1", "h2", "h3", "h4", "h5"):
                el.tag = f"h{int(el.tag[1]) + 1}"  # the page's only h1 is the title
            for name in list(el.attrib):
                value = el.attrib[name]
                keep = name in _ATTRS or (name == "style" and _ALIGN.fullmatch(value))
                if not keep or (name in ("href", "src") and not _safe_url(value)):
                    del el.attrib[name]
            if el.tag == "a" and self.external(el.get("href", "")):
                el.set("rel", "noopener")
            if el.tag == "img":
                el.set("alt", el.get("alt", ""))
                el.set("loading", "lazy")


# ----------------------------------------------------------------------------- language

_MONTHS = {
    "fr": "janvier février mars avril mai juin juillet août septembre octobre novembre décembre",
    "en": "January February March April May June July August September October November December",
    "de": "Januar Februar März April Mai Juni Juli August September Oktober November Dezember",
    "es": "enero febrero marzo abril mayo junio julio agosto septiembre octubre noviembre diciembre",
    "it": "gennaio febbraio marzo aprile maggio giugno luglio agosto settembre ottobre novembre dicembre",
}


def human_date(when: datetime, lang: str) -> str:
    """A date as readers of ``lang`` write it (``1er janvier 2027``, ``3 December 2026``)."""
    base = lang.split("-")[0].lower()
    if base not in _MONTHS:
        return when.date().isoformat()
    d, m, y = when.day, _MONTHS[base].split()[when.month - 1], when.year
    if base == "fr":
        return f"{'1er' if d == 1 else d} {m} {y}"
    if base == "en":
        return f"{m} {d}, {y}" if lang.lower() == "en-us" else f"{d} {m} {y}"
    if base == "de":
        return f"{d}. {m} {y}"
    if base == "es":
        return f"{d} de {m} de {y}"
    return f"{d} {m} {y}"


def _dates(when: datetime, lang: str, site_lang: str) -> dict[str, Any]:
    """A post's date in every form the pages and feeds show (in the post's own time zone)."""
    months = _MONTHS.get(site_lang.split("-")[0].lower(), _MONTHS["en"]).split()
    return {
        "iso": when.isoformat(),
        "rfc822": format_datetime(when),
        "human": human_date(when, lang),
        "site_human": human_date(when, site_lang),
        "day": when.day,
        "site_month": months[when.month - 1],
    }


_FRENCH_SPACES = (
    (re.compile(r"[ \u00a0\u202f]+([:;!?»])"), "\u00a0\\1"),
    (re.compile(r"(«)[ \u00a0\u202f]+"), "\\1\u00a0"),
    (re.compile(r"(\d) ([€%])"), "\\1\u00a0\\2"),
)


def typography(text: str, lang: str) -> str:
    """French texts get a no-break space before ``: ; ! ? »`` and after ``«`` (never a lone colon)."""
    if not lang.lower().startswith("fr"):
        return text
    for pattern, repl in _FRENCH_SPACES:
        text = pattern.sub(repl, text)
    return text


def og_locale(lang: str) -> str:
    """Open Graph's ``ll_CC`` form of a language code (``fr`` -> ``fr_FR``, ``en-GB`` -> ``en_GB``)."""
    parts = lang.replace("_", "-").split("-")
    if len(parts) > 1 and len(parts[1]) == 2:
        return f"{parts[0].lower()}_{parts[1].upper()}"
    default = {"en": "US", "fr": "FR", "de": "DE", "es": "ES", "it": "IT", "pt": "PT", "nl": "NL"}
    return f"{parts[0]}_{default[parts[0]]}" if parts[0] in default else parts[0]


def load_strings(templates: Templates) -> dict[str, dict[str, str]]:
    """The theme's words per language (``site/strings.json``), the project's own on top.

    A project translates the theme, or changes a word, with ``templates/site/strings.json``
    holding only what differs: ``{"de": {"home": "Startseite", ...}}``.
    """
    words: dict[str, dict[str, str]] = json.loads(
        (THEME / "site" / "strings.json").read_text(encoding="utf-8")
    )
    own = templates.root / "templates" / "site" / "strings.json" if templates.root else None
    if own is not None and own.is_file():
        templates.check_inside(own)
        try:
            extra = json.loads(own.read_text(encoding="utf-8"))
        except ValueError as exc:
            line, col = getattr(exc, "lineno", 0), getattr(exc, "colno", 0)
            raise TemplateProblem(
                error(
                    "templates/site/strings.json",
                    line,
                    col,
                    "template.strings",
                    f"not valid JSON: {exc}",
                    'write {"language": {"key": "words"}}',
                )
            ) from None
        for lang, table in sorted(extra.items()):
            words[lang] = {**words.get(lang, words["en"]), **table}
    return words


# ----------------------------------------------------------------------------- colours


def _rgb(color: str) -> tuple[int, int, int]:
    h = color.lstrip("#")
    if len(h) == 3:
        h = "".join(c * 2 for c in h)
    return int(h[0:2], 16), int(h[2:4], 16), int(h[4:6], 16)


def _hex(color: str) -> str:
    return "#" + "".join(f"{v:02x}" for v in _rgb(color))


def luminance(color: str) -> float:
    """WCAG 2 relative luminance of an sRGB colour (``#rgb`` or ``#rrggbb``)."""

    def channel(v: int) -> float:
        c = v / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(v) for v in _rgb(color))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: str, b: str) -> float:
    """WCAG 2 contrast ratio of two colours, 1 to 21 (AA body text needs 4.5)."""
    la, lb = sorted((luminance(a), luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def _mix(a: str, b: str, t: float) -> str:
    """``a`` moved a fraction ``t`` of the way towards ``b``."""
    return "#" + "".join(
        f"{round(x + (y - x) * t):02x}" for x, y in zip(_rgb(a), _rgb(b), strict=True)
    )


def _fit(fg: str, bg: str, ratio: float, toward: str) -> str:
    """``fg`` if it reaches ``ratio`` on ``bg``, else the nearest mix towards ``toward`` that does."""
    for step in range(21):
        candidate = _mix(fg, toward, step / 20)
        if contrast(candidate, bg) >= ratio:
            return candidate
    return _best(bg, ("#000000", "#ffffff"))


def _best(bg: str, candidates: tuple[str, ...]) -> str:
    return max(candidates, key=lambda c: (contrast(c, bg), c))


def palette(colors: dict[str, str]) -> dict[str, str]:
    """The site's colours from the brand's, each text colour checked for WCAG AA on its ground.

    Brand colours are used as given where they are readable; where one is not (white text on
    a light primary, say), the nearest readable colour is chosen instead.
    """
    primary = _hex(colors.get("primary", "#1f4e79"))
    accent = _hex(colors.get("accent", primary))
    text = _hex(colors.get("text", "#ffffff"))
    background = _hex(colors.get("background", "#ffffff"))
    dark, light = sorted((text, background), key=luminance)
    if luminance(light) < 0.8:
        light = "#ffffff"
    paper = _mix(light, accent, 0.07)
    ink = _fit(dark, paper, 7.0, "#000000")
    on_primary = (
        text
        if contrast(text, primary) >= 4.5
        else _best(primary, (light, ink, "#ffffff", "#000000"))
    )
    footer = dark if contrast(light, dark) >= 4.5 else ink
    chip = _mix(paper, primary, 0.08)
    return {
        "primary": primary,
        "accent": accent,
        "text": text,
        "background": background,
        "paper": paper,
        "surface": light,
        "ink": ink,
        "muted": _fit(_mix(ink, paper, 0.4), paper, 4.5, ink),
        "link": _fit(primary, paper, 4.5, ink),
        "on_primary": on_primary,
        "accent_on_primary": accent if contrast(accent, primary) >= 4.5 else on_primary,
        "on_accent": _best(accent, (ink, light, "#000000", "#ffffff")),
        "focus": _fit(primary, paper, 3.0, ink),
        "focus_on_primary": accent if contrast(accent, primary) >= 3.0 else on_primary,
        "chip": chip,
        "on_chip": _fit(primary, chip, 4.5, ink),
        "footer": footer,
        "on_footer": _fit(light, footer, 4.5, "#ffffff"),
        "accent_on_footer": accent
        if contrast(accent, footer) >= 4.5
        else _fit(light, footer, 4.5, "#ffffff"),
        "rule": _mix(paper, ink, 0.15),
    }
