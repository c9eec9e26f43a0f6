"""The crisis pause: a committed file that stops every deploy until someone resumes.

``cmpub pause --reason "..."`` writes ``cmpub-pause.json`` at the project root (who, when,
why) and commits it (and pushes it, so the scheduled GitHub workflow sees it). While it is
there, deploy publishes nothing, pulls back posts already handed to a network's own scheduler,
and exits 4 with the reason; ``cmpub status`` shows it first. ``cmpub resume`` removes it.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from cmpub.deploy.gitops import Ledger, refusal
from cmpub.deploy.plan import iso
from cmpub.read import gitrepo

PAUSE_FILE = "cmpub-pause.json"
LOCK_WAIT = 60.0


@dataclass(frozen=True)
class Pause:
    """Publishing is paused: since when, by whom, why."""

    since: str
    by: str
    reason: str

    def describe(self) -> str:
        """'paused since 2026-12-01T09:00:00Z by Ana: "a crisis"'."""
        why = f': "{self.reason}"' if self.reason else " (no reason given)"
        return f"publishing is paused since {self.since} by {self.by}{why}"


@dataclass(frozen=True)
class PauseResult:
    """What ``pause``/``resume`` did, for the CLI's one line."""

    changed: bool
    message: str
    pause: Pause | None = None
    pushed: bool = False
    warning: str | None = None


def read_pause(root: Path) -> Pause | None:
    """The pause in force, or None. A file that cannot be read still pauses (safety first)."""
    path = root / PAUSE_FILE
    if not path.exists():
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return Pause(since="?", by="?", reason=f"{PAUSE_FILE} exists but cannot be read")
    if not isinstance(data, dict):
        data = {}
    return Pause(
        since=str(data.get("since", "?")),
        by=str(data.get("by", "?")),
        reason=str(data.get("reason", "")),
    )


def pause(
    root: Path, now: datetime, reason: str, who: str, push: bool | None = None
) -> PauseResult:
    """Write and commit the pause file (and push it when the project pushes)."""
    with _session(root, push) as session:
        current = read_pause(root)
        if current is not None:
            return PauseResult(False, f"already paused: {current.describe()}", current)
        found = Pause(since=iso(now), by=who or "someone", reason=reason.strip())
        path = root / PAUSE_FILE
        text = json.dumps(
            {"since": found.since, "by": found.by, "reason": found.reason},
            ensure_ascii=False,
            indent=2,
            sort_keys=True,
        )
        tmp = path.with_name(f".{PAUSE_FILE}.tmp-{os.getpid()}")
        tmp.write_text(text + "\n", encoding="utf-8")
        tmp.replace(path)
        subject = "cmpub: pause publishing" + (f" ({found.reason})" if found.reason else "")
        pushed, warning = session.save(path, subject)
    return PauseResult(True, found.describe(), found, pushed, warning)


def resume(root: Path, who: str, push: bool | None = None) -> PauseResult:
    """Remove the pause file and commit the removal."""
    with _session(root, push) as session:
        current = read_pause(root)
        if current is None:
            return PauseResult(False, "publishing is not paused")
        path = root / PAUSE_FILE
        path.unlink()
        pushed, warning = session.save(path, f"cmpub: resume publishing ({who or 'someone'})")
    return PauseResult(
        True,
        f"publishing resumed; the pause was set on {current.since} by {current.by}",
        None,
        pushed,
        warning,
    )


class _Session:
    """Commits (and pushes) one file under the deploy lock, after syncing with the remote."""

    def __init__(
        self, repo: gitrepo.Repo | None, pushing: bool, why_not: str | None = None
    ) -> None:
        self.repo = repo
        self.pushing = pushing
        self.why_not = why_not  # why it cannot push although the project pushes

    def save(self, path: Path, subject: str) -> tuple[bool, str | None]:
        """Commit ``path`` (no ``[skip ci]``: a pause or a resume should reach the publish
        workflow); push when the project pushes. Returns (pushed, warning)."""
        if self.repo is None:
            return False, "not a git repository: the change is only on this computer"
        ledger = Ledger(self.repo, self.pushing)
        ledger.commit([path], subject)
        if self.why_not:
            return False, f"committed but not pushed: {self.why_not}"
        if not self.pushing:
            return False, None
        outcome = ledger.push()
        if outcome.state != "ok":
            return False, f"committed but not pushed: {outcome.message}"
        return True, None


@contextmanager
def _session(root: Path, push: bool | None) -> Iterator[_Session]:
    from cmpub.read.config import load_config

    repo = gitrepo.Repo.find(root)
    if repo is None:
        yield _Session(None, False)
        return
    config = load_config(root)
    wanted = config.deploy.push if push is None else push
    why_not = refusal(repo, config) if wanted else None
    pushing = wanted and why_not is None
    with gitrepo.lock(repo.git_dir / gitrepo.LOCK_NAME, LOCK_WAIT):
        if pushing:
            repo.sync()
        yield _Session(repo, pushing, why_not)
