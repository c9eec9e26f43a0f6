"""Render a post's social copy per channel: Markdown to plain text, CTA with UTM, hashtags, threads.

This is the one place that decides the exact text a network receives, so ``validate`` counts
what ``build`` will write and ``deploy`` will send. A text that does not fit is never cut: it is
split into a thread only when the post says ``thread: true`` and the channel has threads, and
otherwise the caller reports it as a Problem.
"""

from __future__ import annotations

import functools
import html
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, quote, quote_plus, urlsplit, urlunsplit

from cmpub.model.project import Config, Fields, Post
from cmpub.platforms import RULES
from cmpub.platforms.base import Rules
from cmpub.render.templates import Templates

# ----------------------------------------------------------------------------- Markdown


_MARKDOWN_SYNTAX = re.compile(r"[*_`\[\]<>&\\!#|~]|^\s*(?:[-+]\s|\d+[.)]\s|>)|\n\s*\n", re.M)
_TAGS = re.compile(r"<[^>]*>")
_PLACEHOLDER = re.compile("\x02wzxhzdk:(\\d+)\x03")
_md: Any = None


def _markdown() -> Any:
    global _md
    if _md is None:
        import markdown  # lazy: plain summaries never need it

        _md = markdown.Markdown(extensions=["sane_lists", "tables"])
        _md.postprocessors.deregister("raw_html")
        _md.serializer = _serialize
        _md.stripTopLevelTags = False
    return _md


@functools.lru_cache(maxsize=8192)
def plain(text: str) -> str:
    """Markdown to the plain text a social network shows: no stray syntax, links kept visible."""
    if not _MARKDOWN_SYNTAX.search(text):
        return " ".join(text.split()) if "\n" not in text.strip() else text.strip()
    md = _markdown()
    md.reset()
    out = md.convert(text)
    stash = md.htmlStash.rawHtmlBlocks
    out = _PLACEHOLDER.sub(lambda m: _TAGS.sub("", str(stash[int(m.group(1))])), out)
    out = html.unescape(out)
    out = re.sub(r"[ \t]+\n", "\n", out)
    return re.sub(r"\n{3,}", "\n\n", out).strip()


def _inline(el: Any) -> str:
    """The text of an inline element tree, links shown as 'text (url)'."""
    parts = [el.text or ""]
    for child in el:
        tag = child.tag
        if tag == "a":
            label = _inline(child).strip()
            href = child.get("href", "")
            if href.startswith("mailto:"):
                href = href[len("mailto:") :]
            if not href or label in (
                href,
                href.removeprefix("https://"),
                href.removeprefix("http://"),
            ):
                parts.append(href or label)
            else:
                parts.append(f"{label} ({href})")
        elif tag == "img":
            pass  # images go out as attachments, never as text
        elif tag == "br":
            parts.append("\n")
        else:
            parts.append(_inline(child))
        parts.append(child.tail or "")
    return "".join(parts)


def _block(el: Any, out: list[str], depth: int = 0) -> None:
    for child in el:
        tag = child.tag
        if tag in ("p", "h1", "h2", "h3", "h4", "h5", "h6", "pre"):
            text = _inline(child).strip()
            if text:
                out.append(text)
        elif tag in ("ul", "ol"):
            lines = []
            for n, li in enumerate(child.findall("li"), start=1):
                marker = f"{n}." if tag == "ol" else "-"
                nested = [c for c in li if c.tag in ("ul", "ol", "p")]
                if nested and any(c.tag == "p" for c in nested):
                    inner: list[str] = []
                    _block(li, inner, depth + 1)
                    text = " ".join(inner)
                else:
                    text = _inline(li).strip()
                lines.append("  " * depth + f"{marker} {text}")
            out.append("\n".join(lines))
        elif tag == "blockquote":
            inner = []
            _block(child, inner, depth)
            if inner:
                out.append("“" + "\n\n".join(inner) + "”")
        elif tag == "hr":
            continue
        elif tag == "table":
            rows = [" | ".join(_inline(c).strip() for c in row) for row in child.iter("tr")]
            out.append("\n".join(rows))
        elif tag == "div":
            _block(child, out, depth)
        else:
            text = _inline(child).strip()
            if text:
                out.append(text)


def _serialize(root: Any) -> str:
    out: list[str] = []
    _block(root, out)
    return "\n\n".join(out)


# ----------------------------------------------------------------------------- links


@functools.lru_cache(maxsize=64)
def _brand_hosts(domains: tuple[str, ...], site_url: str) -> tuple[str, ...]:
    return tuple(d.lower() for d in domains if d) or (urlsplit(site_url).hostname or "",)


def with_utm(url: str, channel: str, post_id: str, config: Config) -> str:
    """``url`` with the project's UTM parameters for ``channel`` when it points at the brand.

    The URL is otherwise kept byte for byte; parameters already in it win (an editor's explicit
    ``utm_campaign`` is kept).
    """
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if not any(
        host == d or host.endswith("." + d)
        for d in _brand_hosts(config.utm.domains, config.site.url)
    ):
        return url
    values = {"channel": channel, "post": post_id.replace("/", "-")}
    have = {k for k, _ in parse_qsl(parts.query, keep_blank_values=True)} if parts.query else set()
    added = [
        (key, template.format_map(values))
        for key, template in (
            ("utm_source", config.utm.source),
            ("utm_medium", config.utm.medium),
            ("utm_campaign", config.utm.campaign),
        )
        if key not in have
    ]
    if not added:
        return url
    encoded = "&".join(f"{k}={quote_plus(v)}" for k, v in added)
    query = f"{parts.query}&{encoded}" if parts.query else encoded
    return urlunsplit(parts._replace(query=query))


def article_url(post: Post, config: Config) -> str:
    """The URL of the post's article on the brand's site (its slug, percent-encoded)."""
    return f"{config.site.url}/{quote(post.slug)}/"


_LINK_IN_TEXT = re.compile(r"https?://[^\s)\]>\"']+")


def _tag_links(text: str, channel: str, post: Post, config: Config) -> str:
    return _LINK_IN_TEXT.sub(lambda m: with_utm(m.group(0), channel, post.id, config), text)


# ----------------------------------------------------------------------------- copy


@dataclass(frozen=True)
class Copy:
    """The exact text a channel receives: one part, or several for a thread; plus a CW.

    ``links`` lists (shown text, full URL) pairs where the text shows a short form of a link
    (Bluesky counts every character of a URL, so its copy shows ``cafe.example/shop`` and the
    link facet carries the full, UTM-tagged address).
    """

    channel: str
    parts: tuple[str, ...]
    cw: str | None = None
    links: tuple[tuple[str, str], ...] = ()

    @property
    def text(self) -> str:
        """The whole text (parts joined by a blank line), for display."""
        return "\n\n".join(self.parts)


#: Channels where a link in the text is not clickable (Instagram, platforms.md §9) or pointless
#: (the site links to itself): the CTA keeps its words, no URL is added.
NO_LINK_CHANNELS = {"instagram", "site"}
HASHTAG_CHANNELS = {"bluesky", "mastodon", "x", "threads", "linkedin", "facebook", "instagram"}


def _hashtags(tags: tuple[str, ...], text: str) -> list[str]:
    present = {t.lower() for t in re.findall(r"[#＃](\w+)", text)}
    return [t for t in tags if t.lower() not in present]


def copy_context(post: Post, fields: Fields, channel: str, config: Config) -> dict[str, Any]:
    """What a social-copy template receives, besides ``words``: CTA, link home, hashtags."""
    home = article_url(post, config)
    clickable = channel not in NO_LINK_CHANNELS
    cta = None
    if fields.cta:
        url = with_utm(fields.cta.url, channel, post.id, config) if clickable else None
        cta = {"text": fields.cta.text, "url": url}
    points_home = fields.cta and fields.cta.url.split("?")[0].rstrip("/") == home.rstrip("/")
    link = None
    if "site" in post.channels and clickable and not points_home:
        link = with_utm(home, channel, post.id, config)
    tags = (
        _hashtags(fields.tags, fields.summary or fields.body) if channel in HASHTAG_CHANNELS else []
    )
    return {
        "channel": channel,
        "post": {"id": post.id, "title": fields.title, "lang": post.lang, "date": post.date},
        "cta": cta,
        "article_url": link,
        "hashtags": tags,
    }


MENTION = re.compile(r"@\{([a-z0-9][a-z0-9_-]*)\}")


def with_mentions(text: str, channel: str, config: Config) -> str:
    """``@{key}`` replaced by that person's handle on ``channel`` (their name where none)."""
    if "@{" not in text:
        return text
    people = config.people
    return MENTION.sub(
        lambda m: people[m.group(1)].on(channel) if m.group(1) in people else m.group(0), text
    )


def body_text(fields: Fields) -> str:
    """The social copy's own words: the summary when there is one, else the body as plain text."""
    return plain(fields.summary if fields.summary else fields.body)


#: Channels whose copy shows links in a short form, the full URL riding in a facet.
SHORT_LINK_CHANNELS = {"bluesky"}
SHORT_LINK_MAX = 32


def short_link(url: str) -> str:
    """How a link is shown where every character counts: no scheme, no query, at most 32."""
    parts = urlsplit(url)
    shown = (parts.netloc.removeprefix("www.") + parts.path).rstrip("/") or url
    return shown if len(shown) <= SHORT_LINK_MAX else shown[: SHORT_LINK_MAX - 1] + "…"


def _shorten_links(text: str, found: list[tuple[str, str]]) -> str:
    def repl(m: re.Match[str]) -> str:
        shown = short_link(m.group(0))
        found.append((shown, m.group(0)))
        return shown

    return _LINK_IN_TEXT.sub(repl, text)


_DEFAULT_TEMPLATES: Templates | None = None


def _clean(text: str) -> str:
    text = re.sub(r"[ \t]+\n", "\n", text.strip())
    return re.sub(r"\n{3,}", "\n\n", text)


def render(
    post: Post,
    channel: str,
    config: Config,
    rules: Rules | None = None,
    templates: Templates | None = None,
) -> Copy:
    """The exact copy ``channel`` receives for ``post`` (split into a thread only on request).

    The words come from the summary (or the body) as plain text; the channel's template
    (``social/<channel>.txt.j2``, else ``social/default.txt.j2``) lays out the whole copy.
    Raises TemplateProblem when a template is broken.
    """
    global _DEFAULT_TEMPLATES
    if templates is None:
        templates = _DEFAULT_TEMPLATES = _DEFAULT_TEMPLATES or Templates(None)
    rules = rules or RULES[channel]
    fields = post.variant(channel)
    words = _tag_links(with_mentions(body_text(fields), channel, config), channel, post, config)
    name = templates.first(f"social/{channel}.txt.j2", "social/default.txt.j2")
    context = copy_context(post, fields, channel, config)
    question = fields.poll.question if fields.poll else None
    context["poll_question"] = None if not question or question in words else question
    whole = _clean(templates.render(name, words=words, **context))
    links: list[tuple[str, str]] = []
    shorten = channel in SHORT_LINK_CHANNELS
    if shorten:
        whole = _shorten_links(whole, links)
    if fields.thread and rules.threads and rules.max_length is not None:
        limit = rules.max_length.value
        if not _fits(rules, whole, fields.cw, limit):
            tail = _clean(templates.render(name, words="", **context))
            if shorten:
                words, tail = _shorten_links(words, []), _shorten_links(tail, [])
            parts = split_thread(words, tail, rules, limit, fields.cw)
            return Copy(channel, tuple(parts), fields.cw, tuple(links))
    return Copy(channel, (whole,), fields.cw, tuple(links))


def _fits(rules: Rules, text: str, cw: str | None, limit: int) -> bool:
    return rules.count_post(text, cw) <= limit


# A sentence ends at . ! ? or … after a word (not after a bare number like "2." or "1 950.").
_SENTENCE = re.compile(r"(?<=[^\W\d][.!?…])\s+|(?<=[.!?…][”»\"')])\s+")


def _units(text: str, tail: str) -> list[tuple[str, str]]:
    """The text as (separator, line) pairs, so a thread breaks between lines when it can."""
    units: list[tuple[str, str]] = []
    for p, para in enumerate(text.split("\n\n")):
        for i, line in enumerate(para.split("\n")):
            if line.strip():
                units.append(("\n\n" if p and not i else "\n" if i else "", line.strip()))
    if tail:
        units.append(("\n\n", tail))
    return units


def split_thread(
    text: str, tail: str, rules: Rules, limit: int, cw: str | None = None
) -> list[str]:
    """Split ``text`` into numbered parts that each fit ``limit``, at line then sentence ends.

    Each part keeps the line breaks of the source and breaks between lines when it can; the
    tail (CTA, link, hashtags) closes the last part. A sentence longer than a part is split at word boundaries; a single word that
    cannot fit is left over-long for the validator to report (text is never cut in a word).
    """
    units = _units(text, tail)
    n = 2
    parts: list[str] = []
    for _ in range(8):  # the numbering's width depends on n; converge on a stable n
        parts = _pack(units, rules, limit, n, cw)
        if len(parts) == n:
            break
        n = len(parts)
    return [f"{p} ({i}/{len(parts)})" for i, p in enumerate(parts, start=1)]


def _pack(
    units: list[tuple[str, str]], rules: Rules, limit: int, n: int, cw: str | None
) -> list[str]:
    suffix = f" ({n}/{n})"

    def fits(text: str) -> bool:
        return rules.count_post(text + suffix, cw) <= limit

    parts: list[str] = []
    current = ""
    queue = list(units)
    while queue:
        sep, unit = queue.pop(0)
        candidate = f"{current}{sep}{unit}" if current else unit
        if fits(candidate):
            current = candidate
            continue
        if current:
            parts.append(current)
            current = ""
            queue.insert(0, ("", unit))
            continue
        sentences = [x for x in _SENTENCE.split(unit) if x.strip()]
        if len(sentences) > 1:  # a line longer than a part: break it between sentences
            queue[:0] = [("", sentences[0]), *((" ", x) for x in sentences[1:])]
            continue
        words = unit.split(" ")
        if len(words) == 1:
            parts.append(unit)  # cannot split a single word: reported as too long
            continue
        head, k = words[0], 1
        while k < len(words) and fits(f"{head} {words[k]}"):
            head = f"{head} {words[k]}"
            k += 1
        parts.append(head)
        queue.insert(0, ("", " ".join(words[k:])))
    if current:
        parts.append(current)
    return parts
