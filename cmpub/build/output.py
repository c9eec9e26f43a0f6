"""The only writer of output folders (``dist/``, an exported site): what cmpub may replace, and
how it replaces it without ever losing the previous one.

**What may be replaced.** cmpub only ever replaces a folder it made itself: every output folder
carries a marker file (``.cmpub-output.json``) saying which command made it, written first into
the staging folder. :func:`check_out_dir` refuses, before anything is touched, an output folder
that is the project or contains it, that is inside or contains one of the project's sources
(``content/``, ``assets/``, ``templates/``, the ledger, ``.git/``, or for ``export-site`` the
build it reads), that is a file or a symbolic link, that holds files and no marker, or whose
marker names another command. Leftovers of an interrupted run (``.dist.tmp-*``, ``.dist.old-*``)
are deleted only when they carry the marker (or are empty) and the process that made them is
gone.

**How it is replaced.** A run writes into ``.<name>.tmp-<pid>-<token>/`` beside the target; only
when every file is written does it swap the new folder in: one atomic ``renameat2`` exchange on
Linux (no instant without a complete ``dist/``), else two renames, undone by the next run if it
died between them. A run killed or failing at any point leaves the previous folder intact. Paths
are checked: nothing may be written outside the output folder, and no path twice in one run.
"""

from __future__ import annotations

import contextlib
import glob
import json
import os
import secrets
import shutil
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path, PurePosixPath

from cmpub.model.errors import CmpubError, UsageError
from cmpub.model.project import Config

#: A file in dist/ listing every other file with its SHA-256: the next build links unchanged
#: files instead of writing them, and writes nothing at all when nothing changed.
STAMP = ".cmpub-files.json"
#: The marker of a folder cmpub made: ``{"made_by": "cmpub build"}``. Nothing else is replaced.
MARKER = ".cmpub-output.json"

BUILD = "cmpub build"
EXPORT = "cmpub export-site"
_SUGGEST = {BUILD: "dist/", EXPORT: "_site/"}

#: Test-only: called with a step name ("output-file", "output-swap", "output-swapped") so the
#: fault tests can kill a real build at a known point.
Hook = Callable[[str], None]


def read_stamp(out: Path) -> dict[str, str]:
    """The previous build's file list (path -> sha256), or {} when there is none."""
    try:
        data = json.loads((out / STAMP).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def made_by(folder: Path) -> str | None:
    """The command that made ``folder`` ('cmpub build'), or None when cmpub did not make it.

    A build folder of an earlier cmpub (a file list and no marker) counts as made by the build.
    """
    try:
        data = json.loads((folder / MARKER).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        data = None
    if isinstance(data, dict) and isinstance(data.get("made_by"), str):
        return str(data["made_by"])
    if read_stamp(folder):
        return BUILD
    return None


class OutputError(CmpubError):
    """The output folder cannot be written (permissions, a bad path, a double write)."""


# ----------------------------------------------------------------------------- what may be replaced


def project_sources(root: Path, config: Config | None = None) -> list[tuple[Path, str]]:
    """The project's folders no output may touch, each with what it holds (for the message)."""
    content = config.content_dir if config else "content"
    assets = config.assets_dir if config else "assets"
    ledger = config.deploy.ledger if config else "ledger"
    return [
        (root / content, "your posts"),
        (root / assets, "your images and brand files"),
        (root / "templates", "your templates"),
        (root / ledger, "the record of what went out"),
        (root / ".git", "your git history"),
    ]


def _inside(path: Path, folder: Path) -> bool:
    """``path`` is ``folder`` or inside it, symbolic links resolved; where both exist, compared
    by identity too (a case-insensitive file system, a bind mount)."""
    p, f = path.resolve(), folder.resolve()
    if p == f or p.is_relative_to(f):
        return True
    try:
        target = f.stat()
    except OSError:
        return False
    for ancestor in (p, *p.parents):
        try:
            if os.path.samestat(ancestor.stat(), target):
                return True
        except OSError:
            continue
    return False


def _name(folder: Path, root: Path) -> str:
    resolved, base = folder.resolve(), root.resolve()
    if resolved.is_relative_to(base) and resolved != base:
        return resolved.relative_to(base).as_posix() + "/"
    return str(folder)


def check_out_dir(
    out: Path,
    command: str,
    root: Path,
    sources: Sequence[tuple[Path, str]],
    keep: Sequence[Path] = (),
) -> None:
    """Refuse, with the reason and the path, an output folder ``command`` may not replace.

    ``sources`` are folders the output may not be, be inside or contain; ``keep`` folders it may
    be inside but never replace or contain (cmpub's cache). Raises :class:`UsageError`.
    """
    use = f"use a folder of its own, like {_SUGGEST.get(command, 'dist/')}"
    said = f"the output folder '{out}'"
    if _inside(root, out):
        what = "is the project folder itself" if _inside(out, root) else "contains the project"
        raise UsageError(f"{said} {what}: cmpub never replaces your project ({use})")
    for folder, holds in sources:
        name = _name(folder, root)
        if _inside(out, folder):
            where = f"is {name}" if _inside(folder, out) else f"is inside {name}"
            raise UsageError(
                f"{said} {where}, which holds {holds}: cmpub never writes there ({use})"
            )
        if _inside(folder, out):
            raise UsageError(f"{said} contains {name}, which holds {holds} ({use})")
    for folder in keep:
        if _inside(folder, out):
            raise UsageError(
                f"{said} would replace {_name(folder, root)}, cmpub's own cache ({use})"
            )
    problem = _refusal(out, command)
    if problem:
        if problem.startswith("already holds"):
            use = f"empty or delete it yourself if you mean it, or {use}"
        raise UsageError(f"{said} {problem} ({use})")


def _refusal(out: Path, command: str) -> str | None:
    """Why ``command`` may not replace ``out`` as it is now, or None when it may."""
    if out.is_symlink():
        return "is a symbolic link: cmpub replaces its output folders whole, never through a link"
    if not out.exists():
        return None
    if not out.is_dir():
        return "is a file, not a folder: cmpub never replaces a file"
    maker = made_by(out)
    if maker == command:
        return None
    if maker is not None:
        return (
            f"was made by '{maker}', not by '{command}': cmpub replaces a folder only with the"
            " command that made it"
        )
    if any(out.iterdir()):
        return (
            "already holds files that cmpub did not make: cmpub only replaces a folder it"
            " created itself"
        )
    return None


# ----------------------------------------------------------------------------- writing


class Writer:
    """Writes the files of one run under a staging folder, refusing escapes and overwrites."""

    def __init__(self, staging: Path, hook: Hook | None = None) -> None:
        self.staging = staging
        self.written: dict[str, int] = {}
        self.hook = hook

    def _target(self, rel: str) -> Path:
        posix = PurePosixPath(rel)
        if posix.is_absolute() or ".." in posix.parts or not posix.parts or "\\" in rel:
            raise OutputError(f"refusing to write '{rel}': outside the output folder")
        if rel in self.written:
            raise OutputError(f"'{rel}' written twice in one build (two posts with one address?)")
        return self.staging.joinpath(*posix.parts)

    def _done(self, rel: str, size: int) -> None:
        self.written[rel] = size
        if self.hook is not None:
            self.hook("output-file")

    def write(self, rel: str, data: bytes | str) -> None:
        """Write one file (text is UTF-8 with ``\\n`` line endings)."""
        target = self._target(rel)
        blob = data.encode("utf-8") if isinstance(data, str) else data
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(blob)
        self._done(rel, len(blob))

    def link_or_copy(self, rel: str, source: Path) -> None:
        """Put an existing file (a cached image) at ``rel``: a hard link when possible."""
        target = self._target(rel)
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.link(source, target)
        except OSError:
            shutil.copyfile(source, target)
        self._done(rel, target.stat().st_size)


@contextmanager
def staged(out: Path, command: str, hook: Hook | None = None) -> Iterator[Writer]:
    """Yield a Writer on a fresh staging folder; on success swap it in as ``out``, else drop it.

    The caller has checked ``out`` with :func:`check_out_dir`; it is checked again just before
    the swap, in case it changed meanwhile.
    """
    parent = out.parent
    try:
        parent.mkdir(parents=True, exist_ok=True)
        clear_leftovers(out)
        staging = parent / f".{out.name}.tmp-{os.getpid()}-{secrets.token_hex(4)}"
        staging.mkdir()
        (staging / MARKER).write_text(json.dumps({"made_by": command}) + "\n", encoding="utf-8")
    except OSError as exc:
        raise OutputError(
            f"cannot write the output folder '{out}': {exc.strerror or exc}"
            " (check that the folder exists and that you may write to it)"
        ) from None
    writer = Writer(staging, hook)
    writer.written[MARKER] = (staging / MARKER).stat().st_size
    try:
        yield writer
        if hook is not None:
            hook("output-swap")
        _swap(staging, out, command, hook)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)  # made just now by this run
        raise


def _swap(staging: Path, out: Path, command: str, hook: Hook | None) -> None:
    problem = _refusal(out, command)
    if problem:
        raise OutputError(f"the output folder '{out}' changed during the run: it {problem}")
    try:
        if not out.exists():
            staging.rename(out)
            return
        if _exchange(staging, out):  # staging now holds the previous tree
            if hook is not None:
                hook("output-swapped")
            _remove_later(staging)
            return
    except OSError as exc:
        raise OutputError(f"cannot replace '{out}': {exc.strerror or exc}") from None
    old = out.parent / f".{out.name}.old-{os.getpid()}-{secrets.token_hex(4)}"
    try:
        out.rename(old)
        staging.rename(out)
    except OSError as exc:
        if old.exists() and not out.exists():
            old.rename(out)
        raise OutputError(f"cannot replace '{out}': {exc.strerror or exc}") from None
    if hook is not None:
        hook("output-swapped")
    _remove_later(old)


def _exchange(a: Path, b: Path) -> bool:
    """Swap two folders atomically (Linux ``renameat2(RENAME_EXCHANGE)``); False if unsupported."""
    if not sys.platform.startswith("linux"):
        return False
    import ctypes
    import errno

    try:
        call = ctypes.CDLL(None, use_errno=True).renameat2
    except (OSError, AttributeError):
        return False
    call.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    at_fdcwd, rename_exchange = -100, 2
    if call(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange) == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP):
        return False  # an old kernel or a file system without it: two renames instead
    raise OSError(code, os.strerror(code))


# ----------------------------------------------------------------------------- old trees


def _leftovers(out: Path) -> Iterator[tuple[Path, int]]:
    """Staging and replaced folders beside ``out`` of runs that are gone: (path, pid)."""
    for kind in ("tmp", "old"):
        for path in out.parent.glob(f".{glob.escape(out.name)}.{kind}-*"):
            pid_text = path.name.rsplit(f".{kind}-", 1)[1].split("-", 1)[0]
            if pid_text.isdigit() and not _alive(int(pid_text)):
                yield path, int(pid_text)


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError):
        return True
    return True


def clear_leftovers(out: Path) -> None:
    """Put back a folder a dead run moved aside (two-rename fallback), then delete what dead
    runs left, but only what carries cmpub's marker (or is empty)."""
    found = sorted(_leftovers(out), key=lambda item: _mtime(item[0]), reverse=True)
    if not out.exists() and not out.is_symlink():
        for path, _pid in found:
            if ".old-" in path.name and made_by(path) is not None:
                with contextlib.suppress(OSError):
                    path.rename(out)
                break
    for path, _pid in found:
        if path.exists():
            _delete_ours(path, background=False)


def _mtime(path: Path) -> int:
    try:
        return path.stat().st_mtime_ns
    except OSError:
        return 0


def _delete_ours(folder: Path, background: bool) -> None:
    """Delete ``folder`` if cmpub made it (or it is empty); never anything else."""
    if folder.is_symlink() or not folder.is_dir():
        return
    if made_by(folder) is None:
        with contextlib.suppress(OSError):
            folder.rmdir()  # only succeeds when empty
        return
    shell = shutil.which("sh") if background else None
    if shell is None:
        shutil.rmtree(folder, ignore_errors=True)
        return
    import subprocess

    # the shell returns at once; the backgrounded rm outlives it (and us)
    subprocess.run(
        [shell, "-c", 'rm -rf -- "$1" >/dev/null 2>&1 &', "sh", str(folder)],
        stdin=subprocess.DEVNULL,
        check=False,
    )


def _remove_later(old: Path) -> None:
    """Delete the replaced tree without making the user wait (a detached ``rm -rf``); the next
    run clears what an interrupted removal left."""
    _delete_ours(old, background=True)


def export(dist: Path, files: list[str], out: Path, hook: Hook | None = None) -> int:
    """Copy (hard-link when possible) ``files`` of ``dist`` into a fresh ``out`` folder, swapped
    in whole like a build. The caller has checked ``out`` with :func:`check_out_dir`."""
    with staged(out, EXPORT, hook) as writer:
        for rel in files:
            source = dist / rel
            if source.is_file():
                writer.link_or_copy(rel, source)
        return len(writer.written) - 1  # the marker is not a file of the site
