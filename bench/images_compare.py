#!/usr/bin/env python3
"""Image throughput of this checkout against another one (the base), side by side in one run.

    git worktree add /tmp/img-base main
    python bench/images_compare.py --base /tmp/img-base [--runs 3] [-n 50] [--posts 100]

Two measurements, each run interleaved base / head ``--runs`` times (other work on the machine
then slows both alike), medians and minima compared:

- **renderer**: ``bench/images_floor.py --mode cmpub --runs 1 -n N`` of each checkout (N sources
  × 8 channels on a pool of all cores; the same 2400×1600 corpus photos for both);
- **build**: a full ``cmpub build`` with images of a ``--posts``-post corpus
  (``bench/corpus_config.BRANDED``: every channel, the corpus' logo, the posts' own CTAs), from
  an empty cache each time, with each checkout's code (``PYTHONPATH``), images per second.

Prints a Markdown table and ``head / base`` for both; the target of issue 17 is ≤ 1.3.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
#: ../shared beside the checkout (a worktree under wt/ finds it one level further up).
GENERATOR = (
    next(
        (p for p in (ROOT.parent / "shared", ROOT.parent.parent / "shared") if p.is_dir()),
        ROOT.parent / "shared",
    )
    / "bench"
    / "make_corpus.py"
)
sys.path.insert(0, str(HERE))
from corpus_config import BRANDED  # noqa: E402


def corpus(n: int) -> Path:
    """bench/corpus/n<N>, generated once with the shared generator."""
    folder = HERE / "corpus" / f"n{n}"
    if not (folder / "content" / "images").is_dir():
        cmd = [sys.executable, str(GENERATOR), str(folder), "-n", str(n)]
        subprocess.run(cmd, check=True, stdout=sys.stderr)
    (folder / "cmpub.yaml").write_text(BRANDED, encoding="utf-8")
    return folder


def renderer(tree: Path, n: int) -> float:
    """Seconds of one images_floor.py cmpub run of ``tree``."""
    bench = tree / "bench"
    link = bench / "corpus" / "n1000"
    if not link.exists():  # both checkouts render the same corpus
        link.parent.mkdir(parents=True, exist_ok=True)
        link.symlink_to(corpus(1000))
    out = subprocess.run(
        [
            sys.executable,
            str(bench / "images_floor.py"),
            "--mode",
            "cmpub",
            "--runs",
            "1",
            "-n",
            str(n),
        ],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return float(re.search(r"median ([0-9.]+) s", out).group(1))  # type: ignore[union-attr]


def build(tree: Path, source: Path) -> tuple[float, int]:
    """Seconds and images encoded of one full build of a copy of ``source`` with ``tree``'s code."""
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp) / "corpus"
        shutil.copytree(source, work, ignore=shutil.ignore_patterns("dist", ".cmpub-cache"))
        env = {**os.environ, "PYTHONPATH": str(tree)}
        cmd = [sys.executable, "-m", "cmpub", "build", str(work), "--now", "2027-03-01T00:00Z"]
        start = time.perf_counter()
        out = subprocess.run(cmd, check=True, capture_output=True, text=True, env=env).stdout
        seconds = time.perf_counter() - start
    return seconds, int(re.search(r"(\d+) images? encoded", out).group(1))  # type: ignore[union-attr]


def main() -> int:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--base", type=Path, required=True, help="the other checkout (e.g. main)")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("-n", type=int, default=50, help="sources for the renderer (default 50)")
    ap.add_argument(
        "--posts", type=int, default=100, help="posts of the build corpus (default 100)"
    )
    args = ap.parse_args()
    trees = {"base": args.base.resolve(), "head": ROOT}
    source = corpus(args.posts)
    rend: dict[str, list[float]] = {k: [] for k in trees}
    full: dict[str, list[float]] = {k: [] for k in trees}
    count: dict[str, int] = {}
    for i in range(args.runs):
        for name, tree in trees.items():
            rend[name].append(renderer(tree, args.n))
            seconds, images = build(tree, source)
            full[name].append(seconds)
            count[name] = images
            print(
                f"run {i + 1} {name}: renderer {rend[name][-1]:.2f} s, build {seconds:.2f} s "
                f"({images} images)",
                file=sys.stderr,
            )
    print("| measurement | checkout | runs | min s | median s | images | images/s (median) |")
    print("|---|---|---:|---:|---:|---:|---:|")
    for label, data, images in (
        (f"renderer, {args.n} sources × 8 channels", rend, {k: args.n * 8 for k in trees}),
        (f"full build, {args.posts} posts", full, count),
    ):
        for name in trees:
            med = statistics.median(data[name])
            print(
                f"| {label} | {name} | {len(data[name])} | {min(data[name]):.2f} | {med:.2f} | "
                f"{images[name]} | {images[name] / med:.1f} |"
            )
    for label, data in (("renderer", rend), ("build", full)):
        ratio = statistics.median(data["head"]) / statistics.median(data["base"])
        best = min(data["head"]) / min(data["base"])
        print(f"\n{label}: head / base = {ratio:.2f} (medians), {best:.2f} (minima); target ≤ 1.3")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
