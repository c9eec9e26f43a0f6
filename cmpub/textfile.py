"""Read a text file the way editors leave it, and say exactly what is wrong with it.

Accepts UTF-8 with or without a BOM and CRLF line endings (each a warning: the text is read as
UTF-8 with ``\\n``, which is what every platform receives). Refuses, with a Problem at the line
and column: an empty file, a binary file, bytes that are not UTF-8, and files too large to be
a post.
"""

from __future__ import annotations

from pathlib import Path

from cmpub.errors import Problem, error, warning

MAX_BYTES = 2 * 1024 * 1024  # a post or a config file; anything bigger is a mistake
_BOM = b"\xef\xbb\xbf"


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
    return text, problems


def read_text(path: Path, rel: str) -> tuple[str | None, list[Problem]]:
    """Read ``path`` as text (see :func:`decode`); ``rel`` is how the path is shown to the user."""
    try:
        with path.open("rb") as fh:
            data = fh.read(MAX_BYTES + 1)
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
