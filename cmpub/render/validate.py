"""Check every post against each of its channels' real rules, on the text the build will send.

``validate_project`` loads ``cmpub.yaml`` and every post (collecting their Problems), renders each
post's copy per channel with :mod:`cmpub.render.text` and measures it with that platform's own
``count()``, then checks images, polls, hashtag/mention/link caps and the publishing rhythm.
It returns every Problem of every file at once; it never writes anything.

(DESIGN.md puts ``validate`` in the read layer; it sits one layer up, beside ``render``, because
lengths must be measured on the rendered copy, exactly as the build will produce it.)
"""

from __future__ import annotations

import hashlib
import itertools
import multiprocessing as mp
import os
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from cmpub.model import ids
from cmpub.model.errors import Problem, Severity
from cmpub.model.project import Config, Fields, Image, Post
from cmpub.platforms import RULES
from cmpub.platforms.base import Rules, hashtags, links, mentions
from cmpub.platforms.x import parse as x_parse
from cmpub.read.config import channel_rules, load_config
from cmpub.read.imagecheck import Decoder
from cmpub.read.posts import Loader, find_posts
from cmpub.read.textfile import read_bytes
from cmpub.render.templates import TemplateProblem, Templates
from cmpub.render.text import Copy, render


@dataclass
class Report:
    """The outcome of a validation: the posts that loaded, their copies, and every Problem."""

    config: Config | None = None
    posts: list[Post] = field(default_factory=list)
    copies: dict[tuple[str, str], Copy] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)

    @property
    def errors(self) -> list[Problem]:
        """The error-level Problems (anything here stops a build)."""
        return [p for p in self.problems if p.severity is Severity.ERROR]

    @property
    def warnings(self) -> list[Problem]:
        """The warning-level Problems."""
        return [p for p in self.problems if p.severity is Severity.WARNING]


@dataclass
class FileResult:
    """What one post file gives: reusable by an incremental build while its inputs are unchanged."""

    key: str  # hash of the file's bytes and of the project fingerprint
    inputs: tuple[tuple[str, int, int], ...]  # (image file, mtime_ns, size) the post depends on
    post: Post | None
    problems: list[Problem]
    copies: dict[str, Copy]


def validate_project(
    root: Path,
    paths: list[Path] | None = None,
    strict: bool = False,
    cache: dict[str, FileResult] | None = None,
    fingerprint: str = "",
) -> Report:
    """Validate a project (or only ``paths`` in it); raise ConfigError if cmpub.yaml is broken.

    With ``cache`` (post path -> FileResult, kept by the build between runs), a file whose
    bytes, images and project ``fingerprint`` are unchanged is not parsed or rendered again;
    ``cache`` is updated in place. Checks across files (ids, rhythm) always run.
    """
    config = load_config(root)
    loader = Loader(config)
    rules = {cid: channel_rules(config, cid) for cid in config.channels}
    templates = Templates(root)
    report = Report(config)
    broken: set[Problem] = set()
    files = paths if paths is not None else find_posts(root, config.content_dir)
    results: dict[str, FileResult] = {}
    todo: list[tuple[str, str]] = []
    for path in files:
        rel = loader.rel(path)
        key, hit = _lookup(loader, path, rel, cache, fingerprint)
        if hit is not None:
            results[rel] = hit
        else:
            todo.append((str(path), key))
    for rel, (result, template_problems) in _compute_all(loader, rules, templates, todo):
        results[rel] = result
        broken.update(template_problems)
        if cache is not None and not template_problems:
            cache[rel] = result
    loaded = []
    for path in files:
        result = results[loader.rel(path)]
        report.problems.extend(result.problems)
        if result.post is not None:
            loaded.append(result)
    clashing, kept = ids.clashes([r.post for r in loaded if r.post is not None])
    report.problems.extend(clashing)
    keep = {id(post) for post in kept}
    for result in loaded:
        post = result.post
        if post is None or id(post) not in keep:
            continue
        report.posts.append(post)
        for channel, copy in result.copies.items():
            report.copies[(post.id, channel)] = copy
    report.problems.extend(broken)
    report.problems.extend(damaged_images(root, report.posts))
    report.problems.extend(rhythm(report.posts, config))
    if strict:
        report.problems = [p.strict() for p in report.problems]
    report.problems.sort()
    return report


def damaged_images(root: Path, posts: list[Post]) -> list[Problem]:
    """A Problem at the ``src:`` line of each image that cannot be decoded (each file is
    decoded once, and only when it changed since the last validate: see cmpub.read.imagecheck)."""
    decoder = Decoder(root)
    out = []
    for post in posts:
        uses = [(("images", i), img) for i, img in enumerate(post.fields.images)]
        for cid, over in post.overrides.items():
            uses += [
                (("overrides", cid, "images", i), img)
                for i, img in enumerate(over.get("images") or ())
            ]
        for where, image in uses:
            found = decoder.damage(image.file)
            if found is not None:
                message, hint = found
                out.append(
                    _problem(
                        post,
                        (*where, "src"),
                        Severity.ERROR,
                        "image.damaged",
                        f"image '{image.src}': {message}",
                        hint,
                    )
                )
    decoder.save()
    return out


def _stat(root: Path, rel: str) -> tuple[str, int, int]:
    try:
        st = (root / rel).stat()
    except OSError:
        return rel, 0, -1
    return rel, st.st_mtime_ns, st.st_size


def _lookup(
    loader: Loader, path: Path, rel: str, cache: dict[str, FileResult] | None, fingerprint: str
) -> tuple[str, FileResult | None]:
    """The file's cache key, and its cached result when bytes and images are unchanged."""
    if loader.refuse(path) is not None:
        return "", None  # not read at all: load_post says why
    try:
        data = read_bytes(path)
    except OSError:
        data = b""
    key = hashlib.sha256(fingerprint.encode() + b"\0" + data).hexdigest()
    hit = cache.get(rel) if cache is not None else None
    if hit and hit.key == key and all(_stat(loader.root, f) == (f, m, n) for f, m, n in hit.inputs):
        return key, hit
    return key, None


def _check_file(
    loader: Loader, path: Path, key: str, rules: dict[str, Rules], templates: Templates
) -> tuple[FileResult, list[Problem]]:
    """Load one post and check it on each channel; template Problems come back apart."""
    post, problems = loader.load_post(path)
    copies: dict[str, Copy] = {}
    template_problems: list[Problem] = []
    if post is not None:
        for channel in post.channels:
            try:
                copy, found = check_channel(post, channel, rules[channel], loader.config, templates)
            except TemplateProblem as exc:
                template_problems.append(exc.problem)
                continue
            copies[channel] = copy
            problems.extend(found)
    files = sorted({img.file for img in _all_images(post)}) if post else []
    inputs = tuple(_stat(loader.root, f) for f in files)
    return FileResult(key, inputs, post, problems, copies), template_problems


#: Below this many files to check, one process is faster than forking workers.
PARALLEL_MIN = 200
_WORK: tuple[Loader, dict[str, Rules], Templates] | None = None  # inherited by forked workers


def _check_chunk(
    items: list[tuple[str, str]],
) -> list[tuple[str, tuple[FileResult, list[Problem]]]]:
    assert _WORK is not None
    loader, rules, templates = _WORK
    return [
        (loader.rel(Path(p)), _check_file(loader, Path(p), key, rules, templates))
        for p, key in items
    ]


def _compute_all(
    loader: Loader, rules: dict[str, Rules], templates: Templates, todo: list[tuple[str, str]]
) -> list[tuple[str, tuple[FileResult, list[Problem]]]]:
    """Check the files that changed, on every core when there are many (forked workers)."""
    global _WORK
    _WORK = (loader, rules, templates)
    workers = min(os.cpu_count() or 1, 4)
    if len(todo) < PARALLEL_MIN or workers < 2 or "fork" not in mp.get_all_start_methods():
        return _check_chunk(todo)
    done = _check_chunk(todo[:1])  # warm up in the parent: compiled patterns are inherited
    rest = todo[1:]
    size = -(-len(rest) // workers)
    chunks = [rest[i : i + size] for i in range(0, len(rest), size)]
    with mp.get_context("fork").Pool(len(chunks) - 1) as pool:
        pending = [pool.apply_async(_check_chunk, (chunk,)) for chunk in chunks[1:]]
        done += _check_chunk(chunks[0])
        for job in pending:
            done += job.get()
    return done


def _all_images(post: Post) -> list[Image]:
    images = list(post.fields.images)
    for over in post.overrides.values():
        images.extend(over.get("images") or ())
    return images


def _problem(
    post: Post,
    key: tuple[str | int, ...],
    severity: Severity,
    code: str,
    message: str,
    hint: str = "",
) -> Problem:
    line, col = post.source.at(*key)
    return Problem(post.source.path, line, col, severity, code, message, hint)


def _text_key(post: Post, channel: str, fields: Fields) -> tuple[str | int, ...]:
    """The front-matter key that holds a channel's words (where a length Problem points)."""
    over = post.overrides.get(channel, {})
    if "summary" in over:
        return ("overrides", channel, "summary")
    if fields.summary:
        return ("summary",)
    return ()


def check_channel(
    post: Post, channel: str, rules: Rules, config: Config, templates: Templates | None = None
) -> tuple[Copy, list[Problem]]:
    """Render one (post, channel) copy and list everything that channel would refuse."""
    fields = post.variant(channel)
    copy = render(post, channel, config, rules, templates)
    problems = _images(post, channel, fields, rules)
    problems += _image_looks(post, channel, fields, config, rules)
    if rules.social:
        problems += _lengths(post, channel, fields, copy, rules)
        problems += _caps(post, channel, copy, rules)
        problems += _poll(post, channel, fields, rules)
    return copy, problems


def _lengths(post: Post, channel: str, fields: Fields, copy: Copy, rules: Rules) -> list[Problem]:
    out: list[Problem] = []
    key = _text_key(post, channel, fields)
    line = 0 if key else post.source.body_line  # no summary: the words are the body
    with_cw = bool(copy.cw) and rules.count_post("", copy.cw) > 0
    for i, part in enumerate(copy.parts, start=1):
        which = f"part {i}/{len(copy.parts)} of the thread" if len(copy.parts) > 1 else "the text"
        for m in rules.measures(part):
            length = (
                rules.count_post(part, copy.cw) if with_cw and m.unit == rules.unit else m.length
            )
            if m.limit is None or length <= m.limit:
                continue
            over = length - m.limit
            cw_note = " (content warning included)" if with_cw and m.unit == rules.unit else ""
            hint = _shorten_hint(channel, rules, fields)
            severity = Severity.ERROR if m.firm else Severity.WARNING
            p = _problem(
                post,
                key,
                severity,
                f"{channel}.too-long",
                f"{rules.name}: {which} is {length}/{m.limit} {m.unit}{cw_note}, {over} over",
                hint,
            )
            if line:
                p = Problem(p.path, line, 1, p.severity, p.code, p.message, p.hint)
            out.append(p)
        if channel == "x":
            weighted, valid = x_parse(part)
            if not valid and weighted <= (rules.max_length.value if rules.max_length else 280):
                out.append(
                    _problem(
                        post,
                        key,
                        Severity.ERROR,
                        "x.invalid-character",
                        "X: the text contains a character X refuses "
                        "(U+FFFE, U+FEFF or U+FFFF) or is empty",
                        "remove the invisible character",
                    )
                )
    return out


def _shorten_hint(channel: str, rules: Rules, fields: Fields) -> str:
    ways = [f"shorten it, or add 'overrides: {{{channel}: {{summary: ...}}}}'"]
    if not fields.summary:
        ways = ["add a short 'summary:' (the social copy)", *ways]
    if rules.threads and not fields.thread:
        ways.append("or set 'thread: true' to split it")
    elif fields.thread and not rules.threads:
        ways.append(f"{rules.name} cannot publish threads")
    return "; ".join(ways)


def _caps(post: Post, channel: str, copy: Copy, rules: Rules) -> list[Problem]:
    out = []
    for label, limit, found, code in (
        ("hashtags", rules.max_hashtags, hashtags, "hashtags"),
        ("@mentions", rules.max_mentions, mentions, "mentions"),
        ("links", rules.max_links, lambda t: sorted(set(links(t))), "links"),
    ):
        if limit is None:
            continue
        n = max(len(found(part)) for part in copy.parts)
        if n > limit.value:
            sev = Severity.ERROR if limit.firm else Severity.WARNING
            key = ("tags",) if code == "hashtags" and post.source.at("tags") != (1, 1) else ()
            out.append(
                _problem(
                    post,
                    key,
                    sev,
                    f"{channel}.too-many-{code}",
                    f"{rules.name}: {n} {label}; at most {limit.value} are allowed",
                    f"remove {n - limit.value} of them for {rules.name}",
                )
            )
    return out


def _images(post: Post, channel: str, fields: Fields, rules: Rules) -> list[Problem]:
    out: list[Problem] = []
    over = post.overrides.get(channel, {})
    base: tuple[str | int, ...] = (
        ("overrides", channel, "images") if "images" in over else ("images",)
    )
    n = len(fields.images)
    minimum = getattr(rules, "min_images", 0)
    if n < minimum:
        out.append(
            _problem(
                post,
                ("channels",),
                Severity.ERROR,
                f"{channel}.needs-image",
                f"{rules.name} publishes images only; this post has none",
                f"add an image with 'images:', or remove {channel} from 'channels'",
            )
        )
    if rules.max_images is not None and n > rules.max_images.value:
        sev = Severity.ERROR if rules.max_images.firm else Severity.WARNING
        out.append(
            _problem(
                post,
                base,
                sev,
                f"{channel}.too-many-images",
                f"{rules.name}: {n} images; at most {rules.max_images.value} per post",
                f"keep {rules.max_images.value}, or give {channel} its own "
                f"'overrides: {{{channel}: {{images: [...]}}}}'",
            )
        )
    if rules.alt_max is not None:
        for i, image in enumerate(fields.images):
            length = (
                len(image.alt.encode("utf-16-le")) // 2
                if rules.alt_unit == "UTF-16 units"
                else len(image.alt)
            )
            if length > rules.alt_max.value:
                sev = Severity.ERROR if rules.alt_max.firm else Severity.WARNING
                out.append(
                    _problem(
                        post,
                        (*base, i, "alt"),
                        sev,
                        f"{channel}.alt-too-long",
                        f"{rules.name}: the alt text is {length} characters; "
                        f"the limit is {rules.alt_max.value}",
                        "describe the image in fewer words",
                    )
                )
    return out


def _image_looks(
    post: Post, channel: str, fields: Fields, config: Config, rules: Rules
) -> list[Problem]:
    """How the pictures will look (too small, unreadable banner, text cut): warnings."""
    if not fields.images:
        return []
    from cmpub.render.checks import image_findings  # fonts are read only for posts with images

    over = post.overrides.get(channel, {})
    base: tuple[str | int, ...] = (
        ("overrides", channel, "images") if "images" in over else ("images",)
    )
    found = image_findings(fields, channel, config, rules.name)
    if channel == "site":  # the article's link card (Open Graph) is the site's social face
        found += image_findings(fields, "og", config, "the link card (Open Graph)")
    out = []
    for i, code, message, hint in found:
        key: tuple[str | int, ...] = base if i is None else (*base, i)
        if (
            code.startswith("banner")
            and fields.cta
            and not isinstance(fields.images[i or 0].banner, str)
        ):
            key = ("overrides", channel, "cta") if "cta" in over else ("cta",)
        severity = Severity.WARNING
        if code == "banner-no-text":  # the same on every channel: said once, as an error
            if channel != post.channels[0]:
                continue
            key, severity, code = (*key, "banner"), Severity.ERROR, "image.banner-no-text"
        else:
            code = f"{channel}.{code}"
        problem = _problem(post, key, severity, code, message, hint)
        if problem not in out:
            out.append(problem)
    return out


def _poll(post: Post, channel: str, fields: Fields, rules: Rules) -> list[Problem]:
    poll = fields.poll
    if poll is None:
        return []
    over = post.overrides.get(channel, {})
    key: tuple[str | int, ...] = ("overrides", channel, "poll") if "poll" in over else ("poll",)
    spec = rules.poll
    if spec is None:
        return [
            _problem(
                post,
                key,
                Severity.ERROR,
                f"{channel}.no-polls",
                f"{rules.name} has no polls",
                f"remove {channel} from 'channels', or add "
                f"'overrides: {{{channel}: {{poll: null}}}}' to post the question as text",
            )
        ]
    out = []
    sev = Severity.ERROR if spec.firm else Severity.WARNING
    n = len(poll.options)
    if not spec.min_options <= n <= spec.max_options:
        out.append(
            _problem(
                post,
                (*key, "options"),
                sev,
                f"{channel}.poll-options",
                f"{rules.name}: a poll has {spec.min_options} to {spec.max_options} "
                f"options; this one has {n}",
                "remove or add options",
            )
        )
    for i, option in enumerate(poll.options):
        length = rules.count_option(option)
        if length > spec.option_max:
            out.append(
                _problem(
                    post,
                    (*key, "options", i),
                    sev,
                    f"{channel}.poll-option-too-long",
                    f"{rules.name}: poll option '{option}' is {length} "
                    f"{spec.option_unit}; the limit is {spec.option_max}",
                    "shorten the option",
                )
            )
    if spec.question_max is not None and len(poll.question) > spec.question_max:
        out.append(
            _problem(
                post,
                (*key, "question"),
                sev,
                f"{channel}.poll-question-too-long",
                f"{rules.name}: the poll question is {len(poll.question)} characters; "
                f"the limit is {spec.question_max}",
                "shorten the question",
            )
        )
    if spec.durations and poll.duration not in spec.durations:
        allowed = ", ".join(_human(d) for d in spec.durations)
        out.append(
            _problem(
                post,
                (*key, "duration"),
                sev,
                f"{channel}.poll-duration",
                f"{rules.name}: a poll lasts {allowed}; this one lasts {_human(poll.duration)}",
                f"use one of: {allowed}",
            )
        )
    elif spec.max_seconds and not spec.min_seconds <= poll.duration <= spec.max_seconds:
        out.append(
            _problem(
                post,
                (*key, "duration"),
                sev,
                f"{channel}.poll-duration",
                f"{rules.name}: a poll lasts {_human(spec.min_seconds)} to "
                f"{_human(spec.max_seconds)}; this one lasts {_human(poll.duration)}",
                "change 'duration'",
            )
        )
    if fields.images and not rules.poll_with_images:
        out.append(
            _problem(
                post,
                key,
                Severity.ERROR if rules.poll_with_images_firm else Severity.WARNING,
                f"{channel}.poll-with-images",
                f"{rules.name}: a poll cannot have images",
                f"add 'overrides: {{{channel}: {{images: []}}}}' or remove the images",
            )
        )
    return out


def _human(seconds: int) -> str:
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds % size == 0:
            return f"{seconds // size}{unit}"
    return f"{seconds}s"


def rhythm(posts: list[Post], config: Config) -> list[Problem]:
    """Warnings about the publishing plan: quiet hours, crowded days, posts too close, gaps."""
    out: list[Problem] = []
    by_channel: dict[str, list[Post]] = defaultdict(list)
    for post in posts:
        if post.status != "ready":
            continue
        local = post.date.astimezone(post.date.tzinfo)
        if config.quiet_hours and _quiet(local, config.quiet_hours):
            start, end = config.quiet_hours
            out.append(
                _problem(
                    post,
                    ("date",),
                    Severity.WARNING,
                    "plan.quiet-hours",
                    f"goes out at {local:%H:%M}, in the quiet hours ({start}–{end})",
                    "move it to a time your community is awake",
                )
            )
        for channel in post.channels:
            if RULES[channel].social:
                by_channel[channel].append(post)
    for channel, items in sorted(by_channel.items()):
        cadence = config.cadence_for(channel)
        items.sort(key=lambda p: (p.date, p.id))
        per_day: dict[object, list[Post]] = defaultdict(list)
        for post in items:
            per_day[post.date.astimezone(_zone(config)).date()].append(post)
        if cadence.max_per_day:
            for day, group in sorted(per_day.items()):
                if len(group) > cadence.max_per_day:
                    for post in group[cadence.max_per_day :]:
                        out.append(
                            _problem(
                                post,
                                ("date",),
                                Severity.WARNING,
                                "plan.crowded-day",
                                f"{RULES[channel].name}: {len(group)} posts on {day}; "
                                f"the target is at most {cadence.max_per_day} a day",
                                "move one to a quieter day",
                            )
                        )
        for prev, post in itertools.pairwise(items):
            gap = post.date - prev.date
            if cadence.min_gap_minutes and gap < timedelta(minutes=cadence.min_gap_minutes):
                out.append(
                    _problem(
                        post,
                        ("date",),
                        Severity.WARNING,
                        "plan.too-close",
                        f"{RULES[channel].name}: {int(gap.total_seconds() // 60)} min "
                        f"after {prev.source.path}; keep {cadence.min_gap_minutes} min "
                        "between posts",
                        "space them out",
                    )
                )
            if cadence.max_gap_days and gap > timedelta(days=cadence.max_gap_days):
                out.append(
                    _problem(
                        post,
                        ("date",),
                        Severity.WARNING,
                        "plan.gap",
                        f"{RULES[channel].name}: no post for {gap.days} days before "
                        f"this one (target: every {cadence.max_gap_days} days at most)",
                        "plan something in between to keep a regular presence",
                    )
                )
    return out


def _zone(config: Config):
    from zoneinfo import ZoneInfo

    return ZoneInfo(config.timezone)


def _quiet(local: datetime, hours: tuple[str, str]) -> bool:
    now = local.strftime("%H:%M")
    start, end = hours
    return (start <= now or now < end) if start > end else (start <= now < end)
