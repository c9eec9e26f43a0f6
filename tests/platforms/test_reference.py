"""The differential test: cmpub counts every corpus text exactly as the official JavaScript does.

``tests/fixtures/reference.json`` is written by ``tests/reference/reference.mjs`` from
``tests/reference/corpus.json`` with twitter-text 3.1.0, @atproto/api RichText and a rebuild of
Mastodon's StatusLengthValidator (versions in its ``meta``). Each test checks one platform on the
whole corpus and reports every mismatch at once. After editing the corpus, regenerate the
fixture: ``python tests/reference/make_corpus.py && cd tests/reference && node reference.mjs``.
"""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

from cmpub.platforms import bluesky, mastodon, x
from cmpub.platforms.base import graphemes, utf8_len

HERE = Path(__file__).resolve().parent
FIXTURE = HERE.parent / "fixtures" / "reference.json"
CORPUS = HERE.parent / "reference" / "corpus.json"
PACKAGE_JSON = HERE.parent / "reference" / "package.json"


@cache
def reference() -> dict[str, Any]:
    """The fixture, loaded once."""
    with FIXTURE.open(encoding="utf-8") as f:
        return json.load(f)


def mismatches(check: Callable[[dict[str, Any]], tuple[Any, Any]]) -> list[str]:
    """Every entry where ``check(entry)`` returns ``(got, expected)`` that differ, described."""
    out = []
    for i, entry in enumerate(reference()["entries"]):
        got, expected = check(entry)
        if got != expected:
            out.append(f"#{i} {entry['text'][:80]!r}: python {got!r} != js {expected!r}")
    return out


def assert_none(found: list[str]) -> None:
    """Fail with the first mismatches listed, and how many there are."""
    assert not found, f"{len(found)} mismatches:\n" + "\n".join(found[:40])


def test_fixture_is_generated_from_the_corpus() -> None:
    with CORPUS.open(encoding="utf-8") as f:
        corpus = json.load(f)
    texts = [entry["text"] for entry in reference()["entries"]]
    assert texts == corpus, "corpus.json changed: re-run node tests/reference/reference.mjs"
    assert len(corpus) >= 1500


def test_fixture_records_the_pinned_versions() -> None:
    meta = reference()["meta"]
    deps = json.loads(PACKAGE_JSON.read_text(encoding="utf-8"))["dependencies"]
    assert meta["twitter-text"] == deps["twitter-text"] == "3.1.0"
    assert meta["@atproto/api"] == deps["@atproto/api"]
    assert meta["twemoji-parser"] == "11.0.2"
    assert meta["texts"] == len(reference()["entries"])


def test_x_weighted_length_and_validity() -> None:
    def check(e: dict[str, Any]) -> tuple[Any, Any]:
        return x.parse(e["text"]), (e["x"]["weighted_length"], e["x"]["valid"])

    assert_none(mismatches(check))


def test_x_urls() -> None:
    def check(e: dict[str, Any]) -> tuple[Any, Any]:
        urls = x.extract_urls(unicodedata.normalize("NFC", e["text"]))
        return [list(u) for u in urls], e["x"]["urls"]

    assert_none(mismatches(check))


def test_bluesky_graphemes() -> None:
    def check(e: dict[str, Any]) -> tuple[Any, Any]:
        return graphemes(e["text"]), e["bluesky"]["graphemes"]

    assert_none(mismatches(check))


def test_bluesky_utf8_bytes() -> None:
    def check(e: dict[str, Any]) -> tuple[Any, Any]:
        return utf8_len(e["text"]), e["bluesky"]["bytes"]

    assert_none(mismatches(check))


def test_bluesky_measures_use_both_units() -> None:
    def check(e: dict[str, Any]) -> tuple[Any, Any]:
        got = [(m.unit, m.length) for m in bluesky.RULES.measures(e["text"])]
        b = e["bluesky"]
        return got, [("graphemes", b["graphemes"]), ("UTF-8 bytes", b["bytes"])]

    assert_none(mismatches(check))


def test_bluesky_facets() -> None:
    def check(e: dict[str, Any]) -> tuple[Any, Any]:
        return bluesky.facets(e["text"]), e["bluesky"]["facets"]

    assert_none(mismatches(check))


def test_mastodon_count() -> None:
    def check(e: dict[str, Any]) -> tuple[Any, Any]:
        return mastodon.RULES.count(e["text"]), e["mastodon"]["count"]

    assert_none(mismatches(check))


def test_mastodon_entities() -> None:
    def check(e: dict[str, Any]) -> tuple[Any, Any]:
        found = mastodon.entities(e["text"])
        kinds = [[s, end, "mention" if r.startswith("@") else "url"] for s, end, r in found]
        return kinds, e["mastodon"]["entities"]

    assert_none(mismatches(check))


def test_mastodon_content_warning_counts() -> None:
    cases = reference()["mastodon_cw"]
    assert cases
    for case in cases:
        got = mastodon.RULES.count(case["text"], spoiler_text=case["spoiler_text"])
        assert got == case["count"], case
