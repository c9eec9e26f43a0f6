"""``cmpub review``: the pull-request comment (what the change does to the plan), as Markdown."""

from __future__ import annotations

from pathlib import Path

import click


@click.command()
@click.argument("path", required=False, type=click.Path(path_type=Path), default=Path("."))
@click.option(
    "--base",
    "base",
    type=click.Path(path_type=Path),
    default=None,
    help="manifest.json built from the base branch (absent: everything is new).",
)
@click.option(
    "--manifest",
    type=click.Path(path_type=Path),
    default=None,
    help="manifest.json of this change (default: dist/manifest.json in the project).",
)
@click.option("--artifact-url", default=None, help="Where the uploaded build can be downloaded.")
@click.option(
    "--out",
    type=click.Path(path_type=Path),
    default=None,
    help="Write the Markdown there (default: standard output).",
)
def review(
    path: Path, base: Path | None, manifest: Path | None, artifact_url: str | None, out: Path | None
) -> None:
    """Write the pull-request review: Problems, then new, changed and removed posts per channel."""
    from cmpub.build.review import load_manifest, render_review
    from cmpub.cli.app import echo, find_root
    from cmpub.model.errors import ConfigError
    from cmpub.render.validate import validate_project

    root = find_root(path)
    if root is None:
        raise click.UsageError(f"no cmpub.yaml in '{path}' or above it")
    zone = "UTC"
    try:
        report = validate_project(root)
        problems = report.problems
        zone = report.config.timezone if report.config else zone
    except ConfigError as exc:
        problems = exc.problems
    head = load_manifest(manifest or root / "dist" / "manifest.json", "--manifest")
    body = render_review(head, load_manifest(base, "--base"), problems, zone, artifact_url or None)
    if out is None:
        echo(body, nl=False)
    else:
        out.write_text(body, encoding="utf-8")
