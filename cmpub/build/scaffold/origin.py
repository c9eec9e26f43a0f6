"""Where this cmpub was installed from, as the pip requirement a new project's workflows use.

``cmpub init`` writes a project whose GitHub workflows install cmpub the way it was installed
here. pip records that in the distribution's ``direct_url.json`` (PEP 610, the "Direct URL
Data Structure" of the Python packaging specifications):

- no ``direct_url.json``: installed from a package index, so ``cmpub==<version>``;
- ``vcs_info``: from a git repository, so ``cmpub @ git+<url>@<commit>`` (the exact commit);
- ``archive_info``: from a wheel or sdist URL, so ``cmpub @ <url>#sha256=<hash>``;
- ``dir_info``: from a folder (editable or not), which no workflow can reach.

A ``file://`` URL, an SSH URL (a runner has no SSH key) and a folder are *unreachable*: the
requirement still works on this computer, and the caller warns with :attr:`Origin.advice`.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from urllib.parse import unquote, urlsplit, urlunsplit

from cmpub.model.errors import UsageError

DIST = "cmpub"
#: A requirement naming cmpub: ``cmpub``, ``cmpub==0.2.0``, ``cmpub[x]>=0.1``, ``cmpub @ URL``.
_REQUIREMENT = re.compile(
    r"cmpub(\[[\w,\s-]*\])?\s*(@\s*\S+|(?:[<>=!~]=?|===)\s*[\w.*+!-]+.*)?", re.I
)
_ARCHIVES = (".whl", ".tar.gz", ".zip")
_URL = re.compile(r"(?:git\+)?(?:https?|file|ssh)://\S+", re.I)
#: What to pass when the install cannot be reached (shown in the warning), and what each is.
EXAMPLES = (
    ("cmpub @ git+https://github.com/OWNER/cmpub@COMMIT", "a commit of a repository on GitHub"),
    ("cmpub @ https://example.com/cmpub-{version}-py3-none-any.whl", "a wheel on a web server"),
    ("cmpub=={version}", "a release on PyPI"),
)


@dataclass(frozen=True)
class Origin:
    """A pip requirement for cmpub, and whether a GitHub runner can install it."""

    requirement: str
    reachable: bool = True
    where: str = ""  # for an unreachable one: what it points at, in words
    guess: str = ""  # for a git checkout: its remote and commit, as a requirement

    def advice(self) -> str:
        """The warning for an unreachable requirement: what happens and what to pass instead."""
        from cmpub import __version__

        examples = [(e.format(version=__version__), what) for e, what in EXAMPLES]
        if self.guess:
            examples.insert(0, (self.guess, "this checkout's remote and commit, once pushed"))
        width = max(len(e) for e, _ in examples) + 2
        shown = "\n".join(f"  --cmpub-spec {repr(e).ljust(width)}  {what}" for e, what in examples)
        return (
            f"cmpub is installed from {self.where}, which the GitHub workflows cannot reach: "
            f"requirements.txt says '{self.requirement}', so the project installs cmpub on "
            "this computer but its workflows fail on GitHub. Write where GitHub can install "
            "cmpub from in requirements.txt, or run `cmpub init` again with --force and "
            f"--cmpub-spec, for example:\n{shown}"
        )


def installed(dist: str = DIST) -> Origin:
    """How the running cmpub was installed (its distribution's ``direct_url.json``).

    An installer writes ``INSTALLER`` (PEP 627) beside the metadata; a ``cmpub.egg-info`` that
    a build left in a source checkout (found first when Python runs from there) has none and
    says nothing about how cmpub was installed, so an installed distribution wins.
    """
    from cmpub import __version__

    found = sorted(
        metadata.distributions(name=dist), key=lambda d: d.read_text("INSTALLER") is None
    )
    if not found:
        return Origin(f"cmpub=={__version__}", False, "a source folder that is not installed")
    text = found[0].read_text("direct_url.json")
    if text is None:
        return Origin(f"cmpub=={found[0].version}")
    try:
        data = json.loads(text)
    except ValueError:
        data = None
    if not isinstance(data, dict) or not isinstance(data.get("url"), str):
        return Origin(f"cmpub=={found[0].version}", False, "an install pip did not record")
    origin = from_direct_url(data)
    if "dir_info" in data and not origin.reachable:
        guess = checkout_requirement(str(data["url"]))
        return Origin(origin.requirement, False, origin.where, guess) if guess else origin
    return origin


def checkout_requirement(url: str) -> str:
    """``cmpub @ git+<origin>@<HEAD>`` for a folder that is a git checkout with an https
    remote, else "" (a guess for the warning: the commit may not be pushed)."""
    import subprocess

    folder = unquote(urlsplit(url).path)

    def git(*args: str) -> str:
        done = subprocess.run(
            ["git", "-C", folder, *args], capture_output=True, text=True, timeout=10
        )
        return done.stdout.strip() if done.returncode == 0 else ""

    try:
        remote, head = git("remote", "get-url", "origin"), git("rev-parse", "HEAD")
        inside = git("rev-parse", "--show-prefix").rstrip("/")  # a folder of a bigger repo
    except (OSError, subprocess.SubprocessError):
        return ""
    if remote.startswith("git@github.com:"):
        remote = "https://github.com/" + remote.removeprefix("git@github.com:")
    if not remote.startswith("https://") or not head:
        return ""
    fragment = f"#subdirectory={inside}" if inside else ""
    return f"cmpub @ git+{_public(remote)}@{head}{fragment}"


def from_direct_url(data: dict[str, object]) -> Origin:
    """The requirement for one PEP 610 record (``url`` plus one of its three info keys)."""
    url = _public(str(data["url"]))
    fragment = f"#subdirectory={data['subdirectory']}" if data.get("subdirectory") else ""
    vcs = data.get("vcs_info")
    if isinstance(vcs, dict):
        commit = vcs.get("commit_id") or vcs.get("requested_revision")
        pinned = f"{url}@{commit}" if commit else url
        return _located(f"cmpub @ {vcs.get('vcs', 'git')}+{pinned}{fragment}", url)
    archive = data.get("archive_info")
    if isinstance(archive, dict):
        return _located(f"cmpub @ {url}{_hash(archive) or fragment}", url)
    return _located(f"cmpub @ {url}{fragment}", url, folder=True)


def from_spec(spec: str) -> Origin:
    """A requirement given with ``--cmpub-spec``, checked; a bare URL or wheel path is named
    cmpub (``cmpub @ URL``)."""
    text = spec.strip()
    if not text or any(c in text for c in "\r\n") or text.startswith("-"):
        raise UsageError(_bad_spec(spec))
    if "://" not in text and text.endswith(_ARCHIVES):
        text = Path(text).expanduser().resolve().as_uri()
    if _URL.fullmatch(text):
        text = f"cmpub @ {text}"
    match = _REQUIREMENT.fullmatch(text)
    if match is None:
        raise UsageError(_bad_spec(spec))
    direct = match.group(2) or ""
    if direct.startswith("@"):
        return _located(text, direct[1:].strip())
    return Origin(text)


def _bad_spec(spec: str) -> str:
    from cmpub import __version__

    shown = spec.replace("\n", " ").strip() or "nothing"
    examples = ", ".join(f"'{e.format(version=__version__)}'" for e, _ in EXAMPLES)
    return (
        f"--cmpub-spec '{shown}' is not a pip requirement for cmpub "
        f"(write one line such as {examples})"
    )


def _located(requirement: str, url: str, folder: bool = False) -> Origin:
    """Mark requirements a GitHub runner cannot install: local files and folders, SSH."""
    parts = urlsplit(url.removeprefix("git+"))
    if parts.scheme == "file":
        path = unquote(parts.path)
        kind = "the folder" if folder or not path.endswith(_ARCHIVES) else "the file"
        return Origin(requirement, False, f"{kind} {path} on this computer")
    if parts.scheme == "ssh" or url.startswith("git@"):
        return Origin(requirement, False, f"{url} over SSH (a GitHub runner has no SSH key)")
    return Origin(requirement)


def _public(url: str) -> str:
    """The URL without a user or password (PEP 610 allows ``git@``; nothing else is kept)."""
    parts = urlsplit(url)
    if "@" not in parts.netloc:
        return url
    user, _, host = parts.netloc.rpartition("@")
    keep = "git@" if parts.scheme.endswith("ssh") and user == "git" else ""
    return urlunsplit(parts._replace(netloc=keep + host))


def _hash(archive: dict[object, object]) -> str:
    hashes = archive.get("hashes")
    if isinstance(hashes, dict) and isinstance(hashes.get("sha256"), str):
        return f"#sha256={hashes['sha256']}"
    legacy = archive.get("hash")
    if isinstance(legacy, str) and legacy.startswith("sha256="):
        return f"#{legacy}"
    return ""
