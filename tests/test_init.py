"""cmpub init: a scaffolded project validates and builds as it is, and nothing is overwritten."""

from __future__ import annotations

from pathlib import Path

import git
from click.testing import CliRunner

from cmpub.cli import main


def test_init_scaffolds_a_project_that_validates_and_builds(
    tmp_path: Path, runner: CliRunner
) -> None:
    root = tmp_path / "shop"
    result = runner.invoke(
        main,
        [
            "init",
            str(root),
            "--name",
            "Épicerie Lune",
            "--channels",
            "site,bluesky,mastodon,x,instagram",
            "--timezone",
            "Europe/Paris",
        ],
    )
    assert result.exit_code == 0, result.output
    assert (root / "cmpub.yaml").is_file() and (root / ".github/workflows/publish.yml").is_file()
    repo = git.Repo(root)
    assert not repo.is_dirty(untracked_files=True)
    assert repo.head.commit.message == "Start a cmpub content project"
    assert runner.invoke(main, ["validate", str(root)]).exit_code == 0
    built = runner.invoke(main, ["build", str(root)])
    assert built.exit_code == 0, built.output
    assert (root / "dist/manifest.json").is_file()
    readme = (root / "README.md").read_text()
    assert "CMPUB_BLUESKY_APP_PASSWORD" in readme and "Pages" in readme


def test_init_refuses_to_overwrite_without_force(tmp_path: Path, runner: CliRunner) -> None:
    root = tmp_path / "shop"
    root.mkdir()
    (root / "cmpub.yaml").write_text("mine\n")
    result = runner.invoke(main, ["init", str(root), "--no-git"])
    assert result.exit_code == 2
    assert "already has cmpub.yaml" in result.output and "--force" in result.output
    assert (root / "cmpub.yaml").read_text() == "mine\n"
    assert not (root / "content").exists()
    assert runner.invoke(main, ["init", str(root), "--no-git", "--force"]).exit_code == 0
    assert (root / "cmpub.yaml").read_text() != "mine\n"


def test_init_rejects_unknown_channels_and_zones(tmp_path: Path, runner: CliRunner) -> None:
    result = runner.invoke(main, ["init", str(tmp_path / "a"), "--channels", "site,twiter"])
    assert result.exit_code == 2 and "unknown channel 'twiter' (did you mean 'x'?)" in result.output
    result = runner.invoke(main, ["init", str(tmp_path / "b"), "--timezone", "Europe/Pariss"])
    assert result.exit_code == 2 and "did you mean 'Europe/Paris'?" in result.output
    assert not (tmp_path / "a").exists() and not (tmp_path / "b").exists()


def test_a_scaffolded_project_passes_deploy_dry_run(tmp_path: Path, runner: CliRunner) -> None:
    root = tmp_path / "shop"
    assert runner.invoke(main, ["init", str(root), "--timezone", "Europe/Paris"]).exit_code == 0
    post = next((root / "content").rglob("index.md"))
    day = post.read_text().split("date: ")[1][:10]
    env = {
        "CMPUB_BLUESKY_APP_PASSWORD": "xxxx-xxxx-xxxx-xxxx",
        "CMPUB_MASTODON_ACCESS_TOKEN": "token-1234",
    }
    result = runner.invoke(
        main, ["deploy", str(root), "--dry-run", "--now", f"{day}T10:00+01:00"], env=env
    )
    assert result.exit_code == 0, result.output
    assert (
        "Would publish: 3" in result.output
        and "nothing is sent, written or committed" in result.output
    )
    assert "xxxx-xxxx" not in result.output and "token-1234" not in result.output
    assert not git.Repo(root).is_dirty(untracked_files=True)
    without = runner.invoke(main, ["deploy", str(root), "--dry-run", "--now", f"{day}T10:00+01:00"])
    assert "set the environment variable CMPUB_BLUESKY_APP_PASSWORD" in without.output
