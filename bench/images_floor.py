#!/usr/bin/env python3
"""Branded images: cmpub's ``render_variant`` against a careful plain-Pillow loop (DESIGN.md §8).

    python bench/images_floor.py [-n 50] [--mode all|both|floor|floor+draft|cmpub] [--runs 3]

Both modes render the same work, N source images (2400x1600 JPEGs of the common corpus, made by
../shared/bench/make_corpus.py into bench/corpus/n1000 when missing) x 8 channels (instagram,
bluesky, mastodon, x, threads, linkedin, facebook, site), on a multiprocessing Pool of
``--procs`` workers:

- **floor**: Pillow only, no cmpub import. Per source: open, EXIF transpose, decode once at full
  size; per channel: crop around the centre to the channel's aspect and resize in one LANCZOS
  call (``box=``, ``reducing_gap=3.0``), draw a full-width banner (brand colour, accent rule,
  centred CTA text in the brand font at a fixed fraction of the width), paste the logo (12 % of
  the short side, resized once per size and kept), encode a baseline JPEG (quality 90, site 85,
  4:2:0, no optimize). One task per source image.
- **floor+draft**: the same, plus a second, half-scale JPEG decode (``draft``) used by the
  channels whose crop is at least twice their output size, the trick cmpub uses.
- **cmpub**: one ``ImageJob`` per (image, channel), ``pool.map(render_variant, jobs,
  chunksize=8)`` so a worker gets the 8 channels of one image in a row, as the build sends them.
  cmpub additionally checks caps, colour modes, glyph coverage, contrast and byte caps, and
  auto-fits the text.

Runs the modes interleaved ``--runs`` times (other work on the machine then slows them alike) and
prints the median and minimum wall-clock times (pool start excluded, first use of fonts and logo
included), source images per second, variants per second, and cmpub / floor.
"""

from __future__ import annotations

import argparse
import io
import multiprocessing as mp
import statistics
import subprocess
import sys
import time
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont, ImageOps

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
GENERATOR = ROOT.parent / "shared" / "bench" / "make_corpus.py"
CORPUS = HERE / "corpus" / "n1000"
FONT = ROOT / "assets" / "brand" / "fonts" / "brand.ttf"
CTA = "Commandez sur brulerie-canuts.example"
PRIMARY, ACCENT, TEXT, BACKGROUND = "#6b2d1a", "#f2b134", "#ffffff", "#1e1410"
CHANNELS = ("instagram", "bluesky", "mastodon", "x", "threads", "linkedin", "facebook", "site")

# The same sizing rules as cmpub.render.images.CHANNEL_RULES (fixed sizes: nearest aspect;
# otherwise keep the aspect inside a box without enlarging), restated with plain data.
FIXED = {
    "instagram": ((1080, 1350), (1080, 1080), (1080, 566)),
    "linkedin": ((1200, 627), (1200, 1200)),
    "x": ((1600, 900),),
}
BOX = {
    "bluesky": (2000, 2000),
    "mastodon": (1920, 1920),
    "threads": (1440, 2880),
    "facebook": (1200, 3600),
    "site": (1600, 4800),
}


def target(channel: str, w: int, h: int) -> tuple[int, int]:
    """Output size of ``channel`` for a w x h source (landscape corpus: no aspect clamp needed)."""
    import math

    if channel in FIXED:
        return min(FIXED[channel], key=lambda s: abs(math.log(s[0] / s[1] / (w / h))))
    bw, bh = BOX[channel]
    k = min(1.0, bw / w, bh / h)
    return round(w * k), round(h * k)


def centre_box(w: int, h: int, aspect: float) -> tuple[float, float, float, float]:
    """The largest ``aspect`` rectangle centred in a w x h image."""
    if w / h > aspect:
        cw, ch = h * aspect, float(h)
    else:
        cw, ch = float(w), w / aspect
    return ((w - cw) / 2, (h - ch) / 2, (w + cw) / 2, (h + ch) / 2)


# --------------------------------------------------------------------------- floor

_logo_cache: dict[int, Image.Image] = {}
_font_cache: dict[int, ImageFont.FreeTypeFont] = {}
_logo_src: list[Image.Image] = []


def _logo(size: int) -> Image.Image:
    if not _logo_src:
        with Image.open(CORPUS / "assets" / "brand" / "logo.png") as im:
            _logo_src.append(im.convert("RGBA"))
    if size not in _logo_cache:
        src = _logo_src[0]
        k = size / max(src.size)
        _logo_cache[size] = src.resize(
            (round(src.width * k), round(src.height * k)), Image.Resampling.LANCZOS
        )
    return _logo_cache[size]


def _font(size: int) -> ImageFont.FreeTypeFont:
    if size not in _font_cache:
        _font_cache[size] = ImageFont.truetype(str(FONT), size)
    return _font_cache[size]


def floor_image(path: str, draft: bool = False) -> list[tuple[str, int, int, int]]:
    """All 8 variants of one source, plain Pillow: (channel, width, height, bytes).

    ``draft``: also decode a half-scale copy (JPEG DCT scaling) once, and use it for the
    channels whose crop is at least twice their output size (what cmpub does).
    """
    with Image.open(path) as im:
        im = ImageOps.exif_transpose(im).convert("RGB")
    half = None
    if draft:
        with Image.open(path) as hf:
            hf.draft("RGB", (hf.width // 2, hf.height // 2))
            half = ImageOps.exif_transpose(hf).convert("RGB")
    out = []
    for channel in CHANNELS:
        w, h = target(channel, *im.size)
        box = centre_box(*im.size, w / h)
        src = im
        if half is not None and min((box[2] - box[0]) / w, (box[3] - box[1]) / h) >= 2:
            src, box = half, tuple(v / 2 for v in box)  # type: ignore[assignment]
        v = src.resize((w, h), Image.Resampling.LANCZOS, box=box, reducing_gap=3.0)
        size = round(w * 0.034)
        font = _font(size)
        band = round(size * 2.2)
        d = ImageDraw.Draw(v)
        d.rectangle((0, h - band, w - 1, h - 1), fill=PRIMARY)
        d.rectangle((0, h - band, w - 1, h - band + max(2, round(h * 0.006)) - 1), fill=ACCENT)
        d.text((w / 2, h - band / 2), CTA, font=font, fill=TEXT, anchor="mm")
        short = min(w, h)
        logo = _logo(round(short * 0.12))
        margin = round(short * 0.04)
        v.paste(logo, (w - margin - logo.width, margin), logo)
        buf = io.BytesIO()
        v.save(buf, "JPEG", quality=85 if channel == "site" else 90, subsampling="4:2:0")
        out.append((channel, w, h, len(buf.getvalue())))
    return out


# --------------------------------------------------------------------------- cmpub


def _cmpub_init() -> None:
    sys.path.insert(0, str(ROOT))
    import cmpub.render.images  # noqa: F401  (imported once per worker, as the build does)


def floor_draft_image(path: str) -> list[tuple[str, int, int, int]]:
    """:func:`floor_image` with the half-scale JPEG decode."""
    return floor_image(path, draft=True)


def cmpub_jobs(images: list[str]) -> list[object]:
    """One ImageJob per (image, channel), grouped by image."""
    sys.path.insert(0, str(ROOT))
    from cmpub.render.images import BrandStyle, ImageJob

    brand = BrandStyle(
        logo=str(CORPUS / "assets" / "brand" / "logo.png"),
        font=str(FONT),
        primary=PRIMARY,
        accent=ACCENT,
        text=TEXT,
        background=BACKGROUND,
    )
    return [ImageJob(p, c, cta_text=CTA, brand=brand) for p in images for c in CHANNELS]


def cmpub_variant(job: object) -> tuple[str, int, int, int]:
    """Render one job with cmpub: (channel, width, height, bytes)."""
    from cmpub.render.images import render_variant

    r = render_variant(job)  # type: ignore[arg-type]
    return (job.channel, r.width, r.height, len(r.data))  # type: ignore[attr-defined]


# --------------------------------------------------------------------------- driver


def run(mode: str, images: list[str], procs: int) -> tuple[float, list[tuple[str, int, int, int]]]:
    """Time one run of ``mode`` on a fresh pool (pool start-up not timed)."""
    ctx = mp.get_context("fork")
    init = _cmpub_init if mode == "cmpub" else None
    with ctx.Pool(procs, initializer=init) as pool:
        pool.map(abs, range(procs))  # workers are up
        if mode in ("floor", "floor+draft"):
            work = floor_image if mode == "floor" else floor_draft_image
            t = time.perf_counter()
            results = [v for vs in pool.map(work, images, chunksize=1) for v in vs]
        else:
            jobs = cmpub_jobs(images)
            t = time.perf_counter()
            results = pool.map(cmpub_variant, jobs, chunksize=len(CHANNELS))
        return time.perf_counter() - t, results


def main() -> int:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("-n", type=int, default=50, help="source images (default 50, the whole pool)")
    ap.add_argument(
        "--mode", choices=("all", "both", "floor", "floor+draft", "cmpub"), default="all"
    )
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--procs", type=int, default=mp.cpu_count())
    args = ap.parse_args()
    folder = CORPUS / "content" / "images"
    if not folder.is_dir():
        subprocess.run([sys.executable, str(GENERATOR), str(CORPUS), "-n", "1000"], check=True)
    pool_images = sorted(str(p) for p in folder.glob("*.jpg"))
    images = [pool_images[i % len(pool_images)] for i in range(args.n)]
    modes = {
        "all": ("floor", "floor+draft", "cmpub"),
        "both": ("floor", "cmpub"),
    }.get(args.mode, (args.mode,))
    times: dict[str, list[float]] = {m: [] for m in modes}
    sizes: dict[str, list[tuple[str, int, int]]] = {}
    for _ in range(args.runs):  # modes interleaved, so that a busy machine slows all alike
        for mode in modes:
            seconds, results = run(mode, images, args.procs)
            times[mode].append(seconds)
            sizes[mode] = [(c, w, h) for c, w, h, _ in results[: len(CHANNELS)]]
    medians = {m: statistics.median(t) for m, t in times.items()}
    for mode, m in medians.items():
        t = times[mode]
        print(
            f"{mode:11} {len(images)} images x {len(CHANNELS)} channels on {args.procs} processes: "
            f"median {m:.2f} s (min {min(t):.2f}, max {max(t):.2f}) = "
            f"{len(images) / m:.1f} images/s, {len(images) * len(CHANNELS) / m:.1f} variants/s, "
            f"{1000 * m * args.procs / (len(images) * len(CHANNELS)):.0f} ms per variant per core"
        )
    for floor in ("floor", "floor+draft"):
        if floor in medians and "cmpub" in medians:
            if sizes[floor] != sizes["cmpub"]:
                print(f"warning: output sizes differ: {sizes[floor]} vs {sizes['cmpub']}")
            ratio = medians["cmpub"] / medians[floor]
            best = min(times["cmpub"]) / min(times[floor])
            print(f"cmpub / {floor} = {ratio:.2f} (medians), {best:.2f} (minima); target ≤ 1.2")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
