"""Problems a user can fix, and the one exception tree of cmpub.

A *Problem* is something wrong in the user's project (a post, ``cmpub.yaml``, an image): it
carries a location and a fix, and every Problem of every file is reported at once. An
*exception* stops an operation; only ``cli.py`` turns one into a message and an exit code.

    CmpubError                 base of everything cmpub raises on purpose (exit 1)
    ├── UsageError             a bad command line or a project that cannot be read at all (exit 2)
    │   └── ConfigError        cmpub.yaml is missing or invalid; carries its Problems (exit 2)
    └── ProblemsFound          the project has error-level Problems; carries them (exit 1)
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass, field


class Severity(enum.StrEnum):
    """How bad a Problem is: errors stop a build, warnings do not (unless ``--strict``)."""

    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True, order=True)
class Problem:
    """Something wrong in the user's files, at ``path:line:col``, with the fix in ``hint``.

    ``line`` and ``col`` are 1-based; 0 means "the whole file". ``code`` is a stable
    identifier (``post.unknown-key``, ``x.too-long``) for tools and for ``--format json``.
    """

    path: str
    line: int
    col: int
    severity: Severity = field(compare=False)
    code: str
    message: str
    hint: str = ""

    def __str__(self) -> str:
        where = self.path if self.line <= 0 else f"{self.path}:{self.line}:{max(self.col, 1)}"
        text = f"{where}: {self.severity}: {self.message}"
        return f"{text} ({self.hint})" if self.hint else text

    def as_dict(self) -> dict[str, object]:
        """The JSON form used by ``cmpub validate --format json`` (a stable interface)."""
        return {
            "path": self.path,
            "line": self.line,
            "col": self.col,
            "severity": str(self.severity),
            "code": self.code,
            "message": self.message,
            "hint": self.hint,
        }

    def strict(self) -> Problem:
        """The same Problem as an error (``--strict`` turns warnings into errors)."""
        if self.severity is Severity.ERROR:
            return self
        return Problem(
            self.path, self.line, self.col, Severity.ERROR, self.code, self.message, self.hint
        )


def error(path: str, line: int, col: int, code: str, message: str, hint: str = "") -> Problem:
    """Build an error-level Problem (the common case), keeping call sites short."""
    return Problem(path, line, col, Severity.ERROR, code, message, hint)


def warning(path: str, line: int, col: int, code: str, message: str, hint: str = "") -> Problem:
    """Build a warning-level Problem: reported, never blocking unless ``--strict``."""
    return Problem(path, line, col, Severity.WARNING, code, message, hint)


def has_errors(problems: Iterable[Problem]) -> bool:
    """True when any Problem is an error (so nothing may be written or published)."""
    return any(p.severity is Severity.ERROR for p in problems)


class CmpubError(Exception):
    """Base of every error cmpub raises on purpose; the CLI prints it without a traceback."""

    exit_code = 1


class UsageError(CmpubError):
    """The command line or the project layout makes the command impossible to run."""

    exit_code = 2


class ConfigError(UsageError):
    """``cmpub.yaml`` is missing or invalid; ``problems`` says where and how to fix it."""

    def __init__(self, message: str, problems: Iterable[Problem] = ()) -> None:
        super().__init__(message)
        self.problems = sorted(problems)


class ProblemsFound(CmpubError):
    """The project has error-level Problems; the operation stopped before writing anything."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems = sorted(problems)
        n = sum(p.severity is Severity.ERROR for p in self.problems)
        super().__init__(f"{n} error{'s' if n != 1 else ''} found; nothing was written")
