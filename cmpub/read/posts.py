"""Find the posts of a project, split their front matter and turn each into a checked Post.

A post is ``content/**/slug.md`` or a bundle ``content/**/slug/index.md`` with its images beside
it. Front matter is read with a key→line map, so every Problem points at the line to fix. Post
ids are stable across renames (``id:``, else the path without extension); two posts with one
id are an error naming both files. Checks that need no platform rule happen here (dates and
their time zone, images on disk, channels known and configured); per-channel limits are
checked by :mod:`cmpub.render.validate` on the rendered text.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

import frontmatter

from cmpub.model import ids
from cmpub.model.dates import parse_date
from cmpub.model.errors import Problem, Severity, error
from cmpub.model.project import FIELD_NAMES, Config, Cta, Fields, Image, Poll, Post, Source
from cmpub.model.schema import (
    INVALID,
    Any_,
    Bool,
    BoolOrStr,
    Context,
    Duration,
    Float,
    List,
    Map,
    Spec,
    Str,
    Url,
    Zone,
    did_you_mean,
)
from cmpub.model.yamldoc import Document, YamlError, load
from cmpub.platforms import CHANNELS, guess_channel
from cmpub.read.textfile import read_text, refusal

MAX_IMAGE_BYTES = 50 * 1000 * 1000
MAX_IMAGE_PIXELS = 50_000_000
IMAGE_FORMATS = ("JPEG", "PNG", "GIF", "WEBP")


class _Delimited(frontmatter.YAMLHandler):  # type: ignore[misc]
    """python-frontmatter's YAML handler with a strict boundary: exactly '---' on its own line.

    The stock boundary ``^-{3,}\\s*$`` may swallow the blank lines that follow it, which would
    shift every line number we report; this one matches the delimiter line and nothing else.
    """

    FM_BOUNDARY = re.compile(r"^---[ \t]*$", re.MULTILINE)


_HANDLER = _Delimited()


_MENTION = re.compile(r"@\{([a-z0-9][a-z0-9_-]*)\}")


class _Refusal(NamedTuple):
    """Why an image path cannot be used (becomes a Problem at each post that uses it)."""

    code: str
    message: str
    hint: str


class Nullable(Spec):
    """A field an override may set to ``null`` to remove it for one channel (a poll, a CTA)."""

    def __init__(self, inner: Spec) -> None:
        self.inner = inner
        self.default = None

    def convert(self, value: Any, where: Any, ctx: Context) -> Any:
        return None if value is None else self.inner.convert(value, where, ctx)


def _channel_key(key: str) -> str | None:
    return None if key in CHANNELS else f"'overrides' names an unknown channel '{key}'"


_ID = Str(example="id: black-friday-2026")  # checked by cmpub.model.ids (one canonical form)
_TAG = Str(
    pattern=r"#?[\w]+",
    expected="one word (letters, digits, _), without spaces",
    example="tags: [latteart, lyon]",
)
_IMAGE_FIELDS = {
    "src": Str(required=True, example="src: mug.jpg"),
    "alt": Str(
        required=True, example="describe what the image shows, for people who cannot see it"
    ),
    "focus": List(Float(min=0.0, max=1.0), min=2, max=2, single_ok=False),
    "banner": BoolOrStr(example='banner: false, banner: true or banner: "Dès 35 €"'),
    "logo": Bool(),
    "fit": Str(choices=("auto", "cover", "contain")),
    "aspect": Str(
        pattern=r"\d+(\.\d+)?:\d+(\.\d+)?",
        expected='a ratio like "4:5" (quoted: YAML reads 4:5 unquoted as a number)',
        example='aspect: "1:1"',
    ),
}
_IMAGE = Map(_IMAGE_FIELDS)
#: In an override an image may name only its ``src``: what it does not say comes from the
#: post's image with the same ``src`` (its alt text, focus, banner...).
_OVERRIDE_IMAGE = Map({**_IMAGE_FIELDS, "alt": Str(example=_IMAGE_FIELDS["alt"].example)})
_CTA = Map({"text": Str(required=True), "url": Url(required=True)})
_POLL = Map(
    {
        "question": Str(required=True),
        "options": List(Str(), min=2, max=10, unique=True, single_ok=False, required=True),
        "duration": Duration(default=86400),
        "results": Bool(default=False),
    }
)
_OVERRIDE = Map(
    {
        "title": Str(),
        "summary": Str(),
        "body": Str(),
        "cta": Nullable(_CTA),
        "images": List(_OVERRIDE_IMAGE, single_ok=False),
        "tags": List(_TAG, unique=True),
        "poll": Nullable(_POLL),
        "thread": Bool(),
        "cw": Nullable(Str()),
    }
)
POST_SCHEMA = Map(
    {
        "id": _ID,
        "title": Str(required=True, example='title: "Our new roast"'),
        "date": Any_(required=True),
        "timezone": Zone(),
        "channels": List(Str(), unique=True),
        "status": Str(choices=("draft", "ready"), default="ready"),
        "lang": Str(pattern=r"[a-z]{2,3}(-[A-Za-z0-9]+)*", expected="a language code like 'fr'"),
        "summary": Str(),
        "cta": _CTA,
        "images": List(_IMAGE, single_ok=False, default=[]),
        "tags": List(_TAG, unique=True, default=[]),
        "poll": _POLL,
        "thread": Bool(default=False),
        "cw": Str(),
        "reshare": List(Duration(), default=[]),
        "overrides": Map({}, extra=_OVERRIDE, extra_keys=_channel_key),
    },
    partial=True,  # a bad field does not hide the Problems of the others
)


@dataclass
class Loaded:
    """The posts of a project and every Problem found while reading them."""

    posts: list[Post] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


def find_posts(root: Path, content_dir: str = "content") -> list[Path]:
    """Every post file under ``content/``, sorted: ``*.md`` files, bundles as ``slug/index.md``."""
    base = root / content_dir
    found: list[Path] = []
    for dirpath, dirnames, filenames in os.walk(base):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith((".", "_")))
        found.extend(
            Path(dirpath, f)
            for f in filenames
            if f.endswith(".md") and not f.startswith((".", "_"))
        )
    return sorted(found)


def split(text: str, rel: str) -> tuple[str, str, int] | Problem:
    """Split a post into (front matter, body, body's first line) or say what is wrong."""
    if not _HANDLER.detect(text):
        first = text.split("\n", 1)[0]
        if first.strip().startswith("---"):
            return error(
                rel,
                1,
                1,
                "post.front-matter",
                f"the first line must be exactly '---', got '{first.strip()}'",
                "write three dashes and nothing else on the first line",
            )
        return error(
            rel,
            1,
            1,
            "post.front-matter",
            "the post has no front matter",
            "start the file with a '---' line, then 'title:' and 'date:', then '---'",
        )
    try:
        fm, body = _HANDLER.split(text)
    except ValueError:
        return error(
            rel,
            1,
            1,
            "post.unclosed",
            "the front matter opened on line 1 is never closed",
            "add a line with exactly '---' after the last front-matter line",
        )
    body_line = fm.count("\n") + 2
    if body.startswith("\n"):
        body = body[1:]
    return fm, body, body_line


class Loader:
    """Reads the posts of one project against its configuration (caches image headers)."""

    def __init__(self, config: Config) -> None:
        self.config = config
        self.root = config.root
        self.root_real = config.root.resolve()
        self.zone = config.timezone
        self._images: dict[Path, tuple[str, int, int, int] | str] = {}
        self._located: dict[tuple[str, str], Any] = {}
        self._refused: dict[str, Problem | None] = {}
        self._folders: dict[str, str] = {}

    def load_all(self, paths: list[Path] | None = None) -> Loaded:
        """Load every post (or ``paths``); report clashing ids and addresses at both files."""
        out = Loaded()
        posts = []
        for path in paths if paths is not None else find_posts(self.root, self.config.content_dir):
            post, problems = self.load_post(path)
            out.problems.extend(problems)
            if post is not None:
                posts.append(post)
        clashing, out.posts = ids.clashes(posts)
        out.problems.extend(clashing)
        return out

    def refuse(self, path: Path) -> Problem | None:
        """Why the post file ``path`` is not read (see :func:`cmpub.read.textfile.refusal`)."""
        key = str(path)
        if key not in self._refused:
            fix = "copy the post into content/"
            self._refused[key] = refusal(path, self.rel(path), self.root_real, fix, self._folders)
        return self._refused[key]

    def rel(self, path: Path) -> str:
        """A path as shown to the user: relative to the project, with '/'."""
        try:
            return path.relative_to(self.root).as_posix()
        except ValueError:
            return path.as_posix()

    def load_post(self, path: Path) -> tuple[Post | None, list[Problem]]:
        """Read one post file; return the Post (None if unusable) and its Problems."""
        rel = self.rel(path)
        refused = self.refuse(path)
        if refused is not None:
            return None, [refused]
        text, problems = read_text(path, rel)
        if text is None:
            return None, problems
        parts = split(text, rel)
        if isinstance(parts, Problem):
            return None, [*problems, parts]
        fm, body, body_line = parts
        try:
            doc = load(fm, line_offset=0)
        except YamlError as exc:
            return None, [*problems, error(rel, exc.line, exc.col, exc.code, exc.message, exc.hint)]
        ctx = Context(rel, doc, problems)
        if not isinstance(doc.data, dict):
            ctx.report(
                (),
                "post.front-matter",
                "the front matter must be 'key: value' lines",
                "write at least 'title: ...' and 'date: ...' between the '---' lines",
            )
            return None, ctx.problems
        data = POST_SCHEMA.convert(doc.data, (), ctx)
        if data is INVALID:
            return None, ctx.problems
        return self._post(path, rel, data, doc, body, body_line, ctx), ctx.problems

    def _post(
        self,
        path: Path,
        rel: str,
        data: dict[str, Any],
        doc: Document,
        body: str,
        body_line: int,
        ctx: Context,
    ) -> Post | None:
        source = Source(rel, doc.marks, body_line)

        def ok(key: str, default: Any = None) -> Any:
            value = data.get(key, default)
            return default if value is INVALID else value

        zone = ok("timezone") or self.zone
        when = None
        if data["date"] is not INVALID and data["timezone"] is not INVALID:
            when = parse_date(data["date"], zone, ctx, self.config.default_time)
        channels = None if data["channels"] is INVALID else self._channels(data["channels"], ctx)
        images = None
        if data["images"] is not INVALID:
            images = self._images_of(data["images"], path, ("images",), ctx)
        overrides = None
        if data["overrides"] is not INVALID:
            overrides = self._overrides(data["overrides"], channels, path, ctx, images or ())
        if not body.strip() and not ok("summary"):
            ctx.report(
                ("title",),
                "post.no-text",
                "the post has no text: no body and no summary",
                "write the text below the closing '---', or add 'summary:'",
            )
        self._check_mentions(data, body, body_line, ctx)
        if channels == () and ok("status", "ready") == "ready":
            ctx.report(
                ("channels",),
                "post.no-channels",
                "'channels' is empty: this post goes nowhere",
                "list where it goes, like 'channels: [site, bluesky]', or set 'status: draft'",
                severity=Severity.WARNING,
            )
        post_id = self._id(data, rel, ctx)
        title = ok("title")
        if when is None or channels is None or not title or post_id is None:
            return None  # nothing useful can be checked per channel
        fields = Fields(
            title=title,
            summary=ok("summary"),
            body=body,
            cta=Cta(**data["cta"]) if ok("cta") else None,
            images=images or (),
            tags=tuple(t.lstrip("#") for t in ok("tags", [])),
            poll=_poll(ok("poll")),
            thread=bool(ok("thread", False)),
            cw=ok("cw"),
        )
        return Post(
            id=post_id,
            source=source,
            date=when,
            timezone=zone,
            channels=channels,
            status=ok("status", "ready"),
            lang=ok("lang") or self.config.default_language,
            fields=fields,
            overrides=overrides or {},
            reshare=tuple(ok("reshare", [])),
        )

    def _id(self, data: dict[str, Any], rel: str, ctx: Context) -> str | None:
        """The post's id (``id:``, else from its path), or None after a Problem saying why."""
        written = data.get("id")
        if written is INVALID:
            return None
        post_id = written or ids.from_path(rel, self.config.content_dir)
        refused = ids.refusal(post_id, written=bool(written))
        if refused is None:
            return post_id
        if written:
            ctx.report(("id",), *refused)
        else:
            ctx.problems.append(error(rel, 0, 0, *refused))
        return None

    def _check_mentions(
        self, data: dict[str, Any], body: str, body_line: int, ctx: Context
    ) -> None:
        """Every ``@{key}`` must name someone under ``people:`` in cmpub.yaml."""
        people = self.config.people
        texts: list[tuple[tuple[str | int, ...] | None, str]] = [(None, body)]
        if isinstance(data.get("summary"), str):
            texts.append((("summary",), data["summary"]))
        for cid, over in (
            (data.get("overrides") or {}).items() if isinstance(data.get("overrides"), dict) else ()
        ):
            for key in ("summary", "body"):
                if isinstance(over, dict) and isinstance(over.get(key), str):
                    texts.append((("overrides", cid, key), over[key]))
        for where, text in texts:
            for m in _MENTION.finditer(text):
                key = m.group(1)
                if key in people:
                    continue
                hint = (
                    did_you_mean(key, list(people))
                    or f"add '{key}:' with a name and handles under 'people:' in cmpub.yaml"
                )
                message = f"'@{{{key}}}' names nobody in cmpub.yaml 'people:'"
                if where is None:
                    line = body_line + text.count("\n", 0, m.start())
                    col = m.start() - (text.rfind("\n", 0, m.start()) + 1) + 1
                    ctx.problems.append(
                        error(ctx.path, line, col, "post.unknown-mention", message, hint)
                    )
                else:
                    ctx.report(where, "post.unknown-mention", message, hint)

    def _channels(self, names: list[str] | None, ctx: Context) -> tuple[str, ...] | None:
        if names is None:
            return self.config.default_channels
        ok = True
        for i, name in enumerate(names):
            if name in CHANNELS:
                if name not in self.config.channels:
                    ctx.report(
                        ("channels", i),
                        "post.channel-not-configured",
                        f"channel '{name}' is not configured in cmpub.yaml",
                        f"add '{name}:' with its account under 'channels:' in cmpub.yaml,"
                        " or remove it here",
                    )
                    ok = False
                continue
            guess = guess_channel(name)
            hint = f"did you mean '{guess}'?" if guess else ""
            ctx.report(
                ("channels", i),
                "post.unknown-channel",
                f"unknown channel '{name}'",
                hint or "known channels: " + ", ".join(CHANNELS),
            )
            ok = False
        return tuple(names) if ok else None

    def _overrides(
        self,
        raw: dict[str, Any],
        channels: tuple[str, ...] | None,
        path: Path,
        ctx: Context,
        images: tuple[Image, ...] = (),
    ) -> dict[str, dict[str, Any]] | None:
        out: dict[str, dict[str, Any]] = {}
        ok = True
        for cid, fields in raw.items():
            if channels is not None and cid not in channels:
                ctx.report(
                    ("overrides", cid),
                    "post.override-unused",
                    f"'overrides' has '{cid}' but the post does not go to {cid}",
                    f"add {cid} to 'channels' or remove this override",
                    severity=Severity.WARNING,
                )
            given = {k: v for k, v in fields.items() if k in doc_keys(ctx, ("overrides", cid))}
            if given.get("cta"):
                given["cta"] = Cta(**given["cta"])
            if "poll" in given:
                given["poll"] = _poll(given["poll"])
            if "tags" in given:
                given["tags"] = tuple(t.lstrip("#") for t in given["tags"])
            if "images" in given:
                where = ("overrides", cid, "images")
                imgs = self._images_of(given["images"], path, where, ctx, images)
                if imgs is None:
                    ok = False
                    continue
                given["images"] = imgs
            out[cid] = {k: v for k, v in given.items() if k in FIELD_NAMES}
        return out if ok else None

    def _images_of(
        self,
        raw: list[dict[str, Any]],
        post: Path,
        where: tuple[str | int, ...],
        ctx: Context,
        inherit: tuple[Image, ...] = (),
    ) -> tuple[Image, ...] | None:
        images = []
        for i, item in enumerate(raw):
            base = next((img for img in inherit if img.src == item["src"]), None)
            if base is not None:  # an override's image: unsaid fields come from the post's
                item = {k: (base_value(base, k) if v is None else v) for k, v in item.items()}
            if item.get("alt") is None:
                ctx.report(
                    (*where, i),
                    "schema.missing",
                    f"'{_where_name((*where, i))}.alt' is required: the post has no image "
                    f"'{item['src']}' to take it from",
                    "add a line 'alt: ...', or use the 'src' of one of the post's images",
                )
                return None
            image = self._image(item, post, (*where, i), ctx)
            if image is None:
                return None
            images.append(image)
        return tuple(images)

    def _image(
        self, item: dict[str, Any], post: Path, where: tuple[str | int, ...], ctx: Context
    ) -> Image | None:
        src: str = item["src"]
        key = (str(post.parent), src)
        found = self._located.get(key)
        if found is None:
            found = self._located[key] = self._locate(post.parent, src)
        if (
            isinstance(found, tuple)
            and len(found) == 3
            and isinstance(found[0], str)
            and "." in found[0]
        ):
            code, message, hint = found
            ctx.report((*where, "src"), code, message, hint)
            return None
        rel, (fmt, width, height, size) = found
        focus = item.get("focus")
        return Image(
            src=src,
            alt=item["alt"].strip(),
            focus=(focus[0], focus[1]) if focus else None,
            file=rel,
            width=width,
            height=height,
            format=fmt,
            bytes=size,
            banner=item.get("banner"),
            logo=item.get("logo"),
            fit=item.get("fit"),
            aspect=item.get("aspect"),
        )

    def _locate(self, folder: Path, src: str) -> Any:
        """Find an image beside the post, else under assets/: (rel, header) or (code, msg, hint)."""
        if re.match(r"[a-z][a-z0-9+.-]*://", src, re.IGNORECASE):
            return (
                "image.remote",
                f"'{src}' is a web address, not a file",
                "download the image and put it beside the post (a bundle) or in assets/",
            )
        if os.path.isabs(src) or src.startswith("~"):
            return (
                "image.absolute",
                f"'{src}' is an absolute path",
                "write the path relative to the post, or to assets/",
            )
        tried = []
        for base in (folder, self.root / self.config.assets_dir):
            candidate = Path(os.path.normpath(base / src))
            if not _inside(candidate, self.root):
                return (
                    "image.outside",
                    f"'{src}' points outside the project",
                    "keep images inside the project: beside the post or in assets/",
                )
            tried.append(self.rel(candidate))
            if candidate.exists() or candidate.is_symlink():
                real = candidate.resolve()
                if not _inside(real, self.root_real):
                    return (
                        "image.outside",
                        f"'{src}' is a link to a file outside the project",
                        "copy the image into the project instead of linking to it",
                    )
                info = self._images.get(real)
                if info is None:
                    info = self._images[real] = read_image_header(real)
                if isinstance(info, str):
                    message, _, hint = info.partition("|")
                    return _Refusal("image.bad", f"image '{src}': {message}", hint)
                return self.rel(candidate), info
        near = _nearby_names(folder, src)
        return (
            "image.missing",
            f"image '{src}' not found (looked for {' and '.join(tried)})",
            near or "check the file name, or put the image beside the post or in assets/",
        )


def base_value(image: Image, key: str) -> Any:
    """An override image's unsaid field, from the post's image with the same ``src``."""
    value = getattr(image, key, None)
    return list(value) if isinstance(value, tuple) else value


def _where_name(where: tuple[str | int, ...]) -> str:
    return ".".join(str(p) if isinstance(p, str) else f"[{p}]" for p in where).replace(".[", "[")


def doc_keys(ctx: Context, where: tuple[str, ...]) -> set[str]:
    """The keys actually written under ``where`` (to tell 'absent' from 'set to null')."""
    n = len(where)
    return {str(p[n]) for p in ctx.doc.marks if len(p) == n + 1 and p[:n] == where}


def read_image_header(path: Path) -> tuple[str, int, int, int] | str:
    """(format, width, height, bytes) from the file's header, or 'what is wrong|fix'.

    Only the header is read, and the byte and pixel caps are checked before anything is
    decoded, so a decompression bomb is refused without being expanded.
    """
    from PIL import Image as PILImage  # lazy: validate without images never pays for Pillow
    from PIL import UnidentifiedImageError

    try:
        size = path.stat().st_size
    except OSError as exc:
        return f"cannot read it ({exc.strerror})|check the file's permissions"
    if not path.is_file():
        return "it is not a file|point 'src' at an image file"
    if size > MAX_IMAGE_BYTES:
        return (
            f"the file is {size / 1e6:.1f} MB; the largest accepted is "
            f"{MAX_IMAGE_BYTES / 1e6:.0f} MB|export it smaller (a 3000 px JPEG is plenty)"
        )
    try:
        with PILImage.open(path) as img:
            fmt, (w, h) = img.format or "", img.size
    except PILImage.DecompressionBombError as exc:  # refused from the header, never decoded
        found = re.search(r"\((\d+) pixels\)", str(exc))
        pixels = int(found.group(1)) if found else MAX_IMAGE_PIXELS * 4
        return (
            f"it is {pixels / 1e6:.0f} megapixels; the limit is "
            f"{MAX_IMAGE_PIXELS / 1e6:.0f}|resize it to at most 6000 px on its long side"
        )
    except (UnidentifiedImageError, OSError, ValueError):
        return "it is not an image Pillow can read|export it as JPEG or PNG"
    if fmt not in IMAGE_FORMATS:
        return f"{fmt} images are not supported|export it as JPEG or PNG"
    if w * h > MAX_IMAGE_PIXELS:
        return (
            f"it is {w}×{h} = {w * h / 1e6:.0f} megapixels; the limit is "
            f"{MAX_IMAGE_PIXELS / 1e6:.0f}|resize it to at most 6000 px on its long side"
        )
    return fmt, w, h, size


def _inside(path: Path, root: Path) -> bool:
    try:
        path.relative_to(root)
    except ValueError:
        return False
    return True


def _nearby_names(folder: Path, src: str) -> str:
    try:
        names = [p.name for p in folder.iterdir() if p.is_file()]
    except OSError:
        return ""
    return did_you_mean(Path(src).name, names)


def _poll(raw: dict[str, Any] | None) -> Poll | None:
    if not raw:
        return None
    return Poll(raw["question"], tuple(raw["options"]), raw["duration"], raw["results"])
