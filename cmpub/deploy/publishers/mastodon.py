"""Mastodon: one status per item, sent exactly once, over the plain REST API with httpx.

What it does, in the order of a publication (shared/platforms.md §5; mastodon/mastodon v4.6.5):

1. Reads the instance's limits once per run: ``GET /api/v2/instance`` (``/api/v1/instance`` on
   servers older than 4.0) → ``configuration.statuses`` / ``media_attachments`` / ``polls``.
2. Checks the status against them *before sending anything*: the length as the server counts it
   (:func:`cmpub.platforms.mastodon.count`: graphemes of content warning + text, each URL 23,
   ``@user@domain`` as ``@user``), images (count, type, size, alt text length), poll (2–4
   options, option length in graphemes, duration, never with images: upstream permits both since
   PR #39203, 2026-06, not yet in every server). A ``cmpub.yaml``
   ``max_characters`` higher than the instance's is refused: validation would have lied.
3. Uploads each image with ``POST /api/v2/media`` (``description`` = alt text). A ``202`` means
   "still processing" (``url: null``): it polls ``GET /api/v1/media/:id`` (``206`` → wait, ``200``
   → ready) with an injectable sleep, bounded to about a minute.
4. ``POST /api/v1/statuses`` (JSON body) with the ``Idempotency-Key`` header = the item's
   deterministic key: Mastodon keeps it one hour per account and answers a repeat with the
   original status, so a retry within the hour can never post twice.

Native scheduling (``schedule: native`` in cmpub.yaml): a single-part item whose publish time is
more than 5 minutes (+ a 1 minute safety margin) after ``context["now"]`` is handed to Mastodon
with ``scheduled_at``; the answer is a *ScheduledStatus* and the Receipt says
``extra["scheduled"] = True``. :meth:`MastodonPublisher.update_scheduled`,
:meth:`~MastodonPublisher.cancel_scheduled` and :meth:`~MastodonPublisher.check_scheduled` keep it in
step with the post file. Mastodon cannot edit the text of a scheduled status: a changed text,
content warning, poll, image or visibility creates a new scheduled status (own idempotency key)
and then deletes the old one, in that order, so that a crash in between loses nothing.

Looking up an earlier attempt (:meth:`~MastodonPublisher.lookup`): Mastodon has no search by
idempotency key. cmpub reads the account's own statuses, newest first, back to an hour before
the publish time, and compares the text with HTML removed; it raises :class:`CannotKnow` when
the pages it reads do not reach back that far.

Errors: 5xx, timeouts, lost connections and 429 are retryable (``retry_after`` from
``Retry-After`` or from ``X-RateLimit-Reset``, an ISO 8601 time in Mastodon, minus the server's
``Date``); 401, 403 and 422 need a person, in plain words, never with the token.
"""

from __future__ import annotations

import hashlib
import html
import json
import re
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar
from urllib.parse import urlsplit

from cmpub.deploy.publishers.base import (
    CannotKnow,
    Capabilities,
    Image,
    Item,
    MissingSecret,
    PublishError,
    Receipt,
    Secret,
    clip,
    redact,
)
from cmpub.deploy.publishers.http import why
from cmpub.platforms.base import graphemes
from cmpub.platforms.mastodon import (
    MAX_CHARS,
    URL_PLACEHOLDER_CHARS,
    count,
    entities,
    extract_mentions,
)

if TYPE_CHECKING:
    import httpx

TOKEN_VARIABLE = "CMPUB_MASTODON_ACCESS_TOKEN"
_SRC = "platforms.md §5 (mastodon/mastodon v4.6.5)"

#: ``ScheduledStatus#validate_future_date``: ``scheduled_at`` must be > now + 5 minutes.
SCHEDULE_MIN_LEAD = timedelta(minutes=5)
#: cmpub's own margin on top (clock skew, time between the decision and the request).
SCHEDULE_MARGIN = timedelta(minutes=1)
#: ``PostStatusService``: ``redis.setex(idempotency_key, 3_600, ...)``.
IDEMPOTENCY_TTL = timedelta(hours=1)
#: How far before the publish time :meth:`MastodonPublisher.lookup` looks for an earlier attempt.
LOOKUP_BEFORE = timedelta(hours=1)
LOOKUP_PAGES = 5  # 5 × 40 statuses (``limit`` is capped at 40 by the server)
PAGE_LIMIT = 40
#: Waits between two polls of a media attachment that is still processing (≈ 60 s in all).
MEDIA_WAITS: tuple[float, ...] = (0.5, 1, 1, 2, 2, 3, 5, 5, 5, 5, 5, 5, 5, 5, 6)
#: How many alternative idempotency keys to try when a key points at a deleted record.
_KEY_GENERATIONS = 5
VISIBILITIES = ("public", "unlisted", "private", "direct")

_TOKEN_HELP = (
    "Mastodon refused the access token: create a new one in Preferences → Development and set "
    f"{TOKEN_VARIABLE}"
)


@dataclass(frozen=True)
class InstanceLimits:
    """What the instance accepts, read from ``/api/v2/instance`` (or v1), with upstream
    defaults where the server says nothing."""

    max_characters: int = MAX_CHARS
    max_media_attachments: int = 4
    characters_reserved_per_url: int = URL_PLACEHOLDER_CHARS
    description_limit: int = 1500  # 1,500 up to 4.5.x; 10,000 from 4.6.0 (read it)
    image_size_limit: int | None = None
    supported_mime_types: tuple[str, ...] = ()
    poll_max_options: int = 4
    poll_max_characters_per_option: int = 50
    poll_min_expiration: int = 300
    poll_max_expiration: int = 2_629_746
    version: str = ""
    source: str = "defaults"

    @classmethod
    def parse(cls, data: Mapping[str, Any], source: str) -> InstanceLimits:
        """Limits from a v2 (or v1, 3.4.2+) instance document; missing parts keep defaults."""
        config = data.get("configuration") or {}
        statuses = config.get("statuses") or {}
        media = config.get("media_attachments") or {}
        polls = config.get("polls") or {}
        base = cls()

        def num(section: Mapping[str, Any], key: str, default: int | None) -> int | None:
            value = section.get(key)
            return value if isinstance(value, int) and not isinstance(value, bool) else default

        max_chars = num(statuses, "max_characters", None)
        if max_chars is None:  # forks (glitch-soc, Pleroma) on /api/v1/instance
            max_chars = num(data, "max_toot_chars", base.max_characters)
        mimes = media.get("supported_mime_types")
        return cls(
            max_characters=max_chars or base.max_characters,
            max_media_attachments=num(statuses, "max_media_attachments", 4) or 4,
            characters_reserved_per_url=num(
                statuses, "characters_reserved_per_url", URL_PLACEHOLDER_CHARS
            )
            or URL_PLACEHOLDER_CHARS,
            description_limit=num(media, "description_limit", 1500) or 1500,
            image_size_limit=num(media, "image_size_limit", None),
            supported_mime_types=tuple(mimes) if isinstance(mimes, list) else (),
            poll_max_options=num(polls, "max_options", 4) or 4,
            poll_max_characters_per_option=num(polls, "max_characters_per_option", 50) or 50,
            poll_min_expiration=num(polls, "min_expiration", 300) or 300,
            poll_max_expiration=num(polls, "max_expiration", 2_629_746) or 2_629_746,
            version=str(data.get("version") or ""),
            source=source,
        )


def status_length(text: str, spoiler_text: str, url_chars: int = URL_PLACEHOLDER_CHARS) -> int:
    """The length Mastodon gives a status, for an instance reserving ``url_chars`` per URL."""
    length = count(text, spoiler_text)
    if url_chars != URL_PLACEHOLDER_CHARS:
        urls = sum(1 for _s, _e, repl in entities(text) if not repl.startswith("@"))
        length += urls * (url_chars - URL_PLACEHOLDER_CHARS)
    return length


def html_to_text(content: str) -> str:
    """A status's HTML ``content`` back to plain text (links keep their full address: Mastodon
    hides the scheme and the tail in ``<span class="invisible">``, which still hold the text)."""
    text = re.sub(r"(?i)<br\s*/?>", "\n", content)
    text = re.sub(r"(?i)</p>\s*<p[^>]*>", "\n\n", text)
    text = re.sub(r"<[^>]+>", "", text)
    return html.unescape(text)


def comparable(text: str) -> str:
    """Text reduced to what survives Mastodon's rendering: ``@user@domain`` → ``@user``,
    whitespace runs → one space, no leading or trailing space."""
    out, last = [], 0
    for start, end, short in extract_mentions(text):
        out.append(text[last:start])
        out.append(short)
        last = end
    out.append(text[last:])
    return re.sub(r"\s+", " ", "".join(out)).strip()


def _same_text(a: str, b: str) -> bool:
    return comparable(a) == comparable(b)


def _parse_time(value: Any) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        when = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return when if when.tzinfo else when.replace(tzinfo=UTC)


def _iso(when: datetime) -> str:
    return when.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


class _BorrowedTransport:
    """An injected transport, shared by the short-lived clients: closing a client leaves it open."""

    def __enter__(self) -> _BorrowedTransport:
        return self

    def __exit__(self, *exc: object) -> None:
        pass

    def __init__(self, inner: Any) -> None:
        self._inner = inner

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        return self._inner.handle_request(request)

    def close(self) -> None:
        pass


class MastodonPublisher:
    """Publishes cmpub items as Mastodon statuses (see the module docstring)."""

    id: ClassVar[str] = "mastodon"
    name: ClassVar[str] = "Mastodon"
    capabilities: ClassVar[Capabilities] = Capabilities(
        images=True,
        alt_text=True,
        polls=True,
        threads=True,
        native_schedule=True,
        edit=False,
        delete=True,
        lookup=True,
    )

    def __init__(
        self,
        instance: str,
        token: Secret,
        *,
        visibility: str = "public",
        schedule: str | None = None,
        max_characters: int | None = None,
        description_limit: int | None = None,
        transport: Any = None,
        now: datetime | Callable[[], datetime] | None = None,
        sleep: Callable[[float], None] | None = None,
        timeout: float = 30.0,
    ) -> None:
        if visibility not in VISIBILITIES:
            raise ValueError(f"visibility must be one of {', '.join(VISIBILITIES)}")
        self.instance = instance.rstrip("/")
        self.host = urlsplit(self.instance).netloc or self.instance
        self._token = token
        self.visibility = visibility
        self.schedule = schedule
        self.max_characters = max_characters
        self.description_limit = description_limit
        self._transport = transport
        self._now = now
        self._sleep = sleep or time.sleep
        self._timeout = timeout
        self._limits: InstanceLimits | None = None
        self._account_id: str | None = None
        self._media: dict[tuple[str, int], tuple[str, bool]] = {}
        #: Notes for the person reading the run (deploy shows them): never errors.
        self.warnings: list[str] = []

    # -- construction ------------------------------------------------------------------------

    @classmethod
    def from_env(
        cls, environ: Mapping[str, str], settings: Mapping[str, Any], context: Mapping[str, Any]
    ) -> MastodonPublisher:
        """``settings`` = ``channels.mastodon`` of cmpub.yaml (``instance`` required;
        ``visibility``, ``schedule``, ``max_characters``, ``description_limit``); the token
        comes from ``CMPUB_MASTODON_ACCESS_TOKEN``. ``context`` may carry ``transport`` (httpx),
        ``now`` (an aware datetime or a function returning one: required for
        ``schedule: native``), ``sleep`` (a function of seconds) and ``timeout`` (seconds)."""
        token = (environ.get(TOKEN_VARIABLE) or "").strip()
        if not token:
            raise MissingSecret("mastodon", TOKEN_VARIABLE, "the Mastodon access token")
        instance = str(settings.get("instance") or "").strip()
        if not instance:
            raise PublishError(
                "mastodon: cmpub.yaml has no instance address: set channels.mastodon.instance "
                "(like https://mastodon.social)",
                retryable=False,
                needs_person=True,
            )
        schedule = settings.get("schedule")
        now = context.get("now")
        if schedule == "native" and now is None:
            raise ValueError("schedule: native needs context['now'] (the run's clock)")
        return cls(
            instance,
            Secret(token),
            visibility=str(settings.get("visibility") or "public"),
            schedule=schedule,
            max_characters=settings.get("max_characters"),
            description_limit=settings.get("description_limit"),
            transport=context.get("transport"),
            now=now,
            sleep=context.get("sleep"),
            timeout=float(context.get("timeout") or 30.0),
        )

    def __repr__(self) -> str:
        return f"MastodonPublisher(instance={self.instance!r}, token=***)"

    def secrets(self) -> tuple[Secret, ...]:
        """The access token (deploy redacts it from all output)."""
        return (self._token,)

    # -- publishing --------------------------------------------------------------------------

    def publish(self, item: Item) -> Receipt:
        """Send one item: upload its images, then post the status with its idempotency key.

        Returns the published status's Receipt, or a scheduled one (``extra["scheduled"]``)
        when :meth:`can_schedule` says the item goes to Mastodon's own scheduler."""
        with self._client() as client:
            limits = self.limits(client)
            text = self.status_text(item)
            self.check(item, limits)
            scheduled_at = item.publish_at if self.can_schedule(item) else None
            media_ids = self._upload_all(client, item)
            body = self._status_body(item, text, media_ids, scheduled_at)
            receipt = self._create(client, item, body, item.idempotency_key)
            self._forget_media(item)
            return receipt

    def status_text(self, item: Item) -> str:
        """The ``status`` sent: the item's text, with the poll question in front when the copy
        does not already contain it (Mastodon polls have no question field)."""
        text = item.text
        question = str(item.poll.get("question") or "") if item.poll else ""
        if question and comparable(question).casefold() not in comparable(text).casefold():
            text = f"{question.strip()}\n\n{text}" if text.strip() else question.strip()
        return text

    def check(self, item: Item, limits: InstanceLimits | None = None) -> None:
        """Raise PublishError (needs a person) when the instance would refuse this item."""
        limits = limits or self._limits or InstanceLimits()
        where = f"'{item.post}'" + (
            f" (part {item.part + 1} of {item.parts})" if item.parts > 1 else ""
        )
        if self.max_characters and self.max_characters > limits.max_characters:
            raise self._person(
                f"Mastodon: {self.host} allows {limits.max_characters} characters per post, but "
                f"cmpub.yaml says max_characters: {self.max_characters}. Set "
                f"'max_characters: {limits.max_characters}' under channels.mastodon in cmpub.yaml "
                "so that cmpub checks posts against the real limit, then run cmpub again"
            )
        if self.max_characters and self.max_characters < limits.max_characters:
            note = (
                f"Mastodon: {self.host} allows {limits.max_characters} characters per post; "
                f"cmpub.yaml says max_characters: {self.max_characters} (set it to "
                f"{limits.max_characters} to use the room)"
            )
            if note not in self.warnings:
                self.warnings.append(note)
        text = self.status_text(item)
        length = status_length(text, item.cw or "", limits.characters_reserved_per_url)
        if length > limits.max_characters:
            raise self._person(
                f"Mastodon: {where} is {length} characters and {self.host} allows "
                f"{limits.max_characters} (the content warning counts, each link counts "
                f"{limits.characters_reserved_per_url}, @user@server counts as @user): shorten it"
            )
        if not text.strip() and not item.images and not item.poll:
            raise self._person(f"Mastodon: {where} has no text")
        self._check_images(item, where, limits)
        self._check_poll(item, where, limits)

    def _check_images(self, item: Item, where: str, limits: InstanceLimits) -> None:
        if len(item.images) > limits.max_media_attachments:
            raise self._person(
                f"Mastodon: {where} has {len(item.images)} images and {self.host} takes at most "
                f"{limits.max_media_attachments}: remove some"
            )
        alt_limit = limits.description_limit
        if self.description_limit and self.description_limit > alt_limit:
            raise self._person(
                f"Mastodon: {self.host} takes alt texts of at most {alt_limit} characters, but "
                f"cmpub.yaml says description_limit: {self.description_limit}. Set "
                f"'description_limit: {alt_limit}' under channels.mastodon in cmpub.yaml"
            )
        for image in item.images:
            name = Path(image.path).name
            if len(image.alt) > alt_limit:  # Ruby String#length: code points
                raise self._person(
                    f"Mastodon: the alt text of {name} in {where} is {len(image.alt)} characters "
                    f"and {self.host} takes at most {alt_limit}: shorten it"
                )
            if limits.supported_mime_types and image.media_type not in limits.supported_mime_types:
                raise self._person(
                    f"Mastodon: {self.host} does not take {image.media_type} images ({name} in "
                    f"{where})"
                )
            if limits.image_size_limit and image.bytes > limits.image_size_limit:
                raise self._person(
                    f"Mastodon rejected the image: {name} is {image.bytes / 1_048_576:.1f} MB, over "
                    f"the {limits.image_size_limit / 1_048_576:.0f} MB limit of {self.host}"
                )

    def _check_poll(self, item: Item, where: str, limits: InstanceLimits) -> None:
        poll = item.poll
        if not poll:
            return
        if item.images:
            raise self._person(
                f"Mastodon cannot attach a poll and images to the same post ({where}): remove "
                "the images or the poll for Mastodon (overrides: {mastodon: {poll: null}})"
            )
        options = [str(o) for o in poll.get("options") or []]
        if not 2 <= len(options) <= limits.poll_max_options:
            raise self._person(
                f"Mastodon: the poll of {where} has {len(options)} options; {self.host} takes 2 "
                f"to {limits.poll_max_options}"
            )
        for option in options:
            if graphemes(option) > limits.poll_max_characters_per_option:
                raise self._person(
                    f"Mastodon: poll option '{option}' of {where} is {graphemes(option)} "
                    f"characters; {self.host} takes at most "
                    f"{limits.poll_max_characters_per_option}"
                )
        if len(set(options)) != len(options):
            raise self._person(f"Mastodon: the poll of {where} has the same option twice")
        seconds = int(poll.get("duration_seconds") or 0)
        if not limits.poll_min_expiration <= seconds <= limits.poll_max_expiration:
            raise self._person(
                f"Mastodon: the poll of {where} lasts {seconds} s; {self.host} takes "
                f"{limits.poll_min_expiration} s to {limits.poll_max_expiration} s"
            )

    def can_schedule(self, item: Item) -> bool:
        """Whether ``item`` goes to Mastodon's scheduler: ``schedule: native``, a single part
        (a thread's replies need the first part's id), and a publish time more than 5 minutes
        (+1 minute margin) after now."""
        now = self.now()
        return (
            self.schedule == "native"
            and now is not None
            and item.parts == 1
            and item.parent is None
            and item.publish_at > now + SCHEDULE_MIN_LEAD + SCHEDULE_MARGIN
        )

    def now(self) -> datetime | None:
        """The run's clock from ``context["now"]`` (None when deploy gave none)."""
        now = self._now() if callable(self._now) else self._now
        if now is not None and now.tzinfo is None:
            now = now.replace(tzinfo=UTC)
        return now

    # -- scheduled statuses (optional methods, for deploy) ------------------------------------

    def check_scheduled(self, receipt: Receipt, item: Item) -> Receipt | None:
        """What became of a status handed to Mastodon's scheduler: the same (refreshed)
        scheduled Receipt while it waits; the published status's Receipt once Mastodon posted
        it; None when it is gone without a trace (cancelled on Mastodon). May raise
        CannotKnow (see :meth:`lookup`)."""
        sid = self._scheduled_id(receipt)
        with self._client() as client:
            r = self._get_scheduled(client, sid)
            if r.status_code == 200:
                return self._receipt(r.json(), item)
            return self._lookup(client, item)

    def update_scheduled(self, receipt: Receipt, item: Item) -> Receipt | None:
        """Bring a scheduled status in line with the edited post file.

        * only the time changed, and it is still more than 5 (+1) minutes away →
          ``PUT /api/v1/scheduled_statuses/:id`` with the new ``scheduled_at``;
        * text, content warning, poll, images, visibility or language changed → Mastodon
          cannot edit a scheduled status: create the new one first (idempotency key derived
          from the old id), then delete the old one;
        * the item can no longer be scheduled (new time too close or past, now a thread,
          ``schedule`` switched off) → delete it and return None: deploy publishes the item
          itself when it is due.

        When the scheduled status no longer exists (already published by Mastodon, or
        cancelled there), returns what :meth:`check_scheduled` finds, or raises PublishError
        (needs a person) when it finds nothing."""
        sid = self._scheduled_id(receipt)
        with self._client() as client:
            r = self._get_scheduled(client, sid)
            if r.status_code == 404:
                found = self._lookup(client, item)
                if found is None:
                    raise self._person(
                        f"Mastodon: the scheduled post for '{item.post}' is no longer on "
                        f"{self.host} (cancelled there?) and was not published: check the account"
                    )
                return found
            current = r.json()
            if not self.can_schedule(item):
                self._delete_scheduled(client, sid)
                return None
            limits = self.limits(client)
            self.check(item, limits)
            text = self.status_text(item)
            if self._same_content(current, receipt, item, text):
                if _parse_time(current.get("scheduled_at")) == item.publish_at:
                    return self._receipt(current, item)
                r = self._call(
                    client,
                    "PUT",
                    f"/api/v1/scheduled_statuses/{sid}",
                    json={"scheduled_at": _iso(item.publish_at)},
                    doing="moving a scheduled post",
                    subject="the new time",
                )
                return self._receipt(r.json(), item)
            self._forget_media(item)  # the old scheduled status holds the earlier uploads
            media_ids = self._upload_all(client, item)
            body = self._status_body(item, text, media_ids, item.publish_at)
            new = self._create(
                client, item, body, f"{item.idempotency_key}:r{sid}", look_first=False
            )
            self._forget_media(item)
            self._delete_scheduled(client, sid)
            return new

    def cancel_scheduled(self, receipt: Receipt) -> bool:
        """Delete a scheduled status (post file deleted, project paused). True when it was
        cancelled; False when Mastodon no longer had it (already published or cancelled)."""
        sid = self._scheduled_id(receipt)
        with self._client() as client:
            return self._delete_scheduled(client, sid)

    def delete(self, receipt: Receipt) -> bool:
        """Delete a published status (``DELETE /api/v1/statuses/:id``); False when absent."""
        with self._client() as client:
            r = self._call(
                client,
                "DELETE",
                f"/api/v1/statuses/{receipt.remote_id}",
                doing="deleting a post",
                allow=(404,),
            )
            return r.status_code == 200

    # -- lookup ------------------------------------------------------------------------------

    def lookup(self, item: Item) -> Receipt | None:
        """Did ``item`` already go out? Reads the account's statuses (and, with native
        scheduling, its scheduled statuses) for one with the same text (HTML removed), content
        warning and reply target, created at most an hour before the publish time.

        None: not among everything since an hour before the publish time. Raises CannotKnow
        when the newest ``LOOKUP_PAGES`` × 40 statuses do not reach back that far."""
        with self._client() as client:
            return self._lookup(client, item)

    def _lookup(self, client: httpx.Client, item: Item) -> Receipt | None:
        text = self.status_text(item)
        if self.schedule == "native":
            found = self._find_scheduled(client, item, text)
            if found is not None:
                return found
        account = self._account(client)
        since = item.publish_at - LOOKUP_BEFORE
        params: dict[str, Any] = {"limit": PAGE_LIMIT, "exclude_reblogs": "true"}
        for _page in range(LOOKUP_PAGES):
            r = self._call(
                client,
                "GET",
                f"/api/v1/accounts/{account}/statuses",
                params=params,
                doing="reading the account's posts",
            )
            statuses = r.json()
            if not isinstance(statuses, list) or not statuses:
                return None  # the whole history has been read
            oldest: datetime | None = None
            for status in statuses:
                created = _parse_time(status.get("created_at"))
                if created is not None:
                    oldest = created if oldest is None else min(oldest, created)
                if self._matches(status, item, text, since):
                    return self._receipt(status, item)
            if oldest is not None and oldest < since:
                return None
            params["max_id"] = statuses[-1]["id"]
        raise CannotKnow(
            f"Mastodon: cmpub read the newest {LOOKUP_PAGES * PAGE_LIMIT} posts of the account "
            f"and they do not reach back to {_iso(since)}: it cannot tell whether "
            f"'{item.post}' went out. Check the account and mark the ledger record by hand"
        )

    def _matches(self, status: Mapping[str, Any], item: Item, text: str, since: datetime) -> bool:
        if status.get("reblog"):
            return False
        created = _parse_time(status.get("created_at"))
        if created is None or created < since:
            return False
        if item.parent is not None and str(status.get("in_reply_to_id")) != item.parent.remote_id:
            return False
        if not _same_text(status.get("spoiler_text") or "", item.cw or ""):
            return False
        return _same_text(html_to_text(str(status.get("content") or "")), text)

    def _find_scheduled(self, client: httpx.Client, item: Item, text: str) -> Receipt | None:
        params: dict[str, Any] = {"limit": PAGE_LIMIT}
        for _page in range(8):  # ScheduledStatus::TOTAL_LIMIT = 300
            r = self._call(
                client,
                "GET",
                "/api/v1/scheduled_statuses",
                params=params,
                doing="reading the scheduled posts",
            )
            page = r.json()
            if not isinstance(page, list) or not page:
                return None
            for scheduled in page:
                sent = scheduled.get("params") or {}
                when = _parse_time(scheduled.get("scheduled_at"))
                if (
                    when is not None
                    and abs((when - item.publish_at).total_seconds()) < 60
                    and _same_text(str(sent.get("text") or ""), text)
                    and _same_text(str(sent.get("spoiler_text") or ""), item.cw or "")
                ):
                    return self._receipt(scheduled, item)
            if len(page) < PAGE_LIMIT:
                return None
            params["max_id"] = page[-1]["id"]
        return None

    # -- helpers -----------------------------------------------------------------------------

    def limits(self, client: httpx.Client | None = None) -> InstanceLimits:
        """The instance's limits, read once per publisher (= once per run)."""
        if self._limits is not None:
            return self._limits
        if client is None:
            with self._client() as own:
                return self.limits(own)
        r = self._call(
            client, "GET", "/api/v2/instance", doing="reading the server's limits", allow=(404, 410)
        )
        source = "/api/v2/instance"
        if r.status_code != 200:
            r = self._call(client, "GET", "/api/v1/instance", doing="reading the server's limits")
            source = "/api/v1/instance"
        try:
            data = r.json()
        except ValueError:
            raise self._retry(
                f"Mastodon: {self.host} answered {source} with something that is not JSON"
            ) from None
        self._limits = InstanceLimits.parse(data if isinstance(data, dict) else {}, source)
        return self._limits

    def _account(self, client: httpx.Client) -> str:
        if self._account_id is None:
            r = self._call(
                client, "GET", "/api/v1/accounts/verify_credentials", doing="checking the account"
            )
            self._account_id = str(r.json()["id"])
        return self._account_id

    def _upload_all(self, client: httpx.Client, item: Item) -> list[str]:
        ids: list[str] = []
        pending: list[tuple[str, Image]] = []
        for index, image in enumerate(item.images):
            key = (item.idempotency_key, index)
            known = self._media.get(key)
            if known is None:
                known = self._upload(client, image)
                self._media[key] = known
            media_id, ready = known
            ids.append(media_id)
            if not ready:
                pending.append((media_id, image))
        for media_id, image in pending:
            self._wait_processed(client, media_id, image)
            self._media[(item.idempotency_key, ids.index(media_id))] = (media_id, True)
        return ids

    def _forget_media(self, item: Item) -> None:
        for index in range(len(item.images)):
            self._media.pop((item.idempotency_key, index), None)

    def _upload(self, client: httpx.Client, image: Image) -> tuple[str, bool]:
        path = Path(image.path)
        try:
            data = path.read_bytes()
        except OSError:
            raise self._person(f"Mastodon: the image {path} is missing: run cmpub build") from None
        form = {"description": image.alt} if image.alt else {}
        r = self._call(
            client,
            "POST",
            "/api/v2/media",
            files={"file": (path.name, data, image.media_type)},
            data=form,
            doing=f"uploading {path.name}",
            subject=f"the image {path.name}",
            ok=(200, 202),
        )
        media = r.json()
        return str(media["id"]), r.status_code == 200 and media.get("url") is not None

    def _wait_processed(self, client: httpx.Client, media_id: str, image: Image) -> None:
        name = Path(image.path).name
        for wait in MEDIA_WAITS:
            self._sleep(wait)
            r = self._call(
                client,
                "GET",
                f"/api/v1/media/{media_id}",
                doing=f"waiting for {name}",
                ok=(200, 206),
            )
            if r.status_code == 200:
                return
        raise self._retry(
            f"Mastodon is still processing {name} after {sum(MEDIA_WAITS):.0f} s; "
            "the post will be retried"
        )

    def _status_body(
        self, item: Item, text: str, media_ids: list[str], scheduled_at: datetime | None
    ) -> dict[str, Any]:
        body: dict[str, Any] = {"status": text, "visibility": self.visibility}
        if item.cw:
            body["spoiler_text"] = item.cw
        if item.lang:
            body["language"] = item.lang
        if media_ids:
            body["media_ids"] = media_ids
        if item.poll:
            body["poll"] = {
                "options": [str(o) for o in item.poll.get("options") or []],
                "expires_in": int(item.poll.get("duration_seconds") or 0),
                "multiple": bool(item.poll.get("multiple", False)),
            }
        if item.parent is not None:
            body["in_reply_to_id"] = item.parent.remote_id
        if scheduled_at is not None:
            body["scheduled_at"] = _iso(scheduled_at)
        return body

    def _create(
        self,
        client: httpx.Client,
        item: Item,
        body: dict[str, Any],
        key: str,
        *,
        look_first: bool = True,
    ) -> Receipt:
        """POST the status with ``key``; when Mastodon says the key points at a record that
        no longer exists (404 ``Record not found``: a scheduled status cmpub cancelled, or a
        status deleted within the hour), check that the item is not out already and go on
        with the next key of a deterministic chain (``key``, ``key:2``, ...)."""
        for generation in range(1, _KEY_GENERATIONS + 1):
            this_key = key if generation == 1 else f"{key}:{generation}"
            r = self._call(
                client,
                "POST",
                "/api/v1/statuses",
                json=body,
                headers={"Idempotency-Key": this_key},
                doing="publishing the post",
                subject="the post",
                allow=(404,),
            )
            if r.status_code == 200:
                return self._receipt(r.json(), item)
            if self._error_text(r) != "Record not found":
                raise self._http_error(r, "publishing the post", "the post")
            if look_first:
                try:
                    found = self._lookup(client, item)
                except CannotKnow as exc:
                    raise self._person(str(exc)) from None
                if found is not None:
                    return found
        raise self._person(
            f"Mastodon kept answering 'Record not found' for '{item.post}': check the account"
        )

    def _get_scheduled(self, client: httpx.Client, sid: str) -> httpx.Response:
        """``GET /api/v1/scheduled_statuses/:id`` (a 404 is an answer: it is gone)."""
        return self._call(
            client,
            "GET",
            f"/api/v1/scheduled_statuses/{sid}",
            doing="reading a scheduled post",
            allow=(404,),
        )

    def _delete_scheduled(self, client: httpx.Client, sid: str) -> bool:
        r = self._call(
            client,
            "DELETE",
            f"/api/v1/scheduled_statuses/{sid}",
            doing="cancelling a scheduled post",
            allow=(404,),
        )
        return r.status_code == 200

    def _same_content(
        self, current: Mapping[str, Any], receipt: Receipt, item: Item, text: str
    ) -> bool:
        params = current.get("params") or {}
        poll = params.get("poll") or None
        want_poll = self._status_body(item, text, [], None).get("poll")
        same_poll = (poll is None and want_poll is None) or (
            poll is not None
            and want_poll is not None
            and [str(o) for o in poll.get("options") or []] == want_poll["options"]
            and int(poll.get("expires_in") or 0) == want_poll["expires_in"]
            and _truthy(poll.get("multiple")) == want_poll["multiple"]
        )
        return (
            _same_text(str(params.get("text") or ""), text)
            and (params.get("spoiler_text") or "") == (item.cw or "")
            and (params.get("visibility") or self.visibility) == self.visibility
            and (params.get("language") or item.lang) == item.lang
            and same_poll
            and receipt.extra.get("media") == _media_signature(item)
        )

    def _receipt(self, data: Mapping[str, Any], item: Item) -> Receipt:
        if "params" in data and "scheduled_at" in data and "content" not in data:
            sid = str(data["id"])
            return Receipt(
                remote_id=sid,
                url=None,
                extra={
                    "scheduled": True,
                    "scheduled_id": sid,
                    "scheduled_at": data.get("scheduled_at"),
                    "content_hash": item.content_hash,
                    "media": _media_signature(item),
                },
            )
        sid = str(data["id"])
        return Receipt(
            remote_id=sid,
            url=data.get("url") or data.get("uri"),
            extra={"id": sid, "created_at": data.get("created_at")},
        )

    @staticmethod
    def _scheduled_id(receipt: Receipt) -> str:
        return str(receipt.extra.get("scheduled_id") or receipt.remote_id)

    # -- HTTP ----------------------------------------------------------------------------------

    @contextmanager
    def _client(self) -> Iterator[httpx.Client]:
        import httpx

        from cmpub import __version__

        transport = _BorrowedTransport(self._transport) if self._transport is not None else None
        with httpx.Client(
            base_url=self.instance,
            transport=transport,  # type: ignore[arg-type]
            timeout=httpx.Timeout(self._timeout, connect=min(10.0, self._timeout)),
            headers={
                "Authorization": f"Bearer {self._token.reveal()}",
                "User-Agent": f"cmpub/{__version__}",
                "Accept": "application/json",
            },
            follow_redirects=False,
        ) as client:
            yield client

    def _call(
        self,
        client: httpx.Client,
        method: str,
        path: str,
        *,
        doing: str,
        subject: str = "the request",
        ok: tuple[int, ...] = (200,),
        allow: tuple[int, ...] = (),
        **kwargs: Any,
    ) -> httpx.Response:
        """One request; a response outside ``ok + allow`` becomes a PublishError."""
        import httpx

        writes = method not in ("GET", "HEAD")
        try:
            r = client.request(method, path, **kwargs)
        except (httpx.ConnectError, httpx.ConnectTimeout, httpx.UnsupportedProtocol) as exc:
            raise self._retry(
                f"could not reach Mastodon at {self.host} while {doing} ({why(exc, [self._token])}): "
                "nothing was sent; it will be retried",
                code="network",
            ) from None
        except httpx.TimeoutException:
            raise self._retry(
                f"Mastodon ({self.host}) did not answer in time while {doing}"
                + (
                    ": it may have received it; retrying is safe within the hour (the "
                    "idempotency key prevents a second post)"
                    if writes
                    else ""
                ),
                code="timeout",
                maybe_sent=writes,
            ) from None
        except httpx.TransportError as exc:
            raise self._retry(
                f"the connection to Mastodon ({self.host}) broke while {doing} ({why(exc, [self._token])})"
                + (": it may have received it" if writes else ""),
                code="network",
                maybe_sent=writes,
            ) from None
        if r.status_code in ok or r.status_code in allow:
            return r
        raise self._http_error(r, doing, subject)

    def _http_error(self, r: httpx.Response, doing: str, subject: str) -> PublishError:
        status = r.status_code
        error = self._error_text(r)
        if status == 401:
            return self._person(_TOKEN_HELP, status=status, code="auth")
        if status == 403:
            return self._person(
                f"Mastodon refused {subject}: {error or 'forbidden'} (the access token needs the "
                "write:statuses and write:media permissions: create one with them in "
                f"Preferences → Development and set {TOKEN_VARIABLE})",
                status=status,
                code="auth",
            )
        if status == 422:
            plain = re.sub(r"^Validation failed:\s*", "", error or "the server gave no reason")
            if "Scheduled at" in plain:
                return self._retry(
                    f"Mastodon refused to schedule {subject}: {plain} (its clock says the "
                    "publish time is less than 5 minutes away; cmpub will publish it itself "
                    "when it is due; check this computer's clock)",
                    status=status,
                    code="rejected",
                )
            return self._person(f"Mastodon refused {subject}: {plain}", status=status)
        if status == 413:
            return self._person(f"Mastodon refused {subject}: the file is too large", status=status)
        if status == 429:
            return self._retry(
                f"Mastodon ({self.host}) is rate-limiting this account while {doing}; "
                "it will be retried later",
                status=status,
                retry_after=self._retry_after(r),
                code="rate-limit",
            )
        if status >= 500 or status == 408:
            return self._retry(
                f"Mastodon ({self.host}) had a server error (HTTP {status}) while {doing}"
                + (f": {error}" if error else "")
                + "; it will be retried",
                status=status,
                retry_after=self._retry_after(r),
                code="server",
            )
        return self._person(
            f"Mastodon answered HTTP {status} while {doing}" + (f": {error}" if error else ""),
            status=status,
        )

    def _error_text(self, r: httpx.Response) -> str:
        try:
            data = r.json()
        except ValueError:
            return redact(" ".join(clip(r.text, 100_000).split()), [self._token], 300)
        if isinstance(data, dict):
            text = data.get("error_description") or data.get("error") or ""
            return redact(str(text), [self._token], 300)
        return ""

    def _retry_after(self, r: httpx.Response) -> float | None:
        """Seconds to wait: ``Retry-After`` (seconds or a date), else ``X-RateLimit-Reset``
        (an ISO 8601 time in Mastodon; epoch seconds from some proxies and mocks) minus the
        server's ``Date`` (or the run's clock)."""
        server_now = None
        if r.headers.get("Date"):
            try:
                server_now = parsedate_to_datetime(r.headers["Date"])
            except (TypeError, ValueError):
                server_now = None
        server_now = server_now or self.now()
        value = r.headers.get("Retry-After")
        if value:
            if value.strip().isdigit():
                return float(value.strip())
            try:
                when = parsedate_to_datetime(value)
            except (TypeError, ValueError):
                when = None
            if when is not None and server_now is not None:
                return max(0.0, (when - server_now).total_seconds())
        reset = r.headers.get("X-RateLimit-Reset")
        if reset and server_now is not None:
            when = _parse_time(reset)
            if when is None and re.fullmatch(r"\d+(\.\d+)?", reset.strip()):
                when = datetime.fromtimestamp(float(reset), tz=UTC)
            if when is not None:
                return max(0.0, (when - server_now).total_seconds())
        return None

    def _person(
        self, message: str, *, status: int | None = None, code: str = "rejected"
    ) -> PublishError:
        return PublishError(
            redact(message, [self._token]),
            retryable=False,
            needs_person=True,
            status=status,
            code=code,
        )

    def _retry(
        self,
        message: str,
        *,
        status: int | None = None,
        retry_after: float | None = None,
        code: str = "server",
        maybe_sent: bool = False,
    ) -> PublishError:
        return PublishError(
            redact(message, [self._token]),
            retryable=True,
            retry_after=retry_after,
            status=status,
            code=code,
            maybe_sent=maybe_sent,
        )


def _truthy(value: Any) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in ("1", "true", "on", "yes")
    return bool(value)


def _media_signature(item: Item) -> str:
    """A short hash of the images as sent (name, size, type, alt): tells a changed image."""
    if not item.images:
        return ""
    raw = json.dumps(
        [[Path(i.path).name, i.bytes, i.width, i.height, i.media_type, i.alt] for i in item.images],
        ensure_ascii=False,
    )
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()[:16]


__all__ = [
    "IDEMPOTENCY_TTL",
    "SCHEDULE_MARGIN",
    "SCHEDULE_MIN_LEAD",
    "TOKEN_VARIABLE",
    "InstanceLimits",
    "MastodonPublisher",
    "comparable",
    "html_to_text",
    "status_length",
]
