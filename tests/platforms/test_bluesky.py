"""Bluesky: graphemes and UTF-8 bytes, and RichText facet detection, pinned on measured cases.

Expected facets were produced by @atproto/api 0.21.0 ``RichText.detectFacetsWithoutResolution``
(the same cases are in the differential corpus).
"""

from __future__ import annotations

import pytest

from cmpub.platforms import bluesky
from cmpub.platforms.base import graphemes, utf8_len

FAMILY = "👨‍👩‍👧‍👦"


def test_family_emoji_is_one_grapheme_of_25_bytes() -> None:
    assert graphemes(FAMILY) == 1
    assert utf8_len(FAMILY) == 25
    assert [(m.unit, m.length) for m in bluesky.RULES.measures(FAMILY)] == [
        ("graphemes", 1),
        ("UTF-8 bytes", 25),
    ]


@pytest.mark.parametrize(
    ("text", "count"),
    [
        ("🐦‍🔥", 1),  # Emoji 15.1 ZWJ sequence
        ("क्षि", 1),  # Unicode 15.1 GB9c (Indic conjunct)
        ("🇫🇷🇫", 2),
        ("\U0001f3f4\U000e0067\U000e0062\U000e0065\U000e006e\U000e0067\U000e007f", 1),  # England
        ("#️⃣", 1),
        ("e\u0301", 1),
        ("\r\n", 1),
        ("\u1100\u1161\u11a8", 1),  # Hangul jamo
        ("https://example.com/a/very/long/path", 36),  # no URL discount on Bluesky
    ],
)
def test_graphemes(text: str, count: int) -> None:
    assert graphemes(text) == count


def test_both_limits_are_checked() -> None:
    over_graphemes = bluesky.RULES.measures("a" * 301)
    assert [m.over for m in over_graphemes] == [True, False]
    over_bytes = bluesky.RULES.measures(FAMILY * 121)  # 121 graphemes, 3025 bytes
    assert [(m.length, m.limit, m.over) for m in over_bytes] == [
        (121, 300, False),
        (3025, 3000, True),
    ]
    at_limit = bluesky.RULES.measures(FAMILY * 120)
    assert [m.over for m in at_limit] == [False, False]
    assert bluesky.RULES.count("é" * 300) == 300


def facet(start: int, end: int, kind: str, value: str) -> dict[str, int | str]:
    return {"start": start, "end": end, "type": kind, "value": value}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("@alice.bsky.social hi", [facet(0, 18, "mention", "alice.bsky.social")]),
        ("hi @alice@example.social", []),  # a Mastodon address is no Bluesky mention
        ("(@alice.test)", [facet(1, 12, "mention", "alice.test")]),
        ("é @alice.test", [facet(3, 14, "mention", "alice.test")]),  # UTF-8 offsets
        ("@Alice.Bsky.Social", []),  # the TLD check is case-sensitive
        ("email a@b.com", []),
        ("see example.com/path.", [facet(4, 20, "link", "https://example.com/path")]),
        ("go to https://example.com/a). ok", [facet(6, 27, "link", "https://example.com/a")]),
        (
            "(https://en.wikipedia.org/wiki/Coffee_(drink))",
            [facet(1, 46, "link", "https://en.wikipedia.org/wiki/Coffee_(drink))")],
        ),
        ("httpbin.org", [facet(0, 11, "link", "httpbin.org")]),  # starts with "http": as is
        ("HTTPS://EXAMPLE.COM", []),  # not "http", and COM is no (lower-case) TLD
        ("https://localhost:8080/x", [facet(0, 24, "link", "https://localhost:8080/x")]),
        (
            "#café #123 #tag! #日本語",
            [
                facet(0, 6, "tag", "café"),
                facet(12, 16, "tag", "tag"),
                facet(18, 28, "tag", "日本語"),
            ],
        ),
        ("x#notatag #️⃣", []),
        ("#" + "a" * 64, [facet(0, 65, "tag", "a" * 64)]),
        ("#" + "a" * 65, []),
        ("$aapl and ($TSLA)", [facet(0, 5, "tag", "$AAPL"), facet(11, 16, "tag", "$TSLA")]),
        ("", []),
    ],
)
def test_facets(text: str, expected: list[dict[str, int | str]]) -> None:
    assert bluesky.facets(text) == expected
    assert bluesky.RULES.facets(text) == expected


def test_facets_are_sorted_by_start() -> None:
    found = bluesky.facets("#tag https://example.com @alice.test $AAPL")
    assert [f["type"] for f in found] == ["tag", "link", "mention", "tag"]
    assert [f["start"] for f in found] == sorted(f["start"] for f in found)


def test_rules_are_data_with_sources() -> None:
    rules = bluesky.RULES
    assert (rules.id, rules.name, rules.unit) == ("bluesky", "Bluesky", "graphemes")
    assert rules.max_length and rules.max_length.value == 300
    assert rules.max_bytes.value == 3000
    assert rules.max_images and rules.max_images.value == 4
    assert rules.image_max_bytes and rules.image_max_bytes.value == 1_000_000
    assert "2,000,000" in rules.image_max_bytes.source
    assert rules.alt_max and rules.alt_max.value == 2000
    assert rules.alt_unit == "UTF-16 code units"
    assert rules.alt_required
    assert rules.poll is None
    assert rules.threads and rules.empty_text_ok
    assert all(
        limit.source for limit in (rules.max_length, rules.max_images, rules.image_max_bytes)
    )
