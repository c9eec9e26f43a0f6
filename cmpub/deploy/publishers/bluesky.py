"""Bluesky: one ``app.bsky.feed.post`` record per item, created exactly once, over plain XRPC.

What a publication does (shared/platforms.md §4; bluesky-social/atproto @ d6296a1c):

1. Computes the item's **record key**: a TID derived from its publish time and idempotency key
   (:func:`cmpub.deploy.publishers._atproto.record_key`), the same on every run.
2. ``com.atproto.repo.getRecord`` at that key (no sign-in needed). There already, with the same
   text: that is our earlier attempt, its Receipt is returned and nothing is sent. There with
   another text: a person must look (the post changed after it went out). Absent (``400
   RecordNotFound``): go on.
3. Checks what the PDS does not: each image's bytes against the ``app.bsky.embed.images`` cap
   (``image_max_bytes`` in cmpub.yaml, default 1,000,000 B; bsky.social accepts 2,000,000 B
   since 2026-04-08) *before* uploading; the 300-grapheme / 3000-byte text limits; facet ranges.
4. Signs in (below), uploads the images (``com.atproto.repo.uploadBlob``) with their alt text and
   ``aspectRatio``, or, without images, builds an ``app.bsky.embed.external`` link card for the
   first link (title = the post's title, description = its first sentence, thumb = the item's
   ``card_image`` when it has one); resolves mentions to DIDs
   (``com.atproto.identity.resolveHandle``; an unknown handle stays plain text, with a warning
   in ``Receipt.extra["warnings"]``); adds ``reply {root, parent}`` for thread parts.
5. ``com.atproto.repo.createRecord`` with our record key. The repository refuses a second record
   at the same key, so a retry can never post twice, but the reference PDS says so with a
   generic ``500 InternalServerError``. After **any** failure or timeout the record is read back:
   present with our text = success (a retry, a crashed run, a concurrent run); absent = the
   failure is real (5xx and timeouts retryable, 4xx explained in plain words).

Sign-in: ``com.atproto.server.createSession`` with the app password (``CMPUB_BLUESKY_APP_PASSWORD``)
is limited to 30 per 5 minutes, so the session (access and refresh JWTs) is kept between runs in
``context["state_dir"]`` (``.cmpub-cache/``, git-ignored; the file is written 0600, never inside
``dist/`` or ``ledger/``). An access token the server calls expired or invalid is renewed with
``com.atproto.server.refreshSession``; a refused refresh signs in again; a refused password
needs a person.

Why plain httpx and not the ``atproto`` SDK: every call here is one small XRPC request; the SDK
would add a large dependency whose ``send_post`` chooses the record key itself and runs its own
HTTP stack, while exactly-once needs our own TID on ``createRecord``, the read-back after an
ambiguous failure, and one injectable transport (``context["transport"]``) shared with the
other publishers (:mod:`cmpub.deploy.publishers.http`) for the error mapping and the tests.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from cmpub.deploy.publishers import http as xhttp
from cmpub.deploy.publishers._atproto import (
    build_facets,
    datetime_string,
    first_sentence,
    record_key,
    short_link_ranges,
    size_words,
)
from cmpub.deploy.publishers.base import (
    Capabilities,
    Image,
    Item,
    MissingSecret,
    PublishError,
    Receipt,
    Secret,
    redact,
)
from cmpub.model.errors import ConfigError
from cmpub.platforms.base import graphemes, utf8_len
from cmpub.platforms.bluesky import MAX_BYTES, MAX_GRAPHEMES

if TYPE_CHECKING:
    import httpx

PASSWORD_VARIABLE = "CMPUB_BLUESKY_APP_PASSWORD"
DEFAULT_SERVICE = "https://bsky.social"
#: embed/images.json image maxSize on PDSes before 2026-04-08 (bsky.social: 2,000,000 since).
DEFAULT_IMAGE_MAX_BYTES = 1_000_000
#: embed/external.json thumb maxSize (not the images cap).
CARD_THUMB_MAX_BYTES = 1_000_000
MAX_IMAGES = 4
POST = "app.bsky.feed.post"
APP_URL = "https://bsky.app"
NETWORK = "Bluesky"

_TOKEN_ERRORS = {"ExpiredToken", "InvalidToken"}


class BlueskyPublisher:
    """Posts to one Bluesky account (``channels.bluesky.handle``) through its PDS."""

    id: ClassVar[str] = "bluesky"
    name: ClassVar[str] = "Bluesky"
    capabilities: ClassVar[Capabilities] = Capabilities(
        images=True, alt_text=True, threads=True, lookup=True
    )

    def __init__(
        self,
        handle: str,
        password: Secret,
        *,
        service: str = DEFAULT_SERVICE,
        image_max_bytes: int = DEFAULT_IMAGE_MAX_BYTES,
        state_dir: Path | None = None,
        context: Mapping[str, Any] | None = None,
    ) -> None:
        self.handle = handle.strip().lstrip("@").lower()
        self.service = service.rstrip("/")
        self.image_max_bytes = image_max_bytes
        self._password = password
        self._context: Mapping[str, Any] = context or {}
        self._store = _SessionStore.at(state_dir, self._context, self.handle, self.service)
        self._session: dict[str, str] | None = None
        self._client: httpx.Client | None = None
        self._dids: dict[str, str | None] = {}

    # ------------------------------------------------------------------------- interface

    @classmethod
    def from_env(
        cls, environ: Mapping[str, str], settings: Mapping[str, Any], context: Mapping[str, Any]
    ) -> BlueskyPublisher:
        """From ``channels.bluesky`` (``handle``, ``service``, ``image_max_bytes``) and
        ``CMPUB_BLUESKY_APP_PASSWORD``; ``context["state_dir"]`` keeps the session between runs."""
        handle = str(settings.get("handle") or "").strip()
        if not handle:
            raise ConfigError(
                "cmpub.yaml: channels.bluesky.handle is missing (the account's handle, "
                "e.g. handle: brand.bsky.social)"
            )
        password = environ.get(PASSWORD_VARIABLE, "").strip()
        if not password:
            raise MissingSecret("bluesky", PASSWORD_VARIABLE, "the Bluesky app password")
        state_dir = context.get("state_dir")
        return cls(
            handle,
            Secret(password),
            service=str(settings.get("service") or DEFAULT_SERVICE),
            image_max_bytes=int(settings.get("image_max_bytes") or DEFAULT_IMAGE_MAX_BYTES),
            state_dir=Path(state_dir) if state_dir else None,
            context=context,
        )

    def __repr__(self) -> str:
        return f"BlueskyPublisher(handle={self.handle!r}, service={self.service!r})"

    def secrets(self) -> tuple[Secret, ...]:
        """The app password and the session's tokens (deploy redacts them everywhere)."""
        tokens = tuple(
            Secret(self._session[k])
            for k in ("accessJwt", "refreshJwt")
            if self._session and self._session.get(k)
        )
        return (self._password, *tokens)

    def record_key(self, item: Item) -> str:
        """The item's TID record key (the same on every run)."""
        return record_key(item.publish_at, item.idempotency_key)

    def lookup(self, item: Item) -> Receipt | None:
        """The Receipt of the record at the item's key, or None when there is none."""
        rkey = self.record_key(item)
        with self._connection():
            found = self._read(rkey)
        return None if found is None else self._receipt(found["uri"], found["cid"], rkey)

    def publish(self, item: Item) -> Receipt:
        """Create the item's post once; an earlier attempt that went out is returned as is."""
        with self._connection():
            return self._publish(item)

    def _publish(self, item: Item) -> Receipt:
        rkey = self.record_key(item)
        self._check_text(item)
        existing = self._read(rkey)
        if existing is not None:
            return self._accept(existing, item, rkey, [])
        reply = self._reply(item) if item.part > 0 else None
        images = self._image_bytes(item)
        warnings: list[str] = []
        record = self._record(item, images, warnings)
        if reply:
            record["reply"] = reply
        body = {"repo": self._signed_in()["did"], "collection": POST, "rkey": rkey}
        action = "posting"
        try:
            response = self._authed(
                "POST", "com.atproto.repo.createRecord", action, json={**body, "record": record}
            )
        except PublishError as exc:  # timeout, dropped connection: it may have gone out
            return self._after_failure(exc, item, rkey, warnings)
        if response.is_success:
            data = response.json()
            return self._receipt(data["uri"], data["cid"], rkey, warnings)
        # A record already at our key is refused with a generic 500: only a read-back tells.
        return self._after_failure(self._post_error(response), item, rkey, warnings)

    # ------------------------------------------------------------------------- the record

    def _check_text(self, item: Item) -> None:
        count, size = graphemes(item.text), utf8_len(item.text)
        where = f" (part {item.part + 1} of {item.parts})" if item.parts > 1 else ""
        if count > MAX_GRAPHEMES:
            raise self._refusal(
                f"Bluesky rejects posts over {MAX_GRAPHEMES} characters: this one has {count}"
                f"{where}; shorten it or make it a thread"
            )
        if size > MAX_BYTES:
            raise self._refusal(
                f"Bluesky rejects posts over {MAX_BYTES:,} bytes: this one has {size:,}{where} "
                "(emoji take several bytes each); shorten it"
            )
        if not item.text.strip() and not item.images:
            raise self._refusal("Bluesky rejects an empty post without images")

    def _image_bytes(self, item: Item) -> list[tuple[Image, bytes]]:
        """The images' bytes, each checked against the embed cap before anything is uploaded."""
        if len(item.images) > MAX_IMAGES:
            raise self._refusal(
                f"Bluesky takes at most {MAX_IMAGES} images per post: this one has "
                f"{len(item.images)}"
            )
        out = []
        for image in item.images:
            data = self._file_bytes(image, "image")
            if len(data) > self.image_max_bytes:
                shown, cap = size_words(len(data), self.image_max_bytes)
                raise self._refusal(
                    f"Bluesky rejected the image: {shown} is over the {cap} limit "
                    f"({Path(image.path).name})"
                )
            out.append((image, data))
        return out

    def _file_bytes(self, image: Image, what: str) -> bytes:
        try:
            return Path(image.path).read_bytes()
        except OSError:
            raise self._refusal(
                f"the {what} {Path(image.path).name} is missing ({image.path}): run cmpub build"
            ) from None

    def _record(
        self, item: Item, images: list[tuple[Image, bytes]], warnings: list[str]
    ) -> dict[str, Any]:
        record: dict[str, Any] = {
            "$type": POST,
            "text": item.text,
            "createdAt": datetime_string(item.publish_at),
        }
        if item.lang:
            record["langs"] = [item.lang]
        facets, facet_warnings = build_facets(item.text, item.links, self._resolve)
        warnings += facet_warnings
        if facets:
            record["facets"] = facets
        if images:
            record["embed"] = {
                "$type": "app.bsky.embed.images",
                "images": [
                    {
                        "image": self._upload(data, image.media_type, "the image"),
                        "alt": image.alt or "",
                        "aspectRatio": {"width": image.width, "height": image.height},
                    }
                    for image, data in images
                ],
            }
        else:
            card = self._card(item, warnings)
            if card:
                record["embed"] = card
        return record

    def _card(self, item: Item, warnings: list[str]) -> dict[str, Any] | None:
        """A link card for the first link this part shows (the CTA or the article)."""
        shown = short_link_ranges(item.text, item.links)
        if shown:
            uri = shown[0][2]
        elif item.part == 0 and item.article_url:
            uri = item.article_url
        else:
            return None
        external: dict[str, Any] = {
            "uri": uri,
            "title": item.title,
            "description": first_sentence(item.text),
        }
        picture: Image | None = getattr(item, "card_image", None)
        if picture is not None:
            data = self._file_bytes(picture, "card picture")
            if len(data) > CARD_THUMB_MAX_BYTES:
                size, cap = size_words(len(data), CARD_THUMB_MAX_BYTES)
                warnings.append(
                    f"the link card has no picture: {Path(picture.path).name} is {size}, over "
                    f"the {cap} limit of Bluesky card pictures"
                )
            else:
                external["thumb"] = self._upload(data, picture.media_type, "the card picture")
        return {"$type": "app.bsky.embed.external", "external": external}

    def _reply(self, item: Item) -> dict[str, Any]:
        refs = {"root": _strong_ref(item.root), "parent": _strong_ref(item.parent)}
        if None in refs.values():
            raise PublishError(
                f"part {item.part + 1} of the thread cannot go out before the earlier parts: "
                "their Bluesky ids (uri and cid) are missing",
                retryable=False,
                needs_person=True,
                code="rejected",
            )
        return refs

    def _refusal(self, message: str) -> PublishError:
        return PublishError(
            redact(message, self.secrets()), retryable=False, needs_person=True, code="rejected"
        )

    # ------------------------------------------------------------------------- exactly once

    def _accept(self, found: dict[str, Any], item: Item, rkey: str, warnings: list[str]) -> Receipt:
        """The Receipt of a record already at our key, when it is this item's post."""
        value = found.get("value") or {}
        if value.get("text") == item.text:
            return self._receipt(found["uri"], found["cid"], rkey, warnings)
        raise PublishError(
            f"a different Bluesky post is already at this item's place ({self._post_url(rkey)}): "
            "it probably went out before the text was edited. cmpub will not post it twice: "
            "delete it on Bluesky to post the new text, or leave it",
            retryable=False,
            needs_person=True,
            code="conflict",
        )

    def _after_failure(
        self, error: PublishError, item: Item, rkey: str, warnings: list[str]
    ) -> Receipt:
        """Read the record back after a failed createRecord: there = it went out."""
        try:
            found = self._read(rkey)
        except PublishError:
            error.maybe_sent = error.maybe_sent or error.retryable
            raise error from None
        if found is not None:
            return self._accept(found, item, rkey, warnings)
        raise error

    def _read(self, rkey: str) -> dict[str, Any] | None:
        """getRecord at ``rkey`` in our repository: the record, or None when surely absent."""
        action = "checking whether the post is already on Bluesky"
        response = self._call(
            "GET",
            "com.atproto.repo.getRecord",
            action,
            params={"repo": self._repo(), "collection": POST, "rkey": rkey},
        )
        if response.is_success:
            data: dict[str, Any] = response.json()
            return data
        if response.status_code == 400 and _xrpc_error(response)[0] == "RecordNotFound":
            return None
        if response.status_code == 400:
            raise PublishError(
                redact(
                    f"Bluesky does not know the account @{self.handle} on"
                    f" {xhttp.host(self.service)} ({xhttp.server_message(response, self.secrets())}):"
                    " check channels.bluesky.handle and service in cmpub.yaml",
                    self.secrets(),
                ),
                retryable=False,
                needs_person=True,
                status=400,
                code="rejected",
            )
        raise self._error(response, action)

    def _receipt(self, uri: str, cid: str, rkey: str, warnings: list[str] | None = None) -> Receipt:
        extra: dict[str, Any] = {"uri": uri, "cid": cid, "rkey": rkey}
        if warnings:
            extra["warnings"] = list(warnings)
        return Receipt(remote_id=uri, url=self._post_url(rkey), extra=extra)

    def _post_url(self, rkey: str) -> str:
        return f"{APP_URL}/profile/{self.handle}/post/{rkey}"

    def _post_error(self, response: httpx.Response) -> PublishError:
        """createRecord's refusal in plain words."""
        code, message = _xrpc_error(response)
        status = response.status_code
        low = message.lower()
        if status == 400 and code in ("InvalidRequest", "InvalidRecord"):
            if "grapheme" in low:
                found = re.search(r"got (\d+)", message)
                count = f" ({found.group(1)})" if found else ""
                text = f"the text is longer than {MAX_GRAPHEMES} characters{count}"
            elif "text" in low and ("too long" in low or "longer than" in low):
                text = f"the text is longer than {MAX_BYTES:,} bytes"
            elif "blob" in low or "image" in low:
                text = f"an image does not fit its rules ({message})"
            else:
                text = f"the post is invalid ({message})"
            return self._refusal(f"Bluesky rejected the post: {text}")
        return self._error(response, "posting")

    # ------------------------------------------------------------------------- network

    @contextlib.contextmanager
    def _connection(self) -> Iterator[None]:
        """One HTTP client for one publish or lookup, closed after it (an injected transport
        is borrowed, not closed)."""
        if self._client is not None:
            yield
            return
        context = dict(self._context)
        if context.get("transport") is not None:
            context["transport"] = _BorrowedTransport(context["transport"])
        with xhttp.client(context, base_url=self.service) as client:
            self._client = client
            try:
                yield
            finally:
                self._client = None

    def _http(self) -> httpx.Client:
        if self._client is None:
            raise RuntimeError("BlueskyPublisher: no open connection")  # a bug, not a user error
        return self._client

    def _call(
        self,
        method: str,
        nsid: str,
        action: str,
        *,
        token: str | None = None,
        headers: Mapping[str, str] | None = None,
        **kwargs: Any,
    ) -> httpx.Response:
        """One XRPC request; transport failures become PublishError, answers are returned."""
        import httpx

        sent = dict(headers or {})
        if token:
            sent["Authorization"] = f"Bearer {token}"
        try:
            return self._http().request(method, f"/xrpc/{nsid}", headers=sent, **kwargs)
        except httpx.HTTPError as exc:
            raise xhttp.error_for_exception(
                exc, network=NETWORK, action=action, secrets=self.secrets()
            ) from exc

    def _authed(self, method: str, nsid: str, action: str, **kwargs: Any) -> httpx.Response:
        """A request with the access token, renewing the session once when it is refused."""
        response = self._call(method, nsid, action, token=self._signed_in()["accessJwt"], **kwargs)
        if _token_refused(response):
            session = self._renew()
            response = self._call(method, nsid, action, token=session["accessJwt"], **kwargs)
        return response

    def _error(self, response: httpx.Response, action: str) -> PublishError:
        error = xhttp.error_for_response(
            response,
            network=NETWORK,
            action=action,
            credential=PASSWORD_VARIABLE,
            secrets=self.secrets(),
        )
        if response.status_code == 429 and error.retry_after is None:
            error.retry_after = _ratelimit_reset(response)
        return error

    def _upload(self, data: bytes, media_type: str, what: str) -> dict[str, Any]:
        action = f"uploading {what}"
        response = self._authed(
            "POST",
            "com.atproto.repo.uploadBlob",
            action,
            content=data,
            headers={"Content-Type": media_type or "application/octet-stream"},
        )
        if response.is_success:
            blob: dict[str, Any] = response.json()["blob"]
            return blob
        code, message = _xrpc_error(response)
        if response.status_code == 413 or code == "BlobTooLarge":
            raise self._refusal(
                f"Bluesky rejected {what}: {len(data):,} bytes is over this server's upload "
                f"limit ({message or response.status_code})"
            )
        raise self._error(response, action)

    def _resolve(self, handle: str) -> str | None:
        """The DID of ``handle``, or None when Bluesky knows no such account."""
        if handle not in self._dids:
            action = f"looking up @{handle}"
            response = self._call(
                "GET", "com.atproto.identity.resolveHandle", action, params={"handle": handle}
            )
            if response.is_success:
                self._dids[handle] = str(response.json()["did"])
            elif response.status_code in (400, 404):
                self._dids[handle] = None
            else:
                raise self._error(response, action)
        return self._dids[handle]

    # ------------------------------------------------------------------------- session

    def _repo(self) -> str:
        """Our repository for unauthenticated reads: the DID when known, else the handle."""
        session = self._session or self._store.load()
        return session["did"] if session and session.get("did") else self.handle

    def _signed_in(self) -> dict[str, str]:
        """The session: this run's, else the one kept from an earlier run, else a new one."""
        if self._session is None:
            self._session = self._store.load()
        if self._session is None:
            self._session = self._login()
        return self._session

    def _renew(self) -> dict[str, str]:
        """A fresh access token: refreshSession, else sign in again."""
        refresh = (self._session or {}).get("refreshJwt")
        if refresh:
            action = "renewing the Bluesky session"
            response = self._call(
                "POST", "com.atproto.server.refreshSession", action, token=refresh
            )
            if response.is_success:
                self._session = self._keep(response.json())
                return self._session
            if response.status_code not in (400, 401):
                raise self._error(response, action)
        self._session = self._login()
        return self._session

    def _login(self) -> dict[str, str]:
        action = "signing in"
        response = self._call(
            "POST",
            "com.atproto.server.createSession",
            action,
            json={"identifier": self.handle, "password": self._password.reveal()},
        )
        if response.is_success:
            return self._keep(response.json())
        code, _ = _xrpc_error(response)
        if code == "AuthFactorTokenRequired":
            raise self._needs_person(
                f"Bluesky asks for an email sign-in code for @{self.handle}: that is the account "
                f"password, not an app password. Create an app password and set {PASSWORD_VARIABLE}",
                response,
            )
        if code in ("AccountTakedown", "AccountDeactivated"):
            state = "taken down" if code == "AccountTakedown" else "deactivated"
            raise self._needs_person(
                f"Bluesky says the account @{self.handle} is {state}", response
            )
        if response.status_code == 401 or code == "AuthenticationRequired":
            raise self._needs_person(
                f"Bluesky refused the app password for @{self.handle}: create a new app password "
                f"and set {PASSWORD_VARIABLE}",
                response,
            )
        raise self._error(response, action)

    def _needs_person(self, message: str, response: httpx.Response) -> PublishError:
        return PublishError(
            redact(message, self.secrets()),
            retryable=False,
            needs_person=True,
            status=response.status_code,
            code="auth",
        )

    def _keep(self, data: Mapping[str, Any]) -> dict[str, str]:
        session = {
            "did": str(data["did"]),
            "handle": str(data.get("handle") or self.handle),
            "accessJwt": str(data["accessJwt"]),
            "refreshJwt": str(data["refreshJwt"]),
        }
        self._store.save(session)
        return session


# ----------------------------------------------------------------------------- helpers


def _xrpc_error(response: httpx.Response) -> tuple[str, str]:
    """An XRPC error body's ``(error, message)``."""
    try:
        data = response.json()
    except ValueError:
        return "", ""
    if not isinstance(data, dict):
        return "", ""
    return str(data.get("error") or ""), str(data.get("message") or "")


def _token_refused(response: httpx.Response) -> bool:
    """The access token was refused before the request did anything (safe to resend)."""
    if response.status_code == 401:
        return True
    return response.status_code == 400 and _xrpc_error(response)[0] in _TOKEN_ERRORS


def _ratelimit_reset(response: httpx.Response) -> float | None:
    """Seconds until ``RateLimit-Reset`` (epoch seconds, atproto PDS) by the server's ``Date``."""
    import email.utils

    reset, said = response.headers.get("RateLimit-Reset"), response.headers.get("Date")
    if not reset or not said:
        return None
    try:
        now = email.utils.parsedate_to_datetime(said).timestamp()
        return max(0.0, float(reset) - now)
    except (TypeError, ValueError):
        return None


def _strong_ref(receipt: Receipt | None) -> dict[str, str] | None:
    if receipt is None:
        return None
    uri = receipt.extra.get("uri") or receipt.remote_id
    cid = receipt.extra.get("cid")
    if not (isinstance(uri, str) and uri.startswith("at://") and cid):
        return None
    return {"uri": uri, "cid": str(cid)}


class _BorrowedTransport:
    """An injected transport used by short-lived clients: closing a client leaves it open."""

    def __init__(self, inner: Any) -> None:
        self._inner = inner

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        return self._inner.handle_request(request)  # type: ignore[no-any-return]

    def close(self) -> None:
        pass

    def __enter__(self) -> _BorrowedTransport:
        return self

    def __exit__(self, *exc: object) -> None:
        pass


class _SessionStore:
    """The session kept between runs: ``<state_dir>/bluesky-session-<handle>.json``, mode 0600.

    Never inside ``dist/`` (published) or ``ledger/`` (committed): there, and without a
    ``state_dir``, the session lives for this run only. The folder gets a ``.gitignore`` of
    ``*`` so that the tokens are not committed even where ``.cmpub-cache`` is not ignored.
    """

    def __init__(self, path: Path | None, service: str, handle: str) -> None:
        self.path = path
        self.service = service
        self.handle = handle

    @classmethod
    def at(
        cls, state_dir: Path | None, context: Mapping[str, Any], handle: str, service: str
    ) -> _SessionStore:
        if state_dir is None:
            return cls(None, service, handle)
        here = Path(state_dir).resolve()
        root = context.get("root")
        forbidden = [Path(p).resolve() for p in (context.get("dist"),) if p]
        if root:
            forbidden += [Path(root).resolve() / "dist", Path(root).resolve() / "ledger"]
        if any(here == f or f in here.parents for f in forbidden):
            return cls(None, service, handle)
        name = re.sub(r"[^A-Za-z0-9._-]", "_", handle)
        return cls(here / f"bluesky-session-{name}.json", service, handle)

    def load(self) -> dict[str, str] | None:
        if self.path is None:
            return None
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        if not isinstance(data, dict) or data.get("service") != self.service:
            return None
        if data.get("login") != self.handle:
            return None
        session = data.get("session")
        keys = ("did", "accessJwt", "refreshJwt")
        if not isinstance(session, dict) or not all(isinstance(session.get(k), str) for k in keys):
            return None
        return {k: str(v) for k, v in session.items()}

    def save(self, session: Mapping[str, str]) -> None:
        if self.path is None:
            return
        folder = self.path.parent
        folder.mkdir(parents=True, exist_ok=True)
        ignore = folder / ".gitignore"
        if not ignore.exists():
            with contextlib.suppress(OSError):
                ignore.write_text("*\n", encoding="utf-8")
        data = {"service": self.service, "login": self.handle, "session": dict(session)}
        tmp = self.path.with_name(f".{self.path.name}.{os.getpid()}.tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                json.dump(data, f, indent=1)
            os.chmod(tmp, 0o600)
            os.replace(tmp, self.path)
        except BaseException:
            with contextlib.suppress(OSError):
                tmp.unlink()
            raise


__all__ = [
    "CARD_THUMB_MAX_BYTES",
    "DEFAULT_IMAGE_MAX_BYTES",
    "PASSWORD_VARIABLE",
    "BlueskyPublisher",
]
