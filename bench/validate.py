#!/usr/bin/env python3
"""Time `cmpub validate` on the common 1000-post corpus, as a whole process (median of 5).

    python bench/validate.py [-n 1000] [--runs 5]

Generates the corpus with ../shared/bench/make_corpus.py into bench/corpus/ (once), writes a
cmpub.yaml that configures every channel the corpus uses, then runs `cmpub validate` --runs
times and prints min / median / max wall-clock seconds. Uses only the standard library.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

from corpus_config import CONFIG as BASE

HERE = Path(__file__).resolve().parent
GENERATOR = HERE.parent.parent / "shared" / "bench" / "make_corpus.py"
CONFIG = BASE


def main() -> int:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("-n", type=int, default=1000)
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args()
    corpus = HERE / "corpus" / f"n{args.n}"
    if not (corpus / "content" / "posts").is_dir():
        subprocess.run([sys.executable, str(GENERATOR), str(corpus), "-n", str(args.n)], check=True)
    (corpus / "cmpub.yaml").write_text(CONFIG, encoding="utf-8")
    cmpub = Path(sys.executable).with_name("cmpub")
    cmd = [str(cmpub), "validate", str(corpus)]
    first = subprocess.run(cmd, capture_output=True, text=True)
    print(
        first.stderr.strip().splitlines()[-1]
        if first.stderr.strip()
        else first.stdout.strip()[-200:]
    )
    times = []
    for _ in range(args.runs):
        start = time.perf_counter()
        subprocess.run(cmd, capture_output=True, check=False)
        times.append(time.perf_counter() - start)
    print(
        f"cmpub validate, {args.n} posts, {args.runs} runs: min {min(times):.3f} s, "
        f"median {statistics.median(times):.3f} s, max {max(times):.3f} s"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
