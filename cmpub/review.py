"""The pull-request review: what a change does to the publishing plan, as one Markdown comment.

Compares the manifest built from the pull request with the one built from its base branch,
variant by variant (post, channel): new, changed (text, time, images, poll, status) and removed,
each with when it goes out in the project's time zone, the exact text with its counter, the
images with their alt text, and every Problem. The comment carries a marker so the workflow
updates the same comment instead of adding a new one on every push.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from cmpub.errors import Problem, Severity
from cmpub.platforms import RULES

MARKER = "<!-- cmpub-review -->"
_NAMES = {cid: rules.name for cid, rules in RULES.items()}


def load_manifest(path: Path | None) -> dict[str, Any] | None:
    """A manifest from disk, or None when it is absent or unreadable (a base with no build)."""
    if path is None or not path.is_file():
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def _signature(variant: dict[str, Any]) -> Any:
    """What a reviewer cares about in a variant (image files differ between full and text builds)."""
    return (
        variant.get("status"),
        variant.get("publish_at", {}).get("utc"),
        [p.get("text") for p in variant.get("parts", [])],
        variant.get("cw"),
        variant.get("poll"),
        [(i.get("source"), i.get("alt")) for i in variant.get("image_sources", [])],
    )


def _by_key(manifest: dict[str, Any] | None) -> dict[tuple[str, str], dict[str, Any]]:
    if not manifest:
        return {}
    return {(v["post"], v["channel"]): v for v in manifest.get("variants", [])}


def changes(
    head: dict[str, Any] | None, base: dict[str, Any] | None
) -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[dict[str, Any]]]:
    """(new, changed, removed) variants between the base and the head manifests."""
    new_v, old_v = _by_key(head), _by_key(base)
    added = [v for k, v in new_v.items() if k not in old_v]
    changed = [v for k, v in new_v.items() if k in old_v and _signature(v) != _signature(old_v[k])]
    removed = [v for k, v in old_v.items() if k not in new_v]
    order = lambda v: (v.get("publish_at", {}).get("utc", ""), v["post"], v["channel"])  # noqa: E731
    return sorted(added, key=order), sorted(changed, key=order), sorted(removed, key=order)


def _when(variant: dict[str, Any], zone: str) -> str:
    utc = variant.get("publish_at", {}).get("utc")
    if not utc:
        return "?"
    when = datetime.fromisoformat(utc.replace("Z", "+00:00")).astimezone(ZoneInfo(zone))
    return when.strftime("%a %d %b %Y %H:%M")


def _counter(variant: dict[str, Any]) -> str:
    cells = []
    for part in variant.get("parts", []):
        worst = "✅"
        for m in part.get("measures", []):
            if m.get("limit") is not None and m["length"] > m["limit"]:
                worst = "❌"
        limit = part.get("limit")
        cells.append(f"{part['length']}/{limit} {worst}" if limit else f"{part['length']}")
    return " · ".join(cells) or "—"


def _details(
    variant: dict[str, Any], artifact_url: str | None, sheets: dict[str, str] | None = None
) -> list[str]:
    name = _NAMES.get(variant["channel"], variant["channel"])
    out = [f"<details><summary>{_escape(variant.get('title', ''))} — {name}</summary>", ""]
    parts = variant.get("parts", [])
    for i, part in enumerate(parts, start=1):
        if len(parts) > 1:
            out.append(
                f"Part {i}/{len(parts)} ({part['length']}/{part.get('limit')} {part.get('unit')}):"
            )
        out += ["```text", part.get("text", "").replace("```", "ʼʼʼ"), "```"]
    if variant.get("cw"):
        out.append(f"Content warning: {_escape(variant['cw'])}")
    if variant.get("poll"):
        poll = variant["poll"]
        out.append(
            f"Poll: {_escape(poll['question'])} — "
            + " / ".join(_escape(o) for o in poll["options"])
        )
    for image in variant.get("images", []):
        size = f"{image['width']}×{image['height']}, {image['bytes'] / 1000:.0f} kB"
        out.append(f"- 🖼 `{image['file']}` ({size}) — alt: {_escape(image['alt'])}")
    if variant.get("images") and artifact_url:
        out.append(f"  ([download the images]({artifact_url}))")
    sheet = (sheets or {}).get(variant["post"])
    if variant.get("images") and sheet:
        where = f"[the build]({artifact_url})" if artifact_url else "the build"
        out.append(f"- 🗂 Contact sheet, every network's image side by side: `{sheet}` in {where}")
    out += ["", "</details>", ""]
    return out


def _escape(text: str) -> str:
    return text.replace("|", "\\|").replace("<", "&lt;").replace(">", "&gt;")


def render_review(
    head: dict[str, Any] | None,
    base: dict[str, Any] | None,
    problems: list[Problem],
    timezone: str,
    artifact_url: str | None = None,
) -> str:
    """The Markdown body of the pull-request comment."""
    added, changed, removed = changes(head, base)
    errors = [p for p in problems if p.severity is Severity.ERROR]
    warnings = [p for p in problems if p.severity is Severity.WARNING]
    lines = [MARKER, "## cmpub: what this pull request changes in the plan", ""]
    if errors:
        lines.append(
            f"❌ **{len(errors)} error(s)** must be fixed before merging "
            "(they are also marked on the changed lines):"
        )
    elif warnings:
        lines.append(f"⚠️ No error, {len(warnings)} warning(s):")
    else:
        lines.append("✅ Every post passes every channel's rules.")
    for p in [*errors, *warnings][:50]:
        where = f"{p.path}:{p.line}" if p.line > 0 else p.path
        hint = f" — {_escape(p.hint)}" if p.hint else ""
        lines.append(f"- `{where}` {p.severity}: {_escape(p.message)}{hint}")
    if len(errors) + len(warnings) > 50:
        lines.append(f"- … and {len(errors) + len(warnings) - 50} more (see the annotations)")
    lines.append("")
    if head is None:
        lines.append("The build did not complete, so the plan cannot be shown yet.")
        return "\n".join(lines) + "\n"
    for title, group in (("New", added), ("Changed", changed)):
        if not group:
            continue
        lines += [
            f"### {title} ({len(group)})",
            "",
            f"| when ({timezone}) | post | channel | length / limit | images | status |",
            "|---|---|---|---|---|---|",
        ]
        for v in group:
            lines.append(
                f"| {_when(v, timezone)} | {_escape(v.get('title', v['post']))} | "
                f"{_NAMES.get(v['channel'], v['channel'])} | {_counter(v)} | "
                f"{len(v.get('images', []))} | {v.get('status', '')} |"
            )
        lines.append("")
        sheets = dict(head.get("contact_sheets") or {})
        for v in group:  # the contact sheet is linked once per post, at its first variant
            lines += _details(v, artifact_url, {v["post"]: sheets.pop(v["post"], "")})
    if removed:
        lines += [f"### Removed ({len(removed)})", ""]
        for v in removed:
            lines.append(
                f"- {_escape(v.get('title', v['post']))} — "
                f"{_NAMES.get(v['channel'], v['channel'])}, was {_when(v, timezone)}"
            )
        lines.append("")
    if not (added or changed or removed):
        lines += ["No post changes what goes out.", ""]
    if artifact_url:
        lines.append(f"📦 [The whole build: site, images, manifest]({artifact_url})")
    return "\n".join(lines) + "\n"
