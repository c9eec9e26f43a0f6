"""The git steps of a deploy run: commit exact paths, push, and survive a push race.

Two kinds of push:

- a **claim** is pushed once (:meth:`Ledger.push_once`); when another run pushed first, the
  caller takes the claim back (:meth:`Ledger.undo`), syncs, re-reads the ledger and claims only
  what is still free: a claim is never merged with another run's claim of the same item;
- a **record** commit (results, a pause) only touches files this run owns, so it is rebased
  onto the winner's commits and pushed again (:meth:`Ledger.push`, bounded).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from cmpub import gitrepo
from cmpub.gitrepo import PushResult

Hook = Callable[[str], None]
PUSH_ATTEMPTS = 5


def _no_hook(name: str) -> None:
    return None


class Ledger:
    """Commits and pushes ledger changes for one run (a no-op outside git)."""

    def __init__(self, repo: gitrepo.Repo | None, pushing: bool, hook: Hook | None = None) -> None:
        self.repo = repo
        self.pushing = pushing and repo is not None
        self.hook = hook or _no_hook
        self.commits: list[str] = []
        self.pushed = False
        self.unpushed = False  # a commit of this run is not on the remote yet

    def commit(self, paths: list[Path], message: str) -> str | None:
        """Commit ``paths`` with ``message``; None when not in git or nothing changed."""
        if self.repo is None:
            return None
        sha = self.repo.commit(paths, message, lambda: self.hook("during-commit"))
        if sha:
            self.commits.append(message.splitlines()[0])
            self.unpushed = self.pushing
        return sha

    def leftovers(self, folder: Path) -> list[str]:
        """Uncommitted changes under ``folder`` (records a killed run wrote, not committed)."""
        if self.repo is None or not folder.exists():
            return []
        return self.repo.changed([folder])

    def undo(self, sha: str) -> None:
        """Take back our own last commit ``sha``."""
        assert self.repo is not None
        self.repo.undo(sha)
        if self.commits:
            self.commits.pop()
        self.unpushed = False

    def sync(self) -> bool:
        """Fetch and put local commits on top of the remote branch; local commits an earlier
        run could not push are pushed at the end of this one."""
        if not self.pushing or self.repo is None:
            return False
        moved = self.repo.sync()
        if self.repo.ahead():
            self.unpushed = True
        return moved

    def push_once(self) -> PushResult:
        """One push attempt (hooks ``before-push`` and ``after-push`` around it)."""
        if not self.pushing or self.repo is None:
            return PushResult("ok", "not pushing")
        self.hook("before-push")
        outcome = self.repo.push()
        self.hook("after-push")
        if outcome.state == "ok":
            self.pushed, self.unpushed = True, False
        return outcome

    def push(self) -> PushResult:
        """Push, rebasing onto commits another run pushed first (bounded attempts)."""
        outcome = PushResult("ok", "not pushing")
        for _ in range(PUSH_ATTEMPTS):
            outcome = self.push_once()
            if outcome.state != "rejected":
                return outcome
            assert self.repo is not None
            try:
                self.repo.sync()
            except gitrepo.GitError as exc:  # a conflict: the commits stay here, a person looks
                return PushResult("failed", str(exc))
        return PushResult("failed", f"the remote kept moving: {PUSH_ATTEMPTS} pushes were rejected")
