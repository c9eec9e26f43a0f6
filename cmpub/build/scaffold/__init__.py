"""``cmpub init``: scaffold a working content project that validates and builds as it is.

Writes ``cmpub.yaml``, a first post, a placeholder logo, ``.gitignore``, ``requirements.txt``
(the cmpub the project installs), the GitHub workflows (validate on pull requests, publish on
merge and on a schedule, keep-alive) and a README for editors; then initialises git and
commits. Every target is checked before the first write; existing files are never overwritten
unless asked, and a symbolic link is never written through.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from cmpub.build.scaffold import files, images
from cmpub.build.scaffold.origin import Origin
from cmpub.model.errors import UsageError
from cmpub.model.schema import check_zone, did_you_mean, zone_names
from cmpub.platforms import CHANNELS, guess_channel

PROJECT = Path(__file__).resolve().parent / "project"
WORKFLOWS = ("validate.yml", "publish.yml", "keepalive.yml")
#: Longer than any brand's name: a name this long is a paste mistake.
MAX_NAME = 100
#: Unicode categories a one-line name cannot hold: controls, line and paragraph separators.
_NOT_IN_A_NAME = {"Cc", "Zl", "Zp", "Cs"}


@dataclass(frozen=True)
class Plan:
    """What ``init`` will write: relative path -> bytes."""

    root: Path
    files: dict[str, bytes]


def _slug(name: str) -> str:
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    out = "".join(c.lower() if c.isalnum() else "-" for c in ascii_name)
    return "-".join(filter(None, out.split("-"))) or "brand"


def check_name(name: str) -> str:
    """The brand's name, or a UsageError that says what to change (one line, not empty)."""
    for char in name:
        if unicodedata.category(char) in _NOT_IN_A_NAME:
            what = "a line break" if char in "\n\r\x85\u2028\u2029" else f"the control {char!r}"
            raise UsageError(f"--name has {what}: write the brand's name on one line")
    if not name.strip():
        raise UsageError("--name is empty: write the brand's name, e.g. --name 'Le Zinc'")
    if len(name) > MAX_NAME:
        raise UsageError(
            f"--name is {len(name)} characters long: a brand's name has at most {MAX_NAME}"
        )
    return name.strip()


def plan(
    root: Path,
    name: str,
    channels: list[str],
    timezone: str,
    now: datetime,
    cmpub: Origin | None = None,
) -> Plan:
    """Everything ``init`` writes, checked (bad name, channel or zone: UsageError with a hint).

    ``cmpub`` is the requirement the workflows install (default: how this cmpub was installed).
    """
    name = check_name(name)
    for cid in channels:
        if cid not in CHANNELS:
            guess = guess_channel(cid)
            hint = f" (did you mean '{guess}'?)" if guess else f" (known: {', '.join(CHANNELS)})"
            raise UsageError(f"unknown channel '{cid}'{hint}")
    if check_zone(timezone) is None:
        hint = did_you_mean(timezone, zone_names())
        raise UsageError(f"unknown time zone '{timezone}'" + (f" ({hint})" if hint else ""))
    if cmpub is None:
        from cmpub.build.scaffold.origin import installed

        cmpub = installed()
    slug = _slug(name)
    social = [c for c in channels if c not in ("site", "outbox", "webhook")]
    local = now.astimezone(ZoneInfo(timezone))
    first = (local + timedelta(days=1)).replace(hour=9, minute=30, second=0, microsecond=0)
    post = f"content/{first:%Y}/{first:%m}/welcome"
    texts = {
        "cmpub.yaml": files.config(name, slug, timezone, channels),
        f"{post}/index.md": files.welcome(name, first.strftime("%Y-%m-%d %H:%M"), channels),
        ".gitignore": files.fill("gitignore"),
        "README.md": files.readme(name, social),
        "requirements.txt": files.requirements(cmpub.requirement),
    }
    out = {rel: text.encode("utf-8") for rel, text in texts.items()}
    out[f"{post}/welcome.png"] = images.welcome_image(name)
    out["assets/brand/logo.png"] = images.logo(name)
    out["ledger/.gitkeep"] = b""
    for workflow in WORKFLOWS:
        out[f".github/workflows/{workflow}"] = (PROJECT / "workflows" / workflow).read_bytes()
    return Plan(root, out)


def _obstacles(p: Plan) -> tuple[list[str], list[str]]:
    """(files that exist already, targets that cannot be written at all, each with why)."""
    above = p.root
    while not above.exists() and above != above.parent:
        above = above.parent
    if above.exists() and not above.is_dir():
        raise UsageError(
            f"{above} is a file, not a folder: give `cmpub init` a folder to create the "
            "project in (a new name such as `cmpub init my-brand`, or `.` for this folder)"
        )
    existing, blocked = [], []
    for rel in sorted(p.files):
        target = p.root / rel
        parent = target.parent
        while parent != p.root and not parent.exists():
            parent = parent.parent
        if parent.exists() and not parent.is_dir():
            blocked.append(f"{parent.relative_to(p.root)} is a file where a folder must go")
        elif target.is_symlink():
            blocked.append(f"{rel} is a symbolic link (cmpub init does not write through it)")
        elif target.exists() and not target.is_file():
            blocked.append(f"{rel} is a folder where a file must go")
        elif target.exists():
            existing.append(rel)
    return existing, sorted(set(blocked))


def write(p: Plan, force: bool = False, git: bool = True) -> list[str]:
    """Write the plan; refuse to overwrite anything without ``force``. Returns the paths written.

    Every target is checked first, so a refusal leaves the folder as it was.
    """
    existing, blocked = _obstacles(p)
    if blocked:
        raise UsageError(
            f"{p.root}: " + "; ".join(blocked) + "; nothing was written (move it away first)"
        )
    if existing and not force:
        shown = ", ".join(existing[:5]) + (" …" if len(existing) > 5 else "")
        raise UsageError(
            f"{p.root} already has {shown}; nothing was written (use --force to replace)"
        )
    for rel, data in sorted(p.files.items()):
        target = p.root / rel
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
        except OSError as exc:
            raise UsageError(f"cannot write {target}: {exc.strerror or exc}") from exc
    if git:
        _git_init(p.root, sorted(p.files))
    return sorted(p.files)


def _git_init(root: Path, paths: list[str]) -> None:
    import git  # GitPython, lazily: only init and deploy need it

    try:
        repo = git.Repo(root)
    except (git.InvalidGitRepositoryError, git.NoSuchPathError):
        repo = git.Repo.init(root, initial_branch="main")
    repo.index.add(paths)
    with repo.config_reader() as reader:
        has_author = reader.has_option("user", "name") and reader.has_option("user", "email")
    author = None if has_author else git.Actor("cmpub", "cmpub@localhost")
    repo.index.commit("Start a cmpub content project", author=author, committer=author)
