"""``cmpub init``: scaffold a content project (cmpub.yaml, first post, workflows, git)."""

from __future__ import annotations

import contextlib
import os
from datetime import UTC, datetime
from pathlib import Path

import click


def _local_zone() -> str:
    """This machine's IANA zone (TZ, /etc/timezone or the /etc/localtime link), else UTC."""
    from cmpub.model.schema import check_zone

    candidates = [os.environ.get("TZ", "")]
    with contextlib.suppress(OSError):
        candidates.append(Path("/etc/timezone").read_text(encoding="utf-8").strip())
    try:
        target = os.readlink("/etc/localtime")
        candidates.append(target.split("zoneinfo/", 1)[-1])
    except OSError:
        pass
    return next((z for z in candidates if z and check_zone(z)), "UTC")


@click.command()
@click.argument("directory", required=False, type=click.Path(path_type=Path), default=Path("."))
@click.option("--name", default=None, help="The brand's name (default: the folder's name).")
@click.option(
    "--channels",
    default="site,bluesky,mastodon",
    show_default=True,
    help="Comma-separated channels to configure.",
)
@click.option("--timezone", "zone", default=None, help="IANA time zone (default: this machine's).")
@click.option(
    "--cmpub-spec",
    "spec",
    default=None,
    metavar="SPEC",
    help="What the workflows install, e.g. 'cmpub==0.2.0' or 'cmpub @ git+https://…@COMMIT' "
    "(default: how this cmpub was installed).",
)
@click.option("--force", is_flag=True, help="Replace files that already exist.")
@click.option("--no-git", is_flag=True, help="Do not initialise git or commit.")
def init(
    directory: Path,
    name: str | None,
    channels: str,
    zone: str | None,
    spec: str | None,
    force: bool,
    no_git: bool,
) -> None:
    """Create a content project in DIRECTORY that validates, builds and publishes as it is."""
    from cmpub.build import scaffold
    from cmpub.build.scaffold import origin

    root = directory.resolve()
    wanted = [c.strip() for c in channels.split(",") if c.strip()]
    brand = name if name is not None else root.name.replace("-", " ").title() or "My Brand"
    cmpub = origin.from_spec(spec) if spec is not None else origin.installed()
    plan = scaffold.plan(root, brand, wanted, zone or _local_zone(), datetime.now(UTC), cmpub)
    written = scaffold.write(plan, force=force, git=not no_git)
    click.echo(f"Created a cmpub project for {brand.strip()} in {root} ({len(written)} files).")
    click.echo(f"Its workflows install {cmpub.requirement} (requirements.txt).")
    if not cmpub.reachable:
        click.echo(f"warning: {cmpub.advice()}", err=True)
    click.echo("Next: edit cmpub.yaml (your accounts), then `cmpub validate` and `cmpub build`.")
    click.echo("To publish from GitHub, see README.md: the secrets to create and Pages.")
