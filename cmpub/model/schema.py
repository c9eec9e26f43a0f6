"""A small declarative schema for YAML data: one typed field per key, every mistake a Problem.

Used for ``cmpub.yaml`` and for post front matter. Each field converts the raw YAML value and,
when it cannot, records a Problem at the key's ``line:col`` that states what was expected,
what was found, and the fix ("did you mean 'colors'?"). Conversion never raises on bad data:
all Problems of a document are collected in one pass.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo, available_timezones

from cmpub.model.errors import Problem, Severity
from cmpub.model.yamldoc import Document, Path


class _Invalid:
    """Marker for a value that failed its check (the Problem is already recorded)."""

    def __repr__(self) -> str:
        return "INVALID"


INVALID: Any = _Invalid()


def did_you_mean(word: str, choices: list[str] | tuple[str, ...] | set[str]) -> str:
    """A "did you mean 'x'?" hint for a misspelt name, or "" when nothing is close."""
    close = difflib.get_close_matches(word, sorted(choices), n=1, cutoff=0.6)
    if not close:
        lowered = {c.lower(): c for c in choices}
        close = [lowered[word.lower()]] if word.lower() in lowered else []
    return f"did you mean '{close[0]}'?" if close else ""


def describe(value: Any) -> str:
    """How a received YAML value is named in messages ("a list", "the number 3", "'abc'")."""
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return f"'{str(value).lower()}'"
    if isinstance(value, int | float):
        return f"the number {value}"
    if isinstance(value, str):
        shown = value if len(value) <= 40 else value[:37] + "..."
        return f"'{shown}'"
    if isinstance(value, list):
        return "a list"
    return "a mapping"


@dataclass
class Context:
    """Where Problems go while one document is checked."""

    path: str
    doc: Document
    problems: list[Problem] = field(default_factory=list)

    def at(self, where: Path) -> tuple[int, int]:
        """The 1-based (line, col) of a key path in the document."""
        return self.doc.mark(where)

    def report(
        self,
        where: Path,
        code: str,
        message: str,
        hint: str = "",
        severity: Severity = Severity.ERROR,
    ) -> None:
        """Record a Problem at ``where`` (a key path)."""
        line, col = self.at(where)
        self.problems.append(Problem(self.path, line, col, severity, code, message, hint))


def _name(where: Path) -> str:
    parts = [str(p) if isinstance(p, str) else f"[{p}]" for p in where]
    return ".".join(parts).replace(".[", "[") or "the document"


class Spec:
    """A field's type. ``convert`` returns the checked value or INVALID (after reporting)."""

    expected = "a value"
    default: Any = None
    required = False

    def convert(self, value: Any, where: Path, ctx: Context) -> Any:  # pragma: no cover
        raise NotImplementedError

    def wrong(self, value: Any, where: Path, ctx: Context, hint: str = "") -> Any:
        """Report "expected X, got Y" for this field and return INVALID."""
        key = next((p for p in reversed(where) if isinstance(p, str)), "value")
        hint = hint or getattr(self, "example", "") or f"write '{key}:' as {self.expected}"
        ctx.report(
            where,
            "schema.type",
            f"'{_name(where)}' must be {self.expected}, got {describe(value)}",
            hint,
        )
        return INVALID


@dataclass
class Str(Spec):
    """Text; optionally non-empty, matching a pattern, or one of a few choices."""

    required: bool = False
    default: Any = None
    choices: tuple[str, ...] = ()
    pattern: str | None = None
    example: str = ""
    max_len: int | None = None
    expected: str = "text"

    def convert(self, value: Any, where: Path, ctx: Context) -> Any:
        if isinstance(value, int | float) and not isinstance(value, bool) and not self.choices:
            value = str(value)  # `version: 2` where text is meant
        if not isinstance(value, str):
            return self.wrong(value, where, ctx)
        if not value.strip():
            ctx.report(where, "schema.empty", f"'{_name(where)}' is empty", self.example)
            return INVALID
        if self.choices and value not in self.choices:
            hint = did_you_mean(value, self.choices) or "use one of: " + ", ".join(self.choices)
            ctx.report(
                where,
                "schema.choice",
                f"'{_name(where)}' must be one of {', '.join(self.choices)}; got '{value}'",
                hint,
            )
            return INVALID
        if self.pattern and not re.fullmatch(self.pattern, value):
            hint = f"for example {self.example}" if self.example else ""
            ctx.report(
                where,
                "schema.format",
                f"'{_name(where)}' must be {self.expected}, got '{value}'",
                hint,
            )
            return INVALID
        if self.max_len is not None and len(value) > self.max_len:
            ctx.report(
                where,
                "schema.too-long",
                f"'{_name(where)}' is {len(value)} characters; the maximum is {self.max_len}",
                "shorten it",
            )
            return INVALID
        return value


def Url(**kw: Any) -> Str:
    """An absolute http(s) URL."""
    return Str(
        pattern=r"https?://[^\s/$.?#][^\s]*",
        expected="an absolute URL starting with https://",
        example="https://example.com/page",
        **kw,
    )


def Color(**kw: Any) -> Str:
    """A colour as #rgb or #rrggbb."""
    return Str(
        pattern=r"#(?:[0-9a-fA-F]{3}){1,2}",
        expected="a colour like '#6b2d1a'",
        example="'#6b2d1a' (quoted: # starts a comment in YAML)",
        **kw,
    )


def Clock(**kw: Any) -> Str:
    """A time of day, HH:MM (24 h)."""
    return Str(
        pattern=r"(?:[01]\d|2[0-3]):[0-5]\d",
        expected='a time of day like "09:30"',
        example='"09:30" (quoted)',
        **kw,
    )


_DURATION = re.compile(r"(\d+)\s*(m|min|h|d|w)")
_UNIT_SECONDS = {"m": 60, "min": 60, "h": 3600, "d": 86400, "w": 7 * 86400}
#: The longest duration accepted (10 years): a date plus any duration stays a real date.
MAX_DURATION = 520 * 7 * 86400


def parse_duration(text: str) -> int | None:
    """Seconds in '90m', '6h', '3d' or '2w'; None when the text is not a duration."""
    m = _DURATION.fullmatch(text.strip())
    return int(m.group(1)) * _UNIT_SECONDS[m.group(2)] if m else None


@dataclass
class Duration(Spec):
    """A duration written '90m', '6h', '3d' or '2w'; converted to seconds."""

    required: bool = False
    default: Any = None
    expected: str = "a duration like '6h', '90m', '3d' or '2w'"

    def convert(self, value: Any, where: Path, ctx: Context) -> Any:
        seconds = parse_duration(value) if isinstance(value, str) else None
        if seconds is None or seconds <= 0:
            return self.wrong(value, where, ctx, "write a number and a unit: m, h, d or w")
        if seconds > MAX_DURATION:
            ctx.report(
                where,
                "schema.range",
                f"'{_name(where)}' is {value.strip()}: more than 10 years",
                "write a shorter duration (at most 520w)",
            )
            return INVALID
        return seconds


_ZONES: set[str] | None = None


def zone_names() -> set[str]:
    """All IANA zone names known to this Python (tzdata), loaded once."""
    global _ZONES
    if _ZONES is None:
        _ZONES = available_timezones()
    return _ZONES


def check_zone(name: str) -> ZoneInfo | None:
    """The ZoneInfo for an IANA name, or None when the name is unknown (or unsafe)."""
    if not re.fullmatch(r"[A-Za-z][A-Za-z0-9_+\-]*(?:/[A-Za-z0-9_+\-]+)*", name):
        return None
    try:
        return ZoneInfo(name)
    except (KeyError, ValueError, OSError):
        return None


@dataclass
class Zone(Spec):
    """An IANA time zone name such as 'Europe/Paris'."""

    required: bool = False
    default: Any = None
    expected: str = "an IANA time zone name like 'Europe/Paris'"

    def convert(self, value: Any, where: Path, ctx: Context) -> Any:
        if not isinstance(value, str):
            return self.wrong(value, where, ctx)
        if check_zone(value) is None:
            hint = (
                did_you_mean(value, zone_names())
                or "see the 'TZ identifier' column of the tz database"
            )
            ctx.report(where, "schema.zone", f"unknown time zone '{value}'", hint)
            return INVALID
        return value


@dataclass
class Int(Spec):
    """A whole number within bounds."""

    required: bool = False
    default: Any = None
    min: int | None = None
    max: int | None = None
    expected: str = "a whole number"

    def convert(self, value: Any, where: Path, ctx: Context) -> Any:
        if isinstance(value, bool) or not isinstance(value, int):
            return self.wrong(value, where, ctx)
        if (self.min is not None and value < self.min) or (
            self.max is not None and value > self.max
        ):
            lo = "" if self.min is None else f"at least {self.min}"
            hi = "" if self.max is None else f"at most {self.max}"
            ctx.report(
                where,
                "schema.range",
                f"'{_name(where)}' must be {' and '.join(filter(None, (lo, hi)))}; got {value}",
            )
            return INVALID
        return value


@dataclass
class Float(Spec):
    """A number within bounds."""

    required: bool = False
    default: Any = None
    min: float | None = None
    max: float | None = None
    expected: str = "a number"

    def convert(self, value: Any, where: Path, ctx: Context) -> Any:
        if isinstance(value, bool) or not isinstance(value, int | float):
            return self.wrong(value, where, ctx)
        if (self.min is not None and value < self.min) or (
            self.max is not None and value > self.max
        ):
            ctx.report(
                where,
                "schema.range",
                f"'{_name(where)}' must be between {self.min} and {self.max}; got {value}",
            )
            return INVALID
        return float(value)


@dataclass
class Bool(Spec):
    """true or false."""

    required: bool = False
    default: Any = None
    expected: str = "true or false"

    def convert(self, value: Any, where: Path, ctx: Context) -> Any:
        return value if isinstance(value, bool) else self.wrong(value, where, ctx)


@dataclass
class BoolOrStr(Spec):
    """true, false or some words (an image's ``banner:``: on, off, or what it says)."""

    required: bool = False
    default: Any = None
    expected: str = "true, false or some text"
    example: str = ""

    def convert(self, value: Any, where: Path, ctx: Context) -> Any:
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.strip():
            return value
        if isinstance(value, str):
            ctx.report(where, "schema.empty", f"'{_name(where)}' is empty", self.example)
            return INVALID
        return self.wrong(value, where, ctx)


@dataclass
class Any_(Spec):
    """Anything; checked later by the caller (dates, which need the time zone)."""

    required: bool = False
    default: Any = None

    def convert(self, value: Any, where: Path, ctx: Context) -> Any:
        return value


@dataclass
class List(Spec):
    """A list of items of one type; a single item is accepted as a one-item list if allowed."""

    item: Spec
    required: bool = False
    default: Any = None
    min: int = 0
    max: int | None = None
    unique: bool = False
    single_ok: bool = True
    expected: str = "a list"

    def convert(self, value: Any, where: Path, ctx: Context) -> Any:
        if not isinstance(value, list):
            if self.single_ok and isinstance(value, str):
                value = [value]
                ctx.doc.marks.setdefault((*where, 0), ctx.at(where))
            else:
                return self.wrong(value, where, ctx, "write it as [a, b] or one '- item' per line")
        if len(value) < self.min or (self.max is not None and len(value) > self.max):
            bound = f"at least {self.min}" if len(value) < self.min else f"at most {self.max}"
            ctx.report(
                where,
                "schema.count",
                f"'{_name(where)}' must have {bound} item(s); it has {len(value)}",
            )
            return INVALID
        out = []
        seen: dict[Any, int] = {}
        for i, item in enumerate(value):
            got = self.item.convert(item, (*where, i), ctx)
            if self.unique and got is not INVALID and isinstance(got, str | int):
                if got in seen:
                    ctx.report(
                        (*where, i),
                        "schema.duplicate",
                        f"'{got}' is listed twice in '{_name(where)}'",
                        "remove the second one",
                    )
                    got = INVALID
                seen[got] = i
            out.append(got)
        return INVALID if any(v is INVALID for v in out) else out


@dataclass
class Map(Spec):
    """A mapping with known keys (``fields``) and, optionally, free keys checked by ``extra``."""

    fields: Mapping[str, Spec]
    required: bool = False
    default: Any = None
    extra: Spec | None = None
    extra_keys: Callable[[str], str | None] | None = None  # returns an error message or None
    unknown: Severity = Severity.ERROR
    partial: bool = False  # on a bad field, return the others (bad ones as INVALID)
    expected: str = "a mapping of 'key: value' lines"

    def convert(self, value: Any, where: Path, ctx: Context) -> Any:
        if value is None and not self.required:
            value = {}
        if not isinstance(value, dict):
            return self.wrong(value, where, ctx)
        out: dict[str, Any] = {}
        bad = False
        for key, raw in value.items():
            spec = self.fields.get(key)
            if spec is None and self.extra is not None:
                msg = self.extra_keys(key) if self.extra_keys else None
                if msg:
                    ctx.report(
                        (*where, key), "schema.unknown-key", msg, did_you_mean(key, self.fields)
                    )
                    bad = True
                    continue
                spec = self.extra
            if spec is None:
                where_name = f" in '{_name(where)}'" if where else ""
                hint = did_you_mean(key, list(self.fields)) or "known keys: " + ", ".join(
                    self.fields
                )
                ctx.report(
                    (*where, key),
                    "schema.unknown-key",
                    f"unknown key '{key}'{where_name}",
                    hint,
                    self.unknown,
                )
                bad = bad or self.unknown is Severity.ERROR
                continue
            if raw is None and not spec.required and not isinstance(spec, Map):
                out[key] = spec.default
                continue
            got = spec.convert(raw, (*where, key), ctx)
            bad = bad or got is INVALID
            out[key] = got
        for key, spec in self.fields.items():
            if key in out:
                continue
            if spec.required:
                line_where = where if where else ()
                ctx.report(
                    line_where,
                    "schema.missing",
                    f"'{_name((*where, key))}' is required",
                    f"add a line '{key}: ...'",
                )
                bad = True
                out[key] = INVALID
            elif isinstance(spec, Map) and not any(f.required for f in spec.fields.values()):
                out[key] = spec.convert({}, (*where, key), ctx)  # a section: its defaults
            else:
                out[key] = spec.default
        return INVALID if bad and not self.partial else out
