"""The webhook: POSTs each item as signed JSON (Slack relays, Discord, Zapier, a newsletter tool).

Request: ``POST <channels.webhook.url>`` with the body :func:`cmpub.deploy.publishers.base.payload`
plus ``"event": "cmpub.publish"``, as compact key-sorted UTF-8 JSON, and the headers

    Content-Type: application/json
    Idempotency-Key: <the item's deterministic key>      (a receiver should de-duplicate on it)
    X-Cmpub-Signature: sha256=<hex HMAC-SHA256 of the exact body, keyed with the secret>

The secret comes from ``CMPUB_WEBHOOK_SECRET``. Any 2xx is success; a JSON answer with ``id``
(and ``url``) becomes the Receipt, otherwise the idempotency key stands in for the id. 5xx,
408, 429 and timeouts are retried by deploy (the same key is sent again); other 4xx need a
person. A read timeout means the receiver may have the post: deploy then asks :meth:`lookup`.

Lookup is opt-in for receivers. :meth:`WebhookPublisher.lookup` sends ``GET <url>`` with the
``Idempotency-Key``, ``X-Cmpub-Lookup: 1`` and a signature of the key; a receiver that keeps a
log answers 200 ``{"cmpub_lookup": "found", "id": ..., "url": ...}`` or
``{"cmpub_lookup": "absent"}``. Any other answer means the receiver cannot tell: lookup
raises :class:`CannotKnow` and the item becomes ``uncertain`` (a person checks the receiver),
never sent twice.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping
from typing import Any, ClassVar

from cmpub.deploy.publishers import http
from cmpub.deploy.publishers.base import (
    CannotKnow,
    Capabilities,
    Item,
    MissingSecret,
    PublishError,
    Receipt,
    Secret,
    payload,
)

SECRET_VARIABLE = "CMPUB_WEBHOOK_SECRET"


def signature(secret: Secret, body: bytes) -> str:
    """The ``X-Cmpub-Signature`` value of ``body``: ``sha256=<hex HMAC>``."""
    digest = hmac.new(secret.reveal().encode("utf-8"), body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


class WebhookPublisher:
    """Signed JSON POSTs to one URL."""

    id: ClassVar[str] = "webhook"
    name: ClassVar[str] = "Webhook"
    capabilities: ClassVar[Capabilities] = Capabilities(
        images=True, alt_text=True, polls=True, threads=True, lookup=False
    )

    def __init__(self, url: str, secret: Secret, context: Mapping[str, Any]) -> None:
        self.url = url
        self._secret = secret
        self._context = context
        self.network = f"the webhook at {http.host(url)}"
        self._client: Any = None

    def _http(self) -> Any:
        """One client per publisher (per run): a new client per request costs TLS setup."""
        if self._client is None:
            self._client = http.client(self._context)
        return self._client

    @classmethod
    def from_env(
        cls, environ: Mapping[str, str], settings: Mapping[str, Any], context: Mapping[str, Any]
    ) -> WebhookPublisher:
        """The URL from cmpub.yaml (``channels.webhook.url``), the secret from the environment."""
        value = environ.get(SECRET_VARIABLE, "")
        if not value:
            raise MissingSecret("Webhook", SECRET_VARIABLE, "the signing secret")
        url = settings.get("url")
        if not url:
            from cmpub.model.errors import UsageError

            raise UsageError("Webhook: set 'url' under channels.webhook in cmpub.yaml")
        return cls(str(url), Secret(value), context)

    def __repr__(self) -> str:
        return f"WebhookPublisher(host={http.host(self.url)!r}, secret=Secret('***'))"

    def secrets(self) -> tuple[Secret, ...]:
        """The signing secret, and the URL itself (Slack and Discord hide a token in its path)."""
        return (self._secret, Secret(self.url))

    def publish(self, item: Item) -> Receipt:
        """POST the item; the Receipt carries the receiver's id when it gives one."""
        import httpx

        body = http.json_body({"event": "cmpub.publish", **payload(item)})
        headers = {
            "Content-Type": "application/json",
            "Idempotency-Key": item.idempotency_key,
            "X-Cmpub-Signature": signature(self._secret, body),
        }
        action = f"sending '{item.post}'"
        try:
            response = self._http().post(self.url, content=body, headers=headers)
        except httpx.HTTPError as exc:
            raise http.error_for_exception(
                exc, network=self.network, action=action, secrets=self.secrets()
            ) from exc
        if not response.is_success:
            raise http.error_for_response(
                response,
                network=self.network,
                action=action,
                credential=SECRET_VARIABLE,
                secrets=self.secrets(),
            )
        return self._receipt(response, item)

    def lookup(self, item: Item) -> Receipt | None:
        """Ask the receiver (see the module docstring); CannotKnow when it does not say."""
        import httpx

        key = item.idempotency_key
        headers = {
            "Idempotency-Key": key,
            "X-Cmpub-Lookup": "1",
            "X-Cmpub-Signature": signature(self._secret, key.encode()),
        }
        action = f"checking whether it received '{item.post}'"
        try:
            response = self._http().get(self.url, headers=headers)
        except httpx.HTTPError as exc:
            error = http.error_for_exception(
                exc, network=self.network, action=action, secrets=self.secrets()
            )
            raise PublishError(error.message, retryable=True, code=error.code) from exc
        if response.status_code >= 500 or response.status_code in (408, 429):
            raise http.error_for_response(
                response, network=self.network, action=action, secrets=self.secrets()
            )
        answer = _json(response) if response.status_code == 200 else None
        state = answer.get("cmpub_lookup") if isinstance(answer, dict) else None
        if state == "found":
            return self._receipt(response, item)
        if state == "absent":
            return None
        raise CannotKnow(
            f"{self.network} cannot say whether it received '{item.post}' (part {item.part + 1})"
            f" before the interruption: check the receiver, then set the ledger record's state"
            f" to published, or delete the record to send it again"
        )

    def _receipt(self, response: Any, item: Item) -> Receipt:
        data = _json(response)
        data = data if isinstance(data, dict) else {}
        remote = data.get("id")
        url = data.get("url")
        return Receipt(
            remote_id=str(remote) if remote not in (None, "") else item.idempotency_key,
            url=str(url) if isinstance(url, str) and url else None,
            extra={"status": response.status_code, "receiver_id": remote not in (None, "")},
        )


def _json(response: Any) -> Any:
    try:
        return response.json()
    except (ValueError, UnicodeDecodeError):
        return None
