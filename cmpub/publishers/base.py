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

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, ClassVar, Protocol

from cmpub.errors import CmpubError


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


def redact(text: str, secrets: Iterable[Secret | str]) -> str:
    """``text`` with every secret (and its obvious encodings) replaced by ``***``."""
    for secret in secrets:
        value = secret.reveal() if isinstance(secret, Secret) else secret
        if value and len(value) >= 4:
            text = text.replace(value, "***")
    return re.sub(r"(?i)(bearer\s+)[A-Za-z0-9._~+/=-]{8,}", r"\1***", text)


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
    that no retry will fix; the message says why in plain words (never a secret)."""

    def __init__(
        self,
        message: str,
        *,
        retryable: bool,
        needs_person: bool = False,
        retry_after: float | None = None,
        status: int | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.retryable = retryable
        self.needs_person = needs_person
        self.retry_after = retry_after
        self.status = status


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
    """The interface of every publisher (see ``PUBLISHERS`` in ``cmpub.publishers``)."""

    id: ClassVar[str]
    name: ClassVar[str]
    capabilities: ClassVar[Capabilities]

    @classmethod
    def from_env(
        cls, environ: Mapping[str, str], settings: Mapping[str, Any], context: Mapping[str, Any]
    ) -> Publisher:
        """Build from ``CMPUB_<CHANNEL>_*`` variables and the channel's cmpub.yaml settings;
        raise :class:`MissingSecret` naming the variable. ``context`` carries the project root,
        the dist folder and an optional ``transport`` (an ``httpx.BaseTransport`` for tests)."""
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
