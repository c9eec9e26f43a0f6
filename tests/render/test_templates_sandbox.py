"""A project's templates are read only from inside it, and every render of them is bounded.

Each hostile template is a Problem at its own file and line (exit 1), never an internal error
(exit 70) or a hang; the built-in theme renders byte for byte as before, even when a project
copies it into templates/ and so runs it through the bounded sandbox.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from cmpub.cli.app import main
from cmpub.render import templates as tpl
from tests.support.project import POST, MakeProject

NOW = "2027-02-01T09:00Z"
ROBOTS = "templates/site/robots.txt.j2"


def _build(runner: CliRunner, root: Path) -> tuple[int, str]:
    result = runner.invoke(main, ["build", str(root), "--now", NOW, "--no-images"])
    return result.exit_code, result.output


def _with_template(make_project: MakeProject, text: str | bytes, name: str = ROBOTS) -> Path:
    return make_project({"content/hello.md": POST, name: text})


def test_a_template_linked_out_of_the_project_is_a_problem_and_never_read(
    make_project: MakeProject, runner: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CMPUB_MASTODON_ACCESS_TOKEN", "tok-3f9a7c2e81d4b6")
    root = make_project({"content/hello.md": POST})
    (root / "templates/site").mkdir(parents=True)
    (root / ROBOTS).symlink_to("/proc/self/environ")
    code, text = _build(runner, root)
    real = Path("/proc/self/environ").resolve()
    assert code == 1
    assert text.splitlines()[0] == (
        f"{ROBOTS}: error: '{ROBOTS}' leads outside the project (to {real}): cmpub reads"
        " templates only from inside the project (replace the link with a real file in"
        " templates/)"
    )
    assert "tok-3f9" not in text
    assert not (root / "dist").exists()


def test_a_linked_templates_folder_outside_the_project_is_a_problem(
    make_project: MakeProject, runner: CliRunner, tmp_path: Path
) -> None:
    elsewhere = tmp_path / "elsewhere/site"
    elsewhere.mkdir(parents=True)
    (elsewhere / "robots.txt.j2").write_text("User-agent: *\n")
    root = make_project({"content/hello.md": POST})
    (root / "templates").symlink_to(elsewhere.parent)
    code, text = _build(runner, root)
    assert code == 1
    assert (
        f"{ROBOTS}: error: '{ROBOTS}' leads outside the project (to"
        f" {elsewhere.resolve() / 'robots.txt.j2'}): cmpub reads templates only from inside the"
        " project (replace the link with a real file in templates/)"
    ) in text


def test_a_link_that_stays_inside_the_project_is_followed(
    make_project: MakeProject, runner: CliRunner
) -> None:
    root = make_project({"content/hello.md": POST, "shared/robots.j2": "User-agent: cmpub\n"})
    (root / "templates/site").mkdir(parents=True)
    (root / ROBOTS).symlink_to(root / "shared/robots.j2")
    code, text = _build(runner, root)
    assert code == 0, text
    assert (root / "dist/robots.txt").read_text() == "User-agent: cmpub\n"


HEAD = "User-agent: *\n{# a comment #}\n"
BOUNDED = [
    (
        "{% for i in range(10**9) %}x{% endfor %}",
        "range() of more than 100,000 numbers: the sandbox refuses it (loop over the data you"
        " are given, not over a huge range)",
    ),
    (
        "{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}",
        "this template runs more than 2,000,000 loop rounds or macro calls for one page (a loop"
        " over a huge range, loops nested too deep, or a macro that calls itself without end:"
        " loop over the data you are given)",
    ),
    (
        "{% macro f(n) %}{{ f(n + 1) }}{% endmacro %}{{ f(0) }}",
        "a macro or an include calls itself without end (give the recursion a condition that"
        " stops it)",
    ),
    (
        '{% macro d(s) %}{{ d(s ~ s) }}{% endmacro %}{{ d("x") }}',
        "this template builds a text of more than 10,000,000 characters or items (something"
        " grows without end: check the loops, the macros and the filters on this line)",
    ),
    (
        "{% for i in range(100000) %}{% for j in range(1000) %}{{ '.' * 400 }}"
        "{% endfor %}{% endfor %}",
        "this template's output passes 10,000,000 characters for one page (a loop or a macro"
        " that writes without end: check this line)",
    ),
    (
        '{{ "x" * 10**10 }}',
        "this template builds a text or list of more than 10,000,000 characters or items"
        " (something grows without end: check the loops, the macros and the filters on this"
        " line)",
    ),
    (
        '{{ "x"|center(10**10) }}',
        "this template builds a text of more than 10,000,000 characters or items (something"
        " grows without end: check the loops, the macros and the filters on this line)",
    ),
    (
        '{{ "{:10000000000}".format(1) }}',
        "this template builds a text of more than 10,000,000 characters or items (something"
        " grows without end: check the loops, the macros and the filters on this line)",
    ),
    (
        "{{ 3 ** 10000000 }}",
        "3 ** 10000000 is a number too large to compute (use a smaller exponent)",
    ),
    ("{{ 1 / 0 }}", "division by zero (check the {{ }} and {% %} tags on this line)"),
    (
        '{% include "site/robots.txt.j2" %}',
        "a macro or an include calls itself without end (give the recursion a condition that"
        " stops it)",
    ),
]


@pytest.mark.parametrize("line,message", BOUNDED, ids=[b[0][:40] for b in BOUNDED])
def test_a_runaway_template_is_a_problem_at_its_line(
    make_project: MakeProject, runner: CliRunner, line: str, message: str
) -> None:
    root = _with_template(make_project, HEAD + line + "\n")
    code, text = _build(runner, root)
    assert code == 1, text
    assert text.splitlines()[0] == f"{ROBOTS}:3:1: error: {message}"
    assert not (root / "dist").exists()


@pytest.mark.parametrize(
    "limit,value,message",
    [
        (
            "MAX_SECONDS",
            0.0,
            "this template takes more than 0 seconds for one page (a loop or a macro that does"
            " far too much work: simplify this line)",
        ),
        (
            "MAX_MEMORY",
            -(2**20),
            "this template uses more than -1 MB of memory for one page (something grows without"
            " end: check the loops and macros on this line)",
        ),
    ],
)
def test_time_and_memory_are_bounded_too(
    make_project: MakeProject,
    runner: CliRunner,
    monkeypatch: pytest.MonkeyPatch,
    limit: str,
    value: float,
    message: str,
) -> None:
    """The limits are lowered so that any loop reaches them: no timing in the test."""
    monkeypatch.setattr(tpl, limit, value)
    root = _with_template(make_project, HEAD + "{% for i in range(1000) %}.{% endfor %}\n")
    code, text = _build(runner, root)
    assert (code, text.splitlines()[0]) == (1, f"{ROBOTS}:3:1: error: {message}")


def test_a_social_template_is_bounded_in_validate_too(
    make_project: MakeProject, runner: CliRunner
) -> None:
    root = _with_template(
        make_project,
        "{{ words }}\n{% for i in range(10**6) %}{% endfor %}\n",
        "templates/social/default.txt.j2",
    )
    result = runner.invoke(main, ["validate", str(root)])
    assert result.exit_code == 1
    assert (
        "templates/social/default.txt.j2:2:1: error: range() of more than 100,000 numbers: the"
        " sandbox refuses it (loop over the data you are given, not over a huge range)"
    ) in result.output


def test_a_template_that_is_not_utf8_is_a_problem(
    make_project: MakeProject, runner: CliRunner
) -> None:
    root = _with_template(make_project, b"User-agent: \xff\n")
    code, text = _build(runner, root)
    assert (code, text.splitlines()[0]) == (
        1,
        f"{ROBOTS}: error: '{ROBOTS}' is not UTF-8 text (save it as UTF-8 in your editor)",
    )


def test_the_theme_renders_byte_identical_through_the_bounded_sandbox(
    make_project: MakeProject, runner: CliRunner, tmp_path: Path
) -> None:
    """A project that copies the whole theme into templates/ runs it bounded: same bytes."""
    posts = {
        "content/hello.md": POST,
        "content/other.md": POST.replace("Hello", "Other").replace("2026-12-01", "2026-12-02"),
    }
    plain = make_project(posts)
    assert _build(runner, plain)[0] == 0
    reference = tmp_path / "reference"
    shutil.move(plain / "dist", reference)
    shutil.rmtree(plain / ".cmpub-cache")
    shutil.copytree(tpl.THEME / "site", plain / "templates/site")
    shutil.copytree(tpl.THEME / "social", plain / "templates/social")
    assert _build(runner, plain)[0] == 0

    def tree(folder: Path) -> dict[str, bytes]:
        return {
            p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*"))
            if p.is_file()
        }

    assert tree(plain / "dist") == tree(reference)
    assert isinstance(tpl.Templates(plain).env, tpl._Bounded)
    assert not isinstance(tpl.Templates(tmp_path).env, tpl._Bounded)


def test_the_theme_words_file_linked_out_of_the_project_is_a_problem(
    make_project: MakeProject, runner: CliRunner, tmp_path: Path
) -> None:
    secret = tmp_path / "secret.json"
    secret.write_text('{"fr": {"home": "tok-3f9a7c2e81d4b6"}}')
    root = make_project({"content/hello.md": POST})
    (root / "templates/site").mkdir(parents=True)
    (root / "templates/site/strings.json").symlink_to(secret)
    code, text = _build(runner, root)
    assert code == 1
    assert text.splitlines()[0] == (
        f"templates/site/strings.json: error: 'templates/site/strings.json' leads outside the"
        f" project (to {secret.resolve()}): cmpub reads templates only from inside the project"
        " (replace the link with a real file in templates/)"
    )
    assert not (root / "dist").exists()
