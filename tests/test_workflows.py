"""The GitHub workflows: schema-valid, pinned, least privilege, and their run: steps really run."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from cmpub.build.scaffold import PROJECT, WORKFLOWS, plan, write
from cmpub.build.scaffold.origin import Origin
from cmpub.cli.app import github_annotation
from cmpub.model.errors import error, warning

ROOT = Path(__file__).resolve().parent.parent
PACKAGED = PROJECT / "workflows"  # the installed package's (the wheel's, in release.yml)
REPO = ROOT / ".github" / "workflows"
BIN = Path(sys.executable).parent
#: What a scaffolded project installs in these tests (their install step is skipped).
SPEC = Origin("cmpub==0.1.0")


def _load(path: Path) -> dict[Any, Any]:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def _all() -> list[Path]:
    return sorted(REPO.glob("*.yml")) + sorted(PACKAGED.glob("*.yml"))


def test_workflows_match_the_github_schema(tmp_path: Path) -> None:
    root = tmp_path / "p"
    write(plan(root, "Lint Shop", ["site", "bluesky"], "Europe/Paris", _now(), SPEC), git=False)
    files = [*map(str, _all()), *map(str, sorted((root / ".github/workflows").glob("*.yml")))]
    checker = shutil.which("check-jsonschema", path=str(BIN)) or shutil.which("check-jsonschema")
    assert checker, "check-jsonschema is in the test extra"
    out = subprocess.run(
        [checker, "--builtin-schema", "vendor.github-workflows", *files],
        capture_output=True,
        text=True,
    )
    assert out.returncode == 0, out.stdout + out.stderr


def test_the_repository_runs_the_workflows_it_ships() -> None:
    for name in WORKFLOWS:
        assert (REPO / name).read_bytes() == (PACKAGED / name).read_bytes(), name
    assert "bash .ci/run" in (REPO / "ci.yml").read_text()


def test_ci_runs_the_readme_test_command_exactly() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    command = readme.split("# 2. Install and run the whole test suite", 1)[1].splitlines()[1]
    assert command == (
        "python3 -m venv .venv && .venv/bin/pip install -e '.[test]' && bash tests/run.sh"
    )
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    assert command in ci
    run = (ROOT / "tests" / "run.sh").read_text(encoding="utf-8")
    assert "export CMPUB_REQUIRE_TOOLS=1" in run and '"$status" -eq 5' in run


def test_a_project_installs_cmpub_from_its_requirements_file() -> None:
    for name in ("validate.yml", "publish.yml"):
        steps = _load(PACKAGED / name)["jobs"][name.removesuffix(".yml")]["steps"]
        install = next(step for step in steps if step.get("id") == "install")
        assert "pip install -r requirements.txt" in install["run"], name
        assert "cmpub==" not in (PACKAGED / name).read_text(), name
    validate = _load(PACKAGED / "validate.yml")
    assert "requirements.txt" in validate[True]["pull_request"]["paths"]


def test_release_builds_tests_the_wheel_and_publishes_with_trusted_publishing() -> None:
    release = _load(REPO / "release.yml")
    assert release[True]["push"] == {"tags": ["v*"]}
    jobs = release["jobs"]
    assert jobs["test-wheel"]["needs"] == "build"
    assert jobs["publish"]["needs"] == ["build", "test-wheel"]
    assert jobs["publish"]["if"] == "${{ startsWith(github.ref, 'refs/tags/v') }}"
    assert jobs["publish"]["permissions"] == {"id-token": "write"}
    assert jobs["publish"]["environment"]["name"] == "pypi"
    uses = [step.get("uses", "") for step in jobs["publish"]["steps"]]
    assert any(u.startswith("pypa/gh-action-pypi-publish@") for u in uses)
    assert all("password" not in step.get("with", {}) for step in jobs["publish"]["steps"])
    build = "\n".join(step.get("run", "") for step in jobs["build"]["steps"])
    assert "python -m build" in build and "the tag $TAG does not match the version" in build
    tested = "\n".join(step.get("run", "") for step in jobs["test-wheel"]["steps"])
    for needed in ("python -m venv", "cmpub init", "cmpub validate", "cmpub build", "rm -rf cmpub"):
        assert needed in tested, needed
    assert "bash tests/run.sh" in tested


def test_actions_are_pinned_to_commits_and_permissions_are_least() -> None:
    for path in _all():
        data = _load(path)
        assert data["permissions"] == {"contents": "read"}, path.name
        for job in data["jobs"].values():
            assert "permissions" in job or path.name == "ci.yml", path.name
            for step in job.get("steps", []):
                if "uses" in step:
                    assert re.fullmatch(r"[\w.-]+/[\w.-]+@[0-9a-f]{40}", step["uses"]), step["uses"]
    publish = _load(PACKAGED / "publish.yml")
    assert publish["concurrency"] == {"group": "cmpub-publish", "cancel-in-progress": False}
    assert publish[True]["schedule"] == [{"cron": "*/15 * * * *"}]  # YAML 1.1 reads `on` as True
    assert "ledger/**" in publish[True]["push"]["paths-ignore"]
    text = (PACKAGED / "publish.yml").read_text()
    for secret in ("CMPUB_BLUESKY_APP_PASSWORD", "CMPUB_MASTODON_ACCESS_TOKEN"):
        assert f"{secret}: ${{{{ secrets.{secret} }}}}" in text
    assert "echo" not in text.split("Publish what is due")[1].split("Upload")[0]


def test_github_annotation_format() -> None:
    p = error("content/a b.md", 7, 3, "x.too-long", "X: 300/280, over: 20", "shorten it, or split")
    assert github_annotation(p) == (
        "::error file=content/a b.md,line=7,col=3,title=x.too-long::X: 300/280, over: 20 (shorten it, or split)"
    )
    w = warning("cmpub.yaml", 0, 0, "plan.gap", "100% silent\nfor days")
    assert (
        github_annotation(w) == "::warning file=cmpub.yaml,title=plan.gap::100%25 silent%0Afor days"
    )


# ----------------------------------------------------------------------------- run: steps, locally


def _now():
    from datetime import UTC, datetime

    return datetime(2026, 11, 30, 8, tzinfo=UTC)


_EXPR = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")


def _expr(text: str, context: dict[str, Any]) -> str:
    def value(m: re.Match[str]) -> str:
        node: Any = context
        for part in m.group(1).split("."):
            node = node.get(part, "") if isinstance(node, dict) else ""
        return str(node)

    return _EXPR.sub(value, text)


def run_job(
    workflow: Path,
    job: str,
    cwd: Path,
    env: dict[str, str],
    context: dict[str, Any],
    skip: tuple[str, ...] = ("install",),
) -> list[subprocess.CompletedProcess[str]]:
    """Run a job's `run:` steps as GitHub would (bash -e, env, step outputs), skipping installs."""
    results = []
    failed = False
    for step in _load(workflow)["jobs"][job]["steps"]:
        if "run" not in step or step.get("id") in skip:
            continue
        if failed and "!cancelled()" not in str(step.get("if", "")):
            continue  # GitHub skips steps after a failure unless their `if` says otherwise
        step_env = {k: _expr(str(v), context) for k, v in (step.get("env") or {}).items()}
        proc = subprocess.run(
            ["bash", "-e", "-o", "pipefail", "-c", step["run"]],
            cwd=cwd,
            env={**env, **step_env},
            capture_output=True,
            text=True,
        )
        results.append(proc)
        failed = failed or proc.returncode != 0
    return results


def runner_env(temp: Path, path: str, event: str, **extra: str) -> dict[str, str]:
    """The environment GitHub gives a job's steps (never the developer's CMPUB_* variables)."""
    return {
        **{k: v for k, v in os.environ.items() if not k.startswith("CMPUB_")},
        "PATH": path,
        "GITHUB_ACTIONS": "true",
        "CI": "true",
        "GITHUB_EVENT_NAME": event,
        "GITHUB_STEP_SUMMARY": str(temp / "summary.md"),
        "RUNNER_TEMP": str(temp),
        **extra,
    }


def open_pull_request(
    root: Path, temp: Path, path: str = f"{BIN}{os.pathsep}{os.environ['PATH']}"
) -> tuple[dict[str, str], dict[str, Any]]:
    """Commit a new post on top of the project's first commit, as a pull request would;
    return the environment and the expression context of a ``pull_request`` run."""
    base_sha = subprocess.run(
        ["git", "rev-parse", "HEAD"], cwd=root, capture_output=True, text=True, check=True
    ).stdout.strip()
    post = root / "content/2026/12/sale.md"
    post.parent.mkdir(parents=True, exist_ok=True)
    post.write_text(
        "---\nid: sale\ntitle: Winter sale\ndate: 2026-12-05 10:00\n"
        'summary: "Everything -20% this weekend!"\n---\nCome and see.\n',
        encoding="utf-8",
    )
    subprocess.run(["git", "add", "-A"], cwd=root, check=True)
    subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "sale"],
        cwd=root,
        check=True,
    )
    temp.mkdir()
    event = {
        "pull_request": {
            "number": 7,
            "base": {"sha": base_sha},
            "head": {"repo": {"full_name": "o/shop"}},
        },
        "repository": {"full_name": "o/shop"},
    }
    (temp / "event.json").write_text(json.dumps(event))
    env = runner_env(
        temp,
        path,
        "pull_request",
        GITHUB_EVENT_PATH=str(temp / "event.json"),
        GITHUB_OUTPUT=str(temp / "output"),
        GITHUB_WORKSPACE=str(root),
    )
    context = {
        "github": {"event": event},
        "steps": {
            "artifact": {
                "outputs": {"artifact-url": "https://github.com/o/shop/actions/runs/1/artifacts/2"}
            }
        },
    }
    return env, context


def push_to_a_remote(
    root: Path, base: Path, now: str, path: str = f"{BIN}{os.pathsep}{os.environ['PATH']}"
) -> tuple[dict[str, str], dict[str, Any]]:
    """Give the project a bare ``origin`` and make its publish workflow deploy at ``now``;
    return the environment and the expression context of a scheduled run (no secret set)."""
    remote = base / "remote.git"
    subprocess.run(["git", "init", "-q", "--bare", str(remote)], check=True)
    subprocess.run(["git", "remote", "add", "origin", str(remote)], cwd=root, check=True)
    subprocess.run(["git", "push", "-q", "origin", "main"], cwd=root, check=True)
    temp = base / "runner"
    temp.mkdir()
    env = runner_env(temp, path, "schedule")
    workflow = root / ".github/workflows/publish.yml"
    text = workflow.read_text().replace("run: cmpub deploy", f"run: cmpub deploy --now {now}")
    workflow.write_text(text)
    return env, {"secrets": {}}  # no secret configured: the variables are empty, as on GitHub


def published_site(root: Path, temp: Path) -> set[str]:
    """Check the scheduled run pushed its ledger; the files of the site it exported."""
    log = subprocess.run(
        ["git", "log", "--format=%s", "origin/main"], cwd=root, capture_output=True, text=True
    ).stdout
    assert "[skip ci]" in log
    return {
        p.relative_to(temp / "site").as_posix() for p in (temp / "site").rglob("*") if p.is_file()
    }


@pytest.fixture
def pull_request(tmp_path: Path) -> tuple[Path, dict[str, str], dict[str, Any]]:
    root = tmp_path / "shop"
    channels = ["site", "bluesky", "mastodon", "x"]
    write(plan(root, "Lint Shop", channels, "Europe/Paris", _now(), SPEC))
    env, context = open_pull_request(root, tmp_path / "runner")
    return root, env, context


def test_the_validate_workflow_runs_on_a_pull_request(
    pull_request: tuple[Path, dict[str, str], dict[str, Any]],
) -> None:
    root, env, context = pull_request
    runs = run_job(root / ".github/workflows/validate.yml", "validate", root, env, context)
    assert [r.returncode for r in runs] == [0, 0, 0, 0], [r.stderr for r in runs]
    review = (Path(env["RUNNER_TEMP"]) / "review.md").read_text()
    assert review.startswith("<!-- cmpub-review -->")
    assert "### New (4)" in review and "Winter sale" in review
    assert "Hello from Lint Shop" not in review  # unchanged by the pull request
    assert "https://github.com/o/shop/actions/runs/1/artifacts/2" in review


def test_the_validate_workflow_annotates_a_broken_post(
    pull_request: tuple[Path, dict[str, str], dict[str, Any]],
) -> None:
    root, env, context = pull_request
    post = root / "content/2026/12/sale.md"
    post.write_text(post.read_text().replace("summary:", "sumary:"))
    runs = run_job(root / ".github/workflows/validate.yml", "validate", root, env, context)
    assert runs[0].returncode == 1
    assert runs[0].stdout.startswith(
        "::error file=content/2026/12/sale.md,line=5,col=1,title=schema.unknown-key::"
    )
    review = (Path(env["RUNNER_TEMP"]) / "review.md").read_text()
    assert "❌ **1 error(s)**" in review and "did you mean 'summary'?" in review


def test_the_publish_workflow_runs_deploy_and_exports_the_site(tmp_path: Path) -> None:
    root = tmp_path / "shop"
    write(plan(root, "Lint Shop", ["site", "outbox"], "Europe/Paris", _now(), SPEC))
    # the first post is dated the day after `init` at 09:30; the scheduled run comes at 10:00
    env, context = push_to_a_remote(root, tmp_path, "2026-12-01T10:00+01:00")
    runs = run_job(root / ".github/workflows/publish.yml", "publish", root, env, context)
    assert [r.returncode for r in runs] == [0, 0, 0], [r.stdout + r.stderr for r in runs]
    summary = (tmp_path / "runner" / "summary.md").read_text()
    assert "Hello from Lint Shop" in summary
    site = published_site(root, tmp_path / "runner")
    assert "index.html" in site and "welcome/index.html" in site and "manifest.json" not in site


def test_the_keepalive_workflow_reenables_the_schedule(tmp_path: Path) -> None:
    fake = tmp_path / "bin"
    fake.mkdir()
    (fake / "gh").write_text('#!/bin/sh\necho "$@" >> "$GH_LOG"\n')
    (fake / "gh").chmod(0o755)
    env = {
        **os.environ,
        "PATH": f"{fake}{os.pathsep}{os.environ['PATH']}",
        "GH_LOG": str(tmp_path / "gh.log"),
    }
    runs = run_job(
        PACKAGED / "keepalive.yml",
        "keepalive",
        tmp_path,
        env,
        {"github": {"token": "t", "repository": "o/r"}},
    )
    assert [r.returncode for r in runs] == [0]
    assert (tmp_path / "gh.log").read_text() == "workflow enable publish.yml\n"
