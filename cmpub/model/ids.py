"""Post ids and the web addresses of their pages: one spelling per id, and no two posts on one.

An id names a post's ledger records (``ledger/<id>/``) and its folders in ``dist/``, so two
spellings of one path (``x//y`` and ``x/y``, ``a/`` and ``a``, ``a/./b`` and ``a/b``) or two
ids that differ only in case (one folder on macOS and Windows, where repositories get cloned)
would share records and publish again on every run. Hence one **canonical form**, the same
whether the id comes from the file's path or from ``id:``:

- parts separated by a single ``/``; no empty, ``.`` or ``..`` part; no ``/`` at either end;
- Unicode NFC (an id read from a macOS file name is normalised; an ``id:`` must be written so);
- no control characters, none of ``\\ : * ? " < > |``, no part that starts with ``.``, ends
  with ``.`` or a space, or is a name Windows reserves for a device (``con``, ``nul``...);
- not a name cmpub writes itself (:mod:`cmpub.model.layout`: ``tags``, ``feed.xml``, ``index``...).

The **slug** is the page's address, derived from the id: characters that are not safe in a URL
become ``-`` and accented Latin letters lose their accents (``mon café`` -> ``mon-cafe``);
letters of other scripts stay (``日本語``) and are percent-encoded in every link. An id made of
``A-Z a-z 0-9 - _ . ~ /`` is its own slug, so existing addresses never change. :func:`clashes`
refuses two posts with one id, one id up to case, or one address, at both files.
"""

from __future__ import annotations

import functools
import posixpath
import re
import unicodedata
from collections.abc import Sequence
from typing import TYPE_CHECKING, NamedTuple
from urllib.parse import quote

from cmpub.model import layout
from cmpub.model.errors import Problem, error

if TYPE_CHECKING:
    from cmpub.model.project import Post

#: Characters Windows cannot have in a file or folder name (``/`` separates parts).
FORBIDDEN = '\\:*?"<>|'
_DEVICES = {"con", "prn", "aux", "nul", *(f"com{i}" for i in range(1, 10))}
_DEVICES |= {f"lpt{i}" for i in range(1, 10)}
_MAX_PART_BYTES = 200  # a folder name; file systems stop at 255
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_URL_SAFE = re.compile(r"[A-Za-z0-9._~-]")
#: Latin letters that Unicode does not decompose into a base letter and an accent.
_LATIN = {
    "ß": "ss",
    "ẞ": "SS",
    "æ": "ae",
    "Æ": "AE",
    "œ": "oe",
    "Œ": "OE",
    "ø": "o",
    "Ø": "O",
    "đ": "d",
    "Đ": "D",
    "ð": "d",
    "Ð": "D",
    "ł": "l",
    "Ł": "L",
    "þ": "th",
    "Þ": "Th",
    "ı": "i",
}


class Refusal(NamedTuple):
    """Why an id cannot be used: a Problem's code, message and fix."""

    code: str
    message: str
    hint: str


def from_path(rel: str, content_dir: str) -> str:
    """The id of a post that has no ``id:``: its path under ``content/``, without ``.md``
    (a bundle ``slug/index.md`` is ``slug``), in Unicode NFC."""
    stem = rel[len(content_dir) + 1 :] if rel.startswith(content_dir + "/") else rel
    stem = stem[:-3] if stem.endswith(".md") else stem
    stem = stem[: -len("/index")] if stem.endswith("/index") else stem
    return unicodedata.normalize("NFC", stem)


def canonical(raw: str) -> str:
    """The canonical spelling closest to ``raw`` ('' when nothing is left of it)."""
    text = unicodedata.normalize("NFC", raw).strip()
    parts: list[str] = []
    for part in posixpath.normpath("/" + text).split("/"):
        part = part.strip().lstrip(".").rstrip(". ")
        if part:
            parts.append(part)
    return "/".join(parts)


@functools.lru_cache(maxsize=4096)
def refusal(post_id: str, written: bool) -> Refusal | None:
    """Why ``post_id`` cannot be an id, or None. ``written``: it comes from an ``id:`` line
    (the fix is another ``id:``), else from the file's path (the fix is a new file name)."""
    fix = canonical(post_id)

    def write(better: str, because: str = "") -> str:
        if written:
            return f"write 'id: {better}'{because}" if better else "write another id"
        return f"rename the file{because}, or give the post an 'id:'"

    found = _CONTROL.search(post_id)
    if found:
        return Refusal(
            "id.control",
            f"the id contains an invisible control character (U+{ord(found.group()):04X})",
            write(_CONTROL.sub("", fix)),
        )
    if post_id.startswith("/"):
        return Refusal(
            "id.absolute",
            f"'{post_id}' starts with '/': an id is a name inside the project, not an absolute path",
            write(fix),
        )
    parts = post_id.split("/")
    if ".." in parts:
        return Refusal(
            "id.parent",
            f"'{post_id}' has a '..' part: an id cannot point outside its folder",
            write(fix),
        )
    for ch in FORBIDDEN:
        if ch in post_id:
            better = canonical(re.sub(f"[{re.escape(FORBIDDEN)}]+", "-", post_id))
            return Refusal(
                "id.character",
                f"'{post_id}' contains '{ch}', which Windows cannot have in a folder name"
                " (each id is a folder in ledger/)",
                write(better, f" without '{ch}'"),
            )
    if written and post_id != fix:
        return Refusal(
            "id.not-canonical",
            f"'{post_id}' is not written the one way cmpub keeps ids: {_why(post_id)}",
            write(fix),
        )
    if not written and post_id != fix:
        return Refusal(
            "id.not-canonical",
            f"the file's path gives the id '{post_id}': {_why(post_id)}",
            write(fix),
        )
    for part in parts:
        if part.split(".")[0].casefold() in _DEVICES:
            return Refusal(
                "id.device",
                f"'{part}' is a name Windows keeps for a device: it cannot be a folder there",
                write(f"{post_id}-post"),
            )
        if len(part.encode("utf-8")) > _MAX_PART_BYTES:
            return Refusal(
                "id.too-long",
                f"a part of the id is {len(part.encode('utf-8'))} bytes long; the most is"
                f" {_MAX_PART_BYTES}",
                "shorten it" if written else "shorten the file name, or give the post an 'id:'",
            )
    address = slug(post_id)
    for part, shown in zip(address.split("/"), parts, strict=True):
        if not any(c.isalnum() for c in part) or part.startswith("."):
            return Refusal(
                "id.no-address",
                f"'{shown}' gives the post's page no web address: each part of an id needs"
                " a letter or a digit",
                "write an id with a letter or a digit in each part"
                if written
                else "rename the file with letters or digits, or give the post an 'id:'",
            )
    for name in (parts[0], address.split("/")[0]):
        reserved = _reserved(name)
        other = post_id.replace(".", "-") + "-post"
        if reserved:
            return Refusal(
                "id.reserved",
                f"'{name}' is a name cmpub uses for its own files ({reserved} in dist/):"
                " this post would replace them",
                f"write 'id: {other}'"
                if written
                else f"rename the file, or give the post an 'id:' like 'id: {other}'",
            )
    for part in parts[1:]:
        if layout.is_post_file(part):
            parent = post_id[: post_id.index(part) - 1]
            return Refusal(
                "id.reserved",
                f"'{part}' is a file name cmpub writes in the folders of post '{parent}'",
                write(post_id.replace(part, part.replace(".", "-"))),
            )
    return None


def _why(post_id: str) -> str:
    if post_id.startswith("./"):
        return "no './' at the start"
    if post_id.endswith("/"):
        return "no '/' at the end"
    if "//" in post_id:
        return "one '/' between parts"
    parts = post_id.split("/")
    if "." in parts:
        return "no '.' part"
    if any(p.startswith(".") for p in parts):
        return "no part may start with '.' (a hidden folder)"
    if any(p != p.rstrip(". ") for p in parts):
        return "no part may end with '.' or a space (Windows drops them)"
    if any(p != p.lstrip() for p in parts):
        return "no space at the start of a part"
    if unicodedata.normalize("NFC", post_id) != post_id:
        return "accented letters must be written as single characters (Unicode NFC)"
    return "no space at either end"


def _reserved(name: str) -> str:
    """The dist/ name that ``name`` would clash with ('' when none)."""
    folded = name.casefold()
    for top in sorted(layout.TOP_NAMES):
        if folded in (top.casefold(), top.casefold().removesuffix(".html")):
            return top if "." in top else top + "/"
    return ""


@functools.lru_cache(maxsize=4096)
def slug(post_id: str) -> str:
    """The page address of a post (its folder in ``dist/``): URL-safe, from its id."""
    return "/".join(_slug_part(part) for part in post_id.split("/"))


def href(post_id: str) -> str:
    """The slug as written in a link (letters of other scripts percent-encoded)."""
    return quote(slug(post_id))


def _slug_part(part: str) -> str:
    out: list[str] = []
    gap = False  # a run of unsafe characters was dropped: one '-' before the next character

    def put(text: str) -> None:
        nonlocal gap
        if gap and out and not text.startswith("-") and out[-1][-1:] != "-":
            out.append("-")
        gap = False
        out.append(text)

    for ch in unicodedata.normalize("NFC", part):
        if _URL_SAFE.fullmatch(ch):
            put(ch)
        elif ch in _LATIN:
            put(_LATIN[ch])
        elif unicodedata.category(ch)[0] in "LN":
            base = "".join(
                c for c in unicodedata.normalize("NFKD", ch) if not unicodedata.combining(c)
            )
            put(base if base.isascii() and base.isalnum() else ch)
        elif unicodedata.category(ch)[0] == "M" and out and not out[-1].isascii():
            out.append(ch)  # a mark on a letter of another script stays with it
        else:
            gap = True
    return "".join(out)


def clashes(posts: Sequence[Post]) -> tuple[list[Problem], list[Post]]:
    """Problems (at both files) for posts with one id, one id up to case, or one address;
    and the posts to keep (the second of two with the very same id is dropped)."""
    problems: list[Problem] = []
    kept: list[Post] = []
    by_id: dict[str, Post] = {}
    by_folded: dict[str, Post] = {}
    by_slug: dict[str, Post] = {}
    for post in posts:
        first = by_id.get(post.id)
        if first is not None:
            problems += _pair(
                post,
                first,
                "post.duplicate-id",
                f"post id '{post.id}' is already used by {first.source.path}",
                f"post id '{post.id}' is also used by {post.source.path}",
            )
            continue
        by_id[post.id] = post
        kept.append(post)
        folded = post.id.casefold()
        other = by_folded.setdefault(folded, post)
        if other is not post:
            problems += _pair(
                post,
                other,
                "post.id-case",
                f"post id '{post.id}' differs from '{other.id}' ({other.source.path}) only in"
                " upper and lower case: on macOS and Windows they are one folder in ledger/",
                f"post id '{other.id}' differs from '{post.id}' ({post.source.path}) only in"
                " upper and lower case: on macOS and Windows they are one folder in ledger/",
            )
            continue
        address = slug(post.id).casefold()
        other = by_slug.setdefault(address, post)
        if other is not post:
            where = slug(post.id)
            problems += _pair(
                post,
                other,
                "post.same-address",
                f"post '{post.id}' would have the same web address /{where}/ as"
                f" '{other.id}' ({other.source.path})",
                f"post '{other.id}' would have the same web address /{where}/ as"
                f" '{post.id}' ({post.source.path})",
            )
    return problems, kept


def _pair(post: Post, first: Post, code: str, message: str, mirror: str) -> list[Problem]:
    hint = "give the newer one another 'id:'; never change the id of a post already published"
    out = []
    for p, text in ((post, message), (first, mirror)):
        line, col = p.source.at("id") if ("id",) in p.source.marks else (0, 0)
        out.append(error(p.source.path, line, col, code, text, hint))
    return out
