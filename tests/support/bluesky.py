"""Helpers shared by the Bluesky publisher tests: items, a recording transport, a forged JWT."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

from cmpub.deploy.publishers.base import Image, Item, Receipt

WHEN = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)


def make_item(post: str, text: str = "Bonjour Lyon", *, part: int = 0, **kw: Any) -> Item:
    """An Item as deploy builds it (idempotency key from post, channel, part, time)."""
    publish_at = kw.pop("publish_at", WHEN)
    fields: dict[str, Any] = {
        "post": post,
        "channel": "bluesky",
        "part": part,
        "parts": kw.pop("parts", 1),
        "text": text,
        "publish_at": publish_at,
        "idempotency_key": f"{post}/bluesky/{part}/{publish_at.isoformat()}",
        "content_hash": "sha256:" + hashlib.sha256(text.encode()).hexdigest(),
        "title": kw.pop("title", "Un titre"),
        "lang": kw.pop("lang", "fr"),
    }
    fields.update(kw)
    return Item(**fields)


def make_image(path: Path, size: tuple[int, int] = (640, 400), alt: str = "Une tasse") -> Image:
    """A real PNG on disk and its Image."""
    from PIL import Image as PILImage

    path.parent.mkdir(parents=True, exist_ok=True)
    PILImage.new("RGB", size, (180, 120, 60)).save(path, "PNG")
    return Image(str(path), alt, size[0], size[1], "image/png", path.stat().st_size)


def big_file(path: Path, size: int, media_type: str = "image/jpeg") -> Image:
    """A file of ``size`` bytes standing for an image (its bytes are never uploaded)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"\xff\xd8\xff" + bytes(size - 3))
    return Image(str(path), "Trop lourde", 4000, 3000, media_type, size)


Intercept = Callable[[httpx.Request, Callable[[httpx.Request], httpx.Response]], httpx.Response]


class Recorder(httpx.BaseTransport):
    """The real network, with every request's XRPC method recorded; ``intercept`` may answer a
    request itself or alter the real answer (to inject a failure around a real server)."""

    def __init__(self, intercept: Intercept | None = None) -> None:
        self.calls: list[str] = []
        self.intercept = intercept

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self.calls.append(request.url.path.removeprefix("/xrpc/"))
        if self.intercept is not None:
            return self.intercept(request, self._forward)
        return self._forward(request)

    def _forward(self, request: httpx.Request) -> httpx.Response:
        with httpx.HTTPTransport() as real:  # no pool: nothing left open after a test
            response = real.handle_request(request)
            content = response.read()
            return httpx.Response(response.status_code, headers=response.headers, content=content)

    def count(self, method: str) -> int:
        return sum(1 for c in self.calls if c == method)


def forged_access_jwt(secret: str, did: str, *, exp: int = 1_700_000_100) -> str:
    """An access token signed with the PDS's own key, expired long ago (HS256, at+jwt)."""

    def b64(data: bytes) -> bytes:
        return base64.urlsafe_b64encode(data).rstrip(b"=")

    header = b64(json.dumps({"typ": "at+jwt", "alg": "HS256"}).encode())
    claims = {
        "scope": "com.atproto.access",
        "aud": "did:web:localhost",
        "sub": did,
        "iat": exp - 100,
        "exp": exp,
    }
    payload = b64(json.dumps(claims).encode())
    signature = b64(hmac.new(secret.encode(), header + b"." + payload, hashlib.sha256).digest())
    return (header + b"." + payload + b"." + signature).decode()


def receipt_ref(receipt: Receipt) -> dict[str, str]:
    return {"uri": receipt.extra["uri"], "cid": receipt.extra["cid"]}
