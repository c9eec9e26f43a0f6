"""The content model: a project's configuration and its posts, as frozen dataclasses.

Everything here is immutable data built by ``config`` and ``content`` after checking. Positions
(``Source``) travel with the data so that any later stage (render, build, deploy) can still point
a Problem at the exact ``path:line`` of the field it comes from.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from cmpub.model.ids import slug
from cmpub.model.yamldoc import Path as KeyPath

# --------------------------------------------------------------------------- configuration


@dataclass(frozen=True)
class Site:
    """The brand's own site: its address and the words that describe it."""

    title: str
    url: str
    language: str = "en"
    description: str = ""
    author: str = ""


@dataclass(frozen=True)
class Brand:
    """The visual identity applied to images: logo, font, colours, call-to-action banner."""

    name: str
    logo: str | None = None
    font: str | None = None
    colors: dict[str, str] = field(default_factory=dict)
    cta_position: str = "bottom"
    cta_text: str | None = None
    banner: str = "auto"  # auto: the post's own call-to-action | always: else cta_text | never
    logo_on_images: str = "auto"  # auto: not where the picture carries it | always | never
    fit: str = "auto"  # auto | cover | contain: how pictures fill the networks' sizes


@dataclass(frozen=True)
class Channel:
    """One configured channel and its account settings (handle, instance, limits read once)."""

    id: str
    settings: dict[str, Any] = field(default_factory=dict)

    def get(self, key: str, default: Any = None) -> Any:
        """A setting of this channel, or ``default``."""
        value = self.settings.get(key)
        return default if value is None else value


@dataclass(frozen=True)
class Cadence:
    """Regular-presence targets for one channel (None: no target)."""

    max_gap_days: int | None = None
    max_per_day: int | None = None
    min_gap_minutes: int | None = None


@dataclass(frozen=True)
class Utm:
    """UTM parameters added to the links of social copies; ``{channel}``/``{post}`` are filled."""

    source: str = "{channel}"
    medium: str = "social"
    campaign: str = "{post}"
    domains: tuple[str, ...] = ()


@dataclass(frozen=True)
class Deploy:
    """How ``cmpub deploy`` runs: catch-up window, ledger folder, whether it pushes, and the
    branch the ledger is kept on (None: the remote's default branch, else ``main``)."""

    catch_up_seconds: int = 6 * 3600
    ledger: str = "ledger"
    push: bool = True
    branch: str | None = None


@dataclass(frozen=True)
class Person:
    """Someone posts mention (a partner, a customer): a name and a handle per network.

    ``@{key}`` in a post becomes the handle on each network that has one, the name elsewhere.
    """

    key: str
    name: str
    handles: dict[str, str] = field(default_factory=dict)

    def on(self, channel: str) -> str:
        """How this person is written on ``channel``: '@handle', or the plain name."""
        handle = self.handles.get(channel)
        if not handle:
            return self.name
        return handle if handle.startswith("@") else "@" + handle


@dataclass(frozen=True)
class Config:
    """A checked ``cmpub.yaml``. ``root`` is the project folder it was read from."""

    root: Path
    site: Site
    brand: Brand
    timezone: str
    channels: dict[str, Channel]
    default_channels: tuple[str, ...]
    default_time: str = "09:00"
    default_language: str = "en"
    utm: Utm = field(default_factory=Utm)
    cadence: dict[str, Cadence] = field(default_factory=dict)
    quiet_hours: tuple[str, str] | None = None
    deploy: Deploy = field(default_factory=Deploy)
    people: dict[str, Person] = field(default_factory=dict)
    content_dir: str = "content"
    assets_dir: str = "assets"

    def cadence_for(self, channel: str) -> Cadence:
        """The cadence targets of a channel: its own, else the project default."""
        own = self.cadence.get(channel)
        base = self.cadence.get("default", Cadence())
        if own is None:
            return base
        return Cadence(
            own.max_gap_days if own.max_gap_days is not None else base.max_gap_days,
            own.max_per_day if own.max_per_day is not None else base.max_per_day,
            own.min_gap_minutes if own.min_gap_minutes is not None else base.min_gap_minutes,
        )


# --------------------------------------------------------------------------- posts


@dataclass(frozen=True)
class Source:
    """Where a post comes from: its file (relative, POSIX) and the line of each front-matter key."""

    path: str
    marks: dict[KeyPath, tuple[int, int]] = field(default_factory=dict, compare=False)
    body_line: int = 1

    def at(self, *key: str | int) -> tuple[int, int]:
        """(line, col) of a key path, falling back to its nearest written ancestor."""
        path: KeyPath = tuple(key)
        while path and path not in self.marks:
            path = path[:-1]
        return self.marks.get(path, (1, 1))


@dataclass(frozen=True)
class Image:
    """An image of a post: the file (relative to the project root), its alt text, how to show it.

    ``focus`` None lets cmpub find the subject; ``banner`` None means "the post's call-to-action
    on the first image", False none, True the call-to-action on this one, text those words;
    ``logo`` None means the brand default; ``fit`` and ``aspect`` None likewise.
    """

    src: str
    alt: str
    focus: tuple[float, float] | None = None
    file: str = ""  # resolved, relative to the project root (POSIX)
    width: int = 0
    height: int = 0
    format: str = ""
    bytes: int = 0
    banner: bool | str | None = None
    logo: bool | None = None
    fit: str | None = None  # auto | cover | contain
    aspect: str | None = None  # "1:1", "4:5", ...


@dataclass(frozen=True)
class Cta:
    """A call-to-action: the words and the link (UTM parameters are added per channel)."""

    text: str
    url: str


@dataclass(frozen=True)
class Poll:
    """A poll: question, 2+ options, how long it stays open (seconds)."""

    question: str
    options: tuple[str, ...]
    duration: int
    results: bool = False


@dataclass(frozen=True)
class Fields:
    """The fields a channel override can change; None in an override means "as the post"."""

    title: str
    summary: str | None
    body: str
    cta: Cta | None
    images: tuple[Image, ...]
    tags: tuple[str, ...]
    poll: Poll | None
    thread: bool
    cw: str | None


@dataclass(frozen=True)
class Post:
    """A checked post: when it goes out, where, with what; ``variant(ch)`` applies overrides."""

    id: str
    source: Source
    date: datetime  # aware, in the post's zone
    timezone: str
    channels: tuple[str, ...]
    status: str
    lang: str
    fields: Fields
    overrides: dict[str, dict[str, Any]] = field(default_factory=dict)
    reshare: tuple[int, ...] = ()

    @property
    def title(self) -> str:
        """The post's title (site article heading, link cards)."""
        return self.fields.title

    @property
    def slug(self) -> str:
        """The address of the post's page on the site, from its id (:func:`cmpub.model.ids.slug`)."""
        return slug(self.id)

    def variant(self, channel: str) -> Fields:
        """The post's fields as ``channel`` gets them (its override applied on top)."""
        over = self.overrides.get(channel)
        if not over:
            return self.fields
        base = self.fields
        return Fields(**{name: over.get(name, getattr(base, name)) for name in FIELD_NAMES})


FIELD_NAMES = ("title", "summary", "body", "cta", "images", "tags", "poll", "thread", "cw")
