"""Bluesky: 300 graphemes and 3000 UTF-8 bytes, and facets found exactly as the official client does.

Counting (shared/platforms.md §4): the lexicon of ``app.bsky.feed.post`` caps ``text`` at
``maxGraphemes`` 300 (``Intl.Segmenter`` extended grapheme clusters) **and** ``maxLength`` 3000,
which the validator measures in UTF-8 bytes. URLs, mentions and tags count as written.

Facets: :func:`facets` is ``RichText.detectFacets`` of @atproto/api 0.21.0
(``packages/api/src/rich-text/detection.ts`` and ``util.ts``), rule for rule, with UTF-8 byte
offsets: mentions ``(^|\\s|\\()@handle`` whose handle ends in a known TLD or ``.test``; links
``https?://\\S+`` or a bare domain with a known TLD (``https://`` prepended), minus one trailing
``.,;:!?`` and an unbalanced ``)``; ``#``/``＃`` tags that are not all digits, trailing
punctuation stripped, at most 64 graphemes; cashtags ``$TICKER``, which the library emits as
*tag* facets whose tag is ``"$"`` + the upper-cased ticker. JavaScript's ``\\s``, ``\\b`` and
``\\p{P}`` are spelled out (the ``regex`` module's Unicode is newer than Node's). Checked against
the library on the differential corpus (tests/platforms/test_reference.py).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import ClassVar

from cmpub.platforms.base import Limit, Measure, Rules, graphemes, utf8_len

_SRC = "platforms.md §4 Bluesky (bluesky-social/atproto @ d6296a1c)"
_DATA_FILE = Path(__file__).with_name("data") / "bluesky.json"

MAX_GRAPHEMES = 300  # app.bsky.feed.post text maxGraphemes
MAX_BYTES = 3000  # app.bsky.feed.post text maxLength, measured as UTF-8 bytes
MAX_TAG_GRAPHEMES = 64  # detection.ts: longer tags are not facets

# JavaScript \s (WhiteSpace + LineTerminator), the same with or without the u flag.
_JS_SPACE = "\t\n\x0b\x0c\r \xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff"
_JS_WORD = "A-Za-z0-9_"  # \w and \b without the u flag
# util.ts TAG_REGEX: characters that end a tag besides \s.
_TAG_STOP = "\u00ad\u2060\u200a\u200b\u200c\u200d\u20e2"


@cache
def _data() -> dict[str, list]:
    with _DATA_FILE.open(encoding="utf-8") as f:
        return json.load(f)


@cache
def _tlds() -> frozenset[str]:
    return frozenset(_data()["tlds"])


def _ranges(ranges: list[list[int]]) -> str:
    return "".join(f"\\U{a:08x}-\\U{b:08x}" for a, b in ranges)


@cache
def _regexes() -> dict[str, re.Pattern[str]]:
    ws = _JS_SPACE
    punct = _ranges(_data()["punctuation"])
    boundary = f"(?:(?<=[{_JS_WORD}])(?![{_JS_WORD}])|(?<![{_JS_WORD}])(?=[{_JS_WORD}]))"
    line_start = "(?:^|(?<=[\n\r\u2028\u2029]))"  # ^ under the m flag
    tag_char = f"[^{ws}{_TAG_STOP}]"
    return {
        # MENTION_REGEX = /(^|\s|\()(@)([a-zA-Z0-9.-]+)(\b)/g
        "mention": re.compile(f"(?:^|[{ws}]|\\()@([a-zA-Z0-9.\\-]+){boundary}"),
        # URL_REGEX = /(^|\s|\()((https?:\/\/[\S]+)|((?<domain>[a-z][a-z0-9]*(\.[a-z0-9]+)+)[\S]*))/gim
        "link": re.compile(
            f"({line_start}|[{ws}]|\\()((?:[hH][tT][tT][pP][sS]?://[^{ws}]+)"
            f"|(?P<domain>[a-zA-Z][a-zA-Z0-9]*(?:\\.[a-zA-Z0-9]+)+)[^{ws}]*)"
        ),
        # TAG_REGEX (u flag): (^|\s)[#＃]((?!\ufe0f)[^\s…]*[^\d\s\p{P}…]+[^\s…]*)?
        "tag": re.compile(
            f"(^|[{ws}])[#＃]((?!\ufe0f){tag_char}*[^0-9{ws}{punct}{_TAG_STOP}]+{tag_char}*)?"
        ),
        "trailing_punct": re.compile(f"[{punct}]+\\Z"),
        # CASHTAG_REGEX = /(^|\s|\()\$([A-Za-z][A-Za-z0-9]{0,4})(?=\s|$|[.,;:!?)"'\u2019])/gu
        "cashtag": re.compile(
            f"(^|[{ws}]|\\()\\$([A-Za-z][A-Za-z0-9]{{0,4}})(?=[{ws}]|\\Z|[.,;:!?)\"'\u2019])"
        ),
    }


def _is_valid_domain(name: str) -> bool:
    """detection.ts ``isValidDomain``: ``name`` ends with ``.`` + a known TLD (case-sensitive)."""
    dot = name.rfind(".")
    return dot >= 0 and name[dot + 1 :] in _tlds()


def facets(text: str) -> list[dict[str, int | str]]:
    """The facets ``RichText.detectFacetsWithoutResolution()`` finds, sorted by start.

    Each is ``{"start", "end", "type", "value"}``: UTF-8 byte offsets (end exclusive), type
    ``link`` (value: the URI, ``https://`` added to bare domains), ``mention`` (the handle, still
    to be resolved to a DID) or ``tag`` (without ``#``; a cashtag is the tag ``"$AAPL"``).
    """
    if text.isascii() and not any(c in text for c in "@.:#$"):
        return []
    rx = _regexes()
    found: list[tuple[int, int, str, str]] = []  # code point offsets, in detection order
    if "@" in text:
        for m in rx["mention"].finditer(text):
            handle = m.group(1)
            if not _is_valid_domain(handle) and not handle.endswith(".test"):
                continue
            start = text.find(handle, m.start()) - 1
            found.append((start, start + len(handle) + 1, "mention", handle))
    for m in rx["link"].finditer(text):
        uri = m.group(2)
        if not uri.startswith("http"):
            domain = m.group("domain")
            if not domain or not _is_valid_domain(domain):
                continue
            uri = "https://" + uri
        start = text.find(m.group(2), m.start())
        end = start + len(m.group(2))
        if uri[-1] in ".,;:!?":
            uri = uri[:-1]
            end -= 1
        if uri.endswith(")") and "(" not in uri:
            uri = uri[:-1]
            end -= 1
        found.append((start, end, "link", uri))
    if "#" in text or "＃" in text:
        for m in rx["tag"].finditer(text):
            tag = m.group(2)
            if not tag:
                continue
            tag = rx["trailing_punct"].sub("", tag)  # tag.trim() is a no-op: no \s inside
            if not tag or (
                _utf16_len(tag) > MAX_TAG_GRAPHEMES and graphemes(tag) > MAX_TAG_GRAPHEMES
            ):
                continue
            start = m.start() + len(m.group(1))
            found.append((start, start + 1 + len(tag), "tag", tag))
    if "$" in text:
        for m in rx["cashtag"].finditer(text):
            start = m.start() + len(m.group(1))
            ticker = m.group(2).upper()
            found.append((start, start + 1 + len(ticker), "tag", "$" + ticker))
    found.sort(key=lambda f: f[0])  # stable, like facets.sort(facetSort)
    return [
        {"start": _byte_offset(text, s), "end": _byte_offset(text, e), "type": t, "value": v}
        for s, e, t, v in found
    ]


def _utf16_len(text: str) -> int:
    return len(text) if text.isascii() else len(text.encode("utf-16-le")) // 2


def _byte_offset(text: str, index: int) -> int:
    """UTF-8 offset of code point ``index`` (``UnicodeString.utf16IndexToUtf8Index``)."""
    head = text[:index]
    return len(head) if head.isascii() else len(head.encode("utf-8"))


_MAX_BYTES_LIMIT = Limit(MAX_BYTES, _SRC + ": post.json text maxLength 3000 (UTF-8 bytes)")


@dataclass(frozen=True)
class BlueskyRules(Rules):
    """Bluesky: ≤ 300 graphemes and ≤ 3000 UTF-8 bytes, 4 images, alt text required, threads."""

    id: ClassVar[str] = "bluesky"
    name: ClassVar[str] = "Bluesky"
    unit: ClassVar[str] = "graphemes"

    max_bytes: Limit = _MAX_BYTES_LIMIT

    def measures(self, text: str) -> tuple[Measure, ...]:
        """Both lengths Bluesky limits: graphemes (≤ 300) and UTF-8 bytes (≤ 3000)."""
        grapheme_limit = self.max_length
        return (
            Measure(
                "graphemes",
                graphemes(text),
                grapheme_limit.value if grapheme_limit else None,
                grapheme_limit.firm if grapheme_limit else True,
            ),
            Measure("UTF-8 bytes", utf8_len(text), self.max_bytes.value, self.max_bytes.firm),
        )

    def facets(self, text: str) -> list[dict[str, int | str]]:
        """The facets the official client would attach to ``text`` (see :func:`facets`)."""
        return facets(text)


RULES = BlueskyRules(
    max_length=Limit(MAX_GRAPHEMES, _SRC + ": post.json text maxGraphemes 300"),
    max_images=Limit(4, _SRC + ": embed/images.json images maxLength 4"),
    # images.json blob maxSize: 1,000,000 B on older PDSes; bsky.social accepts 2,000,000 B since
    # 2026-04-08 (commit d8801e2a17). Target the value every PDS accepts.
    image_max_bytes=Limit(
        1_000_000,
        _SRC + ": embed/images.json image maxSize 1,000,000 B (2,000,000 B on bsky.social "
        "since 2026-04-08, d8801e2a17; older PDSes keep 1,000,000)",
    ),
    image_formats=("JPEG", "PNG", "GIF", "WEBP"),
    # alt is required by the lexicon but may be empty; no lexicon max, the official app stops at
    # MAX_ALT_TEXT = 2000 JavaScript string length (social-app src/lib/constants.ts).
    alt_max=Limit(
        2000, "platforms.md §4 Bluesky (social-app @ 008fe5ea constants.ts MAX_ALT_TEXT)"
    ),
    alt_unit="UTF-16 code units",
    alt_required=True,
    poll=None,  # no polls on Bluesky
    threads=True,  # reply {root, parent} strongRefs
    empty_text_ok=True,  # "if there are embeds"
)

__all__ = ["MAX_BYTES", "MAX_GRAPHEMES", "RULES", "BlueskyRules", "facets"]
