"""The social copy: plain text from Markdown, CTA with UTM, article link, hashtags, threads."""

from __future__ import annotations

from cmpub.platforms import RULES
from cmpub.read.config import load_config
from cmpub.read.posts import Loader
from cmpub.render.text import plain, render, split_thread, with_utm
from tests.support.project import POST, MakeProject


def test_plain_text_has_no_stray_markdown() -> None:
    md = (
        "# Big news\n\nWe **roast** on *Tuesdays* — see [our shop](https://cafe.example/shop).\n\n"
        "- one\n- two\n\n> A quote\n\nUse `code` &amp; <b>html</b>. Visit https://cafe.example"
    )
    assert plain(md) == (
        "Big news\n\nWe roast on Tuesdays — see our shop (https://cafe.example/shop).\n\n"
        "- one\n- two\n\n“A quote”\n\nUse code & html. Visit https://cafe.example"
    )


def test_plain_text_fast_path_keeps_plain_text() -> None:
    assert plain("Just   words, nothing else.") == "Just words, nothing else."


def test_utm_only_on_the_brand_and_existing_parameters_win(make_project: MakeProject) -> None:
    config = load_config(make_project())
    assert with_utm("https://cafe.example/a?x=1", "x", "2026/hello", config) == (
        "https://cafe.example/a?x=1&utm_source=x&utm_medium=social&utm_campaign=2026-hello"
    )
    assert with_utm("https://other.example/a", "x", "p", config) == "https://other.example/a"
    assert "utm_campaign=mine" in with_utm(
        "https://cafe.example/?utm_campaign=mine", "x", "p", config
    )


def _post(make_project: MakeProject, text: str):
    root = make_project({"content/hello.md": text})
    config = load_config(root)
    loaded = Loader(config).load_all()
    assert not loaded.problems, loaded.problems
    return loaded.posts[0], config


def test_copy_has_cta_article_link_and_hashtags(make_project: MakeProject) -> None:
    text = POST.replace(
        "summary:",
        "tags: [cafe, lyon]\ncta: {text: Order now, url: https://cafe.example/shop}\nsummary:",
    )
    post, config = _post(make_project, text)
    copy = render(post, "mastodon", config)
    assert copy.parts == (
        "A short hello from the café.\n\n"
        "Order now https://cafe.example/shop?utm_source=mastodon&utm_medium=social&utm_campaign=hello\n"
        "https://cafe.example/hello/?utm_source=mastodon&utm_medium=social&utm_campaign=hello\n"
        "#cafe #lyon",
    )
    site = render(post, "site", config)
    assert "#cafe" not in site.text


def test_override_changes_one_channel_only(make_project: MakeProject) -> None:
    text = POST.replace("---\nBody", "overrides:\n  x: {summary: Short for X}\n---\nBody")
    post, config = _post(make_project, text)
    assert render(post, "x", config).parts[0].startswith("Short for X")
    assert render(post, "bluesky", config).parts[0].startswith("A short hello")


def test_thread_splits_at_sentences_and_every_part_fits(make_project: MakeProject) -> None:
    sentences = " ".join(f"Sentence number {i} tells a small part of the story." for i in range(30))
    text = POST.replace('summary: "A short hello from the café."\n', "thread: true\n").replace(
        "Body of the article.", sentences
    )
    post, config = _post(make_project, text)
    copy = render(post, "x", config)
    assert len(copy.parts) > 1
    for i, part in enumerate(copy.parts, start=1):
        assert RULES["x"].count(part) <= 280
        assert part.endswith(f"({i}/{len(copy.parts)})")
        assert "story. Sentence" not in part.split(" (")[0][-1:]  # never cut inside a sentence end
    joined = " ".join(p.rsplit(" (", 1)[0] for p in copy.parts)
    for i in range(30):
        assert f"Sentence number {i} tells" in joined
    assert copy.parts[-1].rsplit(" (", 1)[0].endswith("utm_campaign=hello")


def test_thread_of_a_short_text_is_one_part(make_project: MakeProject) -> None:
    post, config = _post(make_project, POST.replace("summary:", "thread: true\nsummary:"))
    assert len(render(post, "x", config).parts) == 1


def test_split_a_single_long_sentence_at_words() -> None:
    words = " ".join(["word"] * 200)
    parts = split_thread(words, "", RULES["bluesky"], 300)
    assert all(RULES["bluesky"].count(p) <= 300 for p in parts)
    assert sum(p.count("word") for p in parts) == 200


def test_bluesky_shows_short_links_and_keeps_the_full_url(make_project: MakeProject) -> None:
    text = POST.replace(
        "summary:",
        "cta: {text: Order now, url: https://cafe.example/shop/beans/ethiopia-guji-natural}\nsummary:",
    )
    post, config = _post(make_project, text)
    copy = render(post, "bluesky", config)
    assert copy.parts == (
        "A short hello from the café.\n\nOrder now cafe.example/shop/beans/ethiopi…\ncafe.example/hello",
    )
    assert copy.links == (
        (
            "cafe.example/shop/beans/ethiopi…",
            "https://cafe.example/shop/beans/ethiopia-guji-natural?utm_source=bluesky&utm_medium=social&utm_campaign=hello",
        ),
        (
            "cafe.example/hello",
            "https://cafe.example/hello/?utm_source=bluesky&utm_medium=social&utm_campaign=hello",
        ),
    )


def test_a_project_template_overrides_the_theme(make_project: MakeProject) -> None:
    root = make_project(
        {
            "content/hello.md": POST,
            "templates/social/x.txt.j2": "{{ words }} — via {{ channel }}\n",
        }
    )
    from cmpub.render.validate import validate_project

    report = validate_project(root)
    assert report.copies[("hello", "x")].parts == ("A short hello from the café. — via x",)
    assert (
        report.copies[("hello", "mastodon")]
        .parts[0]
        .startswith("A short hello from the café.\n\nhttps://")
    )


def test_a_broken_template_is_a_problem_at_its_line(make_project: MakeProject) -> None:
    from cmpub.render.validate import validate_project

    root = make_project(
        {"content/hello.md": POST, "templates/social/x.txt.j2": "{{ words }}\n{% if %}\n"}
    )
    problems = [str(p) for p in validate_project(root).problems]
    assert problems == [
        "templates/social/x.txt.j2:2:1: error: Expected an expression, got 'end of statement block' "
        "(check the {{ }} and {% %} tags on this line)"
    ]


def test_an_undefined_variable_is_a_problem_at_its_line(make_project: MakeProject) -> None:
    from cmpub.render.validate import validate_project

    root = make_project(
        {"content/hello.md": POST, "templates/social/x.txt.j2": "{{ words }}\n{{ nope }}\n"}
    )
    problems = [str(p) for p in validate_project(root).problems]
    assert problems == [
        "templates/social/x.txt.j2:2:1: error: 'nope' is undefined "
        "(define it, or guard it with {% if ... is defined %})"
    ]


PEOPLE = """people:
  mado: {name: Chez Mado, bluesky: mado.bsky.social, mastodon: "@mado@social.example"}
"""


def test_mentions_become_each_networks_handle(make_project: MakeProject) -> None:
    from tests.support.project import CONFIG

    text = POST.replace("A short hello from the café.", "Merci @{mado} !")
    root = make_project({"content/hello.md": text}, config=CONFIG + PEOPLE)
    from cmpub.render.validate import validate_project

    report = validate_project(root)
    assert report.problems == []
    shown = {
        ch: report.copies[("hello", ch)].parts[0].split("\n")[0]
        for ch in ("bluesky", "mastodon", "x")
    }
    assert shown == {
        "bluesky": "Merci @mado.bsky.social !",
        "mastodon": "Merci @mado@social.example !",
        "x": "Merci Chez Mado !",
    }


def test_an_unknown_mention_is_a_problem_at_its_place(make_project: MakeProject) -> None:
    from cmpub.render.validate import validate_project
    from tests.support.project import CONFIG

    text = POST.replace("Body of the article.", "Body.\n\nThanks to @{madoo} for the croissants.")
    root = make_project({"content/hello.md": text}, config=CONFIG + PEOPLE)
    assert [str(p) for p in validate_project(root).problems] == [
        "content/hello.md:9:11: error: '@{madoo}' names nobody in cmpub.yaml 'people:' (did you mean 'mado'?)"
    ]
