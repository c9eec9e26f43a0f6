"""The pull-request comment body, against a golden file (UPDATE_GOLDEN=1 rewrites it)."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path

from cmpub.build.pipeline import build
from cmpub.build.review import MARKER, load_manifest, render_review
from cmpub.render.validate import validate_project
from tests.support.project import POST, MakeProject

GOLDEN = Path(__file__).resolve().parents[1] / "golden" / "review.md"
NOW = datetime(2027, 1, 1, tzinfo=UTC)


def test_review_comment_matches_the_golden_file(make_project: MakeProject, tmp_path: Path) -> None:
    root = make_project(
        {
            "content/hello.md": POST,
            "content/gone.md": POST.replace("Hello", "Gone").replace("10:00", "11:00"),
        }
    )
    build(root, now=NOW, images=False, out=tmp_path / "base")
    (root / "content/gone.md").unlink()
    (root / "content/hello.md").write_text(POST.replace("A short hello", "A warmer hello"))
    (root / "content/poll.md").write_text(
        POST.replace("Hello", "Vote")
        .replace(
            "summary:",
            "poll: {question: Tea or coffee?, options: [Tea, Coffee], duration: 1d}\nsummary:",
        )
        .replace("[site, bluesky, mastodon, x]", "[mastodon, x]")
        .replace("10:00", "23:00")
    )
    (root / "cmpub.yaml").write_text(
        (root / "cmpub.yaml").read_text() + 'cadence:\n  quiet_hours: ["22:00", "07:00"]\n'
    )
    build(root, now=NOW, images=False)
    report = validate_project(root)
    body = render_review(
        load_manifest(root / "dist/manifest.json"),
        load_manifest(tmp_path / "base/manifest.json"),
        report.problems,
        "Europe/Paris",
        "https://example.org/artifact/1",
    )
    if os.environ.get("UPDATE_GOLDEN"):
        GOLDEN.write_text(body, encoding="utf-8")
    assert body.startswith(MARKER)
    assert body == GOLDEN.read_text(encoding="utf-8")


def test_review_without_a_build_still_lists_problems() -> None:
    from cmpub.model.errors import error

    body = render_review(
        None, None, [error("content/a.md", 3, 1, "x", "bad date", "fix it")], "UTC"
    )
    assert "❌ **1 error(s)**" in body and "`content/a.md:3` error: bad date — fix it" in body
    assert "The build did not complete" in body
