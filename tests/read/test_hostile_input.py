"""Hostile content: control characters, impossible dates, named pipes, links out of the project,
posts that go nowhere and damaged images. Each is a Problem at its line, never a hang or a crash.
"""

from __future__ import annotations

import dataclasses
import json
import os
import socket
import subprocess
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from xml.etree import ElementTree

import feedparser
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cmpub.build.pipeline import build
from cmpub.build.site import render_site
from cmpub.model.errors import ConfigError, Problem, ProblemsFound, Severity
from cmpub.read import imagecheck
from cmpub.read.config import load_config
from cmpub.render.templates import Templates
from cmpub.render.validate import validate_project
from tests.support.project import CONFIG, POST, MakeProject, png

P = "content/post.md"


def shown(root: Path) -> list[str]:
    return [str(p) for p in validate_project(root).problems]


def errors(root: Path) -> list[Problem]:
    return [p for p in validate_project(root).problems if p.severity is Severity.ERROR]


# ----------------------------------------------------------------------- control characters

FIX = (
    "delete it: put the cursor just after that spot and press Backspace; it does not show,"
    " but it breaks feeds and terminals"
)


def test_a_control_character_in_the_front_matter_is_refused_at_its_column(
    make_project: MakeProject,
) -> None:
    root = make_project({P: POST.replace("title: Hello", "title: Hel\x1b]0;pwned\x07lo")})
    assert shown(root) == [
        f"{P}:2:11: error: an invisible control character U+001B (ESC) is here ({FIX})",
        f"{P}:2:20: error: an invisible control character U+0007 (BEL) is here ({FIX})",
    ]


def test_a_c1_control_in_the_body_is_refused_at_its_column(make_project: MakeProject) -> None:
    root = make_project({P: POST.replace("Body of", "Body\x9b31m of")})
    assert shown(root) == [f"{P}:7:5: error: an invisible control character U+009B is here ({FIX})"]


@pytest.mark.parametrize("escape", ["\\e", "\\x01", "\\x9b", "\\u0085", "\\r"])
def test_a_control_character_written_as_an_escape_is_refused(
    make_project: MakeProject, escape: str
) -> None:
    root = make_project({P: POST.replace("title: Hello", f'title: "Hel{escape}lo"')})
    (problem,) = errors(root)
    assert (problem.line, problem.col, problem.code) == (2, 8, "yaml.control-character")
    assert problem.message.startswith("this text holds an invisible control character U+00")
    assert problem.hint == "remove the escape, such as \\e or \\x1b, from the quoted text"


def test_tabs_and_new_lines_are_text(make_project: MakeProject) -> None:
    text = POST.replace('summary: "A short', 'summary: "A\\tshort\\nand').replace(
        "Body of", "Body\tof"
    )
    assert shown(make_project({P: text})) == []


def test_a_control_character_in_cmpub_yaml_is_refused(make_project: MakeProject) -> None:
    root = make_project({P: POST}, config=CONFIG.replace("Test Café", '"Test\\eCafé"'))
    with pytest.raises(ConfigError) as caught:
        load_config(root)
    assert [(p.path, p.line, p.code) for p in caught.value.problems] == [
        ("cmpub.yaml", 2, "yaml.control-character")
    ]


def test_feeds_stay_well_formed_whatever_reaches_them(make_project: MakeProject) -> None:
    """Defence in depth: a title the loader would refuse, handed to the site directly."""
    root = make_project({P: POST})
    report = validate_project(root)
    (post,) = report.posts
    nasty = "Ca\x1bf\x00é\x07 \ufffe\x85ok"
    post = dataclasses.replace(post, fields=dataclasses.replace(post.fields, title=nasty))
    assert report.config is not None
    files = render_site(
        [post], report.config, Templates(root), datetime(2027, 1, 1, tzinfo=UTC), {}, {}, {}
    )
    for name in ("feed.xml", "atom.xml", "sitemap.xml"):
        ElementTree.fromstring(files[name])  # raises if not well-formed
    for name in ("feed.xml", "atom.xml"):
        parsed = feedparser.parse(files[name])
        assert not parsed.bozo, parsed.bozo_exception
        assert parsed.entries[0].title == "Café ok"


# ----------------------------------------------------------------------------------- dates


@pytest.mark.parametrize(
    ("date", "message"),
    [
        (
            "2026-12-01T10:00+24:00",
            "'+24:00' is not a UTC offset: offsets go from -12:00 to +14:00",
        ),
        (
            "2026-12-01T10:00-13:00",
            "'-13:00' is not a UTC offset: offsets go from -12:00 to +14:00",
        ),
        ("2026-12-01T10:00+0175", "'+0175' is not a UTC offset: offsets go from -12:00 to +14:00"),
        (
            "0001-01-01T00:00+01:00",
            "the year 1 is outside the years cmpub plans for (1900 to 2999)",
        ),
        (
            "9999-12-31T23:59-01:00",
            "the year 9999 is outside the years cmpub plans for (1900 to 2999)",
        ),
        ("9999-12-31 23:59", "the year 9999 is outside the years cmpub plans for (1900 to 2999)"),
    ],
)
def test_impossible_dates_are_a_problem_at_the_date_line(
    make_project: MakeProject, date: str, message: str
) -> None:
    (problem,) = errors(make_project({P: POST.replace("2026-12-01 10:00", date)}))
    assert (problem.line, problem.message) == (3, message)


def test_a_reshare_longer_than_ten_years_is_refused(make_project: MakeProject) -> None:
    root = make_project({P: POST.replace("title: Hello", "title: Hello\nreshare: [999999999w]")})
    assert [str(p) for p in errors(root)] == [
        f"{P}:3:11: error: 'reshare[0]' is 999999999w: more than 10 years"
        " (write a shorter duration (at most 520w))"
    ]


_YEARS = st.sampled_from([1, 2, 999, 1000, 1899, 1900, 1969, 1970, 2026, 2999, 3000, 9998, 9999])
_OFFSETS = st.one_of(
    st.none(),
    st.just("Z"),
    st.builds(
        lambda sign, h, sep, m: f"{sign}{h:02d}{sep}{m:02d}",
        st.sampled_from("+-"),
        st.integers(0, 99),
        st.sampled_from([":", ""]),
        st.integers(0, 99),
    ),
)
_PLAUSIBLE = st.builds(
    lambda y, mo, d, h, mi, off: f"{y:04d}-{mo:02d}-{d:02d}T{h:02d}:{mi:02d}{off}",
    st.sampled_from([1900, 1901, 1970, 2026, 2998, 2999]),
    st.sampled_from([1, 3, 10, 12]),
    st.sampled_from([1, 28, 31]),
    st.sampled_from([0, 1, 2, 3, 12, 23]),
    st.sampled_from([0, 30, 59]),
    st.sampled_from(["", "Z", "+14:00", "-12:00", "+05:45", "-00:00", "+0000", "-1159"]),
)
_DATES = st.one_of(
    _PLAUSIBLE,
    st.builds(
        lambda y, mo, d, sep, h, mi, s, off: (
            f"{y:04d}-{mo:02d}-{d:02d}"
            + ("" if h is None else f"{sep}{h:02d}:{mi:02d}" + ("" if s is None else f":{s:02d}"))
            + (off or "")
        ),
        _YEARS | st.integers(0, 9999),
        st.integers(0, 13),
        st.integers(0, 32),
        st.sampled_from(["T", " "]),
        st.none() | st.integers(0, 25),
        st.integers(0, 61),
        st.none() | st.integers(0, 61),
        _OFFSETS,
    ),
    st.text(max_size=30),
)
_ZONES = st.sampled_from(
    [
        None,
        "UTC",
        "Europe/Paris",
        "Pacific/Kiritimati",
        "Etc/GMT+12",
        "Etc/GMT-14",
        "America/St_Johns",
        "Asia/Kathmandu",
        "Australia/Lord_Howe",
    ]
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    date=_DATES,
    zone=_ZONES,
    reshare=st.sampled_from(["", "reshare: [3d]\n", "reshare: [520w]\n"]),
    poll=st.booleans(),
    now=st.sampled_from([None, datetime(2027, 1, 1, tzinfo=UTC)]),
)
def test_no_date_crashes_the_loader_or_the_build(
    date: str, zone: str | None, reshare: str, poll: bool, now: datetime | None
) -> None:
    """Whatever a post's date says, validate answers with Problems, and a post validate
    accepts always builds: no exit 70, no 'validates, then the build crashes'."""
    extra = reshare + (f"timezone: {zone}\n" if zone else "")
    if poll:
        extra += "poll: {question: Which?, options: [A, B], duration: 7d, results: true}\n"
    text = (
        f"---\ntitle: Hello\ndate: {json.dumps(date)}\n{extra}"
        "channels: [site, outbox, bluesky, mastodon]\n---\nBody.\n"
    )
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        (root / "cmpub.yaml").write_text(CONFIG, encoding="utf-8")
        (root / "content").mkdir()
        (root / P).write_text(text, encoding="utf-8")
        report = validate_project(root)
        if report.errors:
            assert all(p.path == P and p.line > 0 for p in report.errors), report.errors
            return
        build(root, now=now, images=False, jobs=1)  # must not raise, not even ProblemsFound
        manifest = json.loads((root / "dist/manifest.json").read_text(encoding="utf-8"))
        assert {v["channel"] for v in manifest["variants"]} == {
            "site",
            "outbox",
            "bluesky",
            "mastodon",
        }


# ---------------------------------------------------------------- special files and links


def _validate_cli(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    # the timeout only keeps a hang (the bug) from stalling the suite; nothing is timed
    return subprocess.run(
        [sys.executable, "-m", "cmpub", "validate", *args],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_a_named_pipe_in_content_is_skipped_with_a_warning(make_project: MakeProject) -> None:
    root = make_project({P: POST})
    os.mkfifo(root / "content/pipe.md")
    done = _validate_cli(root)
    assert done.returncode == 0, done.stderr
    assert (
        "content/pipe.md: warning: skipped content/pipe.md: it is a named pipe, not a file"
        " (posts are ordinary files; remove it from content/ or rename it without '.md')"
    ) in done.stdout + done.stderr
    assert "1 post checked" in done.stdout + done.stderr
    done = _validate_cli(root, "content/pipe.md")
    assert "skipped content/pipe.md: it is a named pipe" in done.stdout + done.stderr


def test_a_socket_in_content_is_skipped_with_a_warning(make_project: MakeProject) -> None:
    root = make_project({P: POST})
    sock = socket.socket(socket.AF_UNIX)
    try:
        sock.bind(os.path.relpath(root / "content/s.md"))  # relative: socket names are short
        found = [str(p) for p in validate_project(root).problems]
    finally:
        sock.close()
    assert found == [
        "content/s.md: warning: skipped content/s.md: it is a socket, not a file (posts are"
        " ordinary files; remove it from content/ or rename it without '.md')"
    ]


def test_a_named_pipe_as_cmpub_yaml_is_refused(make_project: MakeProject) -> None:
    root = make_project({P: POST}, config=None)
    os.mkfifo(root / "cmpub.yaml")
    with pytest.raises(ConfigError):
        load_config(root)
    done = _validate_cli(root)
    assert done.returncode == 2


def test_a_post_linked_from_outside_the_project_is_refused(
    make_project: MakeProject, tmp_path: Path
) -> None:
    outside = tmp_path / "secret.md"
    outside.write_text(POST.replace("A short hello", "TOP SECRET"), encoding="utf-8")
    root = make_project({P: POST})
    os.symlink(outside, root / "content/linked.md")
    report = validate_project(root)
    assert [str(p) for p in report.problems] == [
        f"content/linked.md: error: content/linked.md is a link to a file outside the project"
        f" ({outside}) (copy the post into content/ instead of linking to it)"
    ]
    assert all("SECRET" not in c.text for c in report.copies.values())


def test_links_inside_the_project_keep_working(make_project: MakeProject) -> None:
    root = make_project({"shared/post.md": POST})
    png(root / "shared/pic.png")
    png(root / "assets/brand/real-logo.png", (64, 64))
    os.symlink("../shared/post.md", root / "content/post.md")
    os.symlink("../../shared/pic.png", root / "assets/brand/pic.png")
    os.symlink("real-logo.png", root / "assets/brand/logo.png")
    text = POST.replace(
        "title: Hello", "id: b\ntitle: Hello\nimages: [{src: brand/pic.png, alt: A cup}]"
    )
    (root / "content/b.md").write_text(text, encoding="utf-8")
    (root / "cmpub.yaml").write_text(
        CONFIG.replace("timezone:", "brand: {logo: assets/brand/logo.png}\ntimezone:"),
        encoding="utf-8",
    )
    report = validate_project(root)
    assert report.problems == []
    assert sorted(p.id for p in report.posts) == ["b", "post"]


def test_an_image_linked_from_outside_is_a_problem_at_its_src_line(
    make_project: MakeProject, tmp_path: Path
) -> None:
    png(tmp_path / "outside.png")
    root = make_project(
        {
            "content/b/index.md": POST.replace(
                "title: Hello", "title: Hello\nimages:\n  - src: pic.png\n    alt: A cup"
            )
        }
    )
    os.symlink(tmp_path / "outside.png", root / "content/b/pic.png")
    assert shown(root) == [
        "content/b/index.md:4:5: error: 'pic.png' is a link to a file outside the project"
        " (copy the image into the project instead of linking to it)"
    ]


@pytest.mark.parametrize(
    ("setting", "col", "expected"),
    [
        (
            "content_dir: ../elsewhere",
            1,
            "'../elsewhere' is outside the project (cmpub reads and writes only inside the"
            " project: name a folder in it)",
        ),
        (
            "assets_dir: /etc",
            1,
            "'/etc' is outside the project (cmpub reads and writes only inside the project:"
            " name a folder in it)",
        ),
        (
            "deploy:\n  ledger: linked",
            3,
            "'linked' is a link to a place outside the project (cmpub reads and writes only"
            " inside the project: name a folder in it)",
        ),
        (
            "brand:\n  logo: linked/logo.png",
            3,
            "brand logo 'linked/logo.png' is a link to a place outside the project (copy it"
            " into assets/ and point at it there)",
        ),
    ],
)
def test_cmpub_yaml_cannot_point_outside_the_project(
    make_project: MakeProject, tmp_path: Path, setting: str, col: int, expected: str
) -> None:
    png(tmp_path / "away/logo.png")
    root = make_project({P: POST}, config=f"{setting}\n{CONFIG}")
    os.symlink(tmp_path / "away", root / "linked")
    with pytest.raises(ConfigError) as caught:
        load_config(root)
    line = setting.count("\n") + 1
    assert [str(p) for p in caught.value.problems] == [
        f"cmpub.yaml:{line}:{col}: error: {expected}"
    ]


def test_cmpub_yaml_linked_from_outside_is_refused(
    make_project: MakeProject, tmp_path: Path
) -> None:
    (tmp_path / "elsewhere.yaml").write_text(CONFIG, encoding="utf-8")
    root = make_project({P: POST}, config=None)
    os.symlink(tmp_path / "elsewhere.yaml", root / "cmpub.yaml")
    with pytest.raises(ConfigError) as caught:
        load_config(root)
    assert [p.code for p in caught.value.problems] == ["config.outside"]


# ---------------------------------------------------------------------- a post going nowhere


def test_a_ready_post_with_no_channels_is_a_warning_at_the_line(make_project: MakeProject) -> None:
    text = POST.replace("channels: [site, bluesky, mastodon, x]", "channels: []")
    assert shown(make_project({P: text})) == [
        f"{P}:4:1: warning: 'channels' is empty: this post goes nowhere (list where it goes,"
        " like 'channels: [site, bluesky]', or set 'status: draft')"
    ]


def test_a_draft_with_no_channels_says_nothing(make_project: MakeProject) -> None:
    text = POST.replace("channels: [site, bluesky, mastodon, x]", "channels: []\nstatus: draft")
    assert shown(make_project({P: text})) == []


# -------------------------------------------------------------------------- damaged images

IMAGE_POST = POST.replace(
    "channels: [site, bluesky, mastodon, x]",
    "channels: [site, bluesky, mastodon, x]\nimages:\n  - src: photo.jpg\n    alt: A cup",
)
B = "content/b/index.md"


def _jpeg(path: Path) -> bytes:
    from PIL import Image

    path.parent.mkdir(parents=True, exist_ok=True)
    Image.radial_gradient("L").resize((800, 600)).convert("RGB").save(path, quality=90)
    return path.read_bytes()


@pytest.mark.parametrize("kind", ["jpg", "png"])
def test_a_truncated_image_fails_validate_at_its_src_line(
    make_project: MakeProject, kind: str
) -> None:
    root = make_project({B: IMAGE_POST.replace("photo.jpg", f"photo.{kind}")})
    path = root / f"content/b/photo.{kind}"
    if kind == "jpg":
        data = _jpeg(path)
    else:
        png(path)
        data = path.read_bytes()
    path.write_bytes(data[: len(data) * 2 // 3])
    assert shown(root) == [
        f"{B}:6:5: error: image 'photo.{kind}': the end of the file is missing (it was cut short"
        " while being copied or saved) (export or download the image again from its original)"
    ]
    with pytest.raises(ProblemsFound):
        build(root, images=True, jobs=1)


def test_an_image_is_decoded_again_only_when_it_changed(
    make_project: MakeProject, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = make_project({B: IMAGE_POST})
    data = _jpeg(root / "content/b/photo.jpg")
    calls: list[Path] = []
    real = imagecheck.decode_problem

    def counting(path: Path) -> tuple[str, str] | None:
        calls.append(path)
        return real(path)

    monkeypatch.setattr(imagecheck, "decode_problem", counting)
    assert shown(root) == [] and len(calls) == 1
    assert shown(root) == [] and len(calls) == 1  # unchanged: not decoded again
    (root / "content/b/photo.jpg").write_bytes(data[:-200])
    assert [p.code for p in errors(root)] == ["image.damaged"] and len(calls) == 2
