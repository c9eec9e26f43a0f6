"""Mastodon: the instance's ``max_characters`` (500 upstream), counted as the server counts.

The rule (shared/platforms.md §5; mastodon/mastodon v4.6.5 = 1440d55b,
``app/validators/status_length_validator.rb``): the length of a status is the number of
extended grapheme clusters of ``spoiler_text + countable_text(text)`` — **the content warning
counts** — where ``countable_text``

* is ``''`` for a blank text (Rails ``blank?``: empty or only ``[[:space:]]``);
* replaces every URL *with a scheme* (``https?``, ``dat``, ``dweb``, ``ipfs``, ``ipns``, ``ssb``,
  ``gopher``, ``gemini``; config/initializers/twitter_regex.rb) by 23 ``x``: a bare
  ``example.com`` counts as written (``extract_url_without_protocol: false``);
* replaces every mention ``@user@domain`` (``Account::MENTION_RE``) by ``@user``;
* keeps the first of overlapping URLs and mentions (twitter-text's remove_overlapping_entities).

Mastodon is Ruby. cmpub follows a JavaScript rebuild of that code (tests/reference/mastodon.mjs,
which lists its deliberate approximations) and is checked against it on the differential
corpus; the regexes below are the same as the rebuild's, piece for piece.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import ClassVar

from cmpub.platforms import _twitter as tt
from cmpub.platforms.base import Limit, PollRules, Rules, graphemes

_SRC = "platforms.md §5 Mastodon (mastodon/mastodon v4.6.5 = 1440d55b)"
_DATA_FILE = Path(__file__).with_name("data") / "mastodon.json"

MAX_CHARS = 500  # StatusLengthValidator::MAX_CHARS; instances override it (max_characters)
URL_PLACEHOLDER_CHARS = 23  # StatusLengthValidator::URL_PLACEHOLDER_CHARS
MAX_DOMAIN_LENGTH = 253  # Extractor::MAX_DOMAIN_LENGTH (longer mention domains are not mentions)

# twitter-text gem 3.1.0 rb/lib/twitter-text/regex.rb, as class bodies (see _twitter.class_ranges).
UNICODE_SPACES = "\t-\r \x85\xa0\u1680\u180e\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
DIRECTIONAL = "\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"
INVALID = "\ufffe\ufeff\uffff"
PUNCTUATION = "!\"#$%&'()*+,\\-./:;<=>?@\\[\\]^_`{|}~"  # PUNCTUATION_CHARS (no backslash)
SPACE_CHARS = " \t\n\x0b\x0c\r"
CTRL = "\x00-\x1f\x7f"
# \p{White_Space}, \p{Cyrillic}, \p{Pd} as Node's ICU (Unicode 17) has them, like the rebuild.
WHITE_SPACE = "\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
CYRILLIC = (
    (0x400, 0x484), (0x487, 0x52F), (0x1C80, 0x1C8A), (0x1D2B, 0x1D2B), (0x1D78, 0x1D78),
    (0x2DE0, 0x2DFF), (0xA640, 0xA69F), (0xFE2E, 0xFE2F), (0x1E030, 0x1E06D), (0x1E08F, 0x1E08F),
)  # fmt: skip
DASH_PUNCTUATION = (
    (0x2D, 0x2D), (0x58A, 0x58A), (0x5BE, 0x5BE), (0x1400, 0x1400), (0x1806, 0x1806),
    (0x2010, 0x2015), (0x2E17, 0x2E17), (0x2E1A, 0x2E1A), (0x2E3A, 0x2E3B), (0x2E40, 0x2E40),
    (0x2E5D, 0x2E5D), (0x301C, 0x301C), (0x3030, 0x3030), (0x30A0, 0x30A0), (0xFE31, 0xFE32),
    (0xFE58, 0xFE58), (0xFE63, 0xFE63), (0xFF0D, 0xFF0D), (0x10D6E, 0x10D6E), (0x10EAD, 0x10EAD),
)  # fmt: skip
# config/initializers/twitter_regex.rb UCHARS (RFC 3987 ucschar + iprivate).
UCHARS_BMP = "\xa0-\ud7ff\uf900-\ufdcf\ufdf0-\uffef\ue000-\uf8ff"
UCHARS_ASTRAL = tuple(
    (plane << 16 | (0x1000 if plane == 0xE else 0), plane << 16 | 0xFFFD) for plane in range(1, 17)
)
SCHEMES = ("https?", "dat", "dweb", "ipfs", "ipns", "ssb", "gopher", "gemini")

_BLANK = re.compile(f"[{WHITE_SPACE}]*")
# Characters no part of a Mastodon URL can hold (the query allows U+00A0 and up): URLs are
# looked for only in the dotted runs between them (see _twitter.dotted_windows).
_DOTTED = re.compile("(?<![^\t-\r \x85])[^.\t-\r \x85]*\\.[^\t-\r \x85]*")
_TCO = re.compile("HTTPS?://T\\.CO/([A-Z0-9]+)")  # the gem's valid_tco_url, upper-cased


@cache
def _url_regex() -> re.Pattern[str]:
    """Mastodon's ``Twitter::TwitterText::Regex[:valid_url]``, upper-cased (see _twitter)."""
    ci = tt.ci_class
    preceding = f"(?:{ci('A-Z0-9@＠$#＃' + INVALID, negate=True)}|{ci(DIRECTIONAL)}|^)"
    dvc = ci(DIRECTIONAL + PUNCTUATION + SPACE_CHARS + CTRL + INVALID + UNICODE_SPACES, negate=True)
    subdomain = f"(?:(?:{dvc}(?:[_\\-]|{dvc})*)?{dvc}\\.)"
    domain_name = f"(?:(?:{dvc}(?:-|{dvc})*)?{dvc}\\.)"
    domain = f"(?:{subdomain}*{domain_name}(?:{tt.tld_pattern()}|(?:XN--{ci('0-9a-z')}+)))"
    gem_path_char = ci(
        "a-z0-9!*';:=+,.$/%#\\[\\]_~&|@" + tt.LATIN_ACCENTS, extra=CYRILLIC + DASH_PUNCTUATION
    )
    gem_balanced = (
        f"\\((?:{gem_path_char}+|(?:{gem_path_char}*\\({gem_path_char}+\\){gem_path_char}*))\\)"
    )
    path_char = ci(WHITE_SPACE + "<>()?", negate=True)
    path_end_char = ci(WHITE_SPACE + "()?!*\"'「」<>;:=,.$%\\[\\]~&|@", negate=True)
    path_end = f"(?:{path_end_char}|(?:{gem_balanced}))"
    balanced = f"\\((?:{path_char}+|(?:{path_char}*\\({path_char}+\\){path_char}*))\\)"
    path = f"(?:(?:{path_char}*(?:{balanced}{path_char}*)*{path_end})|(?:{path_char}+/))"
    query_char = ci("a-z0-9!?*'();:&=+$/%#\\[\\]\\-_.,~|@^" + UCHARS_BMP, extra=UCHARS_ASTRAL)
    query_end = ci("a-z0-9_&=#/\\-" + UCHARS_BMP, extra=UCHARS_ASTRAL)
    schemes = "|".join(s.upper() for s in SCHEMES)
    return re.compile(
        f"(({preceding})(((?:{schemes})://)?({domain})(?::([0-9]+))?(/{path}*)?"
        f"(\\?{query_char}*{query_end})?))"
    )


@cache
def _mention_regexes() -> tuple[re.Pattern[str], re.Pattern[str]]:
    """``Account::MENTION_RE`` and the extractor's rejection of what follows a mention."""
    with _DATA_FILE.open(encoding="utf-8") as f:
        data = json.load(f)
    word = tt.render_class([tuple(r) for r in data["word"]])  # [[:word:]]
    user = "[a-zA-Z0-9_\u017f\u212a]"  # USERNAME_RE [a-z0-9_] under Onigmo's /i
    # (?<![=/[:word:]])@ is written @(?<!...@) so that `re` can jump from one @ to the next.
    mention = re.compile(
        f"@(?<![=/]@)(?<!{word}@)(({user}+(?:[.\\-]+{user}+)*)(?:@{word}+(?:[.\\-]+{word}+)*)?)"
    )
    latin = tt.render_class([tuple(r) for r in data["latin_accents_ci"]])
    end = re.compile(f"[@＠]|{latin}|://")  # Regex[:end_mention_match], /io
    return mention, end


def _is_valid_domain(url: str, domain: str) -> bool:
    """The gem's ``is_valid_domain`` (IDNA as twitter-text JS does it, see mastodon.mjs)."""
    encoded = tt.idna_encoded_len(domain)
    if encoded is None:
        return False
    url, domain = tt.from_units(url), tt.from_units(domain)  # Ruby lengths are characters
    return len(url) + max(0, encoded - len(domain)) <= tt.MAX_URL_LENGTH


def extract_urls(text: str) -> list[tuple[int, int]]:
    """The URLs Mastodon discounts: ``(start, end)`` code point spans of URLs with a scheme."""
    if ":" not in text:
        return []
    units = tt.to_units(text)  # the rebuild's regex has no u flag, like twitter-text's
    upper = tt.js_upper(units)
    spans = []
    for m in tt.dotted_windows(_url_regex(), upper, _DOTTED):
        if not m.group(4):
            continue  # extract_url_without_protocol: false
        start, end = m.span(3)
        tco = _TCO.match(upper, start, end)
        if tco:
            if len(tco.group(1)) > tt.MAX_TCO_SLUG_LENGTH:
                continue
            end = tco.end()
        if _is_valid_domain(units[start:end], units[m.start(5) : m.end(5)]):
            spans.append((start, end))
    if units is not text:
        spans = [(tt.unit_index_to_cp(units, s), tt.unit_index_to_cp(units, e)) for s, e in spans]
    return spans


def extract_mentions(text: str) -> list[tuple[int, int, str]]:
    """Mastodon's mentions: ``(start, end, "@user")`` for each ``@user`` or ``@user@domain``."""
    if "@" not in text:
        return []
    mention, end_match = _mention_regexes()
    out = []
    for m in mention.finditer(text):
        if end_match.match(text, m.end()):
            continue
        _, _, domain = m.group(1).partition("@")
        if domain and len(domain) > MAX_DOMAIN_LENGTH:
            continue
        out.append((m.start(), m.end(), "@" + m.group(2)))
    return out


def entities(text: str) -> list[tuple[int, int, str]]:
    """What ``countable_text`` rewrites: ``(start, end, replacement)``, in order, no overlaps.

    URLs (replacement: 23 ``x``) and mentions (replacement: ``@user``), code point spans; when
    two overlap, the one that starts first stays (twitter-text's remove_overlapping_entities).
    A blank text has none.
    """
    if _BLANK.fullmatch(text):
        return []
    found = [(s, e, "x" * URL_PLACEHOLDER_CHARS) for s, e in extract_urls(text)]
    found += extract_mentions(text)
    found.sort(key=lambda entity: entity[0])
    kept: list[tuple[int, int, str]] = []
    for entity in found:
        if not kept or kept[-1][1] <= entity[0]:
            kept.append(entity)
    return kept


def countable_text(text: str) -> str:
    """``StatusLengthValidator#countable_text``: URLs as 23 ``x``, ``@user@domain`` as ``@user``."""
    if _BLANK.fullmatch(text):
        return ""
    out = []
    last = 0
    for start, end, replacement in entities(text):
        out.append(text[last:start])
        out.append(replacement)
        last = end
    out.append(text[last:])
    return "".join(out)


def count(text: str, spoiler_text: str = "") -> int:
    """Mastodon's length of a status: graphemes of ``spoiler_text + countable_text(text)``."""
    return graphemes(spoiler_text + countable_text(text))


@dataclass(frozen=True)
class MastodonRules(Rules):
    """Mastodon: ``max_characters`` (500 upstream), CW included; 4 images; polls without media."""

    id: ClassVar[str] = "mastodon"
    name: ClassVar[str] = "Mastodon"
    unit: ClassVar[str] = "graphemes"

    def count(self, text: str, spoiler_text: str = "") -> int:
        """Length as the server counts it; pass the content warning, it counts too."""
        return count(text, spoiler_text)

    def count_post(self, text: str, cw: str | None = None) -> int:
        """The status length with its content warning (``spoiler_text``) joined in front."""
        return count(text, cw or "")


RULES = MastodonRules(
    # Read configuration.statuses.max_characters from GET /api/v2/instance and pass it to
    # configured(max_length=Limit(...)); forks differ (glitch-soc: MAX_TOOT_CHARS).
    max_length=Limit(MAX_CHARS, _SRC + ": StatusLengthValidator::MAX_CHARS = 500 (default)"),
    max_images=Limit(4, _SRC + ": Status::MEDIA_ATTACHMENTS_LIMIT = 4"),
    image_max_bytes=Limit(16 * 1024 * 1024, _SRC + ": MediaAttachment IMAGE_LIMIT = 16 MiB"),
    image_formats=("JPEG", "PNG", "GIF", "HEIC", "HEIF", "WEBP", "AVIF"),
    # description_limit: 1,500 up to 4.5.x; 10,000 from 4.6.0 (c4ea89dfd9, 2026-06-08). Keep the
    # value every supported server accepts; read description_limit from the instance to raise it.
    alt_max=Limit(
        1500,
        _SRC + ": MediaAttachment MAX_DESCRIPTION_LENGTH 1,500 (10,000 from 4.6.0, c4ea89dfd9)",
    ),
    alt_unit="characters",  # validates :description, length: Ruby String#length, code points
    alt_required=False,
    poll=PollRules(
        min_options=2,
        max_options=4,  # PollOptionsValidator::MAX_OPTIONS
        option_max=50,  # MAX_OPTION_CHARS (50 graphemes since 37b3985bfa; the docs still say 25)
        min_seconds=300,  # PollExpirationValidator::MIN_EXPIRATION 5 minutes
        max_seconds=2_629_746,  # MAX_EXPIRATION 1.month
        source=_SRC + ": poll_options_validator.rb, poll_expiration_validator.rb",
        option_unit="graphemes",
    ),
    poll_with_images=False,  # "Media cannot be combined with a poll"
    threads=True,  # in_reply_to_id chains
)

__all__ = [
    "RULES",
    "MastodonRules",
    "count",
    "countable_text",
    "entities",
    "extract_mentions",
    "extract_urls",
]
