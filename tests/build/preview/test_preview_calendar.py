"""cmpub calendar: the text calendar and the iCalendar file (validated with ``icalendar``)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from icalendar import Calendar

from cmpub.build import agenda as cal
from cmpub.cli.app import main
from cmpub.render.validate import validate_project
from tests.build.preview.conftest import write_project

NOW = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)

SUMMER = """\
---
id: ete
title: "Été en terrasse"
date: 2027-07-01 18:00
channels: [site, bluesky]
summary: "La terrasse est ouverte."
---
Terrasse.
"""

OFFSET = """\
---
id: new-york
title: "Live from New York"
date: 2026-12-02T08:00-05:00
channels: [bluesky]
summary: "Bonjour New York."
---
Hello.
"""


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = write_project(tmp_path / "project")
    (root / "content/2027").mkdir()
    (root / "content/2027/ete.md").write_text(SUMMER, encoding="utf-8")
    (root / "content/2026/12/new-york.md").write_text(OFFSET, encoding="utf-8")
    return root


def _items(root: Path, **kw):
    report = validate_project(root)
    return report, cal.entries(report.posts, report.copies, report.config, report.problems, **kw)


def _events(data: bytes) -> dict[str, object]:
    parsed = Calendar.from_ical(data)
    return {str(e["UID"]): e for e in parsed.walk("VEVENT")}


def test_one_event_per_post_and_channel_with_stable_uids(project: Path) -> None:
    report, items = _items(project)
    data = cal.ics(items, report.config, NOW)
    events = _events(data)
    expected = {f"{p.id}-{c}@cafe.example" for p in report.posts for c in p.channels}
    assert set(events) == expected
    assert len(events) == sum(len(p.channels) for p in report.posts)
    # a second run (new objects, same inputs) gives the same bytes
    report2, items2 = _items(project)
    assert cal.ics(items2, report2.config, NOW) == data


def test_uid_survives_an_edit_and_a_rename(project: Path) -> None:
    report, items = _items(project)
    before = set(_events(cal.ics(items, report.config, NOW)))
    src = project / "content/2026/12/launch/index.md"
    text = src.read_text(encoding="utf-8").replace("pêche blanche", "abricot")
    (project / "content/2026/12/launch-renamed").mkdir()
    (project / "content/2026/12/launch-renamed/index.md").write_text(text, encoding="utf-8")
    (src.parent / "photo.jpg").rename(project / "content/2026/12/launch-renamed/photo.jpg")
    src.unlink()
    report, items = _items(project)
    assert not report.errors, report.errors
    assert set(_events(cal.ics(items, report.config, NOW))) == before


def test_event_fields(project: Path) -> None:
    report, items = _items(project)
    events = _events(cal.ics(items, report.config, NOW))
    e = events["launch-bluesky@cafe.example"]
    assert str(e["SUMMARY"]) == "[Bluesky] Nouveau : le Guji d'Éthiopie"
    assert "Le Guji est arrivé" in str(e["DESCRIPTION"])
    assert str(e["URL"]) == "https://cafe.example/launch/"
    assert e.decoded("DTSTAMP") == NOW
    assert str(e["STATUS"]) == "CONFIRMED"
    assert str(events["brouillon-x@cafe.example"]["STATUS"]) == "TENTATIVE"
    assert "URL" not in events["sondage-x@cafe.example"]  # no site article


def test_tzid_and_vtimezone_for_paris_dst_safe(project: Path) -> None:
    report, items = _items(project)
    data = cal.ics(items, report.config, NOW)
    parsed = Calendar.from_ical(data)
    zones = {str(z["TZID"]): z for z in parsed.walk("VTIMEZONE")}
    assert set(zones) == {"Europe/Paris"}
    text = data.decode()
    assert "DTSTART;TZID=Europe/Paris:20261201T093000" in text  # winter, +01:00
    assert "DTSTART;TZID=Europe/Paris:20270701T180000" in text  # summer, +02:00
    events = _events(data)
    winter = events["launch-site@cafe.example"].decoded("DTSTART")
    summer = events["ete-site@cafe.example"].decoded("DTSTART")
    assert winter.utcoffset() == timedelta(hours=1)
    assert summer.utcoffset() == timedelta(hours=2)
    assert winter.astimezone(UTC) == datetime(2026, 12, 1, 8, 30, tzinfo=UTC)
    assert summer.astimezone(UTC) == datetime(2027, 7, 1, 16, 0, tzinfo=UTC)
    # the VTIMEZONE says when the clocks change in the years of the events
    assert "TZOFFSETTO:+0200" in text and "TZOFFSETTO:+0100" in text
    assert "20270328T020000" in text or "20270328T030000" in text


def test_explicit_offset_is_the_same_instant_in_the_posts_zone(project: Path) -> None:
    report, items = _items(project)
    events = _events(cal.ics(items, report.config, NOW))
    start = events["new-york-bluesky@cafe.example"].decoded("DTSTART")
    assert start.astimezone(UTC) == datetime(2026, 12, 2, 13, 0, tzinfo=UTC)
    assert (
        "DTSTART;TZID=Europe/Paris:20261202T140000" in cal.ics(items, report.config, NOW).decode()
    )


def test_range_and_channel_filters(project: Path) -> None:
    _report, items = _items(project, start=date(2026, 12, 2), end=date(2026, 12, 31))
    assert {e.post for e in items} == {"new-york", "sondage", "plus-tard", "brouillon"}
    _, only = _items(project, channels=["x"])
    assert {e.channel for e in only} == {"x"}


def test_text_calendar_by_day_with_rhythm_warnings(project: Path) -> None:
    report, items = _items(project, end=date(2026, 12, 31))
    text = cal.text_calendar(items, cal.zone("Europe/Paris"))
    lines = text.splitlines()
    assert lines[0] == "Tue 01 Dec 2026"
    assert lines[1].split()[:2] == ["09:30", "site,"]
    assert "Nouveau : le Guji d'Éthiopie" in lines[1]
    assert "Sondage du mois" in text and "(draft)" in text
    # the same gap warning cmpub validate reports (15 Dec: 12 days after New York, the last Bluesky post)
    gap = [p for p in report.problems if p.code == "plan.gap" and p.path.endswith("plus-tard.md")]
    assert len(gap) == 1 and "Bluesky: no post for 12 days" in gap[0].message
    assert f"! {gap[0].message}" in text
    # times shown in another zone
    utc = cal.text_calendar(items, cal.zone("UTC"))
    assert "08:30" in utc.splitlines()[1]


def test_cli_writes_ics_and_prints(project: Path, runner, tmp_path: Path) -> None:
    out = tmp_path / "plan.ics"
    args = ["calendar", str(project), "--ics", str(out), "--now", "2026-11-20T10:00+01:00"]
    result = runner.invoke(main, [*args, "--from", "2026-12-01", "--to", "2026-12-05"])
    assert result.exit_code == 0, result.output
    assert "Tue 01 Dec 2026" in result.stdout
    events = _events(out.read_bytes())
    assert "launch-bluesky@cafe.example" in events
    assert "plus-tard-site@cafe.example" not in events  # after --to
    first = out.read_bytes()
    assert runner.invoke(main, [*args, "--from", "2026-12-01", "--to", "2026-12-05"]).exit_code == 0
    assert out.read_bytes() == first
    bad = runner.invoke(main, ["calendar", str(project), "--from", "December"])
    assert bad.exit_code == 2 and "--from" in bad.output
