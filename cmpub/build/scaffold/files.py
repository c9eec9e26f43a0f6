"""The text files of a new project, from commented templates filled with serialised values.

The templates in ``cmpub/build/scaffold/project/files/`` keep the comments a newcomer needs; every value that
comes from the user (the brand's name, the channels, the time zone, the cmpub requirement)
enters them through a serialiser: a YAML scalar from PyYAML's emitter for ``cmpub.yaml`` and
the first post's front matter (so ``Le "Zinc"``, ``a: b`` or ``- x`` stay the same string),
Markdown with its punctuation escaped for the README and the article.
"""

from __future__ import annotations

import re
from pathlib import Path
from string import Template
from typing import Any

import yaml

FILES = Path(__file__).resolve().parent / "project" / "files"

#: Placeholder settings per channel, (key, value, comment): valid, obviously to be replaced.
#: ``{slug}`` and ``{name}`` are the brand's.
_ACCOUNTS: dict[str, tuple[tuple[str, Any, str], ...]] = {
    "bluesky": (("handle", "{slug}.bsky.social", "your Bluesky handle"),),
    "mastodon": (
        ("handle", "@{slug}@mastodon.social", "your full Mastodon handle"),
        ("instance", "https://mastodon.social", ""),
        ("max_characters", 500, "your instance's limit (Preferences → About)"),
    ),
    "x": (("handle", "@{slug}", ""),),
    "threads": (("handle", "{slug}", ""),),
    "linkedin": (("name", "{name}", ""),),
    "facebook": (("name", "{name}", ""),),
    "instagram": (("handle", "{slug}", ""),),
    "webhook": (("url", "https://hooks.example.com/cmpub", "where to POST each publication"),),
}

#: What YAML (and ``str.splitlines``) read as the end of a line.
_BREAKS = "\n\r\x85\u2028\u2029"
#: The punctuation Python-Markdown reads as syntax and lets a backslash escape (its
#: ``ESCAPED_CHARS``); cmpub turns raw HTML off, so ``<`` needs nothing.
_MARKDOWN = re.compile(r"([\\`*_{}\[\]()>#+\-.!])")


def scalar(value: Any, in_flow: bool = False) -> str:
    """One value as a YAML scalar, on one line, that reads back as exactly that value.

    PyYAML's emitter picks the style: plain when safe (``in_flow``: also inside ``[...]``),
    quoted when the text would read as something else (``yes``, ``1.0``, ``a: b``, ``#x``).
    Anything else (line breaks, characters YAML cannot hold raw) is double-quoted and escaped.
    """
    if in_flow:
        out = yaml.safe_dump([value], default_flow_style=True, allow_unicode=True, width=2**30)
        text = out.strip()[1:-1]
    else:
        text = yaml.safe_dump({"k": value}, allow_unicode=True, width=2**30)[3:-1]
    if any(c in text for c in _BREAKS) or yaml.safe_load(
        f"[{text}]" if in_flow else f"k: {text}"
    ) != ([value] if in_flow else {"k": value}):
        out = yaml.safe_dump(value, default_style='"', allow_unicode=True, width=2**30)
        text = out.strip().removesuffix("...").strip()
    return text


def flow(values: list[Any]) -> str:
    """A YAML flow sequence (``[site, bluesky]``)."""
    return "[" + ", ".join(scalar(v, in_flow=True) for v in values) + "]"


def markdown(text: str) -> str:
    """Text that Markdown shows as written (no emphasis, link or heading from a name)."""
    return _MARKDOWN.sub(r"\\\1", text)


def fill(template: str, **values: str) -> str:
    """A template of ``cmpub/build/scaffold/project/files/`` with its ``$placeholders`` filled."""
    return Template((FILES / template).read_text(encoding="utf-8")).substitute(values)


def config(name: str, slug: str, timezone: str, channels: list[str]) -> str:
    """``cmpub.yaml``: the site, the brand, the zone and a placeholder account per channel."""
    return fill(
        "cmpub.yaml",
        title=scalar(name),
        url=scalar(f"https://{slug}.github.io"),
        description=scalar(f"News from {name}."),
        name=scalar(name),
        timezone=scalar(timezone),
        channels=flow(channels),
        accounts="\n".join(_account(c, name, slug) for c in channels),
    )


def _account(channel: str, name: str, slug: str) -> str:
    settings = _ACCOUNTS.get(channel, ())
    if not settings:
        return f"  {channel}: {{}}"
    lines = [f"  {channel}:"]
    for key, value, comment in settings:
        if isinstance(value, str):
            value = value.format(slug=slug, name=name)
        line = f"    {key}: {scalar(value)}"
        lines.append(f"{line}  # {comment}" if comment else line)
    return "\n".join(lines)


def welcome(name: str, date: str, channels: list[str]) -> str:
    """The first post's ``index.md``."""
    return fill(
        "welcome.md",
        title=scalar(f"Hello from {name}"),
        date=date,
        channels=flow(channels),
        alt=scalar(f"The words Hello from {name} in white on a blue background"),
        name=markdown(name),
    )


def readme(name: str, social: list[str]) -> str:
    """The project's README for editors."""
    return fill("README.md", name=markdown(name), channels=", ".join(social) or "your site")


def requirements(requirement: str) -> str:
    """``requirements.txt``: the one place that says which cmpub the project installs."""
    return fill("requirements.txt", requirement=requirement)
