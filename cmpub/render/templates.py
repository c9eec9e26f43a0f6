"""The Jinja2 environment of a project: its ``templates/`` first, then the built-in theme.

A project overrides a built-in template by writing a file of the same name under ``templates/``
(``templates/social/x.txt.j2``). Templates are data, not code: they run in Jinja2's sandbox,
with undefined variables as errors. A template mistake becomes a Problem at the template's own
``file:line``.

A project's own templates are read only from inside the project (a link that leads out of it,
say to ``/proc/self/environ``, is a Problem naming the file), and when a project has any, every
render is bounded (:class:`_Bounded`): loop rounds and macro calls, recursion, the size of every
text or list a template builds, the size of the output, the time and the memory one render may
take. Each limit passed is a Problem at the template's line, never a crash or a hang. A project
that only uses the built-in theme renders with the plain sandbox, exactly as before.
"""

from __future__ import annotations

import hashlib
import re
import sys
import threading
import time
from collections.abc import Callable, Iterator
from functools import wraps
from pathlib import Path
from typing import Any

import jinja2
from jinja2.compiler import CodeGenerator, Frame
from jinja2.sandbox import SandboxedEnvironment

from cmpub.model.errors import Problem, error

THEME = Path(__file__).resolve().parent.parent / "theme"

#: Bounds of one render of a project that has its own templates (far above what the theme
#: needs for thousands of posts; a template that reaches one is looping or growing forever).
MAX_STEPS = 2_000_000  # loop rounds and macro calls
MAX_SIZE = 10_000_000  # characters of the output, of any text, items of any list it builds
MAX_SECONDS = 20.0
MAX_MEMORY = 512 * 1024 * 1024  # bytes the process may grow by during one render


class TemplateProblem(Exception):
    """A template that cannot be compiled or rendered; ``problem`` says where and why."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(str(problem))
        self.problem = problem


class LimitReached(jinja2.exceptions.SecurityError):
    """A bounded render passed one of its limits; the message says which, in plain words."""

    def __init__(self, message: str, hint: str) -> None:
        super().__init__(message)
        self.hint = hint


def _too_big(what: str) -> LimitReached:
    return LimitReached(
        f"this template builds {what} of more than {MAX_SIZE:,} characters or items",
        "something grows without end: check the loops, the macros and the filters on this line",
    )


class _ProjectLoader(jinja2.FileSystemLoader):
    """The file system loader, refusing a project template that resolves outside the project."""

    def __init__(self, folders: list[str], project: Path | None) -> None:
        super().__init__(folders)
        self.project = project

    def get_source(
        self, environment: jinja2.Environment, template: str
    ) -> tuple[str, str, Callable[[], bool]]:
        if self.project is not None:
            pieces = jinja2.loaders.split_template_path(template)
            for folder in self.searchpath:
                path = Path(folder, *pieces)
                if path.is_file():
                    if folder == self.searchpath[0]:
                        _inside_project(path, self.project)
                    break
        try:
            return super().get_source(environment, template)
        except UnicodeDecodeError:
            raise TemplateProblem(
                error(
                    f"templates/{template}",
                    0,
                    0,
                    "template.encoding",
                    f"'templates/{template}' is not UTF-8 text",
                    "save it as UTF-8 in your editor",
                )
            ) from None


def _inside_project(path: Path, project: Path) -> None:
    """Raise a TemplateProblem when ``path`` (a link, or under a linked folder) leaves the project."""
    real = path.resolve()
    if real.is_relative_to(project.resolve()):
        return
    shown = path.relative_to(project).as_posix() if path.is_relative_to(project) else str(path)
    raise TemplateProblem(
        error(
            shown,
            0,
            0,
            "template.outside",
            f"'{shown}' leads outside the project (to {real}): cmpub reads templates only from"
            " inside the project",
            "replace the link with a real file in templates/",
        )
    )


class _Budget:
    """What one render has used so far (per thread: the preview renders in several)."""

    def __init__(self) -> None:
        self.steps = 0
        self.deadline = time.monotonic() + MAX_SECONDS
        self.memory = _peak_memory()


def _peak_memory() -> int:
    """The process's peak resident memory in bytes (Linux counts kB, macOS bytes; 0 where
    the system cannot tell, which turns the memory bound off)."""
    try:
        import resource
    except ImportError:  # Windows
        return 0
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak if sys.platform == "darwin" else peak * 1024


class _TickingCodeGenerator(CodeGenerator):
    """Jinja2's compiler, plus a call to ``environment.cmpub_tick()`` at each loop round and
    macro call, and a size check on every ``~`` concatenation."""

    _macro_entry = False

    def blockvisit(self, nodes: Any, frame: Frame) -> None:
        if frame.loop_frame or self._macro_entry:
            self._macro_entry = False
            self.writeline("environment.cmpub_tick()")
        super().blockvisit(nodes, frame)

    def macro_body(self, node: Any, frame: Frame) -> Any:
        self._macro_entry = True
        return super().macro_body(node, frame)

    def visit_Concat(self, node: Any, frame: Frame) -> None:
        self.write("environment.cmpub_sized(")
        super().visit_Concat(node, frame)
        self.write(")")


_WIDTHS = re.compile(r"\d+")


def _predicted(name: str, value: Any, args: tuple[Any, ...]) -> int:
    """An upper bound of the size of ``value.name(*args)`` (or of the filter ``name``), before it
    runs: the calls whose result can be far larger than their inputs; 0 for the others."""
    if name == "join":
        items, sep = (args[0], value) if isinstance(value, str) and args else (value, "")
        if not isinstance(items, list | tuple):
            return 0
        if not isinstance(value, str) and args:
            sep = str(args[0])
        return sum(len(str(i)) for i in items) + len(sep) * len(items)
    if not isinstance(value, str):
        return 0
    ints = [a for a in args if isinstance(a, int) and not isinstance(a, bool)]
    if name in ("center", "ljust", "rjust", "zfill"):
        return max([len(value), *ints])
    if name == "indent":
        width = args[0] if args else 4
        width = width if isinstance(width, int) else len(str(width))
        return len(value) + (value.count("\n") + 1) * width
    if name == "expandtabs":
        return len(value) * max([8, *ints])
    if name == "replace" and len(args) >= 2:
        old, new = str(args[0]), str(args[1])
        count = len(value) + 1 if old == "" else value.count(old)
        return len(value) + count * len(new)
    if name == "wordwrap":
        return len(value) * 2
    if name in ("format", "format_map", "__mod__"):
        return len(value) + sum(int(w) for w in _WIDTHS.findall(value)) + sum(ints)
    return 0


def _size(value: Any) -> int:
    return len(value) if isinstance(value, str | bytes | list | tuple | dict | set) else 0


class _Bounded(SandboxedEnvironment):
    """The sandbox with every render bounded: see MAX_STEPS, MAX_SIZE, MAX_SECONDS, MAX_MEMORY."""

    code_generator_class = _TickingCodeGenerator
    intercepted_binops = frozenset(("*", "**", "+", "%"))

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self._budget = threading.local()
        self.filters = {name: self._bounded_filter(name, f) for name, f in self.filters.items()}

    def begin(self) -> None:
        """Start counting for one render."""
        self._budget.now = _Budget()

    def cmpub_tick(self) -> None:
        """Called by the compiled templates at each loop round and macro call."""
        budget: _Budget | None = getattr(self._budget, "now", None)
        if budget is None:
            return
        budget.steps += 1
        if budget.steps > MAX_STEPS:
            raise LimitReached(
                f"this template runs more than {MAX_STEPS:,} loop rounds or macro calls for one"
                " page",
                "a loop over a huge range, loops nested too deep, or a macro that calls itself"
                " without end: loop over the data you are given",
            )
        if budget.steps % 256:
            return
        if time.monotonic() > budget.deadline:
            raise LimitReached(
                f"this template takes more than {MAX_SECONDS:g} seconds for one page",
                "a loop or a macro that does far too much work: simplify this line",
            )
        if _peak_memory() - budget.memory > MAX_MEMORY:
            raise LimitReached(
                f"this template uses more than {MAX_MEMORY // 2**20} MB of memory for one page",
                "something grows without end: check the loops and macros on this line",
            )

    def cmpub_sized(self, value: Any) -> Any:
        """A value a template built (a ``~`` concatenation), refused when too large."""
        if _size(value) > MAX_SIZE:
            raise _too_big("a text")
        return value

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        """``*``, ``**``, ``+`` and ``%`` with their result's size checked first."""
        if operator == "*":
            seq, n = (left, right) if isinstance(right, int) else (right, left)
            if isinstance(n, int) and _size(seq) * max(n, 0) > MAX_SIZE:
                raise _too_big("a text or list")
        elif operator == "**" and isinstance(left, int) and isinstance(right, int):
            if abs(left) > 1 and right > 0 and right * left.bit_length() > 100_000:
                raise LimitReached(
                    f"{left} ** {right} is a number too large to compute",
                    "use a smaller exponent",
                )
        elif operator == "%" and isinstance(left, str):
            rest = right if isinstance(right, tuple) else (right,)
            if _predicted("__mod__", left, rest) > MAX_SIZE:
                raise _too_big("a text")
        self.cmpub_tick()
        result = super().call_binop(context, operator, left, right)
        if _size(result) > MAX_SIZE:
            raise _too_big("a text or list")
        return result

    def call(__self, __context: Any, __obj: Any, *args: Any, **kwargs: Any) -> Any:
        """A call from a template, with the size of a text method's result checked first."""
        method = getattr(__obj, "__wrapped__", __obj)  # str.format comes wrapped by the sandbox
        owner = getattr(method, "__self__", None)
        if isinstance(owner, str) and _predicted(method.__name__, owner, args) > MAX_SIZE:
            raise _too_big("a text")
        result = super().call(__context, __obj, *args, **kwargs)
        if _size(result) > MAX_SIZE:
            raise _too_big("a text or list")
        return result

    def _bounded_filter(self, name: str, func: Callable[..., Any]) -> Callable[..., Any]:
        passes = getattr(func, "jinja_pass_arg", None)

        @wraps(func)
        def bounded(*args: Any, **kwargs: Any) -> Any:
            value_at = 0 if passes is None else 1
            if len(args) > value_at:
                value, rest = args[value_at], args[value_at + 1 :]
                if _predicted(name, value, (*rest, *kwargs.values())) > MAX_SIZE:
                    raise _too_big("a text")
            result = func(*args, **kwargs)
            if _size(result) > MAX_SIZE:
                raise _too_big("a text or list")
            return result

        return bounded

    def render(self, template: jinja2.Template, context: dict[str, Any]) -> str:
        """Render ``template`` within the bounds, output size included."""
        self.begin()
        try:
            out: list[str] = []
            total = 0
            pieces = template.generate(**context)
            for piece in pieces:
                total += len(piece)
                if total > MAX_SIZE:  # raised inside the template, so it names the line
                    pieces.throw(
                        LimitReached(
                            f"this template's output passes {MAX_SIZE:,} characters for one page",
                            "a loop or a macro that writes without end: check this line",
                        )
                    )
                out.append(piece)
            return "".join(out)
        finally:
            self._budget.now = None


class Templates:
    """Finds, compiles (once) and renders the templates of one project."""

    def __init__(self, root: Path | None) -> None:
        self.root = root
        folders = []
        own = root is not None and (root / "templates").is_dir()
        if own:
            folders.append(str(root / "templates"))
        folders.append(str(THEME))
        kind = _Bounded if own else SandboxedEnvironment
        self.env = kind(
            loader=_ProjectLoader(folders, root if own else None),
            undefined=jinja2.StrictUndefined,
            autoescape=jinja2.select_autoescape(("html", "html.j2", "xml", "xml.j2")),
            keep_trailing_newline=True,
            auto_reload=False,  # one build sees one state of the files
            trim_blocks=False,
            lstrip_blocks=False,
        )
        self._cache: dict[str, jinja2.Template] = {}
        self._first: dict[tuple[str, ...], str] = {}

    def check_inside(self, path: Path) -> None:
        """Raise a TemplateProblem when ``path`` (a project file beside the templates, such as
        ``templates/site/strings.json``) leads outside the project."""
        if self.root is not None:
            _inside_project(path, self.root)

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
            if isinstance(self.env, _Bounded):
                return self.env.render(template, context)
            return template.render(**context)
        except TemplateProblem:
            raise
        except LimitReached as exc:
            filename, line = _template_frame(template)
            raise TemplateProblem(
                self._problem(filename or name, line, str(exc), exc.hint)
            ) from None
        except RecursionError:
            filename, line = _template_frame(template)
            message = "a macro or an include calls itself without end"
            hint = "give the recursion a condition that stops it"
            raise TemplateProblem(self._problem(filename or name, line, message, hint)) from None
        except MemoryError:
            filename, line = _template_frame(template)
            message = "this template needs more memory than there is"
            hint = "something grows without end: check the loops and macros on this line"
            raise TemplateProblem(self._problem(filename or name, line, message, hint)) from None
        except OverflowError as exc:  # the sandbox's range() cap, a float too large
            filename, line = _template_frame(template)
            message = str(exc)
            if "MAX_RANGE" in message:
                message = "range() of more than 100,000 numbers: the sandbox refuses it"
            hint = "loop over the data you are given, not over a huge range"
            raise TemplateProblem(self._problem(filename or name, line, message, hint)) from None
        except (jinja2.TemplateError, ArithmeticError, LookupError, TypeError, ValueError) as exc:
            filename, line = _template_frame(template)
            raise TemplateProblem(self._problem(filename or name, line, str(exc))) from None

    def fingerprint(self, folder: str = "") -> str:
        """A hash of the template files (under ``folder``, e.g. 'social') for the build cache."""
        h = hashlib.sha256()
        for path in sorted(_files(self.env, folder)):
            h.update(str(path.relative_to(path.parents[1])).encode())
            root = self.root
            if (
                root
                and path.is_relative_to(root)
                and not path.resolve().is_relative_to(root.resolve())
            ):
                continue  # a link out of the project: never read (loading it is a Problem)
            h.update(path.read_bytes())
        return h.hexdigest()

    def _problem(self, filename: str, line: int | None, message: str, hint: str = "") -> Problem:
        path = Path(filename)
        shown = path.as_posix()
        if self.root is not None and path.is_absolute() and path.is_relative_to(self.root):
            shown = path.relative_to(self.root).as_posix()
        elif path.is_absolute() and path.is_relative_to(THEME):
            shown = "cmpub/theme/" + path.relative_to(THEME).as_posix()
        hint = hint or (
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
