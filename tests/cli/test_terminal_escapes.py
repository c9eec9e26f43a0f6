"""Terminal output never carries escapes from content, and ``cmpub count -`` reads bytes safely.

A title or a server's answer with ``ESC ] 0 ; … BEL`` would set the terminal's title (and other
sequences move the cursor or rewrite what was printed). Every command prints through
``cmpub.cli.app.echo``, which shows control characters escaped; a test walks the CLI's code and
fails on any other way of printing.
"""

from __future__ import annotations

import ast
import json
import os
from pathlib import Path

from click.testing import CliRunner

from cmpub.cli.app import main
from cmpub.read import ledger
from tests.support.project import POST, MakeProject

HOSTILE = "\x1b]0;pwned\x07 \x9b2J\r done"
SHOWN = "\\u001b]0;pwned\\u0007 \\u009b2J\\u000d done"
RAW = ("\x1b", "\x07", "\x9b", "\r")


def _clean(text: str) -> None:
    for char in RAW:
        assert char not in text, f"raw {char!r} reached the terminal: {text!r}"


def test_visible_escapes_c0_del_and_c1_but_keeps_lines_and_tabs() -> None:
    from cmpub.cli.app import visible

    assert visible(HOSTILE) == SHOWN
    assert visible("a\tb\nc\x7fd\x00") == "a\tb\nc\\u007fd\\u0000"
    assert visible("Café ☕ «ok» 日本") == "Café ☕ «ok» 日本"


def test_echo_keeps_json_valid_and_adds_only_cmpubs_own_colours(runner: CliRunner) -> None:
    import click

    from cmpub.cli.app import echo, styled

    @click.command()
    def show() -> None:
        echo(json.dumps({"title": "a\x9bb"}, ensure_ascii=False))
        echo("before ", styled("\x1b[8mhidden", fg="red"), " after", err=True)

    result = runner.invoke(show, color=True)
    assert json.loads(result.stdout) == {"title": "a\x9bb"}
    assert result.stderr == "before \x1b[31m\\u001b[8mhidden\x1b[0m after\n"


def test_calendar_shows_a_hostile_title_escaped(
    make_project: MakeProject, runner: CliRunner
) -> None:
    # YAML's double-quoted "\e" and "\a" are ESC and BEL; whether front matter accepts them
    # (it may refuse them at their line), nothing raw reaches the terminal.
    post = POST.replace("title: Hello", 'title: "Hello \\e]0;pwned\\a"')
    root = make_project({"content/hello.md": post})
    result = runner.invoke(main, ["calendar", str(root), "--now", "2026-11-01T00:00Z"])
    _clean(result.stdout + result.stderr)
    if "Hello" in result.stdout:
        assert "Hello \\u001b]0;pwned\\u0007" in result.stdout


def test_status_shows_what_the_ledger_and_servers_said_escaped(
    make_project: MakeProject, runner: CliRunner
) -> None:
    root = make_project({"content/hello.md": POST})
    base = {"idempotency_key": "k", "content_hash": "h", "publish_at": "2026-12-01T09:00:00Z"}
    ledger.write(
        root,
        "ledger",
        ledger.Record(
            post="hello",
            channel="mastodon",
            part=0,
            state="published",
            url=f"https://social.example/@cafe/1{HOSTILE}",
            published_at="2026-12-01T09:00:01Z",
            **base,
        ),
    )
    ledger.write(
        root,
        "ledger",
        ledger.Record(
            post="hello",
            channel="bluesky",
            part=0,
            state="failed",
            error=f"Bluesky said {HOSTILE}",
            error_code="auth",
            updated_at="2026-12-01T09:00:02Z",
            **base,
        ),
    )
    result = runner.invoke(main, ["status", str(root), "--now", "2026-12-02T09:00Z"])
    _clean(result.stdout + result.stderr)
    assert f"hello → Mastodon at 2026-12-01T09:00:01Z  https://social.example/@cafe/1{SHOWN}" in (
        result.stdout
    )
    assert f"({'Bluesky said ' + SHOWN})" in result.stdout


def test_usage_errors_quoting_input_are_escaped(runner: CliRunner) -> None:
    result = runner.invoke(main, ["count", "-c", "x\x1b]0;t\x07", "hi"])
    assert result.exit_code == 2
    _clean(result.output)
    assert "unknown channel 'x\\u001b]0;t\\u0007'" in result.output


def test_count_refuses_standard_input_that_is_not_utf8(runner: CliRunner) -> None:
    result = runner.invoke(main, ["count", "-"], input=b"caf\xe9 au lait\n")
    assert result.exit_code == 2
    assert result.output.splitlines()[-1] == (
        "Error: standard input is not UTF-8 text (byte 0xe9 at position 3 cannot be read):"
        " save or convert the text as UTF-8"
    )


def test_count_reads_utf8_standard_input_with_a_byte_order_mark(runner: CliRunner) -> None:
    result = runner.invoke(
        main, ["count", "-c", "x", "--format", "json", "-"], input="\ufeffcafé\n".encode()
    )
    assert result.exit_code == 0
    assert json.loads(result.output)[0]["length"] == 4


def test_count_refuses_an_argument_that_is_not_utf8(runner: CliRunner) -> None:
    text = os.fsdecode(b"caf\xe9")  # how Python hands over undecodable argv bytes
    result = runner.invoke(main, ["count", text])
    assert result.exit_code == 2
    assert (
        "Invalid value for TEXT: the text is not UTF-8 (check your terminal's encoding)"
        in result.output
    )


def test_every_command_prints_through_echo() -> None:
    """No ``click.echo``/``secho``/``print``/``sys.stdout.write`` in the CLI but in echo itself.

    ``cli/init.py`` is left out: it prints only the brand name and folder its user typed.
    """
    import cmpub

    package = Path(cmpub.__file__).parent
    files = sorted((package / "cli").glob("*.py"))
    found = []
    for path in files:
        if path.name == "init.py":
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        allowed = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef) and node.name == "echo":
                allowed = {id(n) for n in ast.walk(node)}
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call) or id(node) in allowed:
                continue
            name = ast.unparse(node.func)
            if name in ("click.echo", "click.secho", "print") or name.endswith(
                ("stdout.write", "stderr.write")
            ):
                found.append(f"{path.name}:{node.lineno}: {name}")
    assert found == []
