"""The release: what the sdist and the wheel hold, one version, and the issue's "done when": a
brand repository made by ``cmpub init`` from the wheel installs it and passes its own workflows'
steps.

The sdist and the wheel are built here with ``python -m build --no-isolation`` (the test extra
has ``build`` and ``setuptools``: no network), or taken from ``CMPUB_TEST_DIST`` (release.yml
passes the ``dist/`` it built and tests). Each environment below is a fresh venv into which pip
installs the wheel for real, with no package index (``PIP_NO_INDEX``): the wheel's dependencies
are resolved against this test environment's own copies, seen through a ``.pth`` file, because a
test must not download them (release.yml installs them from PyPI into a truly clean venv).
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import sysconfig
import tarfile
import tomllib
import zipfile
from pathlib import Path

import pytest

import cmpub
from tests.test_workflows import open_pull_request, published_site, push_to_a_remote, run_job

ROOT = Path(__file__).resolve().parent.parent
#: Read at import (the autouse ``clean_environ`` fixture removes CMPUB_* variables per test).
GIVEN_DIST = os.environ.get("CMPUB_TEST_DIST")
#: What a venv must not see from the test environment: cmpub itself (the wheel provides it).
_NOT_SHARED = ("cmpub", "__editable__", "_distutils_hack", "distutils-precedence.pth")


@pytest.fixture(scope="session")
def dist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder with the sdist and the wheel of this checkout."""
    if GIVEN_DIST:
        return Path(GIVEN_DIST)
    out = tmp_path_factory.mktemp("dist")
    done = subprocess.run(
        [sys.executable, "-m", "build", "--no-isolation", "--outdir", str(out), str(ROOT)],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-4000:]
    return out


def _one(folder: Path, pattern: str) -> Path:
    found = sorted(folder.glob(pattern))
    assert len(found) == 1, found
    return found[0]


def _tracked(*paths: str) -> set[str]:
    out = subprocess.run(
        ["git", "ls-files", "-z", *paths], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout
    return {p for p in out.split("\0") if p}


def test_the_wheel_holds_the_whole_package_with_its_data(dist: Path) -> None:
    with zipfile.ZipFile(_one(dist, "*.whl")) as wheel:
        names = {n for n in wheel.namelist() if not n.startswith("cmpub-")}
    assert names == _tracked("cmpub")  # theme, platform data, the project scaffold, py.typed


def test_the_sdist_holds_everything_the_wheel_and_the_tests_need(dist: Path) -> None:
    with tarfile.open(_one(dist, "*.tar.gz")) as sdist:
        names = {m.name.split("/", 1)[1] for m in sdist.getmembers() if m.isfile()}
    assert _tracked() <= names  # the package, the demo brand, the tests, fonts and images
    assert not [n for n in names if "node_modules" in n or "__pycache__" in n]


def test_the_version_is_written_once(dist: Path) -> None:
    version = cmpub.__version__
    assert _one(dist, "*.whl").name == f"cmpub-{version}-py3-none-any.whl"
    assert _one(dist, "*.tar.gz").name == f"cmpub-{version}.tar.gz"
    with zipfile.ZipFile(_one(dist, "*.whl")) as wheel:
        metadata = wheel.read(f"cmpub-{version}.dist-info/METADATA").decode()
    assert f"\nVersion: {version}\n" in metadata
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert "version" not in pyproject["project"] and "version" in pyproject["project"]["dynamic"]
    assert pyproject["tool"]["setuptools"]["dynamic"]["version"] == {"attr": "cmpub.__version__"}
    changelog = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    assert "\n## [Unreleased]\n" in changelog and f"\n## [{version}] - " in changelog


# ----------------------------------------------------------------------------- the done-when


def _shared_packages(tmp: Path) -> Path:
    """A folder that shows the test environment's packages, cmpub excepted."""
    shared = tmp / "shared-packages"
    shared.mkdir()
    for entry in sorted(Path(sysconfig.get_paths()["purelib"]).iterdir()):
        if not entry.name.startswith(_NOT_SHARED) and entry.suffix != ".pth":
            (shared / entry.name).symlink_to(entry)
    return shared


def _venv(path: Path, shared: Path) -> Path:
    """A fresh venv that sees ``shared`` (after its own site-packages) and has ``pip``."""
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(path)], check=True)
    site = Path(
        subprocess.run(
            [
                path / "bin" / "python",
                "-c",
                "import sysconfig; print(sysconfig.get_paths()['purelib'])",
            ],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    )
    (site / "_cmpub_test_shared.pth").write_text(f"{shared}\n", encoding="utf-8")
    pip = path / "bin" / "pip"  # the pip of the test environment, installing into this venv
    pip.write_text(
        f"#!{path / 'bin' / 'python'}\nimport sys\nfrom pip._internal.cli.main import main\n"
        "sys.exit(main())\n",
        encoding="utf-8",
    )
    pip.chmod(0o755)
    return path / "bin"


def _env(bin_dir: Path) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("CMPUB_", "PIP_", "PYTHON", "VIRTUAL_ENV"))
    }
    env.update(
        PATH=f"{bin_dir}{os.pathsep}/usr/local/bin{os.pathsep}/usr/bin{os.pathsep}/bin",
        PIP_NO_INDEX="1",
        PIP_DISABLE_PIP_VERSION_CHECK="1",
        PIP_NO_CACHE_DIR="1",
    )
    return env


def _run(bin_dir: Path, *args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(bin_dir / args[0]), *args[1:]],
        cwd=cwd,
        env=_env(bin_dir),
        capture_output=True,
        text=True,
    )


def test_a_project_made_from_the_wheel_installs_it_and_passes_its_workflows(
    dist: Path, tmp_path: Path
) -> None:
    wheel = _one(dist, "*.whl")
    shared = _shared_packages(tmp_path)
    tool = _venv(tmp_path / "venv", shared)
    installed = _run(tool, "pip", "install", str(wheel), cwd=tmp_path)
    assert installed.returncode == 0, installed.stdout + installed.stderr
    assert f"Successfully installed cmpub-{cmpub.__version__}" in installed.stdout
    version = _run(tool, "cmpub", "--version", cwd=tmp_path)
    assert version.stdout == f"cmpub, version {cmpub.__version__}\n"
    where = _run(tool, "python", "-c", "import cmpub; print(cmpub.__file__)", cwd=tmp_path)
    assert where.stdout.startswith(str(tmp_path / "venv")), where.stdout

    # by default the project installs cmpub the way it was installed: this wheel file (PEP 610)
    plain = _run(tool, "cmpub", "init", str(tmp_path / "plain"), "--no-git", cwd=tmp_path)
    assert plain.returncode == 0, plain.stdout + plain.stderr
    digest = hashlib.sha256(wheel.read_bytes()).hexdigest()
    written = (tmp_path / "plain/requirements.txt").read_text(encoding="utf-8").splitlines()[-1]
    assert written == f"cmpub @ {wheel.as_uri()}#sha256={digest}"
    assert f"warning: cmpub is installed from the file {wheel} on this computer" in plain.stderr

    # a brand repository for pull requests, and one that publishes (no secret needed)
    made = {}
    brands = [
        ("shop", 'Le "Zinc" ☕', "site,bluesky,mastodon,x"),
        ("out", "Lint Shop", "site,outbox"),
    ]
    for folder, name, channels in brands:
        root = tmp_path / folder
        init = _run(
            tool, "cmpub", "init", str(root), "--name", name, "--channels", channels,
            "--timezone", "Europe/Paris", "--cmpub-spec", str(wheel), cwd=tmp_path,
        )  # fmt: skip
        assert init.returncode == 0, init.stdout + init.stderr
        assert f"Its workflows install cmpub @ {wheel.as_uri()} (requirements.txt)." in init.stdout
        assert init.stderr.startswith(
            f"warning: cmpub is installed from the file {wheel} on this computer, which the "
            "GitHub workflows cannot reach"
        )
        requirements = (root / "requirements.txt").read_text(encoding="utf-8").splitlines()
        assert requirements[-1] == f"cmpub @ {wheel.as_uri()}"
        made[folder] = root

    # validate.yml on a pull request, in a runner that has no cmpub until its install step
    root = made["shop"]
    runner = _venv(tmp_path / "runner-validate", shared)
    env, context = open_pull_request(root, tmp_path / "temp-validate", _env(runner)["PATH"])
    env.update({k: v for k, v in _env(runner).items() if k.startswith("PIP_")})
    runs = run_job(root / ".github/workflows/validate.yml", "validate", root, env, context, skip=())
    assert [r.returncode for r in runs] == [0] * 5, [r.stdout[-2000:] + r.stderr for r in runs]
    assert f"Successfully installed cmpub-{cmpub.__version__}" in runs[0].stdout
    review = (tmp_path / "temp-validate" / "review.md").read_text(encoding="utf-8")
    assert "### New (4)" in review and "Winter sale" in review

    # publish.yml on a schedule, in a fresh runner: deploy, ledger pushed, site exported
    root = made["out"]
    runner = _venv(tmp_path / "runner-publish", shared)
    post = next((root / "content").rglob("index.md")).read_text(encoding="utf-8")
    day = post.split("\ndate: ", 1)[1][:10]  # the day after `init`, at 09:30
    env, context = push_to_a_remote(root, tmp_path, f"{day}T10:00+01:00", _env(runner)["PATH"])
    env.update({k: v for k, v in _env(runner).items() if k.startswith("PIP_")})
    runs = run_job(root / ".github/workflows/publish.yml", "publish", root, env, context, skip=())
    assert [r.returncode for r in runs] == [0] * 4, [r.stdout[-2000:] + r.stderr for r in runs]
    assert f"Successfully installed cmpub-{cmpub.__version__}" in runs[0].stdout
    assert "Hello from Lint Shop" in (tmp_path / "runner" / "summary.md").read_text()
    site = published_site(root, tmp_path / "runner")
    assert "index.html" in site and "welcome/index.html" in site and "manifest.json" not in site
