"""The pull-request review: what a change does to the publishing plan, as one Markdown comment.

Compares the manifest built from the pull request with the one built from its base branch,
variant by variant (post, channel): new, changed (text, time, images, poll, status) and removed,
each with when it goes out in the project's time zone, the exact text with its counter, the
images with their alt text, and every Problem. The comment carries a marker so the workflow
updates the same comment instead of adding a new one on every push.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from cmpub.model.errors import Problem, Severity, UsageError
from cmpub.platforms import RULES

MARKER = "<!-- cmpub-review -->"
_NAMES = {cid: rules.name for cid, rules in RULES.items()}


def load_manifest(path: Path | None, option: str = "--manifest") -> dict[str, Any] | None:
    """A manifest from disk, or None when there is none (a base branch with no build).

    A file that is there but is not a cmpub manifest (not JSON, another shape, missing keys)
    is a UsageError naming the file and ``option``: a review of it would be wrong.
    """
    if path is None or not path.is_file():
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        why = exc.strerror if isinstance(exc, OSError) else "it is not JSON"
        raise UsageError(f"{option} '{path}' cannot be read: {why} ({_REBUILD})") from None
    problem = _shape(data)
    if problem:
        raise UsageError(f"{option} '{path}' is not a cmpub manifest: {problem} ({_REBUILD})")
    return data


_REBUILD = "give the manifest.json that 'cmpub build' wrote in dist/"
#: What review reads of each variant, and the type it must have.
_FIELDS: dict[str, type | tuple[type, ...]] = {
    "post": str,
    "channel": str,
    "title": str,
    "status": str,
    "publish_at": dict,
    "parts": list,
    "images": list,
    "image_sources": list,
    "cw": (str, type(None)),
    "poll": (dict, type(None)),
}


def _shape(data: Any) -> str | None:
    """Why ``data`` is not a manifest review can read, or None."""
    if not isinstance(data, dict) or not isinstance(data.get("variants"), list):
        return "it has no 'variants' list"
    for i, v in enumerate(data["variants"]):
        where = f"variants[{i}]"
        if not isinstance(v, dict):
            return f"{where} is not an object"
        for key, kind in _FIELDS.items():
            if key in ("post", "channel") and key not in v:
                return f"{where} has no '{key}'"
            if key in v and not isinstance(v[key], kind):
                return f"{where}.{key} has the wrong type"
        utc = v.get("publish_at", {}).get("utc")
        if utc is not None:
            try:
                datetime.fromisoformat(str(utc).replace("Z", "+00:00")).astimezone(UTC)
            except ValueError:
                return f"{where}.publish_at.utc is not a date and time"
        for j, part in enumerate(v.get("parts", [])):
            if not isinstance(part, dict) or not isinstance(part.get("length"), int):
                return f"{where}.parts[{j}] has no 'length' number"
            if not isinstance(part.get("measures", []), list) or not all(
                isinstance(m, dict) and isinstance(m.get("length"), int)
                for m in part.get("measures", [])
            ):
                return f"{where}.parts[{j}].measures is malformed"
        for j, image in enumerate(v.get("images", [])):
            if not isinstance(image, dict) or not all(
                isinstance(image.get(k), int) for k in ("width", "height", "bytes")
            ):
                return f"{where}.images[{j}] has no width, height and bytes"
        poll = v.get("poll")
        if poll is not None and not isinstance(poll.get("options"), list):
            return f"{where}.poll has no 'options' list"
    return None


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
            if isinstance(m.get("limit"), int) and m["length"] > m["limit"]:
                worst = "❌"
        limit = _escape(part.get("limit") or "")
        cells.append(f"{part['length']}/{limit} {worst}" if limit else f"{part['length']}")
    return " · ".join(cells) or "—"


def _details(
    variant: dict[str, Any], artifact_url: str | None, sheets: dict[str, str] | None = None
) -> list[str]:
    name = _escape(_NAMES.get(variant["channel"], variant["channel"]))
    out = [f"<details><summary>{_escape(variant.get('title', ''))} — {name}</summary>", ""]
    parts = variant.get("parts", [])
    for i, part in enumerate(parts, start=1):
        if len(parts) > 1:
            out.append(
                f"Part {i}/{len(parts)} ({part['length']}/{_escape(part.get('limit'))}"
                f" {_escape(part.get('unit'))}):"
            )
        text = _CONTROLS.sub(
            lambda m: m.group() if m.group() in "\n\t" else "?", str(part.get("text", ""))
        )
        out += ["```text", text.replace("```", "ʼʼʼ"), "```"]
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
        out.append(
            f"- 🖼 {_code(image.get('file', ''))} ({size}) — alt: {_escape(image.get('alt', ''))}"
        )
    if variant.get("images") and artifact_url:
        out.append(f"  ([download the images]({artifact_url}))")
    sheet = (sheets or {}).get(variant["post"])
    if variant.get("images") and sheet:
        where = f"[the build]({artifact_url})" if artifact_url else "the build"
        out.append(
            f"- 🗂 Contact sheet, every network's image side by side: {_code(sheet)} in {where}"
        )
    out += ["", "</details>", ""]
    return out


_MARKDOWN = re.compile(r"([\\`*_\[\]!|~])")  # mid-line, only these make markup
_CONTROLS = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def _escape(text: Any) -> str:
    """Any field, made inert for a GitHub comment: one line (no new table row, no heading),
    HTML as text (no <img>), every Markdown sign backslash-escaped (no ![image](url), no link,
    no emphasis), control characters as ``\\uXXXX``."""
    line = " ".join(str(text).split())
    line = _CONTROLS.sub(lambda m: f"\\u{ord(m.group()):04x}", line)
    line = line.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _MARKDOWN.sub(r"\\\1", line)


def _code(text: Any) -> str:
    """A field shown as code (a path, a file name): its backticks cannot end the span."""
    line = _CONTROLS.sub("?", " ".join(str(text).split())).replace("`", "ʼ")
    return f"`{line}`"


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
        lines.append(f"- {_code(where)} {p.severity}: {_escape(p.message)}{hint}")
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
                f"{_escape(_NAMES.get(v['channel'], v['channel']))} | {_counter(v)} | "
                f"{len(v.get('images', []))} | {_escape(v.get('status', ''))} |"
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
                f"{_escape(_NAMES.get(v['channel'], v['channel']))}, was {_when(v, timezone)}"
            )
        lines.append("")
    if not (added or changed or removed):
        lines += ["No post changes what goes out.", ""]
    if artifact_url:
        lines.append(f"📦 [The whole build: site, images, manifest]({artifact_url})")
    return "\n".join(lines) + "\n"
