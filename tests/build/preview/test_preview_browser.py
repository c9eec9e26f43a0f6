"""The studio in a real browser: Debian chromium driven by Playwright against `cmpub preview`.

Each test checks that the page logged no console error and threw no exception. Edits are made
to the project's files while the page stays open: the page must change by itself (no reload).
"""

from __future__ import annotations

import time

from tests.build.preview.conftest import LAUNCH, Page, Preview

LAUNCH_FILE = "content/2026/12/launch/index.md"
RED = "rgb(180, 35, 24)"  # --bad in studio.css.j2


def expect():
    from playwright.sync_api import expect as pw_expect

    return pw_expect


def wait_manifest(preview: Preview, post: str, channel: str, words: str) -> dict:
    """The variant once the full build behind the quick update wrote it to manifest.json."""
    end = time.monotonic() + 20
    while time.monotonic() < end:
        try:
            for v in preview.manifest()["variants"]:
                if (v["post"], v["channel"]) == (post, channel) and words in v["parts"][0]["text"]:
                    return v
        except (OSError, ValueError):
            pass
        time.sleep(0.05)
    raise AssertionError(f"manifest.json never had {words!r}")


def restore(preview: Preview, rel: str, text: str) -> None:
    before = preview.state()["content"]
    preview.edit(rel, text)
    preview.wait_state(lambda s: not s["errors"] and s["content"] > before)


def test_dashboard_lists_every_post_with_states(preview: Preview, page: Page) -> None:
    pg = page.page
    pg.goto(preview.url)
    rows = pg.locator(".post-row")
    expect()(rows).to_have_count(4)
    titles = rows.locator(".post-title a").all_inner_texts()
    assert titles == [
        "Nouveau : le Guji d'Éthiopie",
        "Sondage du mois",
        "Deux semaines plus tard",
        "Un brouillon",
    ]
    launch = pg.locator('.post-row[data-post="launch"]')
    expect()(launch.locator(".vstate")).to_have_count(5)
    expect()(launch.locator(".vstate.state-scheduled")).to_have_count(5)
    expect()(pg.locator('.post-row[data-post="brouillon"] .state-draft')).to_have_count(2)
    # filters work without JavaScript: plain query parameters
    pg.goto(preview.url + "?channel=x&state=draft")
    expect()(pg.locator(".post-row")).to_have_count(1)
    expect()(pg.locator(".post-row .vstate")).to_have_text(["X Draft"])
    pg.goto(preview.url + "?tag=sondage")
    expect()(pg.locator(".post-row .post-title")).to_have_text(["Sondage du mois"])
    assert page.errors == []


def test_post_page_shows_each_network_with_the_manifest_counters(
    preview: Preview, page: Page
) -> None:
    pg = page.page
    pg.goto(preview.url + "post/launch/")
    variants = [v for v in preview.manifest()["variants"] if v["post"] == "launch"]
    social = [v for v in variants if v["channel"] != "site"]
    expect()(pg.locator("article.mock")).to_have_count(len(social))
    for v in social:
        mock = pg.locator(f"#mock-{v['channel']}")
        expect()(mock).to_be_visible()
        counter = mock.locator('.counter[data-part="1"]').first
        part = v["parts"][0]
        assert counter.get_attribute("data-length") == str(part["length"])
        assert counter.get_attribute("data-unit") == part["unit"]
        expect()(counter).to_contain_text(f"{part['length']} / {part['limit']} {part['unit']}")
        # the image crop the build made for this network, with its alt text
        img = mock.locator(".np-image img").first
        assert img.get_attribute("src") == "/site/" + v["images"][0]["file"]
        assert img.get_attribute("alt") == v["images"][0]["alt"]
        assert (
            pg.evaluate("(el) => el.naturalWidth", img.element_handle()) == v["images"][0]["width"]
        )
        expect()(mock.locator(".alts")).to_contain_text("Un sachet de café kraft")
    # Bluesky: two counters (graphemes and bytes); its handle from cmpub.yaml
    expect()(pg.locator("#mock-bluesky .counter")).to_have_count(2)
    expect()(pg.locator("#mock-bluesky .np-handle")).to_have_text("@cafe.bsky.social")
    expect()(pg.locator("#mock-mastodon .np-handle")).to_have_text("@cafe@piaille.example")
    # hashtags and links highlighted; the UTM-tagged link listed
    expect()(pg.locator("#mock-x .hl-tag").first).to_have_text("#cafe")
    link = pg.locator("#mock-mastodon .hl-link").first
    assert "utm_source=mastodon" in (link.get_attribute("href") or "")
    expect()(pg.locator("#mock-x .utm-pair").first).to_contain_text("utm_source=x")
    # the article beside them, from the preview build
    frame = pg.frame_locator(".article-frame")
    expect()(frame.locator("h1")).to_contain_text("Guji")
    assert page.errors == []


def test_poll_and_link_card(preview: Preview, page: Page) -> None:
    pg = page.page
    pg.goto(preview.url + "post/sondage/")
    expect()(pg.locator("#mock-mastodon .np-poll li")).to_have_text(["Colombie", "Kenya", "Brésil"])
    expect()(pg.locator("#mock-x .np-poll-meta")).to_contain_text("1 day")
    pg.goto(preview.url + "post/plus-tard/")
    expect()(pg.locator("#mock-bluesky .np-card-title")).to_have_text("Deux semaines plus tard")
    expect()(pg.locator("#mock-bluesky .np-card-domain")).to_have_text("cafe.example")
    assert page.errors == []


def test_editing_the_post_updates_the_open_page(preview: Preview, page: Page) -> None:
    pg = page.page
    pg.goto(preview.url + "post/launch/")
    pg.mouse.wheel(0, 500)
    pg.wait_for_timeout(100)
    scroll = pg.evaluate("() => window.scrollY")
    pg.evaluate("() => { window.__sameDocument = true; }")
    try:
        preview.edit(LAUNCH_FILE, LAUNCH.replace("pêche blanche", "abricot sec"))
        expect()(pg.locator("#mock-x .np-text")).to_contain_text("abricot sec")
        expect()(pg.locator("#mock-bluesky .np-text")).to_contain_text("abricot sec")
        assert pg.evaluate("() => window.__sameDocument") is True  # no reload
        assert abs(pg.evaluate("() => window.scrollY") - scroll) < 2
        x = wait_manifest(preview, "launch", "x", "abricot sec")
        expect()(pg.locator('#mock-x .counter[data-part="1"]')).to_have_attribute(
            "data-length", str(x["parts"][0]["length"])
        )
    finally:
        restore(preview, LAUNCH_FILE, LAUNCH)
    expect()(pg.locator("#mock-x .np-text")).to_contain_text("pêche blanche")
    assert page.errors == []


def test_broken_front_matter_shows_the_overlay_then_clears(preview: Preview, page: Page) -> None:
    pg = page.page
    pg.goto(preview.url + "post/launch/")
    overlay = pg.locator("#cmpub-overlay")
    expect()(overlay).to_be_hidden()
    broken = LAUNCH.replace("tags: [cafe, lyon]", "tgas: [cafe, lyon]")
    try:
        preview.edit(LAUNCH_FILE, broken)
        expect()(overlay).to_be_visible()
        line = next(i for i, t in enumerate(broken.splitlines(), 1) if t.startswith("tgas:"))
        expect()(overlay.locator(".where")).to_have_text([f"{LAUNCH_FILE}:{line}:1"])
        expect()(overlay.locator(".message")).to_have_text(["unknown key 'tgas'"])
        expect()(overlay.locator(".hint")).to_contain_text(["did you mean 'tags'?"])
        expect()(pg.locator("#studio-live")).to_contain_text("Build failed")
        # the last good build is still on the page
        expect()(pg.locator("#mock-x .np-text")).to_contain_text("pêche blanche")
    finally:
        restore(preview, LAUNCH_FILE, LAUNCH)
    expect()(overlay).to_be_hidden()
    expect()(pg.locator("#studio-live")).to_contain_text("Live")
    assert page.errors == []


def test_a_text_over_the_limit_turns_the_counter_red(preview: Preview, page: Page) -> None:
    pg = page.page
    pg.goto(preview.url + "post/launch/")
    counter = pg.locator('#mock-linkedin .counter[data-part="1"]')
    expect()(counter).not_to_have_class("counter over")
    long = "Un très long texte pour LinkedIn. " * 95  # ~3230 characters > 3000 (a warning)
    text = LAUNCH.replace(
        "tags: [cafe, lyon]",
        f'tags: [cafe, lyon]\noverrides:\n  linkedin: {{summary: "{long.strip()}"}}',
    )
    try:
        preview.edit(LAUNCH_FILE, text)
        expect()(counter).to_have_class("counter over")
        expect()(counter).to_have_css("color", RED)
        expect()(counter.locator(".counter-over")).to_contain_text("over")
        expect()(pg.locator("#mock-x .counter.over")).to_have_count(0)
    finally:
        restore(preview, LAUNCH_FILE, LAUNCH)
    expect()(counter).not_to_have_class("counter over")
    assert page.errors == []


def test_calendar_shows_the_cadence_gap(preview: Preview, page: Page) -> None:
    pg = page.page
    pg.goto(preview.url + "calendar/?date=2026-12-01")
    expect()(pg.locator(".cal-title")).to_have_text("December 2026")
    expect()(pg.locator('.cal-day[data-day="2026-12-01"] .cal-post-title')).to_contain_text("Guji")
    # validate's warning: 14 days without Bluesky before 15 December (target: 5)
    expect()(pg.locator(".cal-warnings")).to_contain_text("Bluesky: no post for 14 days")
    expect()(pg.locator('.cal-day[data-day="2026-12-02"] .cal-gap')).to_contain_text(
        "No Bluesky post for 14 days"
    )
    expect()(pg.locator('.cal-day[data-day="2026-12-10"]')).to_have_class("cal-day is-gap")
    # week view, in another time zone
    pg.goto(preview.url + "calendar/?view=week&date=2026-12-01&tz=America/New_York")
    expect()(pg.locator('.cal-day[data-day="2026-12-01"] .cal-post time')).to_have_text("03:30")
    pg.goto(preview.url + "diagnostics/")
    expect()(pg.locator(".problems-table")).to_contain_text("plan.gap")
    expect()(pg.locator(".problems-table a").first).to_have_attribute("href", "/post/plus-tard/")
    assert page.errors == []
