"""What every publisher is: one class per network, one small interface, typed results.

Deploy hands a publisher one :class:`Item` (one part of one variant of the manifest) and gets
back a :class:`Receipt` (remote id and URL) or a :class:`PublishError` that says whether a retry
may help and, in words a community manager understands, why it failed. Before retrying an item
left ``pending`` by a crashed run, deploy asks :meth:`Publisher.lookup` whether it already went
out; a publisher that cannot know raises :class:`CannotKnow`, and the item becomes ``uncertain``.

Secrets come in through ``from_env(environ, ...)`` only (the CLI passes ``os.environ``), live in
:class:`Secret` values whose ``repr``/``str`` hide them, and are scrubbed from every message with
:func:`redact`.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, ClassVar, Protocol, runtime_checkable
from urllib.parse import quote, quote_plus

from cmpub.model.errors import CmpubError


class Secret:
    """A credential: usable with :meth:`reveal`, shown as ``'***'`` everywhere else."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        """The secret itself, for the one place that sends it (an HTTP header or body)."""
        return self._value

    def __repr__(self) -> str:
        return "Secret('***')"

    __str__ = __repr__

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(("Secret", self._value))

    def __reduce__(self) -> Any:  # never pickled into a cache or a ledger
        raise TypeError("a Secret cannot be pickled")


#: A piece of a secret this long is hidden wherever it appears (a server that cut its echo
#: of our request mid-secret); before an ellipsis (a text cut there), from 4 characters on.
_PIECE = 10
_TAIL_PIECE = 4


def secret_forms(value: str) -> list[str]:
    """The spellings a secret takes when a server echoes our request: as it is, URL-encoded
    (path, query, form), JSON-escaped and HTML-escaped; longest first."""
    forms = {
        value,
        quote(value, safe=""),
        quote(value),
        quote_plus(value),
        json.dumps(value)[1:-1],
        json.dumps(value, ensure_ascii=False)[1:-1],
        html.escape(value),
        html.escape(value, quote=False),
    }
    return sorted((f for f in forms if len(f) >= _TAIL_PIECE), key=lambda f: (-len(f), f))


def _hide(text: str, form: str) -> str:
    flags = re.IGNORECASE if "%" in form else 0  # %2f and %2F are one byte
    return re.sub(re.escape(form), "***", text, flags=flags)


def _hide_pieces(text: str, form: str) -> str:
    """A piece of the secret: its start or end cut off by a server (anywhere, from _PIECE
    characters; before an ellipsis, where a text was cut, from _TAIL_PIECE)."""
    for size in range(len(form) - 1, _TAIL_PIECE - 1, -1):
        head, tail = form[:size], form[-size:]
        if size >= _PIECE:
            text = text.replace(head, "***").replace(tail, "***")
            continue
        for cut in ("…", "...", "\\u2026"):
            text = text.replace(head + cut, "***" + cut)
    return text


def clip(text: str, limit: int) -> str:
    """``text`` at most ``limit`` characters before redaction (a bound on the work), ending with
    '…' when clipped so that :func:`redact` hides a piece of a secret left at the clip."""
    return text if len(text) <= limit else text[:limit] + "…"


def cut(text: str, limit: int) -> str:
    """``text`` at most ``limit`` characters, ending with '…' when shortened. Only ever call it
    on text already redacted (:func:`redact` with ``limit`` does both, in that order)."""
    if len(text) <= limit:
        return text
    return text[: max(limit - 1, 0)].rstrip() + "…"


def redact(text: str, secrets: Iterable[Secret | str], limit: int | None = None) -> str:
    """``text`` with every secret, in each of its spellings, replaced by ``***``; then, given
    ``limit``, cut to that many characters.

    Always in this order: cut first, a secret straddling the cut would keep its first
    characters, which no longer match the secret. Pieces of a secret of 10 characters or more
    (4 before an ellipsis) are hidden too: a server may have cut its own echo.
    """
    values = [s.reveal() if isinstance(s, Secret) else s for s in secrets]
    forms = [form for value in values if value and len(value) >= 4 for form in secret_forms(value)]
    for form in forms:  # whole spellings first, then what is left of them
        text = _hide(text, form)
    for form in forms:
        text = _hide_pieces(text, form)
    text = re.sub(r"(?i)(bearer\s+)[A-Za-z0-9._~+/=-]{8,}", r"\1***", text)
    return text if limit is None else cut(text, limit)


class MissingSecret(CmpubError):
    """A credential the channel needs is not in the environment; names the variable."""

    exit_code = 2

    def __init__(self, channel: str, variable: str, what: str) -> None:
        super().__init__(
            f"{channel}: {what} is missing: set the environment variable {variable}"
            " (in GitHub: Settings → Secrets and variables → Actions)"
        )
        self.channel = channel
        self.variable = variable


class PublishError(CmpubError):
    """A publication failed. ``retryable``: 5xx, 429, timeouts. ``needs_person``: auth, 4xx
    that no retry will fix; the message says why in plain words (never a secret).

    ``maybe_sent``: the request may have reached the network before the failure (a read
    timeout, a dropped connection): deploy asks :meth:`Publisher.lookup` before any retry, and
    the item becomes ``uncertain`` when the publisher cannot tell. ``code`` is a short word for
    tools and ``cmpub status``: ``auth`` (credentials rejected), ``rejected`` (a 4xx about the
    post itself), ``rate-limit``, ``server``, ``timeout``, ``network``.
    """

    def __init__(
        self,
        message: str,
        *,
        retryable: bool,
        needs_person: bool = False,
        retry_after: float | None = None,
        status: int | None = None,
        maybe_sent: bool = False,
        code: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.retryable = retryable
        self.needs_person = needs_person
        self.retry_after = retry_after
        self.status = status
        self.maybe_sent = maybe_sent
        self.code = code


class CannotKnow(CmpubError):
    """The publisher cannot tell whether an earlier attempt went out (the item is uncertain)."""


@dataclass(frozen=True)
class Image:
    """An image to attach: the built variant's absolute path, its alt text and pixel size."""

    path: str
    alt: str
    width: int
    height: int
    media_type: str
    bytes: int


@dataclass(frozen=True)
class Receipt:
    """What a network answered: its id for the post, a public URL, and network extras
    (Bluesky: ``uri`` and ``cid`` for replies; Mastodon: ``scheduled: true`` for a hand-off)."""

    remote_id: str
    url: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Item:
    """One publication: part ``part`` (0-based) of ``parts`` of one manifest variant.

    ``parent`` and ``root`` are the receipts of the previous and first parts (threads); images
    and the poll ride on the first part only. ``idempotency_key`` is deterministic (post id,
    channel, part, publish time): the same item always has the same key.
    """

    post: str
    channel: str
    part: int
    parts: int
    text: str
    publish_at: datetime
    idempotency_key: str
    content_hash: str
    title: str = ""
    lang: str = "en"
    cw: str | None = None
    links: tuple[tuple[str, str], ...] = ()  # (shown text, full URL) for short-link channels
    images: tuple[Image, ...] = ()
    poll: dict[str, Any] | None = None
    article_url: str | None = None
    parent: Receipt | None = None
    root: Receipt | None = None
    #: The linked page's Open Graph picture, for a link card's thumbnail (Bluesky).
    card_image: Image | None = None


@dataclass(frozen=True)
class Capabilities:
    """What a publisher can do (shown by ``cmpub status`` and used by deploy's plan)."""

    images: bool = False
    alt_text: bool = False
    polls: bool = False
    threads: bool = False
    native_schedule: bool = False
    edit: bool = False
    delete: bool = False
    lookup: bool = False  # can answer "did this item already go out?"


class Publisher(Protocol):
    """The interface of every publisher (see ``PUBLISHERS`` in ``cmpub.deploy.publishers``)."""

    id: ClassVar[str]
    name: ClassVar[str]
    capabilities: ClassVar[Capabilities]

    @classmethod
    def from_env(
        cls, environ: Mapping[str, str], settings: Mapping[str, Any], context: Mapping[str, Any]
    ) -> Publisher:
        """Build from ``CMPUB_<CHANNEL>_*`` variables and the channel's cmpub.yaml settings;
        raise :class:`MissingSecret` naming the variable. ``context`` carries the project root
        (``root``, a Path), the dist folder (``dist``), the run's clock (``now``, an aware
        datetime), an optional ``transport`` (an ``httpx.BaseTransport`` for tests), an
        optional ``timeout`` (seconds), ``sleep`` (the run's injectable sleep, for a
        publisher's own waits) and ``state_dir`` (``.cmpub-cache/``, git-ignored, for state
        kept between runs such as a session). Deploy retries whole items; a publisher need
        not (see ``cmpub.deploy.publishers.http`` for the shared client and error mapping)."""
        ...

    def publish(self, item: Item) -> Receipt:
        """Send one item; return its Receipt or raise PublishError."""
        ...

    def lookup(self, item: Item) -> Receipt | None:
        """The Receipt if ``item`` already went out, None if it surely did not; raise
        CannotKnow when the network gives no way to tell."""
        ...

    def secrets(self) -> tuple[Secret, ...]:
        """Every secret this publisher holds (deploy redacts them from all output)."""
        ...


@runtime_checkable
class CancelsScheduled(Protocol):
    """Optional: a publisher that hands posts to the network's own scheduler (Mastodon's
    ``scheduled_at``) can pull one back. Deploy calls it for every ``scheduled`` record while
    publishing is paused, and when the post file was deleted before its time."""

    def cancel_scheduled(self, receipt: Receipt) -> bool:
        """Cancel the scheduled post ``receipt`` names (its Receipt from :meth:`publish`):
        True when cancelled, False when the network no longer had it (already out, or
        cancelled there). Raise PublishError when the network refuses."""
        ...


@runtime_checkable
class FollowsScheduled(Protocol):
    """Optional, with :class:`CancelsScheduled`: keep a scheduled post in step with its file."""

    def update_scheduled(self, receipt: Receipt, item: Item) -> Receipt | None:
        """The post was edited: the Receipt of the scheduled (or already published) post that
        now matches ``item``, or None when it is no longer scheduled (deploy then publishes
        it itself when it is due)."""
        ...

    def check_scheduled(self, receipt: Receipt, item: Item) -> Receipt | None:
        """Its time has passed: the published post's Receipt, the scheduled one while it
        still waits, or None when it is gone (cancelled on the network)."""
        ...


def payload(item: Item) -> dict[str, Any]:
    """The exact, network-neutral content of ``item`` as JSON-ready data.

    What the outbox writes, what the webhook POSTs, what ``cmpub deploy --dry-run`` shows:
    the text, the images with their alt text (first part only), the poll, the content
    warning and the thread structure (which part replies to which).
    """
    data: dict[str, Any] = {
        "post": item.post,
        "channel": item.channel,
        "part": item.part,
        "parts": item.parts,
        "publish_at": item.publish_at.isoformat(),
        "idempotency_key": item.idempotency_key,
        "content_hash": item.content_hash,
        "title": item.title,
        "lang": item.lang,
        "text": item.text,
        "cw": item.cw,
        "links": [{"shown": shown, "url": url} for shown, url in item.links],
        "images": [
            {
                "path": image.path,
                "alt": image.alt,
                "width": image.width,
                "height": image.height,
                "media_type": image.media_type,
                "bytes": image.bytes,
            }
            for image in item.images
        ],
        "poll": item.poll,
        "article_url": item.article_url,
        "reply": None,
    }
    if item.part > 0:
        data["reply"] = {
            "parent_part": item.part - 1,
            "root_part": 0,
            "parent": _receipt_json(item.parent),
            "root": _receipt_json(item.root),
        }
    return data


def _receipt_json(receipt: Receipt | None) -> dict[str, Any] | None:
    if receipt is None:
        return None
    return {"remote_id": receipt.remote_id, "url": receipt.url, **receipt.extra}
