"""What goes out when: calendar entries per (post, channel), a text calendar and an iCalendar file.

The entries come from the validation report (the posts and the exact copies the build would
write), so ``cmpub calendar`` needs no build. The warnings shown beside them are the publishing
rhythm Problems of :func:`cmpub.render.validate.rhythm` (cadence gaps, crowded days, posts too close,
quiet hours): exactly the ones ``cmpub validate`` prints, never computed a second way.

The iCalendar file has one VEVENT per post and channel, with a stable UID
(``<post id>-<channel>@<site host>``) so that calendar apps update an event instead of
duplicating it, DTSTART in the post's own IANA time zone with a generated VTIMEZONE, and DTSTAMP
from the injected clock: the same project and ``now`` give byte-identical output.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, tzinfo
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from cmpub import __version__
from cmpub.model.errors import Problem
from cmpub.model.project import Config, Post
from cmpub.platforms import CHANNELS, RULES
from cmpub.render.text import Copy, article_url

#: How long an event lasts in a calendar app (a post is an instant; apps need a length).
EVENT_MINUTES = 15
#: Problem codes that are about the publishing plan (shown on calendars).
PLAN_CODES = ("plan.gap", "plan.crowded-day", "plan.too-close", "plan.quiet-hours")

_ORDER = {c: i for i, c in enumerate(CHANNELS)}


@dataclass(frozen=True)
class Entry:
    """One publication: a post on one channel at one instant."""

    post: str
    channel: str
    title: str
    status: str
    when: datetime  # aware, in the post's own zone
    timezone: str  # the post's IANA zone name
    text: str  # the exact copy (thread parts separated by a rule line)
    url: str | None  # the article on the site, when the post has one
    source: str  # "path:line"
    tags: tuple[str, ...] = ()
    warnings: tuple[Problem, ...] = field(default=(), compare=False)

    @property
    def channel_name(self) -> str:
        """The network's name as people write it ('Bluesky')."""
        return RULES[self.channel].name if self.channel in RULES else self.channel


def zone(name: str) -> ZoneInfo:
    """An IANA zone by name; ValueError (with the name) when unknown."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, TypeError):
        raise ValueError(f"unknown time zone '{name}'") from None


def copy_text(copy: Copy) -> str:
    """The copy as one text: thread parts separated by a line, a content warning first."""
    body = "\n\n---\n\n".join(copy.parts)
    return f"[CW: {copy.cw}]\n\n{body}" if copy.cw else body


def plan_warnings(problems: Iterable[Problem]) -> list[Problem]:
    """The publishing-rhythm Problems among ``problems`` (cadence, crowding, quiet hours)."""
    return [p for p in problems if p.code in PLAN_CODES]


def warning_channel(problem: Problem) -> str | None:
    """The channel a rhythm warning is about ('Bluesky: no post for ...' -> 'bluesky')."""
    for cid, rules in RULES.items():
        if problem.message.startswith(rules.name + ":"):
            return cid
    return None


def entries(
    posts: Iterable[Post],
    copies: dict[tuple[str, str], Copy],
    config: Config,
    problems: Iterable[Problem] = (),
    start: date | None = None,
    end: date | None = None,
    channels: Iterable[str] | None = None,
) -> list[Entry]:
    """Every (post, channel) publication between ``start`` and ``end`` (project-zone days,
    inclusive), sorted by time; each carries the rhythm warnings about it."""
    home = zone(config.timezone)
    wanted = set(channels) if channels else None
    by_path: dict[str, list[Problem]] = defaultdict(list)
    for p in plan_warnings(problems):
        by_path[p.path].append(p)
    out = []
    for post in posts:
        day = post.date.astimezone(home).date()
        if (start and day < start) or (end and day > end):
            continue
        fields = post.variant
        line, _ = post.source.at("title")
        for channel in post.channels:
            if wanted is not None and channel not in wanted:
                continue
            copy = copies.get((post.id, channel))
            mine = tuple(
                p
                for p in by_path.get(post.source.path, ())
                if warning_channel(p) in (None, channel)
            )
            out.append(
                Entry(
                    post=post.id,
                    channel=channel,
                    title=fields(channel).title,
                    status=post.status,
                    when=post.date,
                    timezone=post.timezone,
                    text=copy_text(copy) if copy else "",
                    url=article_url(post, config) if "site" in post.channels else None,
                    source=f"{post.source.path}:{line}",
                    tags=tuple(fields(channel).tags),
                    warnings=mine,
                )
            )
    out.sort(key=lambda e: (e.when.astimezone(UTC), e.post, _ORDER.get(e.channel, 99)))
    return out


# ----------------------------------------------------------------------------- text


def _day_heading(day: date) -> str:
    return day.strftime("%a %d %b %Y")


def text_calendar(items: list[Entry], tz: tzinfo, warnings: bool = True) -> str:
    """A calendar for a terminal: one heading per day, then time, channels and title.

    The channels of one post at one time share a line::

        Thu 03 Dec 2026
          09:30  bluesky, mastodon, x   Éthiopie Guji : le nouveau single origin
                 ! Mastodon: 2 posts on 2026-12-03; the target is at most 1 a day
    """
    if not items:
        return "Nothing planned in this period.\n"
    lines: list[str] = []
    groups: dict[tuple[datetime, str], list[Entry]] = {}
    for e in items:
        groups.setdefault((e.when.astimezone(UTC), e.post), []).append(e)
    width = max(len(", ".join(x.channel for x in g)) for g in groups.values())
    current: date | None = None
    for (when, _post), group in groups.items():
        local = when.astimezone(tz)
        if local.date() != current:
            current = local.date()
            if lines:
                lines.append("")
            lines.append(_day_heading(current))
        first = group[0]
        names = ", ".join(e.channel for e in group)
        draft = " (draft)" if first.status == "draft" else ""
        lines.append(f"  {local:%H:%M}  {names:<{width}}  {first.title}{draft}")
        if warnings:
            seen: set[str] = set()
            for e in group:
                for w in e.warnings:
                    if w.message not in seen:
                        seen.add(w.message)
                        lines.append(f"  {'':5}  ! {w.message}")
    return "\n".join(lines) + "\n"


# ----------------------------------------------------------------------------- iCalendar


def site_host(config: Config) -> str:
    """The host that ends every UID (the site's, or 'cmpub.invalid' when it has none)."""
    return (urlsplit(config.site.url).hostname or "cmpub.invalid").lower()


def uid(entry: Entry, host: str) -> str:
    """``<post id>-<channel>@<host>``: stable across runs, edits and renames of the file."""
    return f"{entry.post}-{entry.channel}@{host}"


def ics(items: list[Entry], config: Config, now: datetime) -> bytes:
    """An iCalendar (RFC 5545) file of ``items``: one VEVENT each, VTIMEZONEs included.

    Deterministic: DTSTAMP is ``now`` (the injected clock), events are in a fixed order, and
    the VTIMEZONE components cover only the years the events fall in.
    """
    from icalendar import Calendar, Event

    host = site_host(config)
    cal = Calendar()
    cal.add("prodid", f"-//cmpub//cmpub {__version__}//EN")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", f"{config.site.title}: publications")
    cal.add("x-wr-timezone", config.timezone)
    stamp = now.astimezone(UTC).replace(microsecond=0)
    years: list[int] = []
    for e in items:
        start = e.when.astimezone(zone(e.timezone))
        years.append(start.year)
        event = Event()
        event.add("uid", uid(e, host))
        event.add("dtstamp", stamp)
        event.add("dtstart", start)
        event.add("dtend", start + timedelta(minutes=EVENT_MINUTES))
        event.add("summary", f"[{e.channel_name}] {e.title}")
        description = e.text
        if e.warnings:
            description += "\n\n" + "\n".join(f"⚠ {w.message}" for w in e.warnings)
        event.add("description", description)
        if e.url:
            event.add("url", e.url)
        event.add("categories", [e.channel_name])
        event.add("status", "TENTATIVE" if e.status == "draft" else "CONFIRMED")
        event.add("transp", "TRANSPARENT")
        cal.add_component(event)
    if years:
        cal.add_missing_timezones(
            first_date=date(min(years) - 1, 1, 1), last_date=date(max(years) + 1, 12, 31)
        )
        # add_missing_timezones appends the VTIMEZONEs; RFC 5545 readers prefer them first.
        zones = [c for c in cal.subcomponents if c.name == "VTIMEZONE"]
        events = [c for c in cal.subcomponents if c.name != "VTIMEZONE"]
        cal.subcomponents[:] = sorted(zones, key=lambda z: str(z["TZID"])) + events
    return cal.to_ical()


__all__ = [
    "PLAN_CODES",
    "Entry",
    "copy_text",
    "entries",
    "ics",
    "plan_warnings",
    "site_host",
    "text_calendar",
    "uid",
    "warning_channel",
    "zone",
]
