"""A post's publish time, from what its ``date:`` line says, in its time zone.

A naive time is read in the post's zone (or the project's); a time that does not exist there
(a DST gap) or exists twice (a DST fold) is a Problem proposing both readings with offsets. An
offset no place on Earth has (``+24:00``) and a year near the ends of the calendar (where the
times computed from a date would overflow: UTC, catch-up windows, re-posts, poll results) are
Problems at the ``date:`` line too, never an error later in the build.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

from cmpub.model.schema import Context, check_zone

#: The years a post may be dated in: far enough from the ends of the calendar that every time
#: computed from a date stays a real date.
FIRST_YEAR, LAST_YEAR = 1900, 2999

_DATE = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})"
    r"(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?\s*(Z|[+-]\d{2}:?\d{2})?)?"
)


def parse_date(
    raw: Any, zone_name: str, ctx: Context, default_time: str = "09:00"
) -> datetime | None:
    """The publish time as an aware datetime in the post's zone, or None after a Problem.

    A naive time is read in ``zone_name``; a time that does not exist there (a DST gap) or
    exists twice (a DST fold) is an error that proposes both valid readings with offsets.
    """
    where = ("date",)
    if isinstance(raw, datetime | date):  # not produced by yamldoc, but accept it
        raw = raw.isoformat()
    if not isinstance(raw, str):
        ctx.report(
            where,
            "date.format",
            f"'date' must be a date and time, got {raw!r}",
            "write it like 2026-12-01 09:30 (or with an offset: 2026-12-01T09:30+01:00)",
        )
        return None
    m = _DATE.fullmatch(raw.strip())
    if not m:
        ctx.report(
            where,
            "date.format",
            f"'{raw}' is not a date and time",
            "write it like 2026-12-01 09:30 (or with an offset: 2026-12-01T09:30+01:00)",
        )
        return None
    y, mo, d, hh, mm, ss, off = m.groups()
    if not FIRST_YEAR <= int(y) <= LAST_YEAR:
        ctx.report(
            where,
            "date.range",
            f"the year {int(y)} is outside the years cmpub plans for ({FIRST_YEAR} to {LAST_YEAR})",
            "check the year",
        )
        return None
    offset = _offset(off) if off and off != "Z" else UTC
    if offset is None:
        ctx.report(
            where,
            "date.offset",
            f"'{off}' is not a UTC offset: offsets go from -12:00 to +14:00",
            "check the offset, or write the time without one to use the post's time zone",
        )
        return None
    try:
        day = date(int(y), int(mo), int(d))
    except ValueError as exc:
        ctx.report(
            where,
            "date.invalid",
            f"{y}-{mo}-{d} is not a real date ({exc})",
            "check the day and the month",
        )
        return None
    try:
        clock = time(int(hh), int(mm), int(ss or 0)) if hh else None
    except ValueError:
        ctx.report(
            where,
            "date.invalid",
            f"'{raw}' has an impossible time of day",
            "hours go from 00 to 23, minutes and seconds from 00 to 59",
        )
        return None
    zone = check_zone(zone_name)
    if zone is None:  # reported by the schema already
        return None
    if clock is None:  # a day alone: the project's default posting time
        clock = time(int(default_time[:2]), int(default_time[3:5]))
    naive = datetime.combine(day, clock)
    if off:
        return naive.replace(tzinfo=offset).astimezone(zone)
    return _localize(naive, zone, zone_name, ctx)


def _offset(text: str) -> timezone | None:
    """The fixed offset '+01:00' or '-0530' stands for, or None when no place on Earth has it."""
    sign = -1 if text[0] == "-" else 1
    digits = text[1:].replace(":", "")
    hours, minutes = int(digits[:2]), int(digits[2:])
    delta = sign * timedelta(hours=hours, minutes=minutes)
    if minutes > 59 or not timedelta(hours=-12) <= delta <= timedelta(hours=14):
        return None
    return timezone(delta)


def _localize(naive: datetime, zone: ZoneInfo, name: str, ctx: Context) -> datetime | None:
    first, second = naive.replace(tzinfo=zone, fold=0), naive.replace(tzinfo=zone, fold=1)
    if first.utcoffset() == second.utcoffset():
        return first
    shown = naive.strftime("%Y-%m-%d %H:%M")
    back = first.astimezone(UTC).astimezone(zone).replace(tzinfo=None)
    if back != naive:  # the wall-clock time was skipped
        readings = sorted(d.astimezone(UTC).astimezone(zone) for d in (first, second))
        ctx.report(
            ("date",),
            "date.dst-gap",
            f"{shown} does not exist in {name}: the clocks skip that hour",
            f"write '{_iso(readings[0])}' or '{_iso(readings[1])}'",
        )
        return None
    ctx.report(
        ("date",),
        "date.dst-fold",
        f"{shown} happens twice in {name}: the clocks go back that night",
        f"write '{_iso(first)}' (the first time) or '{_iso(second)}' (the second)",
    )
    return None


def _iso(when: datetime) -> str:
    return when.isoformat(timespec="minutes")
