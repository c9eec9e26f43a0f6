"""The only writer of ``dist/``: collects files in a fresh folder, then swaps it in atomically.

A build writes into ``dist.tmp-<pid>/`` beside the target; only when every file is written does
it replace ``dist/`` with two renames (old out of the way, new in place). An interrupted or
failed build leaves the previous ``dist/`` untouched. Paths are checked: nothing may be written
outside the output folder, and no path may be written twice in one build.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path, PurePosixPath

from cmpub.errors import CmpubError, UsageError

#: A file in dist/ listing every other file with its SHA-256: the next build links unchanged
#: files instead of writing them, and writes nothing at all when nothing changed.
STAMP = ".cmpub-files.json"


def read_stamp(out: Path) -> dict[str, str]:
    """The previous build's file list (path -> sha256), or {} when there is none."""
    try:
        data = json.loads((out / STAMP).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


class OutputError(CmpubError):
    """The output folder cannot be written (permissions, a bad path, a double write)."""


class Writer:
    """Writes the files of one build under a staging folder, refusing escapes and overwrites."""

    def __init__(self, staging: Path) -> None:
        self.staging = staging
        self.written: dict[str, int] = {}

    def _target(self, rel: str) -> Path:
        posix = PurePosixPath(rel)
        if posix.is_absolute() or ".." in posix.parts or not posix.parts or "\\" in rel:
            raise OutputError(f"refusing to write '{rel}': outside the output folder")
        if rel in self.written:
            raise OutputError(f"'{rel}' written twice in one build (two posts with one address?)")
        return self.staging.joinpath(*posix.parts)

    def write(self, rel: str, data: bytes | str) -> None:
        """Write one file (text is UTF-8 with ``\\n`` line endings)."""
        target = self._target(rel)
        blob = data.encode("utf-8") if isinstance(data, str) else data
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(blob)
        self.written[rel] = len(blob)

    def link_or_copy(self, rel: str, source: Path) -> None:
        """Put an existing file (a cached image) at ``rel``: a hard link when possible."""
        target = self._target(rel)
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.link(source, target)
        except OSError:
            shutil.copyfile(source, target)
        self.written[rel] = target.stat().st_size


def check_out_dir(out: Path, root: Path, protected: list[Path]) -> None:
    """Refuse an output folder that would overwrite the project's own files."""
    out_r = out.resolve()
    if out_r == root.resolve() or root.resolve().is_relative_to(out_r):
        raise UsageError(f"--out '{out}' would replace the project itself; use a folder like dist/")
    for folder in protected:
        f = folder.resolve()
        if out_r == f or out_r.is_relative_to(f) or f.is_relative_to(out_r):
            raise UsageError(
                f"--out '{out}' is inside (or contains) {folder.name}/, which holds your sources;"
                " use a folder like dist/"
            )


@contextmanager
def staged(out: Path) -> Iterator[Writer]:
    """Yield a Writer on a staging folder; on success swap it in as ``out``, else discard it."""
    parent = out.parent
    try:
        parent.mkdir(parents=True, exist_ok=True)
        staging = parent / f".{out.name}.tmp-{os.getpid()}"
        if staging.exists():
            shutil.rmtree(staging)
        staging.mkdir()
    except OSError as exc:
        raise OutputError(
            f"cannot write the output folder '{out}': {exc.strerror or exc}"
            " (check that the folder exists and that you may write to it)"
        ) from None
    try:
        yield Writer(staging)
        _swap(staging, out)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def _swap(staging: Path, out: Path) -> None:
    old = out.parent / f".{out.name}.old-{os.getpid()}"
    try:
        if out.exists():
            out.rename(old)
        staging.rename(out)
    except OSError as exc:
        if old.exists() and not out.exists():
            old.rename(out)
        raise OutputError(f"cannot replace '{out}': {exc.strerror or exc}") from None
    _remove_later(old)


def _remove_later(old: Path) -> None:
    """Delete the replaced tree without making the user wait (a detached ``rm -rf``);
    leftovers of an interrupted removal are cleared by the next build."""
    if not old.exists():
        return
    for leftover in old.parent.glob(f".{old.name.split('.old-')[0].lstrip('.')}.old-*"):
        if leftover != old:
            shutil.rmtree(leftover, ignore_errors=True)
    shell = shutil.which("sh")
    if shell is None:
        shutil.rmtree(old, ignore_errors=True)
        return
    import subprocess

    # the shell returns at once; the backgrounded rm outlives it (and us)
    subprocess.run(
        [shell, "-c", 'rm -rf -- "$1" >/dev/null 2>&1 &', "sh", str(old)],
        stdin=subprocess.DEVNULL,
        check=False,
    )


def export(dist: Path, files: list[str], out: Path) -> int:
    """Copy (hard-link when possible) ``files`` of ``dist`` into a fresh ``out`` folder."""
    if out.exists():
        shutil.rmtree(out)
    writer = Writer(out)
    out.mkdir(parents=True)
    for rel in files:
        source = dist / rel
        if source.is_file():
            writer.link_or_copy(rel, source)
    return len(writer.written)
