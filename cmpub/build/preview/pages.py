"""The studio's pages: plain data from a :class:`~cmpub.build.preview.state.Snapshot`, then Jinja2.

Each ``*_page`` function turns a snapshot (plus the clock and the query string) into the context
of one template under ``preview/`` (``cmpub/theme/preview/``, overridable by name in the
project's ``templates/preview/``). Everything a post says reaches the templates as plain strings
that Jinja2 escapes; links become ``<a>`` only for ``http``/``https`` addresses. The highlighting
of links, hashtags and mentions follows each network: Bluesky's own facets
(:func:`cmpub.platforms.bluesky.facets`), simple patterns elsewhere, and the way each one shows a
long link (Mastodon cuts it at 30 characters, X at 23, Instagram does not link at all).
"""

from __future__ import annotations

import calendar as _cal
import re
from collections import defaultdict
from datetime import UTC, date, datetime, timedelta, tzinfo
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, quote, urlsplit

from cmpub import __version__
from cmpub.build import agenda as cal
from cmpub.build.preview.state import HELP, LABELS, STATES, Snapshot, variant_state
from cmpub.build.site import palette
from cmpub.model.errors import Problem, Severity
from cmpub.model.project import Config, Post
from cmpub.platforms import CHANNELS, RULES
from cmpub.platforms.bluesky import facets
from cmpub.render.templates import Templates

SITE_PREFIX = "/site/"
STUDIO_PREFIX = "/_studio/"

#: Networks that show a link card for the first link of a post without images or poll.
CARD_CHANNELS = {"bluesky", "mastodon", "x", "threads", "linkedin", "facebook"}
#: Networks where a link in the text is not clickable.
UNLINKED = {"instagram"}
#: How many characters of a link a network shows before "…" (scheme and www. dropped).
LINK_SHOWN = {"mastodon": 30, "x": 23}

_MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
_DAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]


# ----------------------------------------------------------------------------- helpers


def post_url(post_id: str) -> str:
    """The studio page of a post."""
    return f"/post/{quote(post_id.strip('/'))}/"


def site_url(rel: str) -> str:
    """A file of the preview build, as the studio serves it."""
    return SITE_PREFIX + quote(rel.lstrip("/"))


def http_only(url: str | None) -> str | None:
    """``url`` when it is an absolute http(s) address, else None (never javascript: & co)."""
    if not url:
        return None
    cleaned = re.sub(r"[\x00-\x20\x7f]+", "", url)
    try:
        parts = urlsplit(cleaned)
    except ValueError:
        return None
    return cleaned if parts.scheme.lower() in ("http", "https") and parts.netloc else None


def short_date(when: datetime) -> str:
    """'Thu 3 Dec 2026'."""
    return f"{_DAYS[when.weekday()]} {when.day} {_MONTHS[when.month - 1]} {when.year}"


def when_text(when: datetime, tz: tzinfo) -> dict[str, str]:
    """A publish time as the pages show it, in ``tz``."""
    local = when.astimezone(tz)
    return {
        "iso": local.isoformat(),
        "date": short_date(local),
        "time": f"{local:%H:%M}",
        "day": local.date().isoformat(),
        "offset": local.strftime("%z")[:3] + ":" + local.strftime("%z")[3:],
    }


def problem_dict(p: Problem, post_of: dict[str, str]) -> dict[str, Any]:
    """A Problem as the templates and the live-reload script get it."""
    where = p.path if p.line <= 0 else f"{p.path}:{p.line}:{max(p.col, 1)}"
    pid = post_of.get(p.path)
    return {
        "where": where,
        "path": p.path,
        "line": p.line,
        "col": p.col,
        "severity": str(p.severity),
        "code": p.code,
        "message": p.message,
        "hint": p.hint,
        "post": post_url(pid) if pid else None,
    }


# ----------------------------------------------------------------------------- highlighting

_LINK = re.compile(r"https?://[^\s<>\"'\u00a0]+", re.IGNORECASE)
_TAG = re.compile(r"(?<![\w&/#＃])[#＃]\w*[^\W\d]\w*")
_MENTION = re.compile(
    r"(?<![\w/=@.])@[A-Za-z0-9_][A-Za-z0-9_.-]*(?:@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+)?"
)
_CASHTAG = re.compile(r"(?<![\w$])\$[A-Za-z]{1,6}(?!\w)")


def _trim_link(url: str) -> str:
    url = url.rstrip(".,;:!?…»”’'\"")
    while url.endswith(")") and url.count("(") < url.count(")"):
        url = url[:-1].rstrip(".,;:!?")
    return url


def shown_link(url: str, channel: str) -> str:
    """How ``channel`` shows a link in a post (Mastodon and X cut long ones with '…')."""
    limit = LINK_SHOWN.get(channel)
    if limit is None:
        return url
    shown = re.sub(r"^https?://(www\.)?", "", url, flags=re.IGNORECASE)
    return shown if len(shown) <= limit else shown[:limit] + "…"


def segments(text: str, channel: str, full: dict[str, str] | None = None) -> list[dict[str, Any]]:
    """``text`` cut into plain runs and highlighted links, hashtags and mentions.

    Each segment is ``{"kind": "text"|"link"|"tag"|"mention", "text": shown, "href": url|None}``;
    ``href`` is only ever an http(s) address. ``full`` maps a link as shown to its full address
    (Bluesky's short links ride in facets).
    """
    if channel == "bluesky":
        return _bluesky_segments(text, full or {})
    found: list[tuple[int, int, str, str]] = []
    if channel not in UNLINKED:
        for m in _LINK.finditer(text):
            url = _trim_link(m.group(0))
            found.append((m.start(), m.start() + len(url), "link", url))
    for rx, kind in ((_TAG, "tag"), (_MENTION, "mention")):
        for m in rx.finditer(text):
            value = m.group(0).rstrip(".-")
            found.append((m.start(), m.start() + len(value), kind, value))
    if channel == "x":
        found += [(m.start(), m.end(), "tag", m.group(0)) for m in _CASHTAG.finditer(text)]
    found.sort(key=lambda f: (f[0], -f[1]))
    out: list[dict[str, Any]] = []
    pos = 0
    for start, end, kind, value in found:
        if start < pos:
            continue  # inside an earlier match (a '#' in a URL)
        if start > pos:
            out.append({"kind": "text", "text": text[pos:start], "href": None})
        if kind == "link":
            href = http_only((full or {}).get(value, value))
            out.append({"kind": "link", "text": shown_link(value, channel), "href": href})
        else:
            out.append({"kind": kind, "text": text[start:end], "href": None})
        pos = end
    if pos < len(text):
        out.append({"kind": "text", "text": text[pos:], "href": None})
    return out


def _bluesky_segments(text: str, full: dict[str, str]) -> list[dict[str, Any]]:
    """Bluesky's own facets, plus the short links the build made (their full URL rides in a
    link facet the publisher adds, since a shortened link is not detected by the client)."""
    data = text.encode("utf-8")
    found = [
        (int(f["start"]), int(f["end"]), str(f["type"]), str(f["value"])) for f in facets(text)
    ]
    for shown, url in sorted(full.items(), key=lambda kv: -len(kv[0])):
        needle = shown.encode("utf-8")
        at = data.find(needle)
        while at >= 0:
            end = at + len(needle)
            whole = end == len(data) or data[end : end + 1] in b" \t\r\n.,;:!?)"
            if whole and not any(s < end and at < e for s, e, _t, _v in found):
                found.append((at, end, "link", url))
            at = data.find(needle, end)
    found.sort()
    out: list[dict[str, Any]] = []
    pos = 0
    for start, end, kind, value in found:
        if start < pos:
            continue
        if start > pos:
            out.append({"kind": "text", "text": data[pos:start].decode("utf-8"), "href": None})
        href = http_only(value) if kind == "link" else None
        out.append({"kind": kind, "text": data[start:end].decode("utf-8"), "href": href})
        pos = end
    if pos < len(data):
        out.append({"kind": "text", "text": data[pos:].decode("utf-8"), "href": None})
    return out


# ----------------------------------------------------------------------------- common


def account(config: Config, channel: str) -> dict[str, Any]:
    """The brand's account on ``channel`` as its posts show it: display name and handle."""
    settings = config.channels[channel].settings if channel in config.channels else {}
    name = str(settings.get("name") or settings.get("display_name") or config.brand.name)
    raw = str(settings.get("handle") or "").strip()
    handle = None
    if raw:
        bare = raw.lstrip("@")
        if channel == "mastodon":
            if "@" not in bare and settings.get("instance"):
                host = urlsplit(str(settings["instance"])).hostname or ""
                bare = f"{bare}@{host}" if host else bare
            handle = "@" + bare
        elif channel in ("instagram", "threads"):
            handle = bare
        else:
            handle = "@" + bare
    return {
        "name": name,
        "handle": handle,
        "initial": (name[:1] or "?").upper(),
        "page": channel in ("linkedin", "facebook"),
    }


def base_context(snapshot: Snapshot, templates: Templates, page: str) -> dict[str, Any]:
    """What every studio page gets: the brand, the navigation, the live state."""
    config = snapshot.config
    post_of = snapshot.post_of_path()
    errors = [problem_dict(p, post_of) for p in snapshot.errors]
    return {
        "page": page,
        "version": __version__,
        "site": {
            "title": config.site.title if config else "cmpub",
            "url": config.site.url if config else "",
        },
        "brand": {
            "name": config.brand.name if config else "cmpub",
            "logo": site_url("brand/logo.png") if config and config.brand.logo else None,
        },
        "generation": snapshot.content,
        "state_generation": snapshot.generation,
        "built": snapshot.built,
        "errors": errors,
        "counts": {"errors": len(snapshot.errors), "warnings": len(snapshot.warnings)},
        "css": f"{STUDIO_PREFIX}studio.css?v={snapshot.content}",
        "js": f"{STUDIO_PREFIX}studio.js",
    }


def studio_css(snapshot: Snapshot, templates: Templates) -> str:
    """The studio's stylesheet, in the brand's colours (checked for contrast by the site)."""
    colors = palette(snapshot.config.brand.colors if snapshot.config else {})
    return templates.render("preview/studio.css.j2", palette=colors)


# ----------------------------------------------------------------------------- dashboard


def _states(
    snapshot: Snapshot, post: Post, now: datetime
) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    config = snapshot.config
    assert config is not None
    out = []
    order = {c: i for i, c in enumerate(CHANNELS)}
    variants = sorted(snapshot.variants.get(post.id, ()), key=lambda v: order.get(v["channel"], 99))
    for v in variants:
        s = variant_state(v, snapshot.records, now, config.deploy.catch_up_seconds)
        out.append(
            (
                v,
                {
                    "channel": v["channel"],
                    "name": RULES[v["channel"]].name if v["channel"] in RULES else v["channel"],
                    "state": s.state,
                    "label": s.label,
                    "help": HELP[s.state] + (f": {s.detail}" if s.detail else ""),
                    "url": s.url,
                    "edited": s.edited,
                },
            )
        )
    return out


def dashboard_page(snapshot: Snapshot, now: datetime, query: dict[str, str]) -> dict[str, Any]:
    """Every post by date with each channel's state; filters by channel, tag and state."""
    config = snapshot.config
    tz = cal.zone(config.timezone) if config else UTC
    want_channel = query.get("channel") or ""
    want_tag = (query.get("tag") or "").lstrip("#").lower()
    want_state = query.get("state") or ""
    used_channels: set[str] = set()
    tags: set[str] = set()
    totals: dict[str, int] = defaultdict(int)
    days: dict[str, dict[str, Any]] = {}
    post_of = snapshot.post_of_path()
    problems_by_post: dict[str, list[Problem]] = defaultdict(list)
    for p in snapshot.problems:
        if p.path in post_of:
            problems_by_post[post_of[p.path]].append(p)
    shown = 0
    for post in sorted(snapshot.posts, key=lambda p: (p.date, p.id)):
        post_tags = [t.lstrip("#") for t in post.fields.tags]
        tags.update(post_tags)
        used_channels.update(post.channels)
        states = [s for _, s in _states(snapshot, post, now)]
        for s in states:
            totals[s["state"]] += 1
        if want_tag and want_tag not in {t.lower() for t in post_tags}:
            continue
        if want_channel:
            states = [s for s in states if s["channel"] == want_channel]
            if not states:
                continue
        if want_state and not any(s["state"] == want_state for s in states):
            continue
        shown += 1
        when = when_text(post.date, tz)
        day = days.setdefault(when["day"], {"iso": when["day"], "label": when["date"], "posts": []})
        mine = problems_by_post.get(post.id, [])
        day["posts"].append(
            {
                "id": post.id,
                "url": post_url(post.id),
                "title": post.title,
                "time": when["time"],
                "status": post.status,
                "tags": post_tags,
                "source": post.source.path,
                "variants": states,
                "warnings": sum(1 for p in mine if p.severity is Severity.WARNING),
            }
        )
    ordered = [c for c in CHANNELS if c in used_channels]
    return {
        "days": list(days.values()),
        "shown": shown,
        "total": len(snapshot.posts),
        "filters": {
            "channel": want_channel,
            "tag": want_tag,
            "state": want_state,
            "active": bool(want_channel or want_tag or want_state),
        },
        "channels": [{"id": c, "name": RULES[c].name} for c in ordered],
        "tags": sorted(tags, key=str.lower),
        "states": [
            {"id": s, "label": LABELS[s], "count": totals.get(s, 0), "help": HELP[s]}
            for s in STATES
        ],
        "now": when_text(now, tz),
        "timezone": config.timezone if config else "UTC",
    }


# ----------------------------------------------------------------------------- post page


def _utm(url: str) -> list[dict[str, str]]:
    query = urlsplit(url).query
    return [{"key": k, "value": v} for k, v in parse_qsl(query) if k.startswith("utm_")]


def _card(
    variant: dict[str, Any],
    post: Post,
    config: Config,
    links: list[str],
) -> dict[str, Any] | None:
    channel = variant["channel"]
    if channel not in CARD_CHANNELS or variant["images"] or variant.get("poll") or not links:
        return None
    url = links[0]
    host = (urlsplit(url).hostname or "").removeprefix("www.")
    site_host = (urlsplit(config.site.url).hostname or "").removeprefix("www.")
    if host == site_host or host.endswith("." + site_host):
        site = post.variant("site")
        description = (site.summary or "").strip() or _first_words(variant["parts"][0]["text"])
        title = site.title
    else:
        title, description = host, urlsplit(url).path
    return {"url": url, "domain": host, "title": title, "description": description}


def _first_words(text: str, limit: int = 160) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1].rsplit(" ", 1)[0] + "…"


def _duration(seconds: int) -> str:
    for unit, size in (("day", 86400), ("hour", 3600), ("minute", 60)):
        if seconds >= size and seconds % size == 0:
            n = seconds // size
            return f"{n} {unit}{'s' if n != 1 else ''}"
    return f"{seconds} s"


def mockup(
    variant: dict[str, Any],
    state: dict[str, Any],
    post: Post,
    snapshot: Snapshot,
    tz: tzinfo,
) -> dict[str, Any]:
    """One channel's mock-up: account, text parts with counters, images, card, poll, links."""
    config = snapshot.config
    assert config is not None
    channel = variant["channel"]
    full = {link["shown"]: link["url"] for link in variant.get("links") or ()}
    parts = []
    all_links: list[str] = []
    for i, part in enumerate(variant["parts"]):
        segs = segments(part["text"], channel, full)
        all_links += [s["href"] for s in segs if s["kind"] == "link" and s["href"]]
        if channel in UNLINKED:
            all_links += [_trim_link(m.group(0)) for m in _LINK.finditer(part["text"])]
        measures = [
            {
                "unit": m["unit"],
                "length": m["length"],
                "limit": m["limit"],
                "over": m["limit"] is not None and m["length"] > m["limit"],
            }
            for m in part.get("measures") or [part]
        ]
        parts.append(
            {
                "number": i + 1,
                "segments": segs,
                "measures": measures,
                "over": any(m["over"] for m in measures),
            }
        )
    unique = list(dict.fromkeys(u for u in all_links if http_only(u)))
    images = [
        {
            "src": site_url(img["file"]),
            "width": img["width"],
            "height": img["height"],
            "alt": img["alt"],
            "bytes": img["bytes"],
            "kb": max(1, round(img["bytes"] / 1024)),
        }
        for img in variant["images"]
    ]
    poll = variant.get("poll")
    rules = RULES.get(channel)
    return {
        "channel": channel,
        "name": rules.name if rules else channel,
        "social": bool(rules and rules.social),
        "account": account(config, channel),
        "when": when_text(datetime.fromisoformat(variant["publish_at"]["local"]), tz),
        "parts": parts,
        "thread": len(parts) > 1,
        "over": any(p["over"] for p in parts),
        "cw": variant.get("cw"),
        "images": images,
        "card": _card(variant, post, config, unique),
        "poll": {
            "question": poll["question"],
            "options": poll["options"],
            "duration": _duration(int(poll["duration_seconds"])),
        }
        if poll
        else None,
        "links": [{"url": u, "utm": _utm(u)} for u in unique],
        "linkable": channel not in UNLINKED,
        "state": state,
        "source": variant["source"],
        "key": variant["idempotency_key"],
    }


def post_page(
    snapshot: Snapshot, post: Post, now: datetime, out: Path, query: dict[str, str]
) -> dict[str, Any]:
    """One post: a mock-up per channel, the counters, the article beside them."""
    config = snapshot.config
    assert config is not None
    tz = cal.zone(config.timezone)
    mocks = [mockup(v, s, post, snapshot, tz) for v, s in _states(snapshot, post, now)]
    social = [m for m in mocks if m["channel"] != "site"]
    article = None
    if "site" in post.channels:
        rel = f"{post.slug}/index.html"
        article = {
            "url": site_url(post.slug + "/"),
            "exists": (out / rel).is_file(),
            "public": f"{config.site.url}/{quote(post.slug)}/",
            "state": next((m["state"] for m in mocks if m["channel"] == "site"), None),
        }
    post_of = snapshot.post_of_path()
    problems = [problem_dict(p, post_of) for p in snapshot.problems if p.path == post.source.path]
    ordered = sorted(snapshot.posts, key=lambda p: (p.date, p.id))
    i = next(n for n, p in enumerate(ordered) if p.id == post.id)
    return {
        "post": {
            "id": post.id,
            "title": post.title,
            "status": post.status,
            "when": when_text(post.date, tz),
            "zone": post.timezone,
            "source": f"{post.source.path}:{post.source.at('title')[0]}",
            "tags": [t.lstrip("#") for t in post.fields.tags],
            "lang": post.lang,
        },
        "mockups": social,
        "article": article,
        "problems": problems,
        "previous": {"url": post_url(ordered[i - 1].id), "title": ordered[i - 1].title}
        if i > 0
        else None,
        "next": {"url": post_url(ordered[i + 1].id), "title": ordered[i + 1].title}
        if i + 1 < len(ordered)
        else None,
    }


# ----------------------------------------------------------------------------- calendar


def _parse_day(text: str | None) -> date | None:
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def calendar_page(snapshot: Snapshot, now: datetime, query: dict[str, str]) -> dict[str, Any]:
    """Month or week view, by channel and time zone, with the rhythm warnings of validate."""
    config = snapshot.config
    assert config is not None
    tz_name = query.get("tz") or config.timezone
    tz_error = None
    try:
        tz = cal.zone(tz_name)
    except ValueError as exc:
        tz_error, tz_name, tz = str(exc), config.timezone, cal.zone(config.timezone)
    view = query.get("view") if query.get("view") in ("month", "week") else "month"
    channel = query.get("channel") or ""
    items = cal.entries(
        snapshot.posts,
        snapshot.copies,
        config,
        snapshot.problems,
        channels=[channel] if channel else None,
    )
    by_day: dict[date, list[cal.Entry]] = defaultdict(list)
    for e in items:
        by_day[e.when.astimezone(tz).date()].append(e)
    today = now.astimezone(tz).date()
    anchor = _parse_day(query.get("date"))
    if anchor is None:
        days = sorted(by_day)
        upcoming = [d for d in days if d >= today]
        anchor = today if today in by_day or not days else (upcoming or days[-1:])[0]
    if view == "month":
        first = anchor.replace(day=1)
        last = first.replace(day=_cal.monthrange(first.year, first.month)[1])
        start = first - timedelta(days=first.weekday())
        end = last + timedelta(days=6 - last.weekday())
        prev_anchor = (first - timedelta(days=1)).replace(day=1)
        next_anchor = last + timedelta(days=1)
        title = f"{_cal.month_name[first.month]} {first.year}"
    else:
        start = anchor - timedelta(days=anchor.weekday())
        end = start + timedelta(days=6)
        first, last = start, end
        prev_anchor, next_anchor = start - timedelta(days=7), start + timedelta(days=7)
        title = f"Week of {short_date(datetime.combine(start, datetime.min.time()))}"
    gaps = _gap_days(snapshot, tz, channel)
    crowded = _crowded_days(items, tz)
    weeks: list[list[dict[str, Any]]] = []
    day = start
    while day <= end:
        if day.weekday() == 0:
            weeks.append([])
        weeks[-1].append(
            {
                "iso": day.isoformat(),
                "number": day.day,
                "label": short_date(datetime.combine(day, datetime.min.time())),
                "outside": not (first <= day <= last),
                "today": day == today,
                "posts": _day_posts(by_day.get(day, []), tz),
                "gaps": gaps.get(day, []),
                "crowded": crowded.get(day, []),
            }
        )
        day += timedelta(days=1)
    post_of = snapshot.post_of_path()
    shown = [
        problem_dict(p, post_of)
        for p in cal.plan_warnings(snapshot.problems)
        if not channel or cal.warning_channel(p) in (None, channel)
    ]
    in_range = {
        p.source.path for p in snapshot.posts if start <= p.date.astimezone(tz).date() <= end
    }
    used = sorted({c for p in snapshot.posts for c in p.channels}, key=CHANNELS.index)
    zones = sorted({config.timezone, "UTC", tz_name, *(p.timezone for p in snapshot.posts)})
    return {
        "view": view,
        "title": title,
        "tz": tz_name,
        "tz_error": tz_error,
        "zones": zones,
        "channel": channel,
        "channels": [{"id": c, "name": RULES[c].name} for c in used],
        "weeks": weeks,
        "weekdays": _DAYS,
        "anchor": anchor.isoformat(),
        "prev": prev_anchor.isoformat(),
        "next": next_anchor.isoformat(),
        "today": today.isoformat(),
        "warnings": [w for w in shown if w["path"] in in_range],
        "all_warnings": len(shown),
        "cadence": _cadence(config, used),
        "quiet_hours": "–".join(config.quiet_hours) if config.quiet_hours else None,
    }


def _day_posts(items: list[cal.Entry], tz: tzinfo) -> list[dict[str, Any]]:
    groups: dict[tuple[datetime, str], list[cal.Entry]] = {}
    for e in items:
        groups.setdefault((e.when, e.post), []).append(e)
    out = []
    for (when, pid), group in groups.items():
        warnings: dict[str, dict[str, str]] = {}
        for e in group:
            for w in e.warnings:
                warnings.setdefault(w.message, {"code": w.code, "message": w.message})
        out.append(
            {
                "id": pid,
                "url": post_url(pid),
                "time": f"{when.astimezone(tz):%H:%M}",
                "title": group[0].title,
                "draft": group[0].status == "draft",
                "channels": [{"id": e.channel, "name": e.channel_name} for e in group],
                "warnings": list(warnings.values()),
                "flags": sorted({w["code"] for w in warnings.values()}),
            }
        )
    return out


def _gap_days(snapshot: Snapshot, tz: tzinfo, channel: str) -> dict[date, list[dict[str, Any]]]:
    """The days inside each cadence gap that ``cmpub validate`` reported (plan.gap)."""
    config = snapshot.config
    assert config is not None
    by_path = {p.source.path: p for p in snapshot.posts}
    out: dict[date, list[dict[str, Any]]] = defaultdict(list)
    for w in snapshot.problems:
        if w.code != "plan.gap":
            continue
        cid = cal.warning_channel(w)
        post = by_path.get(w.path)
        if post is None or cid is None or (channel and cid != channel):
            continue
        before = [
            p
            for p in snapshot.posts
            if p.status == "ready" and cid in p.channels and p.date < post.date
        ]
        if not before:
            continue
        prev = max(before, key=lambda p: (p.date, p.id))
        day = prev.date.astimezone(tz).date() + timedelta(days=1)
        stop = post.date.astimezone(tz).date()
        first = True
        while day < stop:
            out[day].append(
                {
                    "channel": cid,
                    "name": RULES[cid].name,
                    "first": first,
                    "days": (post.date - prev.date).days,
                    "message": w.message,
                }
            )
            first = False
            day += timedelta(days=1)
    return out


def _crowded_days(items: list[cal.Entry], tz: tzinfo) -> dict[date, list[str]]:
    out: dict[date, list[str]] = defaultdict(list)
    for e in items:
        for w in e.warnings:
            if w.code == "plan.crowded-day" and w.message not in out[e.when.astimezone(tz).date()]:
                out[e.when.astimezone(tz).date()].append(w.message)
    return out


def _cadence(config: Config, channels: list[str]) -> list[dict[str, Any]]:
    out = []
    for c in channels:
        if not RULES[c].social:
            continue
        cad = config.cadence_for(c)
        out.append(
            {
                "name": RULES[c].name,
                "gap": cad.max_gap_days,
                "per_day": cad.max_per_day,
                "minutes": cad.min_gap_minutes,
            }
        )
    return out


# ----------------------------------------------------------------------------- diagnostics


def diagnostics_page(snapshot: Snapshot) -> dict[str, Any]:
    """Every Problem of the last attempt, errors first, each linked to its post."""
    post_of = snapshot.post_of_path()
    problems = sorted(snapshot.problems, key=lambda p: (p.severity is not Severity.ERROR, p))
    return {
        "problems": [problem_dict(p, post_of) for p in problems],
        "failed": bool(snapshot.errors),
        "how": snapshot.how,
        "seconds": round(snapshot.seconds, 2),
    }


__all__ = [
    "account",
    "base_context",
    "calendar_page",
    "dashboard_page",
    "diagnostics_page",
    "http_only",
    "mockup",
    "post_page",
    "post_url",
    "segments",
    "shown_link",
    "studio_css",
]
