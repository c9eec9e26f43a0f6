"""The Jinja2 environment of a project: its ``templates/`` first, then the built-in theme.

A project overrides a built-in template by writing a file of the same name under ``templates/``
(``templates/social/x.txt.j2``). Templates are data, not code: they run in Jinja2's sandbox,
with undefined variables as errors. A template mistake becomes a Problem at the template's own
``file:line``.
"""

from __future__ import annotations

import hashlib
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jinja2
from jinja2.sandbox import SandboxedEnvironment

from cmpub.errors import Problem, error

THEME = Path(__file__).resolve().parent.parent / "theme"


class TemplateProblem(Exception):
    """A template that cannot be compiled or rendered; ``problem`` says where and why."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(str(problem))
        self.problem = problem


class Templates:
    """Finds, compiles (once) and renders the templates of one project."""

    def __init__(self, root: Path | None) -> None:
        self.root = root
        folders = []
        if root is not None and (root / "templates").is_dir():
            folders.append(str(root / "templates"))
        folders.append(str(THEME))
        self.env = SandboxedEnvironment(
            loader=jinja2.FileSystemLoader(folders),
            undefined=jinja2.StrictUndefined,
            autoescape=jinja2.select_autoescape(("html", "html.j2", "xml", "xml.j2")),
            keep_trailing_newline=True,
            auto_reload=False,  # one build sees one state of the files
            trim_blocks=False,
            lstrip_blocks=False,
        )
        self._cache: dict[str, jinja2.Template] = {}
        self._first: dict[tuple[str, ...], str] = {}

    def exists(self, name: str) -> bool:
        """True when a template of that name is found (project first, then theme)."""
        try:
            self.env.get_template(name)
        except jinja2.TemplateNotFound:
            return False
        except jinja2.TemplateSyntaxError:
            return True
        return True

    def first(self, *names: str) -> str:
        """The first of ``names`` that exists (so ``social/x.txt.j2`` beats the default)."""
        found = self._first.get(names)
        if found is None:
            found = self._first[names] = next((n for n in names if self.exists(n)), names[-1])
        return found

    def get(self, name: str) -> jinja2.Template:
        """The compiled template, or a TemplateProblem at its file:line."""
        cached = self._cache.get(name)
        if cached is None:
            try:
                cached = self.env.get_template(name)
            except jinja2.TemplateSyntaxError as exc:
                raise TemplateProblem(
                    self._problem(exc.filename or name, exc.lineno, exc.message or "")
                ) from None
            except jinja2.TemplateNotFound:
                raise TemplateProblem(
                    error(
                        "templates",
                        0,
                        0,
                        "template.missing",
                        f"template '{name}' not found",
                        "restore it, or remove the file that includes it",
                    )
                ) from None
            self._cache[name] = cached
        return cached

    def render(self, name: str, **context: Any) -> str:
        """Render a template; errors become a TemplateProblem at the template's line."""
        template = self.get(name)
        try:
            return template.render(**context)
        except jinja2.TemplateError as exc:
            filename, line = _template_frame(template)
            raise TemplateProblem(self._problem(filename or name, line, str(exc))) from None

    def fingerprint(self, folder: str = "") -> str:
        """A hash of the template files (under ``folder``, e.g. 'social') for the build cache."""
        h = hashlib.sha256()
        for path in sorted(_files(self.env, folder)):
            h.update(str(path.relative_to(path.parents[1])).encode())
            h.update(path.read_bytes())
        return h.hexdigest()

    def _problem(self, filename: str, line: int | None, message: str) -> Problem:
        path = Path(filename)
        shown = path.as_posix()
        if self.root is not None and path.is_absolute() and path.is_relative_to(self.root):
            shown = path.relative_to(self.root).as_posix()
        elif path.is_absolute() and path.is_relative_to(THEME):
            shown = "cmpub/theme/" + path.relative_to(THEME).as_posix()
        hint = (
            "define it, or guard it with {% if ... is defined %}"
            if "undefined" in message
            else ("check the {{ }} and {% %} tags on this line")
        )
        return error(shown, line or 0, 1, "template.error", message, hint)


def _files(env: jinja2.Environment, sub: str = "") -> Iterator[Path]:
    loader = env.loader
    assert isinstance(loader, jinja2.FileSystemLoader)
    for folder in loader.searchpath:
        base = Path(folder) / sub if sub else Path(folder)
        yield from (p for p in base.rglob("*") if p.suffix in (".j2", ".json") and p.is_file())


def _template_frame(template: jinja2.Template) -> tuple[str | None, int | None]:
    """The template file and line an exception was raised at (Jinja2 rewrites tracebacks)."""
    tb = sys.exc_info()[2]
    found: tuple[str | None, int | None] = (template.filename, None)
    while tb is not None:
        code = tb.tb_frame.f_code
        if code.co_filename.endswith(".j2"):
            found = (code.co_filename, tb.tb_lineno)
        tb = tb.tb_next
    return found
