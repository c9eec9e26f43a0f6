"""The command line: formats, exit codes, and never a traceback."""

from __future__ import annotations

import json
import subprocess
import sys

from click.testing import CliRunner

from cmpub.cli.app import main
from tests.support.project import POST, MakeProject

TOO_LONG = POST.replace('"A short hello from the café."', '"' + "Très bien. " * 30 + '"')


def test_validate_clean_exits_0(make_project: MakeProject, runner: CliRunner) -> None:
    root = make_project({"content/hello.md": POST})
    result = runner.invoke(main, ["validate", str(root)])
    assert result.exit_code == 0, result.output
    assert "1 post checked on 4 channels: 0 errors, 0 warnings" in result.output


def test_validate_text_format(make_project: MakeProject, runner: CliRunner) -> None:
    root = make_project({"content/hello.md": TOO_LONG})
    result = runner.invoke(main, ["validate", str(root)])
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert lines[0].startswith(
        "content/hello.md:5:1: error: Bluesky: the text is 349/300 graphemes, 49 over"
    )
    assert lines[1].startswith(
        "content/hello.md:5:1: error: X: the text is 408/280 weighted characters, 128 over"
    )
    assert "set 'thread: true'" in lines[1]
    assert lines[2] == "1 post checked on 4 channels: 2 errors, 0 warnings"


def test_validate_json_format(make_project: MakeProject, runner: CliRunner) -> None:
    root = make_project({"content/hello.md": TOO_LONG})
    result = runner.invoke(main, ["validate", str(root), "--format", "json"])
    data = json.loads(result.output)
    assert {d["code"] for d in data} == {"bluesky.too-long", "x.too-long"}
    assert set(data[0]) == {"path", "line", "col", "severity", "code", "message", "hint"}


def test_validate_github_format(make_project: MakeProject, runner: CliRunner) -> None:
    root = make_project({"content/hello.md": TOO_LONG})
    result = runner.invoke(main, ["validate", str(root), "--format", "github"])
    first = result.output.splitlines()[0]
    assert first.startswith(
        "::error file=content/hello.md,line=5,col=1,title=bluesky.too-long::Bluesky"
    )


def test_strict_turns_warnings_into_errors(make_project: MakeProject, runner: CliRunner) -> None:
    root = make_project({"content/hello.md": POST.replace("10:00", "23:30")})
    config = (root / "cmpub.yaml").read_text() + 'cadence:\n  quiet_hours: ["22:00", "07:00"]\n'
    (root / "cmpub.yaml").write_text(config)
    assert runner.invoke(main, ["validate", str(root)]).exit_code == 0
    result = runner.invoke(main, ["validate", str(root), "--strict"])
    assert result.exit_code == 1
    assert "error: goes out at 23:30, in the quiet hours (22:00–07:00)" in result.output


def test_config_error_exits_2(make_project: MakeProject, runner: CliRunner) -> None:
    root = make_project(config="site: {title: x}\n")
    result = runner.invoke(main, ["validate", str(root)])
    assert result.exit_code == 2
    assert "cmpub.yaml:1:1: error: 'site.url' is required" in result.output


def test_not_a_project_exits_2(tmp_path, runner: CliRunner) -> None:
    result = runner.invoke(main, ["validate", str(tmp_path)])
    assert result.exit_code == 2
    assert "no cmpub.yaml" in result.output


def test_validate_one_file(make_project: MakeProject, runner: CliRunner) -> None:
    root = make_project({"content/a.md": POST, "content/b.md": ""})
    assert runner.invoke(main, ["validate", str(root / "content/a.md")]).exit_code == 0
    assert runner.invoke(main, ["validate", str(root)]).exit_code == 1


def test_count_prints_each_channel(runner: CliRunner) -> None:
    result = runner.invoke(main, ["count", "Café ☕ https://example.com #lyon"])
    assert result.exit_code == 0
    rows = {line.split()[0] + " " + line.split()[4]: line for line in result.output.splitlines()}
    assert rows["x weighted"].split()[1] == "37"
    assert rows["bluesky graphemes"].split()[1] == "32"
    assert rows["bluesky UTF-8"].split()[1] == "35"
    assert rows["mastodon graphemes"].split()[1] == "36"


def test_count_reads_stdin_and_json(runner: CliRunner) -> None:
    result = runner.invoke(
        main, ["count", "-c", "x", "--format", "json", "-"], input="a" * 281 + "\n"
    )
    assert result.exit_code == 1
    assert json.loads(result.output) == [
        {
            "channel": "x",
            "length": 281,
            "limit": 280,
            "unit": "weighted characters",
            "ok": False,
            "firm": True,
        }
    ]


def test_count_unknown_channel(runner: CliRunner) -> None:
    result = runner.invoke(main, ["count", "-c", "twiter", "hi"])
    assert result.exit_code == 2
    assert "unknown channel 'twiter'" in result.output


def test_python_dash_m_works() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "cmpub", "--version"], capture_output=True, text=True
    )
    assert out.returncode == 0 and out.stdout.startswith("cmpub, version")


def test_cache_reuses_unchanged_files_and_rechecks_changed_ones(make_project: MakeProject) -> None:
    from cmpub.render.validate import validate_project

    root = make_project({"content/a.md": POST, "content/b.md": POST.replace("Hello", "Other")})
    cache: dict = {}
    first = validate_project(root, cache=cache, fingerprint="v1")
    assert set(cache) == {"content/a.md", "content/b.md"}
    kept = cache["content/a.md"]
    (root / "content/b.md").write_text(POST.replace("Hello", "Changed"), encoding="utf-8")
    second = validate_project(root, cache=cache, fingerprint="v1")
    assert cache["content/a.md"] is kept
    assert {p.title for p in second.posts} == {"Hello", "Changed"}
    assert first.copies.keys() == second.copies.keys()
    validate_project(root, cache=cache, fingerprint="v2")
    assert cache["content/a.md"] is not kept


def test_mastodon_counts_the_content_warning(make_project: MakeProject, runner: CliRunner) -> None:
    text = POST.replace("[site, bluesky, mastodon, x]", "[mastodon]").replace(
        '"A short hello from the café."', '"' + "a" * 480 + '"'
    )
    root = make_project({"content/hello.md": text})
    assert runner.invoke(main, ["validate", str(root)]).exit_code == 0
    (root / "content/hello.md").write_text(
        text.replace("summary:", "cw: Spoilers about the roast!\nsummary:")
    )
    result = runner.invoke(main, ["validate", str(root)])
    assert result.exit_code == 1
    assert (
        "error: Mastodon: the text is 505/500 graphemes (content warning included), 5 over"
        in result.output
    )
