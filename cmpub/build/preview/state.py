"""What the preview shows: snapshots of the project, and how each one is made.

A :class:`Snapshot` is everything the studio pages need at one moment: the posts and their copies
(from the validation report), the manifest variants (what the build wrote), the Problems of the
last attempt, and the ledger. Snapshots are immutable; the studio swaps in a new one after every
rebuild and tells the open pages.

Two ways to make one (:class:`Builder`):

- :meth:`Builder.full` runs :func:`cmpub.build.pipeline.build` into the preview's own output folder
  (never the user's ``dist/``), then reads its ``manifest.json``. It is the reference: the site
  pages, the feeds and every image variant come from it.
- :meth:`Builder.quick` is for the common case of a saved post file. It revalidates the project
  with an in-memory cache (only the saved file is parsed again) and recomputes the manifest
  entries of the posts that changed with the build's own functions, reusing image variants the
  build already encoded. On 1000 posts it takes a few tens of milliseconds where a full build
  rewrites thousands of files; the studio shows its result at once and runs the full build
  behind it. When an image variant it needs was never encoded, it gives up and the full build
  decides.

The preview's site is built with a clock far in the future so that every ready post has its
article page to review; the post states (scheduled, due, missed, published) use the real clock
(or ``--now``) passed in by the CLI.
"""

from __future__ import annotations

import dataclasses
import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from cmpub.build import pipeline as _build
from cmpub.model.errors import CmpubError, ConfigError, Problem, ProblemsFound, Severity, error
from cmpub.model.project import Config, Post
from cmpub.read.ledger import Key, Record, read_all
from cmpub.render.templates import Templates
from cmpub.render.text import Copy
from cmpub.render.validate import FileResult, Report, validate_project

#: The clock the preview's site is built with: far enough that every ready post is "out".
SITE_NOW = datetime(2999, 1, 1, tzinfo=UTC)

#: Every state a (post, channel) can be in, in the order the dashboard lists them.
STATES = (
    "draft",
    "scheduled",
    "due",
    "pending",
    "published",
    "missed",
    "failed",
    "uncertain",
)
LABELS = {
    "draft": "Draft",
    "scheduled": "Scheduled",
    "due": "Due now",
    "pending": "Publishing",
    "published": "Published",
    "missed": "Missed",
    "failed": "Failed",
    "uncertain": "Uncertain",
}
HELP = {
    "draft": "status: draft: built and previewed, never published",
    "scheduled": "goes out at its time",
    "due": "its time has come: the next deploy publishes it",
    "pending": "a deploy claimed it and is publishing it",
    "published": "went out (see the ledger)",
    "missed": "its time is older than the catch-up window: deploy skips it without --include-missed",
    "failed": "the last attempt failed (see the ledger)",
    "uncertain": "a deploy crashed mid-way and could not check: a person must look",
}


@dataclass(frozen=True)
class VariantState:
    """Where one (post, channel) stands: its state, a link to the copy when published."""

    state: str
    url: str | None = None
    detail: str = ""
    edited: bool = False  # published, but the copy changed since

    @property
    def label(self) -> str:
        """The state as the pages show it."""
        return LABELS[self.state]


def _utc(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(UTC)


def _http(url: str | None) -> str | None:
    return url if url and url.split(":", 1)[0].lower() in ("http", "https") else None


def variant_state(
    variant: dict[str, Any],
    records: dict[Key, Record],
    now: datetime,
    catch_up_seconds: int,
) -> VariantState:
    """The state of one manifest variant, from the ledger first, else from the clock.

    Ledger records of every part of a thread count: all published is published; any uncertain,
    failed or pending part makes the variant so. Without a record, a ready post is scheduled
    until its time, due within the catch-up window after it, and missed later. The site needs
    no deploy: a ready article is published once its time has come.
    """
    post, channel = variant["post"], variant["channel"]
    parts = max(1, len(variant.get("parts") or ()))
    found = [records[k] for k in ((post, channel, i) for i in range(parts)) if k in records]
    if variant.get("status") == "draft" and not found:
        return VariantState("draft")
    if found:
        states = {r.state for r in found}
        first = found[0]
        edited = any(
            r.content_hash and r.content_hash != variant.get("content_hash") for r in found
        )
        for state in ("uncertain", "failed", "pending"):
            if state in states:
                bad = next(r for r in found if r.state == state)
                return VariantState(state, _http(first.url), bad.error or "", edited)
        if states == {"published"} and len(found) == parts:
            return VariantState("published", _http(first.url), "", edited)
        if "published" in states:  # some parts out, not all: still publishing
            return VariantState("pending", _http(first.url), "part of the thread is out")
        if "scheduled" in states:
            return VariantState("scheduled", _http(first.url), "scheduled on the network")
        if "missed" in states:
            return VariantState("missed")
    when = _utc(variant["publish_at"]["utc"])
    if channel == "site":
        if when <= now:
            return VariantState("published", _http(variant.get("article_url")))
        return VariantState("scheduled")
    if when > now:
        return VariantState("scheduled")
    if now - when <= timedelta(seconds=catch_up_seconds):
        return VariantState("due")
    return VariantState("missed")


# ----------------------------------------------------------------------------- snapshots


@dataclass(frozen=True)
class Snapshot:
    """The project as the studio shows it at one moment (never changed once made)."""

    generation: int = 0
    content: int = 0  # generation of the data shown (changes only when a build succeeds)
    built: bool = False  # a build has succeeded at least once: there is something to show
    config: Config | None = None
    posts: tuple[Post, ...] = ()
    copies: dict[tuple[str, str], Copy] = field(default_factory=dict)
    variants: dict[str, tuple[dict[str, Any], ...]] = field(default_factory=dict)
    problems: tuple[Problem, ...] = ()
    records: dict[Key, Record] = field(default_factory=dict)
    media: dict[str, Path] = field(default_factory=dict)  # dist path -> file, not yet in out/
    how: str = ""  # "build", "quick", "ledger", "failed"
    seconds: float = 0.0

    @property
    def errors(self) -> list[Problem]:
        """The error-level Problems of the last attempt (the overlay shows them)."""
        return [p for p in self.problems if p.severity is Severity.ERROR]

    @property
    def warnings(self) -> list[Problem]:
        """The warnings of the last attempt."""
        return [p for p in self.problems if p.severity is Severity.WARNING]

    def post(self, post_id: str) -> Post | None:
        """A post by id, or None."""
        return next((p for p in self.posts if p.id == post_id), None)

    def post_of_path(self) -> dict[str, str]:
        """Post file (relative path) -> post id, to link Problems to their post."""
        return {p.source.path: p.id for p in self.posts}


@dataclass
class Outcome:
    """What one rebuild gives: the fields of the next snapshot (generation set by the studio)."""

    ok: bool
    fields: dict[str, Any]


class Builder:
    """Makes snapshots of one project: a full build into ``out``, or a quick in-memory update."""

    def __init__(self, root: Path, out: Path, jobs: int | None = None) -> None:
        self.root = root
        self.out = out
        self.jobs = jobs
        self.files: dict[str, FileResult] = {}  # the quick path's own validation cache
        self._sources = _build._Cache()  # image source hashes (mtime, size, sha256)
        self._image_warnings: tuple[Problem, ...] = ()
        self._lock = threading.Lock()  # one validation at a time (the cache is shared)

    # ------------------------------------------------------------------ full

    def full(self) -> Outcome:
        """Build into the preview folder and read the manifest back (the reference result)."""
        started = time.perf_counter()
        try:
            result = _build.build(self.root, self.out, now=SITE_NOW, jobs=self.jobs, images=True)
        except (ConfigError, ProblemsFound) as exc:
            return self._failed(list(exc.problems), started)
        except CmpubError as exc:
            return self._failed([error("cmpub.yaml", 0, 0, "preview.build", str(exc))], started)
        manifest = json.loads((self.out / _build.MANIFEST).read_text(encoding="utf-8"))
        with self._lock:
            if not self.files:  # start from what the build just checked: nothing parsed twice
                self.files = dict(_build._load_cache(self.root / _build.CACHE_DIR).files)
            report = self._validate()
        if report.errors:  # changed between the build and now: the next round tells
            return self._failed(report.problems, started)
        self._image_warnings = tuple(p for p in result.warnings if p.code == "image.warning")
        return Outcome(
            True,
            {
                "config": report.config,
                "posts": tuple(report.posts),
                "copies": dict(report.copies),
                "variants": _group(manifest["variants"]),
                "problems": tuple(sorted(result.warnings)),
                "media": {},
                "how": "build",
                "seconds": time.perf_counter() - started,
            },
        )

    # ------------------------------------------------------------------ quick

    def quick(self, previous: Snapshot) -> Outcome | None:
        """Revalidate with the in-memory cache and recompute only the posts that changed.

        Returns None when it cannot stand in for a full build (nothing built yet, or an image
        variant the build never encoded).
        """
        if not previous.built:
            return None
        with self._lock:
            return self._quick(previous)

    def _quick(self, previous: Snapshot) -> Outcome | None:
        started = time.perf_counter()
        before = dict(self.files)
        try:
            report = self._validate()
        except ConfigError as exc:
            return self._failed(list(exc.problems), started)
        if report.errors:
            return self._failed(report.problems, started)
        config = report.config
        assert config is not None
        changed: set[str] = set()
        for rel, result in self.files.items():
            old = before.get(rel)
            if old is not result:
                changed.update(r.post.id for r in (old, result) if r is not None and r.post)
        ids = {p.id for p in report.posts}
        variants = {pid: v for pid, v in previous.variants.items() if pid in ids}
        media = dict(previous.media)
        todo = [p for p in report.posts if p.id in changed or p.id not in variants]
        if todo:
            fresh = self._variants(report, config, todo)
            if fresh is None:
                return None
            new_variants, new_media = fresh
            variants.update(new_variants)
            media.update(new_media)
        return Outcome(
            True,
            {
                "config": config,
                "posts": tuple(report.posts),
                "copies": dict(report.copies),
                "variants": variants,
                "problems": tuple(sorted([*report.problems, *self._image_warnings])),
                "media": media,
                "how": "quick",
                "seconds": time.perf_counter() - started,
            },
        )

    def _validate(self) -> Report:
        templates = Templates(self.root)
        fingerprint = _build.fingerprint(self.root, templates, "social")
        return validate_project(self.root, cache=self.files, fingerprint=fingerprint)

    def _variants(
        self, report: Report, config: Config, posts: list[Post]
    ) -> tuple[dict[str, tuple[dict[str, Any], ...]], dict[str, Path]] | None:
        """Manifest entries of ``posts`` as the build would write them (images from its cache)."""
        wanted = {p.id for p in posts}
        sub = Report(
            config,
            posts=list(posts),
            copies={k: v for k, v in report.copies.items() if k[0] in wanted},
        )
        folder = self.root / _build.CACHE_DIR / "images"
        try:
            index = json.loads((folder / "index.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            index = {}
        media = []
        rendered: dict[str, Any] = {}
        for item in _build._plan_media(sub, config):
            try:
                sha = _build._source_hash(config.root, item.image.file, self._sources)
            except OSError:
                return None
            key = _build._job_key(item, sha)
            found = index.get(key)
            if not found or not (folder / found[0]).is_file():
                return None  # never encoded: the full build will
            name, width, height, size, media_type, digest = found[:6]
            rendered[key] = _build._Rendered(folder / name, width, height, size, media_type, digest)
            media.append(dataclasses.replace(item, key=key))
        manifest = _build._manifest(sub, config, media, rendered, SITE_NOW)
        files = {m.dist: rendered[m.key].path for m in media}
        return _group(manifest["variants"]), files

    # ------------------------------------------------------------------ helpers

    def _failed(self, problems: list[Problem], started: float) -> Outcome:
        return Outcome(
            False,
            {
                "problems": tuple(sorted(problems)),
                "how": "failed",
                "seconds": time.perf_counter() - started,
            },
        )

    def ledger(self, config: Config | None) -> dict[Key, Record]:
        """The ledger's records (an absent folder is an empty ledger)."""
        folder = config.deploy.ledger if config else "ledger"
        return read_all(self.root, folder)


def _group(variants: list[dict[str, Any]]) -> dict[str, tuple[dict[str, Any], ...]]:
    out: dict[str, list[dict[str, Any]]] = {}
    for v in variants:
        out.setdefault(v["post"], []).append(v)
    return {k: tuple(v) for k, v in out.items()}


Clock = Callable[[], datetime]

__all__ = [
    "HELP",
    "LABELS",
    "SITE_NOW",
    "STATES",
    "Builder",
    "Clock",
    "Outcome",
    "Snapshot",
    "VariantState",
    "variant_state",
]
