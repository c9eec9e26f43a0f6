"""``cmpub init``: scaffold a working content project that validates and builds as it is.

Writes ``cmpub.yaml``, a first post, a placeholder logo, ``.gitignore``, the GitHub workflows
(validate on pull requests, publish on merge and on a schedule, keep-alive) and a README for
editors; then initialises git and commits. Existing files are never overwritten unless asked.
"""

from __future__ import annotations

import io
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from cmpub.errors import UsageError
from cmpub.platforms import CHANNELS, guess_channel
from cmpub.schema import check_zone, did_you_mean, zone_names

PROJECT = Path(__file__).resolve().parent / "project"
WORKFLOWS = ("validate.yml", "publish.yml", "keepalive.yml")

#: Placeholder settings per channel: valid, obviously to be replaced.
_ACCOUNTS = {
    "site": "  site: {{}}",
    "outbox": "  outbox: {{}}",
    "bluesky": "  bluesky:\n    handle: {slug}.bsky.social          # your Bluesky handle",
    "mastodon": (
        '  mastodon:\n    handle: "@{slug}@mastodon.social"    # your full Mastodon handle\n'
        "    instance: https://mastodon.social\n    max_characters: 500              "
        "# your instance's limit (Preferences → About)"
    ),
    "x": '  x:\n    handle: "@{slug}"',
    "threads": "  threads:\n    handle: {slug}",
    "linkedin": '  linkedin:\n    name: "{name}"',
    "facebook": '  facebook:\n    name: "{name}"',
    "instagram": "  instagram:\n    handle: {slug}",
    "webhook": "  webhook:\n    url: https://hooks.example.com/cmpub   # where to POST each publication",
}


@dataclass(frozen=True)
class Plan:
    """What ``init`` will write: relative path -> bytes."""

    root: Path
    files: dict[str, bytes]


def _slug(name: str) -> str:
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    out = "".join(c.lower() if c.isalnum() else "-" for c in ascii_name)
    return "-".join(filter(None, out.split("-"))) or "brand"


def plan(root: Path, name: str, channels: list[str], timezone: str, now: datetime) -> Plan:
    """Everything ``init`` writes, checked (unknown channel or zone: UsageError with a hint)."""
    for cid in channels:
        if cid not in CHANNELS:
            guess = guess_channel(cid)
            hint = f" (did you mean '{guess}'?)" if guess else f" (known: {', '.join(CHANNELS)})"
            raise UsageError(f"unknown channel '{cid}'{hint}")
    if check_zone(timezone) is None:
        hint = did_you_mean(timezone, zone_names())
        raise UsageError(f"unknown time zone '{timezone}'" + (f" ({hint})" if hint else ""))
    slug = _slug(name)
    accounts = "\n".join(_ACCOUNTS[c].format(slug=slug, name=name) for c in channels)
    social = [c for c in channels if c not in ("site", "outbox", "webhook")]
    values = {
        "name": name,
        "slug": slug,
        "timezone": timezone,
        "channels": ", ".join(channels),
        "accounts": accounts,
    }
    config = (PROJECT / "files" / "cmpub.yaml").read_text(encoding="utf-8").format(**values)
    local = now.astimezone(ZoneInfo(timezone))
    first = (local + timedelta(days=1)).replace(hour=9, minute=30, second=0, microsecond=0)
    post = (
        (PROJECT / "files" / "welcome.md")
        .read_text(encoding="utf-8")
        .format(name=name, date=first.strftime("%Y-%m-%d %H:%M"), channels=", ".join(channels))
    )
    readme = (
        (PROJECT / "files" / "README.md")
        .read_text(encoding="utf-8")
        .format(name=name, channels=", ".join(social) or "your site")
    )
    files = {
        "cmpub.yaml": config.encode(),
        f"content/{first:%Y}/{first:%m}/welcome/index.md": post.encode(),
        f"content/{first:%Y}/{first:%m}/welcome/welcome.png": _welcome_image(name),
        "assets/brand/logo.png": _logo(name),
        ".gitignore": (PROJECT / "files" / "gitignore").read_bytes(),
        "README.md": readme.encode(),
        "ledger/.gitkeep": b"",
    }
    for workflow in WORKFLOWS:
        files[f".github/workflows/{workflow}"] = (PROJECT / "workflows" / workflow).read_bytes()
    return Plan(root, files)


def write(p: Plan, force: bool = False, git: bool = True) -> list[str]:
    """Write the plan; refuse to overwrite anything without ``force``. Returns the paths written."""
    existing = sorted(rel for rel in p.files if (p.root / rel).exists())
    if existing and not force:
        shown = ", ".join(existing[:5]) + (" …" if len(existing) > 5 else "")
        raise UsageError(
            f"{p.root} already has {shown}; nothing was written (use --force to replace)"
        )
    for rel, data in sorted(p.files.items()):
        target = p.root / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
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


def _welcome_image(name: str) -> bytes:
    """A first picture for the first post: a soft blue card with the brand's name."""
    from PIL import Image, ImageDraw, ImageFont

    w, h = 1600, 1000
    img = Image.linear_gradient("L").resize((w, h)).point(lambda v: 40 + v // 3)
    card = Image.merge("RGB", (img.point(lambda v: v // 2), img, img.point(lambda v: 90 + v)))
    draw = ImageDraw.Draw(card)
    try:
        font = ImageFont.truetype("DejaVuSans-Bold.ttf", 110)
    except OSError:
        font = ImageFont.load_default(size=110)
    draw.text(
        (w / 2, h / 2),
        f"Hello from\n{name}",
        font=font,
        fill=(255, 255, 255),
        anchor="mm",
        align="center",
    )
    out = io.BytesIO()
    card.save(out, format="PNG")
    return out.getvalue()


def _logo(name: str) -> bytes:
    """A placeholder logo: the brand's initials on a coloured disc (replace it with yours)."""
    from PIL import Image, ImageDraw, ImageFont

    initials = "".join(w[0] for w in name.split()[:2]).upper() or "C"
    size = 1024
    img = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    draw = ImageDraw.Draw(img)
    draw.ellipse((32, 32, size - 32, size - 32), fill=(43, 76, 126, 255))
    try:
        font = ImageFont.truetype("DejaVuSans-Bold.ttf", 420)
    except OSError:
        font = ImageFont.load_default(size=420)
    draw.text((size / 2, size / 2), initials, font=font, fill=(255, 255, 255, 255), anchor="mm")
    img = img.resize((512, 512), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    img.save(out, format="PNG")
    return out.getvalue()
