"""Read ``cmpub.yaml`` through a declarative schema into a checked :class:`~cmpub.model.project.Config`.

Every unknown key, wrong type and bad value is a Problem at ``cmpub.yaml:line:col`` with the fix;
all of them are reported at once (``ConfigError`` carries the list).
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

from cmpub.model.errors import ConfigError, Problem, error
from cmpub.model.project import Brand, Cadence, Channel, Config, Deploy, Person, Site, Utm
from cmpub.model.schema import (
    INVALID,
    Any_,
    Bool,
    Clock,
    Color,
    Context,
    Duration,
    Int,
    List,
    Map,
    Str,
    Url,
    Zone,
    did_you_mean,
)
from cmpub.model.yamldoc import YamlError, load
from cmpub.platforms import CHANNELS, RULES, Limit, guess_channel
from cmpub.read.textfile import read_text

FILENAME = "cmpub.yaml"

_HANDLE = Str(expected="the account's handle", example="handle: brand.bsky.social")
_PROFILE = Url()

#: Settings each channel accepts in ``channels:`` (beyond ``url``, its public profile page).
CHANNEL_FIELDS: dict[str, dict[str, Any]] = {
    "site": {},
    "outbox": {},
    "bluesky": {
        "handle": Str(required=True, example="handle: brand.bsky.social"),
        "service": Url(default="https://bsky.social"),
        "image_max_bytes": Int(min=10_000, max=5_242_880),
    },
    "mastodon": {
        "handle": Str(
            required=True,
            pattern=r"@?[A-Za-z0-9_]+(?:[.-]+[A-Za-z0-9_]+)*@[^\s@]+\.[^\s@]+",
            expected="a full handle like '@brand@mastodon.social'",
            example='handle: "@brand@mastodon.social"',
        ),
        "instance": Url(required=True),
        "max_characters": Int(min=1, default=500),
        "description_limit": Int(min=1),
        "visibility": Str(choices=("public", "unlisted", "private", "direct")),
        "schedule": Str(choices=("native", "deploy")),
    },
    "x": {"handle": _HANDLE},
    "threads": {"handle": _HANDLE},
    "linkedin": {
        "name": Str(),
        "organization": Str(
            pattern=r"urn:li:(organization|person):\d+",
            expected="a URN like 'urn:li:organization:123'",
        ),
    },
    "facebook": {"name": Str(), "page_id": Str(pattern=r"\d+", expected="the numeric Page id")},
    "instagram": {
        "handle": _HANDLE,
        "user_id": Str(pattern=r"\d+", expected="the numeric IG user id"),
    },
    "webhook": {"url": Url(required=True)},
}

_CADENCE = Map(
    {
        "max_gap_days": Int(min=1),
        "max_per_day": Int(min=1),
        "min_gap_minutes": Int(min=0),
    }
)


def _channel_key_error(key: str) -> str | None:
    if key in CHANNELS:
        return None
    guess = guess_channel(key)
    hint = f"did you mean '{guess}'?" if guess else f"known channels: {', '.join(CHANNELS)}"
    return f"unknown channel '{key}' ({hint})"


def _person_key_error(key: str) -> str | None:
    if re.fullmatch(r"[a-z0-9][a-z0-9_-]*", key):
        return None
    return (
        f"'{key}' cannot name a person: use lowercase letters, digits, '-' or '_' (like chez-mado)"
    )


def _cadence_key_error(key: str) -> str | None:
    if key in CHANNELS or key == "default":
        return None
    return f"unknown cadence key '{key}' (a channel id, 'default' or 'quiet_hours')"


SCHEMA = Map(
    {
        "site": Map(
            {
                "title": Str(required=True),
                "url": Url(required=True),
                "language": Str(
                    default="en",
                    pattern=r"[a-z]{2,3}(-[A-Za-z0-9]+)*",
                    expected="a language code like 'fr' or 'en-GB'",
                ),
                "description": Str(default=""),
                "author": Str(default=""),
            },
            required=True,
        ),
        "brand": Map(
            {
                "name": Str(),
                "logo": Str(),
                "font": Str(),
                "colors": Map(
                    {
                        "primary": Color(),
                        "accent": Color(),
                        "text": Color(),
                        "background": Color(),
                    }
                ),
                "cta": Map(
                    {
                        "position": Str(choices=("top", "bottom"), default="bottom"),
                        "text": Str(),
                    }
                ),
                # On the images: the banner (the post's call-to-action), the logo, the fit.
                "banner": Str(choices=("auto", "always", "never"), default="auto"),
                "logo_on_images": Str(choices=("auto", "always", "never"), default="auto"),
                "fit": Str(choices=("auto", "cover", "contain"), default="auto"),
            }
        ),
        "timezone": Zone(required=True),
        "defaults": Map(
            {
                "channels": List(Str(), unique=True),
                "time": Clock(default="09:00"),
                "language": Str(
                    pattern=r"[a-z]{2,3}(-[A-Za-z0-9]+)*", expected="a language code like 'fr'"
                ),
            }
        ),
        "channels": Map({}, required=True, extra=Any_(), extra_keys=_channel_key_error),
        "utm": Map(
            {
                "source": Str(default="{channel}"),
                "medium": Str(default="social"),
                "campaign": Str(default="{post}"),
                "domains": List(Str(), default=[]),
            }
        ),
        "cadence": Map(
            {"quiet_hours": List(Clock(), min=2, max=2)},
            extra=_CADENCE,
            extra_keys=_cadence_key_error,
        ),
        "deploy": Map(
            {
                "catch_up": Duration(default=6 * 3600),
                "ledger": Str(default="ledger"),
                "push": Bool(default=True),
                "branch": Str(
                    pattern=r"(?!-)(?!.*\.\.)[^\s~^:?*\[\\]+(?<![./])",
                    example="'main'",
                    expected="a branch name like 'main'",
                ),
            }
        ),
        "people": Map(
            {},
            extra=Map(
                {
                    "name": Str(required=True),
                    **{
                        cid: Str(
                            pattern=r"@?[^\s@]+(?:@[^\s@]+)?", expected="a handle like '@someone'"
                        )
                        for cid in (
                            "bluesky",
                            "mastodon",
                            "x",
                            "threads",
                            "linkedin",
                            "facebook",
                            "instagram",
                        )
                    },
                }
            ),
            extra_keys=_person_key_error,
        ),
        "content_dir": Str(default="content"),
        "assets_dir": Str(default="assets"),
    }
)


def load_config(root: Path) -> Config:
    """Read and check ``root/cmpub.yaml``; raise :class:`ConfigError` with every Problem."""
    path = root / FILENAME
    if not path.is_file():
        raise ConfigError(
            f"no {FILENAME} in {root}",
            [
                error(
                    FILENAME,
                    0,
                    0,
                    "config.missing",
                    f"no {FILENAME} in {root}",
                    "run cmpub in a content project, or create one with 'cmpub init'",
                )
            ],
        )
    if not path.resolve().is_relative_to(root.resolve()):
        raise ConfigError(
            f"{FILENAME} is a link to a file outside the project",
            [
                error(
                    FILENAME,
                    0,
                    0,
                    "config.outside",
                    f"{FILENAME} is a link to a file outside the project ({path.resolve()})",
                    "copy the file into the project instead of linking to it",
                )
            ],
        )
    text, problems = read_text(path, FILENAME)
    if text is None:
        raise ConfigError(f"cannot read {FILENAME}", problems)
    try:
        doc = load(text)
    except YamlError as exc:
        raise ConfigError(
            f"{FILENAME} is not valid YAML",
            [*problems, error(FILENAME, exc.line, exc.col, exc.code, exc.message, exc.hint)],
        ) from None
    ctx = Context(FILENAME, doc, problems)
    if not isinstance(doc.data, dict):
        ctx.report(
            (),
            "config.shape",
            f"{FILENAME} must be a mapping of 'key: value' lines",
            "start with 'site:', 'timezone:' and 'channels:'",
        )
        raise ConfigError(f"{FILENAME} is invalid", ctx.problems)
    data = SCHEMA.convert(doc.data, (), ctx)
    channels = _channels(doc.data.get("channels"), ctx)
    defaults = doc.data.get("defaults")
    if isinstance(defaults, dict) and isinstance(defaults.get("channels"), list):
        raw = doc.data.get("channels")
        _check_defaults(defaults["channels"], raw if isinstance(raw, dict) else {}, ctx)
    if data is not INVALID:
        _check_brand_files(root, data["brand"], ctx)
        _check_folders(root, data, ctx)
        brand = data["brand"]
        if brand.get("banner") == "always" and not (brand.get("cta") or {}).get("text"):
            ctx.report(
                ("brand", "banner"),
                "config.brand-banner",
                "'brand.banner' is 'always' but 'brand.cta.text' is not set: a post with no "
                "call-to-action of its own would get a banner with no words",
                "add 'text: ...' under 'brand: cta:', or set 'banner: auto'",
            )
    errors = [p for p in ctx.problems if p.severity == "error"]
    if errors or data is INVALID or channels is None:
        raise ConfigError(f"{FILENAME} has {len(errors)} error(s)", ctx.problems)
    return _build(root, data, channels)


def _channels(raw: Any, ctx: Context) -> dict[str, Channel] | None:
    """Check each configured channel's own settings (its fields depend on the channel)."""
    if not isinstance(raw, dict):
        return None
    out: dict[str, Channel] = {}
    ok = True
    for cid, settings in raw.items():
        if cid not in CHANNEL_FIELDS:
            ok = False  # already reported by the schema
            continue
        spec = Map({**CHANNEL_FIELDS[cid], "url": _PROFILE})
        got = spec.convert(settings, ("channels", cid), ctx)
        if got is INVALID:
            ok = False
            continue
        out[cid] = Channel(cid, {k: v for k, v in got.items() if v is not None})
    return out if ok else None


def _check_defaults(names: list[Any], channels: dict[str, Any], ctx: Context) -> None:
    for i, cid in enumerate(names):
        if not isinstance(cid, str):
            continue
        if cid not in CHANNELS:
            ctx.report(
                ("defaults", "channels", i),
                "config.channel",
                f"unknown channel '{cid}'",
                did_you_mean(cid, CHANNELS),
            )
        elif cid not in channels:
            ctx.report(
                ("defaults", "channels", i),
                "config.channel",
                f"default channel '{cid}' is not configured under 'channels:'",
                f"add '{cid}:' under 'channels:' or remove it here",
            )


def _outside(root: Path, rel: str) -> str:
    """How ``rel`` leaves the project ('' when it stays inside, links resolved)."""
    if Path(rel).is_absolute() or rel.startswith("~"):
        return "is outside the project"
    here = root.resolve()
    if not Path(os.path.normpath(here / rel)).is_relative_to(here):
        return "is outside the project"
    if not (root / rel).resolve().is_relative_to(here):
        return "is a link to a place outside the project"
    return ""


def _check_folders(root: Path, data: dict[str, Any], ctx: Context) -> None:
    """``content_dir``, ``assets_dir`` and ``deploy.ledger`` must be folders of the project."""
    for where, rel in (
        (("content_dir",), data["content_dir"]),
        (("assets_dir",), data["assets_dir"]),
        (("deploy", "ledger"), data["deploy"]["ledger"]),
    ):
        how = _outside(root, rel) if isinstance(rel, str) else ""
        if how:
            ctx.report(
                where,
                "config.outside",
                f"'{rel}' {how}",
                "cmpub reads and writes only inside the project: name a folder in it",
            )


def _check_brand_files(root: Path, brand: dict[str, Any], ctx: Context) -> None:
    """The logo and the font must be files inside the project (the build draws with them)."""
    for key, what in (("logo", "image"), ("font", "TrueType or OpenType font")):
        rel = brand.get(key)
        if not rel:
            continue
        path = (root / rel).resolve()
        how = _outside(root, rel)
        if how:
            ctx.report(
                ("brand", key),
                "config.brand-file",
                f"brand {key} '{rel}' {how}",
                "copy it into assets/ and point at it there",
            )
        elif not path.is_file():
            ctx.report(
                ("brand", key),
                "config.brand-file",
                f"brand {key} '{rel}' not found",
                f"put the {what} at that path, or fix the path",
            )


def _build(root: Path, data: dict[str, Any], channels: dict[str, Channel]) -> Config:
    site, brand, cad = data["site"], data["brand"], data["cadence"]
    utm, deploy, defaults = data["utm"], data["deploy"], data["defaults"]
    cadence = {
        key: Cadence(**value) for key, value in cad.items() if key != "quiet_hours" and value
    }
    quiet = cad.get("quiet_hours")
    return Config(
        root=root,
        site=Site(
            title=site["title"],
            url=site["url"].rstrip("/"),
            language=site["language"],
            description=site["description"],
            author=site["author"],
        ),
        brand=Brand(
            name=brand.get("name") or site["title"],
            logo=brand.get("logo"),
            font=brand.get("font"),
            colors={k: v for k, v in brand["colors"].items() if v},
            cta_position=brand["cta"].get("position") or "bottom",
            cta_text=brand["cta"].get("text"),
            banner=brand["banner"],
            logo_on_images=brand["logo_on_images"],
            fit=brand["fit"],
        ),
        timezone=data["timezone"],
        channels=channels,
        default_channels=tuple(defaults.get("channels") or channels),
        default_time=defaults["time"],
        default_language=defaults.get("language") or site["language"],
        utm=Utm(utm["source"], utm["medium"], utm["campaign"], tuple(utm["domains"])),
        cadence=cadence,
        quiet_hours=(quiet[0], quiet[1]) if quiet else None,
        deploy=Deploy(deploy["catch_up"], deploy["ledger"], deploy["push"], deploy.get("branch")),
        people={
            key: Person(key, value["name"], {c: h for c, h in value.items() if c != "name" and h})
            for key, value in data["people"].items()
        },
        content_dir=data["content_dir"],
        assets_dir=data["assets_dir"],
    )


def channel_rules(config: Config, channel: str) -> Any:
    """The platform rules of a channel with the limits ``cmpub.yaml`` sets (Mastodon instance)."""
    rules = RULES[channel]
    ch = config.channels.get(channel)
    if ch is None:
        return rules
    if channel == "mastodon":
        changes: dict[str, Any] = {
            "max_length": Limit(ch.get("max_characters", 500), "cmpub.yaml channels.mastodon")
        }
        if ch.get("description_limit"):
            changes["alt_max"] = Limit(ch.get("description_limit"), "cmpub.yaml channels.mastodon")
        return rules.configured(**changes)
    if channel == "bluesky" and ch.get("image_max_bytes"):
        return rules.configured(
            image_max_bytes=Limit(ch.get("image_max_bytes"), "cmpub.yaml channels.bluesky")
        )
    return rules


__all__ = ["FILENAME", "Problem", "channel_rules", "load_config"]
