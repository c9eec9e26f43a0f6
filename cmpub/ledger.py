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

Git (commit, push, lock) lives in :mod:`cmpub.gitrepo`; this module only reads and writes files.
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
    title: str = ""
    needs_person: bool | None = None
    error_code: str | None = None
    run: str | None = None  # the run that claimed it (a random id per deploy run)
    checkout: str | None = None  # the checkout that run worked in (see gitrepo.checkout_id)

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


def read_all(
    root: Path, ledger_dir: str = "ledger", broken: list[str] | None = None
) -> dict[Key, Record]:
    """Every record under ``ledger/`` by key (an absent folder is an empty ledger).

    A file that cannot be read is skipped and its path (relative to ``root``) appended to
    ``broken`` when given: ``cmpub status`` reports it, nothing rewrites it silently.
    """
    base = root / ledger_dir
    out: dict[Key, Record] = {}
    if not base.is_dir():
        return out
    for path in sorted(base.rglob("*.json")):
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            record = Record.from_dict(data)
            if record.state not in STATES:
                raise ValueError(record.state)
        except (OSError, ValueError, TypeError):
            if broken is not None:
                broken.append(path.relative_to(root).as_posix())
            continue
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


def delete(root: Path, ledger_dir: str, key: Key) -> Path:
    """Remove the record of ``key`` (when present); return its path."""
    path = record_path(root, ledger_dir, *key)
    path.unlink(missing_ok=True)
    return path
