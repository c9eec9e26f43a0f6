"""The git steps of a deploy run: where the ledger goes, commit exact paths, push, and survive
a push race.

Before anything is claimed, :func:`refusal` says why this checkout cannot put the ledger where
the next run reads it (a detached HEAD, no remote, another branch than ``deploy.branch``), and
:func:`uncommitted_inputs` lists the posts (and config, templates, assets) that are not
committed: deploy refuses both unless told otherwise (``--no-push``, ``--allow-dirty``).

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

from cmpub.model.project import Config
from cmpub.read import gitrepo
from cmpub.read.gitrepo import PushResult

Hook = Callable[[str], None]
PUSH_ATTEMPTS = 5
DEFAULT_BRANCH = "main"
LOCAL = "pass --no-push to keep the ledger in this checkout only"
SHOWN = 10  # uncommitted files named in the message; the rest are counted


def ledger_branch(repo: gitrepo.Repo, config: Config, remote: str | None) -> tuple[str, str]:
    """The branch the ledger is kept on (``deploy.branch``, else the remote's default
    branch, else ``main``) and where that comes from, in words."""
    if config.deploy.branch:
        return config.deploy.branch, "deploy.branch in cmpub.yaml"
    known = repo.default_branch(remote) if remote else None
    change = "set deploy.branch in cmpub.yaml to change it"
    if known:
        return known, f"the default branch of {remote}; {change}"
    return DEFAULT_BRANCH, f"cmpub's default, as the remote's default branch is unknown; {change}"


def refusal(repo: gitrepo.Repo, config: Config, ci: bool = False) -> str | None:
    """Why this checkout cannot fetch, commit and push the ledger where the next run reads
    it (so deploy must publish nothing), or None when it can."""
    branch = repo.branch()
    remotes = repo.remotes()
    if branch is None:
        head = (repo.head() or "")[:7]
        at = f" (commit {head})" if head else ""
        where, _said = ledger_branch(repo, config, "origin" if "origin" in remotes else None)
        how = (
            "in GitHub Actions, run the publish workflow on the branch (on a push to it, on its"
            " schedule, or by hand with the branch chosen, not a tag or a pull request), with"
            " actions/checkout left without 'ref:'"
            if ci
            else f"switch to the branch first (git switch {where}), or {LOCAL}"
        )
        return (
            f"this checkout is on a detached HEAD{at}, not on a branch, so the ledger cannot be"
            " pushed and the next run (a fresh clone, the publish workflow) would not see it."
            f" To fix it: {how}"
        )
    target = repo.upstream()
    if target is None:
        if not remotes:
            return (
                "this repository has no remote to push the ledger to (deploy.push is true in"
                " cmpub.yaml): add one (git remote add origin URL, then git push -u origin"
                f" {branch}), or set 'push: false' under 'deploy:' in cmpub.yaml for a project"
                f" that lives only on this computer, or {LOCAL}"
            )
        return (
            f"branch '{branch}' has no upstream and this repository has several remotes"
            f" ({', '.join(remotes)}), so deploy cannot tell where the ledger belongs: set it"
            f" (git branch --set-upstream-to <remote>/{branch}), or {LOCAL}"
        )
    remote, theirs = target
    wanted, said = ledger_branch(repo, config, remote)
    if branch != wanted:
        return (
            f"this checkout is on branch '{branch}', but the ledger is kept on '{wanted}'"
            f" ({said}), so the next run there would not see a ledger pushed from here."
            f" Deploy from '{wanted}' (git switch {wanted}), or {LOCAL}"
        )
    if theirs != wanted:
        return (
            f"branch '{branch}' follows '{remote}/{theirs}', but the ledger is kept on"
            f" '{remote}/{wanted}' ({said}). Point it there (git branch"
            f" --set-upstream-to {remote}/{wanted}), or {LOCAL}"
        )
    return None


def preflight(
    repo: gitrepo.Repo | None,
    root: Path,
    config: Config,
    pushing: bool,
    allow_dirty: bool,
    ci: bool = False,
) -> list[str]:
    """Why deploy must not publish from this checkout (empty: it may)."""
    if repo is None:
        return []
    stops = [refusal(repo, config, ci)] if pushing else []
    dirty = [] if allow_dirty else uncommitted_inputs(repo, root, config)
    stops.append(dirty_message(dirty) if dirty else None)
    return [s for s in stops if s]


def local_only(repo: gitrepo.Repo | None, pushing: bool, push: bool | None) -> str | None:
    """Why this run's ledger stays on this computer (None: it is pushed)."""
    if repo is None:
        return "not a git repository: the ledger is only in this folder"
    if pushing:
        return None
    said = "--no-push" if push is False else "deploy.push is false in cmpub.yaml"
    return (
        f"{said}: the ledger stays in this checkout; push it (git push) before another"
        " checkout or the publish workflow deploys, or they would publish these posts again"
    )


def uncommitted_inputs(repo: gitrepo.Repo, root: Path, config: Config) -> list[tuple[str, str]]:
    """The files deploy would publish from that are not committed: posts, cmpub.yaml,
    templates and assets (they all change what goes out). The ledger folder and the pause
    file are deploy's own and never count."""
    inputs = [
        root / config.content_dir,
        root / config.assets_dir,
        root / "templates",
        root / "cmpub.yaml",
    ]
    return repo.uncommitted(inputs)


def dirty_message(files: list[tuple[str, str]]) -> str:
    """'these files are not committed: ... commit them, or pass --allow-dirty'."""
    named = ", ".join(f"{path} ({what})" for path, what in files[:SHOWN])
    more = f" and {len(files) - SHOWN} more" if len(files) > SHOWN else ""
    return (
        f"these files are not committed: {named}{more}. Deploy publishes only what is"
        " committed (what the next run and the publish workflow see): commit them, or pass"
        " --allow-dirty"
    )


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
