"""Mastodon: StatusLengthValidator's count, pinned on cases that show each part of the rule.

Expected values come from the JavaScript rebuild of Mastodon's rule (tests/reference/mastodon.mjs)
and match the code of mastodon/mastodon v4.6.5 read by hand.
"""

from __future__ import annotations

import pytest

from cmpub.platforms import mastodon
from cmpub.platforms.base import Limit

PINNED = [
    ("a mention counts as @user", "@alice@example.social", 6),
    ("a local mention counts as written", "@alice", 6),
    ("mentions keep their case", "hi @Alice@Example.Social and @bob", 18),
    ("an https URL counts 23", "https://example.com/a/very/long/path/that/goes/on", 23),
    ("an upper-case URL counts 23", "HTTPS://EXAMPLE.COM/X", 23),
    ("a bare domain counts literally", "example.com/a/very/long/path", 28),
    ("gemini:// is discounted", "gemini://example.com/x", 23),
    ("xmpp: is linked but not discounted", "xmpp:alice@example.com", 22),
    ("an email address is no mention", "user@example.com", 16),
    ("a CJK path belongs to the URL", "see https://ja.wikipedia.org/wiki/東京 ok", 30),
    ("an emoji path and a query belong to the URL", "https://example.com/😀?q=日本", 23),
    ("balanced parentheses end the URL", "(https://example.com/a_(b))", 25),
    ("a t.co URL stops after its slug", "https://t.co/abc/def", 27),
    ("a t.co slug over 40 is not discounted", "https://t.co/" + "a" * 41, 54),
    ("a mention followed by an accent is not one", "@aliceé", 7),
    ("a mention domain over 253 characters is not one", "@alice@" + "d" * 250 + ".com", 261),
    ("a blank text counts 0", "   \n\u3000", 0),
    ("a zero-width space is not blank", "\u200b", 1),
    ("graphemes, not code points", "👨‍👩‍👧‍👦 e\u0301", 3),
    ("CRLF is one grapheme", "a\r\nb", 3),
]


@pytest.mark.parametrize(
    ("text", "count"), [case[1:] for case in PINNED], ids=[case[0] for case in PINNED]
)
def test_count(text: str, count: int) -> None:
    assert mastodon.RULES.count(text) == count
    assert mastodon.count(text) == count


def test_countable_text() -> None:
    text = "Merci @alice@piaille.fr ! https://brulerie-canuts.fr/blog/visite"
    assert mastodon.countable_text(text) == "Merci @alice ! " + "x" * 23
    # .example is no TLD for twitter-text: such a URL is not discounted (nor linked).
    demo = "https://brulerie-canuts.example/blog/visite"
    assert mastodon.countable_text(demo) == demo
    assert mastodon.countable_text("https://a.co/x @bob") == "x" * 23 + " @bob"


def test_content_warning_counts() -> None:
    assert mastodon.RULES.count("hello", spoiler_text="CW") == 7
    assert mastodon.count("b" * 400, "a" * 100) == 500
    assert mastodon.count("b" * 401, "a" * 100) == 501
    # The content warning itself is not rewritten: its URLs count as written.
    assert mastodon.count("x", spoiler_text="https://example.com/long") == 25
    # Graphemes of the joined text: a combining mark joins the last character of the CW.
    assert mastodon.count("\u0301", spoiler_text="e") == 1


def test_overlapping_entities_keep_the_first() -> None:
    text = "https://example.com/a.@alice"
    assert mastodon.extract_mentions(text) == [(22, 28, "@alice")]  # inside the URL's path
    assert mastodon.entities(text) == [(0, 28, "x" * 23)]  # the URL starts first and stays


def test_instance_limit_is_configurable() -> None:
    rules = mastodon.RULES.configured(max_length=Limit(1000, "GET /api/v2/instance"))
    assert isinstance(rules, mastodon.MastodonRules)
    assert rules.max_length == Limit(1000, "GET /api/v2/instance")
    measure = rules.measures("a" * 600)[0]
    assert (measure.length, measure.limit, measure.over) == (600, 1000, False)
    assert mastodon.RULES.measures("a" * 600)[0].over


def test_rules_are_data_with_sources() -> None:
    rules = mastodon.RULES
    assert (rules.id, rules.name, rules.unit) == ("mastodon", "Mastodon", "graphemes")
    assert rules.max_length and rules.max_length.value == 500
    assert rules.max_images and rules.max_images.value == 4
    assert rules.image_max_bytes and rules.image_max_bytes.value == 16 * 1024 * 1024
    assert rules.alt_max and rules.alt_max.value == 1500
    assert "10,000" in rules.alt_max.source
    assert rules.poll is not None
    assert (rules.poll.min_options, rules.poll.max_options, rules.poll.option_max) == (2, 4, 50)
    assert (rules.poll.min_seconds, rules.poll.max_seconds) == (300, 2_629_746)
    assert rules.poll.option_unit == "graphemes"
    assert rules.count_option("👨‍👩‍👧‍👦") == 1
    assert not rules.poll_with_images
    assert rules.threads
