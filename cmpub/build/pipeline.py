"""``cmpub build``: one top-down function that gathers everything, then writes ``dist/``.

    validate (Problems: stop) -> image variants (process pool, content-addressed cache)
    -> site pages and feeds -> manifest -> write dist/ atomically -> save the cache

Nothing is written to ``dist/`` before every input has been checked and every output computed;
the previous ``dist/`` survives any failure. The cache in ``.cmpub-cache/`` makes a rebuild with
nothing changed re-render nothing, and a change to one post re-render only what depends on it.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import pickle
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from cmpub import __version__
from cmpub.build.output import (
    BUILD,
    STAMP,
    Hook,
    check_out_dir,
    clear_leftovers,
    project_sources,
    read_stamp,
    staged,
)
from cmpub.build.site import SiteImage, SocialCopy, render_site
from cmpub.model import ids, layout
from cmpub.model.errors import Problem, ProblemsFound, error, warning
from cmpub.model.project import Config, Image, Post
from cmpub.platforms import RULES
from cmpub.read import ledger
from cmpub.read.config import FILENAME, channel_rules, load_config
from cmpub.render import images as imaging
from cmpub.render import variants as image_variants
from cmpub.render.templates import TemplateProblem, Templates
from cmpub.render.text import Copy, article_url
from cmpub.render.validate import FileResult, Report, validate_project

CACHE_DIR = ".cmpub-cache"
CACHE_FORMAT = 3
PHONE_FROM = 960  # px: a site picture wider than this also gets an 800 px file for phones
MANIFEST = layout.MANIFEST

Progress = Callable[[str, int, int], None]


@dataclass
class BuildResult:
    """What a build did, for the one-line summary the CLI prints."""

    out: Path
    posts: int = 0
    variants: int = 0
    rendered: int = 0
    unchanged: int = 0
    images_encoded: int = 0
    images_cached: int = 0
    files: int = 0
    up_to_date: bool = False
    warnings: list[Problem] = field(default_factory=list)

    def summary(self) -> str:
        """'12 variants rendered, 988 unchanged, 3 images encoded (40 cached), 120 files'."""
        where = f"{self.out} (already up to date)" if self.up_to_date else str(self.out)
        return (
            f"{self.rendered} variant{'s' if self.rendered != 1 else ''} rendered, "
            f"{self.unchanged} unchanged, {self.images_encoded} image"
            f"{'s' if self.images_encoded != 1 else ''} encoded ({self.images_cached} cached), "
            f"{self.files} files in {where}"
        )


@dataclass
class _Cache:
    """What survives between builds (pickled in .cmpub-cache/build.pickle)."""

    files: dict[str, FileResult] = field(default_factory=dict)
    #: source image path -> (mtime_ns, size, sha256), so unchanged files are not hashed again
    sources: dict[str, tuple[int, int, str]] = field(default_factory=dict)
    pages: dict[str, Any] = field(default_factory=dict)  # site: converted posts, article pages
    entries: dict[str, Any] = field(default_factory=dict)  # manifest entries of unchanged posts
    format: int = CACHE_FORMAT
    version: str = __version__


def _load_cache(folder: Path) -> _Cache:
    try:
        with (folder / "build.pickle").open("rb") as fh:
            cache = pickle.load(fh)
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError, TypeError):
        return _Cache()
    if (
        not isinstance(cache, _Cache)
        or cache.format != CACHE_FORMAT
        or cache.version != __version__
    ):
        return _Cache()
    return cache


def _save_cache(folder: Path, cache: _Cache) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    tmp = folder / f"build.pickle.tmp-{os.getpid()}"
    with tmp.open("wb") as fh:
        pickle.dump(cache, fh, protocol=pickle.HIGHEST_PROTOCOL)
    tmp.replace(folder / "build.pickle")


def fingerprint(root: Path, templates: Templates, folder: str) -> str:
    """A hash of what every post's copies (folder 'social') or pages ('site') depend on."""
    h = hashlib.sha256(__version__.encode())
    h.update((root / FILENAME).read_bytes())
    h.update(templates.fingerprint(folder).encode())
    return h.hexdigest()


# ----------------------------------------------------------------------------- build


def build(
    root: Path,
    out: Path | None = None,
    now: datetime | None = None,
    jobs: int | None = None,
    images: bool = True,
    progress: Progress | None = None,
    hook: Hook | None = None,
    contact_sheets: bool = False,
) -> BuildResult:
    """Build ``root`` into ``out`` (default ``root/dist``); raise ProblemsFound before writing.

    ``now`` decides which posts are already on the public site; the same inputs and the same
    ``now`` give a byte-identical output folder. An output folder cmpub may not replace (the
    project, its sources, a folder it did not make) is a UsageError before anything is written.
    ``contact_sheets`` adds ``contact/<post>.jpg``: every image variant of the post side by side,
    for review.
    """
    now = now or datetime(1970, 1, 1, tzinfo=UTC)
    given = out if out is not None else root / "dist"
    out = given if given.is_absolute() else Path.cwd() / given
    sources = project_sources(root, load_config(root))
    check_out_dir(given, BUILD, root, sources, keep=[root / CACHE_DIR])
    cache_dir = root / CACHE_DIR
    cache = _load_cache(cache_dir)
    templates = Templates(root)
    before = dict(cache.files)
    report = validate_project(
        root, cache=cache.files, fingerprint=fingerprint(root, templates, "social")
    )
    result = BuildResult(out=out, posts=len(report.posts))
    result.warnings = report.warnings
    stale = [rel for rel in before if rel not in cache.files or cache.files[rel] is not before[rel]]
    _save_cache(cache_dir, cache)
    if report.errors:
        raise ProblemsFound(report.problems)
    config = report.config
    assert config is not None
    result.variants = len(report.copies)
    reused = {
        r.post.id for rel, r in cache.files.items() if r.post and rel in before and rel not in stale
    }
    result.unchanged = sum(1 for (pid, _) in report.copies if pid in reused)
    result.rendered = result.variants - result.unchanged

    media = _plan_media(report, config) if images else []
    rendered = _render_media(media, config, cache_dir / "images", cache, jobs, progress, result)
    _save_cache(cache_dir, cache)

    files: dict[str, bytes] = {}
    site_images, og_images = _site_media(media, rendered, report)
    try:
        files.update(
            render_site(
                report.posts,
                config,
                templates,
                now,
                site_images,
                og_images,
                _published_copies(root, config),
                memo=cache.pages,
                fingerprint=fingerprint(root, templates, "site"),
            )
        )
    except TemplateProblem as exc:
        raise ProblemsFound([exc.problem]) from None
    file_keys = {r.post.id: r.key for r in cache.files.values() if r.post is not None}
    manifest = _manifest(report, config, media, rendered, now, cache.entries, file_keys)
    manifest["site_files"] = _public_site_files(files, site_images, og_images, config)
    if contact_sheets:
        sheets = _contact_sheets(report, media, rendered)
        files.update(sheets)
        manifest["contact_sheets"] = {
            rel[len(layout.CONTACT) + 1 : -len(".jpg")]: rel for rel in sorted(sheets)
        }
    files[MANIFEST] = _json(manifest)
    for (post_id, channel), copy in sorted(report.copies.items()):
        files[f"{layout.COPIES}/{post_id}/{channel}.txt"] = _copy_text(copy).encode("utf-8")
    if config.brand.logo:
        files.setdefault(layout.LOGO, (root / config.brand.logo).read_bytes())

    _save_cache(cache_dir, cache)
    entries: dict[str, tuple[str, bytes | Path]] = {
        rel: (hashlib.sha256(data).hexdigest(), data) for rel, data in files.items()
    }
    for item in media:
        blob = rendered.get(item.key)
        if blob is not None:
            entries[item.dist] = (blob.sha256, blob.path)
    stamp = {rel: sha for rel, (sha, _) in sorted(entries.items())}
    previous = read_stamp(out)
    if previous == stamp and all((out / rel).is_file() for rel in stamp):
        result.up_to_date = True  # nothing to write: dist/ already holds exactly this
        clear_leftovers(out)
    else:
        with staged(out, BUILD, hook) as writer:
            for rel, (sha, data) in sorted(entries.items()):
                if previous.get(rel) == sha and (out / rel).is_file():
                    writer.link_or_copy(rel, out / rel)  # unchanged: a link, not a copy
                elif isinstance(data, Path):
                    writer.link_or_copy(rel, data)
                else:
                    writer.write(rel, data)
            writer.write(STAMP, _json(stamp))
            _keep_outbox(out, writer)
    result.files = len(files) + sum(1 for m in media if m.key in rendered)
    return result


def _contact_sheets(
    report: Report, media: list[_Media], rendered: dict[str, _Rendered]
) -> dict[str, bytes]:
    """``contact/<post>.jpg`` (``layout.CONTACT``) per post with images: its variants side by side."""
    from cmpub.render.contact import Tile, contact_sheet

    tiles: dict[str, list[Tile]] = {}
    for item in sorted(media, key=lambda m: m.dist):
        r = rendered.get(item.key)
        if r is not None:
            label = f"{item.index + 1} · {item.channel}"
            tiles.setdefault(item.post, []).append(Tile(label, str(r.path), r.width, r.height))
    titles = {p.id: p.title for p in report.posts}
    return {
        f"{layout.CONTACT}/{post}.jpg": contact_sheet(f"{titles.get(post, post)} ({post})", found)
        for post, found in sorted(tiles.items())
    }


def _keep_outbox(out: Path, writer: Any) -> None:
    """``dist/outbox/`` is written by deploy, not by the build: carry it into the new dist."""
    folder = out / "outbox"
    if not folder.is_dir():
        return
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            writer.link_or_copy(path.relative_to(out).as_posix(), path)


def _public_site_files(
    site_files: dict[str, bytes],
    images: dict[str, list[SiteImage]],
    og: dict[str, SiteImage],
    config: Config,
) -> list[str]:
    """What the public site needs, and nothing else (no manifest, no future posts' images)."""
    shown = {path.split("/index.html")[0] for path in site_files if path.endswith("/index.html")}
    media = [img.file for pid, imgs in images.items() if ids.slug(pid) in shown for img in imgs]
    media += [
        img.small
        for pid, imgs in images.items()
        if ids.slug(pid) in shown
        for img in imgs
        if img.small
    ]
    media += [img.file for pid, img in og.items() if ids.slug(pid) in shown]
    brand = [layout.LOGO] if config.brand.logo else []
    return sorted({*site_files, *media, *brand})


def _published_copies(root: Path, config: Config) -> dict[str, list[SocialCopy]]:
    """Per post, the copies the ledger says went out (first part, with a public URL)."""
    out: dict[str, list[SocialCopy]] = {}
    for (post, channel, part), record in sorted(
        ledger.read_all(root, config.deploy.ledger).items()
    ):
        if part == 0 and record.state == "published" and record.url and channel != "site":
            out.setdefault(post, []).append(SocialCopy(channel, record.url))
    return out


# ----------------------------------------------------------------------------- media


@dataclass(frozen=True)
class _Media:
    """One image variant to produce: where it goes in dist/ and the job that renders it."""

    post: str
    channel: str
    index: int
    image: Image
    dist: str
    job: imaging.ImageJob
    key: str


@dataclass(frozen=True)
class _Rendered:
    path: Path
    width: int
    height: int
    bytes: int
    media_type: str
    sha256: str


def _source_hash(root: Path, rel: str, cache: _Cache) -> str:
    st = (root / rel).stat()
    known = cache.sources.get(rel)
    if known and known[0] == st.st_mtime_ns and known[1] == st.st_size:
        return known[2]
    digest = hashlib.sha256((root / rel).read_bytes()).hexdigest()
    cache.sources[rel] = (st.st_mtime_ns, st.st_size, digest)
    return digest


def _plan_media(report: Report, config: Config) -> list[_Media]:
    style = imaging.BrandStyle.from_brand(config.brand, config.root)
    out: list[_Media] = []
    for post in report.posts:
        for channel in (*post.channels, "og", "site-phone"):
            if channel in ("og", "site-phone") and "site" not in post.channels:
                continue
            if channel not in imaging.CHANNELS:
                continue  # outbox and webhook carry the source files' variants of no network
            fields = post.variant("site" if channel in ("og", "site-phone") else channel)
            rules = channel_rules(config, channel) if channel in RULES else None
            cap = rules.image_max_bytes.value if rules and rules.image_max_bytes else None
            jobs = image_variants.jobs(fields, channel, config, style, cap)
            for i, (image, job) in enumerate(zip(fields.images, jobs, strict=False)):
                if channel == "site-phone" and image.width <= PHONE_FROM:
                    continue  # the site's own file is small enough for phones
                stem = Path(image.file).stem
                dist = f"{layout.MEDIA}/{post.id}/{i + 1:02d}-{stem}.{channel}.jpg"
                out.append(_Media(post.id, channel, i, image, dist, job, ""))
    return out


def _job_key(item: _Media, shas: list[str]) -> str:
    """The variant's cache key: the renderer's code, the job (paths aside) and every file's hash."""
    job = item.job
    h = hashlib.sha256(imaging.__name__.encode())
    h.update(_images_version().encode())
    for sha in shas:
        h.update(sha.encode())
    pictures = [(p.focus, p.fit, p.logo, p.banner, p.aspect) for p in job.carousel]
    own = (job.channel, job.focus, job.cta_text, job.max_bytes, job.spec, job.fit, job.logo)
    h.update(repr((*own, job.aspect, job.index, pictures)).encode())
    brand = job.brand
    for path in (brand.logo, brand.font):
        h.update(
            hashlib.sha256(Path(path).read_bytes()).hexdigest().encode()
            if path and Path(path).is_file()
            else b"-"
        )
    h.update(
        repr(
            (
                brand.primary,
                brand.accent,
                brand.text,
                brand.background,
                brand.cta_position,
                brand.fallback_fonts,
            )
        ).encode()
    )
    return h.hexdigest()


@functools.lru_cache(maxsize=1)
def _images_version() -> str:
    """A hash of the image code and its libraries, so a renderer change re-encodes everything."""
    here = Path(imaging.__file__).parent
    h = hashlib.sha256(imaging.libraries().encode())
    for name in imaging.CODE:
        path = here / name
        if path.is_file():
            h.update(path.read_bytes())
    return h.hexdigest()


def _render_media(
    media: list[_Media],
    config: Config,
    folder: Path,
    cache: _Cache,
    jobs: int | None,
    progress: Progress | None,
    result: BuildResult,
) -> dict[str, _Rendered]:
    folder.mkdir(parents=True, exist_ok=True)
    index_path = folder / "index.json"
    try:
        index: dict[str, list[Any]] = json.loads(index_path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        index = {}
    keyed: list[_Media] = []
    problems: list[Problem] = []
    for item in media:
        try:
            shas = [
                _source_hash(config.root, os.path.relpath(path, config.root), cache)
                for path in item.job.sources()
            ]
        except OSError as exc:
            problems.append(
                _media_problem(item, config, f"cannot read the image: {exc.strerror}", "")
            )
            continue
        keyed.append(
            _Media(
                item.post,
                item.channel,
                item.index,
                item.image,
                item.dist,
                item.job,
                _job_key(item, shas),
            )
        )
    media[:] = keyed
    todo = sorted(
        {
            m.key: m
            for m in keyed
            if m.key not in index or not (folder / index[m.key][0]).is_file()
        }.values(),
        key=lambda m: m.key,
    )
    result.images_cached = len({m.key for m in keyed}) - len(todo)
    done = 0
    if todo:
        workers = max(1, jobs or os.cpu_count() or 1)
        results = _run_jobs([m.job for m in todo], workers)
        for item, outcome in zip(todo, results, strict=True):
            done += 1
            if progress:
                progress("images", done, len(todo))
            if isinstance(outcome, imaging.ImageError):
                problems.append(_media_problem(item, config, outcome.message, outcome.hint))
                continue
            name = f"{item.key}.jpg"
            tmp = folder / f"{name}.tmp-{os.getpid()}"
            tmp.write_bytes(outcome.data)
            tmp.replace(folder / name)
            index[item.key] = [
                name,
                outcome.width,
                outcome.height,
                len(outcome.data),
                outcome.media_type,
                hashlib.sha256(outcome.data).hexdigest(),
                list(outcome.warnings),
            ]
            result.images_encoded += 1
        tmp_index = folder / f"index.json.tmp-{os.getpid()}"
        tmp_index.write_text(json.dumps(index, sort_keys=True), encoding="utf-8")
        tmp_index.replace(index_path)
    if problems:
        raise ProblemsFound(problems)
    rendered = {}
    said: set[Problem] = set()
    for item in keyed:
        name, width, height, size, media_type, sha, warnings = index[item.key]
        rendered[item.key] = _Rendered(folder / name, width, height, size, media_type, sha)
        for text in warnings:
            said.add(warning(item.image.file, 0, 0, "image.warning", f"{item.channel}: {text}", ""))
    result.warnings.extend(sorted(said))
    return rendered


def _run_jobs(jobs: list[imaging.ImageJob], workers: int) -> Iterator[Any]:
    """Results in job order, as they arrive: the caller writes each one and lets it go, so the
    parent never holds every encoded image at once."""
    if workers == 1 or len(jobs) < 4:
        yield from (_safe_render(job) for job in jobs)
        return
    with ProcessPoolExecutor(max_workers=workers) as pool:
        chunk = max(1, min(16, len(jobs) // (workers * 4)))
        yield from pool.map(_safe_render, jobs, chunksize=chunk)


def _safe_render(job: imaging.ImageJob) -> Any:
    """Run one job; an ImageError comes back as a value (the build reports all of them)."""
    try:
        return imaging.render_variant(job)
    except imaging.ImageError as exc:
        return exc


def _media_problem(item: _Media, config: Config, message: str, hint: str) -> Problem:
    return error(
        item.image.file,
        0,
        0,
        "image.render",
        f"{item.channel}: {message} (post '{item.post}')",
        hint,
    )


def _site_media(
    media: list[_Media], rendered: dict[str, _Rendered], report: Report
) -> tuple[dict[str, list[SiteImage]], dict[str, SiteImage]]:
    site: dict[str, list[SiteImage]] = {}
    og: dict[str, SiteImage] = {}
    phone = {
        (m.post, m.index): rendered[m.key]
        for m in media
        if m.channel == "site-phone" and m.key in rendered
    }
    dists = {(m.post, m.index): m.dist for m in media if m.channel == "site-phone"}
    for item in media:
        r = rendered.get(item.key)
        if r is None:
            continue
        img = SiteImage(item.dist, r.width, r.height, item.image.alt)
        if item.channel == "site":
            small = phone.get((item.post, item.index))
            if small is not None and small.width < r.width:  # a smaller file for phones
                img = SiteImage(
                    img.file,
                    r.width,
                    r.height,
                    img.alt,
                    dists[(item.post, item.index)],
                    small.width,
                )
            site.setdefault(item.post, []).append(img)
        elif item.channel == "og":
            og[item.post] = img
    return site, og


# ----------------------------------------------------------------------------- manifest


def idempotency_key(post_id: str, channel: str, part: int, when: datetime) -> str:
    """The deterministic key of one publication: hash of (post id, channel, part, time)."""
    text = f"{post_id}\n{channel}\n{part}\n{when.astimezone(UTC).isoformat()}"
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


def _manifest(
    report: Report,
    config: Config,
    media: list[_Media],
    rendered: dict[str, _Rendered],
    now: datetime,
    memo: dict[str, Any] | None = None,
    keys: dict[str, str] | None = None,
) -> dict[str, Any]:
    """The manifest; with ``memo`` (post id + its file's cache key + media keys -> entry), the
    entries of unchanged posts are reused instead of measured and hashed again."""
    by_variant: dict[tuple[str, str], list[_Media]] = {}
    for item in media:
        by_variant.setdefault((item.post, item.channel), []).append(item)
    old = dict(memo or {})
    used: dict[str, Any] = {}
    variants = []
    for post in sorted(report.posts, key=lambda p: (p.date, p.id)):
        for channel in post.channels:
            items = by_variant.get((post.id, channel), [])
            file_key = (keys or {}).get(post.id)
            memo_key = "|".join([post.id, channel, file_key or "", *(i.key for i in items)])
            entry = old.get(memo_key) if file_key else None
            if entry is None:
                copy = report.copies[(post.id, channel)]
                entry = _variant(post, channel, copy, config, items, rendered)
            used[memo_key] = entry
            variants.append(entry)
    if memo is not None:
        memo.clear()
        memo.update(used)
    return {
        "cmpub": __version__,
        "now": now.astimezone(UTC).isoformat().replace("+00:00", "Z"),
        "site": {"title": config.site.title, "url": config.site.url, "timezone": config.timezone},
        "variants": variants,
    }


def _variant(
    post: Post,
    channel: str,
    copy: Copy,
    config: Config,
    items: list[_Media],
    rendered: dict[str, _Rendered],
) -> dict[str, Any]:
    rules = channel_rules(config, channel)
    fields = post.variant(channel)
    parts = []
    for i, text in enumerate(copy.parts):
        measures = [
            {"unit": m.unit, "length": m.length, "limit": m.limit} for m in rules.measures(text)
        ]
        parts.append(
            {
                "text": text,
                "length": measures[0]["length"],
                "limit": measures[0]["limit"],
                "unit": measures[0]["unit"],
                "measures": measures,
                "idempotency_key": idempotency_key(post.id, channel, i, post.date),
            }
        )
    images = []
    for item in items:
        r = rendered.get(item.key)
        if r is None:
            continue
        images.append(
            {
                "file": item.dist,
                "source": item.image.file,
                "width": r.width,
                "height": r.height,
                "bytes": r.bytes,
                "media_type": r.media_type,
                "sha256": r.sha256,
                "alt": item.image.alt,
            }
        )
    line, _col = post.source.at("title")
    entry: dict[str, Any] = {
        "post": post.id,
        "channel": channel,
        "status": post.status,
        "title": fields.title,
        "lang": post.lang,
        "source": f"{post.source.path}:{line}",
        "publish_at": {
            "utc": post.date.astimezone(UTC).isoformat().replace("+00:00", "Z"),
            "local": post.date.isoformat(),
            "timezone": post.timezone,
        },
        "parts": parts,
        "cw": copy.cw,
        "links": [{"shown": s, "url": u} for s, u in copy.links],
        "images": images,
        "image_sources": [{"source": img.file, "alt": img.alt} for img in fields.images],
        "poll": None
        if not fields.poll
        else {
            "question": fields.poll.question,
            "options": list(fields.poll.options),
            "duration_seconds": fields.poll.duration,
        },
        "article_url": article_url(post, config) if "site" in post.channels else None,
    }
    entry["content_hash"] = hashlib.sha256(
        _json({k: v for k, v in entry.items() if k != "status"})
    ).hexdigest()
    entry["idempotency_key"] = (
        parts[0]["idempotency_key"] if parts else idempotency_key(post.id, channel, 0, post.date)
    )
    return entry


def _json(data: Any) -> bytes:
    return (json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True) + "\n").encode("utf-8")


def _copy_text(copy: Copy) -> str:
    if len(copy.parts) == 1:
        head = f"[CW: {copy.cw}]\n\n" if copy.cw else ""
        return head + copy.parts[0] + "\n"
    return "\n\n---\n\n".join(copy.parts) + "\n"


__all__ = ["MANIFEST", "BuildResult", "build", "idempotency_key"]
