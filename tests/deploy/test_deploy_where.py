"""Deploy publishes only where the ledger reaches the next run, and only what is committed:
detached HEAD, no remote, another branch, a failed fetch, uncommitted posts. Real git
repositories (a bare remote, clones), real ``cmpub deploy`` processes."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.deploy import (
    NOW,
    POSTS,
    ROOT,
    Receiver,
    clone,
    cmpub_env,
    git,
    log,
    make_repo,
    post,
    records,
    run_cli,
)

NO_OLD = {k: v for k, v in POSTS.items() if k != "content/old.md"}
LOCAL = "pass --no-push to keep the ledger in this checkout only"
NOTE = (
    "note       --no-push: the ledger stays in this checkout; push it (git push) before"
    " another checkout or the publish workflow deploys, or they would publish these posts again"
)


def refused(result: object) -> str:
    """The one-line refusal on stderr (exit 4, a person acts)."""
    assert result.returncode == 4, result.stdout + result.stderr  # type: ignore[attr-defined]
    assert result.stdout == ""  # type: ignore[attr-defined]
    lines = result.stderr.splitlines()  # type: ignore[attr-defined]
    assert len(lines) == 1, lines
    assert lines[0].startswith("cmpub: nothing was published: ")
    return lines[0].removeprefix("cmpub: nothing was published: ")


def test_a_detached_head_publishes_nothing_and_a_second_clone_does_not_republish(
    tmp_path: Path, receiver: Receiver
) -> None:
    root = make_repo(tmp_path, receiver.url, NO_OLD)
    head = git(root, "rev-parse", "--short=7", "HEAD").strip()
    git(root, "checkout", "-q", "--detach")
    said = refused(run_cli(root, "deploy", "--now", NOW))
    assert said == (
        f"this checkout is on a detached HEAD (commit {head}), not on a branch, so the ledger"
        " cannot be pushed and the next run (a fresh clone, the publish workflow) would not see"
        f" it. To fix it: switch to the branch first (git switch main), or {LOCAL}"
    )
    assert receiver.log == [] and not (root / "ledger").exists()
    assert log(root) == ["the project"]

    git(root, "switch", "-q", "main")
    first = run_cli(root, "deploy", "--now", NOW)
    assert first.returncode == 0, first.stdout + first.stderr
    other = clone(tmp_path, "other")
    second = run_cli(other, "deploy", "--now", NOW)
    assert second.returncode == 0, second.stdout + second.stderr
    assert second.stdout.splitlines()[-1] == "cmpub deploy: nothing was due"
    assert len(receiver.posts) == 2 and receiver.duplicates() == {}


def test_a_detached_head_does_not_miss_a_pause_pushed_elsewhere(
    tmp_path: Path, receiver: Receiver
) -> None:
    root = make_repo(tmp_path, receiver.url, NO_OLD)
    other = clone(tmp_path, "other")
    assert run_cli(other, "pause", "--reason", "a crisis", "--now", NOW).returncode == 0
    git(root, "checkout", "-q", "--detach")
    refused(run_cli(root, "deploy", "--now", NOW))
    assert receiver.log == []


def test_in_github_actions_the_message_says_how_to_run_the_workflow(
    tmp_path: Path, receiver: Receiver
) -> None:
    root = make_repo(tmp_path, receiver.url, NO_OLD)
    git(root, "checkout", "-q", "--detach")
    said = refused(run_cli(root, "deploy", "--now", NOW, env=cmpub_env({"GITHUB_ACTIONS": "true"})))
    assert said.endswith(
        "To fix it: in GitHub Actions, run the publish workflow on the branch (on a push to it,"
        " on its schedule, or by hand with the branch chosen, not a tag or a pull request), with"
        " actions/checkout left without 'ref:'"
    )


def test_no_push_is_the_explicit_local_choice_and_says_so(
    tmp_path: Path, receiver: Receiver
) -> None:
    root = make_repo(tmp_path, receiver.url, NO_OLD)
    git(root, "checkout", "-q", "--detach")
    result = run_cli(root, "deploy", "--now", NOW, "--no-push")
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.splitlines()[-2:] == [NOTE, "cmpub deploy: 6 published; ledger committed"]
    assert log(tmp_path / "remote.git", "main") == ["the project"]


def test_no_remote_while_the_project_pushes(tmp_path: Path, receiver: Receiver) -> None:
    root = make_repo(tmp_path, receiver.url, NO_OLD, remote=False)
    said = refused(run_cli(root, "deploy", "--now", NOW))
    assert said == (
        "this repository has no remote to push the ledger to (deploy.push is true in"
        " cmpub.yaml): add one (git remote add origin URL, then git push -u origin main), or set"
        " 'push: false' under 'deploy:' in cmpub.yaml for a project that lives only on this"
        f" computer, or {LOCAL}"
    )
    config = root / "cmpub.yaml"
    config.write_text(config.read_text().replace("push: true", "push: false"))
    git(root, "commit", "-qam", "this project lives here")
    result = run_cli(root, "deploy", "--now", NOW)
    assert result.returncode == 0, result.stdout + result.stderr
    assert (
        "note       deploy.push is false in cmpub.yaml: the ledger stays in this checkout;"
    ) in result.stdout


def test_another_branch_than_the_one_the_ledger_is_kept_on(
    tmp_path: Path, receiver: Receiver
) -> None:
    root = make_repo(tmp_path, receiver.url, NO_OLD)
    git(root, "switch", "-q", "-c", "feature")
    git(root, "push", "-q", "-u", "origin", "feature")
    said = refused(run_cli(root, "deploy", "--now", NOW))
    assert said == (
        "this checkout is on branch 'feature', but the ledger is kept on 'main' (the default"
        " branch of origin; set deploy.branch in cmpub.yaml to change it), so the next run there"
        " would not see a ledger pushed from here. Deploy from 'main' (git switch main), or"
        f" {LOCAL}"
    )
    assert receiver.log == []
    config = root / "cmpub.yaml"
    config.write_text(config.read_text().replace("deploy:\n", "deploy:\n  branch: feature\n"))
    git(root, "commit", "-qam", "publish from feature")
    result = run_cli(root, "deploy", "--now", NOW)
    assert result.returncode == 0, result.stdout + result.stderr
    assert log(tmp_path / "remote.git", "feature")[0].startswith("cmpub: published 6 posts")


def test_the_default_branch_is_the_remotes(tmp_path: Path, receiver: Receiver) -> None:
    root = make_repo(tmp_path, receiver.url, NO_OLD)
    bare = tmp_path / "remote.git"
    git(root, "push", "-q", "origin", "main:trunk")
    git(bare, "symbolic-ref", "HEAD", "refs/heads/trunk")
    said = refused(run_cli(root, "deploy", "--now", NOW))
    assert said.startswith(
        "this checkout is on branch 'main', but the ledger is kept on 'trunk' (the default"
        " branch of origin;"
    )
    trunk = clone(tmp_path, "trunk")  # a clone checks out the remote's default branch
    result = run_cli(trunk, "deploy", "--now", NOW)
    assert result.returncode == 0, result.stdout + result.stderr
    assert log(bare, "trunk")[0].startswith("cmpub: published 6 posts")


def test_a_failed_fetch_publishes_nothing(tmp_path: Path, receiver: Receiver) -> None:
    root = make_repo(tmp_path, receiver.url, NO_OLD)
    shutil.move(tmp_path / "remote.git", tmp_path / "moved.git")
    result = run_cli(root, "deploy", "--now", NOW)
    assert result.returncode == 4, result.stdout + result.stderr
    assert result.stderr.startswith(
        "cmpub: cannot fetch the ledger from origin/main, so nothing was published (a run"
        " elsewhere may have published or paused since): "
    )
    assert result.stderr.rstrip().endswith(
        "Check the network and your access to the remote, then run deploy again (or pass"
        " --no-push to publish from this checkout with a ledger that stays here)"
    )
    assert receiver.log == [] and not (root / "ledger").exists()


# ----------------------------------------------------------------------------- dirty tree


def test_uncommitted_posts_are_not_published_unless_allowed(
    tmp_path: Path, receiver: Receiver
) -> None:
    root = make_repo(tmp_path, receiver.url, NO_OLD)
    (root / "content/a.md").write_text(post("Alpha, edited", "2026-12-01 09:00"))
    (root / "content/new.md").write_text(post("New", "2026-12-01 09:15"))
    git(root, "rm", "-q", "content/future.md")
    said = refused(run_cli(root, "deploy", "--now", NOW))
    assert said == (
        "these files are not committed: content/a.md (changed), content/future.md (deleted),"
        " content/new.md (new). Deploy publishes only what is committed (what the next run and"
        " the publish workflow see): commit them, or pass --allow-dirty"
    )
    assert receiver.log == [] and not (root / "ledger").exists()

    dry = run_cli(root, "deploy", "--now", NOW, "--dry-run")
    assert dry.returncode == 0
    assert f"warning: a real run would stop here: {said}" in dry.stdout

    allowed = run_cli(root, "deploy", "--now", NOW, "--allow-dirty")
    assert allowed.returncode == 0, allowed.stdout + allowed.stderr
    assert "published  new → Webhook" in allowed.stdout
    # the ledger is committed and pushed; the person's work in progress is left as it was
    assert git(root, "status", "--porcelain") == (
        " M content/a.md\nD  content/future.md\n?? content/new.md\n"
    )


@pytest.mark.parametrize(
    "path", ["cmpub.yaml", "templates/social/default.txt.j2", "assets/banner.txt"]
)
def test_uncommitted_config_templates_or_assets_also_stop_it(
    tmp_path: Path, receiver: Receiver, path: str
) -> None:
    root = make_repo(tmp_path, receiver.url, NO_OLD)
    file = root / path
    file.parent.mkdir(parents=True, exist_ok=True)
    file.write_text(file.read_text() + "\n# changed\n" if file.exists() else "new\n")
    what = "changed" if path == "cmpub.yaml" else "new"
    said = refused(run_cli(root, "deploy", "--now", NOW))
    assert said.startswith(f"these files are not committed: {path} ({what}).")
    assert receiver.log == []


def test_the_ledger_and_other_files_do_not_count(tmp_path: Path, receiver: Receiver) -> None:
    root = make_repo(tmp_path, receiver.url, NO_OLD)
    (root / "notes.txt").write_text("call the café\n")
    (root / "content/.a.md.swp").write_text("swap\n")
    result = run_cli(root, "deploy", "--now", NOW)
    assert result.returncode == 0, result.stdout + result.stderr
    assert len(records(root)) == 6


def test_readme_command_1_on_a_fresh_clone(tmp_path: Path) -> None:
    """The README's first command deploys the demo with --no-push on a fresh clone (of the
    last commit; the code under test is this checkout's: ``-P`` keeps the clone's own copy
    of cmpub off the import path)."""
    if not (ROOT / ".git").exists():
        pytest.skip("not a git checkout")
    dest = tmp_path / "clone"
    git(tmp_path, "clone", "-q", "--no-hardlinks", str(ROOT), str(dest))
    args = "--now 2027-02-01T09:00+01:00 --include-missed --channel site --channel outbox --no-push"
    result = subprocess.run(
        [sys.executable, "-P", "-m", "cmpub", "deploy", *args.split()],
        cwd=dest,
        capture_output=True,
        text=True,
        env=cmpub_env(secret=False),
        timeout=600,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.splitlines()[-2].startswith("note       --no-push: the ledger stays")
    assert log(dest)[0].startswith("cmpub: published ")
    assert git(dest, "status", "--porcelain") == ""


@pytest.mark.parametrize(
    "workflow",
    [".github/workflows/publish.yml", "cmpub/build/scaffold/project/workflows/publish.yml"],
)
def test_the_publish_workflow_checks_out_the_branch(workflow: str) -> None:
    """actions/checkout checks out a branch (with its upstream) for a push to a branch, the
    schedule and a run by hand on a branch; a tag or a pull request would be a detached HEAD,
    which deploy refuses. The workflow must not set 'ref:' nor run on those events."""
    import yaml

    data = yaml.safe_load((ROOT / workflow).read_text(encoding="utf-8"))
    events = data[True]  # YAML 1.1 reads the key 'on' as true
    assert set(events) == {"push", "schedule", "workflow_dispatch"}
    assert set(events["push"]) <= {"branches", "paths-ignore"}
    steps = data["jobs"]["publish"]["steps"]
    checkout = next(s for s in steps if s.get("uses", "").startswith("actions/checkout@"))
    assert "ref" not in checkout.get("with", {})


def test_a_pause_on_a_detached_head_is_committed_and_says_it_was_not_pushed(
    tmp_path: Path, receiver: Receiver
) -> None:
    root = make_repo(tmp_path, receiver.url, NO_OLD)
    git(root, "checkout", "-q", "--detach")
    result = run_cli(root, "pause", "--reason", "a crisis", "--now", NOW)
    assert result.returncode == 0, result.stderr
    assert result.stderr.startswith(
        "warning: committed but not pushed: this checkout is on a detached HEAD (commit "
    )
    assert log(root)[0] == "cmpub: pause publishing (a crisis)"
    assert log(tmp_path / "remote.git", "main") == ["the project"]
