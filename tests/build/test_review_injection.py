"""`cmpub review`: hostile fields stay text in the pull-request comment; a bad --base is a usage
error. The comment is rendered with a real Markdown renderer (the ``markdown`` package) and the
HTML is checked: no image, no extra heading, one table row per variant."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import markdown
import pytest
from click.testing import CliRunner

from cmpub.build.pipeline import build
from cmpub.build.review import load_manifest, render_review
from cmpub.cli.app import main
from cmpub.model.errors import UsageError, warning
from tests.support.project import POST, MakeProject

EVIL = "Sale\n\n## Injected heading\n| x | y |\n![t](https://evil.example/pixel.png) <img src=x>"


def _variant(post: str, channel: str, title: str) -> dict:
    return {
        "post": post,
        "channel": channel,
        "title": title,
        "status": "ready",
        "publish_at": {"utc": "2026-12-01T09:00:00Z"},
        "parts": [
            {
                "text": "Hi ``` ![x](https://evil.example/a.png)\n# not a heading",
                "length": 10,
                "limit": 300,
                "unit": "graphemes",
                "measures": [{"length": 10, "limit": 300}],
            }
        ],
        "cw": EVIL,
        "poll": {"question": EVIL, "options": [EVIL, "[b](https://evil.example)"]},
        "images": [
            {"file": "media/a`b.jpg", "width": 10, "height": 10, "bytes": 1000, "alt": EVIL}
        ],
        "image_sources": [],
    }


def _html(body: str) -> str:
    return markdown.markdown(body, extensions=["tables", "fenced_code"])


def test_hostile_fields_stay_text_in_the_rendered_comment() -> None:
    head = {"variants": [_variant("a", "bluesky", EVIL), _variant("b", "mastodon", EVIL)]}
    base = {"variants": [_variant("gone", "x", EVIL)]}
    problems = [warning(f"content/a`{EVIL}.md", 3, 1, "w", EVIL, EVIL)]
    body = render_review(head, base, problems, "Europe/Paris")
    html = _html(body)
    assert "<img" not in html and 'evil.example/pixel.png"' not in html
    assert "<a " not in html
    assert html.count("<h2>") == 1 and html.count("<h3>") == 2  # our own: New, Removed
    assert "Injected heading" in html and "<h2>Injected" not in html
    assert html.count("<tr>") == 1 + 2  # the header and one row per new variant
    assert "&lt;img src=x&gt;" in html


def test_a_real_post_with_an_image_in_its_title(make_project: MakeProject, tmp_path: Path) -> None:
    title = "'![t](https://evil.example/p.png) **bold** <b>x</b>'"
    root = make_project({"content/hello.md": POST.replace("title: Hello", f"title: {title}")})
    build(root, now=datetime(2027, 1, 1, tzinfo=UTC), images=False)
    body = render_review(load_manifest(root / "dist/manifest.json"), None, [], "Europe/Paris")
    html = _html(body)
    assert "<img" not in html and "<strong>" not in html and "<b>" not in html
    assert html.count("<tr>") == 1 + 4  # site, bluesky, mastodon, x


@pytest.mark.parametrize(
    "content,why",
    [
        ("not json", "cannot be read: it is not JSON"),
        ("[]", "is not a cmpub manifest: it has no 'variants' list"),
        ('{"variants": [{"post": "a"}]}', "is not a cmpub manifest: variants[0] has no 'channel'"),
        (
            '{"variants": [{"post": "a", "channel": "x", "parts": [{"text": "t"}]}]}',
            "is not a cmpub manifest: variants[0].parts[0] has no 'length' number",
        ),
        (
            '{"variants": [{"post": "a", "channel": "x", "publish_at": {"utc": "soon"}}]}',
            "is not a cmpub manifest: variants[0].publish_at.utc is not a date and time",
        ),
    ],
)
def test_a_malformed_base_manifest_is_a_usage_error(
    make_project: MakeProject, runner: CliRunner, content: str, why: str
) -> None:
    root = make_project({"content/hello.md": POST})
    bad = root / "base.json"
    bad.write_text(content)
    with pytest.raises(UsageError):
        load_manifest(bad, "--base")
    result = runner.invoke(main, ["review", str(root), "--base", str(bad)])
    assert result.exit_code == 2
    assert result.output == (
        f"cmpub: --base '{bad}' {why} (give the manifest.json that 'cmpub build' wrote in dist/)\n"
    )


def test_a_missing_base_means_everything_is_new(
    make_project: MakeProject, runner: CliRunner, tmp_path: Path
) -> None:
    root = make_project({"content/hello.md": POST})
    build(root, now=datetime(2027, 1, 1, tzinfo=UTC), images=False)
    result = runner.invoke(main, ["review", str(root), "--base", str(tmp_path / "none.json")])
    assert result.exit_code == 0 and "### New (4)" in result.output
    assert json.loads((root / "dist/manifest.json").read_text())["variants"]
