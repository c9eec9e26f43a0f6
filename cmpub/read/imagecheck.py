"""Decode the images posts use, so that a damaged file fails ``validate`` and not the build.

A truncated JPEG has a perfect header: reading it (what the loader does, to check sizes and caps
before anything is decoded) says nothing is wrong, and only decoding the pixels finds the end
missing. Each image is decoded once, the way the build's decoder reads it (a JPEG at its
smallest DCT scale, which still reads every byte of the picture), and the files that decoded
are remembered by path, modification time and size in ``.cmpub-cache/decoded.json``: a
validate decodes only the images that changed since the last one. The cache is a speed-up and
nothing else (a file it cannot read or write is ignored).
"""

from __future__ import annotations

import json
import os
import warnings
from pathlib import Path

CACHE_FILE = Path(".cmpub-cache") / "decoded.json"


class Decoder:
    """Decodes image files of one project, remembering the ones that decoded cleanly."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.path = root / CACHE_FILE
        try:
            known = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            known = {}
        self.known: dict[str, list[int]] = known if isinstance(known, dict) else {}
        self.entries = dict(self.known)
        self.seen: dict[str, tuple[str, str] | None] = {}

    def damage(self, rel: str) -> tuple[str, str] | None:
        """(what is wrong, the fix) when the image at ``rel`` cannot be decoded, else None."""
        if rel in self.seen:
            return self.seen[rel]
        path = self.root / rel
        try:
            st = path.stat()
        except OSError as exc:
            found: tuple[str, str] | None = (
                f"cannot read it ({exc.strerror})",
                "check the file's permissions",
            )
        else:
            stamp = [st.st_mtime_ns, st.st_size]
            found = None if self.known.get(rel) == stamp else decode_problem(path)
            if found is None:
                self.entries[rel] = stamp
            else:
                self.entries.pop(rel, None)
        self.seen[rel] = found
        return found

    def save(self) -> None:
        """Write down the images that decoded (only when that changed what is known)."""
        if self.entries == self.known:
            return
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            tmp = self.path.with_name(f"{self.path.name}.tmp-{os.getpid()}")
            tmp.write_text(json.dumps(self.entries, sort_keys=True), encoding="utf-8")
            tmp.replace(self.path)
        except OSError:
            pass  # a read-only checkout: the next run decodes again


def decode_problem(path: Path) -> tuple[str, str] | None:
    """Decode the first frame of ``path``; (what is wrong, the fix) when it cannot be done.

    The caller has already checked the header (format, byte and pixel caps), so no
    decompression bomb gets here.
    """
    from PIL import Image  # lazy: validate without images never pays for Pillow

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with Image.open(path) as img:
                if img.format == "JPEG":
                    img.draft("RGB", (max(1, img.width // 8), max(1, img.height // 8)))
                img.load()
    except (OSError, ValueError, SyntaxError, EOFError) as exc:
        if "truncated" in str(exc):
            what = "the end of the file is missing (it was cut short while being copied or saved)"
        else:
            what = "its picture data is damaged and cannot be decoded"
        return what, "export or download the image again from its original"
    return None
