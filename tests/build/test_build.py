"""cmpub build: deterministic, atomic, incremental, and bad input stops it before any write."""

from __future__ import annotations

import json
import os
import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner
from PIL import Image

from cmpub.build.pipeline import build
from cmpub.cli.app import main
from cmpub.model.errors import ProblemsFound, UsageError
from cmpub.platforms import RULES
from tests.support.project import CONFIG, POST, MakeProject, png

ROOT = Path(__file__).resolve().parents[2]
NOW = datetime(2027, 2, 1, 9, tzinfo=UTC)
BRAND = """\
brand:
  logo: assets/logo.png
  colors: {primary: "#6b2d1a", text: "#ffffff", background: "#1e1410"}
"""


def _tree(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def _project(make_project: MakeProject, posts: dict[str, str] | None = None) -> Path:
    post = POST.replace("summary:", "images:\n  - {src: cup.png, alt: A cup of coffee}\nsummary:")
    root = make_project({"content/hello.md": post, **(posts or {})}, config=CONFIG + BRAND)
    png(root / "content" / "cup.png", (900, 600), "#c08040")
    logo = Image.new("RGBA", (128, 128), (242, 177, 52, 255))
    (root / "assets").mkdir(exist_ok=True)
    logo.save(root / "assets" / "logo.png")
    return root


def test_the_demo_builds_byte_identical_twice(tmp_path: Path) -> None:
    copies = []
    for name in ("a", "b"):
        project = tmp_path / name
        shutil.copytree(
            ROOT,
            project,
            ignore=shutil.ignore_patterns(
                ".git",
                ".venv",
                "dist",
                ".cmpub-cache",
                "bench",
                "tests",
                "node_modules",
                "*.egg-info",
            ),
        )
        build(project, now=NOW, jobs=2)
        copies.append(_tree(project / "dist"))
    assert copies[0].keys() == copies[1].keys()
    assert [k for k in copies[0] if copies[0][k] != copies[1][k]] == []
    manifest = json.loads(copies[0]["manifest.json"])
    channels = {v["channel"] for v in manifest["variants"]}
    assert channels == {"site", "bluesky", "mastodon", "x", "linkedin", "instagram", "outbox"}
    assert any(k.endswith(".instagram.jpg") for k in copies[0])
    assert "index.html" in copies[0] and "feed.xml" in copies[0]


def test_manifest_describes_every_variant(make_project: MakeProject) -> None:
    root = _project(make_project)
    build(root, now=NOW)
    manifest = json.loads((root / "dist/manifest.json").read_text())
    x = next(v for v in manifest["variants"] if v["channel"] == "x")
    assert x["post"] == "hello" and x["source"] == "content/hello.md:2"
    assert x["publish_at"] == {
        "utc": "2026-12-01T09:00:00Z",
        "local": "2026-12-01T10:00:00+01:00",
        "timezone": "Europe/Paris",
    }
    part = x["parts"][0]
    assert part["unit"] == "weighted characters" and part["limit"] == 280
    assert part["length"] == RULES["x"].count(part["text"]) == 107  # cafe.example is no TLD: no 23
    assert part["text"].startswith("A short hello from the café.")
    image = x["images"][0]
    assert image["alt"] == "A cup of coffee" and image["width"] > 0 and image["bytes"] > 0
    assert (root / "dist" / image["file"]).stat().st_size == image["bytes"]
    assert len(x["idempotency_key"]) == 32 and len(x["content_hash"]) == 64
    assert (root / "dist/copies/hello/x.txt").read_text().startswith("A short hello")


def test_a_rebuild_with_nothing_changed_renders_nothing(
    make_project: MakeProject, runner: CliRunner
) -> None:
    root = _project(make_project, {"content/other.md": POST.replace("Hello", "Other")})
    first = build(root, now=NOW)
    assert (first.rendered, first.unchanged) == (8, 0) and first.images_encoded == 5
    again = build(root, now=NOW)
    assert (again.rendered, again.unchanged, again.images_encoded) == (0, 8, 0)
    result = runner.invoke(main, ["build", str(root), "--now", "2027-02-01T09:00Z"])
    assert result.exit_code == 0, result.output
    assert "0 variants rendered, 8 unchanged, 0 images encoded (5 cached)" in result.output


def test_editing_one_post_renders_only_its_variants(make_project: MakeProject) -> None:
    root = _project(make_project, {"content/other.md": POST.replace("Hello", "Other")})
    build(root, now=NOW)
    (root / "content/other.md").write_text(POST.replace("Hello", "Changed"), encoding="utf-8")
    again = build(root, now=NOW)
    assert (again.rendered, again.unchanged, again.images_encoded) == (4, 4, 0)
    assert "Changed" in (root / "dist/other/index.html").read_text()


def test_config_template_and_image_changes_invalidate_what_depends_on_them(
    make_project: MakeProject,
) -> None:
    root = _project(make_project)
    build(root, now=NOW)
    (root / "cmpub.yaml").write_text(CONFIG.replace("Test Café", "Test Café 2") + BRAND)
    assert build(root, now=NOW).rendered == 4
    (root / "templates/social").mkdir(parents=True)
    (root / "templates/social/x.txt.j2").write_text("{{ words }}\n")
    assert build(root, now=NOW).rendered == 4
    assert (root / "dist/copies/hello/x.txt").read_text() == "A short hello from the café.\n"
    png(root / "content" / "cup.png", (900, 600), "#204060")
    again = build(root, now=NOW)
    assert again.images_encoded == 5 and again.rendered == 4
    logo = Image.new("RGBA", (128, 128), (0, 0, 0, 255))
    logo.save(root / "assets" / "logo.png")
    assert build(root, now=NOW).images_encoded == 4  # the site variant has no logo


def test_a_problem_stops_the_build_before_any_write(make_project: MakeProject) -> None:
    root = _project(make_project)
    build(root, now=NOW)
    before = _tree(root / "dist")
    (root / "content/bad.md").write_text(POST.replace("summary:", "sumary:"), encoding="utf-8")
    with pytest.raises(ProblemsFound) as info:
        build(root, now=NOW)
    assert [p.code for p in info.value.problems] == ["schema.unknown-key"]
    assert _tree(root / "dist") == before
    assert not [p for p in root.iterdir() if p.name.startswith(".dist.")]


def test_an_interrupted_write_leaves_the_previous_dist(
    make_project: MakeProject, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = _project(make_project)
    build(root, now=NOW)
    before = _tree(root / "dist")
    (root / "content/hello.md").write_text(POST.replace("Hello", "New title"), encoding="utf-8")
    from cmpub.build import output

    calls = {"n": 0}
    real = output.Writer.write

    def crash(self: output.Writer, rel: str, data: bytes | str) -> None:
        calls["n"] += 1
        if calls["n"] == 5:
            raise KeyboardInterrupt
        real(self, rel, data)

    monkeypatch.setattr(output.Writer, "write", crash)
    with pytest.raises(KeyboardInterrupt):
        build(root, now=NOW)
    assert _tree(root / "dist") == before
    assert not [p for p in root.iterdir() if p.name.startswith(".dist.")]


def test_corrupt_and_truncated_images_are_problems(make_project: MakeProject) -> None:
    root = _project(make_project)
    data = (root / "content/cup.png").read_bytes()
    (root / "content/cup.png").write_bytes(data[: len(data) // 2])
    with pytest.raises(ProblemsFound) as info:
        build(root, now=NOW)
    messages = [str(p) for p in info.value.problems]
    # validate decodes the image: the Problem is at the post's src: line, before any rendering
    assert messages == [
        "content/hello.md:6:6: error: image 'cup.png': the end of the file is missing (it was"
        " cut short while being copied or saved) (export or download the image again from its"
        " original)"
    ]
    assert not (root / "dist").exists()


def test_a_huge_image_is_refused_before_decoding(make_project: MakeProject) -> None:
    root = _project(make_project)
    Image.new("1", (20000, 20000)).save(root / "content/cup.png")
    with pytest.raises(ProblemsFound) as info:
        build(root, now=NOW)
    assert "megapixels" in str(info.value.problems[0])


@pytest.mark.parametrize("mode", ["CMYK", "I;16", "P-transparent", "GIF-animated"])
def test_unusual_image_modes_build(make_project: MakeProject, mode: str) -> None:
    root = _project(make_project)
    target = root / "content/cup.png"
    if mode == "CMYK":
        target = root / "content/cup.jpg"
        Image.new("CMYK", (800, 600), (0, 80, 160, 20)).save(target)
    elif mode == "I;16":
        Image.new("I;16", (800, 600), 40000).save(target)
    elif mode == "P-transparent":
        img = Image.new("P", (800, 600), 1)
        img.putpalette([0, 0, 0, 200, 100, 50] + [0] * 762)
        img.save(target, transparency=0)
    else:
        target = root / "content/cup.gif"
        frames = [Image.new("RGB", (400, 300), c).convert("P") for c in ("red", "green", "blue")]
        frames[0].save(target, save_all=True, append_images=frames[1:])
    text = (root / "content/hello.md").read_text().replace("cup.png", target.name)
    (root / "content/hello.md").write_text(text)
    result = build(root, now=NOW)
    assert result.images_encoded == 5
    if mode == "GIF-animated":
        assert any("frame" in p.message for p in result.warnings)


def test_a_missing_brand_font_is_a_config_problem(
    make_project: MakeProject, runner: CliRunner
) -> None:
    root = _project(make_project)
    (root / "cmpub.yaml").write_text(CONFIG + BRAND + "  font: assets/fonts/brand.ttf\n")
    result = runner.invoke(main, ["build", str(root)])
    assert result.exit_code == 2
    assert "cmpub.yaml:22:3: error: brand font 'assets/fonts/brand.ttf' not found" in result.output


def test_a_template_error_is_a_problem_at_its_line(
    make_project: MakeProject, runner: CliRunner
) -> None:
    root = _project(make_project)
    (root / "templates/site").mkdir(parents=True)
    (root / "templates/site/article.html.j2").write_text(
        "{% extends 'site/base.html.j2' %}\n{% block main %}{{ nope }}{% endblock %}\n"
    )
    result = runner.invoke(main, ["build", str(root), "--now", "2027-02-01T09:00Z"])
    assert result.exit_code == 1
    assert "templates/site/article.html.j2:2:1: error: 'nope' is undefined" in result.output
    assert not (root / "dist").exists()


def test_out_inside_content_is_refused(make_project: MakeProject) -> None:
    root = _project(make_project)
    with pytest.raises(UsageError, match="inside"):
        build(root, out=root / "content" / "dist", now=NOW)


@pytest.mark.skipif(
    os.geteuid() == 0,
    reason="as root, file permissions never stop a write "
    "(test_unwritable_output_folder_even_as_root covers root)",
)
def test_unwritable_output_folder(make_project: MakeProject, tmp_path: Path) -> None:
    root = _project(make_project)
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    from cmpub.build.output import OutputError

    with pytest.raises(OutputError, match="cannot write"):
        build(root, out=locked / "dist", now=NOW)


def test_unwritable_output_folder_even_as_root(
    make_project: MakeProject, tmp_path: Path, runner: CliRunner
) -> None:
    root = _project(make_project)
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    result = runner.invoke(main, ["build", str(root), "--out", str(blocker / "dist")])
    assert result.exit_code == 1
    assert "cannot write the output folder" in result.output
    assert "Traceback" not in result.output


def test_site_pages_of_unchanged_posts_are_reused(
    make_project: MakeProject, monkeypatch: pytest.MonkeyPatch
) -> None:
    from cmpub.build import site

    root = _project(make_project, {"content/other.md": POST.replace("Hello", "Other")})
    build(root, now=NOW)
    calls: list[str] = []
    real = site._item

    def counting(post, *args, **kwargs):
        calls.append(post.id)
        return real(post, *args, **kwargs)

    monkeypatch.setattr(site, "_item", counting)
    build(root, now=NOW)
    assert calls == []
    (root / "content/other.md").write_text(POST.replace("Hello", "Changed"), encoding="utf-8")
    build(root, now=NOW)
    assert calls == ["other"]
    assert "Changed" in (root / "dist/index.html").read_text()


def test_articles_link_to_the_copies_the_ledger_says_went_out(make_project: MakeProject) -> None:
    from cmpub.read import ledger

    root = _project(make_project)
    ledger.write(
        root,
        "ledger",
        ledger.Record(
            post="hello",
            channel="mastodon",
            part=0,
            state="published",
            idempotency_key="k",
            content_hash="h",
            publish_at="2026-12-01T09:00:00Z",
            url="https://social.example/@cafe/1",
        ),
    )
    build(root, now=NOW)
    assert "https://social.example/@cafe/1" in (root / "dist/hello/index.html").read_text()


def test_export_site_keeps_only_public_files(
    make_project: MakeProject, runner: CliRunner, tmp_path: Path
) -> None:
    root = _project(
        make_project,
        {
            "content/later.md": POST.replace("Hello", "Later")
            .replace("2026-12-01", "2027-06-01")
            .replace("summary:", "images:\n  - {src: cup.png, alt: A cup}\nsummary:")
        },
    )
    build(root, now=NOW)
    out = tmp_path / "site"
    result = runner.invoke(main, ["export-site", str(root), "--out", str(out)])
    assert result.exit_code == 0, result.output
    files = {p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()}
    assert "index.html" in files and "hello/index.html" in files and "brand/logo.png" in files
    assert any(f.startswith("media/hello/") for f in files)
    assert not any(f.startswith(("media/later/", "copies/", "outbox/", "later/")) for f in files)
    assert "manifest.json" not in files


def test_an_unchanged_build_writes_nothing_and_the_outbox_survives_builds(
    make_project: MakeProject,
) -> None:
    root = _project(make_project)
    build(root, now=NOW)
    (root / "dist/outbox/hello").mkdir(parents=True)
    (root / "dist/outbox/hello/outbox-0.json").write_text("{}")
    inode = (root / "dist/index.html").stat().st_ino
    again = build(root, now=NOW)
    assert again.up_to_date and "already up to date" in again.summary()
    assert (root / "dist/index.html").stat().st_ino == inode
    (root / "content/hello.md").write_text(POST.replace("Hello", "Hi"), encoding="utf-8")
    changed = build(root, now=NOW)
    assert not changed.up_to_date
    assert (root / "dist/outbox/hello/outbox-0.json").read_text() == "{}"
    assert "Hi" in (root / "dist/hello/index.html").read_text()
