"""Post ids: one canonical spelling, no two posts on one ledger record or one address, and no
post on a name cmpub writes itself (the list comes from the writers, checked on a real build)."""

from __future__ import annotations

import subprocess
import sys
import unicodedata
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cmpub.model import ids, layout
from cmpub.model.errors import Problem, Severity
from cmpub.render.validate import validate_project
from tests.support.project import CONFIG, POST, MakeProject, png


def with_id(post_id: str) -> str:
    return POST.replace("title: Hello", f"id: {post_id}\ntitle: Hello")


def errors(root: Path) -> list[Problem]:
    return [p for p in validate_project(root).problems if p.severity is Severity.ERROR]


def shown(found: list[Problem]) -> list[str]:
    return [str(p) for p in found]


@pytest.mark.parametrize(
    ("written", "message"),
    [
        ("x//y", "'x//y' is not written the one way cmpub keeps ids: one '/' between parts"),
        ("a/", "'a/' is not written the one way cmpub keeps ids: no '/' at the end"),
        ("a/./b", "'a/./b' is not written the one way cmpub keeps ids: no '.' part"),
        ("./a", "'./a' is not written the one way cmpub keeps ids: no './' at the start"),
        (
            "a/.b",
            "'a/.b' is not written the one way cmpub keeps ids: no part may start with '.'"
            " (a hidden folder)",
        ),
        (
            '"a. "',
            "'a. ' is not written the one way cmpub keeps ids: no part may end with '.'"
            " or a space (Windows drops them)",
        ),
    ],
)
def test_a_non_canonical_id_is_refused_at_its_line_with_the_canonical_one(
    make_project: MakeProject, written: str, message: str
) -> None:
    found = errors(make_project({"content/post.md": with_id(written)}))
    fixed = ids.canonical(written.strip('"'))
    assert shown(found) == [f"content/post.md:2:1: error: {message} (write 'id: {fixed}')"]


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        (
            "a/../../x",
            "content/post.md:2:1: error: 'a/../../x' has a '..' part: an id cannot point outside"
            " its folder (write 'id: x')",
        ),
        (
            "/x",
            "content/post.md:2:1: error: '/x' starts with '/': an id is a name inside the"
            " project, not an absolute path (write 'id: x')",
        ),
        (
            "/etc/passwd",
            "content/post.md:2:1: error: '/etc/passwd' starts with '/': an id is a name inside"
            " the project, not an absolute path (write 'id: etc/passwd')",
        ),
        (
            "a:b",
            "content/post.md:2:1: error: 'a:b' contains ':', which Windows cannot have in a"
            " folder name (each id is a folder in ledger/) (write 'id: a-b' without ':')",
        ),
        (
            "x/con",
            "content/post.md:2:1: error: 'con' is a name Windows keeps for a device: it cannot"
            " be a folder there (write 'id: x/con-post')",
        ),
        (
            '"!!!"',
            "content/post.md:2:1: error: '!!!' gives the post's page no web address: each part"
            " of an id needs a letter or a digit (write an id with a letter or a digit in each"
            " part)",
        ),
    ],
)
def test_ids_that_leave_their_folder_are_a_problem_at_the_line(
    make_project: MakeProject, written: str, expected: str
) -> None:
    assert shown(errors(make_project({"content/post.md": with_id(written)}))) == [expected]


def test_two_spellings_of_one_path_never_reach_the_ledger(make_project: MakeProject) -> None:
    root = make_project({"content/a.md": with_id("x/y"), "content/b.md": with_id("x//y")})
    report = validate_project(root)
    assert [p.id for p in report.posts] == ["x/y"]
    assert [(p.path, p.code) for p in report.errors] == [("content/b.md", "id.not-canonical")]


def test_ids_that_differ_only_in_case_are_refused_at_both_lines(
    make_project: MakeProject,
) -> None:
    root = make_project({"content/a.md": with_id("Launch"), "content/b.md": with_id("launch")})
    assert shown(errors(root)) == [
        "content/a.md:2:1: error: post id 'Launch' differs from 'launch' (content/b.md) only in"
        " upper and lower case: on macOS and Windows they are one folder in ledger/ (give the"
        " newer one another 'id:'; never change the id of a post already published)",
        "content/b.md:2:1: error: post id 'launch' differs from 'Launch' (content/a.md) only in"
        " upper and lower case: on macOS and Windows they are one folder in ledger/ (give the"
        " newer one another 'id:'; never change the id of a post already published)",
    ]


def test_case_clash_between_a_path_and_an_id(make_project: MakeProject) -> None:
    root = make_project({"content/Launch.md": POST, "content/b.md": with_id("launch")})
    found = errors(root)
    assert [(p.path, p.line, p.code) for p in found] == [
        ("content/Launch.md", 0, "post.id-case"),
        ("content/b.md", 2, "post.id-case"),
    ]


def test_two_posts_on_one_address_are_refused_at_both_files(make_project: MakeProject) -> None:
    root = make_project({"content/mon café.md": POST, "content/mon-cafe.md": POST})
    assert shown(errors(root)) == [
        "content/mon café.md: error: post 'mon café' would have the same web address"
        " /mon-cafe/ as 'mon-cafe' (content/mon-cafe.md) (give the newer one another 'id:';"
        " never change the id of a post already published)",
        "content/mon-cafe.md: error: post 'mon-cafe' would have the same web address"
        " /mon-cafe/ as 'mon café' (content/mon café.md) (give the newer one another 'id:';"
        " never change the id of a post already published)",
    ]


def test_a_macos_file_name_gives_the_same_id_as_a_linux_one(make_project: MakeProject) -> None:
    decomposed = unicodedata.normalize("NFD", "café")
    root = make_project({f"content/{decomposed}.md": POST, "content/café.md": POST})
    found = errors(root)
    assert {p.code for p in found} == {"post.duplicate-id"}
    assert len(found) == 2


# ----------------------------------------------------------------------------- reserved


@pytest.mark.parametrize("name", sorted(layout.TOP_NAMES))
def test_an_id_on_a_name_cmpub_writes_is_refused_at_its_line(
    make_project: MakeProject, name: str
) -> None:
    found = errors(make_project({"content/post.md": with_id(name)}))
    assert [(p.line, p.code) for p in found] == [(2, "id.reserved")], shown(found)
    assert found[0].message == (
        f"'{name}' is a name cmpub uses for its own files"
        f" ({name if '.' in name else name + '/'} in dist/): this post would replace them"
    )


@pytest.mark.parametrize(
    ("file", "post_id"),
    [("tags.md", "tags"), ("Tags/index.md", "Tags"), ("index.md", "index"), ("404.md", "404")],
)
def test_a_file_whose_path_is_a_reserved_name_is_refused(
    make_project: MakeProject, file: str, post_id: str
) -> None:
    found = errors(make_project({f"content/{file}": POST}))
    assert [(p.path, p.line, p.code) for p in found] == [(f"content/{file}", 0, "id.reserved")]
    assert found[0].hint == (
        f"rename the file, or give the post an 'id:' like 'id: {post_id}-post'"
    )


def test_an_id_on_a_file_of_another_post_is_refused(make_project: MakeProject) -> None:
    root = make_project({"content/a.md": POST, "content/b.md": with_id("a/bluesky-0.json")})
    assert shown(errors(root)) == [
        "content/b.md:2:1: error: 'bluesky-0.json' is a file name cmpub writes in the folders"
        " of post 'a' (write 'id: a/bluesky-0-json')"
    ]


LAYOUT_CONFIG = CONFIG.replace(
    "timezone:", "brand:\n  logo: assets/brand/logo.png\ntimezone:"
).replace(
    "defaults:\n  channels: [site, bluesky, mastodon, x]",
    "defaults:\n  channels: [site, outbox, bluesky]",
)


def test_every_name_the_writers_use_is_in_the_layout(make_project: MakeProject) -> None:
    """Build and deploy a site with two home pages, tags, images and a logo: every name at the
    top of dist/ (and of dist/outbox/) that is not a post is one layout.TOP_NAMES lists, and
    every file in a post's folders is one layout.is_post_file recognises."""
    posts = {
        f"content/p{i:02d}.md": POST.replace("2026-12-01 10:00", f"2026-11-{i + 1:02d} 10:00")
        .replace("title: Hello", f"title: Hello {i}\ntags: [lyon, café]")
        .replace("channels: [site, bluesky, mastodon, x]", "channels: [site, outbox, bluesky]")
        for i in range(26)
    }
    posts["content/pic/index.md"] = POST.replace(
        "channels: [site, bluesky, mastodon, x]",
        "channels: [site, outbox, bluesky]\nimages:\n  - {src: photo.png, alt: A cup}",
    )
    root = make_project(posts, config=LAYOUT_CONFIG)
    png(root / "content/pic/photo.png")
    png(root / "assets/brand/logo.png", (256, 256))
    for args in (
        ["init", "-q", "-b", "main"],
        ["add", "-A"],
        ["-c", "user.name=T", "-c", "user.email=t@example.com", "commit", "-qm", "p"],
    ):
        subprocess.run(["git", *args], cwd=root, check=True)
    deploy = ["deploy", "--now", "2027-01-01T09:00+01:00", "--include-missed", "--no-push"]
    done = subprocess.run(
        [sys.executable, "-m", "cmpub", *deploy, "--channel", "site", "--channel", "outbox"],
        cwd=root,
        capture_output=True,
        text=True,
        env={
            "PATH": "/usr/bin:/bin",
            "GIT_AUTHOR_NAME": "T",
            "GIT_AUTHOR_EMAIL": "t@example.com",
            "GIT_COMMITTER_NAME": "T",
            "GIT_COMMITTER_EMAIL": "t@example.com",
        },
    )
    assert done.returncode == 0, done.stderr
    report = validate_project(root)
    dist, ledger = root / "dist", root / "ledger"
    assert (dist / "page/2/index.html").is_file() and (dist / "outbox/journal.jsonl").is_file()
    slugs = {p.slug.split("/")[0] for p in report.posts}
    top = {p.name for p in dist.iterdir() if not p.name.startswith(".")}
    assert top - slugs <= layout.TOP_NAMES, top - slugs - layout.TOP_NAMES
    outbox_top = {p.name for p in (dist / "outbox").iterdir()}
    assert outbox_top - {p.id.split("/")[0] for p in report.posts} == {layout.OUTBOX_JOURNAL}
    seen = set()
    for post in report.posts:
        for folder in (
            dist / post.slug,
            dist / layout.COPIES / post.id,
            dist / layout.MEDIA / post.id,
            dist / layout.OUTBOX / post.id,
            ledger / post.id,
        ):
            for path in folder.glob("*"):
                if path.is_file():
                    seen.add(path.name)
                    assert layout.is_post_file(path.name), path
    assert {"index.html", "site.txt", "bluesky.txt", "outbox-0.json", "site-0.json"} <= seen
    assert any(name.endswith(".bluesky.jpg") for name in seen)


# ----------------------------------------------------------------------------- properties


@settings(max_examples=400)
@given(st.text(min_size=1, max_size=40))
def test_an_accepted_id_is_canonical_and_its_address_is_url_safe(text: str) -> None:
    if ids.refusal(text, written=True) is not None:
        return
    assert ids.canonical(text) == text
    href = ids.href(text)
    assert href.isascii() and " " not in href
    assert all(part and part not in (".", "..") for part in ids.slug(text).split("/"))
    assert not ids._reserved(ids.slug(text).split("/")[0])


@settings(max_examples=200)
@given(st.lists(st.sampled_from(["a", "b", "", ".", "..", " ", "A"]), min_size=1, max_size=5))
def test_two_accepted_spellings_of_one_path_are_the_same_id(parts: list[str]) -> None:
    text = "/".join(parts)
    if ids.refusal(text, written=True) is None:
        assert text == ids.canonical(text)
