"""Every kind of bad input gets a Problem with file, line and fix, never a traceback."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from cmpub.model.errors import Problem, Severity
from cmpub.render.validate import validate_project
from tests.support.project import CONFIG, POST, MakeProject, png

P = "content/post.md"


def problems(root: Path) -> list[Problem]:
    return validate_project(root).problems


def only(root: Path, code: str | None = None) -> Problem:
    found = [p for p in problems(root) if p.severity is Severity.ERROR]
    assert len(found) == 1, "\n".join(map(str, found))
    if code:
        assert found[0].code == code, str(found[0])
    assert found[0].hint, f"no fix given: {found[0]}"
    return found[0]


def test_a_good_post_has_no_problem(make_project: MakeProject) -> None:
    assert problems(make_project({P: POST})) == []


def test_malformed_yaml(make_project: MakeProject) -> None:
    text = "---\ntitle: Hello\ndate: 2026-12-01 10:00\nsummary: [unclosed\n---\nBody\n"
    p = only(make_project({P: text}), "yaml.syntax")
    assert (p.path, p.line) == (P, 6) or p.line in (4, 5, 6)
    assert p.path == P


def test_colon_in_value_points_at_the_line(make_project: MakeProject) -> None:
    text = "---\ntitle: Hello\nsummary: Note: this breaks\ndate: 2026-12-01 10:00\n---\nBody\n"
    p = only(make_project({P: text}), "yaml.syntax")
    assert p.line == 3
    assert "quotes" in p.hint


def test_missing_closing_delimiter(make_project: MakeProject) -> None:
    p = only(make_project({P: "---\ntitle: Hello\ndate: 2026-12-01 10:00\n\nBody\n"}))
    assert (p.code, p.line) == ("post.unclosed", 1)
    assert "'---'" in p.hint


def test_no_front_matter(make_project: MakeProject) -> None:
    p = only(make_project({P: "Just a body\n"}), "post.front-matter")
    assert p.line == 1


def test_bom_is_read_with_a_warning(make_project: MakeProject) -> None:
    root = make_project({P: b"\xef\xbb\xbf" + POST.encode()})
    found = problems(root)
    assert [(p.code, p.severity, p.line) for p in found] == [("file.bom", Severity.WARNING, 1)]


def test_crlf_is_read_with_a_warning_and_counts_like_lf(make_project: MakeProject) -> None:
    root = make_project({P: POST.replace("\n", "\r\n").encode()})
    report = validate_project(root)
    assert [p.code for p in report.problems] == ["file.crlf"]
    assert "\r" not in report.copies[("post", "x")].text


def test_tabs_in_front_matter(make_project: MakeProject) -> None:
    text = "---\ntitle: Hello\ndate: 2026-12-01 10:00\ncta:\n\ttext: Go\n---\nBody\n"
    p = only(make_project({P: text}), "yaml.syntax")
    assert p.line == 5
    assert p.hint == "indent with spaces, not tabs"


def test_non_utf8_file_points_at_the_byte(make_project: MakeProject) -> None:
    data = POST.replace("Body of", "Caf\xe9 body of").encode("latin-1")
    p = only(make_project({P: data}), "file.encoding")
    assert (p.line, p.col) == (5, 37)  # the first bad byte: 'café' in the summary
    assert "UTF-8" in p.hint


def test_empty_file(make_project: MakeProject) -> None:
    p = only(make_project({P: ""}), "file.empty")
    assert p.path == P


def test_binary_file(make_project: MakeProject) -> None:
    only(make_project({P: b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(64)}), "file.binary")


def test_duplicate_keys_are_detected(make_project: MakeProject) -> None:
    text = "---\ntitle: Hello\ndate: 2026-12-01 10:00\ntitle: Again\n---\nBody\n"
    p = only(make_project({P: text}), "yaml.duplicate-key")
    assert p.line == 4
    assert "line 2" in p.message


def test_alias_bomb_is_refused_without_exhausting_memory(make_project: MakeProject) -> None:
    lines = ["---", "a: &a [x, x, x, x, x, x, x, x, x, x]"]
    for i in range(1, 10):
        prev = chr(ord("a") + i - 1)
        cur = chr(ord("a") + i)
        lines.append(f"{cur}: &{cur} [{', '.join(['*' + prev] * 10)}]")
    lines += ["title: Boom", "date: 2026-12-01 10:00", "---", "Body"]
    p = only(make_project({P: "\n".join(lines) + "\n"}), "yaml.too-large")
    assert p.path == P


def test_non_string_keys(make_project: MakeProject) -> None:
    text = "---\ntitle: Hello\ndate: 2026-12-01 10:00\n42: answer\n---\nBody\n"
    p = only(make_project({P: text}), "yaml.key-type")
    assert p.line == 4


def test_impossible_date(make_project: MakeProject) -> None:
    text = POST.replace("2026-12-01 10:00", "2026-02-30")
    p = only(make_project({P: text}), "date.invalid")
    assert (p.line, p.col) == (3, 1)
    assert "2026-02-30" in p.message


def test_unknown_time_zone(make_project: MakeProject) -> None:
    text = POST.replace("date:", "timezone: Europe/Pariss\ndate:")
    p = only(make_project({P: text}), "schema.zone")
    assert p.line == 3
    assert p.hint == "did you mean 'Europe/Paris'?"


def test_dst_gap_proposes_both_readings(make_project: MakeProject) -> None:
    text = POST.replace("2026-12-01 10:00", "2027-03-28 02:30")
    p = only(make_project({P: text}), "date.dst-gap")
    assert "2027-03-28T01:30+01:00" in p.hint and "2027-03-28T03:30+02:00" in p.hint


def test_dst_fold_proposes_both_readings(make_project: MakeProject) -> None:
    text = POST.replace("2026-12-01 10:00", "2026-10-25 02:30")
    p = only(make_project({P: text}), "date.dst-fold")
    assert "2026-10-25T02:30+02:00" in p.hint and "2026-10-25T02:30+01:00" in p.hint


def _with_image(src: str, alt: str = "A cup") -> str:
    return POST.replace("summary:", f'images:\n  - src: {src}\n    alt: "{alt}"\nsummary:')


def test_missing_image(make_project: MakeProject) -> None:
    p = only(make_project({P: _with_image("cup.jpg")}), "image.missing")
    assert p.line == 6
    assert "content/cup.jpg" in p.message and "assets/cup.jpg" in p.message


def test_missing_image_suggests_a_close_name(make_project: MakeProject) -> None:
    root = make_project({P: _with_image("cup.jpeg")})
    png(root / "content" / "cup.png")
    p = only(root, "image.missing")
    assert p.hint == "did you mean 'cup.png'?"


def test_oversized_image(make_project: MakeProject) -> None:
    root = make_project({P: _with_image("big.png")})
    from PIL import Image

    Image.new("L", (8000, 7000)).save(root / "content" / "big.png")
    p = only(root, "image.bad")
    assert "megapixels" in p.message


def test_image_path_escaping_the_project(make_project: MakeProject) -> None:
    p = only(make_project({P: _with_image("../../etc/passwd")}), "image.outside")
    assert p.line == 6


def test_image_symlink_escaping_the_project(make_project: MakeProject, tmp_path: Path) -> None:
    outside = tmp_path / "secret.png"
    png(outside)
    root = make_project({P: _with_image("link.png")})
    os.symlink(outside, root / "content" / "link.png")
    only(root, "image.outside")


def test_empty_alt_text(make_project: MakeProject) -> None:
    root = make_project({P: _with_image("cup.png", alt="  ")})
    png(root / "content" / "cup.png")
    p = only(root, "schema.empty")
    assert p.line == 7
    assert "describe" in p.hint


def test_missing_alt_text(make_project: MakeProject) -> None:
    text = POST.replace("summary:", "images:\n  - src: cup.png\nsummary:")
    root = make_project({P: text})
    png(root / "content" / "cup.png")
    p = only(root, "schema.missing")
    assert "alt" in p.message and p.line == 6


def test_not_an_image(make_project: MakeProject) -> None:
    root = make_project({P: _with_image("cup.png"), "content/cup.png": "not an image"})
    p = only(root, "image.bad")
    assert "JPEG or PNG" in p.hint


def test_unknown_key_with_did_you_mean(make_project: MakeProject) -> None:
    p = only(make_project({P: POST.replace("summary:", "sumary:")}), "schema.unknown-key")
    assert (p.line, p.col) == (5, 1)
    assert p.hint == "did you mean 'summary'?"


def test_unknown_channel_with_did_you_mean(make_project: MakeProject) -> None:
    p = only(make_project({P: POST.replace("[site, bluesky", "[site, twiter")}))
    assert p.code == "post.unknown-channel" and p.hint == "did you mean 'x'?"
    assert (p.line, p.col) == (4, 18)


def test_channel_not_configured(make_project: MakeProject) -> None:
    config = "\n".join(line for line in CONFIG.splitlines() if not line.startswith("  threads"))
    root = make_project({P: POST.replace("[site, bluesky", "[site, threads")}, config=config)
    p = only(root, "post.channel-not-configured")
    assert "cmpub.yaml" in p.hint


def test_duplicate_ids_name_both_files(make_project: MakeProject) -> None:
    text = POST.replace("title:", "id: hello\ntitle:")
    found = problems(make_project({"content/a.md": text, "content/b.md": text}))
    assert [(p.path, p.line, p.code, p.message) for p in found] == [
        ("content/a.md", 2, "post.duplicate-id", "post id 'hello' is also used by content/b.md"),
        ("content/b.md", 2, "post.duplicate-id", "post id 'hello' is already used by content/a.md"),
    ]


def test_all_problems_of_all_files_at_once(make_project: MakeProject) -> None:
    root = make_project(
        {
            "content/a.md": POST.replace("summary:", "sumary:"),
            "content/b.md": "",
            "content/c.md": POST.replace("2026-12-01 10:00", "2026-02-30"),
        }
    )
    assert sorted(p.path for p in problems(root)) == [
        "content/a.md",
        "content/b.md",
        "content/c.md",
    ]


@pytest.mark.parametrize("value", ["yes", "[1, 2]", "{a: 1}"])
def test_wrong_types(make_project: MakeProject, value: str) -> None:
    p = only(make_project({P: POST.replace('"A short hello from the café."', value)}))
    assert p.code == "schema.type" and p.line == 5
