"""Read a text file the way editors leave it, and say exactly what is wrong with it.

Accepts UTF-8 with or without a BOM and CRLF line endings (each a warning: the text is read as
UTF-8 with ``\\n``, which is what every platform receives). Refuses, with a Problem at the line
and column: an empty file, a binary file, bytes that are not UTF-8, invisible control
characters (C0 and C1, except tab and line feed: they break feeds and drive terminals), and files
too large to be a post. Only regular files are read: a named pipe would block forever.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from cmpub.model.controls import CONTROL, control_name
from cmpub.model.errors import Problem, error, warning

MAX_BYTES = 2 * 1024 * 1024  # a post or a config file; anything bigger is a mistake
_BOM = b"\xef\xbb\xbf"
MAX_CONTROL_PROBLEMS = 10


def decode(data: bytes, rel: str) -> tuple[str | None, list[Problem]]:
    """Decode file bytes to text with ``\\n`` line endings, or None with the Problem why."""
    problems: list[Problem] = []
    if len(data) > MAX_BYTES:
        return None, [
            error(
                rel,
                0,
                0,
                "file.too-large",
                f"the file is {len(data):,} bytes; a text file here is at most {MAX_BYTES:,}",
                "is this the right file? images go beside the post, not inside it",
            )
        ]
    if data.startswith(_BOM):
        data = data[3:]
        problems.append(
            warning(
                rel,
                1,
                1,
                "file.bom",
                "the file starts with a byte-order mark",
                "save it as UTF-8 without BOM (cmpub ignores the mark)",
            )
        )
    if not data.strip():
        return None, [
            *problems,
            error(
                rel,
                1,
                1,
                "file.empty",
                "the file is empty",
                "start it with front matter: a '---' line, 'title: ...', a '---' line",
            ),
        ]
    if b"\x00" in data[:8192]:
        return None, [
            error(
                rel,
                1,
                1,
                "file.binary",
                "this is a binary file, not text",
                "posts are Markdown text files (.md); move other files out of content/"
                " or give them another extension",
            )
        ]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        before = data[: exc.start]
        line = before.count(b"\n") + 1
        col = exc.start - (before.rfind(b"\n") + 1) + 1
        return None, [
            error(
                rel,
                line,
                col,
                "file.encoding",
                f"byte 0x{data[exc.start]:02x} is not UTF-8",
                "save the file as UTF-8 (your editor's 'Save with encoding' menu)",
            )
        ]
    if "\r" in text:
        first = text.count("\n", 0, text.index("\r")) + 1
        if "\r\n" in text:
            problems.append(
                warning(
                    rel,
                    first,
                    1,
                    "file.crlf",
                    "the file has Windows (CRLF) line endings",
                    "save it with LF line endings; cmpub reads CRLF as LF",
                )
            )
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    found = control_problems(text, rel)
    if found:
        return None, [*problems, *found]
    return text, problems


def control_problems(text: str, rel: str) -> list[Problem]:
    """A Problem at the line and column of each control character in ``text`` (the first few)."""
    out = []
    for m in CONTROL.finditer(text):
        if len(out) == MAX_CONTROL_PROBLEMS:
            break
        line = text.count("\n", 0, m.start()) + 1
        col = m.start() - (text.rfind("\n", 0, m.start()) + 1) + 1
        out.append(
            error(
                rel,
                line,
                col,
                "file.control-character",
                f"an invisible control character {control_name(m.group())} is here",
                "delete it: put the cursor just after that spot and press Backspace; it does"
                " not show, but it breaks feeds and terminals",
            )
        )
    return out


def refusal(
    path: Path, rel: str, root: Path, fix: str, folders: dict[str, str] | None = None
) -> Problem | None:
    """Why the file ``path`` of the project at ``root`` (resolved) is not read, or None.

    A link that resolves outside the project is an error (``fix`` says where the file should
    be); a named pipe, a socket or a device is skipped with a warning that names it.
    ``folders`` (folder -> its resolved path) lets many files of one folder share one lookup.
    """
    real, mode = _real(path, {} if folders is None else folders)
    if not real.is_relative_to(root):
        return error(
            rel,
            0,
            0,
            "file.outside",
            f"{rel} is a link to a file outside the project ({real})",
            f"{fix} instead of linking to it",
        )
    try:
        mode = mode or real.stat().st_mode
    except OSError as exc:
        return error(
            rel,
            0,
            0,
            "file.unreadable",
            f"cannot read the file: {exc.strerror}",
            "check that it exists and that you can read it",
        )
    if not stat.S_ISREG(mode):
        return warning(
            rel,
            0,
            0,
            "file.skipped",
            f"skipped {rel}: it is {_kind(mode)}, not a file",
            "posts are ordinary files; remove it from content/ or rename it without '.md'",
        )
    return None


def _real(path: Path, folders: dict[str, str]) -> tuple[Path, int]:
    """``path`` with every link resolved (each folder resolved once), and its mode when the
    file itself is not a link (0: ask the resolved path)."""
    try:
        mode = os.lstat(path).st_mode
    except OSError:
        return path.resolve(), 0
    if stat.S_ISLNK(mode):
        return path.resolve(), 0
    parent = str(path.parent)
    if parent not in folders:
        folders[parent] = os.path.realpath(parent)
    return Path(folders[parent], path.name), mode


def _kind(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        return "a named pipe"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISDIR(mode):
        return "a folder"
    return "a special file"


def read_bytes(path: Path, limit: int = MAX_BYTES + 1) -> bytes:
    """The first ``limit`` bytes of a regular file; OSError for anything else.

    The file is opened without blocking and checked before reading, so a named pipe, a socket
    or a device in the project is refused instead of hanging or reading without end.
    """
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise OSError(0, "it is not a regular file", str(path))
        chunks, left = [], min(limit, st.st_size + 1)  # +1: a file that grew is still seen
        while left > 0:
            chunk = os.read(fd, left)
            if not chunk:
                break
            chunks.append(chunk)
            left -= len(chunk)
        return b"".join(chunks)
    finally:
        os.close(fd)


def read_text(path: Path, rel: str) -> tuple[str | None, list[Problem]]:
    """Read ``path`` as text (see :func:`decode`); ``rel`` is how the path is shown to the user."""
    try:
        data = read_bytes(path)
    except OSError as exc:
        return None, [
            error(
                rel,
                0,
                0,
                "file.unreadable",
                f"cannot read the file: {exc.strerror}",
                "check that it exists and that you can read it",
            )
        ]
    return decode(data, rel)
