"""The ledger: what went out, one small JSON file per (post, channel, part), kept in git.

``ledger/<post id>/<channel>-<part>.json`` holds one :class:`Record`. One file per item means
two deploy runs never conflict textually, and a pull request shows exactly which post went out
where. Files are written atomically (temporary file, then rename) with sorted keys, so the same
record always gives the same bytes. Secrets never reach a record.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

STATES = ("pending", "published", "failed", "uncertain", "scheduled", "missed")

Key = tuple[str, str, int]  # (post id, channel, part)


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


def read_all(root: Path, ledger_dir: str = "ledger") -> dict[Key, Record]:
    """Every record under ``ledger/`` by key (an absent folder is an empty ledger)."""
    base = root / ledger_dir
    out: dict[Key, Record] = {}
    if not base.is_dir():
        return out
    for path in sorted(base.rglob("*.json")):
        try:
            record = Record.from_dict(json.loads(path.read_text(encoding="utf-8")))
        except (OSError, ValueError, TypeError):
            continue  # a broken file is reported by `cmpub status`, never silently rewritten
        out[record.key] = record
    return out


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
