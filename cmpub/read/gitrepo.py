"""Git for the ledger: a lock per checkout, commits of exact paths, pushes that survive races.

Deploy keeps its record in git (DESIGN.md §6). This module is the only one that runs git,
through GitPython:

- :func:`lock` holds an exclusive ``flock`` on ``.git/cmpub-deploy.lock`` (the kernel drops it
  when the process dies, even by SIGKILL: no stale lock to clean up). A second deploy on the
  same checkout waits, bounded, then stops with :class:`Busy`.
- :meth:`Repo.commit` commits exactly the paths it is given (never ``git add -A`` of the
  project), so a person's unrelated work in progress is never swept into a ledger commit.
- :meth:`Repo.uncommitted` lists what differs from HEAD under some paths (deploy publishes
  only committed posts); :meth:`Repo.renames` lists the renames git sees in the history (a
  published post renamed without ``id:``); :meth:`Repo.default_branch` asks the remote;
- :meth:`Repo.sync` fetches the branch and puts local commits on top (fast-forward or rebase);
  :meth:`Repo.push` tells a race ("rejected: someone pushed first") from a failure.
- :meth:`Repo.undo` takes back our own last commit (``git reset --keep``), which is how a claim
  that lost a push race is redone on top of the winner's ledger instead of being merged.

Messages of ledger commits end with ``[skip ci]`` so that they do not start the publish
workflow again.
"""

from __future__ import annotations

import fcntl
import os
import re
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cmpub.model.errors import CmpubError

SKIP_CI = "[skip ci]"
LOCK_NAME = "cmpub-deploy.lock"
CHECKOUT_ID = "cmpub-checkout-id"
FALLBACK_NAME = "cmpub"
FALLBACK_EMAIL = "cmpub@users.noreply.github.com"


class GitError(CmpubError):
    """Git could not do what the ledger needs (a conflict, a refused push): needs a person."""

    exit_code = 4


class Refused(CmpubError):
    """Deploy will not publish from this checkout (nothing was claimed): the ledger could not
    reach the place the next run reads it, or the posts are not committed. A person acts."""

    exit_code = 4


class Busy(CmpubError):
    """Another deploy holds the lock of this checkout (try again later)."""

    exit_code = 3


@contextmanager
def lock(
    path: Path,
    wait: float,
    poll: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
) -> Iterator[None]:
    """Hold the exclusive lock file ``path``, waiting at most ``wait`` seconds for it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    start = clock()
    try:
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if clock() - start >= wait:
                    holder = os.pread(fd, 32, 0).decode("ascii", "replace").strip()
                    who = f" (process {holder})" if holder.isdigit() else ""
                    raise Busy(
                        f"another deploy is running on this checkout{who}; waited {wait:g} s:"
                        " nothing was done, try again when it has finished"
                    ) from None
                poll(0.05)
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        yield
    finally:
        os.close(fd)  # closing drops the flock


@dataclass(frozen=True)
class PushResult:
    """What a push did: ``ok``, ``rejected`` (someone else pushed first) or ``failed``."""

    state: str
    message: str = ""


class Repo:
    """The git repository holding a project (the project may be a subfolder of it)."""

    def __init__(self, repo: Any) -> None:
        self.repo = repo
        self.workdir = Path(repo.working_tree_dir).resolve()
        self.git_dir = Path(repo.git_dir).resolve()

    @classmethod
    def find(cls, root: Path) -> Repo | None:
        """The repository containing ``root``, or None when it is not in git."""
        import git

        try:
            repo = git.Repo(root, search_parent_directories=True)
        except (git.InvalidGitRepositoryError, git.NoSuchPathError):
            return None
        if repo.bare or repo.working_tree_dir is None:
            return None
        return cls(repo)

    # ------------------------------------------------------------------------- plumbing

    def _git(self, *args: str) -> str:
        return str(self.repo.git.execute(["git", *args]))

    def rel(self, path: Path) -> str:
        """``path`` relative to the working tree, POSIX style (what git commands take)."""
        return path.resolve().relative_to(self.workdir).as_posix()

    def head(self) -> str | None:
        """The commit HEAD points at (None in a repository with no commit yet)."""
        try:
            return self._git("rev-parse", "--verify", "--quiet", "HEAD").strip() or None
        except self._errors():
            return None

    def branch(self) -> str | None:
        """The current branch name (None on a detached HEAD)."""
        try:
            name = self._git("symbolic-ref", "--quiet", "--short", "HEAD").strip()
        except self._errors():
            return None
        return name or None

    def checkout_id(self) -> str:
        """A random id of this checkout (kept in ``.git/``, never committed).

        A ``pending`` record claimed from this checkout while we hold the lock was left by
        a dead run; one claimed from another checkout may belong to a run still going.
        """
        path = self.git_dir / CHECKOUT_ID
        try:
            value = path.read_text(encoding="ascii").strip()
        except OSError:
            value = ""
        if not value:
            value = uuid.uuid4().hex[:16]
            path.write_text(value + "\n", encoding="ascii")
        return value

    @staticmethod
    def _errors() -> type[Exception]:
        import git

        return git.GitCommandError

    # ------------------------------------------------------------------------- commits

    def changed(self, paths: list[Path]) -> list[str]:
        """Which of ``paths`` (files or folders) differ from HEAD, untracked files included."""
        return [name for name, _what in self.uncommitted(paths)]

    def uncommitted(self, paths: list[Path]) -> list[tuple[str, str]]:
        """(path, what) for each file under ``paths`` that differs from HEAD: ``new`` (not in
        git yet), ``changed``, ``deleted`` or ``renamed``. Hidden files are left out (an
        interrupted write's temporary file, an editor's swap file)."""
        rels = [self.rel(p) for p in paths if p.exists() or self._tracked(p)]
        if not rels:
            return []
        out = self._git("status", "--porcelain", "-z", "--untracked-files=all", "--", *rels)
        tokens = out.split("\0")
        found = []
        i = 0
        while i < len(tokens):
            entry = tokens[i]
            i += 1
            if len(entry) <= 3:
                continue
            code, name = entry[:2], entry[3:]
            if "R" in code or "C" in code:
                i += 1  # the next token is the path it was renamed (or copied) from
            if Path(name).name.startswith("."):
                continue
            found.append((name, _what(code)))
        return sorted(found)

    def _tracked(self, path: Path) -> bool:
        try:
            return bool(self._git("ls-files", "--", self.rel(path)).strip())
        except (self._errors(), ValueError):
            return False

    def commit(
        self, paths: list[Path], message: str, staged: Callable[[], None] | None = None
    ) -> str | None:
        """Commit exactly ``paths`` (added, changed or deleted) with ``message``.

        Returns the new commit, or None when nothing among ``paths`` changed. ``staged`` is
        called between ``git add`` and ``git commit`` (the fault tests stop there).
        """
        rels = sorted({self.rel(p) for p in paths})
        if not rels:
            return None
        present = [
            r for r in rels if (self.workdir / r).exists() or self._tracked(self.workdir / r)
        ]
        if not present:
            return None
        self._git("add", "-A", "--", *present)
        if not self._git("diff", "--cached", "--name-only", "--", *present).strip():
            return None
        if staged is not None:
            staged()
        args = ["commit", "--quiet", "--no-verify", "-m", message, "--", *present]
        try:
            self._git(*args)
        except self._errors() as exc:
            text = f"{getattr(exc, 'stderr', '')}"
            if "tell me who you are" not in text and "empty ident" not in text:
                raise GitError(f"git could not commit the ledger: {_clean(text)}") from None
            self._git(
                "-c", f"user.name={FALLBACK_NAME}", "-c", f"user.email={FALLBACK_EMAIL}", *args
            )
        return self.head()

    def undo(self, commit: str) -> None:
        """Take back ``commit`` (our own last commit): files return to its parent's state."""
        if self.head() != commit:
            raise GitError("cannot take back the claim: the branch moved under this deploy")
        self._git("reset", "--quiet", "--keep", f"{commit}^")

    # ------------------------------------------------------------------------- remote

    def upstream(self) -> tuple[str, str] | None:
        """(remote, branch) to push to: the branch's upstream, else the same branch on
        ``origin`` (or on the only remote); None on a detached HEAD or with no clear remote."""
        branch = self.branch()
        if branch is None or not self.repo.remotes:
            return None
        tracking = self.repo.active_branch.tracking_branch()
        if tracking is not None:
            return tracking.remote_name, tracking.remote_head
        names = self.remotes()
        if "origin" in names:
            return "origin", branch
        return (names[0], branch) if len(names) == 1 else None

    def remotes(self) -> list[str]:
        """The names of the repository's remotes."""
        return sorted(r.name for r in self.repo.remotes)

    def default_branch(self, remote: str) -> str | None:
        """The remote's default branch: from ``refs/remotes/<remote>/HEAD`` (set by
        ``git clone``), else asked of the remote; None when it cannot be known."""
        try:
            ref = self._git("symbolic-ref", "--quiet", f"refs/remotes/{remote}/HEAD").strip()
        except self._errors():
            ref = ""
        prefix = f"refs/remotes/{remote}/"
        if ref.startswith(prefix):
            return ref[len(prefix) :]
        try:
            said = self._git("ls-remote", "--symref", remote, "HEAD")
        except self._errors():
            return None
        found = re.search(r"^ref: refs/heads/(\S+)\s+HEAD$", said, re.MULTILINE)
        return found[1] if found else None

    def renames(self, folder: Path) -> list[tuple[str, str]]:
        """Every rename git detects under ``folder`` in the history of HEAD, oldest first,
        as (old path, new path) relative to the working tree."""
        if self.head() is None:
            return []
        out = self._git(
            "log",
            "--reverse",
            "-M",
            "--diff-filter=R",
            "--name-status",
            "-z",
            "--format=%x01%H",
            "HEAD",
            "--",
            self.rel(folder),
        )
        found = []
        for commit in out.split("\x01")[1:]:
            tokens = [t.strip() for t in commit.split("\0")[1:]]
            for i, token in enumerate(tokens):
                if token.startswith("R") and i + 2 < len(tokens):
                    found.append((tokens[i + 1], tokens[i + 2]))
        return found

    def sync(self) -> bool:
        """Fetch the branch and put local commits on top of it; True when HEAD moved."""
        target = self.upstream()
        if target is None:
            return False
        remote, branch = target
        try:
            self._git("fetch", "--quiet", remote, branch)
        except self._errors() as exc:
            text = f"{getattr(exc, 'stderr', '')}"
            if "couldn't find remote ref" in text:
                return False  # the branch is not on the remote yet: the first push creates it
            raise GitError(
                f"cannot fetch the ledger from {remote}/{branch}, so nothing was published (a run"
                f" elsewhere may have published or paused since): {_clean(text)}. Check the"
                " network and your access to the remote, then run deploy again (or pass"
                " --no-push to publish from this checkout with a ledger that stays here)"
            ) from None
        theirs = self._git("rev-parse", "FETCH_HEAD").strip()
        ours = self.head()
        if ours is None or ours == theirs or self._is_ancestor(theirs, ours):
            return False
        if self._is_ancestor(ours, theirs):
            self._git("merge", "--quiet", "--ff-only", theirs)
            return True
        try:
            self._git("rebase", "--quiet", "--autostash", theirs)
        except self._errors() as exc:
            try:
                self._git("rebase", "--abort")
            except self._errors():
                pass
            raise GitError(
                f"cannot put this checkout's commits on top of {remote}/{branch}: "
                f"{_clean(str(getattr(exc, 'stderr', '')))}; resolve it by hand (git status)"
            ) from None
        return True

    def ahead(self) -> bool:
        """True when HEAD has commits the upstream branch lacks (as of the last fetch)."""
        target = self.upstream()
        if target is None or self.head() is None:
            return False
        ref = f"refs/remotes/{target[0]}/{target[1]}"
        try:
            self._git("rev-parse", "--verify", "--quiet", ref)
        except self._errors():
            return True  # the branch is not on the remote yet
        return self._git("rev-list", "--count", f"{ref}..HEAD").strip() not in ("", "0")

    def _is_ancestor(self, a: str, b: str) -> bool:
        try:
            self._git("merge-base", "--is-ancestor", a, b)
        except self._errors():
            return False
        return True

    def push(self) -> PushResult:
        """Push HEAD to the upstream branch; ``rejected`` when another run pushed first."""
        target = self.upstream()
        if target is None:
            return PushResult("ok", "no remote")
        remote, branch = target
        try:
            self._git("push", "--porcelain", "--quiet", remote, f"HEAD:refs/heads/{branch}")
        except self._errors() as exc:
            text = f"{getattr(exc, 'stdout', '')}\n{getattr(exc, 'stderr', '')}"
            if re.search(
                r"\[rejected\]|non-fast-forward|fetch first|\[remote rejected\].*(lock|stale)", text
            ):
                return PushResult("rejected", _clean(text))
            return PushResult("failed", _clean(text))
        return PushResult("ok")


def _what(code: str) -> str:
    """A ``git status --porcelain`` code in a word."""
    if code == "??":
        return "new"
    for letter, word in (("D", "deleted"), ("R", "renamed")):
        if letter in code:
            return word
    return "changed"


def _clean(text: str) -> str:
    """Git's output in one line, with any credentials in URLs hidden."""
    text = re.sub(r"(?i)(://)[^/@\s]+@", r"\1***@", text)
    lines = [ln.strip() for ln in text.splitlines() if ln.strip() and not ln.startswith("To ")]
    return " / ".join(lines)[:400] or "no details"
