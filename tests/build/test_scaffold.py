"""cmpub init: a scaffolded project validates and builds as it is, and nothing is overwritten."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import git
import markupsafe
import pytest
import yaml
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cmpub.build.scaffold.origin import Origin, checkout_requirement, from_direct_url, installed
from cmpub.cli.app import main


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


# ----------------------------------------------------------------------------- hostile names

HOSTILE = [
    'Le "Zinc"',
    "Back\\slash \\n",
    "Soirée : café",
    "- leading dash",
    "☕ Café 🎉 日本",
    "'L'atelier'",
    "yes",
    "#1 {{ 7*7 }} {% raw %}",
    "*bold* _x_ [link](https://evil.example) <b>hi</b>",
    "  spaced  ",
]


def _init(runner: CliRunner, root: Path, name: str, *extra: str) -> Any:
    return runner.invoke(
        main,
        ["init", str(root), "--name", name, "--no-git", "--timezone", "Europe/Paris", *extra],
        catch_exceptions=False,
    )


def _front_matter(root: Path) -> dict[str, Any]:
    post = next((root / "content").rglob("index.md")).read_text(encoding="utf-8")
    return yaml.safe_load(post.split("---\n")[1])


@pytest.mark.parametrize("name", HOSTILE)
def test_init_with_a_hostile_name_validates_and_builds(
    name: str, tmp_path: Path, runner: CliRunner
) -> None:
    root = tmp_path / "shop"
    result = _init(runner, root, name, "--channels", "site,bluesky,mastodon,x,linkedin")
    assert result.exit_code == 0, result.output
    config = yaml.safe_load((root / "cmpub.yaml").read_text(encoding="utf-8"))
    assert config["site"]["title"] == config["brand"]["name"] == name.strip()
    assert config["channels"]["linkedin"] == {"name": name.strip()}
    assert _front_matter(root)["title"] == f"Hello from {name.strip()}"
    checked = runner.invoke(main, ["validate", str(root)])
    assert checked.exit_code == 0 and "0 errors, 0 warnings" in checked.output, checked.output
    built = runner.invoke(main, ["build", str(root)])
    assert built.exit_code == 0, built.output
    manifest = json.loads((root / "dist/manifest.json").read_text(encoding="utf-8"))
    titles = {v["title"] for v in manifest["variants"]}
    assert titles == {f"Hello from {name.strip()}"}
    home = (root / "dist/index.html").read_text(encoding="utf-8")
    assert f"<title>{markupsafe.escape(name.strip())}" in home
    assert "<b>hi</b>" not in home and 'href="https://evil.example"' not in home


#: Any one-line name: letters, marks, symbols, punctuation, spaces, format characters.
_NAMES = st.text(
    st.characters(exclude_categories=("Cc", "Cs", "Zl", "Zp")), min_size=1, max_size=40
).filter(str.strip)


@given(name=_NAMES)
@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
def test_init_with_any_one_line_name_validates_and_builds(name: str, tmp_path: Path) -> None:
    runner = CliRunner()
    with tempfile.TemporaryDirectory(dir=tmp_path) as where:
        root = Path(where) / "shop"
        result = _init(runner, root, name, "--channels", "site,bluesky,mastodon,linkedin")
        assert result.exit_code == 0, result.output
        config = yaml.safe_load((root / "cmpub.yaml").read_text(encoding="utf-8"))
        assert config["brand"]["name"] == name.strip()
        assert _front_matter(root)["title"] == f"Hello from {name.strip()}"
        checked = runner.invoke(main, ["validate", str(root)])
        assert checked.exit_code == 0 and "0 errors" in checked.output, checked.output
        built = runner.invoke(main, ["build", str(root), "--no-images"])
        assert built.exit_code == 0, built.output


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("Le\nZinc", "--name has a line break: write the brand's name on one line"),
        ("Le\u2028Zinc", "--name has a line break: write the brand's name on one line"),
        ("Le\x1b[31mZinc", "--name has the control '\\x1b': write the brand's name on one line"),
        ("   ", "--name is empty: write the brand's name, e.g. --name 'Le Zinc'"),
        ("x" * 101, "--name is 101 characters long: a brand's name has at most 100"),
    ],
)
def test_init_refuses_a_name_that_is_not_one_line(
    name: str, message: str, tmp_path: Path, runner: CliRunner
) -> None:
    result = _init(runner, tmp_path / "shop", name)
    assert result.exit_code == 2
    assert result.output == f"cmpub: {message}\n"
    assert not (tmp_path / "shop").exists()


# ----------------------------------------------------------------------------- where init writes


def test_init_onto_an_existing_file_is_a_usage_error(tmp_path: Path, runner: CliRunner) -> None:
    readme = tmp_path / "README.md"
    readme.write_text("mine\n")
    for target in (readme, readme / "shop"):
        result = runner.invoke(main, ["init", str(target)], catch_exceptions=False)
        assert result.exit_code == 2, result.output
        assert result.output == (
            f"cmpub: {readme} is a file, not a folder: give `cmpub init` a folder to create "
            "the project in (a new name such as `cmpub init my-brand`, or `.` for this folder)\n"
        )
    assert readme.read_text() == "mine\n" and sorted(tmp_path.iterdir()) == [readme]


def test_init_never_writes_through_a_link_or_onto_a_folder(
    tmp_path: Path, runner: CliRunner
) -> None:
    root = tmp_path / "shop"
    (root / "cmpub.yaml").mkdir(parents=True)
    outside = tmp_path / "outside.md"
    outside.write_text("someone else's\n")
    (root / "README.md").symlink_to(outside)
    (root / "ledger").write_text("a file where init makes a folder\n")
    result = runner.invoke(main, ["init", str(root), "--force"], catch_exceptions=False)
    assert result.exit_code == 2
    assert result.output == (
        f"cmpub: {root}: README.md is a symbolic link (cmpub init does not write through it); "
        "cmpub.yaml is a folder where a file must go; ledger is a file where a folder must go; "
        "nothing was written (move it away first)\n"
    )
    assert outside.read_text() == "someone else's\n"
    assert sorted(p.name for p in root.iterdir()) == ["README.md", "cmpub.yaml", "ledger"]


# ----------------------------------------------------------------------------- the cmpub it installs


def test_init_writes_the_cmpub_spec_it_is_given(tmp_path: Path, runner: CliRunner) -> None:
    spec = "cmpub @ git+https://github.com/acme/cmpub@0123456789abcdef0123456789abcdef01234567"
    result = runner.invoke(main, ["init", str(tmp_path / "shop"), "--no-git", "--cmpub-spec", spec])
    assert result.exit_code == 0, result.output
    assert f"Its workflows install {spec} (requirements.txt).\n" in result.output
    assert "warning" not in result.output
    lines = (tmp_path / "shop/requirements.txt").read_text().splitlines()
    assert lines[-1] == spec and all(line.startswith("#") for line in lines[:-1])
    readme = (tmp_path / "shop/README.md").read_text()
    assert "pip install -r requirements.txt" in readme and "pip install cmpub" not in readme
    bare = runner.invoke(main, ["init", str(tmp_path / "b"), "--no-git", "--cmpub-spec", "https://files.example/cmpub-0.2.0-py3-none-any.whl"])  # fmt: skip
    assert "Its workflows install cmpub @ https://files.example/cmpub-0.2.0-py3-none-any.whl" in (
        bare.output
    )


def test_init_refuses_a_spec_that_is_not_cmpub(tmp_path: Path, runner: CliRunner) -> None:
    for spec in ("requests==2.0", "--index-url https://evil.example", "cmpub==1\nrequests"):
        result = runner.invoke(main, ["init", str(tmp_path / "shop"), "--cmpub-spec", spec])
        assert result.exit_code == 2
        assert "is not a pip requirement for cmpub (write one line such as" in result.output
        assert not (tmp_path / "shop").exists()


def test_an_unreachable_install_is_named_in_a_warning(tmp_path: Path, runner: CliRunner) -> None:
    """Here cmpub is ``pip install -e .`` of this checkout (release.yml: a wheel file): a
    folder or a file on this computer, which a workflow cannot reach."""
    origin = installed()
    assert not origin.reachable and origin.requirement.startswith("cmpub @ file://")
    path = unquote(urlsplit(origin.requirement.split(" @ ")[1]).path)
    assert origin.where in (
        f"the folder {path} on this computer",
        f"the file {path} on this computer",
    )
    result = runner.invoke(main, ["init", str(tmp_path / "shop"), "--no-git"])
    assert result.exit_code == 0, result.output
    assert result.stderr.startswith(
        f"warning: cmpub is installed from {origin.where}, which the "
        f"GitHub workflows cannot reach: requirements.txt says '{origin.requirement}', so the "
        "project installs cmpub on this computer but its workflows fail on GitHub. Write where "
        "GitHub can install cmpub from in requirements.txt, or run `cmpub init` again with "
        "--force and --cmpub-spec, for example:\n"
    )
    assert "  --cmpub-spec 'cmpub @ git+https://github.com/OWNER/cmpub@COMMIT'" in result.stderr
    written = (tmp_path / "shop/requirements.txt").read_text().splitlines()[-1]
    assert written == origin.requirement


@pytest.mark.parametrize(
    ("record", "requirement", "reachable"),
    [
        (
            {"url": "https://github.com/acme/cmpub.git", "vcs_info": {"vcs": "git", "commit_id": "a1" * 20, "requested_revision": "v0.1.0"}},
            f"cmpub @ git+https://github.com/acme/cmpub.git@{'a1' * 20}",
            True,
        ),
        (
            {"url": "https://user:s3cret@files.example/cmpub-0.1.0-py3-none-any.whl", "archive_info": {"hashes": {"sha256": "ab12"}}},
            "cmpub @ https://files.example/cmpub-0.1.0-py3-none-any.whl#sha256=ab12",
            True,
        ),
        (
            {"url": "https://files.example/cmpub-0.1.0.tar.gz", "archive_info": {"hash": "sha256=cd34"}},
            "cmpub @ https://files.example/cmpub-0.1.0.tar.gz#sha256=cd34",
            True,
        ),
        (
            {"url": "file:///home/me/cmpub-0.1.0-py3-none-any.whl", "archive_info": {}},
            "cmpub @ file:///home/me/cmpub-0.1.0-py3-none-any.whl",
            False,
        ),
        (
            {"url": "ssh://git@github.com/acme/cmpub.git", "vcs_info": {"vcs": "git", "commit_id": "b2" * 20}},
            f"cmpub @ git+ssh://git@github.com/acme/cmpub.git@{'b2' * 20}",
            False,
        ),
        (
            {"url": "file:///home/me/src/cmpub", "dir_info": {"editable": True}},
            "cmpub @ file:///home/me/src/cmpub",
            False,
        ),
        (
            {"url": "https://github.com/acme/mono.git", "subdirectory": "py/cmpub", "vcs_info": {"vcs": "git", "commit_id": "c3" * 20}},
            f"cmpub @ git+https://github.com/acme/mono.git@{'c3' * 20}#subdirectory=py/cmpub",
            True,
        ),
    ],
    ids=["git", "wheel-url", "sdist-legacy-hash", "local-wheel", "ssh", "folder", "subdirectory"],
)  # fmt: skip
def test_the_requirement_follows_pep_610(
    record: dict[str, Any], requirement: str, reachable: bool
) -> None:
    origin = from_direct_url(record)
    assert (origin.requirement, origin.reachable) == (requirement, reachable)
    assert "s3cret" not in origin.requirement


def test_a_git_checkout_suggests_its_remote_and_commit(tmp_path: Path) -> None:
    repo = git.Repo.init(tmp_path / "cmpub")
    repo.create_remote("origin", "git@github.com:acme/cmpub.git")
    actor = git.Actor("t", "t@example.com")
    head = repo.index.commit("x", author=actor, committer=actor).hexsha
    guess = checkout_requirement((tmp_path / "cmpub").as_uri())
    assert guess == f"cmpub @ git+https://github.com/acme/cmpub.git@{head}"
    assert checkout_requirement((tmp_path / "elsewhere").as_uri()) == ""
    origin = Origin("cmpub @ file:///x", False, "the folder /x on this computer", guess)
    assert f"  --cmpub-spec '{guess}'  this checkout's remote and commit, once pushed\n" in (
        origin.advice()
    )
