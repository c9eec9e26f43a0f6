"""AT Protocol pieces the Bluesky publisher needs, as pure functions (no network, no clock).

- :func:`record_key`: the deterministic TID record key of an item (exactly-once posting).
- :func:`build_facets`: link, mention and tag facets with UTF-8 byte offsets, short links first.
- :func:`datetime_string`, :func:`first_sentence`, :func:`size_words`: small formatting helpers.

Sources: shared/platforms.md §4 and bluesky-social/atproto @ d6296a1c (``packages/common-web/src/
tid.ts``, ``packages/syntax/src/tid.ts``, ``lexicons/app/bsky/richtext/facet.json``).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterable
from datetime import UTC, datetime, timedelta
from typing import Any

from cmpub.platforms.base import graphemes, utf8_len
from cmpub.platforms.bluesky import facets as detect_facets

# ----------------------------------------------------------------------------- TIDs

#: base32-sortable: the alphabet of TIDs (``s32encode`` in ``common-web/src/tid.ts``).
TID_ALPHABET = "234567abcdefghijklmnopqrstuvwxyz"
#: ``syntax/src/tid.ts`` ``isValidTid``: 13 characters, the first one keeps the top bit 0.
TID_RE = re.compile(r"^[234567abcdefghij][234567abcdefghijklmnopqrstuvwxyz]{12}$")
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_SECOND = timedelta(seconds=1)
_TID_DOMAIN = b"cmpub/bluesky/rkey/v1\x00"


def tid(micros: int, clock_id: int) -> str:
    """The TID of ``(micros << 10) | clock_id``: 13 base32-sortable characters."""
    if not 0 <= micros < 1 << 53 or not 0 <= clock_id < 1 << 10:
        raise ValueError(f"TID out of range: micros={micros} clock_id={clock_id}")
    value = (micros << 10) | clock_id
    chars = []
    for _ in range(13):
        chars.append(TID_ALPHABET[value & 31])
        value >>= 5
    return "".join(reversed(chars))


def tid_parts(text: str) -> tuple[int, int]:
    """``(micros, clock_id)`` of a TID (raises ValueError when it is not one)."""
    if not TID_RE.match(text):
        raise ValueError(f"not a TID: {text!r}")
    value = 0
    for char in text:
        value = value * 32 + TID_ALPHABET.index(char)
    return value >> 10, value & 1023


def is_valid_tid(text: str) -> bool:
    """True when ``text`` is a syntactically valid TID (what the PDS checks for post rkeys)."""
    return bool(TID_RE.match(text))


def record_key(publish_at: datetime, idempotency_key: str) -> str:
    """The record key of an item: a TID that is the same on every run for the same item.

    Derivation (v1): ``h = sha256("cmpub/bluesky/rkey/v1\\0" + idempotency_key)``, ``n`` = its
    first 8 bytes (big-endian); the TID's time is the publish time truncated to the second plus
    ``n mod 1,000,000`` microseconds, its clock id ``(n div 1,000,000) mod 1024``. So the TID
    sorts (and reads) as the publish time, within the same second, and two items due at the same
    second (two parts of a thread, two posts) differ unless ~30 bits of their hashes collide
    (about one chance in 10⁹). A naive ``publish_at`` is taken as UTC.
    """
    when = publish_at if publish_at.tzinfo else publish_at.replace(tzinfo=UTC)
    seconds = (when - _EPOCH) // _SECOND
    digest = hashlib.sha256(_TID_DOMAIN + idempotency_key.encode("utf-8")).digest()
    n = int.from_bytes(digest[:8], "big")
    micros = seconds * 1_000_000 + n % 1_000_000
    return tid(micros, (n // 1_000_000) % 1024)


# ----------------------------------------------------------------------------- formatting


def datetime_string(when: datetime) -> str:
    """An atproto ``datetime``: UTC, milliseconds, ``Z`` (``2026-12-01T08:00:00.000Z``)."""
    when = when if when.tzinfo else when.replace(tzinfo=UTC)
    utc = when.astimezone(UTC)
    return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}Z"


_SENTENCE_END = re.compile(r"(?<=[^\W\d][.!?…])\s|(?<=[.!?…][”»\"')])\s|\n")


def first_sentence(text: str, limit: int = 300) -> str:
    """The first sentence (or line) of ``text``, at most ``limit`` graphemes (for a link card)."""
    text = text.strip()
    match = _SENTENCE_END.search(text)
    sentence = text[: match.start()].strip() if match else text
    if graphemes(sentence) > limit:
        sentence = sentence[: limit - 1].rstrip() + "…"
    return sentence


def size_words(size: int, limit: int) -> tuple[str, str]:
    """``size`` and ``limit`` in words people read ("2.4 MB", "1 MB"), exact when rounding
    would make them look equal."""

    def mb(n: int) -> str:
        return f"{n / 1_000_000:.1f}".removesuffix(".0") + " MB"

    shown, cap = mb(size), mb(limit)
    if shown == cap or size < 100_000 or limit < 100_000:
        return f"{size:,} bytes", f"{limit:,} bytes"
    return shown, cap


# ----------------------------------------------------------------------------- facets

LINK = "app.bsky.richtext.facet#link"
MENTION = "app.bsky.richtext.facet#mention"
TAG = "app.bsky.richtext.facet#tag"
TAG_MAX_BYTES = 640  # facet.json #tag: maxLength 640 (graphemes 64, checked by detection)


def _find_all(haystack: bytes, needle: bytes) -> list[int]:
    found, start = [], 0
    while needle:
        at = haystack.find(needle, start)
        if at < 0:
            break
        found.append(at)
        start = at + 1
    return found


def _overlaps(start: int, end: int, taken: Iterable[tuple[int, int]]) -> bool:
    return any(start < b and a < end for a, b in taken)


def short_link_ranges(text: str, links: Iterable[tuple[str, str]]) -> list[tuple[int, int, str]]:
    """Byte ranges of the shown short links in ``text``, each with its full URL.

    ``links`` lists (shown text, full URL) in the order the copy shows them (a thread's part
    may hold only some of them). Each pair takes the first free occurrence of its shown text at
    or after the previous match, else the first free one anywhere; pairs not in ``text`` are
    skipped.
    """
    data = text.encode("utf-8")
    taken: list[tuple[int, int, str]] = []
    cursor = 0
    for shown, url in links:
        needle = shown.encode("utf-8")
        spots = [
            at
            for at in _find_all(data, needle)
            if not _overlaps(at, at + len(needle), [(a, b) for a, b, _ in taken])
        ]
        if not spots:
            continue
        at = next((s for s in spots if s >= cursor), spots[0])
        taken.append((at, at + len(needle), url))
        cursor = at + len(needle)
    return sorted(taken)


def build_facets(
    text: str,
    links: Iterable[tuple[str, str]] = (),
    resolve: Callable[[str], str | None] | None = None,
) -> tuple[list[dict[str, Any]], list[str]]:
    """The facets of a post and the warnings met while building them.

    Short links from ``links`` come first (their byte range covers the shown text, their URI is
    the full URL); then what the official client detects (:func:`cmpub.platforms.bluesky.facets`),
    minus anything overlapping a facet already taken (a bare domain inside a shown short link).
    Mentions become facets only when ``resolve(handle)`` gives a DID; an unresolved one stays
    plain text and adds a warning. Byte offsets index ``text.encode("utf-8")``.
    """
    warnings: list[str] = []
    out: list[tuple[int, int, dict[str, Any]]] = [
        (s, e, {"$type": LINK, "uri": url}) for s, e, url in short_link_ranges(text, links)
    ]
    taken = [(s, e) for s, e, _ in out]
    for found in detect_facets(text):
        start, end = int(found["start"]), int(found["end"])
        if _overlaps(start, end, taken):
            continue
        kind, value = found["type"], str(found["value"])
        if kind == "link":
            feature: dict[str, Any] = {"$type": LINK, "uri": value}
        elif kind == "tag":
            if utf8_len(value) > TAG_MAX_BYTES:
                continue
            feature = {"$type": TAG, "tag": value}
        else:
            did = resolve(value) if resolve else None
            if not did:
                warnings.append(
                    f"@{value} is not a Bluesky account we could find: left as plain text, "
                    "not a mention"
                )
                continue
            feature = {"$type": MENTION, "did": did}
        out.append((start, end, feature))
        taken.append((start, end))
    out.sort(key=lambda f: f[0])
    check_facet_ranges(text, [(s, e) for s, e, _ in out])
    facets = [
        {"index": {"byteStart": s, "byteEnd": e}, "features": [feature]} for s, e, feature in out
    ]
    return facets, warnings


def check_facet_ranges(text: str, ranges: list[tuple[int, int]]) -> None:
    """Raise ValueError unless every range lies inside the UTF-8 text, on character boundaries,
    without overlap (the PDS does not check this; a bad range breaks rendering in every app)."""
    data = text.encode("utf-8")
    last = 0
    for start, end in sorted(ranges):
        if not 0 <= start < end <= len(data) or start < last:
            raise ValueError(f"facet byte range {start}..{end} is outside the text or overlaps")
        for at in (start, end):
            if at < len(data) and data[at] & 0xC0 == 0x80:
                raise ValueError(f"facet byte offset {at} splits a character")
        last = end


__all__ = [
    "LINK",
    "MENTION",
    "TAG",
    "TID_ALPHABET",
    "TID_RE",
    "build_facets",
    "check_facet_ranges",
    "datetime_string",
    "first_sentence",
    "is_valid_tid",
    "record_key",
    "short_link_ranges",
    "size_words",
    "tid",
    "tid_parts",
]
