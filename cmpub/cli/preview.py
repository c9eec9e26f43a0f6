"""``cmpub preview`` (the local review studio) and ``cmpub calendar`` (text and iCalendar)."""

from __future__ import annotations

import sys
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import click

from cmpub.cli.app import _print_problems, _project, echo, styled


def _now(now_text: str | None) -> datetime | None:
    """``--now`` as a datetime, or None for the real clock."""
    from cmpub.model.clock import parse_now

    if now_text is None:
        return None
    try:
        return parse_now(now_text)
    except ValueError:
        raise click.BadParameter(
            f"'{now_text}' is not an ISO date and time", param_hint="--now"
        ) from None


_NOW_HELP = "The clock, e.g. 2026-12-01T09:00+01:00 (default: the real time)."


# ----------------------------------------------------------------------------- preview


@click.command()
@click.argument("path", required=False, type=click.Path(path_type=Path), default=Path("."))
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    default=8000,
    show_default=True,
    help="Port to listen on (0: any free port).",
)
@click.option("--now", "now_text", metavar="ISO", default=None, help=_NOW_HELP)
@click.option("--open", "open_browser", is_flag=True, help="Open the studio in your browser.")
@click.option(
    "--jobs", "-j", type=click.IntRange(1, 64), default=None, help="Image worker processes."
)
def preview(
    path: Path, host: str, port: int, now_text: str | None, open_browser: bool, jobs: int | None
) -> None:
    """Serve a live preview studio of the project: every post as each network will show it.

    Builds into .cmpub-cache/preview/ (never your dist/), watches content/, templates/,
    assets/ and cmpub.yaml, rebuilds on save and updates the open pages. A save that breaks a
    post shows its Problems over the page, which keeps showing the last good build.
    """
    from cmpub.build.preview.server import Studio

    root = _project(path)
    fixed = _now(now_text)

    def clock() -> datetime:
        return fixed or datetime.now(UTC)

    if host in ("0.0.0.0", "::", ""):
        echo(
            styled(
                "WARNING: listening on every network interface: anyone who can reach this machine"
                " can read your unpublished posts. Use --host 127.0.0.1 unless you mean it.",
                fg="red",
                bold=True,
            ),
            err=True,
        )

    def on_event(kind: str, data: dict[str, Any]) -> None:
        if kind == "changed":
            shown = ", ".join(data["paths"][:3]) + (" ..." if len(data["paths"]) > 3 else "")
            echo(f"changed: {shown}", err=True)
            return
        if kind not in ("built", "rebuilt"):
            return
        if data["errors"]:
            for line in data["errors"]:
                echo(styled("error: ", fg="red", bold=True), line, err=True)
            echo(f"{len(data['errors'])} error(s): still serving the last good build", err=True)
        else:
            how = {"quick": "updated", "build": "built", "ledger": "ledger reloaded"}.get(
                data["how"], data["how"]
            )
            echo(
                f"{how} in {data['seconds']:.2f} s: {data['posts']} posts, "
                f"{data['warnings']} warning(s)",
                err=True,
            )
        sys.stderr.flush()

    studio = Studio(root, clock, host=host, port=port, jobs=jobs, on_event=on_event)
    studio.start()
    echo(f"cmpub preview: serving {root} on {studio.url} (Ctrl-C to stop)")
    sys.stdout.flush()
    if open_browser:
        import webbrowser

        webbrowser.open(studio.url)
    try:
        studio.wait()
    except KeyboardInterrupt:
        echo("stopping", err=True)
    finally:
        studio.stop()


# ----------------------------------------------------------------------------- calendar


def _day(text: str | None, name: str) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise click.BadParameter(
            f"'{text}' is not a date like 2026-12-01", param_hint=name
        ) from None


@click.command()
@click.argument("path", required=False, type=click.Path(path_type=Path), default=Path("."))
@click.option(
    "--ics",
    "ics_file",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    help="Also write an iCalendar file (one event per post and channel).",
)
@click.option("--from", "start", metavar="DATE", default=None, help="First day (YYYY-MM-DD).")
@click.option("--to", "end", metavar="DATE", default=None, help="Last day (YYYY-MM-DD).")
@click.option("--tz", "tz_name", default=None, help="Time zone to show (default: the project's).")
@click.option(
    "--channel",
    "-c",
    "channels",
    multiple=True,
    metavar="ID",
    help="Only this channel (repeatable).",
)
@click.option("--now", "now_text", metavar="ISO", default=None, help=_NOW_HELP + " DTSTAMP.")
def calendar(
    path: Path,
    ics_file: Path | None,
    start: str | None,
    end: str | None,
    tz_name: str | None,
    channels: tuple[str, ...],
    now_text: str | None,
) -> None:
    """Print what goes out when, by day, with the cadence warnings; --ics writes a calendar.

    Calendar apps update the events of a re-imported file instead of duplicating them (each
    event's UID is '<post id>-<channel>@<site host>').
    """
    from cmpub.build import agenda as cal
    from cmpub.model.errors import ConfigError
    from cmpub.render.validate import validate_project

    root = _project(path)
    first, last = _day(start, "--from"), _day(end, "--to")
    if first and last and last < first:
        raise click.BadParameter("--to is before --from", param_hint="--to")
    now = _now(now_text) or datetime.now(UTC)
    try:
        report = validate_project(root)
    except ConfigError as exc:
        _print_problems(exc.problems, "text")
        sys.exit(2)
    config = report.config
    assert config is not None
    try:
        tz = cal.zone(tz_name or config.timezone)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--tz") from None
    items = cal.entries(
        report.posts, report.copies, config, report.problems, first, last, channels or None
    )
    echo(cal.text_calendar(items, tz), nl=False)
    if report.errors:
        echo(
            f"note: {len(report.errors)} error(s) in the project; posts that do not load are"
            " missing (run cmpub validate)",
            err=True,
        )
    if ics_file is not None:
        data = cal.ics(items, config, now)
        ics_file.parent.mkdir(parents=True, exist_ok=True)
        ics_file.write_bytes(data)
        echo(f"{len(items)} events written to {ics_file}", err=True)
