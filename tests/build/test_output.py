"""Output folders: cmpub replaces only a folder it made itself, and never loses the previous one.

Each refused ``--out`` is checked word for word and against a snapshot of the whole project
(every file's bytes), so "refused" also means "nothing was touched". The kill tests SIGKILL a
real ``cmpub build`` process at fixed points (the test hooks, no timing) and check that
``dist/`` is always either the previous build or the new one, complete.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner

from cmpub.build import output
from cmpub.build.pipeline import build
from cmpub.cli.app import main
from tests.support.project import CONFIG, POST, MakeProject, png

NOW = "2027-02-01T09:00Z"
NOW_DT = datetime(2027, 2, 1, 9, tzinfo=UTC)


def _tree(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` (dotfiles, .git and all) with its bytes; links as targets."""
    out: dict[str, bytes] = {}
    for path in sorted(folder.rglob("*")):
        rel = path.relative_to(folder).as_posix()
        if path.is_symlink():
            out[rel] = b"-> " + os.fsencode(os.readlink(path))
        elif path.is_file():
            out[rel] = path.read_bytes()
        elif path.is_dir():
            out[rel + "/"] = b""
    return out


def _project(make_project: MakeProject, config: str = CONFIG) -> Path:
    post = POST.replace("summary:", "images:\n  - {src: cup.png, alt: A cup of coffee}\nsummary:")
    root = make_project({"content/hello.md": post}, config=config)
    png(root / "content" / "cup.png", (900, 600), "#c08040")
    (root / "ledger/hello").mkdir(parents=True)
    (root / "ledger/hello/mastodon-0.json").write_text('{"state": "published"}\n')
    (root / "templates").mkdir()
    (root / "templates/README.txt").write_text("my overrides go here\n")
    (root / ".git").mkdir()
    (root / ".git/HEAD").write_text("ref: refs/heads/main\n")
    return root


def _invoke(runner: CliRunner, root: Path, *args: str) -> tuple[int, str]:
    cwd = os.getcwd()
    os.chdir(root)
    try:
        result = runner.invoke(main, list(args))
    finally:
        os.chdir(cwd)
    return result.exit_code, result.output


# ----------------------------------------------------------------------------- refused


REFUSED = [
    (
        ["export-site", "--out", "."],
        "cmpub: the output folder '.' is the project folder itself: cmpub never replaces your"
        " project (use a folder of its own, like _site/)",
    ),
    (
        ["export-site", "--out", "content"],
        "cmpub: the output folder 'content' is content/, which holds your posts: cmpub never"
        " writes there (use a folder of its own, like _site/)",
    ),
    (
        ["export-site", "--out", "dist"],
        "cmpub: the output folder 'dist' is dist/, which holds the build export-site copies"
        " from: cmpub never writes there (use a folder of its own, like _site/)",
    ),
    (
        ["export-site", "--out", "dist/public"],
        "cmpub: the output folder 'dist/public' is inside dist/, which holds the build"
        " export-site copies from: cmpub never writes there (use a folder of its own, like"
        " _site/)",
    ),
    (
        ["build", "--out", "ledger"],
        "cmpub: the output folder 'ledger' is ledger/, which holds the record of what went out:"
        " cmpub never writes there (use a folder of its own, like dist/)",
    ),
    (
        ["build", "--out", "cmpub.yaml"],
        "cmpub: the output folder 'cmpub.yaml' is a file, not a folder: cmpub never replaces a"
        " file (use a folder of its own, like dist/)",
    ),
    (
        ["build", "--out", "content/2026"],
        "cmpub: the output folder 'content/2026' is inside content/, which holds your posts:"
        " cmpub never writes there (use a folder of its own, like dist/)",
    ),
    (
        ["build", "--out", "templates"],
        "cmpub: the output folder 'templates' is templates/, which holds your templates: cmpub"
        " never writes there (use a folder of its own, like dist/)",
    ),
    (
        ["build", "--out", ".git"],
        "cmpub: the output folder '.git' is .git/, which holds your git history: cmpub never"
        " writes there (use a folder of its own, like dist/)",
    ),
    (
        ["build", "--out", ".."],
        "cmpub: the output folder '..' contains the project: cmpub never replaces your project"
        " (use a folder of its own, like dist/)",
    ),
    (
        ["build", "--out", ".cmpub-cache"],
        "cmpub: the output folder '.cmpub-cache' would replace .cmpub-cache/, cmpub's own cache"
        " (use a folder of its own, like dist/)",
    ),
]


@pytest.mark.parametrize("args,message", REFUSED, ids=[" ".join(a) for a, _ in REFUSED])
def test_an_output_folder_cmpub_must_not_replace_is_refused_before_anything_is_touched(
    make_project: MakeProject, runner: CliRunner, args: list[str], message: str
) -> None:
    root = _project(make_project)
    build(root, now=NOW_DT)
    (root / "dist/outbox/hello").mkdir(parents=True)
    (root / "dist/outbox/hello/outbox-0.json").write_text("{}")
    before = _tree(root.parent)
    code, text = _invoke(runner, root, *args)
    assert (code, text) == (2, message + "\n")
    assert _tree(root.parent) == before


def test_an_existing_folder_cmpub_did_not_make_is_never_replaced(
    make_project: MakeProject, runner: CliRunner, tmp_path: Path
) -> None:
    root = _project(make_project)
    mine = tmp_path / "my documents"
    mine.mkdir()
    (mine / "thesis.txt").write_text("three years of work")
    for command in (["build"], ["export-site"]):
        if command == ["export-site"]:
            build(root, now=NOW_DT)
        before = _tree(tmp_path)
        code, text = _invoke(runner, root, *command, "--out", str(mine))
        suggestion = "dist/" if command == ["build"] else "_site/"
        assert (code, text) == (
            2,
            f"cmpub: the output folder '{mine}' already holds files that cmpub did not make:"
            " cmpub only replaces a folder it created itself (empty or delete it yourself if"
            f" you mean it, or use a folder of its own, like {suggestion})\n",
        )
        assert _tree(tmp_path) == before


def test_a_configured_ledger_folder_is_protected_like_the_default(
    make_project: MakeProject, runner: CliRunner
) -> None:
    root = _project(make_project, CONFIG + "deploy: {ledger: records}\ncontent_dir: posts\n")
    (root / "content").rename(root / "posts")
    (root / "records").mkdir()
    (root / "records/x.json").write_text("{}")
    for folder, holds in (("records", "the record of what went out"), ("posts", "your posts")):
        before = _tree(root)
        code, text = _invoke(runner, root, "build", "--out", folder)
        assert (code, text) == (
            2,
            f"cmpub: the output folder '{folder}' is {folder}/, which holds {holds}: cmpub never"
            " writes there (use a folder of its own, like dist/)\n",
        )
        assert _tree(root) == before


def test_a_symbolic_link_is_not_replaced(
    make_project: MakeProject, runner: CliRunner, tmp_path: Path
) -> None:
    root = _project(make_project)
    target = tmp_path / "elsewhere"
    target.mkdir()
    (root / "site-link").symlink_to(target)
    code, text = _invoke(runner, root, "build", "--out", "site-link")
    assert (code, text) == (
        2,
        "cmpub: the output folder 'site-link' is a symbolic link: cmpub replaces its output"
        " folders whole, never through a link (use a folder of its own, like dist/)\n",
    )
    assert (root / "site-link").is_symlink() and list(target.iterdir()) == []


def test_a_folder_made_by_another_command_is_not_replaced(
    make_project: MakeProject, runner: CliRunner
) -> None:
    root = _project(make_project)
    build(root, now=NOW_DT)
    assert _invoke(runner, root, "export-site", "--out", "_site")[0] == 0
    before = _tree(root / "_site")
    code, text = _invoke(runner, root, "build", "--out", "_site")
    assert (code, text) == (
        2,
        "cmpub: the output folder '_site' was made by 'cmpub export-site', not by 'cmpub build':"
        " cmpub replaces a folder only with the command that made it (use a folder of its own,"
        " like dist/)\n",
    )
    assert _tree(root / "_site") == before


# ----------------------------------------------------------------------------- allowed


def test_new_empty_and_own_folders_are_written_and_replaced(
    make_project: MakeProject, runner: CliRunner, tmp_path: Path
) -> None:
    root = _project(make_project)
    empty = tmp_path / "empty"
    empty.mkdir()
    build(root, out=empty, now=NOW_DT)
    assert json.loads((empty / output.MARKER).read_text()) == {"made_by": "cmpub build"}
    (root / "content/hello.md").write_text(POST.replace("Hello", "Bonjour"), encoding="utf-8")
    build(root, out=empty, now=NOW_DT)  # its own folder: replaced
    assert "Bonjour" in (empty / "hello/index.html").read_text()
    for _ in range(2):  # a new folder, then the same one again
        code, text = _invoke(runner, root, "export-site", "--dist", str(empty), "--out", "_site")
        assert code == 0, text
    made = json.loads((root / "_site" / output.MARKER).read_text())
    assert made == {"made_by": "cmpub export-site"}
    assert "Bonjour" in (root / "_site/hello/index.html").read_text()


def test_a_build_folder_of_an_earlier_cmpub_without_marker_is_still_replaced(
    make_project: MakeProject,
) -> None:
    root = _project(make_project)
    build(root, now=NOW_DT)
    (root / "dist" / output.MARKER).unlink()  # what cmpub wrote before markers existed
    (root / "content/hello.md").write_text(POST.replace("Hello", "Hi"), encoding="utf-8")
    build(root, now=NOW_DT)
    assert "Hi" in (root / "dist/hello/index.html").read_text()
    assert (root / "dist" / output.MARKER).is_file()


# ----------------------------------------------------------------------------- leftovers


def _dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def test_leftovers_are_deleted_only_when_they_carry_the_marker(
    make_project: MakeProject,
) -> None:
    root = _project(make_project)
    build(root, now=NOW_DT)
    pid = _dead_pid()
    ours_tmp = root / f".dist.tmp-{pid}-aaaa"
    ours_old = root / f".dist.old-{pid}-bbbb"
    for folder in (ours_tmp, ours_old):
        (folder / "sub").mkdir(parents=True)
        (folder / output.MARKER).write_text('{"made_by": "cmpub build"}\n')
        (folder / "sub/page.html").write_text("old")
    not_ours = root / f".dist.tmp-{pid}-cccc"
    not_ours.mkdir()
    (not_ours / "notes.txt").write_text("a user's file in a folder that looks like ours")
    empty = root / f".dist.old-{pid}-dddd"
    empty.mkdir()
    (root / "content/hello.md").write_text(POST.replace("Hello", "Hi"), encoding="utf-8")
    build(root, now=NOW_DT)
    assert not ours_tmp.exists() and not ours_old.exists() and not empty.exists()
    assert (not_ours / "notes.txt").read_text().startswith("a user's file")


def test_a_folder_moved_aside_by_a_run_that_died_is_put_back(tmp_path: Path) -> None:
    """Where there is no atomic exchange (not Linux), a run that dies between its two renames
    leaves dist/ aside; the next run puts it back before anything else."""
    out = tmp_path / "dist"
    aside = tmp_path / f".dist.old-{_dead_pid()}-abcd"
    aside.mkdir()
    (aside / output.MARKER).write_text('{"made_by": "cmpub build"}\n')
    (aside / "index.html").write_text("previous")
    output.clear_leftovers(out)
    assert (out / "index.html").read_text() == "previous" and not aside.exists()


def test_two_renames_where_no_atomic_exchange_exists(
    make_project: MakeProject, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(output, "_exchange", lambda a, b: False)
    root = _project(make_project)
    build(root, now=NOW_DT)
    (root / "content/hello.md").write_text(POST.replace("Hello", "Hi"), encoding="utf-8")
    build(root, now=NOW_DT)
    assert "Hi" in (root / "dist/hello/index.html").read_text()


# ----------------------------------------------------------------------------- killed, failed


def _cmpub(root: Path, *args: str, kill_at: str | None = None) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CMPUB_")}
    if kill_at:
        env.update(CMPUB_TEST_HOOKS="1", CMPUB_TEST_KILL_AT=kill_at)
    return subprocess.run(
        [sys.executable, "-m", "cmpub", *args],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.mark.parametrize(
    "kill_at", ["output-file:1", "output-file:12", "output-swap", "output-swapped"]
)
def test_a_build_killed_at_any_point_leaves_a_complete_dist(
    make_project: MakeProject, kill_at: str
) -> None:
    root = _project(make_project)
    first = _cmpub(root, "build", "--now", NOW, "--jobs", "1")
    assert first.returncode == 0, first.stderr
    previous = _tree(root / "dist")
    (root / "content/hello.md").write_text(POST.replace("Hello", "Changed title"), encoding="utf-8")
    killed = _cmpub(root, "build", "--now", NOW, "--jobs", "1", kill_at=kill_at)
    assert killed.returncode == -signal.SIGKILL
    after_kill = _tree(root / "dist")
    again = _cmpub(root, "build", "--now", NOW, "--jobs", "1")
    assert again.returncode == 0, again.stderr
    new = _tree(root / "dist")
    assert new != previous
    assert after_kill == (new if kill_at == "output-swapped" else previous)
    assert not list(root.glob(".dist.tmp-*"))


def test_a_failing_build_leaves_the_previous_dist_intact(make_project: MakeProject) -> None:
    root = _project(make_project)
    build(root, now=NOW_DT)
    previous = _tree(root / "dist")
    (root / "content/hello.md").write_text(POST.replace("channels: [", "channels: [twiter, "))
    failed = _cmpub(root, "build", "--now", NOW)
    assert failed.returncode == 1
    assert _tree(root / "dist") == previous
    assert not list(root.glob(".dist.tmp-*"))
