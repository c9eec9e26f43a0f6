#!/usr/bin/env python3
"""Time from saving a post to seeing the change in the browser, on the 1000-post corpus.

    python bench/preview.py [-n 1000] [--runs 5]

Generates the corpus with ../shared/bench/make_corpus.py into bench/corpus/n<N> (once), copies
it to bench/corpus/preview-n<N> (the preview writes .cmpub-cache/ there and the bench edits a
post: the shared corpus stays untouched; the copy keeps its image cache between runs), writes a
cmpub.yaml like bench/validate.py's (with UTM restricted to a domain the corpus does not link,
so it validates clean), starts `cmpub preview` as a real process, opens one post page in
headless Debian chromium (Playwright), then --runs times: writes a new word into the post file
and measures the wall-clock time until the page shows it (a MutationObserver in the page
records the moment). Prints each run and the median. Target: under 1 s.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

from corpus_config import CLEAN

HERE = Path(__file__).resolve().parent
GENERATOR = HERE.parent.parent / "shared" / "bench" / "make_corpus.py"
CONFIG = CLEAN
POST = "content/posts/post-00010.md"
POST_ID = "posts/post-00010"
WORD = "Regular vote together"
CHROMIUM = ["/usr/lib/chromium/chromium", "/usr/bin/chromium"]
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]

WATCH = """(marker) => {
  window.__seen = 0;
  const done = () => {
    const el = document.querySelector('.mock .np-text');
    if (!window.__seen && el && el.textContent.includes(marker)) window.__seen = Date.now();
  };
  new MutationObserver(done).observe(document.body, {childList: true, subtree: true, characterData: true});
  done();
}"""


def corpus(n: int) -> Path:
    source = HERE / "corpus" / f"n{n}"
    if not (source / "content" / "posts").is_dir():
        subprocess.run([sys.executable, str(GENERATOR), str(source), "-n", str(n)], check=True)
    copy = HERE / "corpus" / f"preview-n{n}"
    if not (copy / "content" / "posts").is_dir():
        shutil.copytree(source, copy, ignore=shutil.ignore_patterns(".cmpub-cache", "dist"))
    (copy / "cmpub.yaml").write_text(CONFIG, encoding="utf-8")
    shutil.copyfile(source / POST, copy / POST)  # undo an interrupted run
    return copy


def start(root: Path) -> tuple[subprocess.Popen[str], str, list[str]]:
    cmpub = Path(sys.executable).with_name("cmpub")
    proc = subprocess.Popen(
        [str(cmpub), "preview", str(root), "--port", "0", "--now", "2026-06-01T09:00+02:00"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    log: list[str] = []
    url: list[str] = []
    ready = threading.Event()

    def read() -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            log.append(line.rstrip())
            if "serving" in line and "http://" in line:
                url.append("http://" + line.split("http://", 1)[1].split()[0])
                ready.set()
        ready.set()

    threading.Thread(target=read, daemon=True).start()
    ready.wait(900)
    if not url:
        proc.kill()
        raise SystemExit("cmpub preview did not start:\n" + "\n".join(log))
    return proc, url[0], log


def main() -> int:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("-n", type=int, default=1000)
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args()
    from playwright.sync_api import sync_playwright

    root = corpus(args.n)
    original = (root / POST).read_text(encoding="utf-8")
    started = time.perf_counter()
    proc, url, log = start(root)
    print(f"preview ready in {time.perf_counter() - started:.1f} s ({log[0] if log else ''})")
    times: list[float] = []
    try:
        with sync_playwright() as pw:
            exe = next((p for p in CHROMIUM if Path(p).is_file()), None)
            browser = pw.chromium.launch(executable_path=exe, args=ARGS)
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.goto(f"{url}post/{POST_ID}/")
            page.wait_for_load_state("networkidle")
            for run in range(1, args.runs + 1):
                marker = f"benchmark{run}x{int(time.time())}"
                page.evaluate(WATCH, marker)
                t0 = time.time()
                (root / POST).write_text(original.replace(WORD, f"{WORD} {marker}", 1), "utf-8")
                end = time.monotonic() + 30
                seen = 0
                while not seen and time.monotonic() < end:
                    seen = page.evaluate("() => window.__seen")
                    time.sleep(0.01)
                if not seen:
                    raise SystemExit(f"run {run}: the page never showed the change")
                times.append(seen / 1000 - t0)
                print(f"run {run}: save -> visible in the browser {times[-1]:.3f} s")
                time.sleep(1.5)  # let the full build behind the quick update finish
            browser.close()
    finally:
        (root / POST).write_text(original, encoding="utf-8")
        proc.terminate()
        proc.wait(10)
    rebuilds = [line for line in log if line.startswith(("updated", "built"))]
    print("preview log (last rebuilds):", *rebuilds[-4:], sep="\n  ")
    print(
        f"cmpub preview, {args.n} posts, save -> visible, {args.runs} runs: "
        f"min {min(times):.3f} s, median {statistics.median(times):.3f} s, max {max(times):.3f} s"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
