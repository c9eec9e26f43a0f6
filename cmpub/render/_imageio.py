"""Safe reading of source images for the variant renderer (private helper of ``images``).

Every source goes through two steps, both cached per process:

1. :func:`probe` parses only the header: file size and pixel count are checked against the caps
   *before* any pixel is decoded (decompression bombs), the format against an allow-list, and the
   EXIF orientation is read so that the caller can plan its crop in the orientation people see.
2. :func:`decode` decodes the first frame (at a reduced JPEG scale when the caller asks for one),
   applies the EXIF orientation, converts any colour mode to 8-bit sRGB ``RGB`` (embedded ICC
   profiles are applied with LittleCMS, transparency is flattened on the given colour) and drops
   every piece of metadata (``info`` is emptied).

The caches are keyed by path, modification time and size (and by the scale and flattening colour
for decoded pixels), so a changed file is read again and a result never depends on cache state.
"""

from __future__ import annotations

import io
import os
import threading
import warnings
from collections import OrderedDict
from dataclasses import dataclass
from functools import lru_cache

from PIL import (
    AvifImagePlugin,
    BmpImagePlugin,
    GifImagePlugin,
    Image,
    ImageCms,
    ImageOps,
    JpegImagePlugin,
    MpoImagePlugin,
    PngImagePlugin,
    TiffImagePlugin,
    UnidentifiedImageError,
    WebPImagePlugin,
)

#: Largest source file accepted: a 50-60 MP camera JPEG is 20-40 MB; a bigger file is refused
#: before it is read (DESIGN.md §9).
MAX_SOURCE_BYTES = 64 * 1024 * 1024

#: Largest pixel count accepted, checked from the header before decoding. 64 MP lets 48-61 MP
#: phone and camera photos through and refuses 20000x20000 (400 MP) and decompression bombs;
#: a decoded 64 MP RGB frame needs ~200 MB, which two pool workers can afford.
MAX_PIXELS = 64_000_000

#: Formats opened at all (Pillow's other, rarer plugins are never tried on user files). Their
#: plugins are imported here so that ``Image.open(formats=...)`` knows them without
#: ``Image.init()`` loading every plugin.
_PLUGINS = (
    JpegImagePlugin,
    MpoImagePlugin,
    PngImagePlugin,
    GifImagePlugin,
    WebPImagePlugin,
    AvifImagePlugin,
    TiffImagePlugin,
    BmpImagePlugin,
)
FORMATS = ("JPEG", "PNG", "GIF", "WEBP", "AVIF", "TIFF", "BMP")  # JPEG opens MPO files too

#: Decoded frames kept per process (a source at two scales): the build sends the jobs of one
#: source to one worker in a row, so its channels decode the file once per scale. Kept small so
#: two workers stay well under the 1 GiB budget of a 5000-post build.
_DECODED_PIXELS_MAX = 16_000_000

_ROTATES = {5, 6, 7, 8}  # EXIF orientations that swap width and height


class SourceError(Exception):
    """A source that cannot be used; ``images`` turns it into an ImageError (message, hint)."""

    def __init__(self, message: str, hint: str) -> None:
        super().__init__(message, hint)
        self.message = message
        self.hint = hint


@dataclass(frozen=True)
class Probe:
    """What the header says: oriented size, stored size, format, orientation, animation."""

    width: int  # as displayed (EXIF orientation applied)
    height: int
    stored: tuple[int, int]  # as stored in the file
    format: str
    orientation: int
    animated: bool


def _stat_key(path: str) -> tuple[int, int]:
    try:
        st = os.stat(path)
    except FileNotFoundError:
        raise SourceError(
            f"the image file is missing: {path}", "check the image path in the post"
        ) from None
    except OSError as exc:
        raise SourceError(
            f"the image file cannot be read: {path} ({exc.strerror})", "check its permissions"
        ) from None
    if not os.path.isfile(path):
        raise SourceError(f"the image path is not a file: {path}", "point it at an image file")
    return st.st_mtime_ns, st.st_size


def _open(path: str, size: int, data: bytes | None = None) -> Image.Image:
    """Open ``path`` (or its ``data``; header only) after the byte cap, then the pixel cap."""
    if size > MAX_SOURCE_BYTES:
        raise SourceError(
            f"the image is too large to process safely ({size:,} bytes; the cap is "
            f"{MAX_SOURCE_BYTES:,})",
            "export it smaller (a 4000 px long side is plenty for every network)",
        )
    if size == 0:
        raise SourceError("the image is corrupt or truncated (the file is empty)", "re-export it")
    try:
        with warnings.catch_warnings():
            # Our own cap (below) is stricter than Pillow's warning threshold.
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            im = Image.open(io.BytesIO(data) if data is not None else path, formats=FORMATS)
    except Image.DecompressionBombError:
        raise SourceError(
            f"the image is too large to decode safely (more than {MAX_PIXELS:,} pixels, "
            "possibly a decompression bomb)",
            "export it at a normal size (a 4000 px long side is plenty)",
        ) from None
    except UnidentifiedImageError:
        raise SourceError(
            "the file is not an image cmpub can read",
            "use JPEG, PNG, GIF, WebP, AVIF, TIFF or BMP",
        ) from None
    except (OSError, SyntaxError, ValueError, EOFError, IndexError, KeyError) as exc:
        raise SourceError(
            f"the image is corrupt or truncated ({exc.__class__.__name__})", "re-export it"
        ) from None
    w, h = im.size
    if w <= 0 or h <= 0 or w * h > MAX_PIXELS:
        im.close()
        raise SourceError(
            f"the image is too large to decode safely ({w}×{h} = {w * h:,} pixels; "
            f"the cap is {MAX_PIXELS:,})",
            "export it at a normal size (a 4000 px long side is plenty)",
        )
    return im


def open_checked(path: str, size: int) -> Image.Image:
    """Open ``path`` (header only) with the byte and pixel caps and the format allow-list."""
    return _open(path, size)


def _orientation(im: Image.Image) -> int:
    try:
        value = im.getexif().get(0x0112, 1)
    except Exception:  # a broken EXIF block is no reason to refuse the picture
        return 1
    return value if isinstance(value, int) and 1 <= value <= 8 else 1


@lru_cache(maxsize=256)
def _probe(path: str, mtime_ns: int, size: int) -> Probe:
    with _open(path, size) as im:
        orientation = _orientation(im)
        animated = bool(getattr(im, "is_animated", False))
        w, h = im.size
        fmt = im.format or "?"
    ow, oh = (h, w) if orientation in _ROTATES else (w, h)
    return Probe(ow, oh, (w, h), fmt, orientation, animated)


def probe(path: str) -> Probe:
    """Read and check the header of ``path`` (size, pixel cap, format) without decoding it."""
    return _probe(path, *_stat_key(path))


# --------------------------------------------------------------------------- decoding


_lock = threading.Lock()
_decoded: OrderedDict[tuple[object, ...], tuple[Image.Image, tuple[str, ...]]] = OrderedDict()


def decode(
    path: str, scale: int, background: tuple[int, int, int]
) -> tuple[Image.Image, tuple[str, ...]]:
    """The first frame of ``path`` as oriented 8-bit sRGB RGB without metadata, plus warnings.

    ``scale`` (1, 2, 4 or 8) asks JPEG sources for a reduced decode (libjpeg's DCT scaling,
    much faster than decoding everything and resampling); other formats ignore it, so the
    returned image's size tells the caller the real scale. The returned image is shared
    through the cache: callers must not modify it in place.
    """
    key = (path, *_stat_key(path), scale, background)
    with _lock:
        hit = _decoded.get(key)
        if hit is not None:
            _decoded.move_to_end(key)
            return hit
    orientation = probe(path).orientation
    result = _decode(path, key[2], scale, background, orientation)  # type: ignore[arg-type]
    with _lock:
        _decoded[key] = result
        total = sum(im.width * im.height for im, _ in _decoded.values())
        while len(_decoded) > 1 and total > _DECODED_PIXELS_MAX:
            _, (old, _w) = _decoded.popitem(last=False)
            total -= old.width * old.height
    return result


def _decode(
    path: str, size: int, scale: int, background: tuple[int, int, int], orientation: int
) -> tuple[Image.Image, tuple[str, ...]]:
    notes: list[str] = []
    if size > MAX_SOURCE_BYTES:
        _open(path, size)  # raises the size error
    try:
        with open(path, "rb") as f:
            data = f.read(MAX_SOURCE_BYTES + 1)
    except OSError as exc:
        raise SourceError(f"the image file cannot be read: {path} ({exc.strerror})", "") from None
    # Opened from memory: no file handle outlives this call, whatever the plugin does.
    im = _open(path, len(data), data)
    if getattr(im, "is_animated", False):
        if im.format == "TIFF":
            notes.append("the TIFF has several pages: only the first was used")
        elif im.format != "MPO":  # an MPO's other pictures are previews or depth maps
            notes.append(
                f"the {im.format} is animated: only its first frame was used (a still image)"
            )
        im.seek(0)
    if scale > 1 and im.format in ("JPEG", "MPO"):
        w, h = im.size
        im.draft(None, (max(1, w // scale), max(1, h // scale)))
    try:
        im.load()
    except MemoryError:
        raise SourceError(
            "the image is too large to decode in memory", "export it at a normal size"
        ) from None
    except Exception as exc:  # truncated data, bad Huffman tables, broken zlib streams...
        raise SourceError(
            f"the image is corrupt or truncated ({exc.__class__.__name__}: {exc})", "re-export it"
        ) from None
    icc = im.info.get("icc_profile")
    if orientation != 1:
        try:
            im = ImageOps.exif_transpose(im)
        except Exception:
            notes.append("the EXIF orientation could not be applied; the image was used as stored")
    rgb = _to_srgb(im, icc if isinstance(icc, bytes) else None, background, notes)
    rgb.info = {}  # no EXIF, ICC, XMP, comments, timestamps or text chunks go further
    return rgb, tuple(notes)


def _to_srgb(
    im: Image.Image, icc: bytes | None, background: tuple[int, int, int], notes: list[str]
) -> Image.Image:
    """Any Pillow mode to 8-bit ``RGB`` in sRGB (ICC applied, alpha flattened on background)."""
    profile = _profile(icc) if icc else None
    if icc and profile is None:
        notes.append("the embedded colour profile could not be read; colours were taken as sRGB")
    space = profile[1] if profile else ""
    mode = im.mode
    if mode == "CMYK":
        if space == "CMYK":
            return _transform(im, icc, "CMYK")  # type: ignore[arg-type]
        return im.convert("RGB")
    if mode in ("I", "I;16", "I;16L", "I;16B", "I;16N", "F"):
        im = _sixteen_to_l(im)
        mode = "L"
    if mode in ("1", "L") and space == "GRAY":
        return _transform(im.convert("L"), icc, "L")  # type: ignore[arg-type]
    if mode == "P":
        mode = "RGBA" if "transparency" in im.info else "RGB"
        im = im.convert(mode)
    elif mode in ("PA", "LA", "La", "RGBa"):
        im = im.convert("RGBA")
        mode = "RGBA"
    if mode == "RGBA":
        flat = Image.new("RGB", im.size, background)
        flat.paste(im, mask=im.getchannel("A"))
        im = flat
    elif mode != "RGB":
        try:
            im = im.convert("RGB")
        except ValueError:
            raise SourceError(
                f"the image's colour mode {mode} is not supported", "re-export it as RGB"
            ) from None
    if space == "RGB " and not profile[2]:  # type: ignore[index]
        return _transform(im, icc, "RGB")  # type: ignore[arg-type]
    return im


def _sixteen_to_l(im: Image.Image) -> Image.Image:
    """16-bit (or 32-bit) greyscale to 8-bit ``L``: Pillow's own conversion clips at 255."""
    im = im.convert("F") if im.mode == "F" else im.convert("I")
    _lo, hi = im.getextrema()
    if isinstance(hi, (int, float)) and hi > 255:
        im = im.point(lambda v: v * (255 / 65535))
    return im.convert("L")


@lru_cache(maxsize=16)
def _profile(icc: bytes) -> tuple[ImageCms.ImageCmsProfile, str, bool] | None:
    """(profile, colour space, is sRGB) of an embedded ICC profile, or None when unreadable."""
    try:
        profile = ImageCms.ImageCmsProfile(io.BytesIO(icc))
        space = profile.profile.xcolor_space
        desc = (profile.profile.profile_description or "").lower()
    except Exception:
        return None
    return profile, space, "srgb" in desc.replace(" ", "")


@lru_cache(maxsize=16)
def _transform_for(icc: bytes, mode: str) -> ImageCms.ImageCmsTransform:
    profile = _profile(icc)
    assert profile is not None
    srgb = ImageCms.createProfile("sRGB")
    return ImageCms.buildTransform(
        profile[0], srgb, mode, "RGB", renderingIntent=ImageCms.Intent.PERCEPTUAL
    )


def _transform(im: Image.Image, icc: bytes, mode: str) -> Image.Image:
    try:
        return ImageCms.applyTransform(im, _transform_for(icc, mode))  # type: ignore[return-value]
    except Exception:
        return im.convert("RGB")
