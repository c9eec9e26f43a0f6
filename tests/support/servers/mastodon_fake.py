"""A faithful fake Mastodon server: real HTTP on localhost, in a thread, stdlib only.

It covers what PyPI's ``mastodon-mock`` does not do as Mastodon does (shared/real-servers.md),
built from the Mastodon sources and API docs (shared/platforms.md §5; mastodon/mastodon
v4.6.5 and ``config/locales/en.yml``, ``activerecord.en.yml``, ``rack_attack.rb``):

* status length = graphemes of ``spoiler_text + countable_text(text)`` with the instance's
  ``max_characters`` (``cmpub.platforms.mastodon.count``: URLs with a scheme = 23,
  ``@user@domain`` = ``@user``) → 422 ``Validation failed: Text character limit of 500 exceeded``;
* ``scheduled_at`` ≤ now + 5 min → 422 ``Validation failed: Scheduled at date must be in the
  future`` (``scheduled_statuses.too_soon`` is "date must be in the future" in the current
  en.yml; the API docs still show the older "The scheduled date must be in the future");
  ``scheduled_at`` in the past → posted at once, silently; ≤ 300 pending, ≤ 25 per day;
* ``POST /api/v2/media`` → 202 with ``url: null`` while processing (``processing_polls`` GETs
  of ``/api/v1/media/:id`` answer 206, then 200); attaching unprocessed media → 422
  ``Cannot attach files that have not finished processing. Try again in a moment!``;
  media with a poll → 422 ``Cannot attach more than 4 files`` (PostStatusService's message up
  to 4.5; upstream PR #39203, merged 2026-06, permits polls with media: a newer server accepts);
* Idempotency-Key: kept one hour per account (``setex 3_600``); a repeat answers the original
  Status or ScheduledStatus with 200; a key whose record was deleted → 404 ``Record not found``
  (``statuses.find`` / ``scheduled_statuses.find``, chosen by whether *this* request schedules);
* rate limit per token (``throttle_per_token_api``, 300 / 5 min by default) with
  ``X-RateLimit-Limit``/``-Remaining``/``-Reset`` (ISO 8601, 6 decimals) on every answer and
  429 ``{"error": "Too many requests"}`` (no ``Retry-After``, as in rack-attack's responder);
* ``/api/v2/instance`` and ``/api/v1/instance`` with ``configuration``; v2 can be switched off
  (404) to test the fallback;
* scheduled statuses: list, get, ``PUT`` (``scheduled_at``, same 5-minute rule), delete;
  :meth:`FakeMastodon.run_scheduler` publishes the due ones (also run before each request);
* polls: 2–``max_options`` options, each ≤ ``max_characters_per_option`` graphemes, no
  duplicates, ``expires_in`` 300 s – 1 month (messages from en.yml ``polls.errors`` with
  activerecord's attribute names ``Choices`` / ``Deadline``);
* 401 ``{"error": "The access token is invalid"}`` (``... was revoked`` after :meth:`revoke`);
* HTML ``content`` rendered like Mastodon's TextFormatter (paragraphs, ``<br />``, links with
  ``invisible`` spans, h-card mentions, hashtags), so that lookups must strip HTML.

Faults (:meth:`FakeMastodon.add_fault`): a forced status before the request is handled, or
*after* it (the status is created, the answer is lost: a 502, or a delay longer than the
client's timeout). The fake's clock is its own (:attr:`FakeMastodon.now`, :meth:`advance`), and
its ``Date`` header follows it.
"""

from __future__ import annotations

import html
import json
import re
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.parser import BytesParser
from email.policy import HTTP
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from cmpub.platforms.base import graphemes
from cmpub.platforms.mastodon import count, extract_mentions, extract_urls

TOO_SOON = "Validation failed: Scheduled at date must be in the future"
NOT_READY = "Cannot attach files that have not finished processing. Try again in a moment!"
TOO_MANY = "Cannot attach more than 4 files"
TOKEN_INVALID = "The access token is invalid"
TOKEN_REVOKED = "The access token was revoked"


@dataclass
class Fault:
    method: str | None
    path: str  # a regular expression matched against the path
    status: int = 500
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    count: int = 1
    after: bool = False  # handle the request, then answer with the fault (lost answer)
    delay: float = 0.0  # seconds to wait before answering (after the handling if ``after``)


class _Answer(Exception):
    def __init__(self, status: int, body: Any, headers: dict[str, str] | None = None) -> None:
        super().__init__(status)
        self.status = status
        self.body = body
        self.headers = headers or {}


def _iso_ms(when: datetime) -> str:
    return when.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _parse_time(value: Any) -> datetime | None:
    if not value:
        return None
    try:
        when = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        raise _Answer(422, {"error": "Validation failed: Scheduled at is invalid"}) from None
    return when if when.tzinfo else when.replace(tzinfo=UTC)


def _truthy(value: Any) -> bool:
    if isinstance(value, str):
        return value.lower() in ("1", "true", "on")
    return bool(value)


class FakeMastodon:
    """State and behaviour of one Mastodon instance with one account and one token."""

    def __init__(
        self,
        *,
        now: datetime | None = None,
        token: str = "fake-token-7f3a9c1e5b",
        username: str = "cafe",
        domain: str = "social.example",
        max_characters: int = 500,
        max_media_attachments: int = 4,
        description_limit: int = 1500,
        image_size_limit: int = 16 * 1024 * 1024,
        poll_max_options: int = 4,
        poll_max_characters_per_option: int = 50,
        v2_instance: bool = True,
        rate_limit: int = 300,
        rate_period: int = 300,
        processing_polls: int = 0,
    ) -> None:
        self.now = now or datetime(2026, 12, 1, 8, 0, tzinfo=UTC)
        self.token = token
        self.revoked = False
        self.username = username
        self.domain = domain
        self.max_characters = max_characters
        self.max_media_attachments = max_media_attachments
        self.description_limit = description_limit
        self.image_size_limit = image_size_limit
        self.poll_max_options = poll_max_options
        self.poll_max_characters_per_option = poll_max_characters_per_option
        self.v2_instance = v2_instance
        self.rate_limit = rate_limit
        self.rate_period = rate_period
        self.processing_polls = processing_polls
        self.account_id = "109999000000000001"
        self.statuses: dict[str, dict[str, Any]] = {}  # id -> record (includes "text")
        self.deleted: set[str] = set()
        self.scheduled: dict[str, dict[str, Any]] = {}
        self.media: dict[str, dict[str, Any]] = {}
        self.idempotency: dict[str, tuple[str, str, datetime]] = {}  # key -> (kind, id, expiry)
        self.requests: list[dict[str, Any]] = []
        self.faults: list[Fault] = []
        self._rate: dict[int, int] = {}
        self._seq = 0
        self._scheduled_seq = 0
        self._lock = threading.RLock()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- control ---------------------------------------------------------------------------

    @property
    def base_url(self) -> str:
        assert self._server is not None, "start() the fake first"
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> FakeMastodon:
        fake = self

        class Handler(_Handler):
            server_fake = fake

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self) -> FakeMastodon:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def advance(self, seconds: float) -> None:
        """Move the fake's clock forward (and publish what became due)."""
        with self._lock:
            self.now += timedelta(seconds=seconds)
            self.run_scheduler()

    def revoke(self) -> None:
        """The user revoked the token (Preferences → Development)."""
        self.revoked = True

    def add_fault(self, path: str, *, method: str | None = None, **kwargs: Any) -> Fault:
        fault = Fault(method=method, path=path, **kwargs)
        with self._lock:
            self.faults.append(fault)
        return fault

    def live_statuses(self) -> list[dict[str, Any]]:
        """The account's statuses as the server keeps them, oldest first."""
        with self._lock:
            return [self.statuses[k] for k in sorted(self.statuses, key=int)]

    def run_scheduler(self) -> None:
        """What Sidekiq's PublishScheduledStatusWorker does: post every due scheduled status."""
        with self._lock:
            for sid in sorted(self.scheduled, key=int):
                record = self.scheduled[sid]
                if record["scheduled_at"] <= self.now:
                    params = dict(record["params"])
                    del self.scheduled[sid]
                    self._create_status(params, record["media_ids"], record["scheduled_at"])

    @contextmanager
    def running(self) -> Iterator[FakeMastodon]:
        self.start()
        try:
            yield self
        finally:
            self.stop()

    # -- helpers ---------------------------------------------------------------------------

    def _next_id(self) -> str:
        self._seq += 1
        return str((int(self.now.timestamp() * 1000) << 16) + self._seq)

    def _account_json(self) -> dict[str, Any]:
        return {
            "id": self.account_id,
            "username": self.username,
            "acct": self.username,
            "display_name": "Café",
            "url": f"https://{self.domain}/@{self.username}",
            "created_at": "2024-01-01T00:00:00.000Z",
            "statuses_count": len(self.statuses),
        }

    def _media_json(self, media: dict[str, Any]) -> dict[str, Any]:
        ready = media["ready"]
        url = f"https://files.{self.domain}/media/{media['id']}/{media['filename']}"
        return {
            "id": media["id"],
            "type": media["type"],
            "url": url if ready else None,
            "preview_url": url if ready else None,
            "remote_url": None,
            "preview_remote_url": None,
            "text_url": None,
            "meta": {},
            "description": media["description"],
            "blurhash": "UFBWY:8_0Jxv4mx]t8t64.%M-:IUWGWAt6M}",
        }

    def _status_json(self, s: dict[str, Any]) -> dict[str, Any]:
        poll = s.get("poll")
        return {
            "id": s["id"],
            "created_at": _iso_ms(s["created_at"]),
            "in_reply_to_id": s["in_reply_to_id"],
            "in_reply_to_account_id": self.account_id if s["in_reply_to_id"] else None,
            "sensitive": bool(s["spoiler_text"]) or bool(s["sensitive"]),
            "spoiler_text": s["spoiler_text"],
            "visibility": s["visibility"],
            "language": s["language"],
            "uri": f"https://{self.domain}/users/{self.username}/statuses/{s['id']}",
            "url": f"https://{self.domain}/@{self.username}/{s['id']}",
            "replies_count": 0,
            "reblogs_count": 0,
            "favourites_count": 0,
            "edited_at": None,
            "content": render_html(s["text"], self.domain),
            "reblog": None,
            "application": {"name": "cmpub", "website": None},
            "account": self._account_json(),
            "media_attachments": [self._media_json(self.media[m]) for m in s["media_ids"]],
            "mentions": [],
            "tags": [],
            "emojis": [],
            "card": None,
            "poll": None
            if poll is None
            else {
                "id": poll["id"],
                "expires_at": _iso_ms(poll["expires_at"]),
                "expired": False,
                "multiple": poll["multiple"],
                "votes_count": 0,
                "voters_count": 0,
                "options": [{"title": o, "votes_count": 0} for o in poll["options"]],
                "emojis": [],
            },
        }

    def _scheduled_json(self, rec: dict[str, Any]) -> dict[str, Any]:
        return {
            "id": rec["id"],
            "scheduled_at": _iso_ms(rec["scheduled_at"]),
            "params": rec["params"],
            "media_attachments": [self._media_json(self.media[m]) for m in rec["media_ids"]],
        }

    def _create_status(
        self, params: dict[str, Any], media_ids: list[str], created_at: datetime | None = None
    ) -> dict[str, Any]:
        sid = self._next_id()
        poll = params.get("poll")
        record = {
            "id": sid,
            "created_at": created_at or self.now,
            "text": str(params.get("text") or "").strip(),
            "spoiler_text": str(params.get("spoiler_text") or "").strip(),
            "visibility": params.get("visibility") or "public",
            "language": params.get("language"),
            "sensitive": _truthy(params.get("sensitive")),
            "in_reply_to_id": params.get("in_reply_to_id"),
            "media_ids": list(media_ids),
            "poll": None
            if not poll
            else {
                "id": self._next_id(),
                "options": list(poll["options"]),
                "multiple": _truthy(poll.get("multiple")),
                "expires_at": (created_at or self.now)
                + timedelta(seconds=int(poll.get("expires_in") or 0)),
            },
        }
        for m in media_ids:
            self.media[m]["status_id"] = sid
            self.media[m]["scheduled_status_id"] = None
        self.statuses[sid] = record
        return record

    # -- the API -----------------------------------------------------------------------------

    def handle(
        self, method: str, path: str, query: dict[str, Any], headers: Any, body: dict[str, Any]
    ) -> tuple[int, Any, dict[str, str]]:
        """One request (already parsed) → (status, JSON body, extra headers)."""
        with self._lock:
            self.run_scheduler()
            if path in ("/api/v2/instance", "/api/v1/instance"):
                if path == "/api/v2/instance" and not self.v2_instance:
                    return 404, {"error": "Record not found"}, {}
                return 200, self._instance(v2=path.endswith("v2/instance")), {}
            auth = headers.get("Authorization") or ""
            if auth != f"Bearer {self.token}" or self.revoked:
                reason = (
                    TOKEN_REVOKED if self.revoked and auth.endswith(self.token) else TOKEN_INVALID
                )
                return (
                    401,
                    {"error": reason},
                    {
                        "WWW-Authenticate": 'Bearer realm="Doorkeeper", error="invalid_token", '
                        f'error_description="{reason}"'
                    },
                )
            limit_headers, throttled = self._throttle()
            if throttled:
                return 429, {"error": "Too many requests"}, limit_headers
            try:
                status, data = self._route(method, path, query, headers, body)
            except _Answer as answer:
                return answer.status, answer.body, {**limit_headers, **answer.headers}
            return status, data, limit_headers

    def _throttle(self) -> tuple[dict[str, str], bool]:
        now = int(self.now.timestamp())
        bucket = now // self.rate_period
        used = self._rate.get(bucket, 0) + 1
        self._rate[bucket] = used
        reset = datetime.fromtimestamp((bucket + 1) * self.rate_period, tz=UTC)
        headers = {
            "X-RateLimit-Limit": str(self.rate_limit),
            "X-RateLimit-Remaining": str(max(0, self.rate_limit - used)),
            "X-RateLimit-Reset": reset.isoformat(timespec="microseconds").replace("+00:00", "Z"),
        }
        return headers, used > self.rate_limit

    def _instance(self, *, v2: bool) -> dict[str, Any]:
        media = {
            "supported_mime_types": [
                "image/jpeg", "image/png", "image/gif", "image/heic", "image/heif",
                "image/webp", "image/avif", "video/webm", "video/mp4", "video/quicktime",
                "video/ogg", "audio/mpeg", "audio/ogg",
            ],
            "image_size_limit": self.image_size_limit,
            "image_matrix_limit": 33_177_600,
            "video_size_limit": 103_809_024,
            "video_frame_rate_limit": 120,
            "video_matrix_limit": 8_294_400,
        }  # fmt: skip
        if v2:
            media["description_limit"] = self.description_limit
        config = {
            "statuses": {
                "max_characters": self.max_characters,
                "max_media_attachments": self.max_media_attachments,
                "characters_reserved_per_url": 23,
            },
            "media_attachments": media,
            "polls": {
                "max_options": self.poll_max_options,
                "max_characters_per_option": self.poll_max_characters_per_option,
                "min_expiration": 300,
                "max_expiration": 2_629_746,
            },
        }
        if v2:
            return {
                "domain": self.domain,
                "title": "Social Example",
                "version": "4.6.5",
                "source_url": "https://github.com/mastodon/mastodon",
                "configuration": {"urls": {}, **config, "translation": {"enabled": False}},
                "registrations": {"enabled": False},
            }
        return {
            "uri": self.domain,
            "title": "Social Example",
            "version": "3.5.3",
            "urls": {},
            "configuration": config,
        }

    def _route(
        self, method: str, path: str, query: dict[str, Any], headers: Any, body: dict[str, Any]
    ) -> tuple[int, Any]:
        if method == "GET" and path == "/api/v1/accounts/verify_credentials":
            return 200, {**self._account_json(), "source": {"privacy": "public"}}
        m = re.fullmatch(r"/api/v1/accounts/(\d+)/statuses", path)
        if method == "GET" and m:
            return 200, self._account_statuses(m.group(1), query)
        if method == "POST" and path == "/api/v1/statuses":
            return self._post_status(headers, body)
        m = re.fullmatch(r"/api/v1/statuses/(\d+)", path)
        if m:
            sid = m.group(1)
            if sid not in self.statuses:
                raise _Answer(404, {"error": "Record not found"})
            if method == "GET":
                return 200, self._status_json(self.statuses[sid])
            if method == "DELETE":
                record = self.statuses.pop(sid)
                self.deleted.add(sid)
                return 200, {**self._status_json(record), "text": record["text"]}
        if method == "POST" and path in ("/api/v2/media", "/api/v1/media"):
            return self._upload(body, v2=path.startswith("/api/v2"))
        m = re.fullmatch(r"/api/v1/media/(\d+)", path)
        if method == "GET" and m:
            media = self.media.get(m.group(1))
            if media is None:
                raise _Answer(404, {"error": "Record not found"})
            if not media["ready"]:
                media["polls_left"] -= 1
                if media["polls_left"] < 0:
                    media["ready"] = True
            return (200 if media["ready"] else 206), self._media_json(media)
        if method == "GET" and path == "/api/v1/scheduled_statuses":
            items = [self.scheduled[k] for k in sorted(self.scheduled, key=int, reverse=True)]
            if query.get("max_id"):
                items = [s for s in items if int(s["id"]) < int(query["max_id"])]
            limit = min(int(query.get("limit") or 20), 40)
            return 200, [self._scheduled_json(s) for s in items[:limit]]
        m = re.fullmatch(r"/api/v1/scheduled_statuses/(\d+)", path)
        if m:
            rec = self.scheduled.get(m.group(1))
            if rec is None:
                raise _Answer(404, {"error": "Record not found"})
            if method == "GET":
                return 200, self._scheduled_json(rec)
            if method == "DELETE":
                del self.scheduled[rec["id"]]
                for mid in rec["media_ids"]:
                    self.media[mid]["scheduled_status_id"] = None
                return 200, {}
            if method == "PUT":
                when = _parse_time(body.get("scheduled_at"))
                if when is not None:
                    if when <= self.now + timedelta(minutes=5):
                        raise _Answer(422, {"error": TOO_SOON})
                    rec["scheduled_at"] = when
                return 200, self._scheduled_json(rec)
        raise _Answer(404, {"error": "Record not found"})

    def _account_statuses(self, account: str, query: dict[str, Any]) -> list[dict[str, Any]]:
        if account != self.account_id:
            raise _Answer(404, {"error": "Record not found"})
        ids = sorted(self.statuses, key=int, reverse=True)
        if query.get("max_id"):
            ids = [i for i in ids if int(i) < int(query["max_id"])]
        if query.get("since_id"):
            ids = [i for i in ids if int(i) > int(query["since_id"])]
        limit = max(1, min(int(query.get("limit") or 20), 40))
        return [self._status_json(self.statuses[i]) for i in ids[:limit]]

    def _upload(self, body: dict[str, Any], *, v2: bool) -> tuple[int, Any]:
        upload = body.get("file")
        if not isinstance(upload, dict):
            raise _Answer(422, {"error": "Validation failed: File can't be blank"})
        mime = upload["content_type"]
        supported = self._instance(v2=True)["configuration"]["media_attachments"][
            "supported_mime_types"
        ]
        if mime not in supported:
            raise _Answer(422, {"error": "Validation failed: File content type is invalid"})
        if mime.startswith("image/") and len(upload["data"]) > self.image_size_limit:
            raise _Answer(
                422,
                {"error": "Validation failed: File file size must be less than 16 MB"},
            )
        description = body.get("description")
        if description is not None and len(description) > self.description_limit:
            raise _Answer(
                422,
                {
                    "error": "Validation failed: Description is too long (maximum is "
                    f"{self.description_limit} characters)"
                },
            )
        mid = self._next_id()
        kind = "gifv" if mime == "image/gif" else mime.split("/")[0]
        # Mastodon: images are processed synchronously (200), video/gifv/audio answer 202.
        processing = self.processing_polls > 0 or kind != "image"
        self.media[mid] = {
            "id": mid,
            "type": kind,
            "filename": upload["filename"],
            "description": description,
            "bytes": upload["data"],
            "ready": not processing,
            "polls_left": max(self.processing_polls, 1) if processing else 0,
            "status_id": None,
            "scheduled_status_id": None,
        }
        media = self.media[mid]
        if not v2 and processing:  # v1 waits for processing
            media["ready"] = True
        return (202 if not media["ready"] else 200), self._media_json(media)

    def _post_status(self, headers: Any, body: dict[str, Any]) -> tuple[int, Any]:
        in_reply_to = body.get("in_reply_to_id")
        if in_reply_to and str(in_reply_to) not in self.statuses:
            raise _Answer(
                404,
                {"error": "The post you are trying to reply to does not appear to exist."},
            )
        scheduled_at = _parse_time(body.get("scheduled_at"))
        if scheduled_at is not None and scheduled_at <= self.now:
            scheduled_at = None  # PostStatusService#scheduled_in_the_past?: post at once
        key = headers.get("Idempotency-Key")
        if key:
            known = self.idempotency.get(key)
            if known is not None and known[2] > self.now:
                _kind, rid, _expiry = known
                if scheduled_at is not None:
                    if rid not in self.scheduled:
                        raise _Answer(404, {"error": "Record not found"})
                    return 200, self._scheduled_json(self.scheduled[rid])
                if rid not in self.statuses:
                    raise _Answer(404, {"error": "Record not found"})
                return 200, self._status_json(self.statuses[rid])
        media_ids = [str(m) for m in body.get("media_ids") or []]
        poll = body.get("poll") or None
        if media_ids:
            if len(media_ids) > 4 or poll:
                raise _Answer(422, {"error": TOO_MANY})
            missing = [m for m in media_ids if m not in self.media or self.media[m]["status_id"]]
            if missing:
                raise _Answer(
                    422,
                    {
                        "error": f"Media {', '.join(missing)} not found or already attached "
                        "to another post"
                    },
                )
            if any(not self.media[m]["ready"] for m in media_ids):
                raise _Answer(422, {"error": NOT_READY})
        text = str(body.get("status") or "")
        spoiler = str(body.get("spoiler_text") or "")
        errors = []
        if not text.strip() and not media_ids and not poll:
            errors.append("Text can't be blank")
        if count(text.strip(), spoiler.strip()) > self.max_characters:
            errors.append(f"Text character limit of {self.max_characters} exceeded")
        if poll:
            errors += self._poll_errors(poll)
        if scheduled_at is not None:
            if scheduled_at <= self.now + timedelta(minutes=5):
                errors.append("Scheduled at date must be in the future")
            if len(self.scheduled) >= 300:
                errors.append("You have exceeded the limit of 300 scheduled posts")
            same_day = [
                s
                for s in self.scheduled.values()
                if s["scheduled_at"].date() == scheduled_at.date()
            ]
            if len(same_day) >= 25:
                errors.append("You have exceeded the limit of 25 scheduled posts for today")
        if errors:
            raise _Answer(422, {"error": "Validation failed: " + ", ".join(errors)})
        params = {
            "text": text,
            "spoiler_text": spoiler,
            "visibility": body.get("visibility") or "public",
            "language": body.get("language"),
            "sensitive": body.get("sensitive"),
            "in_reply_to_id": str(in_reply_to) if in_reply_to else None,
            "media_ids": media_ids or None,
            "poll": poll,
            "scheduled_at": None,
            "idempotency": None,
            "with_rate_limit": False,
            "application_id": 1,
        }
        if scheduled_at is not None:
            self._scheduled_seq += 1
            sid = str(1000 + self._scheduled_seq)
            for m in media_ids:
                self.media[m]["scheduled_status_id"] = sid
            self.scheduled[sid] = {
                "id": sid,
                "scheduled_at": scheduled_at,
                "params": params,
                "media_ids": media_ids,
            }
            if key:
                self.idempotency[key] = ("scheduled", sid, self.now + timedelta(hours=1))
            return 200, self._scheduled_json(self.scheduled[sid])
        record = self._create_status(params, media_ids)
        if key:
            self.idempotency[key] = ("status", record["id"], self.now + timedelta(hours=1))
        return 200, self._status_json(record)

    def _poll_errors(self, poll: dict[str, Any]) -> list[str]:
        errors = []
        options = [str(o) for o in poll.get("options") or []]
        if len(options) < 2:
            errors.append("Choices must have more than one item")
        if len(options) > self.poll_max_options:
            errors.append(f"Choices can't contain more than {self.poll_max_options} items")
        if any(graphemes(o) > self.poll_max_characters_per_option for o in options):
            errors.append(
                f"Choices cannot be longer than {self.poll_max_characters_per_option} "
                "characters each"
            )
        if len(set(options)) != len(options):
            errors.append("Choices contain duplicate items")
        try:
            expires_in: int | None = int(poll["expires_in"])
        except (KeyError, TypeError, ValueError):
            expires_in = None  # no expires_at: PollExpirationValidator says "too far"
        if expires_in is None or expires_in > 2_629_746:
            errors.append("Deadline is too far into the future")
        elif expires_in < 300:
            errors.append("Deadline is too soon")
        return errors


def render_html(text: str, domain: str) -> str:
    """Mastodon's TextFormatter, in short: escaped text, paragraphs, links, mentions, tags."""
    text = text.strip()
    spans: list[tuple[int, int, str]] = []
    for start, end in extract_urls(text):
        url = text[start:end]
        scheme, _, rest = url.partition("://")
        shown, tail = rest[:30], rest[30:]
        spans.append(
            (
                start,
                end,
                f'<a href="{html.escape(url)}" target="_blank" rel="nofollow noopener" '
                f'translate="no"><span class="invisible">{html.escape(scheme)}://</span>'
                f'<span class="{"ellipsis" if tail else ""}">{html.escape(shown)}</span>'
                f'<span class="invisible">{html.escape(tail)}</span></a>',
            )
        )
    for start, end, short in extract_mentions(text):
        if any(s < end and start < e for s, e, _ in spans):
            continue
        user = short[1:]
        host = text[start:end].split("@")[2] if text[start:end].count("@") == 2 else domain
        spans.append(
            (
                start,
                end,
                f'<span class="h-card" translate="no"><a href="https://{host}/@{user}" '
                f'class="u-url mention">@<span>{user}</span></a></span>',
            )
        )
    for m in re.finditer(r"(?<![\w/])#(\w+)", text):
        if any(s < m.end() and m.start() < e for s, e, _ in spans):
            continue
        spans.append(
            (
                m.start(),
                m.end(),
                f'<a href="https://{domain}/tags/{m.group(1).lower()}" class="mention hashtag" '
                f'rel="tag">#<span>{html.escape(m.group(1))}</span></a>',
            )
        )

    def escape(plain: str) -> str:  # ERB::Util.html_escape
        return html.escape(plain, quote=False).replace('"', "&quot;").replace("'", "&#39;")

    out, last = [], 0
    for start, end, markup in sorted(spans):
        out.append(escape(text[last:start]))
        out.append(markup)
        last = end
    out.append(escape(text[last:]))
    body = "".join(out)
    paragraphs = re.split(r"\n\n+", body)
    return "".join(f"<p>{p.replace(chr(10), '<br />')}</p>" for p in paragraphs)


class _Handler(BaseHTTPRequestHandler):
    server_fake: FakeMastodon
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:  # quiet
        pass

    def date_time_string(self, timestamp: float | None = None) -> str:
        return format_datetime(self.server_fake.now, usegmt=True)

    def _body(self) -> tuple[bytes, dict[str, Any]]:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        ctype = self.headers.get("Content-Type") or ""
        if not raw:
            return raw, {}
        if ctype.startswith("application/json"):
            data = json.loads(raw.decode("utf-8"))
            return raw, data if isinstance(data, dict) else {}
        if ctype.startswith("multipart/form-data"):
            message = BytesParser(policy=HTTP).parsebytes(
                b"Content-Type: " + ctype.encode("latin-1") + b"\r\n\r\n" + raw
            )
            fields: dict[str, Any] = {}
            for part in message.iter_parts():
                name = part.get_param("name", header="content-disposition")
                payload = part.get_payload(decode=True) or b""
                if part.get_filename():
                    fields[str(name)] = {
                        "filename": part.get_filename(),
                        "content_type": part.get_content_type(),
                        "data": payload,
                    }
                else:
                    fields[str(name)] = payload.decode("utf-8")
            return raw, fields
        return raw, _nested_form(parse_qsl(raw.decode("utf-8"), keep_blank_values=True))

    def _serve(self) -> None:
        fake = self.server_fake
        url = urlsplit(self.path)
        _raw, body = self._body()
        query = _nested_form(parse_qsl(url.query, keep_blank_values=True))
        with fake._lock:
            fake.requests.append(
                {
                    "method": self.command,
                    "path": url.path,
                    "query": query,
                    "headers": dict(self.headers.items()),
                    "body": body,
                }
            )
            fault = next(
                (
                    f
                    for f in fake.faults
                    if f.count > 0
                    and (f.method is None or f.method == self.command)
                    and re.fullmatch(f.path, url.path)
                ),
                None,
            )
            if fault is not None:
                fault.count -= 1
        if fault is not None and not fault.after:
            if fault.delay:
                time.sleep(fault.delay)
            self._send(
                fault.status, fault.body or {"error": "An unexpected error occurred"}, fault.headers
            )
            return
        status, data, headers = fake.handle(self.command, url.path, query, self.headers, body)
        if fault is not None:  # handled; the answer is lost
            if fault.delay:
                time.sleep(fault.delay)
            self._send(fault.status, fault.body or {"error": "Bad gateway"}, fault.headers)
            return
        self._send(status, data, headers)

    def _send(self, status: int, data: Any, headers: dict[str, str]) -> None:
        payload = json.dumps(data, ensure_ascii=False).encode("utf-8")
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(payload)))
            for name, value in headers.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(payload)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (timeout tests)

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = _serve


def _nested_form(pairs: list[tuple[str, str]]) -> dict[str, Any]:
    """Rails-style form keys: ``media_ids[]``, ``poll[options][]``, ``poll[expires_in]``."""
    out: dict[str, Any] = {}
    for key, value in pairs:
        parts = re.findall(r"[^\[\]]+|\[\]", key)
        node = out
        for i, part in enumerate(parts):
            last = i == len(parts) - 1
            nxt = parts[i + 1] if not last else None
            if part == "[]":
                break
            if last:
                node[part] = value
            elif nxt == "[]":
                node.setdefault(part, []).append(value)
                break
            else:
                node = node.setdefault(part, {})
    return out


__all__ = ["NOT_READY", "TOO_MANY", "TOO_SOON", "FakeMastodon", "render_html"]
