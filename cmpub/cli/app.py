"""The ``cmpub`` command line: parse options, call one function, print, set the exit code.

This is the only module that prints, reads the environment or the real clock, and exits.
Exit codes: 0 clean, 1 problems found, 2 usage or configuration error.
"""

from __future__ import annotations

import json
import os
import re
import signal
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import click

from cmpub import __version__
from cmpub.model.errors import CmpubError, ConfigError, Problem, Severity

FORMATS = ("text", "json", "github")


def find_root(start: Path) -> Path | None:
    """The nearest folder at or above ``start`` that holds a ``cmpub.yaml``."""
    here = start.resolve()
    for folder in (here, *here.parents) if here.is_dir() else here.parents:
        if (folder / "cmpub.yaml").is_file():
            return folder
    return None


#: Commands that live in their own module under cmpub/commands/, imported only when used
#: (so ``cmpub validate`` never pays for the deploy or preview code).
LAZY_COMMANDS = {
    "deploy": "cmpub.cli.deploy:deploy",
    "status": "cmpub.cli.deploy:status",
    "pause": "cmpub.cli.deploy:pause",
    "resume": "cmpub.cli.deploy:resume",
    "preview": "cmpub.cli.preview:preview",
    "calendar": "cmpub.cli.preview:calendar",
    "init": "cmpub.cli.init:init",
    "review": "cmpub.cli.review:review",
}


class _Group(click.Group):
    """Turns cmpub errors into a message and an exit code (a traceback only with --debug)."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *self._available()})

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        command = super().get_command(ctx, name)
        if command is None and name in self._available():
            import importlib

            module, _, attr = LAZY_COMMANDS[name].partition(":")
            command = getattr(importlib.import_module(module), attr)
        return command

    @staticmethod
    def _available() -> list[str]:
        """Lazy commands whose module exists in this installation."""
        import importlib.util

        out = []
        for name, target in LAZY_COMMANDS.items():
            module = target.partition(":")[0]
            try:
                if importlib.util.find_spec(module) is not None:
                    out.append(name)
            except ModuleNotFoundError:
                continue
        return out

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except CmpubError as exc:
            if ctx.obj and ctx.obj.get("debug"):
                raise
            echo(f"cmpub: {exc}", err=True)
            ctx.exit(exc.exit_code)
        except click.ClickException as exc:  # click prints it: its words may quote content
            exc.message = visible(exc.message)
            raise
        except (click.exceptions.Exit, click.Abort, KeyboardInterrupt):
            raise
        except Exception as exc:  # a bug in cmpub: say so plainly, keep the trace for --debug
            if ctx.obj and ctx.obj.get("debug"):
                raise
            echo(f"cmpub: internal error: {type(exc).__name__}: {exc}", err=True)
            echo("cmpub: please report it; run with --debug for the traceback", err=True)
            ctx.exit(70)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="cmpub")
@click.option("--debug", is_flag=True, help="Show tracebacks (for reporting a bug).")
@click.pass_context
def main(ctx: click.Context, debug: bool) -> None:
    """cmpub: posts as files in git, checked per platform, published exactly once."""
    ctx.ensure_object(dict)
    ctx.obj["debug"] = debug


# ----------------------------------------------------------------------------- output

#: Control characters content must never send to a terminal: C0 (but tab and newline), DEL
#: and C1 (ESC sequences set the window title, move the cursor, rewrite what was printed).
_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def visible(text: str) -> str:
    """``text`` with every control character shown escaped (ESC as ``\\u001b``), so that a
    title or a server's answer can never drive the terminal; the form is valid in JSON too."""
    return _CONTROLS.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


@dataclass(frozen=True)
class Styled:
    """A piece of a line printed in a colour or bold (see :func:`echo`)."""

    text: str
    style: dict[str, Any] = field(default_factory=dict)


def styled(text: str, **style: Any) -> Styled:
    """``text`` to be printed with click's ``style`` options (``fg="red", bold=True``)."""
    return Styled(text, style)


def echo(*parts: str | Styled, err: bool = False, nl: bool = True) -> None:
    """Print one message: the only way cmpub's commands print.

    Every part is made :func:`visible` first (content never carries escapes to the terminal);
    only then are cmpub's own colours added, so they are the only escapes that go out.
    """
    text = "".join(
        click.style(visible(p.text), **p.style) if isinstance(p, Styled) else visible(p)
        for p in parts
    )
    click.echo(text, err=err, nl=nl)


def fault_hook() -> Callable[[str], None] | None:
    """The SIGKILL hook of the fault tests (only with ``CMPUB_TEST_HOOKS=1``).

    ``CMPUB_TEST_KILL_AT=<step>[:<n>]`` kills the process with SIGKILL the n-th time (default:
    first) it reaches ``<step>``. Never set it otherwise.
    """
    if os.environ.get("CMPUB_TEST_HOOKS") != "1":
        return None
    target, _, nth = os.environ.get("CMPUB_TEST_KILL_AT", "").partition(":")
    wanted = int(nth or 1)
    seen = {"n": 0}

    def hook(step: str) -> None:
        if step == target:
            seen["n"] += 1
            if seen["n"] == wanted:
                os.kill(os.getpid(), signal.SIGKILL)

    return hook


def _github_escape(text: str, prop: bool = False) -> str:
    text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    return text.replace(":", "%3A").replace(",", "%2C") if prop else text


def github_annotation(p: Problem) -> str:
    """A GitHub Actions workflow command that puts the Problem on the diff line."""
    kind = "error" if p.severity is Severity.ERROR else "warning"
    props = [f"file={_github_escape(p.path, True)}"]
    if p.line > 0:
        props += [f"line={p.line}", f"col={max(p.col, 1)}"]
    props.append(f"title={_github_escape(p.code, True)}")
    message = f"{p.message} ({p.hint})" if p.hint else p.message
    return f"::{kind} {','.join(props)}::{_github_escape(message)}"


def _print_problems(problems: list[Problem], fmt: str) -> None:
    if fmt == "json":
        echo(json.dumps([p.as_dict() for p in problems], ensure_ascii=False, indent=2))
        return
    for p in problems:
        if fmt == "github":
            echo(github_annotation(p))
            continue
        colour = "red" if p.severity is Severity.ERROR else "yellow"
        where = p.path if p.line <= 0 else f"{p.path}:{p.line}:{max(p.col, 1)}"
        hint = f" ({p.hint})" if p.hint else ""
        echo(f"{where}: ", styled(str(p.severity), fg=colour, bold=True), f": {p.message}{hint}")


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


# ----------------------------------------------------------------------------- validate


def _project(path: Path) -> Path:
    if not path.exists():
        raise click.UsageError(f"'{path}' does not exist")
    root = find_root(path)
    if root is None:
        raise click.UsageError(f"no cmpub.yaml in '{path}' or above it: is this a cmpub project?")
    return root


@main.command()
@click.argument("path", required=False, type=click.Path(path_type=Path), default=Path("."))
@click.option(
    "--format",
    "fmt",
    type=click.Choice(FORMATS),
    default="text",
    show_default=True,
    help="text for people, json for tools, github for workflow annotations.",
)
@click.option("--strict", is_flag=True, help="Treat warnings as errors.")
def validate(path: Path, fmt: str, strict: bool) -> None:
    """Check every post against its channels' rules, and report all Problems at once.

    PATH is the project (default: here) or a post file or folder inside it.
    """
    from cmpub.render.validate import validate_project

    root = _project(path)
    only = None
    if path.resolve() != root.resolve():
        from cmpub.read.posts import find_posts

        target = path.resolve()
        only = [target] if not target.is_dir() else find_posts(target, ".")
        only = [root / p.relative_to(root.resolve()) for p in only]  # links stay links
    try:
        report = validate_project(root, only, strict=strict)
    except ConfigError as exc:
        problems = [p.strict() if strict else p for p in exc.problems]
        _print_problems(problems, fmt)
        if fmt == "text":
            echo(
                f"cmpub.yaml: {_plural(sum(p.severity is Severity.ERROR for p in problems), 'error')}; "
                "nothing else was checked",
                err=True,
            )
        sys.exit(2)
    _print_problems(report.problems, fmt)
    if fmt == "text":
        channels = {c for (_, c) in report.copies}
        summary = (
            f"{_plural(len(report.posts), 'post')} checked on "
            f"{_plural(len(channels), 'channel')}: {_plural(len(report.errors), 'error')}, "
            f"{_plural(len(report.warnings), 'warning')}"
        )
        echo(summary)
    sys.exit(1 if report.errors else 0)


# ----------------------------------------------------------------------------- build


@main.command()
@click.argument("path", required=False, type=click.Path(path_type=Path), default=Path("."))
@click.option(
    "--out",
    type=click.Path(path_type=Path),
    default=None,
    help="Output folder (default: dist/ in the project).",
)
@click.option(
    "--now",
    "now_text",
    metavar="ISO",
    default=None,
    help="The clock, e.g. 2026-12-01T09:00+01:00 (default: the real time).",
)
@click.option(
    "--jobs",
    "-j",
    type=click.IntRange(1, 64),
    default=None,
    help="Image worker processes (default: all cores).",
)
@click.option("--no-images", is_flag=True, help="Skip image variants (text and site only).")
@click.option(
    "--contact-sheet",
    is_flag=True,
    help="Also write contact/<post>.jpg: every image variant of a post side by side.",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(FORMATS),
    default="text",
    show_default=True,
    help="How Problems are printed.",
)
def build(
    path: Path,
    out: Path | None,
    now_text: str | None,
    jobs: int | None,
    no_images: bool,
    contact_sheet: bool,
    fmt: str,
) -> None:
    """Render every post for every channel, the branded images and the site into dist/.

    Stops before writing anything when a post has a Problem; the previous dist/ stays intact.
    """
    from cmpub.build.pipeline import build as run_build
    from cmpub.model.clock import parse_now
    from cmpub.model.errors import ProblemsFound

    root = _project(path)
    try:
        now = parse_now(now_text)
    except ValueError:
        raise click.BadParameter(
            f"'{now_text}' is not an ISO date and time", param_hint="--now"
        ) from None
    bar: Any = None
    interactive = sys.stderr.isatty() and not os.environ.get("CI")

    def progress(what: str, done: int, total: int) -> None:
        nonlocal bar
        if not interactive or total < 20:
            return
        if bar is None:
            bar = click.progressbar(length=total, label=f"Encoding {what}", file=sys.stderr)
            bar.__enter__()
        bar.update(1)
        if done == total:
            bar.__exit__(None, None, None)
            bar = None

    try:
        result = run_build(
            root,
            out,
            now=now,
            jobs=jobs,
            images=not no_images,
            progress=progress,
            hook=fault_hook(),
            contact_sheets=contact_sheet and not no_images,
        )
    except ConfigError as exc:
        _print_problems(exc.problems, fmt)
        sys.exit(2)
    except ProblemsFound as exc:
        _print_problems(exc.problems, fmt)
        if fmt == "text":
            echo(f"cmpub: {exc}", err=True)
        sys.exit(1)
    _print_problems(result.warnings, fmt)
    if fmt == "text":
        echo(result.summary())


@main.command("export-site")
@click.argument("path", required=False, type=click.Path(path_type=Path), default=Path("."))
@click.option(
    "--dist",
    type=click.Path(path_type=Path),
    default=None,
    help="The build folder (default: dist/ in the project).",
)
@click.option(
    "--out",
    type=click.Path(path_type=Path),
    required=True,
    help="Where to put the public site (e.g. _site for GitHub Pages).",
)
def export_site(path: Path, dist: Path | None, out: Path) -> None:
    """Copy only the public site out of a build: pages, feeds, their images; never the manifest,
    the copies, the outbox or images of posts that are not out yet.

    OUT is replaced whole: it must be a new or empty folder, or one export-site made before.
    """
    from cmpub.build.output import EXPORT, check_out_dir, export, project_sources
    from cmpub.read.config import load_config

    root = _project(path)
    build_dir = root / "dist"
    dist = dist or build_dir
    try:
        config = load_config(root)
    except ConfigError as exc:
        _print_problems(exc.problems, "text")
        sys.exit(2)
    sources = [*project_sources(root, config), (dist, "the build export-site copies from")]
    if dist.resolve() != build_dir.resolve():
        sources.append((build_dir, "the build (its manifest and outbox/)"))
    check_out_dir(out, EXPORT, root, sources, keep=[root / ".cmpub-cache"])
    try:
        manifest = json.loads((dist / "manifest.json").read_text(encoding="utf-8"))
        files = manifest["site_files"]
        if not isinstance(files, list) or not all(isinstance(f, str) for f in files):
            raise TypeError
    except (OSError, ValueError, KeyError, TypeError):
        raise click.UsageError(f"no complete build in {dist}: run `cmpub build` first") from None
    n = export(dist, files, out, hook=fault_hook())
    echo(f"{n} files of the public site in {out}")


# ----------------------------------------------------------------------------- count


@main.command()
@click.argument("text", required=False)
@click.option(
    "--channel",
    "-c",
    "channels",
    multiple=True,
    metavar="ID",
    help="A channel to count for (repeatable; default: every social channel).",
)
@click.option(
    "--format", "fmt", type=click.Choice(("text", "json")), default="text", show_default=True
)
def count(text: str | None, channels: tuple[str, ...], fmt: str) -> None:
    """Print each channel's length and limit for TEXT (or '-' / nothing: standard input).

    Lengths are in each platform's own unit (X weighted characters, Bluesky graphemes and
    bytes, ...). Inside a project, limits come from its cmpub.yaml (a Mastodon instance's).
    """
    from cmpub.model.schema import did_you_mean
    from cmpub.platforms import RULES
    from cmpub.read.config import channel_rules, load_config

    if text is None or text == "-":
        stream = getattr(sys.stdin, "buffer", None)
        data = stream.read() if stream is not None else sys.stdin.read().encode("utf-8")
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise click.UsageError(
                f"standard input is not UTF-8 text (byte 0x{data[exc.start]:02x} at position"
                f" {exc.start} cannot be read): save or convert the text as UTF-8"
            ) from None
        text = text.removeprefix("\ufeff")
        if text.endswith("\n"):
            text = text[:-1]
    else:
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:
            raise click.BadParameter(
                "the text is not UTF-8 (check your terminal's encoding)", param_hint="TEXT"
            ) from None
    text = text.replace("\r\n", "\n")
    for cid in channels:
        if cid not in RULES:
            hint = did_you_mean(cid, list(RULES))
            raise click.BadParameter(
                f"unknown channel '{cid}'" + (f" ({hint})" if hint else ""), param_hint="--channel"
            )
    wanted = list(channels) or [cid for cid, r in RULES.items() if r.social]
    root = find_root(Path.cwd())
    config = None
    if root is not None:
        try:
            config = load_config(root)
        except ConfigError:
            config = None
    rows = []
    for cid in wanted:
        rules = channel_rules(config, cid) if config else RULES[cid]
        for m in rules.measures(text):
            rows.append(
                {
                    "channel": cid,
                    "length": m.length,
                    "limit": m.limit,
                    "unit": m.unit,
                    "ok": not m.over,
                    "firm": m.firm,
                }
            )
    if fmt == "json":
        echo(json.dumps(rows, ensure_ascii=False, indent=2))
    else:
        for r in rows:
            limit = "-" if r["limit"] is None else str(r["limit"])
            state = (
                styled("ok", fg="green")
                if r["ok"]
                else styled(
                    f"{r['length'] - r['limit']} over"
                    + ("" if r["firm"] else " (unverified limit)"),
                    fg="red" if r["firm"] else "yellow",
                    bold=True,
                )
            )
            echo(f"{r['channel']:<10} {r['length']:>6} / {limit:<5} {r['unit']:<34} ", state)
    sys.exit(0 if all(r["ok"] or not r["firm"] for r in rows) else 1)


if __name__ == "__main__":  # pragma: no cover
    main()
