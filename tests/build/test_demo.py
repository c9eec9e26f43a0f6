"""The bundled demo brand is a real, clean project: it validates with no Problem at all."""

from __future__ import annotations

from pathlib import Path

from cmpub.render.validate import validate_project

ROOT = Path(__file__).resolve().parents[2]


def test_demo_validates_clean() -> None:
    report = validate_project(ROOT)
    assert [str(p) for p in report.problems] == []
    assert len(report.posts) >= 12


def test_demo_has_what_the_issue_promises() -> None:
    report = validate_project(ROOT)
    posts = {p.id: p for p in report.posts}
    assert any(p.status == "draft" for p in posts.values())
    assert any(p.fields.poll for p in posts.values())
    assert any(p.fields.thread for p in posts.values())
    assert any(p.overrides for p in posts.values())
    assert any(p.source.path.endswith("/index.md") and p.fields.images for p in posts.values())
    assert {p.lang for p in posts.values()} >= {"fr", "en"}
    thread = next(p for p in posts.values() if p.fields.thread)
    assert len(report.copies[(thread.id, "x")].parts) > 1
