"""The ledger: what went out, one small JSON file per (post, channel, part), kept in git.

``ledger/<post id>/<channel>-<part>.json`` holds one :class:`Record`. One file per item means
two deploy runs never conflict textually, and a pull request shows exactly which post went out
where. Files are written atomically (temporary file, then rename) with sorted keys, so the same
record always gives the same bytes. Secrets never reach a record.

States (``STATES``):

    pending     claimed by a run (``run``, ``checkout``) and maybe being sent right now
    published   went out: ``remote_id``, ``url``, ``published_at``
    failed      did not go out: ``error`` says why; ``retryable`` (next run tries again) or
                ``needs_person`` (a credential, a rejected post)
    uncertain   a run died while sending and the network cannot tell: a person checks
    scheduled   handed to the network's own scheduler (Mastodon ``scheduled_at``)
    missed      its time is older than the catch-up window; published only on request

:func:`scan` reads the folder and never trusts a file it cannot read: a record file that is
not JSON, truncated, of the wrong shape or types, in an unknown state, or whose content names
another item than its path is :class:`Damaged` (its item waits for a person: "not readable"
never means "not published"); any other file is a :class:`Stray` (reported, then ignored).

Git (commit, push, lock) lives in :mod:`cmpub.read.gitrepo`; this module only reads and writes files.
"""

from __future__ import annotations

import json
import os
import re
import stat
import types
import typing
from dataclasses import MISSING, asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

from cmpub.model.schema import did_you_mean
from cmpub.platforms import RULES

STATES = ("pending", "published", "failed", "uncertain", "scheduled", "missed")

Key = tuple[str, str, int]  # (post id, channel, part)

#: ``<channel>-<part>.json``: the name of a record file inside its post's folder.
RECORD_NAME = re.compile(r"(?P<channel>.+)-(?P<part>0|[1-9][0-9]*)\.json")


@dataclass
class Record:
    """The state of one publication. Times are ISO 8601 UTC strings ('2026-12-03T07:00:00Z')."""

    post: str
    channel: str
    part: int
    state: str
    idempotency_key: str
    content_hash: str
    publish_at: str
    parts: int = 1
    attempts: int = 0
    remote_id: str | None = None
    url: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    error: str | None = None
    retryable: bool | None = None
    claimed_at: str | None = None
    published_at: str | None = None
    updated_at: str | None = None
    history: list[dict[str, Any]] = field(default_factory=list)
    title: str = ""
    needs_person: bool | None = None
    error_code: str | None = None
    run: str | None = None  # the run that claimed it (a random id per deploy run)
    checkout: str | None = None  # the checkout that run worked in (see gitrepo.checkout_id)
    #: the post's file (relative to the project) and the SHA-256 of its bytes when it was
    #: claimed: a published post renamed without ``id:`` is recognised by them
    source: str | None = None
    source_sha256: str | None = None

    def note(self, state: str, at: str, **details: Any) -> None:
        """Move to ``state`` at time ``at``, keeping a short history (the last 20 steps)."""
        self.state = state
        self.updated_at = at
        entry = {"state": state, "at": at, **{k: v for k, v in details.items() if v is not None}}
        self.history = [*self.history, entry][-20:]

    @property
    def key(self) -> Key:
        """(post id, channel, part)."""
        return (self.post, self.channel, self.part)

    def to_json(self) -> str:
        """The file's text: sorted keys, two-space indent, a final newline."""
        return json.dumps(asdict(self), ensure_ascii=False, indent=2, sort_keys=True) + "\n"

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Record:
        """A Record from its JSON form (unknown keys ignored, for forward compatibility)."""
        names = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in names})


def record_path(root: Path, ledger_dir: str, post: str, channel: str, part: int) -> Path:
    """Where the record of (post, channel, part) lives."""
    return root / ledger_dir / Path(*post.split("/")) / f"{channel}-{part}.json"


# ----------------------------------------------------------------------------- reading


@dataclass(frozen=True)
class Damaged:
    """A record file that cannot be trusted: its item is held until a person repairs it."""

    path: str  # relative to the project root
    key: Key  # the item its path stands for
    problem: str  # what is wrong, in plain words
    line: int = 0  # 0: the whole file
    col: int = 0

    @property
    def where(self) -> str:
        """``ledger/a/site-0.json:3:5`` (or the path alone)."""
        return f"{self.path}:{self.line}:{max(self.col, 1)}" if self.line else self.path

    def describe(self) -> str:
        """The whole message: where, what is wrong, what is held, how to repair it."""
        post, channel, part = self.key
        name = RULES[channel].name if channel in RULES else channel
        return (
            f"{self.where}: this ledger record cannot be read ({self.problem}), so cmpub cannot"
            f" tell whether '{post}' went out on {name} (part {part + 1}): nothing is sent for"
            f" it until the record is repaired. Restore it with `git checkout -- {self.path}`"
            f" (a change not committed yet) or from its history (`git log -p -- {self.path}`)"
        )


@dataclass(frozen=True)
class Stray:
    """A file in the ledger folder that is not a record: reported, otherwise ignored."""

    path: str
    why: str

    def describe(self) -> str:
        """'ledger/README.md: not a ledger record (...); cmpub ignores it'."""
        return (
            f"{self.path}: {self.why}; cmpub ignores it (the ledger folder holds only"
            " <post id>/<channel>-<part>.json records: move other files out of it)"
        )


@dataclass
class Scan:
    """What the ledger folder holds: readable records, damaged ones, and stray files."""

    records: dict[Key, Record] = field(default_factory=dict)
    damaged: dict[Key, Damaged] = field(default_factory=dict)
    strays: list[Stray] = field(default_factory=list)

    def unreadable(self) -> set[str]:
        """Paths (relative to the project) of every damaged record and stray file."""
        return {d.path for d in self.damaged.values()} | {s.path for s in self.strays}


def scan(root: Path, ledger_dir: str = "ledger") -> Scan:
    """Read every file under ``ledger/`` (an absent folder is an empty ledger); never raises
    for what the folder holds. Hidden files (an interrupted write's temporary file) are skipped.
    """
    base = root / ledger_dir
    out = Scan()
    if not base.is_dir():
        return out
    for dirpath, dirnames, filenames in os.walk(base):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        folder = Path(dirpath)
        for name in sorted(filenames):
            if name.startswith("."):
                continue
            path = folder / name
            rel = path.relative_to(root).as_posix()
            match = RECORD_NAME.fullmatch(name)
            if folder == base:
                out.strays.append(
                    Stray(rel, "directly in the ledger folder, outside a post's folder")
                )
                continue
            if match is None:
                out.strays.append(Stray(rel, "not named like a ledger record"))
                continue
            key = (
                folder.relative_to(base).as_posix(),
                match["channel"],
                int(match["part"]),
            )
            found = _read(path, rel, key)
            if isinstance(found, Damaged):
                out.damaged[key] = found
            else:
                out.records[key] = found
    return out


def read_all(root: Path, ledger_dir: str = "ledger") -> dict[Key, Record]:
    """Every readable record under ``ledger/`` by key (see :func:`scan` for the others)."""
    return scan(root, ledger_dir).records


def _read(path: Path, rel: str, key: Key) -> Record | Damaged:
    try:
        info = path.lstat()
        if not stat.S_ISREG(info.st_mode):
            kind = "a symbolic link" if stat.S_ISLNK(info.st_mode) else "not a regular file"
            return Damaged(rel, key, f"{kind}, where a record file was expected")
        text = path.read_bytes().decode("utf-8")
    except OSError as exc:
        return Damaged(rel, key, f"it cannot be opened: {exc.strerror or exc}")
    except UnicodeDecodeError:
        return Damaged(rel, key, "it is not UTF-8 text")
    if not text.strip():
        return Damaged(rel, key, "the file is empty")
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        said = exc.msg.removesuffix(" starting at")
        if not text.rstrip().endswith("}"):
            said += "; the file ends before the record does (cut short?)"
        return Damaged(rel, key, f"not valid JSON: {said}", exc.lineno, exc.colno)
    except RecursionError:
        return Damaged(rel, key, "not a ledger record: nested too deeply")
    if not isinstance(data, dict):
        return Damaged(rel, key, f"it holds {_kind(data)} where a record (an object) belongs")
    for f in fields(Record):
        required = f.default is MISSING and f.default_factory is MISSING
        if f.name not in data:
            if required:
                return Damaged(rel, key, f"'{f.name}' is missing")
            continue
        hint = _HINTS[f.name]
        if not _fits(data[f.name], hint):
            return Damaged(
                rel,
                key,
                f"'{f.name}' is {_kind(data[f.name])} where {_expected(hint)} belongs",
                *_line_of(text, f.name),
            )
    if data["state"] not in STATES:
        said = str(data["state"])[:40]
        hint = did_you_mean(said, STATES) or "one of " + ", ".join(STATES)
        return Damaged(rel, key, f"unknown state '{said}' ({hint})", *_line_of(text, "state"))
    record = Record.from_dict(data)
    if record.key != key:
        post, channel, part = record.key
        return Damaged(
            rel,
            key,
            f"it is the record of '{post}' on {channel} part {part + 1}, but its path is that of"
            f" '{key[0]}' on {key[1]} part {key[2] + 1} (moved or copied by hand?)",
        )
    return record


_HINTS: dict[str, Any] = typing.get_type_hints(Record)


def _fits(value: Any, hint: Any) -> bool:
    """Whether a JSON value has the type a Record field declares."""
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin in (types.UnionType, typing.Union):
        return any(_fits(value, h) for h in args)
    if hint is type(None):
        return value is None
    if hint is Any:
        return True
    if origin is list:
        return isinstance(value, list) and all(_fits(v, args[0]) for v in value)
    if origin is dict:
        return isinstance(value, dict)
    if hint is int:
        return isinstance(value, int) and not isinstance(value, bool)
    return isinstance(value, hint)


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, int):
        return "a whole number"
    if isinstance(value, float):
        return "a number"
    if isinstance(value, str):
        return "text"
    return "a list" if isinstance(value, list) else "an object"


def _expected(hint: Any) -> str:
    words = {str: "text", int: "a whole number", bool: "true/false", type(None): "null"}
    origin = typing.get_origin(hint)
    if origin in (types.UnionType, typing.Union):
        return " or ".join(_expected(h) for h in typing.get_args(hint))
    if origin is list:
        return "a list of objects"
    if origin is dict:
        return "an object"
    return words.get(hint, str(hint))


def _line_of(text: str, name: str) -> tuple[int, int]:
    """(line, col) of a top-level key as cmpub writes records (two-space indent), or (0, 0)."""
    found = re.search(rf'^  "{re.escape(name)}"\s*:', text, re.MULTILINE)
    if found is None:
        return (0, 0)
    return (text.count("\n", 0, found.start()) + 1, 3)


# ----------------------------------------------------------------------------- writing


def write(root: Path, ledger_dir: str, record: Record) -> Path:
    """Write one record atomically; return its path."""
    path = record_path(root, ledger_dir, record.post, record.channel, record.part)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    with tmp.open("w", encoding="utf-8") as fh:
        fh.write(record.to_json())
        fh.flush()
        os.fsync(fh.fileno())
    tmp.replace(path)
    return path


def delete(root: Path, ledger_dir: str, key: Key) -> Path:
    """Remove the record of ``key`` (when present); return its path."""
    path = record_path(root, ledger_dir, *key)
    path.unlink(missing_ok=True)
    return path
