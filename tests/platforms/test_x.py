"""X: twitter-text 3.1.0's weighted length, pinned on its conformance cases and on known traps.

The expected values come from twitter-text's ``conformance/validate.yml`` (3.1.0) or were
measured with the JavaScript (they are also in the differential corpus); pinning them here
means a change of implementation or data cannot shift a count silently.
"""

from __future__ import annotations

import subprocess
import sys

import pytest

from cmpub.platforms import _twitter, x
from cmpub.platforms.base import Limit

FAMILY = "👨‍👩‍👧‍👦"
CJK_POEM = (
    "故人西辞黄鹤楼，烟花三月下扬州。孤帆远影碧空尽，唯见长江天际流。朱雀桥边野草花，乌衣巷口夕阳斜。"
    "旧时王谢堂前燕，飞入寻常百姓家。朝辞白帝彩云间，千里江陵一日还。两岸猿声啼不住，轻舟已过万重山。"
    "泪湿罗巾梦不成，夜深前殿按歌声。红颜未老恩先断，斜倚薰笼坐到明。独在异乡为异客，每逢佳节倍思亲。"
    "遥知兄弟登高处，遍插茱萸少一人。"
)
KANA = "あいうえおかきくけこ"

# (description from conformance/validate.yml, text, weightedLength, valid)
CONFORMANCE = [
    ("'Á' is normalized into 1 char", "A\u0301B", 2, True),
    ("שּׁ is normalized into 3 chars", "A\ufb2c", 4, True),
    ("Regular Tweet with url", "Hi http://test.co", 26, True),
    ("Just url", "http://test.co", 23, True),
    ("Long tweet, overflow at char index 280", "285 chars-" + "xxxxxxxxxx-" * 25, 285, False),
    ("10 url string, no overflow", "https://www.twitter.com/aloha " * 10, 240, True),
    ("160 CJK char, overflow at char index 140", CJK_POEM, 320, False),
    ("3 latin char + 160 CJK char", "the" + CJK_POEM, 323, False),
    ("160 emoji char, overflow at char index 140", "😷" * 160, 320, False),
    ("140 family emoji", FAMILY * 140, 280, True),
    ("Count a mix of single byte single word, and double word unicode", "H🐱☺" + FAMILY, 7, True),
    ("Count unicode emoji chars inside the basic multilingual plane", "😷👾😡🔥💩", 10, True),
    ("Count emoji outside the BMP with skin tone modifiers", "🙋🏽👨‍🎤", 4, True),
    ("Handle a 64 character domain without protocol", "randomurl" * 7 + "s.com", 68, True),
    (
        "Do not allow > 140 CJK characters: > 63 punycode chars in the host",
        KANA * 12 + " http://" + KANA * 5 + "あいう.com",
        358,
        False,
    ),
    (
        "Allow > 140 CJK characters: < 63 punycode chars in the host",
        KANA * 12 + " http://" + KANA * 5 + "あい.com",
        264,
        True,
    ),
    ("Emoji with a leading character in the latin range is counted as 2", "1⃣", 2, True),
    ("Unicode 9.0 emoji", "Unicode 9.0 emoji: 🤠; 💃; 💃🏾", 29, True),
    ("Handle invalid characters", "ABC\u202a\uffffABC\ufffe", 12, False),
    (
        "Tweet text containing directional characters should be considered valid",
        "\u2066\u202ahttp://foobar.پاکستان/\u202c\u2069",
        31,
        True,
    ),
]


@pytest.mark.parametrize(
    ("text", "weighted", "valid"),
    [case[1:] for case in CONFORMANCE],
    ids=[case[0] for case in CONFORMANCE],
)
def test_conformance(text: str, weighted: int, valid: bool) -> None:
    assert x.parse(text) == (weighted, valid)
    assert x.RULES.count(text) == weighted


# Where the official JavaScript and the twitter-text-parser Python package disagree
# (shared/platforms.md §1), and other traps; values measured with twitter-text 3.1.0 JS.
PINNED = [
    ("bare copyright sign weighs 1 (in U+0000–U+10FF)", "©", 1, True),
    ("bare registered sign weighs 1", "®", 1, True),
    ("copyright + VS16 is a twemoji: 2", "©️", 2, True),
    ("trade mark sign weighs 2", "™", 2, True),
    ("hot beverage + VS16 is one twemoji: 2", "☕️", 2, True),
    ("high voltage + VS16 is one twemoji: 2", "⚡️", 2, True),
    ("infinity + VS16: 2 + a lone VS16 emoji 2", "♾️", 4, True),
    ("phoenix (Emoji 15.1) is weighed code point by code point", "🐦‍🔥", 5, True),
    ("CRLF weighs 2 (not normalised)", "a\r\nb", 4, True),
    ("LF weighs 1", "a\nb", 3, True),
    ("empty text is invalid", "", 0, False),
    ("U+FEFF makes the text invalid", "a\ufeffb", 4, False),
    ("U+FFFE makes the text invalid", "\ufffe", 2, False),
    ("a bare domain counts 23", "example.com", 23, True),
    ("a bare www domain with path counts 23", "see www.example.org/path", 27, True),
    ("an unknown TLD is not a URL", "brulerie-canuts.example", 23, True),
    ("a Latin-accented bare domain is a URL", "café.fr", 23, True),
    ("a CJK domain without scheme is not a URL", "例え.jp", 7, True),
    ("an IDN with a scheme is a URL", "https://café.fr/menu", 23, True),
    ("a t.co slug of 41 characters is not a URL", "https://t.co/" + "a" * 41, 54, True),
    ("a t.co URL is cut after its slug", "https://t.co/abc/def", 27, True),
    ("typography weighs 2", "…•€→™", 10, True),
    ("em dash and right quote weigh 1", "—’", 2, True),
    ("Cyrillic, Arabic, Devanagari, Thai, Georgian weigh 1", "жمकกა", 5, True),
    ("Hangul and CJK weigh 2", "한日", 4, True),
    ("279 weighted", "a" * 279, 279, True),
    ("280 weighted", "日" * 140, 280, True),
    ("281 weighted", "日" * 140 + "a", 281, False),
    ("a URL after a split emoji half", "#🙂-ab.com", 26, True),
]


@pytest.mark.parametrize(
    ("text", "weighted", "valid"), [case[1:] for case in PINNED], ids=[case[0] for case in PINNED]
)
def test_pinned(text: str, weighted: int, valid: bool) -> None:
    assert x.parse(text) == (weighted, valid)


def test_extract_urls_reports_code_point_indices() -> None:
    text = "http://twitter.com/これは日本語です。example.com中国語"
    assert x.extract_urls(text) == [(0, 19, "http://twitter.com/"), (28, 39, "example.com")]
    assert x.extract_urls("🙂 https://example.com/😀") == [(2, 22, "https://example.com/")]
    assert x.extract_urls("no dot here") == []


def test_tld_alternation_can_be_a_prefix_tree() -> None:
    """The prefix tree (longest first) matches as twitter-text's ordered alternation does.

    When a TLD is a prefix of another one and the lookahead after the shorter one can pass
    (嘉里 / 嘉里大酒店, भारत / भारतम्), the longer one must come first in twitter-text's order.
    """
    order = [_twitter.js_upper(t) for t in _twitter.data()["gtld"] + _twitter.data()["cctld"]]
    first: dict[str, int] = {}
    for i, tld in enumerate(order):
        first.setdefault(tld, i)
    blocked = set("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ@+-")
    overlapping = []
    for longer in first:
        for i in range(1, len(longer)):
            shorter = longer[:i]
            if shorter in first and longer[i] not in blocked:
                overlapping.append(shorter)
                assert first[longer] < first[shorter], (shorter, longer)
    assert sorted(overlapping) == sorted(["嘉里", "भारत"])


def test_js_upper_is_javascripts_case_folding() -> None:
    assert _twitter.js_upper("abc") == "ABC"
    assert _twitter.js_upper("\u212a") == "\u212a"  # Kelvin sign: not K for JavaScript
    assert _twitter.js_upper("ſ") == "ſ"  # long s would map to ASCII S: kept
    assert _twitter.js_upper("рф") == "РФ"
    assert x.parse("https://example.site") == (23, True)
    assert x.parse("https://example.ſite") == (20, True)  # ſ is not s for JavaScript's /i
    assert x.extract_urls("https://example.\u212aom") == []  # parse() would NFC it to K


def test_import_is_cheap() -> None:
    """Importing compiles nothing; a text that cannot hold a URL or an emoji compiles nothing."""
    code = (
        "import cmpub.platforms._twitter as t, cmpub.platforms.x as x;"
        "assert x.parse('plain text') == (10, True);"
        "print(t._patterns.cache_info().currsize, t._emoji.cache_info().currsize)"
    )
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert run.stdout.split() == ["0", "0"]


def test_rules_are_data_with_sources() -> None:
    rules = x.RULES
    assert (rules.id, rules.name, rules.unit) == ("x", "X", "weighted characters")
    assert rules.max_length == Limit(280, rules.max_length.source)
    assert "280" in rules.max_length.source
    assert rules.max_images and rules.max_images.value == 4
    assert rules.image_max_bytes and rules.image_max_bytes.value == 5_000_000
    assert rules.alt_max and rules.alt_max.value == 1000
    assert rules.poll is not None
    assert (rules.poll.min_options, rules.poll.max_options, rules.poll.option_max) == (2, 4, 25)
    assert (rules.poll.min_seconds, rules.poll.max_seconds) == (5 * 60, 10_080 * 60)
    assert rules.threads
    assert x.MAX_CASHTAGS.value == 1
    assert rules.measures("hello")[0].length == 5
    assert rules.valid("hello") and not rules.valid("")
