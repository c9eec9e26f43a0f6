"""What a picture holds and where (private helper of ``images``): detail, text, faces, logo.

The banner and the logo must never hide what matters, so every source is measured once per
process (cached by path, modification time and size) and the placement code asks this
measurement questions in the source's own 0..1 coordinates:

- **detail**: a map of strong edges (Sobel magnitude over a threshold, on a 400 px copy), kept
  as an integral image so that "how busy is this rectangle" (:meth:`Analysis.density`) and "how
  much of the picture's detail lies inside this crop" (:meth:`Analysis.mass`) are O(1);
- **text**: text-like regions, found at two scales (800 px for small print, 320 px for display
  lettering) as runs of strokes: a morphological gradient, thresholded, closed horizontally into
  lines, then kept when a component is line-shaped (wider than tall, 6-60 px high), filled like
  lettering (25-85 %) and crossed by many light/dark transitions along its middle (strokes,
  not a bar or a bowl rim);
- **objects**: spectral-residual saliency (Hou & Zhang 2007) of the L, a and b channels of a
  96 px copy, so that a crop does not cut through a smooth thing that has few edges (a peach);
- **faces**: OpenCV's Haar cascade ``haarcascade_frontalface_default.xml`` (the model ships in
  ``opencv-python-headless`` 4.x), on a 480 px grey copy, scale step 1.25, 8 neighbours (at 6
  a wrapped gift box passed for a face), faces from 7.5 % of the long side;
- **logos**: where the brand logo already appears, by normalised cross-correlation of the
  logo's inscribed square over 12 scales (4.5-40 % of the short side) on a 400 px copy, the two
  best distinct candidates then refined at 64 px over ±12 % in scale on the 800 px copy; a refined score of 0.8 or more is a match (on the demo
  brand, pictures carrying the logo score 0.84-0.91 and the others at most 0.73).

OpenCV is told to use one thread: the build already runs one worker per core, and a single
thread keeps every result independent of scheduling.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass
from functools import lru_cache

import cv2
import numpy as np
import PIL
from PIL import Image

from cmpub.render import _imageio
from cmpub.render.layout import Box

#: The libraries whose versions can change a measurement (and so a variant's pixels).
LIBRARIES = f"Pillow {PIL.__version__}, NumPy {np.__version__}, OpenCV {cv2.__version__}"

#: Long side of the copies each measurement works on (pixels).
TEXT_SCALES = (800, 320)
DETAIL_SIDE = 400
FACE_SIDE = 480
OBJECT_SIDE = 96

#: A Sobel magnitude above this is a "strong" edge (8-bit grey levels).
STRONG_EDGE = 90.0

#: The refined logo score from which the brand logo counts as already in the picture.
LOGO_MATCH = 0.8

#: Text covering at least this share of the picture makes it a designed graphic (card, poster).
TEXT_HEAVY_AREA = 0.12


@dataclass(frozen=True)
class Analysis:
    """One source, measured: its size, its detail map and the regions nothing may cover."""

    width: int
    height: int
    text: tuple[Box, ...]
    faces: tuple[Box, ...]
    logos: tuple[Box, ...]
    integral: np.ndarray  # (h+1, w+1) cumulative counts of strong-edge pixels
    total: float  # strong-edge pixels in the whole picture
    objects: np.ndarray  # object saliency (spectral residual, 0..1) on a 96 px copy

    @property
    def text_heavy(self) -> bool:
        """A poster, a card, an infographic: text covers a good part of it."""
        return _union_area(self.text) >= TEXT_HEAVY_AREA

    def protected(self) -> tuple[Box, ...]:
        """The regions no banner or logo may cover and no crop may cut: text, faces, logos."""
        return (*self.text, *self.faces, *self.logos)

    def _count(self, box: Box) -> float:
        h, w = self.integral.shape[0] - 1, self.integral.shape[1] - 1
        x0, x1 = (min(w, max(0, round(v * w))) for v in (box[0], box[2]))
        y0, y1 = (min(h, max(0, round(v * h))) for v in (box[1], box[3]))
        if x1 <= x0 or y1 <= y0:
            return 0.0
        s = self.integral
        return float(s[y1, x1] - s[y0, x1] - s[y1, x0] + s[y0, x0])

    def density(self, box: Box) -> float:
        """Share of strong-edge pixels inside ``box`` (0 calm … 1 all edges)."""
        h, w = self.integral.shape[0] - 1, self.integral.shape[1] - 1
        area = max(1.0, (box[2] - box[0]) * w * (box[3] - box[1]) * h)
        return self._count(box) / area

    def objectness(self, box: Box) -> float:
        """The most salient point inside ``box`` (0: background … 1: the most salient thing)."""
        h, w = self.objects.shape
        x0, x1 = (min(w, max(0, math.floor(v * w))) for v in (box[0], box[2]))
        y0, y1 = (min(h, max(0, math.floor(v * h))) for v in (box[1], box[3]))
        x1, y1 = max(x1, min(w, x0 + 1)), max(y1, min(h, y0 + 1))
        return float(self.objects[y0:y1, x0:x1].max())

    def mass(self, box: Box) -> float:
        """Share of the picture's strong edges that lie inside ``box`` (1.0 for a flat picture)."""
        return 1.0 if self.total <= 0 else self._count(box) / self.total


def _union_area(boxes: tuple[Box, ...]) -> float:
    """Area (in 0..1 units) covered by the union of ``boxes``, on a 200×200 raster."""
    if not boxes:
        return 0.0
    grid = np.zeros((200, 200), dtype=bool)
    for x0, y0, x1, y1 in boxes:
        grid[round(y0 * 200) : round(y1 * 200), round(x0 * 200) : round(x1 * 200)] = True
    return float(grid.mean())


# --------------------------------------------------------------------------- entry point


def _stamp(path: str | None) -> tuple[int, int] | None:
    if not path:
        return None
    try:
        st = os.stat(path)
    except OSError:
        return None
    return st.st_mtime_ns, st.st_size


def analyse(path: str, logo: str | None, background: tuple[int, int, int]) -> Analysis:
    """Measure the source at ``path`` (and look for the brand ``logo`` in it), cached."""
    stamp = _stamp(path)
    return _analyse(path, stamp, logo, _stamp(logo), background)


@lru_cache(maxsize=64)
def _analyse(
    path: str,
    stamp: tuple[int, int] | None,
    logo: str | None,
    logo_stamp: tuple[int, int] | None,
    background: tuple[int, int, int],
) -> Analysis:
    cv2.setNumThreads(1)
    info = _imageio.probe(path)
    longest = max(info.width, info.height)
    scale = next((s for s in (8, 4, 2) if longest / s >= TEXT_SCALES[0]), 1)
    src, _ = _imageio.decode(path, scale, background)
    # One pyramid, each copy made from the previous one (INTER_AREA from a large picture is
    # the costly step): 800 px grey for small print and the logo's refinement, 480 for faces,
    # 400 for detail and the logo search, 320 for display lettering, 96 colour for objects.
    rgb = _resized(np.asarray(src), TEXT_SCALES[0])
    g800 = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)
    g480 = _resized(g800, FACE_SIDE)
    g400 = _resized(g480, DETAIL_SIDE)
    g320 = _resized(g400, TEXT_SCALES[1])
    integral, total = _detail(g400)
    text = (*_text(g800), *_text(g320))
    faces = _faces(g480)
    logos = _logos(g400, g800, logo, logo_stamp) if logo and logo_stamp else ()
    objects = _objects(_resized(rgb, DETAIL_SIDE))
    return Analysis(info.width, info.height, text, faces, logos, integral, total, objects)


def _resized(image: np.ndarray, side: int) -> np.ndarray:
    """``image`` with its long side at most ``side`` px (area-averaged)."""
    h, w = image.shape[:2]
    k = side / max(h, w)
    if k >= 1.0:
        return image
    size = (max(1, round(w * k)), max(1, round(h * k)))
    return cv2.resize(image, size, interpolation=cv2.INTER_AREA)


def _detail(gray: np.ndarray) -> tuple[np.ndarray, float]:
    small = gray.astype(np.float32)
    mag = cv2.magnitude(cv2.Sobel(small, cv2.CV_32F, 1, 0), cv2.Sobel(small, cv2.CV_32F, 0, 1))
    strong = (mag > STRONG_EDGE).astype(np.uint8)
    integral = cv2.integral(strong, sdepth=cv2.CV_32S)
    return integral, float(strong.sum())


def _residual(channel: np.ndarray) -> np.ndarray:
    """Spectral-residual saliency of one channel (Hou & Zhang, CVPR 2007)."""
    f = np.fft.fft2(channel)
    log_amp = np.log(np.abs(f) + 1e-9)
    residual = log_amp - cv2.blur(log_amp, (3, 3))
    s = np.abs(np.fft.ifft2(np.exp(residual + 1j * np.angle(f)))) ** 2
    s = cv2.GaussianBlur(s, (0, 0), 2.5)
    return s / (s.max() + 1e-12)


def _objects(rgb: np.ndarray) -> np.ndarray:
    """Where the things are, smooth ones included (a peach has few edges but stands out)."""
    h, w = rgb.shape[:2]
    k = OBJECT_SIDE / max(h, w)
    small = cv2.resize(
        rgb, (max(8, round(w * k)), max(8, round(h * k))), interpolation=cv2.INTER_AREA
    )
    lab = cv2.cvtColor(small, cv2.COLOR_RGB2LAB).astype(np.float64)
    s = sum(_residual(lab[..., i]) for i in range(3))
    return (s / (s.max() + 1e-12)).astype(np.float32)


# --------------------------------------------------------------------------- text


_GRADIENT = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (3, 3))
_LINE = cv2.getStructuringElement(cv2.MORPH_RECT, (9, 1))


def _text(g: np.ndarray) -> list[Box]:
    """Text-like line boxes found on the grey copy ``g`` (see the module docstring)."""
    grad = cv2.morphologyEx(g, cv2.MORPH_GRADIENT, _GRADIENT)
    otsu, _ = cv2.threshold(grad, 0, 255, cv2.THRESH_BINARY | cv2.THRESH_OTSU)
    _, bw = cv2.threshold(grad, max(otsu, 48.0), 255, cv2.THRESH_BINARY)
    closed = cv2.morphologyEx(bw, cv2.MORPH_CLOSE, _LINE)
    n, _labels, stats, _ = cv2.connectedComponentsWithStats(closed, connectivity=8)
    gh, gw = g.shape
    out: list[Box] = []
    for i in range(1, n):
        x, y, w, h = (int(v) for v in stats[i][:4])
        if h < 6 or h > 60 or w < 1.5 * h or w < 14:
            continue
        fill = cv2.countNonZero(bw[y : y + h, x : x + w]) / (w * h)
        if not 0.25 <= fill <= 0.85:
            continue
        middle = g[y + h // 4 : y + 3 * h // 4 + 1, x : x + w]
        ink = (middle > middle.mean()).astype(np.int8)
        crossings = float(np.abs(np.diff(ink, axis=1)).sum(axis=1).mean())
        if crossings / (w / h) < 1.2:  # fewer than ~1 stroke per letter height: not lettering
            continue
        out.append((x / gw, y / gh, (x + w) / gw, (y + h) / gh))
    return out


# --------------------------------------------------------------------------- faces


@lru_cache(maxsize=1)
def _cascade() -> cv2.CascadeClassifier:
    path = os.path.join(cv2.data.haarcascades, "haarcascade_frontalface_default.xml")
    cascade = cv2.CascadeClassifier(path)
    if cascade.empty():  # pragma: no cover - the file ships in the wheel
        raise RuntimeError(f"cannot load the face model {path}")
    return cascade


def _faces(g: np.ndarray) -> tuple[Box, ...]:
    found = _cascade().detectMultiScale(g, scaleFactor=1.25, minNeighbors=8, minSize=(36, 36))
    gh, gw = g.shape
    out = []
    for x, y, w, h in (tuple(int(v) for v in f) for f in found):
        # A face box covers eyes to mouth: widen it to the head (hair, chin).
        mx, my = 0.2 * w, 0.35 * h
        out.append(
            (
                max(0.0, (x - mx) / gw),
                max(0.0, (y - my) / gh),
                min(1.0, (x + w + mx) / gw),
                min(1.0, (y + h + my) / gh),
            )
        )
    return tuple(sorted(out))


# --------------------------------------------------------------------------- logo


_INNER = 0.68  # side of the logo's inscribed square, of its diameter (a round logo: ≤ 0.707)
_SEARCH_TEMPLATE = 16  # px: larger search templates are matched on a smaller copy


@lru_cache(maxsize=4)
def _logo_inner(path: str, stamp: tuple[int, int]) -> np.ndarray:
    """The logo's central square in grey (no transparent corners, whatever the logo's shape)."""
    with _imageio.open_checked(path, stamp[1]) as im:
        im.seek(0)
        im.load()
        rgba = im.convert("RGBA")
    bbox = rgba.getchannel("A").getbbox()
    rgba = rgba.crop(bbox) if bbox else rgba
    flat = Image.new("RGB", rgba.size, (128, 128, 128))
    flat.paste(rgba, mask=rgba.getchannel("A"))
    gray = np.asarray(flat.convert("L"))
    h, w = gray.shape
    side = round(min(h, w) * _INNER)
    y0, x0 = (h - side) // 2, (w - side) // 2
    return gray[y0 : y0 + side, x0 : x0 + side]


def _logos(g: np.ndarray, large: np.ndarray, path: str, stamp: tuple[int, int]) -> tuple[Box, ...]:
    """Where the logo appears: searched on ``g``, refined on the ``large`` copy."""
    inner = _logo_inner(path, stamp)
    if float(inner.std()) < 4.0:  # a flat logo (one colour): nothing to recognise it by
        return ()
    gh, gw = g.shape
    short = min(gh, gw)
    candidates = []
    d = 0.045 * short  # logo diameter in g's pixels
    while d <= 0.4 * short:
        f = min(1.0, _SEARCH_TEMPLATE / (d * _INNER))
        side = max(8, round(d * _INNER * f))
        tm = cv2.resize(inner, (side, side), interpolation=cv2.INTER_AREA)
        gs = (
            g
            if f == 1.0
            else cv2.resize(
                g, (max(1, round(gw * f)), max(1, round(gh * f))), interpolation=cv2.INTER_AREA
            )
        )
        if gs.shape[0] > side and gs.shape[1] > side:
            r = _finite(cv2.matchTemplate(gs, tm, cv2.TM_CCOEFF_NORMED))
            _, best, _, (lx, ly) = cv2.minMaxLoc(r)
            cx, cy = (lx + side / 2) / f, (ly + side / 2) / f
            candidates.append((round(best, 6), cx, cy, d))
        d *= 1.2
    candidates.sort(reverse=True)
    found = []
    up = large.shape[1] / gw  # refined on the larger copy: finer position and scale
    for _score, cx, cy, d in _distinct(candidates)[:2]:
        if _refine(large, inner, cx * up, cy * up, d * up) >= LOGO_MATCH:
            r = d / 2
            box = (max(0.0, (cx - r) / gw), max(0.0, (cy - r) / gh))
            found.append((*box, min(1.0, (cx + r) / gw), min(1.0, (cy + r) / gh)))
    return tuple(sorted(found))


def _finite(r: np.ndarray) -> np.ndarray:
    """Correlation over a flat window is undefined (0/0): count it as no match."""
    r = np.nan_to_num(r, nan=0.0, posinf=0.0, neginf=0.0)
    return np.clip(r, -1.0, 1.0, out=r)


def _distinct(
    candidates: list[tuple[float, float, float, float]],
) -> list[tuple[float, float, float, float]]:
    """The candidates, best first, without those centred inside a better one."""
    kept: list[tuple[float, float, float, float]] = []
    for c in candidates:
        if all(abs(c[1] - k[1]) > k[3] / 2 or abs(c[2] - k[2]) > k[3] / 2 for k in kept):
            kept.append(c)
    return kept


def _refine(g: np.ndarray, inner: np.ndarray, cx: float, cy: float, d: float) -> float:
    """The best correlation around a candidate, with the logo at 64 px, ±16 % in scale."""
    k = 64 / d
    half = 0.85 * d
    x0, y0 = max(0, int(cx - half)), max(0, int(cy - half))
    x1, y1 = min(g.shape[1], int(cx + half) + 1), min(g.shape[0], int(cy + half) + 1)
    win = g[y0:y1, x0:x1]
    if win.size == 0:
        return 0.0
    size = (max(1, round(win.shape[1] * k)), max(1, round(win.shape[0] * k)))
    win = cv2.resize(win, size, interpolation=cv2.INTER_AREA if k < 1 else cv2.INTER_LINEAR)
    best = 0.0
    for s in (0.88, 0.94, 1.0, 1.06, 1.12):
        side = max(8, round(64 * s * _INNER))
        if win.shape[0] <= side or win.shape[1] <= side:
            continue
        tm = cv2.resize(inner, (side, side), interpolation=cv2.INTER_AREA)
        r = _finite(cv2.matchTemplate(win, tm, cv2.TM_CCOEFF_NORMED))
        best = max(best, float(r.max()))
    return best
