"""``cmpub deploy``, ``status``, ``pause`` and ``resume``: options in, one call, words and an exit code out.

This module (layer L5) is where deploy meets the real world: it reads the clock and the
environment (secrets, ``GITHUB_STEP_SUMMARY``), prints, and exits.

Test-only hooks: when ``CMPUB_TEST_HOOKS=1``, ``CMPUB_TEST_KILL_AT=<step>[:<n>]`` makes the
process kill itself with SIGKILL the n-th time (default: first) deploy reaches ``<step>``
(``after-claim``, ``during-commit``, ``before-push``, ``after-push``, ``before-network``,
``after-network``, ``before-record-commit``). The fault tests use it; never set it otherwise.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from cmpub.cli.app import _print_problems, _project, echo, fault_hook, styled

EXIT_CODES = """\b
Exit codes:
  0  everything due went out (or nothing was due)
  1  a post has a Problem: nothing was published (see cmpub validate)
  2  a usage or configuration error
  3  something failed that the next run retries (a server error, a
     timeout, a lost push race, another deploy holding the lock)
  4  a person must act: publishing is paused, a post was missed, a
     credential is missing or rejected, a network refused a post, or a
     post is uncertain (a run died while sending it); a ledger record
     is damaged, or a published post was renamed without 'id:'; or
     nothing was published because the ledger could not be pushed
     where the next run reads it (detached HEAD, no remote, another
     branch than deploy.branch, a failed fetch) or posts are not
     committed (--allow-dirty)"""

ENVIRONMENT = """\b
Environment:
  CMPUB_<CHANNEL>_<WHAT>   secrets, e.g. CMPUB_BLUESKY_APP_PASSWORD,
                           CMPUB_MASTODON_ACCESS_TOKEN, CMPUB_WEBHOOK_SECRET
  GITHUB_STEP_SUMMARY      (GitHub Actions) a Markdown summary is appended
  CMPUB_TEST_HOOKS=1 and CMPUB_TEST_KILL_AT=<step>[:<n>]   test only: the
                           fault tests kill deploy at a step with SIGKILL"""


def _now(text: str | None):  # type: ignore[no-untyped-def]
    from cmpub.model.clock import parse_now

    try:
        return parse_now(text)
    except ValueError:
        raise click.BadParameter(
            f"'{text}' is not an ISO date and time", param_hint="--now"
        ) from None


def _summary(text: str) -> None:
    path = os.environ.get("GITHUB_STEP_SUMMARY")
    if not path:
        return
    try:
        with open(path, "a", encoding="utf-8") as fh:
            fh.write(text.rstrip("\n") + "\n\n")
    except OSError as exc:
        echo(f"cmpub: cannot write the step summary ({exc.strerror})", err=True)


def _channels(channels: tuple[str, ...]) -> list[str] | None:
    from cmpub.model.schema import did_you_mean
    from cmpub.platforms import RULES

    for cid in channels:
        if cid not in RULES:
            hint = did_you_mean(cid, list(RULES))
            raise click.BadParameter(
                f"unknown channel '{cid}'" + (f" ({hint})" if hint else ""), param_hint="--channel"
            )
    return list(channels) or None


@click.command(epilog=f"{EXIT_CODES}\n\n{ENVIRONMENT}")
@click.argument("path", required=False, type=click.Path(path_type=Path), default=Path("."))
@click.option("--now", "now_text", metavar="ISO", default=None, help="The clock (default: now).")
@click.option("--dry-run", is_flag=True, help="Show the plan and each payload; change nothing.")
@click.option(
    "--channel",
    "-c",
    "channels",
    multiple=True,
    metavar="ID",
    help="Only this channel (repeatable).",
)
@click.option(
    "--include-missed", is_flag=True, help="Also publish posts older than the catch-up window."
)
@click.option(
    "--retry-failed",
    is_flag=True,
    help="Also retry posts that failed in a way a retry would not fix (after you fixed it).",
)
@click.option(
    "--no-push",
    is_flag=True,
    help="Commit the ledger but do not push it (it stays in this checkout).",
)
@click.option(
    "--allow-dirty",
    is_flag=True,
    help="Publish even when posts, cmpub.yaml, templates or assets are not committed.",
)
@click.option(
    "--wait",
    "lock_wait",
    metavar="SECONDS",
    type=click.FloatRange(0, 3600),
    default=120.0,
    show_default=True,
    help="Seconds to wait for another deploy running on this checkout.",
)
def deploy(
    path: Path,
    now_text: str | None,
    dry_run: bool,
    channels: tuple[str, ...],
    include_missed: bool,
    retry_failed: bool,
    no_push: bool,
    allow_dirty: bool,
    lock_wait: float,
) -> None:
    """Publish what is due, exactly once, and record it in the ledger (committed to git).

    Builds first (a Problem stops everything), claims the due posts in ledger/ and commits the
    claim before any network call, publishes, then records and commits what happened.
    """
    from cmpub.deploy import deploy as run_deploy
    from cmpub.deploy import dry_run_text, summary_markdown, text_lines
    from cmpub.model.errors import CmpubError, ConfigError, ProblemsFound

    root = _project(path)
    now = _now(now_text)
    try:
        result = run_deploy(
            root,
            now,
            dry_run=dry_run,
            channels=_channels(channels),
            include_missed=include_missed,
            push=False if no_push else None,
            environ=os.environ,
            hooks=fault_hook(),
            retry_failed=retry_failed,
            lock_wait=lock_wait,
            allow_dirty=allow_dirty,
        )
    except ConfigError as exc:
        _print_problems(exc.problems, "text")
        _summary(f"## cmpub deploy\n\n**Stopped: cmpub.yaml has errors.** {exc}")
        sys.exit(2)
    except ProblemsFound as exc:
        _print_problems(exc.problems, "text")
        echo(f"cmpub: {exc}", err=True)
        _summary(
            "## cmpub deploy\n\n**Stopped before publishing anything: the posts have Problems.**"
            " Run `cmpub validate` to see them."
        )
        sys.exit(1)
    except CmpubError as exc:
        _summary(f"## cmpub deploy\n\n**Stopped:** {exc}")
        raise
    if dry_run:
        echo(dry_run_text(result))
    else:
        for line in text_lines(result):
            echo(line)
    _summary(summary_markdown(result))
    sys.exit(result.exit_code)


DAMAGED = "Damaged ledger records (nothing is sent for them until they are repaired)"
RENAMED = "Renamed after going out (held until the old id is added)"
GONE = "Deleted after going out"


@click.command()
@click.argument("path", required=False, type=click.Path(path_type=Path), default=Path("."))
@click.option("--now", "now_text", metavar="ISO", default=None, help="The clock (default: now).")
def status(path: Path, now_text: str | None) -> None:
    """Show what is due, next up, missed, failed, uncertain, recently published, and warnings."""
    from cmpub.deploy.plan import channel_name, iso
    from cmpub.deploy.status import status as run_status

    root = _project(path)
    now = _now(now_text)
    report = run_status(root, now, environ=os.environ)

    def label(p) -> str:  # type: ignore[no-untyped-def]
        item = p.item
        part = f" (part {item.part + 1}/{item.parts})" if item.parts > 1 else ""
        return f"{item.post} → {channel_name(item.channel)}{part} at {iso(item.publish_at)}"

    if report.pause is not None:
        echo(styled(f"PAUSED: {report.pause.describe()}", fg="red", bold=True))
        echo("Nothing is published until 'cmpub resume'.")
        echo("")
    sections = [
        ("Due now", [label(p) for p in report.due]),
        ("Next up (7 days)", [label(p) for p in report.next_up]),
        ("Missed", [f"{label(p)}: {p.why}" for p in report.missed]),
        ("Failed", [f"{label(p)}: {p.why}" for p in report.failed]),
        (
            "Uncertain (check the network, then fix the ledger record)",
            [f"{label(p)}: {p.why}" for p in report.uncertain],
        ),
        (DAMAGED, [d.describe() for d in report.damaged]),
        (RENAMED, [r.why() for r in report.renamed]),
        (GONE, [g.describe() for g in report.gone]),
        (
            "Published in the last 7 days",
            [
                f"{r.post} → {channel_name(r.channel)} at {r.published_at}  {r.url or ''}".rstrip()
                for r in report.recent
            ],
        ),
        ("Warnings", report.warnings),
    ]
    for title, lines in sections:
        if not lines and title in (DAMAGED, RENAMED, GONE):
            continue  # shown only when there is something to say
        echo(styled(f"{title}: {len(lines) if lines else 'none'}", bold=True))
        for line in lines:
            echo(f"  {line}")


def _who() -> str:
    actor = os.environ.get("GITHUB_ACTOR")
    if actor:
        return actor
    try:
        import git

        name = git.Repo(search_parent_directories=True).config_reader().get_value("user", "name")
        if name:
            return str(name)
    except Exception:  # no repository, no name: fall back to the login
        pass
    return os.environ.get("USER") or "someone"


@click.command()
@click.argument("path", required=False, type=click.Path(path_type=Path), default=Path("."))
@click.option("--reason", default="", help="Why (shown by deploy and status).")
@click.option("--now", "now_text", metavar="ISO", default=None, help="The clock (default: now).")
@click.option("--no-push", is_flag=True, help="Commit the pause but do not push it.")
def pause(path: Path, reason: str, now_text: str | None, no_push: bool) -> None:
    """Stop all publishing now (a crisis): commits cmpub-pause.json; deploy then publishes
    nothing and pulls back posts handed to a network's own scheduler."""
    from cmpub.deploy import pause as run_pause

    root = _project(path)
    result = run_pause(root, _now(now_text), reason, _who(), push=False if no_push else None)
    echo(result.message[0].upper() + result.message[1:])
    if result.changed:
        echo("Committed cmpub-pause.json" + (" and pushed it." if result.pushed else "."))
    if result.warning:
        echo(f"warning: {result.warning}", err=True)


@click.command()
@click.argument("path", required=False, type=click.Path(path_type=Path), default=Path("."))
@click.option("--no-push", is_flag=True, help="Commit the removal but do not push it.")
def resume(path: Path, no_push: bool) -> None:
    """Publish again after a pause: removes cmpub-pause.json and commits the removal."""
    from cmpub.deploy import resume as run_resume

    root = _project(path)
    result = run_resume(root, _who(), push=False if no_push else None)
    echo(result.message[0].upper() + result.message[1:])
    if result.warning:
        echo(f"warning: {result.warning}", err=True)
