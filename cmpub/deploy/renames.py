"""Published posts whose file was renamed or deleted.

A post without ``id:`` takes its id from its path, so renaming its file gives it a new id with
no ledger record: deploy would publish it again. :func:`find` recognises such a post before
the plan is made and holds it (the editor adds ``id: <old id>``), from either of:

- **the same text**: the new file's bytes have the SHA-256 a record of the vanished post
  keeps (``source_sha256``, stamped at claim time);
- **git's rename detection**: the history of HEAD shows the vanished post's file (the
  record's ``source``, or for older records ``content/<id>.md`` / ``content/<id>/index.md``)
  renamed, maybe step by step and edited on the way, to the new file.

Only a post that vanished from the manifest after it went out (or may have: ``pending``,
``uncertain``, ``scheduled``) can be the old one, and only a ready post with no record at all
and no ``id:`` of its own can be the new one; a post given a new ``id:`` on purpose goes out.
A vanished post that matches nothing was *deleted* after it went out: ``cmpub status`` says so,
once per post.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from cmpub.deploy.plan import channel_name
from cmpub.read import gitrepo
from cmpub.read.ledger import Key, Record
from cmpub.read.posts import split

#: Record states that mean the post went out, or may have.
WENT_OUT = ("published", "scheduled", "pending", "uncertain")

Renames = Callable[[], list[tuple[str, str]]]


@dataclass(frozen=True)
class Renamed:
    """``post`` (file ``source``) is ``old_post`` (file ``old_source``) under a new name."""

    post: str
    source: str
    old_post: str
    old_source: str
    how: str  # "the same text", "git sees the rename"
    channels: tuple[str, ...]  # where the old post went out

    def why(self) -> str:
        """The message that holds every item of ``post``."""
        where = ", ".join(channel_name(c) for c in self.channels)
        return (
            f"{self.source} is {self.old_source} renamed ({self.how}), which already went out"
            f" as '{self.old_post}' on {where}: without 'id:' the new file name gives it the new"
            f" id '{self.post}', so it would be posted again. Add 'id: {self.old_post}' to the"
            f" front matter of {self.source} (or give it a new 'id:' to post it again on purpose)"
        )


@dataclass(frozen=True)
class Gone:
    """A post that went out and whose file is gone: its records stay in the ledger."""

    post: str
    source: str
    channels: tuple[str, ...]

    def describe(self) -> str:
        """'a (content/a.md) went out on Site, Webhook; its file is gone (...)'."""
        where = ", ".join(channel_name(c) for c in self.channels)
        return (
            f"'{self.post}' ({self.source}) went out on {where}; its file is gone since (the"
            " ledger keeps its records; the copies on the networks stay up)"
        )


@dataclass(frozen=True)
class Found:
    """The renamed posts (by their new id) and the deleted ones."""

    renamed: dict[str, Renamed]
    gone: list[Gone]

    def held(self) -> dict[str, str]:
        """New post id -> why its items are held."""
        return {post: r.why() for post, r in self.renamed.items()}


def source_path(entry_source: str) -> str:
    """``content/a.md`` out of a manifest ``source`` (``content/a.md:2``)."""
    path, sep, line = entry_source.rpartition(":")
    return path if sep and line.isdigit() else entry_source


def file_sha256(root: Path, rel: str) -> str | None:
    """The SHA-256 of a post file's bytes (None when it cannot be read)."""
    try:
        return hashlib.sha256((root / rel).read_bytes()).hexdigest()
    except OSError:
        return None


def git_renames(repo: gitrepo.Repo | None, root: Path, content_dir: str) -> Renames | None:
    """The renames git sees under ``content/``, as paths relative to the project root."""
    if repo is None:
        return None
    base = repo.rel(root)
    prefix = "" if base == "." else base + "/"

    def ask() -> list[tuple[str, str]]:
        return [
            (old[len(prefix) :], new[len(prefix) :])
            for old, new in repo.renames(root / content_dir)
            if old.startswith(prefix) and new.startswith(prefix)
        ]

    return ask


def find(
    root: Path,
    manifest: Mapping[str, Any],
    records: Mapping[Key, Record],
    content_dir: str,
    renames: Renames | None = None,
) -> Found:
    """Which ready posts are published posts renamed without ``id:``, and which published
    posts were deleted. ``renames``: gives the (old, new) renames of the history, oldest
    first (asked only when a vanished post is left to explain)."""
    present: dict[str, tuple[str, str]] = {}  # post id -> (source, status)
    for variant in manifest.get("variants", []):
        source = source_path(str(variant.get("source", "")))
        present.setdefault(variant["post"], (source, variant.get("status", "ready")))
    by_post: dict[str, list[Record]] = {}
    for record in records.values():
        by_post.setdefault(record.post, []).append(record)
    vanished = {
        post: recs
        for post, recs in sorted(by_post.items())
        if post not in present and any(r.state in WENT_OUT for r in recs)
    }
    if not vanished:
        return Found({}, [])
    new = {
        post: source
        for post, (source, status) in sorted(present.items())
        if status == "ready" and post not in by_post and not _has_own_id(root, source)
    }
    renamed: dict[str, Renamed] = {}
    hashes = {post: file_sha256(root, source) for post, source in new.items()}
    for old, recs in vanished.items():
        known = {r.source_sha256 for r in recs if r.source_sha256}
        for post, digest in hashes.items():
            if digest is not None and digest in known and post not in renamed:
                renamed[post] = _renamed(post, new[post], old, recs, content_dir, "the same text")
    explained = {r.old_post for r in renamed.values()}
    if renames is not None and set(vanished) - explained and set(new) - set(renamed):
        final = _follow(renames())
        for old, recs in vanished.items():
            for path in _sources(old, recs, content_dir):
                target = final.get(path)
                post = next((p for p, s in new.items() if s == target), None)
                if post is not None and post not in renamed:
                    renamed[post] = _renamed(
                        post, new[post], old, recs, content_dir, "git sees the rename"
                    )
        explained = {r.old_post for r in renamed.values()}
    gone = [
        Gone(old, _sources(old, recs, content_dir)[0], _went_out(recs))
        for old, recs in vanished.items()
        if old not in explained
    ]
    return Found(renamed, gone)


def _renamed(
    post: str, source: str, old: str, recs: list[Record], content_dir: str, how: str
) -> Renamed:
    return Renamed(post, source, old, _sources(old, recs, content_dir)[0], how, _went_out(recs))


def _went_out(recs: list[Record]) -> tuple[str, ...]:
    return tuple(sorted({r.channel for r in recs if r.state in WENT_OUT}))


def _sources(post: str, recs: list[Record], content_dir: str) -> list[str]:
    """Where the post's file was: as its records say, else where its id says it was."""
    said = sorted({r.source for r in recs if r.source})
    return said or [f"{content_dir}/{post}.md", f"{content_dir}/{post}/index.md"]


def _follow(renames: list[tuple[str, str]]) -> dict[str, str]:
    """Each path that was ever renamed -> where the chain of renames ends."""
    final: dict[str, str] = {}
    for old, new in renames:
        for start, now in final.items():
            if now == old:
                final[start] = new
        final.setdefault(old, new)
    return final


def _has_own_id(root: Path, source: str) -> bool:
    """Whether the post's front matter sets ``id:`` itself (a file it cannot read: no)."""
    try:
        text = (root / source).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return False
    parts = split(text, source)
    if not isinstance(parts, tuple):
        return False
    try:  # composed, not constructed: nothing is expanded
        node = yaml.compose(parts[0], Loader=yaml.SafeLoader)
    except yaml.YAMLError:
        return False
    if not isinstance(node, yaml.MappingNode):
        return False
    return any(
        getattr(key, "value", None) == "id" and getattr(value, "tag", "").split(":")[-1] != "null"
        for key, value in node.value
    )
